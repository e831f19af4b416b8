//! The one record reader. Every command that reads records out of files goes through here: the
//! build's loader, `trainready pii`, `trainready dedup`, the leakage stage's evaluation sets and
//! `trainready inventory`.
//!
//! An object's bytes pass through three layers:
//! 1. **compression**: gzip or zstd, told by the file name (`.gz`, `.zst`, `.zstd`) or by the
//!    magic bytes (a `.jsonl` that is really gzip is still read);
//! 2. **encoding**: UTF-8 (a BOM is dropped), UTF-16 LE/BE told by its BOM, or by the NUL pattern
//!    of ASCII text when the BOM is missing, transcoded to UTF-8;
//! 3. **format**: JSONL (streamed in batches of about `batch_bytes`; one record per non-blank
//!    line), a JSON array of records (or one object), CSV (strict RFC 4180 with recovery, see
//!    [`csv_records`]), Parquet (any column type, see [`parquet_records`]).
//!
//! Each record comes out as a [`RawRecord`]: its 0-based index among the object's records, the
//! 1-based line where it starts (Parquet: the row number + 1), and either its fields or the
//! reason it could not be read. Reasons name lines, columns and byte positions, never a value
//! from the record. The sha256 and size are of the object as stored (before decompression).
//!
//! Nothing here panics on any input: a malformed record is a `RawRecord` with an error, an
//! unreadable object is an [`Error::Source`] naming it.

use std::io::{BufRead, BufReader, Read};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The longest JSONL line read as a record; a longer line is one rejected record (and is never
/// held in memory whole).
pub const MAX_LINE_BYTES: usize = 256 << 20;

/// Input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jsonl,
    Json,
    Csv,
    Parquet,
}

impl Format {
    /// The format implied by a file name, if any (`.jsonl.gz` is JSONL).
    pub fn from_path(path: &str) -> Option<Self> {
        let lower = path.to_ascii_lowercase();
        let lower = Codec::strip_extension(&lower);
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(Self::Jsonl)
        } else if lower.ends_with(".json") {
            Some(Self::Json)
        } else if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else if lower.ends_with(".parquet") {
            Some(Self::Parquet)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jsonl => "jsonl",
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Parquet => "parquet",
        }
    }
}

/// Compression of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    None,
    Gzip,
    Zstd,
}

impl Codec {
    /// A file name without its compression extension.
    pub fn strip_extension(name: &str) -> &str {
        for ext in [".gz", ".gzip", ".zst", ".zstd"] {
            if name.len() > ext.len() && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext) {
                return &name[..name.len() - ext.len()];
            }
        }
        name
    }

    fn from_magic(head: &[u8]) -> Self {
        if head.starts_with(&[0x1f, 0x8b]) {
            Self::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Self::Zstd
        } else {
            Self::None
        }
    }
}

/// A record as read, before any mapping.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// 0-based index among the object's records.
    pub index: u64,
    /// 1-based line where the record starts (0 when unknown).
    pub line: u64,
    /// The record's fields, or why it could not be read (never quoting its text).
    pub value: std::result::Result<Map<String, Value>, String>,
    /// The record's text as read, only for unreadable records and only with
    /// [`ReadOptions::keep_raw`] (`trainready pii --redact` scans it as plain text).
    pub raw: Option<String>,
}

/// How to read one object.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub format: Format,
    /// Target size of a batch of decoded input handed to the callback.
    pub batch_bytes: usize,
    /// CSV: the columns the mapping needs. A first row holding none of them is not a header:
    /// the file is read as headerless and every row (the first included) is rejected, so no
    /// record vanishes into a header.
    pub required_columns: Vec<String>,
    /// Keep the text of unreadable records in [`RawRecord::raw`].
    pub keep_raw: bool,
    /// Parquet: read only these columns (those that exist); `None` reads every column.
    pub columns: Option<Vec<String>>,
}

impl ReadOptions {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            batch_bytes: 16 << 20,
            required_columns: Vec::new(),
            keep_raw: false,
            columns: None,
        }
    }
}

/// What was read from one object.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ObjectSummary {
    /// sha256 of the object as stored.
    pub sha256: String,
    /// Size as stored.
    pub bytes: u64,
    /// Records read (good and bad).
    pub records: u64,
    /// `none`, `gzip` or `zstd`.
    pub codec: &'static str,
    /// `utf-8`, `utf-16le` or `utf-16be`.
    pub encoding: &'static str,
    /// Field names of the first readable record (CSV: the header; Parquet: the columns).
    pub fields: Vec<String>,
}

/// A batch of records handed to the reader's callback.
pub enum Batch<'b> {
    /// JSONL: `(line number, line bytes)` of non-blank lines, the first being record
    /// `first_index`. Parse them with [`Batch::into_records`], or with a field-selective parser.
    Lines {
        first_index: u64,
        lines: Vec<(u64, &'b [u8])>,
        /// Lines over [`MAX_LINE_BYTES`]: `(index, line)`, already rejected.
        too_long: Vec<RawRecord>,
    },
    /// Any other format: records already parsed.
    Records(Vec<RawRecord>),
}

