//! Exact dedup: records with the same `text_hash` **in the same split** are duplicates; one copy
//! is kept by the keep policy (lowest source `priority`, then smallest `record_id`), the others
//! get `status = "duplicate"` and `dup_of` = the kept copy's id.
//!
//! Copies in different splits are not duplicates here: they are leakage, left for the leakage
//! stage to report and resolve (DESIGN.md, "Cross-split duplicates"). The report counts them.
//!
//! Reads: `record_id`, `split`, `text_hash`, `priority`, `source`. Adds: `status` (`kept` or
//! `duplicate`), `dup_of` and `reason` (nullable str). Materialises once (`collect`) to count for
//! the report.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use serde::Serialize;

use super::config::DedupSpec;
use crate::error::{PolarsContext, Result};
use crate::schema::str_column;

/// What exact dedup did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExactReport {
    pub enabled: bool,
    /// Records removed as exact duplicates.
    pub removed: u64,
    /// Groups (same hash, same split) with more than one record.
    pub groups: u64,
    pub removed_by_source: BTreeMap<String, u64>,
    /// Hashes present in more than one split among kept records (leakage candidates).
    pub cross_split_groups: u64,
}

/// Apply exact dedup. The frame keeps its row order.
#[tracing::instrument(skip_all, fields(stage = "dedup_exact"))]
pub fn apply(df: DataFrame, spec: &DedupSpec) -> Result<(DataFrame, ExactReport)> {
    // Records an earlier stage removed (quality: `filtered`) keep their status and reason and
    // take no part: a filtered record is never the copy a group keeps.
    let lf = if df.column("status").is_ok() {
        df.lazy()
            .with_column(lit(NULL).cast(DataType::String).alias("dup_of"))
    } else {
        df.lazy().with_columns([
            lit(NULL).cast(DataType::String).alias("dup_of"),
            lit("kept").alias("status"),
            lit(NULL).cast(DataType::String).alias("reason"),
        ])
    };
    let df = if spec.exact {
        let keeper = col("record_id")
            .sort_by(
                [col("priority"), col("record_id")],
                SortMultipleOptions::default(),
            )
            .first()
            .over([col("text_hash"), col("split"), col("status")])
            .ctx("dedup (exact): window")?;
        lf.with_column(keeper.alias("__keeper"))
            .with_column(
                when(
                    col("status")
                        .neq(lit("kept"))
                        .or(col("__keeper").eq(col("record_id"))),
                )
                .then(lit(NULL).cast(DataType::String))
                .otherwise(col("__keeper"))
                .alias("dup_of"),
            )
            .with_column(
                when(col("dup_of").is_null())
                    .then(col("status"))
                    .otherwise(lit("duplicate"))
                    .alias("status"),
            )
            .with_column(
                when(col("dup_of").is_null())
                    .then(col("reason"))
                    .otherwise(concat_str([lit("duplicate of "), col("dup_of")], "", true))
                    .alias("reason"),
            )
            .drop(cols(["__keeper"]))
            .collect()
            .ctx("dedup (exact)")?
    } else {
        lf.collect().ctx("dedup (exact, off)")?
    };

    let mut report = ExactReport {
        enabled: spec.exact,
        ..Default::default()
    };
    let status = str_column(&df, "status")?;
    let source = str_column(&df, "source")?;
    let hash = str_column(&df, "text_hash")?;
    let split = str_column(&df, "split")?;
    let dup_of = crate::schema::str_values(&df, "dup_of")?;
    let mut group_keys = BTreeSet::new();
    let mut splits_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in 0..df.height() {
        if status[i] == "duplicate" {
            report.removed += 1;
            *report
                .removed_by_source
                .entry(source[i].clone())
                .or_default() += 1;
            group_keys.insert((hash[i].as_str(), split[i].as_str(), dup_of[i].as_deref()));
        } else if status[i] == "kept" {
            splits_of
                .entry(hash[i].as_str())
                .or_default()
                .insert(split[i].as_str());
        }
    }
    report.groups = group_keys.len() as u64;
    report.cross_split_groups = splits_of.values().filter(|s| s.len() > 1).count() as u64;
    tracing::info!(
        removed = report.removed,
        cross_split_groups = report.cross_split_groups,
        "exact dedup"
    );
    Ok((df, report))
}
