//! `trainready pii FILE... [--redact OUT]`: scan JSONL, JSON, CSV or Parquet files (optionally
//! gzip or zstd compressed) for PII, through the one record reader ([`crate::records`]).
//!
//! Findings go to stdout as JSONL, one per line, in record and message order:
//! `{"record": <id>, "message": <index>, "kind": "<KIND>", "start": <int>, "end": <int>}` with
//! offsets in Unicode code points of that message's content (end exclusive). The matched value
//! is never printed. The record id is the raw `--id-field` value as a string (default `id`), else
//! `<file name>#<0-based record index>`. Text: each message's `content` (or `value`; a content
//! made of OpenAI-style parts `[{"type": "text", "text": ...}]` is scanned part by part, as
//! messages `i`, in order) of the messages field (default `messages`), else the text field
//! (default `text`, message index 0).
//!
//! A field that no record has is an error (exit 2), never a clean scan; records that lack it are
//! counted and reported on stderr. A line that is not a JSON object is scanned as plain text
//! (message 0) and counted as unreadable.
//!
//! `--redact OUT` writes a copy with every finding replaced by a placeholder (`[PHONE_1]`,
//! numbered per record). The copy keeps every record and never carries raw text: a record
//! without the text field has every string in it (but its id) scanned and redacted; an
//! unreadable line is written as its redacted text. JSONL stays JSONL, CSV stays CSV; JSON
//! arrays and Parquet are written as JSONL. With one input, OUT is the file to write; with
//! several, a folder that receives one file per input. The copy is streamed to a temporary file
//! beside OUT (locally) and renamed, so memory holds one batch.

use std::io::Write;
use std::process::ExitCode;

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::FieldArgs;
use crate::error::{Error, IoContext, Result};
use crate::pii::{Finding, redact_conversation, scan};
use crate::records::{Batch, Format, RawRecord, ReadOptions};
use crate::storage::Storage;

/// Scan JSONL, JSON, CSV or Parquet files for PII; findings as JSONL, never the values.
///
/// Each line: {"record": id, "message": index, "kind": KIND, "start": n, "end": n}, offsets
/// in Unicode code points of that message's content, end exclusive. --redact OUT writes a
/// copy with placeholders ([PHONE_1], numbered per record) that keeps every record and carries
/// no raw text. Exit 0 when it ran, 2 when no record has the field to read.
///
/// Examples:
///   trainready pii chats.jsonl > findings.jsonl
///   trainready pii answers.csv --text-field answerText --id-field questionID --redact clean.csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Input files (paths or URIs).
    #[arg(required = true)]
    pub files: Vec<String>,
    /// Write a redacted copy: a file for one input, a folder for several.
    #[arg(long)]
    pub redact: Option<String>,
    #[command(flatten)]
    pub fields: FieldArgs,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let storage = Storage::new()?;
    let opts = PiiOptions {
        inputs: args.files,
        redact: args.redact,
        text_field: args.fields.text_field,
        messages_field: args.fields.messages_field,
        id_field: args.fields.id_field,
        batch_bytes: 16 << 20,
    };
    let stdout = std::io::stdout();
    let mut lock = std::io::BufWriter::new(stdout.lock());
    let result = scan_files(&storage, &opts, &mut lock);
    let flushed = Write::flush(&mut lock);
    match (result, flushed) {
        (Err(Error::Io { source, .. }), _) | (_, Err(source))
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Ok(ExitCode::SUCCESS)
        }
        (Err(e), _) => Err(e),
        (Ok(s), _) => {
            tracing::info!(
                records = s.records,
                findings = s.findings,
                unreadable = s.unreadable,
                missing_field = s.missing_field,
                "pii scan"
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

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
    /// Lines or rows that are not records (scanned as plain text).
    pub unreadable: u64,
    /// Records without the text field (and, with --redact, redacted string by string).
    pub missing_field: u64,
}

/// Where a record's texts are.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// Message `i`'s content (a string).
    Message(usize),
    /// Message `i`'s content part `j` (OpenAI-style `[{"type":"text","text":...}]`).
    Part(usize, usize),
    /// Message `i`'s content that is not a string (a number, ...), as text.
    MessageValue(usize),
    /// The text field.
    Text,
}

/// One scanned record.
struct Scanned {
    id: String,
    findings: Vec<Vec<Finding>>,
    /// The redacted copy of the record (a JSON record, or a raw line), only with --redact.
    redacted: Option<Redacted>,
    unreadable: bool,
    missing_field: bool,
}

enum Redacted {
    Json(Value),
    Csv(Vec<String>),
    Raw(String),
}