impl Batch<'_> {
    /// The records of the batch, parsed in parallel, in order.
    pub fn into_records(self, keep_raw: bool) -> Vec<RawRecord> {
        match self {
            Batch::Records(r) => r,
            Batch::Lines {
                first_index,
                lines,
                too_long,
            } => {
                let mut out: Vec<RawRecord> = lines
                    .into_par_iter()
                    .enumerate()
                    .map(|(i, (line, bytes))| {
                        let value = parse_json_line(bytes);
                        let raw = (keep_raw && value.is_err())
                            .then(|| String::from_utf8_lossy(bytes).into_owned());
                        RawRecord {
                            index: first_index + i as u64,
                            line,
                            value,
                            raw,
                        }
                    })
                    .collect();
                if !too_long.is_empty() {
                    out.extend(too_long);
                    out.sort_by_key(|r| r.index);
                }
                out
            }
        }
    }

    /// Number of records in the batch.
    pub fn len(&self) -> usize {
        match self {
            Batch::Records(r) => r.len(),
            Batch::Lines {
                lines, too_long, ..
            } => lines.len() + too_long.len(),
        }
    }

    /// True when the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Read one object from a byte stream as stored (compressed or not). `name` is its file name
/// (compression by extension) and `uri` names it in errors. `f` receives the records in batches,
/// in order; an error from `f` stops the read and is returned.
pub fn read(
    stored: impl Read,
    name: &str,
    uri: &str,
    opts: &ReadOptions,
    f: &mut dyn FnMut(Batch<'_>) -> Result<()>,
) -> Result<ObjectSummary> {
    let err = |message: String| Error::Input {
        uri: uri.to_string(),
        message,
    };
    let mut hashing = HashingReader::new(stored);
    let mut summary = ObjectSummary::default();
    {
        let mut buffered = BufReader::with_capacity(1 << 16, &mut hashing);
        let head = buffered
            .fill_buf()
            .map_err(|e| err(format!("cannot read: {e}")))?;
        let by_name = name.to_ascii_lowercase();
        let codec = if by_name.ends_with(".gz") || by_name.ends_with(".gzip") {
            Codec::Gzip
        } else if by_name.ends_with(".zst") || by_name.ends_with(".zstd") {
            Codec::Zstd
        } else {
            Codec::from_magic(head)
        };
        summary.codec = match codec {
            Codec::None => "none",
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
        };
        let decompressed: Box<dyn Read + '_> = match codec {
            Codec::None => Box::new(buffered),
            Codec::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
            Codec::Zstd => Box::new(
                zstd::stream::read::Decoder::with_buffer(buffered)
                    .map_err(|e| err(format!("not a readable zstd stream: {e}")))?,
            ),
        };
        let mut decoded = BufReader::with_capacity(1 << 20, decompressed);
        let head = decoded.fill_buf().map_err(|e| {
            err(format!(
                "cannot read{}: {e}",
                match codec {
                    Codec::None => "",
                    Codec::Gzip => " (gzip)",
                    Codec::Zstd => " (zstd)",
                }
            ))
        })?;
        let encoding = sniff_encoding(head);
        summary.encoding = encoding.name();
        let mut text: Box<dyn BufRead + '_> = match encoding {
            Encoding::Utf8 { bom } => {
                if bom {
                    decoded.consume(3);
                }
                Box::new(decoded)
            }
            Encoding::Utf16 { big_endian, bom } => Box::new(BufReader::with_capacity(
                1 << 20,
                Utf16Reader::new(decoded, big_endian, bom),
            )),
        };
        let io_err = |e: std::io::Error| err(format!("cannot read: {e}"));
        summary.records = match opts.format {
            Format::Jsonl => {
                jsonl_batches(&mut *text, opts, &mut summary.fields, f).map_err(|e| match e {
                    ReadError::Io(e) => io_err(e),
                    ReadError::Callback(e) => e,
                })?
            }
            other => {
                let mut all = Vec::new();
                text.read_to_end(&mut all).map_err(io_err)?;
                let records = match other {
                    Format::Json => json_records(&all, opts.keep_raw).map_err(err)?,
                    Format::Csv => csv_records(&all, opts),
                    Format::Parquet => {
                        parquet_records(&all, opts.columns.as_deref()).map_err(err)?
                    }
                    Format::Jsonl => unreachable!("handled above"),
                };
                drop(all);
                summary.fields = match other {
                    Format::Csv | Format::Parquet => records.1.clone(),
                    _ => records
                        .0
                        .iter()
                        .find_map(|r| r.value.as_ref().ok())
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default(),
                };
                let n = records.0.len() as u64;
                emit_in_batches(records.0, opts.batch_bytes, f)?;
                n
            }
        };
        // Read what is left (a JSONL callback never stops early; this only drains trailing
        // bytes of a compressed stream), so the hash covers the whole object.
        std::io::copy(&mut text, &mut std::io::sink()).map_err(io_err)?;
    }
    std::io::copy(&mut hashing, &mut std::io::sink())
        .map_err(|e| err(format!("cannot read: {e}")))?;
    summary.bytes = hashing.bytes;
    summary.sha256 = hex::encode(hashing.hasher.finalize());
    Ok(summary)
}

