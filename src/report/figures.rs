//! The report's figures: horizontal bars and log-scale histograms, drawn as SVG by plotters. A
//! bar or bin with fewer than `min_cell` records is not drawn.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::sections::num;
use crate::error::{Error, Result};

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
pub(super) fn bars(title: &str, x_desc: &str, data: &[(String, u64)], k: u64) -> Result<String> {
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
pub(super) fn log_histogram(
    title: &str,
    groups: &BTreeMap<String, Vec<u64>>,
    k: u64,
) -> Result<String> {
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
