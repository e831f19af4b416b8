//! Export stage: the routed lines, already in export order, written as JSONL shards
//! `chatml/<phase>/<split>/part-NNNNN-<first 8 hex of the shard's sha256>.jsonl[.zst]`, one line
//! per record and copy, in the phase kind's format:
//! - `sft`: `{"messages": [...], "id": ..., "source": ...}`;
//! - `pretraining`: `{"text": ..., "id": ..., "source": ...}` (see [`render_text`]);
//! - `preference`: `{"prompt": [...], "chosen": [...], "rejected": [...], "id": ..., "source": ...}`.
//!
//! A shard closes at `shard_records` records or before it would pass `shard_bytes` uncompressed
//! bytes.
//!
//! Reads: `record_id`, `source`, `split`, `messages` (and the manifest columns). Produces the
//! shard bytes and the manifest frame (one row per exported record: shard, line, sizes).
//! Materialised: the frame it is given (export needs every row).

use bytes::Bytes;
use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::curriculum::{CurriculumSpec, PhaseKind, PhaseSpec, parts, render_text};
use crate::error::{Error, PolarsContext, Result};
use crate::load::Message;
use crate::schema::{messages_of, opt_u32_column, str_column};
use crate::spec::{Compression, ExportSpec};

/// The fixed order of splits in exports and reports.
pub const SPLITS: [&str; 3] = ["train", "validation", "test"];

/// One line of a `pretraining` phase: the conversation rendered as text.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextLine {
    pub text: String,
    pub id: String,
    pub source: String,
}

/// One line of a `preference` phase.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferenceLine {
    pub prompt: Vec<MessageOut>,
    pub chosen: Vec<MessageOut>,
    pub rejected: Vec<MessageOut>,
    pub id: String,
    pub source: String,
}

/// One JSONL line of an `sft` phase (ChatML).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// The shards, in order; their bytes went to the sink.
    pub shards: Vec<ShardInfo>,
    /// The input frame plus `shard`, `line`, `bytes` (line bytes, uncompressed) and
    /// `approx_tokens`.
    pub frame: DataFrame,
}

/// Rows rendered at a time: bounds the rendered text in memory to one chunk plus one shard.
const RENDER_CHUNK: usize = 20_000;

/// One shard being filled.
#[derive(Default)]
struct OpenShard {
    body: Vec<u8>,
    rows: Vec<usize>,
}