/// Read one object held in memory (tests, fuzzing, benches).
pub fn read_bytes(
    bytes: &[u8],
    name: &str,
    opts: &ReadOptions,
    f: &mut dyn FnMut(Batch<'_>) -> Result<()>,
) -> Result<ObjectSummary> {
    read(bytes, name, name, opts, f)
}

/// Read one object held in memory into a vector of records.
pub fn read_all(
    bytes: &[u8],
    name: &str,
    opts: &ReadOptions,
) -> Result<(Vec<RawRecord>, ObjectSummary)> {
    let mut out = Vec::new();
    let summary = read_bytes(bytes, name, opts, &mut |b| {
        out.extend(b.into_records(opts.keep_raw));
        Ok(())
    })?;
    Ok((out, summary))
}

fn emit_in_batches(
    records: Vec<RawRecord>,
    batch_bytes: usize,
    f: &mut dyn FnMut(Batch<'_>) -> Result<()>,
) -> Result<()> {
    // Batches of a few thousand records: the formats read whole are small next to JSONL.
    let per_batch = (batch_bytes / 1024).clamp(1024, 1 << 20);
    let mut records = records.into_iter().peekable();
    while records.peek().is_some() {
        let batch: Vec<RawRecord> = records.by_ref().take(per_batch).collect();
        f(Batch::Records(batch))?;
    }
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Layers below the format.

/// Counts and hashes the bytes read through it.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8 { bom: bool },
    Utf16 { big_endian: bool, bom: bool },
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 { .. } => "utf-8",
            Encoding::Utf16 {
                big_endian: false, ..
            } => "utf-16le",
            Encoding::Utf16 {
                big_endian: true, ..
            } => "utf-16be",
        }
    }
}

/// The encoding from a BOM, or from the NUL pattern of ASCII in UTF-16 (`{\0"\0` / `\0{\0"`).
fn sniff_encoding(head: &[u8]) -> Encoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8 { bom: true };
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16 {
            big_endian: false,
            bom: true,
        };
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Encoding::Utf16 {
            big_endian: true,
            bom: true,
        };
    }
    if head.len() >= 4 {
        let ascii = |b: u8| (0x09..0x7f).contains(&b);
        if ascii(head[0]) && head[1] == 0 && ascii(head[2]) && head[3] == 0 {
            return Encoding::Utf16 {
                big_endian: false,
                bom: false,
            };
        }
        if head[0] == 0 && ascii(head[1]) && head[2] == 0 && ascii(head[3]) {
            return Encoding::Utf16 {
                big_endian: true,
                bom: false,
            };
        }
    }
    Encoding::Utf8 { bom: false }
}

