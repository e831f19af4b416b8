//! `trainready pii FILE... [--redact OUT]`: scan JSONL, CSV or Parquet files for PII.
//!
//! Findings go to stdout as JSONL, one per line, in record and message order:
//! `{"record": <id>, "message": <index>, "kind": "<KIND>", "start": <int>, "end": <int>}` with
//! offsets in Unicode code points of that message's content (end exclusive). The matched value
//! is never printed. The record id is the raw `--id-field` value as a string (default `id`), else
//! `<file name>#<0-based record index>`. Text: each message's `content` (or `value`) of the
//! messages field (default `messages`), else the text field (default `text`, message index 0).
//!
//! `--redact OUT` writes a copy with every finding replaced by a placeholder (`[PHONE_1]`, numbered
//! per record): JSONL stays JSONL, CSV stays CSV, Parquet is written as JSONL. With one input, OUT
//! is the file to write; with several, a folder that receives one file per input.
//!
//! JSONL is streamed in batches (scanned in parallel, written in order); CSV and Parquet are read
//! whole.

use std::io::Write;

use bytes::Bytes;
use polars::prelude::*;
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::error::{Error, IoContext, PolarsContext, Result};
use crate::pii::{Finding, redact_conversation, scan};
use crate::storage::Storage;

/// Options of the command.
#[derive(Debug, Clone)]
pub struct PiiOptions {
    pub inputs: Vec<String>,
    pub redact: Option<String>,
    pub text_field: Option<String>,
    pub messages_field: Option<String>,
    pub id_field: String,
    pub batch_bytes: usize,
}

/// Counts for the summary on stderr.
#[derive(Debug, Default, Clone)]
pub struct PiiSummary {
    pub records: u64,
    pub findings: u64,
    pub unreadable: u64,
}

/// One scanned record.
struct Scanned {
    id: String,
    findings: Vec<Vec<Finding>>,
    /// The record rewritten with redacted texts (only with --redact).
    redacted: Option<Value>,
    unreadable: bool,
}

/// Run the command, writing findings to `out`.
pub fn run(storage: &Storage, opts: &PiiOptions, out: &mut dyn Write) -> Result<PiiSummary> {
    let mut summary = PiiSummary::default();
    let several = opts.inputs.len() > 1;
    for uri in &opts.inputs {
        let loc = storage.locate(uri)?;
        let name = loc.path.filename().unwrap_or("input").to_string();
        let lower = name.to_ascii_lowercase();
        let redact_to = opts.redact.as_ref().map(|r| {
            if several {
                let file = if lower.ends_with(".parquet") {
                    format!("{}.jsonl", name.trim_end_matches(".parquet"))
                } else {
                    name.clone()
                };
                format!("{}/{file}", r.trim_end_matches('/'))
            } else {
                r.clone()
            }
        });
        let mut redacted_body: Vec<u8> = Vec::new();
        let mut emit = |batch: Vec<Scanned>, out: &mut dyn Write| -> Result<()> {
            for s in batch {
                summary.records += 1;
                summary.unreadable += u64::from(s.unreadable);
                for (i, fs) in s.findings.iter().enumerate() {
                    for f in fs {
                        summary.findings += 1;
                        let line = serde_json::json!({"record": s.id, "message": i, "kind": f.kind.name(), "start": f.start, "end": f.end});
                        writeln!(out, "{line}").io_ctx("writing findings")?;
                    }
                }
                if let Some(v) = s.redacted {
                    redacted_body.extend_from_slice(v.to_string().as_bytes());
                    redacted_body.push(b'\n');
                }
            }
            Ok(())
        };
        let redact = opts.redact.is_some();
        if lower.ends_with(".csv") {
            let bytes = storage.get(&loc)?;
            let (batch, csv_out) = scan_csv(&bytes, opts, &name, redact)?;
            emit(batch, out)?;
            if let (Some(to), Some(body)) = (&redact_to, csv_out) {
                storage.put(&storage.locate(to)?, Bytes::from(body))?;
            }
            continue;
        }
        if lower.ends_with(".parquet") {
            let bytes = storage.get(&loc)?;
            let mut df = ParquetReader::new(std::io::Cursor::new(&bytes[..]))
                .finish()
                .ctx(format!("reading {uri}"))?;
            let mut buf = Vec::new();
            JsonWriter::new(&mut buf)
                .with_json_format(JsonFormat::JsonLines)
                .finish(&mut df)
                .ctx(format!("reading {uri}"))?;
            emit(scan_lines(&buf, 0, opts, &name, redact), out)?;
        } else {
            let mut next = 0u64;
            let mut failure = None;
            storage.read_lines_batched(&loc, opts.batch_bytes, |chunk| {
                if failure.is_some() {
                    return;
                }
                let batch = scan_lines(chunk, next, opts, &name, redact);
                next += batch.len() as u64;
                if let Err(e) = emit(batch, out) {
                    failure = Some(e);
                }
            })?;
            if let Some(e) = failure {
                return Err(e);
            }
        }
        if let Some(to) = &redact_to {
            storage.put(&storage.locate(to)?, Bytes::from(redacted_body))?;
        }
    }
    Ok(summary)
}