/// Export `lines` (one row per export line, in export order, with `phase` and `copy` columns from
/// [`crate::curriculum::lines_frame`]): shards per phase (in curriculum order), then split. Each
/// shard is handed to `sink` as soon as it is complete and then dropped, so memory holds one
/// chunk of rendered lines and one shard, not the export.
#[tracing::instrument(skip_all, fields(stage = "export", rows = lines.height()))]
pub fn export(
    lines: &DataFrame,
    curriculum: &CurriculumSpec,
    spec: &ExportSpec,
    sink: &mut dyn FnMut(&ShardInfo, Bytes) -> Result<()>,
) -> Result<Exported> {
    let df = lines;
    let ids = str_column(df, "record_id")?;
    let sources = str_column(df, "source")?;
    let splits = str_column(df, "split")?;
    let phases = str_column(df, "phase")?;
    if let Some(p) = phases
        .iter()
        .find(|p| !curriculum.phases.iter().any(|s| &s.name == *p))
    {
        return Err(Error::Internal(format!("export: unknown phase `{p}`")));
    }
    let text_columns = df
        .select(["messages", "pref_prompt", "pref_chosen"])
        .ctx("export columns")?;

    let mut shard_col = vec![String::new(); df.height()];
    let mut line_col = vec![0u64; df.height()];
    let mut bytes_col = vec![0u64; df.height()];
    let mut tokens_col = vec![0u64; df.height()];
    let mut shards = Vec::new();
    for phase_spec in &curriculum.phases {
        let phase = phase_spec.name.as_str();
        for split in SPLITS {
            let rows: Vec<usize> = (0..df.height())
                .filter(|i| splits[*i] == split && phases[*i] == phase)
                .collect();
            let mut open = OpenShard::default();
            let mut number = 0u32;
            let mut close = |open: &mut OpenShard, number: &mut u32| -> Result<()> {
                let body = std::mem::take(&mut open.body);
                let (body, ext) = match spec.compression {
                    Compression::None => (body, "jsonl"),
                    Compression::Zstd => (
                        zstd::bulk::compress(&body, spec.zstd_level).map_err(|e| {
                            Error::Internal(format!("zstd compression failed: {e}"))
                        })?,
                        "jsonl.zst",
                    ),
                };
                let sha = hex::encode(Sha256::digest(&body));
                let path = format!(
                    "chatml/{phase}/{split}/part-{:05}-{}.{ext}",
                    *number,
                    &sha[..8]
                );
                for &row in &open.rows {
                    shard_col[row] = path.clone();
                }
                let info = ShardInfo {
                    path,
                    sha256: sha,
                    records: open.rows.len() as u64,
                    bytes: body.len() as u64,
                    phase: phase.to_string(),
                    split: split.to_string(),
                };
                sink(&info, Bytes::from(body))?;
                shards.push(info);
                open.rows.clear();
                *number += 1;
                Ok(())
            };
            for chunk in rows.chunks(RENDER_CHUNK) {
                let idx =
                    IdxCa::from_vec("idx".into(), chunk.iter().map(|&r| r as IdxSize).collect());
                let part = text_columns.take(&idx).ctx("export chunk")?;
                let messages = messages_of(&part)?;
                let pref = opt_u32_column(&part, "pref_prompt")?;
                let chosen = opt_u32_column(&part, "pref_chosen")?;
                let rendered: Vec<(String, u64)> = chunk
                    .par_iter()
                    .enumerate()
                    .map(|(k, &row)| {
                        let (prompt, ch, rej) = parts(&messages[k], pref[k], chosen[k]);
                        render_line(phase_spec, prompt, ch, rej, &ids[row], &sources[row])
                    })
                    .collect::<Result<_>>()?;
                drop(messages);
                for (&row, (line, tokens)) in chunk.iter().zip(rendered) {
                    let len = line.len() as u64 + 1;
                    let full_records = open.rows.len() as u64 >= spec.shard_records;
                    let full_bytes =
                        !open.rows.is_empty() && open.body.len() as u64 + len > spec.shard_bytes;
                    if full_records || full_bytes {
                        close(&mut open, &mut number)?;
                    }
                    line_col[row] = open.rows.len() as u64;
                    bytes_col[row] = len;
                    tokens_col[row] = tokens;
                    open.body.extend_from_slice(line.as_bytes());
                    open.body.push(b'\n');
                    open.rows.push(row);
                }
            }
            if !open.rows.is_empty() {
                close(&mut open, &mut number)?;
            }
        }
    }
    if let Some(i) = shard_col.iter().position(String::is_empty) {
        return Err(Error::Internal(format!(
            "export: {} ({}, {}) fell in no shard",
            ids[i], phases[i], splits[i]
        )));
    }
    let mut frame = df.clone();
    frame
        .with_column(Column::new("shard".into(), shard_col))
        .ctx("shard column")?;
    frame
        .with_column(Column::new("line".into(), line_col))
        .ctx("line column")?;
    frame
        .with_column(Column::new("bytes".into(), bytes_col))
        .ctx("bytes column")?;
    frame
        .with_column(Column::new("approx_tokens".into(), tokens_col))
        .ctx("approx_tokens column")?;
    Ok(Exported { shards, frame })
}