/// UTF-16 to UTF-8, streaming. Unpaired surrogates become U+FFFD (the text is then not the
/// author's, but no byte of it is lost silently: the record still parses or is rejected).
struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    skip_bom: bool,
    pending: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: BufRead> Utf16Reader<R> {
    fn new(inner: R, big_endian: bool, bom: bool) -> Self {
        Self {
            inner,
            big_endian,
            skip_bom: bom,
            pending: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            eof: false,
        }
    }

    fn refill(&mut self) -> std::io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.eof {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                self.eof = true;
            } else {
                self.pending.extend_from_slice(chunk);
                let n = chunk.len();
                self.inner.consume(n);
            }
            if self.skip_bom && self.pending.len() >= 2 {
                self.pending.drain(..2);
                self.skip_bom = false;
            }
            // Decode whole code units, keeping a trailing high surrogate for the next round.
            let mut units: Vec<u16> = self
                .pending
                .chunks_exact(2)
                .map(|c| {
                    if self.big_endian {
                        u16::from_be_bytes([c[0], c[1]])
                    } else {
                        u16::from_le_bytes([c[0], c[1]])
                    }
                })
                .collect();
            let mut keep = self.pending.len() % 2;
            if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
                units.pop();
                keep += 2;
            }
            let tail = self.pending.split_off(self.pending.len() - keep);
            self.pending = tail;
            for c in char::decode_utf16(units) {
                let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
                let mut b = [0u8; 4];
                self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
            if self.eof && !self.pending.is_empty() {
                // An odd trailing byte.
                self.out.extend_from_slice("\u{FFFD}".as_bytes());
                self.pending.clear();
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.out_pos >= self.out.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

// -------------------------------------------------------------------------------------------------
// JSONL.

enum ReadError {
    Io(std::io::Error),
    Callback(Error),
}

/// Stream JSONL in batches of whole lines. Returns the number of records.
fn jsonl_batches(
    text: &mut dyn BufRead,
    opts: &ReadOptions,
    fields: &mut Vec<String>,
    f: &mut dyn FnMut(Batch<'_>) -> Result<()>,
) -> std::result::Result<u64, ReadError> {
    let batch_bytes = opts.batch_bytes.max(1);
    let mut buf: Vec<u8> = Vec::with_capacity(batch_bytes.min(64 << 20) + (1 << 16));
    // (line number, start, end) within `buf`.
    let mut spans: Vec<(u64, usize, usize)> = Vec::new();
    let mut too_long: Vec<RawRecord> = Vec::new();
    let mut line_no = 0u64;
    let mut next_index = 0u64;
    let mut first_index = 0u64;
    let mut flush = |buf: &mut Vec<u8>,
                     spans: &mut Vec<(u64, usize, usize)>,
                     too_long: &mut Vec<RawRecord>,
                     first_index: &mut u64,
                     next_index: u64|
     -> std::result::Result<(), ReadError> {
        if spans.is_empty() && too_long.is_empty() {
            buf.clear();
            return Ok(());
        }
        if fields.is_empty()
            && let Some((_, s, e)) = spans.first()
            && let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&buf[*s..*e])
        {
            *fields = m.keys().cloned().collect();
        }
        let lines: Vec<(u64, &[u8])> = spans.iter().map(|(l, s, e)| (*l, &buf[*s..*e])).collect();
        f(Batch::Lines {
            first_index: *first_index,
            lines,
            too_long: std::mem::take(too_long),
        })
        .map_err(ReadError::Callback)?;
        spans.clear();
        buf.clear();
        *first_index = next_index;
        Ok(())
    };
    loop {
        let start = buf.len();
        let (n, overflow) =
            read_line_capped(text, &mut buf, MAX_LINE_BYTES).map_err(ReadError::Io)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if overflow {
            buf.truncate(start);
            too_long.push(RawRecord {
                index: next_index,
                line: line_no,
                value: Err(format!(
                    "line longer than {} MiB: not read",
                    MAX_LINE_BYTES >> 20
                )),
                raw: None,
            });
            next_index += 1;
        } else {
            let mut end = buf.len();
            if buf[..end].ends_with(b"\n") {
                end -= 1;
            }
            if buf[start..end].ends_with(b"\r") {
                end -= 1;
            }
            if buf[start..end].iter().all(u8::is_ascii_whitespace) {
                buf.truncate(start);
            } else {
                spans.push((line_no, start, end));
                next_index += 1;
            }
        }
        if buf.len() >= batch_bytes || too_long.len() >= 1024 {
            flush(
                &mut buf,
                &mut spans,
                &mut too_long,
                &mut first_index,
                next_index,
            )?;
        }
    }
    flush(
        &mut buf,
        &mut spans,
        &mut too_long,
        &mut first_index,
        next_index,
    )?;
    Ok(next_index)
}

/// Append one line (with its `\n`) to `buf`; a line longer than `cap` is consumed but not kept
/// (returns `overflow`). Returns the bytes consumed (0 at the end).
fn read_line_capped(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<(usize, bool)> {
    let start = buf.len();
    let mut total = 0usize;
    let mut overflow = false;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((total, overflow));
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let n = chunk.len();
        if !overflow {
            if buf.len() - start + n > cap {
                overflow = true;
                buf.truncate(start);
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        r.consume(n);
        total += n;
        if done {
            return Ok((total, overflow));
        }
    }
}

/// Parse one JSONL line into an object.
pub fn parse_json_line(line: &[u8]) -> std::result::Result<Map<String, Value>, String> {
    let text = std::str::from_utf8(line)
        .map_err(|e| format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "expected a JSON object, found {}",
            json_type(&other)
        )),
        Err(e) => Err(format!(
            "malformed JSON at column {}: {}",
            e.column(),
            json_error(&e)
        )),
    }
}

/// A serde_json error in words that never quote the input: syntax errors are fixed phrases;
/// type errors (which quote values) are replaced.
pub fn json_error(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Data => "unexpected JSON type".to_string(),
        serde_json::error::Category::Io => "read error".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" at line ") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// `a string`, `an array`, ... for messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// -------------------------------------------------------------------------------------------------
// JSON.

/// A JSON array of records, or one object. The document must parse as a whole: an error names
/// the line and column and what was expected, never the text.
fn json_records(
    bytes: &[u8],
    keep_raw: bool,
) -> std::result::Result<(Vec<RawRecord>, Vec<String>), String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
    let trimmed = text.trim_start();
    let lead_lines = text[..text.len() - trimmed.len()].matches('\n').count() as u64;
    match trimmed.as_bytes().first() {
        Some(b'{') => {
            let value: Value = serde_json::from_str(text).map_err(|e| {
                format!(
                    "malformed JSON at line {} column {}: {}",
                    e.line(),
                    e.column(),
                    json_error(&e)
                )
            })?;
            let Value::Object(map) = value else {
                return Err("expected a JSON object or an array of records".into());
            };
            return Ok((
                vec![RawRecord {
                    index: 0,
                    line: 1 + lead_lines,
                    value: Ok(map),
                    raw: None,
                }],
                Vec::new(),
            ));
        }
        Some(b'[') => {}
        Some(_) => {
            let found = match serde_json::from_str::<Value>(text) {
                Ok(v) => json_type(&v).to_string(),
                Err(e) => format!(
                    "malformed JSON at line {} column {}: {}",
                    e.line(),
                    e.column(),
                    json_error(&e)
                ),
            };
            return Err(format!(
                "expected a JSON array of records or one object, found {found}"
            ));
        }
        None => return Ok((Vec::new(), Vec::new())),
    }
    let elements: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).map_err(|e| {
        format!(
            "expected a JSON array of records: malformed JSON at line {} column {}: {}",
            e.line(),
            e.column(),
            json_error(&e)
        )
    })?;
    // Line numbers from each element's position in the text.
    let base = text.as_ptr() as usize;
    let mut line = 1u64;
    let mut pos = 0usize;
    let mut positioned = Vec::with_capacity(elements.len());
    for raw in &elements {
        let start = raw.get().as_ptr() as usize - base;
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[pos..start]).count() as u64;
        pos = start;
        positioned.push((line, *raw));
    }
    let records = positioned
        .into_par_iter()
        .enumerate()
        .map(|(index, (line, raw))| {
            let value = match serde_json::from_str::<Value>(raw.get()) {
                Ok(Value::Object(map)) => Ok(map),
                Ok(other) => Err(format!(
                    "expected a JSON object, found {}",
                    json_type(&other)
                )),
                Err(e) => Err(format!("malformed JSON: {}", json_error(&e))),
            };
            let raw = (keep_raw && value.is_err()).then(|| raw.get().to_string());
            RawRecord {
                index: index as u64,
                line,
                value,
                raw,
            }
        })
        .collect();
    Ok((records, Vec::new()))
}

