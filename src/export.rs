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

use std::collections::BTreeMap;

use bytes::Bytes;
use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, PolarsContext, Result};
use crate::schema::release::ShardInfo;
use crate::schema::{Message, PhaseKind, SPLITS};
use crate::schema::{messages_of, opt_u32_column, str_column};
use crate::tokens::Tokenizer;

/// `[export]`
#[derive(Debug, Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ExportSpec {
    /// Maximum records per shard. Default 10000.
    #[serde(default = "default_shard_records")]
    pub shard_records: u64,
    /// Maximum uncompressed bytes per shard. Default 256 MiB.
    #[serde(default = "default_shard_bytes")]
    pub shard_bytes: u64,
    /// `"none"` (default) or `"zstd"` (shards end in `.jsonl.zst`).
    #[serde(default)]
    pub compression: Compression,
    /// zstd level, 1-19. Default 3.
    #[serde(default = "default_zstd_level")]
    pub zstd_level: i32,
}

fn default_shard_records() -> u64 {
    10_000
}
fn default_shard_bytes() -> u64 {
    256 << 20
}
fn default_zstd_level() -> i32 {
    3
}

impl ExportSpec {
    /// Check the values; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        if self.shard_records == 0 || self.shard_bytes == 0 {
            return Err((
                "export.shard_records / export.shard_bytes".into(),
                "must be at least 1".into(),
            ));
        }
        if !(1..=19).contains(&self.zstd_level) {
            return Err((
                "export.zstd_level".into(),
                format!("{} is outside 1..=19", self.zstd_level),
            ));
        }
        Ok(())
    }
}

impl Default for ExportSpec {
    fn default() -> Self {
        Self {
            shard_records: default_shard_records(),
            shard_bytes: default_shard_bytes(),
            compression: Compression::None,
            zstd_level: default_zstd_level(),
        }
    }
}

/// Shard compression.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    #[default]
    None,
    Zstd,
}

/// A curriculum phase as export sees it: its name (the folder under `chatml/`), its kind (the
/// line format) and the role labels of its pretraining text.
#[derive(Debug, Clone)]
pub struct PhaseFormat {
    pub name: String,
    pub kind: PhaseKind,
    /// Role -> label of the pretraining rendering (default `System`, `User`, `Assistant`).
    pub labels: BTreeMap<String, String>,
}

impl PhaseFormat {
    /// The label of `role` in this phase's pretraining text.
    pub fn label(&self, role: &str) -> String {
        self.labels.get(role).cloned().unwrap_or_else(|| {
            match role {
                "system" => "System",
                "user" => "User",
                "assistant" => "Assistant",
                other => other,
            }
            .to_string()
        })
    }
}

/// The three parts of a record's messages: (prompt, chosen, rejected); chosen and rejected are
/// empty for records that are not preference pairs.
pub fn parts(
    messages: &[Message],
    preference: Option<u32>,
    chosen: Option<u32>,
) -> (&[Message], &[Message], &[Message]) {
    match (preference, chosen) {
        (Some(p), Some(c)) => {
            let p = (p as usize).min(messages.len());
            let c = (p + c as usize).min(messages.len());
            (&messages[..p], &messages[p..c], &messages[c..])
        }
        _ => (messages, &[], &[]),
    }
}

/// The pretraining text of a record: a record of one message (the `text` mapping) is its
/// content; otherwise every message as `<Label>: <content>`, joined by a blank line, with the
/// phase's labels (default `System`, `User`, `Assistant`). A preference record renders its prompt
/// and chosen response.
pub fn render_text(phase: &PhaseFormat, messages: &[Message]) -> String {
    if let [only] = messages {
        return only.content.clone();
    }
    let mut out = String::new();
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&phase.label(&m.role));
        out.push_str(": ");
        out.push_str(&m.content);
    }
    out
}

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

