//! The QA report people read: `reports/report.md` and a self-contained `reports/report.html`
//! (the same content, SVG figures inline), plus the figures as `reports/figures/*.svg`.
//!
//! Everything comes from `stats.json`, the gate results and two text-free tables (`messages`,
//! `manifest`); the report holds no raw text. Small cells are suppressed: a count from 1 to
//! `min_cell - 1` (default 5) is shown as `<5` in tables, and a histogram bin or bar with fewer
//! than `min_cell` records is not drawn. Zero is shown as 0. Gate values are shown as they are
//! (they are the verdict).

mod figures;
mod html;
mod sections;

use std::fmt::Write as _;

use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::schema::release::GateResult;

/// `[report]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Counts below this are shown as `<min_cell>` and not drawn. Default 5.
    #[serde(default = "default_min_cell")]
    pub min_cell: u64,
    /// Metadata fields (`[source.columns] metadata`) whose values break the exported records
    /// down by split and by phase, e.g. `breakdowns = ["topic", "problem_type"]`. Shares go to
    /// `stats.json` (`breakdowns.<field>.split.<split>.<value>.share`, usable by `[[gate]]`),
    /// with their drift against `[drift] baseline`; values held by fewer than `min_cell`
    /// records are pooled as `(other)`.
    #[serde(default)]
    pub breakdowns: Vec<String>,
}

fn default_min_cell() -> u64 {
    5
}

impl ReportSpec {
    /// Check the values; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        if self.min_cell == 0 {
            return Err(("report.min_cell".into(), "must be at least 1".into()));
        }
        Ok(())
    }
}

impl Default for ReportSpec {
    fn default() -> Self {
        Self {
            min_cell: default_min_cell(),
            breakdowns: Vec::new(),
        }
    }
}

/// What the report is made from.
pub struct ReportInput<'a> {
    pub name: &'a str,
    pub version: &'a str,
    /// sha256 of the resolved spec (the report names no run id or time: same inputs, same bytes).
    pub spec_sha256: &'a str,
    pub stats: &'a Value,
    pub gates: &'a [GateResult],
    /// The `messages` statistics table (role, source, n_chars).
    pub messages: &'a DataFrame,
    /// The manifest (n_turns per export line).
    pub manifest: &'a DataFrame,
    /// `coverage.json`.
    pub coverage: &'a Value,
    /// The spec requires a review before publishing.
    pub review_required: bool,
    pub spec: &'a ReportSpec,
}

/// The rendered report.
pub struct Report {
    pub markdown: String,
    pub html: String,
    /// (file name under `figures/`, SVG text).
    pub figures: Vec<(String, String)>,
}

enum Block {
    H2(String),
    P(String),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Figure {
        file: String,
        svg: String,
        caption: String,
    },
}

/// Render the report.
pub fn render(input: &ReportInput<'_>) -> Result<Report> {
    let doc = sections::document(input)?;
    let title = format!("QA report: {} {}", input.name, input.version);
    let subtitle = format!(
        "spec sha256 `{}`",
        &input.spec_sha256[..input.spec_sha256.len().min(16)]
    );
    let mut figures = Vec::new();
    let markdown = to_markdown(&title, &subtitle, &doc, &mut figures);
    let html = html::to_html(&title, &markdown, &figures);
    Ok(Report {
        markdown,
        html,
        figures,
    })
}

fn to_markdown(
    title: &str,
    subtitle: &str,
    doc: &[Block],
    figures: &mut Vec<(String, String)>,
) -> String {
    let mut out = format!("# {title}\n\n{subtitle}\n\n");
    for b in doc {
        match b {
            Block::H2(t) => {
                let _ = write!(out, "## {t}\n\n");
            }
            Block::P(t) => {
                let _ = write!(out, "{t}\n\n");
            }
            Block::Table { head, rows } => {
                let esc = |c: &str| c.replace('|', "\\|").replace('\n', " ");
                let _ = writeln!(
                    out,
                    "| {} |",
                    head.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | ")
                );
                let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
                for r in rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::Figure { file, svg, caption } => {
                let _ = write!(out, "![{caption}](figures/{file})\n\n");
                figures.push((file.clone(), svg.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::figures::bars;
    use super::sections::count_cell;

    #[test]
    fn small_counts_are_suppressed_but_zero_is_not() {
        assert_eq!(count_cell(Some(0), 5), "0");
        assert_eq!(count_cell(Some(1), 5), "<5");
        assert_eq!(count_cell(Some(4), 5), "<5");
        assert_eq!(count_cell(Some(5), 5), "5");
        assert_eq!(count_cell(None, 5), "-");
    }

    #[test]
    fn bars_render_svg_without_drawing_small_bars() {
        let svg = bars(
            "t",
            "records",
            &[("big".into(), 120), ("small".into(), 3)],
            5,
        )
        .unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(
            svg.contains("\nbig\n") && svg.contains("\n&lt;5\n"),
            "{svg}"
        );
        // One data rectangle (the background and plot area are rects too, so count fills).
        let filled = svg.matches("fill=\"#466EAA\"").count();
        assert_eq!(filled, 1, "{svg}");
    }
}