// -------------------------------------------------------------------------------------------------
// CSV.

/// One CSV record as fields, with its first and last physical lines.
struct CsvRow {
    line: u64,
    /// The byte range of the record in the input.
    span: (usize, usize),
    fields: std::result::Result<Vec<(usize, usize)>, String>,
}

/// Strict RFC 4180 CSV: `,` separates fields; `\n`, `\r\n` or `\r` ends a record outside quotes;
/// a field that starts with `"` is quoted, `""` inside it is a quote, and its closing quote must
/// be followed by `,`, the end of the record or the end of the file. Blank lines are skipped.
///
/// Recovery: a record that breaks these rules (a character after a closing quote, a quote that
/// never closes) is rejected, naming its first line, and reading resumes at the next physical
/// line after the one where that record started, so an unclosed quote costs one record instead
/// of silently swallowing the rows after it into a field.
fn csv_rows(bytes: &[u8]) -> Vec<CsvRow> {
    let mut rows = Vec::new();
    let mut pos = 0usize;
    let mut line = 1u64;
    let n = bytes.len();
    while pos < n {
        // Skip blank lines.
        match bytes[pos] {
            b'\n' => {
                pos += 1;
                line += 1;
                continue;
            }
            b'\r' => {
                pos += 1;
                if pos < n && bytes[pos] == b'\n' {
                    pos += 1;
                }
                line += 1;
                continue;
            }
            _ => {}
        }
        let start = pos;
        let start_line = line;
        let mut fields: Vec<(usize, usize)> = Vec::new();
        let mut error: Option<String> = None;
        let mut cur = line;
        'record: loop {
            // One field starting at `pos`.
            if pos < n && bytes[pos] == b'"' {
                let open_line = cur;
                pos += 1;
                let fstart = pos;
                loop {
                    match memchr::memchr3(b'"', b'\n', b'\r', &bytes[pos..]) {
                        None => {
                            error = Some(format!(
                                "malformed CSV: the quote opened on line {open_line} never closes"
                            ));
                            pos = n;
                            break 'record;
                        }
                        Some(i) => {
                            pos += i;
                            match bytes[pos] {
                                b'"' => {
                                    if pos + 1 < n && bytes[pos + 1] == b'"' {
                                        pos += 2;
                                        continue;
                                    }
                                    fields.push((fstart, pos));
                                    pos += 1;
                                    break;
                                }
                                b'\r' => {
                                    pos += 1;
                                    if pos < n && bytes[pos] == b'\n' {
                                        pos += 1;
                                    }
                                    cur += 1;
                                }
                                _ => {
                                    pos += 1;
                                    cur += 1;
                                }
                            }
                        }
                    }
                }
                // After a closing quote: `,`, end of record or end of input.
                if pos >= n {
                    break 'record;
                }
                match bytes[pos] {
                    b',' => {
                        pos += 1;
                        continue 'record;
                    }
                    b'\n' | b'\r' => break 'record,
                    _ => {
                        error = Some(format!(
                            "malformed CSV: a character follows the closing quote of field {} on line {cur} (an unclosed or stray quote)",
                            fields.len()
                        ));
                        break 'record;
                    }
                }
            } else {
                let fstart = pos;
                let end = memchr::memchr3(b',', b'\n', b'\r', &bytes[pos..])
                    .map(|i| pos + i)
                    .unwrap_or(n);
                fields.push((fstart, end));
                pos = end;
                if pos < n && bytes[pos] == b',' {
                    pos += 1;
                    if pos >= n {
                        // A trailing comma at the end of the input: one more empty field.
                        fields.push((pos, pos));
                    }
                    continue 'record;
                }
                break 'record;
            }
        }
        match error {
            None => {
                let end = pos;
                // Consume the record terminator.
                if pos < n && bytes[pos] == b'\r' {
                    pos += 1;
                }
                if pos < n && bytes[pos] == b'\n' {
                    pos += 1;
                }
                line = cur + 1;
                rows.push(CsvRow {
                    line: start_line,
                    span: (start, end),
                    fields: Ok(fields),
                });
            }
            Some(e) => {
                // Resume at the line after the record's first line.
                let next = next_line_start(bytes, start);
                rows.push(CsvRow {
                    line: start_line,
                    span: (start, next.min(n)),
                    fields: Err(e),
                });
                pos = next;
                line = start_line + 1;
            }
        }
    }
    rows
}