/// Run the command, writing findings to `out`.
pub fn scan_files(storage: &Storage, opts: &PiiOptions, out: &mut dyn Write) -> Result<PiiSummary> {
    let mut summary = PiiSummary::default();
    let several = opts.inputs.len() > 1;
    for uri in &opts.inputs {
        let loc = storage.locate(uri)?;
        let name = loc.path.filename().unwrap_or("input").to_string();
        let format = Format::from_path(&name).unwrap_or(Format::Jsonl);
        let redact_to = opts.redact.as_ref().map(|r| {
            if several {
                let stem = crate::records::Codec::strip_extension(&name);
                let file = match format {
                    Format::Csv | Format::Jsonl => stem.to_string(),
                    Format::Json | Format::Parquet => format!(
                        "{}.jsonl",
                        stem.rsplit_once('.').map(|(a, _)| a).unwrap_or(stem)
                    ),
                };
                format!("{}/{file}", r.trim_end_matches('/'))
            } else {
                r.clone()
            }
        });
        let mut sink = match &redact_to {
            Some(to) => Some(RedactSink::create(storage, to)?),
            None => None,
        };
        let mut per_file = PiiSummary::default();
        let mut read_opts = ReadOptions::new(format);
        read_opts.batch_bytes = opts.batch_bytes;
        read_opts.keep_raw = true;
        let mut header: Option<Vec<String>> = None;
        let redact = sink.is_some();
        let reader = storage.reader(&loc)?;
        let read_summary = crate::records::read(reader, &name, uri, &read_opts, &mut |batch| {
            let scanned = scan_batch(batch, opts, &name, format, redact);
            for s in scanned {
                per_file.records += 1;
                per_file.unreadable += u64::from(s.unreadable);
                per_file.missing_field += u64::from(s.missing_field);
                for (i, fs) in s.findings.iter().enumerate() {
                    for f in fs {
                        per_file.findings += 1;
                        let line = serde_json::json!({"record": s.id, "message": i, "kind": f.kind.name(), "start": f.start, "end": f.end});
                        writeln!(out, "{line}").io_ctx("writing findings")?;
                    }
                }
                if let (Some(sink), Some(r)) = (sink.as_mut(), s.redacted) {
                    sink.write(r, &mut header)?;
                }
            }
            Ok(())
        })?;
        if format == Format::Csv && header.is_none() && !read_summary.fields.is_empty() {
            header = Some(read_summary.fields.clone());
        }
        if let Some(sink) = sink {
            sink.finish(storage, header.as_deref())?;
        }
        let readable = per_file.records - per_file.unreadable;
        if readable > 0 && per_file.missing_field == readable {
            return Err(Error::Usage(format!(
                "{uri}: none of its {readable} records has {} (fields of the first record: {}); a wrong field is never a clean scan: set --messages-field or --text-field",
                wanted(opts),
                field_names(&read_summary.fields)
            )));
        }
        if per_file.missing_field > 0 {
            tracing::warn!(
                input = %uri,
                records = per_file.missing_field,
                "records without {}{}",
                wanted(opts),
                if redact { " (their strings were redacted field by field)" } else { " (not scanned)" }
            );
        }
        if per_file.unreadable > 0 {
            tracing::warn!(
                input = %uri,
                lines = per_file.unreadable,
                "unreadable lines or rows, scanned as plain text"
            );
        }
        summary.records += per_file.records;
        summary.findings += per_file.findings;
        summary.unreadable += per_file.unreadable;
        summary.missing_field += per_file.missing_field;
    }
    Ok(summary)
}