/// One exported line in the phase's format, and its approximate token count (characters of the
/// exported text / 4, rounded up).
fn render_line(
    phase: &PhaseSpec,
    prompt: &[Message],
    chosen: &[Message],
    rejected: &[Message],
    id: &str,
    source: &str,
) -> Result<(String, u64)> {
    let out = |ms: &[Message]| -> Vec<MessageOut> {
        ms.iter()
            .map(|m| MessageOut {
                role: m.role.clone(),
                content: m.content.clone(),
            })
            .collect()
    };
    let chars = |ms: &[Message]| {
        ms.iter()
            .map(|m| m.content.chars().count() as u64)
            .sum::<u64>()
    };
    let conversation: Vec<Message> = prompt.iter().chain(chosen).cloned().collect();
    let (json, chars) = match phase.kind {
        PhaseKind::Sft => (
            serde_json::to_string(&ChatmlLine {
                messages: out(&conversation),
                id: id.to_string(),
                source: source.to_string(),
            }),
            chars(&conversation),
        ),
        PhaseKind::Pretraining => {
            let text = render_text(phase, &conversation);
            let n = text.chars().count() as u64;
            (
                serde_json::to_string(&TextLine {
                    text,
                    id: id.to_string(),
                    source: source.to_string(),
                }),
                n,
            )
        }
        PhaseKind::Preference => (
            serde_json::to_string(&PreferenceLine {
                prompt: out(prompt),
                chosen: out(chosen),
                rejected: out(rejected),
                id: id.to_string(),
                source: source.to_string(),
            }),
            chars(prompt) + chars(chosen) + chars(rejected),
        ),
    };
    let json = json.map_err(|e| Error::Internal(format!("serialising {id}: {e}")))?;
    Ok((json, chars.div_ceil(4)))
}

/// A parsed export line of any phase kind, as `verify` reads it back.
pub struct ParsedLine {
    pub id: String,
    /// The line's `source` field.
    pub source: String,
    /// The messages whose contents `text_hash` covers (prompt, chosen, rejected); empty for
    /// pretraining lines, whose rendered text cannot be split back into messages.
    pub messages: Vec<MessageOut>,
    /// The texts leakage compares: non-system message contents, or the pretraining text.
    pub turns: Vec<String>,
}

/// Parse one export line in the format of `kind`; the error says which field is wrong.
pub fn parse_line(kind: PhaseKind, line: &str) -> std::result::Result<ParsedLine, String> {
    let turns_of = |ms: &[MessageOut]| -> Vec<String> {
        ms.iter()
            .filter(|m| m.role != "system")
            .map(|m| m.content.clone())
            .collect()
    };
    match kind {
        PhaseKind::Sft => {
            let l: ChatmlLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
            if l.messages.is_empty() {
                return Err("`messages` is empty".into());
            }
            Ok(ParsedLine {
                turns: turns_of(&l.messages),
                id: l.id,
                source: l.source,
                messages: l.messages,
            })
        }
        PhaseKind::Pretraining => {
            let l: TextLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
            if l.text.trim().is_empty() {
                return Err("`text` is empty".into());
            }
            Ok(ParsedLine {
                id: l.id,
                source: l.source,
                messages: Vec::new(),
                turns: vec![l.text],
            })
        }
        PhaseKind::Preference => {
            let l: PreferenceLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
            for (name, part) in [
                ("prompt", &l.prompt),
                ("chosen", &l.chosen),
                ("rejected", &l.rejected),
            ] {
                if part.is_empty() {
                    return Err(format!("`{name}` is empty"));
                }
            }
            let mut messages = l.prompt;
            messages.extend(l.chosen);
            messages.extend(l.rejected);
            Ok(ParsedLine {
                turns: turns_of(&messages),
                id: l.id,
                source: l.source,
                messages,
            })
        }
    }
}

/// Decompress a shard's stored bytes when its name says it is compressed.
pub fn shard_text(path: &str, stored: &[u8]) -> Result<Vec<u8>> {
    if path.ends_with(".zst") {
        zstd::decode_all(stored).map_err(|e| Error::Corrupt(format!("{path}: not valid zstd: {e}")))
    } else {
        Ok(stored.to_vec())
    }
}