fn next_line_start(bytes: &[u8], from: usize) -> usize {
    match memchr::memchr2(b'\n', b'\r', &bytes[from..]) {
        None => bytes.len(),
        Some(i) => {
            let mut p = from + i;
            if bytes[p] == b'\r' && p + 1 < bytes.len() && bytes[p + 1] == b'\n' {
                p += 1;
            }
            p + 1
        }
    }
}

fn csv_field(bytes: &[u8], (s, e): (usize, usize)) -> std::result::Result<String, usize> {
    let raw = &bytes[s..e];
    let text = std::str::from_utf8(raw).map_err(|err| err.valid_up_to())?;
    Ok(if memchr::memmem::find(raw, b"\"\"").is_some() {
        text.replace("\"\"", "\"")
    } else {
        text.to_string()
    })
}

/// CSV with a header row into records whose values are all strings. See `csv_rows` for the
/// grammar. A row with another number of fields than the header, or invalid UTF-8, is a bad
/// record. A header that holds none of `required_columns` (when given) is not a header: every
/// row, the first included, becomes a bad record that says so. Returns the records and the
/// header.
pub fn csv_records(bytes: &[u8], opts: &ReadOptions) -> (Vec<RawRecord>, Vec<String>) {
    let rows = csv_rows(bytes);
    let raw_of = |r: &CsvRow| {
        opts.keep_raw
            .then(|| String::from_utf8_lossy(&bytes[r.span.0..r.span.1]).into_owned())
    };
    let Some(first) = rows.first() else {
        return (Vec::new(), Vec::new());
    };
    let header: std::result::Result<Vec<String>, String> = match &first.fields {
        Err(e) => Err(format!(
            "the header row (line {}) is unreadable: {e}",
            first.line
        )),
        Ok(fields) => fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                csv_field(bytes, *f)
                    .map(|s| s.trim().to_string())
                    .map_err(|b| format!("invalid UTF-8 in header field {i} at byte {b}"))
            })
            .collect(),
    };
    let headerless = match &header {
        Ok(h) => {
            !opts.required_columns.is_empty()
                && !opts.required_columns.iter().any(|c| h.contains(c))
        }
        Err(_) => true,
    };
    if headerless {
        let why = match &header {
            Err(e) => e.clone(),
            Ok(_) => format!(
                "the first row (line 1) has none of the columns {}: the file has no header row, or the spec names the wrong columns",
                opts.required_columns
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let records = rows
            .iter()
            .enumerate()
            .map(|(i, r)| RawRecord {
                index: i as u64,
                line: r.line,
                value: Err(format!("CSV without a usable header: {why}")),
                raw: raw_of(r),
            })
            .collect();
        return (records, header.unwrap_or_default());
    }
    let header = header.expect("invariant: a usable header was read");
    let mut dup = std::collections::BTreeSet::new();
    let duplicate: Option<&String> = header.iter().find(|h| !dup.insert(h.as_str()));
    let records = rows[1..]
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let value = match &r.fields {
                Err(e) => Err(e.clone()),
                Ok(_) if duplicate.is_some() => Err(format!(
                    "the CSV header names column `{}` twice",
                    duplicate.map(String::as_str).unwrap_or_default()
                )),
                Ok(fields) if fields.len() != header.len() => Err(format!(
                    "malformed CSV: expected {} fields, found {}",
                    header.len(),
                    fields.len()
                )),
                Ok(fields) => {
                    let mut map = Map::with_capacity(header.len());
                    let mut bad = None;
                    for (h, f) in header.iter().zip(fields) {
                        match csv_field(bytes, *f) {
                            Ok(s) => {
                                map.insert(h.clone(), Value::String(s));
                            }
                            Err(b) => {
                                bad = Some(format!("invalid UTF-8 in column `{h}` at byte {b}"));
                                break;
                            }
                        }
                    }
                    match bad {
                        Some(e) => Err(e),
                        None => Ok(map),
                    }
                }
            };
            let raw = if value.is_err() { raw_of(r) } else { None };
            RawRecord {
                index: i as u64,
                line: r.line,
                value,
                raw,
            }
        })
        .collect();
    (records, header)
}

// -------------------------------------------------------------------------------------------------
// Parquet.

/// Parquet rows as JSON objects: every column type is converted without panicking (binary as
/// text when it is UTF-8, else `{"binary_bytes": n}`; decimals, dates and times as strings;
/// lists and structs nested; NaN and infinities as null). Returns the records and the columns.
pub fn parquet_records(
    bytes: &[u8],
    columns: Option<&[String]>,
) -> std::result::Result<(Vec<RawRecord>, Vec<String>), String> {
    let (df, all) = crate::schema::parquet::read_with_names(bytes, columns)?;
    let cols: Vec<Series> = crate::error::catch_panic(|| {
        df.columns()
            .iter()
            .map(|c| c.as_materialized_series().rechunk())
            .collect()
    })
    .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    let names: Vec<String> = cols.iter().map(|s| s.name().to_string()).collect();
    let records = (0..df.height())
        .into_par_iter()
        .map(|row| {
            // A value the decoder accepted may still panic when converted (a date out of
            // range): that row is rejected, the others are read.
            let value = crate::error::catch_panic(|| {
                let mut map = Map::with_capacity(cols.len());
                for (name, s) in names.iter().zip(&cols) {
                    match s.get(row) {
                        Ok(av) => {
                            map.insert(name.clone(), any_to_json(&av));
                        }
                        Err(_) => {
                            return Err(format!(
                                "Parquet column `{}` row {row} is unreadable",
                                crate::error::echo(name)
                            ));
                        }
                    }
                }
                Ok(map)
            })
            .unwrap_or_else(|e| Err(format!("Parquet row {row} is unreadable: {e}")));
            RawRecord {
                index: row as u64,
                line: row as u64 + 1,
                value,
                raw: None,
            }
        })
        .collect();
    Ok((records, all))
}

