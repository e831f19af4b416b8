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
    pub shards: Vec<(ShardInfo, Bytes)>,
    /// The input frame plus `phase`, `shard`, `line`, `bytes` (line bytes, uncompressed).
    pub frame: DataFrame,
}

/// Export `lines` (one row per export line, in export order, with `phase` and `copy` columns from
/// [`crate::curriculum::lines_frame`]): shards per phase (in curriculum order), then split.
#[tracing::instrument(skip_all, fields(stage = "export", rows = lines.height()))]
pub fn export(
    lines: &DataFrame,
    curriculum: &CurriculumSpec,
    spec: &ExportSpec,
) -> Result<Exported> {
    let df = lines;
    let ids = str_column(df, "record_id")?;
    let sources = str_column(df, "source")?;
    let splits = str_column(df, "split")?;
    let phases = str_column(df, "phase")?;
    let pref = opt_u32_column(df, "pref_prompt")?;
    let chosen = opt_u32_column(df, "pref_chosen")?;
    let messages = messages_of(df)?;
    let phase_specs: Vec<&PhaseSpec> = phases
        .iter()
        .map(|p| {
            curriculum
                .phases
                .iter()
                .find(|s| &s.name == p)
                .ok_or_else(|| Error::Internal(format!("export: unknown phase `{p}`")))
        })
        .collect::<Result<_>>()?;
    let rendered: Vec<(String, u64)> = (0..df.height())
        .into_par_iter()
        .map(|i| {
            let (prompt, ch, rej) = parts(&messages[i], pref[i], chosen[i]);
            render_line(phase_specs[i], prompt, ch, rej, &ids[i], &sources[i])
        })
        .collect::<Result<_>>()?;
    // The lines hold the text now; the shard bodies will hold it again.
    drop(messages);

    let mut shard_col = vec![String::new(); df.height()];
    let mut line_col = vec![0u64; df.height()];
    let mut bytes_col = vec![0u64; df.height()];
    let mut shards = Vec::new();
    for phase in &curriculum.phases {
        let phase = phase.name.as_str();
        for split in SPLITS {
            let rows: Vec<usize> = (0..df.height())
                .filter(|i| splits[*i] == split && phases[*i] == phase)
                .collect();
            let mut start = 0;
            let mut number = 0u32;
            while start < rows.len() {
                let mut end = start;
                let mut size = 0u64;
                while end < rows.len() {
                    let len = rendered[rows[end]].0.len() as u64 + 1;
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
                    body.extend_from_slice(rendered[row].0.as_bytes());
                    body.push(b'\n');
                    line_col[row] = line_no as u64;
                    bytes_col[row] = rendered[row].0.len() as u64 + 1;
                }
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
    }
    if let Some(i) = shard_col.iter().position(String::is_empty) {
        return Err(Error::Internal(format!(
            "export: {} ({}, {}) fell in no shard",
            ids[i], phases[i], splits[i]
        )));
    }
    let mut frame = df.clone();
    let tokens: Vec<u64> = rendered.iter().map(|r| r.1).collect();
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
        .with_column(Column::new("approx_tokens".into(), tokens))
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
