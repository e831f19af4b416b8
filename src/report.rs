//! The QA report people read: `reports/report.md` and a self-contained `reports/report.html`
//! (the same content, SVG figures inline), plus the figures as `reports/figures/*.svg`.
//!
//! Everything comes from `stats.json`, the gate results and two text-free tables (`messages`,
//! `manifest`); the report holds no raw text. Small cells are suppressed: a count from 1 to
//! `min_cell - 1` (default 5) is shown as `<5` in tables, and a histogram bin or bar with fewer
//! than `min_cell` records is not drawn. Zero is shown as 0. Gate values are shown as they are
//! (they are the verdict).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use plotters::coord::Shift;
use plotters::prelude::*;
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::schema::STATUSES;
use crate::schema::release::GateResult;
use crate::schema::{str_column, u64_column};

/// `[report]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Counts below this are shown as `<min_cell>` and not drawn. Default 5.
    #[serde(default = "default_min_cell")]
    pub min_cell: u64,
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
        head: Vec<&'static str>,
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
    let k = input.spec.min_cell;
    let s = input.stats;
    let cell = |v: &Value| count_cell(v.as_u64(), k);
    let mut doc: Vec<Block> = Vec::new();
    let failed: Vec<&GateResult> = input.gates.iter().filter(|g| !g.passed).collect();

    // Verdict and gates.
    doc.push(Block::P(if failed.is_empty() {
        format!(
            "**Verdict: every gate passed** ({} gates). The release is published.",
            input.gates.len()
        )
    } else {
        format!(
            "**Verdict: BLOCKED**: {} of {} gates failed; nothing was published. Failed: {}.",
            failed.len(),
            input.gates.len(),
            failed
                .iter()
                .map(|g| format!("`{}`", g.name))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }));
    doc.push(Block::P(format!(
        "Counts from 1 to {} are shown as `<{k}`; histogram bins and bars with fewer than {k} records are not drawn. No text from the data appears here.",
        k.saturating_sub(1)
    )));
    doc.push(Block::H2("Gates".into()));
    let mut gates: Vec<&GateResult> = input.gates.iter().collect();
    gates.sort_by_key(|g| g.passed);
    doc.push(Block::Table {
        head: vec!["gate", "verdict", "value", "must be", "detail"],
        rows: gates
            .iter()
            .map(|g| {
                vec![
                    format!("`{}`", g.name),
                    if g.passed { "pass" } else { "**FAIL**" }.into(),
                    g.value.map_or("missing".into(), num),
                    format!("{} {}", g.op, num(g.threshold)),
                    g.detail.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    });

    // Removal waterfall.
    doc.push(Block::H2("Where the records went".into()));
    let by_status = &s["counts"]["by_status"];
    let steps: Vec<(String, u64)> = std::iter::once((
        "input".to_string(),
        s["counts"]["input"].as_u64().unwrap_or(0),
    ))
    .chain(
        [
            "rejected",
            "duplicate",
            "near_duplicate",
            "leakage",
            "pii_dropped",
            "unrouted",
            "exported",
        ]
        .iter()
        .map(|st| (st.to_string(), by_status[st].as_u64().unwrap_or(0))),
    )
    .collect();
    doc.push(Block::Figure {
        file: "waterfall.svg".into(),
        svg: bars("Input records and where they went", "records", &steps, k)?,
        caption: "Removal waterfall: input, then each removal status, then exported.".into(),
    });
    let sources: Vec<String> = s["counts"]["by_source"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let mut head = vec!["source", "input"];
    head.extend(STATUSES);
    doc.push(Block::Table {
        head,
        rows: sources
            .iter()
            .map(|src| {
                let c = &s["counts"]["by_source"][src];
                let mut row = vec![src.clone(), cell(&c["input"])];
                row.extend(STATUSES.iter().map(|st| cell(&c["by_status"][st])));
                row
            })
            .collect(),
    });

    // Coverage and curriculum.
    doc.push(Block::H2("Families, coverage and curriculum".into()));
    let shares: Vec<(String, u64)> = s["family_shares"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(f, v)| (f.clone(), v["records"].as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    doc.push(Block::Figure {
        file: "family_shares.svg".into(),
        svg: bars("Exported lines per family", "lines", &shares, k)?,
        caption: "Family shares of the exported lines.".into(),
    });
    let phases = s["curriculum"]["phases"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    doc.push(Block::Table {
        head: vec!["phase", "kind", "lines", "records", "≈ tokens", "families"],
        rows: phases
            .iter()
            .map(|(name, p)| {
                vec![
                    name.clone(),
                    p["kind"].as_str().unwrap_or("").to_string(),
                    cell(&p["records"]),
                    cell(&p["distinct_records"]),
                    num(p["approx_tokens"].as_f64().unwrap_or(0.0)),
                    p["by_family"]
                        .as_object()
                        .map(|f| {
                            f.iter()
                                .map(|(n, v)| format!("{n} ({})", cell(&v["records"])))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    });
    let tokens: Vec<(String, u64)> = phases
        .iter()
        .map(|(n, p)| (n.clone(), p["approx_tokens"].as_u64().unwrap_or(0)))
        .collect();
    doc.push(Block::Figure {
        file: "phases.svg".into(),
        svg: bars(
            "Approximate tokens per phase",
            "tokens (characters / 4)",
            &tokens,
            k,
        )?,
        caption: "Approximate tokens per curriculum phase.".into(),
    });
    doc.push(Block::P(format!(
        "Coverage: {} required families missing, {} present, {} waived. Records routed to no phase: {}.",
        s["coverage"]["missing"],
        s["coverage"]["present"],
        s["coverage"]["waived"],
        cell(&s["curriculum"]["unrouted"])
    )));

    // Lengths.
    doc.push(Block::H2("Lengths".into()));
    let roles = str_column(input.messages, "role")?;
    let msg_sources = str_column(input.messages, "source")?;
    let chars = u64_column(input.messages, "n_chars")?;
    let mut by_role: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut by_source: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for i in 0..roles.len() {
        by_role.entry(roles[i].clone()).or_default().push(chars[i]);
        by_source
            .entry(msg_sources[i].clone())
            .or_default()
            .push(chars[i]);
    }
    doc.push(Block::Figure {
        file: "lengths_by_role.svg".into(),
        svg: log_histogram("Message length by role", &by_role, k)?,
        caption: "Share of each role's messages by length in characters (log scale).".into(),
    });
    doc.push(Block::Figure {
        file: "lengths_by_source.svg".into(),
        svg: log_histogram("Message length by source", &by_source, k)?,
        caption: "Share of each source's messages by length in characters (log scale).".into(),
    });
    let lengths = s["message_lengths_by_role"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    doc.push(Block::Table {
        head: vec![
            "role", "messages", "chars p5", "p50", "p95", "mean", "words p5", "p50", "p95",
        ],
        rows: lengths
            .iter()
            .map(|(role, v)| {
                // Percentiles of fewer than k messages would describe individual messages.
                let few = v["messages"].as_u64().unwrap_or(0) < k;
                let f = |key: &str| v[key].as_f64().filter(|_| !few).map_or("-".into(), num);
                vec![
                    role.clone(),
                    cell(&v["messages"]),
                    f("chars_p5"),
                    f("chars_p50"),
                    f("chars_p95"),
                    f("chars_mean"),
                    f("words_p5"),
                    f("words_p50"),
                    f("words_p95"),
                ]
            })
            .collect(),
    });
    let turns = u64_column(input.manifest, "n_turns")?;
    const TURN_BINS: [(u64, u64, &str); 9] = [
        (0, 1, "1"),
        (2, 2, "2"),
        (3, 3, "3"),
        (4, 4, "4"),
        (5, 6, "5-6"),
        (7, 10, "7-10"),
        (11, 20, "11-20"),
        (21, 40, "21-40"),
        (41, u64::MAX, "41+"),
    ];
    let turn_bars: Vec<(String, u64)> = TURN_BINS
        .iter()
        .map(|(lo, hi, label)| {
            let n = turns.iter().filter(|t| (*lo..=*hi).contains(*t)).count() as u64;
            (label.to_string(), n)
        })
        .collect();
    doc.push(Block::Figure {
        file: "turns.svg".into(),
        svg: bars("Messages per exported line", "lines", &turn_bars, k)?,
        caption: "Distribution of messages per exported line.".into(),
    });

    // Quality.
    doc.push(Block::H2("Structure and language".into()));
    let alternation = s["role_alternation"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let empty = &s["empty_and_one_word_turns"];
    doc.push(Block::Table {
        head: vec![
            "source",
            "conversations",
            "role violations",
            "first not user",
            "last not assistant",
            "repeated role",
            "one-word messages",
            "scripts",
        ],
        rows: alternation
            .iter()
            .map(|(src, v)| {
                let one_word: u64 = empty[src]
                    .as_object()
                    .map(|r| r.values().filter_map(|x| x["one_word"].as_u64()).sum())
                    .unwrap_or(0);
                let scripts = s["script_mix"][src]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(sc, x)| {
                                format!("{sc} {:.0}%", 100.0 * x["share"].as_f64().unwrap_or(0.0))
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                vec![
                    src.clone(),
                    cell(&v["conversations"]),
                    cell(&v["violations"]),
                    cell(&v["first_not_user"]),
                    cell(&v["last_not_assistant"]),
                    cell(&v["consecutive_same_role"]),
                    count_cell(Some(one_word), k),
                    scripts,
                ]
            })
            .collect(),
    });

    // Dedup and leakage.
    doc.push(Block::H2("Duplicates and leakage".into()));
    doc.push(Block::P(format!(
        "Exact duplicates removed: {}. Near-duplicates removed: {}. Leakage pairs found: {} (policy `{}`), records removed by the policy: {}, pairs left unresolved: {}.",
        cell(&by_status["duplicate"]),
        cell(&by_status["near_duplicate"]),
        count_cell(
            s["leakage"]["found"]
                .as_object()
                .map(|o| o.values().filter_map(Value::as_u64).sum()),
            k
        ),
        s["leakage"]["policy"].as_str().unwrap_or("-"),
        cell(&by_status["leakage"]),
        // The gate value: never suppressed.
        s["leakage"]["pairs"],
    )));
    let mut leak_rows = Vec::new();
    if let Some(a) = s["leakage_by_split_pair"].as_object() {
        for (sa, bs) in a {
            for (sb, kinds) in bs.as_object().into_iter().flatten() {
                for (kind, v) in kinds.as_object().into_iter().flatten() {
                    leak_rows.push(vec![
                        sa.clone(),
                        sb.clone(),
                        kind.clone(),
                        cell(&v["pairs"]),
                    ]);
                }
            }
        }
    }
    if !leak_rows.is_empty() {
        doc.push(Block::Table {
            head: vec!["split a", "split b", "kind", "pairs"],
            rows: leak_rows,
        });
    }

    // PII.
    doc.push(Block::H2("Personal data".into()));
    let kinds: Vec<(String, u64)> = s["pii"]["findings"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(kind, v)| (kind.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    doc.push(Block::Figure {
        file: "pii_by_kind.svg".into(),
        svg: bars(
            "PII findings by kind (before redaction)",
            "findings",
            &kinds,
            k,
        )?,
        caption: "PII findings per kind, before redaction.".into(),
    });
    doc.push(Block::Table {
        head: vec!["kind", "found", "redacted", "flagged", "left in export"],
        rows: kinds
            .iter()
            .map(|(kind, _)| {
                let p = &s["pii"];
                // A kind absent from a count map was counted 0 times.
                let c = |map: &str| count_cell(Some(p[map][kind].as_u64().unwrap_or(0)), k);
                vec![
                    kind.clone(),
                    c("findings"),
                    c("redacted"),
                    c("flagged"),
                    // The residual is a gate value: never suppressed.
                    p["residual"][kind].to_string(),
                ]
            })
            .collect(),
    });

    let title = format!("QA report: {} {}", input.name, input.version);
    let subtitle = format!(
        "spec sha256 `{}`",
        &input.spec_sha256[..input.spec_sha256.len().min(16)]
    );
    let mut figures = Vec::new();
    let markdown = to_markdown(&title, &subtitle, &doc, &mut figures);
    let html = to_html(&title, &subtitle, &doc);
    Ok(Report {
        markdown,
        html,
        figures,
    })
}

/// A count for a table: 1..k-1 as `<k`.
fn count_cell(v: Option<u64>, k: u64) -> String {
    match v {
        None => "-".into(),
        Some(n) if n > 0 && n < k => format!("<{k}"),
        Some(n) => n.to_string(),
    }
}

/// A number with at most 3 decimals and no trailing zeros.
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
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

fn to_html(title: &str, subtitle: &str, doc: &[Block]) -> String {
    let e = |s: &str| html_escape::encode_text(s).to_string();
    // Inline markdown the report uses: **bold** and `code`.
    let inline = |s: &str| {
        let mut out = String::new();
        let (mut bold, mut code) = (false, false);
        let mut rest = e(s);
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("**") {
                out.push_str(if bold { "</strong>" } else { "<strong>" });
                bold = !bold;
                rest = r.to_string();
            } else if let Some(r) = rest.strip_prefix('`') {
                out.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
                rest = r.to_string();
            } else {
                let c = rest.chars().next().expect("invariant: rest is not empty");
                out.push(c);
                rest = rest[c.len_utf8()..].to_string();
            }
        }
        out
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\nbody{{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}}\ntable{{border-collapse:collapse;margin:1rem 0;font-size:.9rem}}\nth,td{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}}\nth{{background:#f3f3f3}}\nfigure{{margin:1rem 0}}\nfigcaption{{font-size:.85rem;color:#555}}\ncode{{background:#f5f5f5;padding:0 .2rem}}\n</style></head><body>\n<h1>{}</h1>\n<p>{}</p>\n",
        e(title),
        e(title),
        inline(subtitle)
    );
    for b in doc {
        match b {
            Block::H2(t) => {
                let _ = writeln!(out, "<h2>{}</h2>", e(t));
            }
            Block::P(t) => {
                let _ = writeln!(out, "<p>{}</p>", inline(t));
            }
            Block::Table { head, rows } => {
                out.push_str("<table><thead><tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", inline(h));
                }
                out.push_str("</tr></thead><tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        let _ = write!(out, "<td>{}</td>", inline(c));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody></table>\n");
            }
            Block::Figure { svg, caption, .. } => {
                let svg = svg
                    .find("<svg")
                    .map_or(svg.as_str(), |i| &svg[i..])
                    .to_string();
                let _ = writeln!(
                    out,
                    "<figure>{svg}<figcaption>{}</figcaption></figure>",
                    e(caption)
                );
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// Tableau 10: distinct on white and for the common colour-vision deficiencies.
const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

fn plot_err(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("drawing a report figure: {e}"))
}

/// Horizontal bars, one per label; values below `k` are not drawn (and labelled `<k`).
fn bars(title: &str, x_desc: &str, data: &[(String, u64)], k: u64) -> Result<String> {
    let n = data.len().max(1);
    let height = 90 + 24 * n as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        draw_bars(&root, title, x_desc, data, k).map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

fn draw_bars(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    x_desc: &str,
    data: &[(String, u64)],
    k: u64,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let n = data.len().max(1);
    let max = data.iter().map(|d| d.1).max().unwrap_or(1).max(1) as f64;
    let label_width = data
        .iter()
        .map(|d| d.0.len())
        .max()
        .unwrap_or(4)
        .clamp(4, 28) as u32
        * 8
        + 10;
    let labels: Vec<String> = data.iter().map(|d| d.0.clone()).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(label_width)
        .build_cartesian_2d(0f64..max * 1.15, (0..n - 1).into_segmented())?;
    // Row i is drawn at position n - 1 - i so that the first label is at the top.
    let at = |i: usize| n - 1 - i;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < n => {
                labels.get(n - 1 - *i).cloned().unwrap_or_default()
            }
            _ => String::new(),
        })
        .x_desc(x_desc)
        .x_label_formatter(&|x| num(*x))
        .draw()?;
    let color = RGBColor(70, 110, 170);
    chart.draw_series(
        data.iter()
            .enumerate()
            .filter(|(_, d)| d.1 >= k)
            .map(|(i, d)| {
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(at(i))),
                        (d.1 as f64, SegmentValue::Exact(at(i) + 1)),
                    ],
                    color.filled(),
                );
                bar.set_margin(3, 3, 0, 0);
                bar
            }),
    )?;
    chart.draw_series(data.iter().enumerate().map(|(i, d)| {
        let text = if d.1 > 0 && d.1 < k {
            format!("<{k}")
        } else {
            d.1.to_string()
        };
        Text::new(
            text,
            (
                if d.1 < k { 0.0 } else { d.1 as f64 } + max * 0.01,
                SegmentValue::CenterOf(at(i)),
            ),
            ("sans-serif", 12),
        )
    }))?;
    Ok(())
}

/// One line per group: the share of its values in log10-spaced bins (4 per decade, 1 to 10^5).
/// Bins with fewer than `k` values are drawn as 0.
fn log_histogram(title: &str, groups: &BTreeMap<String, Vec<u64>>, k: u64) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        draw_log_histogram(&root, title, groups, k).map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

fn draw_log_histogram(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    groups: &BTreeMap<String, Vec<u64>>,
    k: u64,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    const BINS: usize = 20;
    let bin = |v: u64| (((v.max(1) as f64).log10() * 4.0).floor() as usize).min(BINS - 1);
    let series: Vec<(String, Vec<(f64, f64)>)> = groups
        .iter()
        .map(|(name, vals)| {
            let mut counts = [0u64; BINS];
            for v in vals {
                counts[bin(*v)] += 1;
            }
            let total = vals.len().max(1) as f64;
            let points = (0..BINS)
                .map(|b| {
                    let c = if counts[b] < k { 0 } else { counts[b] };
                    ((b as f64 + 0.5) / 4.0, c as f64 / total)
                })
                .collect();
            (name.clone(), points)
        })
        .collect();
    let ymax = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.1))
        .fold(0.0f64, f64::max)
        .max(0.05);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..5f64, 0f64..ymax * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("characters")
        .y_desc("share of messages")
        .x_label_formatter(&|x| num(10f64.powf(*x).round()))
        .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
        .draw()?;
    for (i, (name, points)) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