/// One Polars value as JSON (see [`parquet_records`]).
pub fn any_to_json(av: &AnyValue<'_>) -> Value {
    use serde_json::Number;
    match av {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(*b),
        AnyValue::String(s) => Value::String((*s).to_string()),
        AnyValue::StringOwned(s) => Value::String(s.to_string()),
        AnyValue::UInt8(v) => Value::from(*v),
        AnyValue::UInt16(v) => Value::from(*v),
        AnyValue::UInt32(v) => Value::from(*v),
        AnyValue::UInt64(v) => Value::from(*v),
        AnyValue::Int8(v) => Value::from(*v),
        AnyValue::Int16(v) => Value::from(*v),
        AnyValue::Int32(v) => Value::from(*v),
        AnyValue::Int64(v) => Value::from(*v),
        AnyValue::UInt128(v) => Value::String(v.to_string()),
        AnyValue::Int128(v) => Value::String(v.to_string()),
        AnyValue::Float32(v) => Number::from_f64(f64::from(*v))
            .map(Value::Number)
            .unwrap_or(Value::Null),
        AnyValue::Float16(v) => Number::from_f64(f64::from(v.0.to_f32()))
            .map(Value::Number)
            .unwrap_or(Value::Null),
        AnyValue::Float64(v) => Number::from_f64(*v)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        AnyValue::Binary(b) => binary_json(b),
        AnyValue::BinaryOwned(b) => binary_json(b),
        AnyValue::List(s) => list_json(s),
        AnyValue::Struct(..) | AnyValue::StructOwned(..) => {
            let mut map = Map::new();
            if let AnyValue::StructOwned(b) = av {
                for (v, f) in b.0.iter().zip(&b.1) {
                    map.insert(f.name().to_string(), any_to_json(v));
                }
            } else if let AnyValue::Struct(_, _, fields) = av {
                for (v, f) in av._iter_struct_av().zip(fields.iter()) {
                    map.insert(f.name().to_string(), any_to_json(&v));
                }
            }
            Value::Object(map)
        }
        // Dates, times, durations, decimals, categoricals and anything newer: their text form.
        other => Value::String(other.to_string()),
    }
}

fn binary_json(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => Value::String(s.to_string()),
        Err(_) => {
            let mut m = Map::new();
            m.insert("binary_bytes".into(), Value::from(b.len()));
            Value::Object(m)
        }
    }
}