/// Field names as they may be printed: names that look like identifiers; anything else (a
/// headerless CSV's first row is data) only counted.
pub fn field_names(fields: &[String]) -> String {
    let plain = |f: &String| {
        !f.is_empty()
            && f.len() <= 40
            && f.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if fields.iter().all(plain) {
        fields
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        format!("{} fields, not all plain names", fields.len())
    }
}

fn wanted(opts: &PiiOptions) -> String {
    match (&opts.text_field, &opts.messages_field) {
        (Some(t), _) => format!("the text field `{t}`"),
        (None, Some(m)) => format!("the messages field `{m}`"),
        (None, None) => "a `messages` or `text` field".to_string(),
    }
}

fn scan_batch(
    batch: Batch<'_>,
    opts: &PiiOptions,
    name: &str,
    format: Format,
    redact: bool,
) -> Vec<Scanned> {
    batch
        .into_records(true)
        .into_par_iter()
        .map(|r| scan_record(r, opts, name, format, redact))
        .collect()
}

/// The texts of a record and where they are.
fn texts_of(map: &Map<String, Value>, opts: &PiiOptions) -> Option<Vec<(Slot, String)>> {
    let messages_key = opts.messages_field.as_deref().unwrap_or("messages");
    if opts.text_field.is_none()
        && let Some(Value::Array(items)) = map.get(messages_key)
    {
        let mut out = Vec::new();
        for (i, m) in items.iter().enumerate() {
            match m.get("content").or_else(|| m.get("value")) {
                Some(Value::String(t)) => out.push((Slot::Message(i), t.clone())),
                Some(Value::Array(parts)) => {
                    for (j, p) in parts.iter().enumerate() {
                        if let Some(t) = p.get("text").and_then(Value::as_str) {
                            out.push((Slot::Part(i, j), t.to_string()));
                        }
                    }
                }
                Some(Value::Null) | None => out.push((Slot::Message(i), String::new())),
                Some(other) => out.push((Slot::MessageValue(i), other.to_string())),
            }
        }
        return Some(out);
    }
    if opts.messages_field.is_some() {
        return None;
    }
    let text_key = opts.text_field.as_deref().unwrap_or("text");
    match map.get(text_key) {
        Some(Value::String(s)) => Some(vec![(Slot::Text, s.clone())]),
        Some(Value::Null) | None => None,
        Some(other) => Some(vec![(Slot::Text, other.to_string())]),
    }
}

fn record_id(map: &Map<String, Value>, opts: &PiiOptions, name: &str, index: u64) -> String {
    match map.get(&opts.id_field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => format!("{name}#{index}"),
        Some(other) => other.to_string(),
    }
}

fn scan_record(
    r: RawRecord,
    opts: &PiiOptions,
    name: &str,
    format: Format,
    redact: bool,
) -> Scanned {
    let RawRecord {
        index, value, raw, ..
    } = r;
    let mut map = match value {
        Ok(m) => m,
        Err(_) => {
            // Not a record: scan its text as it is.
            let text = raw.unwrap_or_default();
            let findings = scan(&text, &[]);
            let redacted = redact.then(|| {
                let (mut new, _) = redact_conversation(
                    &[text.as_str()],
                    std::slice::from_ref(&findings),
                    &[],
                    |_| true,
                );
                Redacted::Raw(new.pop().unwrap_or_default())
            });
            return Scanned {
                id: format!("{name}#{index}"),
                findings: vec![findings],
                redacted,
                unreadable: true,
                missing_field: false,
            };
        }
    };
    let id = record_id(&map, opts, name, index);
    let Some(texts) = texts_of(&map, opts) else {
        // No text field: nothing is reported, but the copy must not carry raw text.
        let redacted = redact.then(|| {
            redact_all_strings(&mut map, &opts.id_field);
            as_redacted(map, format)
        });
        return Scanned {
            id,
            findings: Vec::new(),
            redacted,
            unreadable: false,
            missing_field: true,
        };
    };
    let findings: Vec<Vec<Finding>> = texts.iter().map(|(_, t)| scan(t, &[])).collect();
    let redacted = redact.then(|| {
        let refs: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
        let (new, _) = redact_conversation(&refs, &findings, &[], |_| true);
        let messages_key = opts.messages_field.as_deref().unwrap_or("messages");
        let text_key = opts.text_field.as_deref().unwrap_or("text");
        for ((slot, old), t) in texts.iter().zip(new) {
            match *slot {
                Slot::Text => {
                    map.insert(text_key.to_string(), Value::String(t));
                }
                Slot::Message(i) | Slot::MessageValue(i) => {
                    if matches!(slot, Slot::MessageValue(_)) && t == *old {
                        continue; // a number without findings stays a number
                    }
                    if let Some(Value::Array(items)) = map.get_mut(messages_key)
                        && let Some(Value::Object(m)) = items.get_mut(i)
                    {
                        let key = if m.contains_key("content") || !m.contains_key("value") {
                            "content"
                        } else {
                            "value"
                        };
                        if !old.is_empty() || m.contains_key(key) {
                            m.insert(key.to_string(), Value::String(t));
                        }
                    }
                }
                Slot::Part(i, j) => {
                    if let Some(Value::Array(items)) = map.get_mut(messages_key)
                        && let Some(Value::Object(m)) = items.get_mut(i)
                        && let Some(Value::Array(parts)) = m.get_mut("content")
                        && let Some(Value::Object(p)) = parts.get_mut(j)
                    {
                        p.insert("text".into(), Value::String(t));
                    }
                }
            }
        }
        // Strings elsewhere in the record (names in metadata, a system prompt's sibling
        // fields) are not findings of the contract, but the copy redacts them too.
        redact_all_strings_except(&mut map, &opts.id_field, &[messages_key, text_key]);
        as_redacted(map, format)
    });
    Scanned {
        id,
        findings,
        redacted,
        unreadable: false,
        missing_field: false,
    }
}

fn as_redacted(map: Map<String, Value>, format: Format) -> Redacted {
    match format {
        Format::Csv => Redacted::Csv(
            map.into_iter()
                .map(|(_, v)| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
        ),
        _ => Redacted::Json(Value::Object(map)),
    }
}

/// Redact every string leaf of a record but its id, as one conversation (placeholders numbered
/// across the record).
fn redact_all_strings(map: &mut Map<String, Value>, id_field: &str) {
    redact_all_strings_except(map, id_field, &[]);
}

fn redact_all_strings_except(map: &mut Map<String, Value>, id_field: &str, skip: &[&str]) {
    let mut leaves: Vec<&mut String> = Vec::new();
    for (k, v) in map.iter_mut() {
        if k == id_field || skip.contains(&k.as_str()) {
            continue;
        }
        collect_strings(v, &mut leaves);
    }
    if leaves.is_empty() {
        return;
    }
    let texts: Vec<String> = leaves.iter().map(|s| s.to_string()).collect();
    let findings: Vec<Vec<Finding>> = texts.iter().map(|t| scan(t, &[])).collect();
    if findings.iter().all(Vec::is_empty) {
        return;
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (new, _) = redact_conversation(&refs, &findings, &[], |_| true);
    for (leaf, t) in leaves.into_iter().zip(new) {
        *leaf = t;
    }
}

fn collect_strings<'a>(v: &'a mut Value, out: &mut Vec<&'a mut String>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter_mut().for_each(|i| collect_strings(i, out)),
        Value::Object(m) => m.values_mut().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

/// Where the redacted copy is written: a local temporary file renamed at the end.
struct RedactSink {
    target: crate::storage::Location,
    tmp: std::path::PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    csv_header_written: bool,
}

impl RedactSink {
    fn create(storage: &Storage, to: &str) -> Result<Self> {
        let target = storage.locate(to)?;
        let dir = if target.is_local() {
            std::path::Path::new(&target.uri)
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_else(std::env::temp_dir)
        } else {
            std::env::temp_dir()
        };
        std::fs::create_dir_all(&dir).io_ctx(format!("creating {}", dir.display()))?;
        let tmp = dir.join(format!(
            ".trainready-tmp.{}.redact.{}",
            std::process::id(),
            target.path.filename().unwrap_or("out")
        ));
        let file = std::fs::File::create(&tmp).io_ctx(format!("creating {}", tmp.display()))?;
        Ok(Self {
            target,
            tmp,
            file: std::io::BufWriter::new(file),
            csv_header_written: false,
        })
    }

    fn write(&mut self, r: Redacted, header: &mut Option<Vec<String>>) -> Result<()> {
        let ctx = || format!("writing {}", self.tmp.display());
        match r {
            Redacted::Json(v) => {
                serde_json::to_writer(&mut self.file, &v)
                    .map_err(|e| Error::Internal(format!("serialising a record: {e}")))?;
                self.file.write_all(b"\n").io_ctx(ctx())?;
            }
            Redacted::Raw(t) => {
                self.file.write_all(t.as_bytes()).io_ctx(ctx())?;
                self.file.write_all(b"\n").io_ctx(ctx())?;
            }
            Redacted::Csv(fields) => {
                let _ = header;
                self.file
                    .write_all(csv_line(&fields).as_bytes())
                    .io_ctx(ctx())?;
            }
        }
        Ok(())
    }

    fn finish(mut self, storage: &Storage, csv_header: Option<&[String]>) -> Result<()> {
        self.file.flush().io_ctx("writing the redacted copy")?;
        drop(self.file);
        let mut body_path = self.tmp.clone();
        if let Some(h) = csv_header.filter(|_| !self.csv_header_written) {
            // Prepend the header: write it and the body to a second temporary file.
            let with_header = self.tmp.with_extension("h");
            {
                let mut f = std::io::BufWriter::new(
                    std::fs::File::create(&with_header).io_ctx("writing the redacted copy")?,
                );
                f.write_all(csv_line(h).as_bytes())
                    .io_ctx("writing the redacted copy")?;
                let mut body =
                    std::fs::File::open(&self.tmp).io_ctx("reading the redacted copy")?;
                std::io::copy(&mut body, &mut f).io_ctx("writing the redacted copy")?;
                f.flush().io_ctx("writing the redacted copy")?;
            }
            let _ = std::fs::remove_file(&self.tmp);
            body_path = with_header;
            self.csv_header_written = true;
        }
        let result = if self.target.is_local() {
            std::fs::rename(&body_path, &self.target.uri)
                .io_ctx(format!("writing {}", self.target.uri))
        } else {
            let bytes = std::fs::read(&body_path).io_ctx("reading the redacted copy")?;
            storage.put(&self.target, bytes::Bytes::from(bytes))
        };
        let _ = std::fs::remove_file(&body_path);
        result
    }
}

/// One CSV line (RFC 4180 quoting where needed), with `\n`.
fn csv_line(fields: &[String]) -> String {
    let mut line = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&f.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(f);
        }
    }
    line.push('\n');
    line
}