/// What export produces.
pub struct Exported {
    /// The shards, in order; their bytes went to the sink.
    pub shards: Vec<ShardInfo>,
    /// The input frame plus `shard`, `line`, `bytes` (line bytes, uncompressed),
    /// `approx_tokens` (characters / 4) and `tokens` (the configured tokenizer's count).
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
    phases_in_order: &[PhaseFormat],
    spec: &ExportSpec,
    tokenizer: Tokenizer,
    sink: &mut dyn FnMut(&ShardInfo, Bytes) -> Result<()>,
) -> Result<Exported> {
    tokenizer.warm_up();
    let df = lines;
    let ids = str_column(df, "record_id")?;
    let sources = str_column(df, "source")?;
    let splits = str_column(df, "split")?;
    let phases = str_column(df, "phase")?;
    if let Some(p) = phases
        .iter()
        .find(|p| !phases_in_order.iter().any(|s| &s.name == *p))
    {
        return Err(Error::Internal(format!("export: unknown phase `{p}`")));
    }
    let text_columns = df
        .select(["messages", "pref_prompt", "pref_chosen"])
        .ctx("export columns")?;

    let mut shard_col = vec![String::new(); df.height()];
    let mut line_col = vec![0u64; df.height()];
    let mut bytes_col = vec![0u64; df.height()];
    let mut approx_col = vec![0u64; df.height()];
    let mut tokens_col = vec![0u64; df.height()];
    let mut shards = Vec::new();
    for phase_spec in phases_in_order {
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
                let rendered: Vec<Rendered> = chunk
                    .par_iter()
                    .enumerate()
                    .map(|(k, &row)| {
                        let (prompt, ch, rej) = parts(&messages[k], pref[k], chosen[k]);
                        render_line(
                            phase_spec,
                            (prompt, ch, rej),
                            &ids[row],
                            &sources[row],
                            tokenizer,
                        )
                    })
                    .collect::<Result<_>>()?;
                drop(messages);
                for (
                    &row,
                    Rendered {
                        line,
                        approx,
                        tokens,
                    },
                ) in chunk.iter().zip(rendered)
                {
                    let len = line.len() as u64 + 1;
                    let full_records = open.rows.len() as u64 >= spec.shard_records;
                    let full_bytes =
                        !open.rows.is_empty() && open.body.len() as u64 + len > spec.shard_bytes;
                    if full_records || full_bytes {
                        close(&mut open, &mut number)?;
                    }
                    line_col[row] = open.rows.len() as u64;
                    bytes_col[row] = len;
                    approx_col[row] = approx;
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
        .with_column(Column::new("approx_tokens".into(), approx_col))
        .ctx("approx_tokens column")?;
    frame
        .with_column(Column::new("tokens".into(), tokens_col))
        .ctx("tokens column")?;
    Ok(Exported { shards, frame })
}

/// One exported line and its token counts.
struct Rendered {
    line: String,
    /// Characters of the exported text / 4, rounded up.
    approx: u64,
    /// The configured tokenizer's count of the exported text (message contents, or the
    /// pretraining text; no chat-template tokens).
    tokens: u64,
}

/// One exported line in the phase's format, from a record's (prompt, chosen, rejected) messages.
fn render_line(
    phase: &PhaseFormat,
    (prompt, chosen, rejected): (&[Message], &[Message], &[Message]),
    id: &str,
    source: &str,
    tokenizer: Tokenizer,
) -> Result<Rendered> {
    let out = |ms: &[Message]| -> Vec<MessageOut> {
        ms.iter()
            .map(|m| MessageOut {
                role: m.role.clone(),
                content: m.content.clone(),
            })
            .collect()
    };
    let counts = |texts: &mut dyn Iterator<Item = &str>| {
        let texts: Vec<&str> = texts.collect();
        (
            Tokenizer::Approx.count_all(texts.iter().copied()),
            tokenizer.count_all(texts.iter().copied()),
        )
    };
    fn contents(ms: &[Message]) -> Vec<&str> {
        ms.iter().map(|m| m.content.as_str()).collect()
    }
    let conversation: Vec<Message> = prompt.iter().chain(chosen).cloned().collect();
    let (json, (approx, tokens)) = match phase.kind {
        PhaseKind::Sft => (
            serde_json::to_string(&ChatmlLine {
                messages: out(&conversation),
                id: id.to_string(),
                source: source.to_string(),
            }),
            counts(&mut contents(&conversation).into_iter()),
        ),
        PhaseKind::Pretraining => {
            let text = render_text(phase, &conversation);
            let n = counts(&mut std::iter::once(text.as_str()));
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
            counts(&mut [prompt, chosen, rejected].into_iter().flat_map(contents)),
        ),
    };
    let line = json.map_err(|e| Error::Internal(format!("serialising {id}: {e}")))?;
    Ok(Rendered {
        line,
        approx,
        tokens,
    })
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

#[cfg(test)]
mod render_tests {
    use super::*;

    #[test]
    fn render_uses_labels_and_passes_plain_text_through() {
        let mut p = PhaseFormat {
            name: "pt".into(),
            kind: PhaseKind::Pretraining,
            labels: BTreeMap::new(),
        };
        let m = |r: &str, c: &str| Message {
            role: r.into(),
            content: c.into(),
        };
        assert_eq!(render_text(&p, &[m("user", "A document.")]), "A document.");
        p.labels.insert("assistant".into(), "Counsellor".into());
        assert_eq!(
            render_text(&p, &[m("user", "Hi"), m("assistant", "Hello")]),
            "User: Hi\n\nCounsellor: Hello"
        );
    }
}
