//! The release's authoritative tables: `manifest.parquet` (one row per exported line) and
//! `ledger.parquet` (one row per input record, with its final status and reason).
//!
//! Ledger statuses are fixed ([`crate::schema::Status`]): `exported`, `duplicate`,
//! `near_duplicate`, `rejected`, `leakage`, `pii_dropped`, `unrouted`, `filtered`. `reason` is
//! null exactly when the record was exported.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{PolarsContext, Result};
use crate::schema::{PiiKind, Rejection};

/// Columns of `manifest.parquet`, in order. One row per export line: a record exported in
/// several phases (`allow_overlap`) or up-sampled by a weight has one row per line (`copy` is
/// 0, 1, ... within a phase).
pub const MANIFEST_COLUMNS: [&str; 21] = [
    "record_id",
    "source",
    "family",
    "split",
    "phase",
    "copy",
    "shard",
    "line",
    "text_hash",
    "cluster_id",
    "license",
    "origin_uri",
    "origin_sha256",
    "origin_row",
    "n_turns",
    "n_chars",
    "n_words",
    "bytes",
    "approx_tokens",
    "tokens",
    "preference_pair",
];

/// The manifest from the export frame (which has `phase`, `shard`, `line`, `bytes`).
pub fn manifest(exported: &DataFrame) -> Result<DataFrame> {
    let mut lf = exported.clone().lazy();
    lf = lf.with_column(col("pref_prompt").is_not_null().alias("preference_pair"));
    if exported.column("cluster_id").is_err() {
        lf = lf.with_column(lit(NULL).cast(DataType::String).alias("cluster_id"));
    }
    let mut cols: Vec<Expr> = MANIFEST_COLUMNS.iter().map(|c| col(*c)).collect();
    // The quality stage's signals, when it ran, in frame order.
    for name in exported.get_column_names() {
        if crate::schema::is_quality_column(name) {
            cols.push(col(name.clone()));
        }
    }
    for kind in PiiKind::ALL {
        let name = kind.column();
        if exported.column(&name).is_ok() {
            cols.push(col(name));
        }
    }
    lf.select(cols).collect().ctx("building the manifest")
}

/// The ledger: every row of the staged frame (its `status`, `reason`, `dup_of`) plus every
/// rejection, sorted by source priority, origin and row. `kept` becomes `exported`.
pub fn ledger(
    staged: &DataFrame,
    rejections: &[Rejection],
    priorities: &BTreeMap<String, i64>,
) -> Result<DataFrame> {
    let from_frame = staged.clone().lazy().select([
        col("record_id"),
        col("source"),
        when(col("status").eq(lit("kept")))
            .then(lit("exported"))
            .otherwise(col("status"))
            .alias("status"),
        col("reason"),
        col("dup_of"),
        col("origin_uri"),
        col("origin_row").cast(DataType::UInt64).alias("origin_row"),
        col("origin_line")
            .cast(DataType::UInt64)
            .alias("origin_line"),
        col("priority"),
    ]);
    let rej = df!(
        "record_id" => rejections.iter().map(|r| r.record_id.as_str()).collect::<Vec<_>>(),
        "source" => rejections.iter().map(|r| r.source.as_str()).collect::<Vec<_>>(),
        "status" => vec!["rejected"; rejections.len()],
        "reason" => rejections.iter().map(|r| Some(r.reason.as_str())).collect::<Vec<_>>(),
        "dup_of" => vec![None::<&str>; rejections.len()],
        "origin_uri" => rejections.iter().map(|r| r.origin_uri.as_str()).collect::<Vec<_>>(),
        "origin_row" => rejections.iter().map(|r| r.origin_row).collect::<Vec<_>>(),
        "origin_line" => rejections.iter().map(|r| r.origin_line).collect::<Vec<_>>(),
        "priority" => rejections.iter().map(|r| priorities.get(&r.source).copied().unwrap_or(i64::MAX)).collect::<Vec<_>>(),
    )
    .ctx("building rejected ledger rows")?;
    let rej = rej.lazy().with_columns([
        col("reason").cast(DataType::String),
        col("dup_of").cast(DataType::String),
        col("origin_row").cast(DataType::UInt64),
        col("origin_line").cast(DataType::UInt64),
    ]);
    concat([from_frame, rej], UnionArgs::default())
        .ctx("joining ledger rows")?
        .sort(
            [
                "priority",
                "source",
                "origin_uri",
                "origin_row",
                "record_id",
            ],
            SortMultipleOptions::default()
                .with_nulls_last(false)
                .with_maintain_order(true),
        )
        .drop(cols(["priority"]))
        .collect()
        .ctx("building the ledger")
}