fn scan_lines(
    chunk: &[u8],
    first_index: u64,
    opts: &PiiOptions,
    name: &str,
    redact: bool,
) -> Vec<Scanned> {
    let lines: Vec<&[u8]> = chunk
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .collect();
    lines
        .into_par_iter()
        .enumerate()
        .map(|(i, line)| {
            let index = first_index + i as u64;
            match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(map)) => scan_record(map, opts, name, index, redact),
                _ => Scanned {
                    id: format!("{name}#{index}"),
                    findings: Vec::new(),
                    redacted: None,
                    unreadable: true,
                },
            }
        })
        .collect()
}

/// Where a record's texts are: (path into the record, text).
fn texts_of(map: &Map<String, Value>, opts: &PiiOptions) -> Vec<(Option<usize>, String)> {
    let messages_key = opts.messages_field.as_deref().unwrap_or("messages");
    if opts.text_field.is_none()
        && let Some(Value::Array(items)) = map.get(messages_key)
    {
        return items
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let t = m
                    .get("content")
                    .or_else(|| m.get("value"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                (Some(i), t.to_string())
            })
            .collect();
    }
    let text_key = opts.text_field.as_deref().unwrap_or("text");
    match map.get(text_key) {
        Some(Value::String(s)) => vec![(None, s.clone())],
        _ => Vec::new(),
    }
}

fn scan_record(
    mut map: Map<String, Value>,
    opts: &PiiOptions,
    name: &str,
    index: u64,
    redact: bool,
) -> Scanned {
    let id = match map.get(&opts.id_field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => format!("{name}#{index}"),
        Some(other) => other.to_string(),
    };
    let texts = texts_of(&map, opts);
    let findings: Vec<Vec<Finding>> = texts.iter().map(|(_, t)| scan(t, &[])).collect();
    let redacted = redact.then(|| {
        let refs: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
        let (new, _) = redact_conversation(&refs, &findings, &[], |_| true);
        let messages_key = opts
            .messages_field
            .as_deref()
            .unwrap_or("messages")
            .to_string();
        let text_key = opts.text_field.as_deref().unwrap_or("text").to_string();
        for ((slot, _), t) in texts.iter().zip(new) {
            match slot {
                Some(i) => {
                    if let Some(Value::Array(items)) = map.get_mut(&messages_key)
                        && let Some(Value::Object(m)) = items.get_mut(*i)
                    {
                        let key = if m.contains_key("content") {
                            "content"
                        } else {
                            "value"
                        };
                        m.insert(key.to_string(), Value::String(t));
                    }
                }
                None => {
                    map.insert(text_key.clone(), Value::String(t));
                }
            }
        }
        Value::Object(map)
    });
    Scanned {
        id,
        findings,
        redacted,
        unreadable: false,
    }
}

/// CSV: the text field is a column (default `text`); the redacted copy keeps every other field.
fn scan_csv(
    bytes: &[u8],
    opts: &PiiOptions,
    name: &str,
    redact: bool,
) -> Result<(Vec<Scanned>, Option<Vec<u8>>)> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| Error::Usage(format!("{name}: cannot read the CSV header: {e}")))?
        .clone();
    let text_key = opts.text_field.as_deref().unwrap_or("text");
    let Some(col) = headers.iter().position(|h| h == text_key) else {
        return Err(Error::Usage(format!(
            "{name}: no column `{text_key}` (set --text-field)"
        )));
    };
    let id_col = headers.iter().position(|h| h == opts.id_field);
    let rows: Vec<csv::StringRecord> = rdr
        .records()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::Usage(format!("{name}: {e}")))?;
    let scanned: Vec<(Scanned, Option<String>)> = rows
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let text = r.get(col).unwrap_or("");
            let id = id_col
                .and_then(|c| r.get(c))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}#{i}"));
            let f = scan(text, &[]);
            let red = redact.then(|| {
                redact_conversation(&[text], std::slice::from_ref(&f), &[], |_| true)
                    .0
                    .remove(0)
            });
            (
                Scanned {
                    id,
                    findings: vec![f],
                    redacted: None,
                    unreadable: false,
                },
                red,
            )
        })
        .collect();
    let out = if redact {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&headers)
            .map_err(|e| Error::Internal(format!("writing CSV: {e}")))?;
        for (r, (_, red)) in rows.iter().zip(&scanned) {
            let fields: Vec<&str> = r
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    if i == col {
                        red.as_deref().unwrap_or(f)
                    } else {
                        f
                    }
                })
                .collect();
            w.write_record(fields)
                .map_err(|e| Error::Internal(format!("writing CSV: {e}")))?;
        }
        Some(
            w.into_inner()
                .map_err(|e| Error::Internal(format!("CSV buffer: {e}")))?,
        )
    } else {
        None
    };
    Ok((scanned.into_iter().map(|(s, _)| s).collect(), out))
}
