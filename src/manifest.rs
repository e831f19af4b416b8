//! The release's authoritative files: `manifest.parquet` (one row per exported line),
//! `ledger.parquet` (one row per input record, with its final status and reason) and
//! `release.json` (written last, create-only).
//!
//! Ledger statuses are fixed: `exported`, `duplicate`, `near_duplicate`, `rejected`, `leakage`,
//! `pii_dropped`, `unrouted`. `reason` is null exactly when the record was exported.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{PolarsContext, Result};
use crate::export::ShardInfo;
use crate::load::{InputObject, Rejection};

/// Every status a ledger row may have.
pub const STATUSES: [&str; 7] = [
    "exported",
    "duplicate",
    "near_duplicate",
    "rejected",
    "leakage",
    "pii_dropped",
    "unrouted",
];

/// Columns of `manifest.parquet`, in order. One row per export line: a record exported in
/// several phases (`allow_overlap`) or up-sampled by a weight has one row per line (`copy` is
/// 0, 1, ... within a phase).
pub const MANIFEST_COLUMNS: [&str; 20] = [
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
    for kind in crate::pii::Kind::ALL {
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

/// One input object in release.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputRef {
    pub source: String,
    pub uri: String,
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
}

impl From<&InputObject> for InputRef {
    fn from(o: &InputObject) -> Self {
        Self {
            source: o.source.clone(),
            uri: o.uri.clone(),
            sha256: o.sha256.clone(),
            bytes: o.bytes,
            records: o.records,
        }
    }
}

/// A non-shard file of the release (manifest, ledger, reports) and its checksum.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRef {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

impl FileRef {
    pub fn of(path: &str, bytes: &[u8]) -> Self {
        Self {
            path: path.to_string(),
            sha256: hex::encode(Sha256::digest(bytes)),
            bytes: bytes.len() as u64,
        }
    }
}

/// Record counts: `input = sum(by_status)`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    pub input: u64,
    pub exported: u64,
    pub by_status: BTreeMap<String, u64>,
}

/// One gate's verdict.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GateResult {
    pub name: String,
    pub metric: String,
    pub op: String,
    /// `None` when the metric is missing or not a number (the gate then fails).
    pub value: Option<f64>,
    pub threshold: f64,
    pub passed: bool,
    /// Built in, or from the spec.
    pub builtin: bool,
    /// Why it failed, in words (null when it passed).
    pub detail: Option<String>,
}

/// `release.json`: written last and create-only; everything needed to check the release.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReleaseJson {
    pub name: String,
    pub version: String,
    pub tool: String,
    pub tool_version: String,
    /// The resolved spec (every default filled in).
    pub spec: serde_json::Value,
    /// sha256 of the canonical JSON of `spec`.
    pub spec_sha256: String,
    pub inputs: Vec<InputRef>,
    pub counts: Counts,
    pub shards: Vec<ShardInfo>,
    /// sha256 over the lines `<shard sha256>  <shard path>\n`, in the order of `shards`.
    pub root_sha256: String,
    /// Manifest, ledger and reports with their checksums.
    pub files: Vec<FileRef>,
    pub gates: Vec<GateResult>,
}

/// The root hash over the shard hashes.
pub fn root_sha256(shards: &[ShardInfo]) -> String {
    let mut h = Sha256::new();
    for s in shards {
        h.update(format!("{}  {}\n", s.sha256, s.path).as_bytes());
    }
    hex::encode(h.finalize())
}
