//! Statistics: the SQL in `queries/` run by Polars' SQL context over the run's tables, folded
//! into `stats.json` with stable keys. Gate metrics are dotted paths into it
//! (`counts.input`, `counts.exported`, `counts.by_status.<status>`, `dedup.removal_rate.<source>`).
//!
//! Tables: `ledger` (one row per input record), `manifest` (one row per exported record).
//! Materialises each query's (small) result.

use std::collections::BTreeMap;

use polars::prelude::*;
use polars::sql::SQLContext;
use serde_json::{Value, json};

use crate::dedup::{ExactReport, NearReport};
use crate::error::{PolarsContext, Result};
use crate::manifest::{Counts, STATUSES};
use crate::schema::{str_column, u64_column};

/// The statistics queries, by name (file `queries/<name>.sql`).
pub const QUERIES: &[(&str, &str)] = &[
    (
        "counts_by_source_status",
        include_str!("../queries/counts_by_source_status.sql"),
    ),
    (
        "exported_by_split_family",
        include_str!("../queries/exported_by_split_family.sql"),
    ),
];

/// Run one query over the tables.
pub fn run_query(tables: &[(&str, &DataFrame)], sql: &str) -> Result<DataFrame> {
    let mut ctx = SQLContext::new();
    for (name, df) in tables {
        ctx.register(name, (*df).clone().lazy());
    }
    ctx.execute(sql)
        .ctx("running SQL")?
        .collect()
        .ctx("running SQL")
}

/// Everything `stats.json` holds, plus the query results as tables.
pub struct Stats {
    pub json: Value,
    pub counts: Counts,
    pub tables: Vec<(String, DataFrame)>,
}

/// Compute the statistics of a run.
#[tracing::instrument(skip_all, fields(stage = "stats"))]
pub fn compute(
    ledger: &DataFrame,
    manifest: &DataFrame,
    exact: &ExactReport,
    near: &NearReport,
    leakage: &crate::split::LeakageReport,
    pii: &crate::pii::PiiReport,
    sources: &[String],
) -> Result<Stats> {
    let tables = [("ledger", ledger), ("manifest", manifest)];
    let mut results = Vec::new();
    for (name, sql) in QUERIES {
        results.push((name.to_string(), run_query(&tables, sql)?));
    }

    // counts.*
    let by_source_status = &results[0].1;
    let src = str_column(by_source_status, "source")?;
    let status = str_column(by_source_status, "status")?;
    let n = u64_column(by_source_status, "records")?;
    let zero_statuses = || {
        STATUSES
            .iter()
            .map(|s| (s.to_string(), 0u64))
            .collect::<BTreeMap<_, _>>()
    };
    let mut counts = Counts {
        by_status: zero_statuses(),
        ..Default::default()
    };
    let mut per_source: BTreeMap<String, Counts> = sources
        .iter()
        .map(|s| {
            (
                s.clone(),
                Counts {
                    by_status: zero_statuses(),
                    ..Default::default()
                },
            )
        })
        .collect();
    for i in 0..src.len() {
        counts.input += n[i];
        *counts.by_status.entry(status[i].clone()).or_default() += n[i];
        let c = per_source.entry(src[i].clone()).or_default();
        c.input += n[i];
        *c.by_status.entry(status[i].clone()).or_default() += n[i];
    }
    counts.exported = counts.by_status.get("exported").copied().unwrap_or(0);
    for c in per_source.values_mut() {
        c.exported = c.by_status.get("exported").copied().unwrap_or(0);
    }
    let accounted: u64 = counts.by_status.values().sum();
    let unknown_status: u64 = counts
        .by_status
        .iter()
        .filter(|(s, _)| !STATUSES.contains(&s.as_str()))
        .map(|(_, n)| n)
        .sum();

    // Exported per split and family.
    let mut by_split: BTreeMap<String, u64> = crate::export::SPLITS
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    let mut by_family: BTreeMap<String, u64> = BTreeMap::new();
    let t = &results[1].1;
    let (splits, families, recs) = (
        str_column(t, "split")?,
        str_column(t, "family")?,
        u64_column(t, "records")?,
    );
    for i in 0..splits.len() {
        *by_split.entry(splits[i].clone()).or_default() += recs[i];
        *by_family.entry(families[i].clone()).or_default() += recs[i];
    }

    // Provenance of what is exported.
    let missing = |name: &str| -> Result<u64> {
        let c = manifest.column(name).ctx(name.to_string())?;
        let ca = c.str().ctx(name.to_string())?;
        Ok(ca
            .iter()
            .filter(|v| v.is_none_or(|s| s.trim().is_empty()))
            .count() as u64)
    };
    let removal_rate: BTreeMap<&String, f64> = per_source
        .iter()
        .map(|(s, c)| {
            let removed = c.by_status.get("duplicate").copied().unwrap_or(0)
                + c.by_status.get("near_duplicate").copied().unwrap_or(0);
            (
                s,
                if c.input == 0 {
                    0.0
                } else {
                    removed as f64 / c.input as f64
                },
            )
        })
        .collect();

    let json = json!({
        "counts": {
            "input": counts.input,
            "exported": counts.exported,
            "accounted": accounted,
            "unaccounted": counts.input as i64 - accounted as i64,
            "unknown_status": unknown_status,
            "by_status": counts.by_status,
            "by_source": per_source,
            "by_split": by_split,
            "by_family": by_family,
        },
        "dedup": {
            "exact": exact,
            "near": near,
            "removal_rate": removal_rate,
        },
        "leakage": leakage,
        "pii": pii,
        "provenance": {
            "missing_license": missing("license")?,
            "missing_origin": missing("origin_uri")?,
        },
    });
    Ok(Stats {
        json,
        counts,
        tables: results,
    })
}

/// The number at a dotted path of `stats.json`, if it is one.
pub fn metric(stats: &Value, path: &str) -> Option<f64> {
    let mut v = stats;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    v.as_f64().filter(|x| x.is_finite())
}
