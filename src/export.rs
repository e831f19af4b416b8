//! Export stage: the kept records, already in export order, written as ChatML JSONL shards
//! `chatml/<phase>/<split>/part-NNNNN-<first 8 hex of the shard's sha256>.jsonl[.zst]`, one line
//! per conversation: `{"messages": [...], "id": ..., "source": ...}`. A shard closes at
//! `shard_records` records or before it would pass `shard_bytes` uncompressed bytes.
//!
//! Reads: `record_id`, `source`, `split`, `messages` (and the manifest columns). Produces the
//! shard bytes and the manifest frame (one row per exported record: shard, line, sizes).
//! Materialised: the frame it is given (export needs every row).

use bytes::Bytes;
use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, PolarsContext, Result};
use crate::load::Message;
use crate::schema::{messages_of, str_column};
use crate::spec::{Compression, ExportSpec};

/// The fixed order of splits in exports and reports.
pub const SPLITS: [&str; 3] = ["train", "validation", "test"];

/// One JSONL line of a ChatML shard.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChatmlLine {
    pub messages: Vec<MessageOut>,
    pub id: String,
    pub source: String,
}

/// A message as exported.
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct MessageOut {
    pub role: String,
    pub content: String,
}

/// A written shard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ShardInfo {
    /// Path relative to the release root.
    pub path: String,
    pub sha256: String,
    pub records: u64,
    pub bytes: u64,
    pub phase: String,
    pub split: String,
}

/// What export produces.
pub struct Exported {
    pub shards: Vec<(ShardInfo, Bytes)>,
    /// The input frame plus `phase`, `shard`, `line`, `bytes` (line bytes, uncompressed).
    pub frame: DataFrame,
}

/// Export `df` (kept records in export order) under phase `phase`.
#[tracing::instrument(skip_all, fields(stage = "export", rows = df.height()))]
pub fn export(df: &DataFrame, phase: &str, spec: &ExportSpec) -> Result<Exported> {
    let ids = str_column(df, "record_id")?;
    let sources = str_column(df, "source")?;
    let splits = str_column(df, "split")?;
    let messages = messages_of(df)?;
    let lines: Vec<String> = (0..df.height())
        .into_par_iter()
        .map(|i| render_line(&messages[i], &ids[i], &sources[i]))
        .collect::<Result<_>>()?;

    let mut shard_col = vec![String::new(); df.height()];
    let mut line_col = vec![0u64; df.height()];
    let mut bytes_col = vec![0u64; df.height()];
    let mut shards = Vec::new();
    for split in SPLITS {
        let rows: Vec<usize> = (0..df.height()).filter(|i| splits[*i] == split).collect();
        let mut start = 0;
        let mut number = 0u32;
        while start < rows.len() {
            let mut end = start;
            let mut size = 0u64;
            while end < rows.len() {
                let len = lines[rows[end]].len() as u64 + 1;
                let full_records = (end - start) as u64 >= spec.shard_records;
                let full_bytes = end > start && size + len > spec.shard_bytes;
                if full_records || full_bytes {
                    break;
                }
                size += len;
                end += 1;
            }
            let mut body = Vec::with_capacity(size as usize);
            for (line_no, &row) in rows[start..end].iter().enumerate() {
                body.extend_from_slice(lines[row].as_bytes());
                body.push(b'\n');
                line_col[row] = line_no as u64;
                bytes_col[row] = lines[row].len() as u64 + 1;
            }
            let (body, ext) = match spec.compression {
                Compression::None => (body, "jsonl"),
                Compression::Zstd => (
                    zstd::bulk::compress(&body, spec.zstd_level)
                        .map_err(|e| Error::Internal(format!("zstd compression failed: {e}")))?,
                    "jsonl.zst",
                ),
            };
            let sha = hex::encode(Sha256::digest(&body));
            let path = format!(
                "chatml/{phase}/{split}/part-{number:05}-{}.{ext}",
                &sha[..8]
            );
            for &row in &rows[start..end] {
                shard_col[row] = path.clone();
            }
            shards.push((
                ShardInfo {
                    path,
                    sha256: sha,
                    records: (end - start) as u64,
                    bytes: body.len() as u64,
                    phase: phase.to_string(),
                    split: split.to_string(),
                },
                Bytes::from(body),
            ));
            number += 1;
            start = end;
        }
    }
    let mut frame = df.clone();
    let n = frame.height();
    frame
        .with_column(Column::new("phase".into(), vec![phase; n]))
        .ctx("phase column")?;
    frame
        .with_column(Column::new("shard".into(), shard_col))
        .ctx("shard column")?;
    frame
        .with_column(Column::new("line".into(), line_col))
        .ctx("line column")?;
    frame
        .with_column(Column::new("bytes".into(), bytes_col))
        .ctx("bytes column")?;
    Ok(Exported { shards, frame })
}

fn render_line(messages: &[Message], id: &str, source: &str) -> Result<String> {
    let line = ChatmlLine {
        messages: messages
            .iter()
            .map(|m| MessageOut {
                role: m.role.clone(),
                content: m.content.clone(),
            })
            .collect(),
        id: id.to_string(),
        source: source.to_string(),
    };
    serde_json::to_string(&line).map_err(|e| Error::Internal(format!("serialising {id}: {e}")))
}

/// Decompress a shard's stored bytes when its name says it is compressed.
pub fn shard_text(path: &str, stored: &[u8]) -> Result<Vec<u8>> {
    if path.ends_with(".zst") {
        zstd::decode_all(stored).map_err(|e| Error::Corrupt(format!("{path}: not valid zstd: {e}")))
    } else {
        Ok(stored.to_vec())
    }
}