fn list_json(s: &Series) -> Value {
    let s = s.rechunk();
    Value::Array(
        (0..s.len())
            .map(|i| s.get(i).map(|v| any_to_json(&v)).unwrap_or(Value::Null))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(bytes: &[u8], name: &str, format: Format) -> Vec<RawRecord> {
        read_all(bytes, name, &ReadOptions::new(format)).unwrap().0
    }

    #[test]
    fn jsonl_lines_blank_lines_and_errors() {
        let recs = records(
            b"{\"a\":1}\n\n{\"a\":\n\xff\n[1]\n",
            "x.jsonl",
            Format::Jsonl,
        );
        assert_eq!(recs.len(), 4);
        assert_eq!((recs[0].index, recs[0].line), (0, 1));
        assert!(recs[0].value.is_ok());
        assert_eq!((recs[1].index, recs[1].line), (1, 3));
        assert!(
            recs[1]
                .value
                .as_ref()
                .unwrap_err()
                .starts_with("malformed JSON")
        );
        assert!(
            recs[2]
                .value
                .as_ref()
                .unwrap_err()
                .contains("invalid UTF-8")
        );
        assert!(
            recs[3]
                .value
                .as_ref()
                .unwrap_err()
                .contains("found an array")
        );
    }

    #[test]
    fn jsonl_small_batches_keep_indices_and_lines() {
        let text: String = (0..100).map(|i| format!("{{\"i\":{i}}}\n\n")).collect();
        let mut opts = ReadOptions::new(Format::Jsonl);
        opts.batch_bytes = 7;
        let (recs, summary) = read_all(text.as_bytes(), "x.jsonl", &opts).unwrap();
        assert_eq!(summary.records, 100);
        for (i, r) in recs.iter().enumerate() {
            assert_eq!(r.index, i as u64);
            assert_eq!(r.line, 2 * i as u64 + 1);
            assert_eq!(r.value.as_ref().unwrap()["i"], i as u64);
        }
    }

    #[test]
    fn compressed_input_by_name_and_by_magic() {
        use std::io::Write;
        let text = b"{\"a\":1}\n{\"a\":2}\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        for (bytes, name) in [
            (&gz, "a.jsonl.gz"),
            (&gz, "a.jsonl"),
            (&zst, "a.jsonl.zst"),
            (&zst, "a.jsonl"),
        ] {
            let (recs, summary) = read_all(bytes, name, &ReadOptions::new(Format::Jsonl)).unwrap();
            assert_eq!(recs.len(), 2, "{name}");
            assert!(recs.iter().all(|r| r.value.is_ok()), "{name}");
            assert_eq!(summary.bytes, bytes.len() as u64);
        }
        assert_eq!(Format::from_path("x/a.JSONL.gz"), Some(Format::Jsonl));
        assert_eq!(Format::from_path("a.csv.zst"), Some(Format::Csv));
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "{\"a\":\"é ☕ 🙂\"}\n{\"a\":2}\n";
        for (bom, be) in [(true, false), (true, true), (false, false), (false, true)] {
            let mut bytes = Vec::new();
            if bom {
                bytes.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
            }
            for u in text.encode_utf16() {
                bytes.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            let (recs, summary) =
                read_all(&bytes, "a.jsonl", &ReadOptions::new(Format::Jsonl)).unwrap();
            assert_eq!(recs.len(), 2, "bom {bom} be {be}");
            assert_eq!(recs[0].value.as_ref().unwrap()["a"], "é ☕ 🙂");
            assert_eq!(summary.encoding, if be { "utf-16be" } else { "utf-16le" });
        }
    }

    #[test]
    fn json_one_string_error_does_not_quote_it() {
        let e = read_all(
            br#""my secret text""#,
            "a.json",
            &ReadOptions::new(Format::Json),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("found a string"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        let e = read_all(
            br#"["a", {"b": "secret"}"#,
            "a.json",
            &ReadOptions::new(Format::Json),
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("secret"), "{e}");
    }

    fn csv(text: &str, required: &[&str]) -> Vec<(u64, std::result::Result<Vec<String>, String>)> {
        let mut opts = ReadOptions::new(Format::Csv);
        opts.required_columns = required.iter().map(|s| s.to_string()).collect();
        let (recs, _) = read_all(text.as_bytes(), "a.csv", &opts).unwrap();
        recs.into_iter()
            .map(|r| {
                (
                    r.line,
                    r.value.map(|m| {
                        m.values()
                            .map(|v| v.as_str().unwrap().to_string())
                            .collect()
                    }),
                )
            })
            .collect()
    }

    #[test]
    fn csv_quotes_multiline_and_crlf() {
        let rows = csv("id,q,a\r\n1,\"x, \"\"y\"\"\nz\",w\r\n\r\n2,b,c", &[]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1.as_ref().unwrap(), &["1", "x, \"y\"\nz", "w"]);
        assert_eq!(rows[1].0, 5);
        assert_eq!(rows[1].1.as_ref().unwrap(), &["2", "b", "c"]);
    }

    #[test]
    fn csv_unclosed_quote_costs_one_record() {
        // Row 1's quote never closes properly: it is rejected, rows 2 and 3 are read.
        let rows = csv("id,q,a\n1,\"unclosed,x\n2,\"q2\",\"a2\"\n3,q3,a3\n", &[]);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows[0].1.as_ref().unwrap_err().contains("malformed CSV"));
        assert_eq!(rows[1].1.as_ref().unwrap(), &["2", "q2", "a2"]);
        assert_eq!(rows[2].1.as_ref().unwrap(), &["3", "q3", "a3"]);
        // A quote open until the end of the file.
        let rows = csv("id,q,a\n1,\"open,x\n2,b,c\n", &[]);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows[0].1.as_ref().unwrap_err().contains("never closes"));
        assert_eq!(rows[1].1.as_ref().unwrap(), &["2", "b", "c"]);
    }

    #[test]
    fn csv_without_header_keeps_every_row() {
        let rows = csv("1,hello,world\n2,foo,bar\n", &["question", "answer"]);
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|r| r.1.as_ref().unwrap_err().contains("header"))
        );
        assert_eq!(rows[0].0, 1);
        // A header with one of the columns is a header.
        let rows = csv("question,answr\nq,a\n", &["question", "answer"]);
        assert_eq!(rows.len(), 1);
        assert!(rows[0].1.is_ok());
    }

    #[test]
    fn csv_ragged_rows_and_trailing_comma() {
        let rows = csv("a,b\n1,2,3\n4,\n5", &[]);
        assert_eq!(rows.len(), 3);
        assert!(
            rows[0]
                .1
                .as_ref()
                .unwrap_err()
                .contains("expected 2 fields, found 3")
        );
        assert_eq!(rows[1].1.as_ref().unwrap(), &["4", ""]);
        assert!(rows[2].1.is_err());
    }

    #[test]
    fn parquet_with_binary_and_decimal_like_columns_reads() {
        let mut df = df!(
            "id" => ["a", "b"],
            "bin" => [&b"\xff\x00"[..], &b"ok"[..]],
            "f" => [f64::NAN, 1.5],
        )
        .unwrap();
        let bytes = crate::schema::parquet_bytes(&mut df).unwrap();
        let (recs, summary) =
            read_all(&bytes, "x.parquet", &ReadOptions::new(Format::Parquet)).unwrap();
        assert_eq!(summary.fields, ["id", "bin", "f"]);
        let a = recs[0].value.as_ref().unwrap();
        assert_eq!(a["bin"]["binary_bytes"], 2);
        assert_eq!(a["f"], Value::Null);
        assert_eq!(recs[1].value.as_ref().unwrap()["bin"], "ok");
    }
}
