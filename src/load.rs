//! Load: read every object of every source through [`Storage`], parse its format (JSONL, JSON,
//! CSV, Parquet), map each record to canonical messages, and clean its text (see
//! [`crate::normalize::clean_text`]).
//!
//! Output: [`Conversation`]s in source / object / record order, and one [`Rejection`] per record
//! that could not be mapped, with its reason, file and line. Nothing here looks at the content
//! beyond parsing it; rejection reasons never quote record text.
//!
//! Record ids: `<source>/<key>`, key = the id field as a string, else
//! `<object path relative to the glob root>#<0-based record index>`; a repeated id value gets
//! `#<n>` for its n-th occurrence (0-based, so the second copy is `#1`), in object and file order.
//! Blank JSONL lines are not records. An empty object yields one rejection (`empty file`), so it
//! shows in the ledger.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::normalize::clean_text;
use crate::records::{Format, RawRecord, ReadOptions, json_type};
use crate::spec::{Mapping, SourcePlan, SplitRule, canonical_split};
use crate::storage::{Object, Storage, lexical};

/// One ChatML message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

/// One loaded conversation in the canonical schema (before the derived columns).
#[derive(Debug, Clone)]
pub struct Conversation {
    pub record_id: String,
    pub source: String,
    pub family: String,
    pub split: String,
    pub messages: Vec<Message>,
    pub license: String,
    pub origin_uri: String,
    pub origin_sha256: String,
    /// 0-based record index within the object.
    pub origin_row: u64,
    /// 1-based line where the record starts (0 when unknown).
    pub origin_line: u64,
    /// JSON object of the source's `columns.metadata` fields.
    pub metadata: Option<String>,
    pub priority: i64,
    /// Empty turns dropped while mapping.
    pub empty_turns: u32,
    /// Preference records: `messages` holds the prompt, then the chosen, then the rejected
    /// messages; this is (prompt messages, chosen messages). `None` for every other mapping.
    pub preference: Option<(u32, u32)>,
}

/// A record that could not be loaded.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub record_id: String,
    pub source: String,
    pub origin_uri: String,
    pub origin_row: Option<u64>,
    pub origin_line: Option<u64>,
    pub reason: String,
}

/// One input object, for release.json and the inventory.
#[derive(Debug, Clone, Serialize)]
pub struct InputObject {
    pub source: String,
    pub uri: String,
    pub sha256: String,
    pub bytes: u64,
    pub format: Format,
    pub records: u64,
    /// Field names of the first readable record (CSV: the header; Parquet: the columns).
    pub fields: Vec<String>,
    /// `none`, `gzip` or `zstd`.
    pub codec: &'static str,
    /// `utf-8`, `utf-16le` or `utf-16be`.
    pub encoding: &'static str,
}

/// Everything loaded from one source.
#[derive(Debug, Default)]
pub struct SourceLoad {
    pub conversations: Vec<Conversation>,
    pub rejections: Vec<Rejection>,
    pub inputs: Vec<InputObject>,
}

/// What loading one source did, for `stats.json` (`load`) and its gates.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    /// Records read (loaded + rejected).
    pub read: u64,
    /// Records loaded: read and mapped to a conversation.
    pub loaded: u64,
    pub rejected: u64,
    /// `rejected / read` (0 when nothing was read).
    pub rejection_rate: f64,
    /// The most common rejection reasons (without their file and line), most common first.
    pub top_reasons: Vec<(String, u64)>,
}

impl LoadReport {
    /// The report of one source's load.
    pub fn of(load: &SourceLoad) -> Self {
        let loaded = load.conversations.len() as u64;
        let rejected = load.rejections.len() as u64;
        let read = loaded + rejected;
        let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
        for r in &load.rejections {
            let reason = r
                .reason
                .rsplit_once(" (")
                .map_or(r.reason.as_str(), |(a, _)| a);
            *reasons.entry(reason).or_default() += 1;
        }
        let mut top: Vec<(String, u64)> = reasons
            .into_iter()
            .map(|(r, n)| (r.to_string(), n))
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(5);
        Self {
            read,
            loaded,
            rejected,
            rejection_rate: if read == 0 {
                0.0
            } else {
                rejected as f64 / read as f64
            },
            top_reasons: top,
        }
    }
}

/// Load one source.
#[tracing::instrument(skip_all, fields(source = %source.name))]
pub fn load_source(storage: &Storage, source: &SourcePlan, spec_dir: &Path) -> Result<SourceLoad> {
    let objects = storage.glob(&source.resolved_uri)?;
    if objects.is_empty() {
        return Err(Error::Source {
            source_name: source.name.clone(),
            uri: source.uri.clone(),
            message: "matched no object".into(),
        });
    }
    let mut out = SourceLoad::default();
    for object in &objects {
        let format = source
            .format
            .or_else(|| Format::from_path(&object.rel))
            .ok_or_else(|| Error::Source {
                source_name: source.name.clone(),
                uri: object.location.uri.clone(),
                message: "cannot tell the format from the file name: set `format` in the spec"
                    .into(),
            })?;
        let origin_uri = display_uri(spec_dir, object);
        let in_source = |e: Error| match e {
            Error::Input { uri, message } => Error::Source {
                source_name: source.name.clone(),
                uri,
                message,
            },
            other => other,
        };
        let reader = storage.reader(&object.location).map_err(in_source)?;
        load_reader(source, &object.rel, &origin_uri, reader, format, &mut out)
            .map_err(in_source)?;
    }
    number_repeated_ids(&mut out);
    tracing::info!(
        objects = out.inputs.len(),
        conversations = out.conversations.len(),
        rejected = out.rejections.len(),
        "loaded"
    );
    Ok(out)
}

/// Load one object's bytes into `out` (`rel`: its path relative to the glob root, used in
/// fallback record ids; `origin_uri`: how the ledger names it).
pub fn load_object(
    source: &SourcePlan,
    rel: &str,
    origin_uri: &str,
    bytes: &[u8],
    format: Format,
    out: &mut SourceLoad,
) -> Result<()> {
    load_reader(source, rel, origin_uri, bytes, format, out)
}

/// The record reader's options for a source: for CSV, the columns its mapping needs (a first row
/// with none of them is data, not a header).
pub fn read_options(source: &SourcePlan, format: Format) -> ReadOptions {
    let c = &source.columns;
    let mut required: Vec<String> = match source.mapping {
        Mapping::Chatml => vec![c.messages.clone()],
        Mapping::Sharegpt => vec![c.conversations.clone()],
        Mapping::Qa => {
            let mut v = c.question.clone();
            v.push(c.answer.clone());
            v
        }
        Mapping::Turns => vec![
            c.conversation.clone(),
            c.speaker.clone(),
            c.content.clone(),
            c.turn.clone(),
        ],
        Mapping::Dialog => vec![c.dialog.clone()],
        Mapping::Text => vec![c.text.clone()],
        Mapping::Preference => vec![c.prompt.clone(), c.chosen.clone(), c.rejected.clone()],
    };
    if c.id_explicit {
        required.push(c.id.clone());
    }
    let mut opts = ReadOptions::new(format);
    if format == Format::Parquet {
        // Read only what the mapping uses: an exotic column nobody maps never matters.
        let mut columns = required.clone();
        columns.push(c.id.clone());
        if let SplitRule::Column(col) = &source.split {
            columns.push(col.clone());
        }
        columns.extend(c.context.iter().cloned());
        columns.extend(c.metadata.iter().cloned());
        opts.columns = Some(columns);
    }
    opts.required_columns = required;
    opts
}

fn load_reader(
    source: &SourcePlan,
    rel: &str,
    origin_uri: &str,
    reader: impl std::io::Read,
    format: Format,
    out: &mut SourceLoad,
) -> Result<()> {
    let ctx = ObjectCtx {
        source,
        rel,
        origin_uri,
        sha256: "",
    };
    let before_conv = out.conversations.len();
    let before = out.conversations.len() + out.rejections.len();
    let opts = read_options(source, format);
    let mut turns_rows: Vec<RawRecord> = Vec::new();
    let summary = crate::records::read(reader, rel, origin_uri, &opts, &mut |batch| {
        let raw = batch.into_records(false);
        if source.mapping == Mapping::Turns {
            turns_rows.extend(raw);
        } else {
            let mapped: Vec<_> = raw.into_par_iter().map(|r| map_record(r, &ctx)).collect();
            for m in mapped {
                match m {
                    Ok(c) => out.conversations.push(c),
                    Err(r) => out.rejections.push(*r),
                }
            }
        }
        Ok(())
    })?;
    if source.mapping == Mapping::Turns {
        map_turns(turns_rows, &ctx, out);
    }
    for c in &mut out.conversations[before_conv..] {
        c.origin_sha256.clone_from(&summary.sha256);
    }
    if summary.records == 0 {
        out.rejections.push(Rejection {
            record_id: format!("{}/{}#0", source.name, encode_key(rel)),
            source: source.name.clone(),
            origin_uri: origin_uri.to_string(),
            origin_row: None,
            origin_line: None,
            reason: format!("empty file: {origin_uri} has no records"),
        });
    }
    let records = (out.conversations.len() + out.rejections.len() - before) as u64;
    out.inputs.push(InputObject {
        source: source.name.clone(),
        uri: origin_uri.to_string(),
        sha256: summary.sha256,
        bytes: summary.bytes,
        format,
        records,
        fields: summary.fields,
        codec: summary.codec,
        encoding: summary.encoding,
    });
    Ok(())
}

/// A key in a record id: `%` and `#` percent-encoded (`%25`, `%23`), so that `#` only ever
/// separates a record index or an occurrence number and ids never collide.
pub fn encode_key(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['%', '#']) {
        std::borrow::Cow::Owned(key.replace('%', "%25").replace('#', "%23"))
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// Repeated ids get `#n` (n = the occurrence, 0-based) in object and file order, over
/// conversations and rejections alike.
pub fn number_repeated_ids(out: &mut SourceLoad) {
    let mut order: Vec<(u64, u64, usize, bool)> = Vec::new();
    for (i, c) in out.conversations.iter().enumerate() {
        order.push((
            object_order(&out.inputs, &c.origin_uri),
            c.origin_row,
            i,
            true,
        ));
    }
    for (i, r) in out.rejections.iter().enumerate() {
        order.push((
            object_order(&out.inputs, &r.origin_uri),
            r.origin_row.unwrap_or(0),
            i,
            false,
        ));
    }
    order.sort_unstable();
    let mut id_seen: HashMap<String, u64> = HashMap::new();
    for (_, _, i, is_conv) in order {
        let id = if is_conv {
            &mut out.conversations[i].record_id
        } else {
            &mut out.rejections[i].record_id
        };
        let n = id_seen.entry(id.clone()).or_insert(0);
        if *n > 0 {
            id.push_str(&format!("#{n}"));
        }
        *n += 1;
    }
}

fn object_order(inputs: &[InputObject], uri: &str) -> u64 {
    inputs.iter().position(|i| i.uri == uri).unwrap_or(0) as u64
}

/// The origin URI recorded in the ledger and manifest: local paths relative to the spec's folder
/// (so releases are byte-identical across checkouts), remote URIs as they are.
fn display_uri(spec_dir: &Path, object: &Object) -> String {
    if !object.location.is_local() {
        return object.location.uri.clone();
    }
    relative_path(
        &lexical(spec_dir),
        &lexical(Path::new(&object.location.uri)),
    )
}

/// `path` relative to `base` (both absolute, normalised), with `..` where needed and `/` separators.
pub fn relative_path(base: &Path, path: &Path) -> String {
    let b: Vec<_> = base.components().collect();
    let p: Vec<_> = path.components().collect();
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

struct ObjectCtx<'a> {
    source: &'a SourcePlan,
    rel: &'a str,
    origin_uri: &'a str,
    sha256: &'a str,
}

impl ObjectCtx<'_> {
    /// A conversation of this object (source fields and provenance filled in; no empty turns,
    /// not a preference pair).
    fn conversation(
        &self,
        record_id: String,
        split: String,
        messages: Vec<Message>,
        metadata: Option<String>,
        index: u64,
        line: u64,
    ) -> Conversation {
        let s = self.source;
        Conversation {
            record_id,
            source: s.name.clone(),
            family: s.family.clone(),
            split,
            messages,
            license: s.license.clone(),
            origin_uri: self.origin_uri.to_string(),
            origin_sha256: self.sha256.to_string(),
            origin_row: index,
            origin_line: line,
            metadata,
            priority: s.priority,
            empty_turns: 0,
            preference: None,
        }
    }

    fn fallback_id(&self, index: u64) -> String {
        format!("{}/{}#{index}", self.source.name, encode_key(self.rel))
    }

    fn reject(&self, id: Option<String>, index: u64, line: u64, reason: String) -> Rejection {
        let where_ = if line > 0 {
            format!("{} line {line}", self.origin_uri)
        } else {
            format!("{} record {index}", self.origin_uri)
        };
        Rejection {
            record_id: id.unwrap_or_else(|| self.fallback_id(index)),
            source: self.source.name.clone(),
            origin_uri: self.origin_uri.to_string(),
            origin_row: Some(index),
            origin_line: (line > 0).then_some(line),
            reason: format!("{reason} ({where_})"),
        }
    }
}

// -------------------------------------------------------------------------------------------------
// Mappings.

/// A field as text: strings as they are, numbers and booleans printed, null/missing as None.
fn field_str(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// A value from a record as it may appear in a reason: never the value itself (it may be a
/// name or an e-mail address), only a hash to find it by and its length.
fn label(s: &str) -> String {
    format!(
        "#{:08x} ({} chars)",
        xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as u32,
        s.chars().count()
    )
}

/// A row with the line it starts on.
type LineRow = (u64, Map<String, Value>);

struct Turn {
    speaker: String,
    content: String,
}

fn map_record(
    raw: RawRecord,
    ctx: &ObjectCtx<'_>,
) -> std::result::Result<Conversation, Box<Rejection>> {
    let RawRecord {
        index, line, value, ..
    } = raw;
    let map = value.map_err(|reason| Box::new(ctx.reject(None, index, line, reason)))?;
    let s = ctx.source;
    let id = record_id(&map, ctx, index);
    let fail = |reason: String| Box::new(ctx.reject(id.clone().ok(), index, line, reason));
    let id = id.clone().map_err(&fail)?;
    let split = record_split(&map, ctx).map_err(&fail)?;
    let turns = match s.mapping {
        Mapping::Chatml => list_turns(
            &map,
            &s.columns.messages,
            &s.columns.speaker,
            &s.columns.content,
        ),
        Mapping::Sharegpt => list_turns(
            &map,
            &s.columns.conversations,
            &s.columns.speaker,
            &s.columns.content,
        ),
        Mapping::Dialog => list_turns(
            &map,
            &s.columns.dialog,
            &s.columns.speaker,
            &s.columns.content,
        ),
        Mapping::Qa => qa_turns(&map, s),
        Mapping::Text => text_turns(&map, s),
        Mapping::Preference => {
            let metadata = metadata(&map, &s.columns.metadata);
            return preference_conversation(ctx, &map, id, split, metadata, index, line)
                .map_err(&fail);
        }
        Mapping::Turns => unreachable!("turns are mapped per object"),
    }
    .map_err(&fail)?;
    let context = s
        .columns
        .context
        .as_deref()
        .and_then(|c| field_str(&map, c));
    let metadata = metadata(&map, &s.columns.metadata);
    build_conversation(ctx, id, split, context, turns, metadata, index, line).map_err(&fail)
}

fn record_id(
    map: &Map<String, Value>,
    ctx: &ObjectCtx<'_>,
    index: u64,
) -> std::result::Result<String, String> {
    let col = &ctx.source.columns.id;
    match field_str(map, col).filter(|v| !v.trim().is_empty()) {
        Some(v) => Ok(format!("{}/{}", ctx.source.name, encode_key(v.trim()))),
        None if ctx.source.columns.id_explicit => Err(format!("missing id field `{col}`")),
        None => Ok(ctx.fallback_id(index)),
    }
}

fn record_split(
    map: &Map<String, Value>,
    ctx: &ObjectCtx<'_>,
) -> std::result::Result<String, String> {
    match &ctx.source.split {
        SplitRule::Fixed(s) => Ok(s.clone()),
        SplitRule::FromFilename => {
            split_from_filename(ctx.rel)
                .map(str::to_string)
                .ok_or_else(|| {
                    format!(
                        "no split (train, valid, val, dev, validation, test) in the file name `{}`",
                        ctx.rel
                    )
                })
        }
        SplitRule::Column(col) => match field_str(map, col).filter(|v| !v.trim().is_empty()) {
            None => Ok("train".into()),
            Some(v) => canonical_split(&v)
                .map(str::to_string)
                .ok_or_else(|| format!("unknown split value {} in field `{col}`", label(&v))),
        },
    }
}

/// `train` / `valid|val|dev|validation` / `test` as a word of the file name.
pub fn split_from_filename(rel: &str) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(canonical_split)
}

fn list_turns(
    map: &Map<String, Value>,
    list_key: &str,
    speaker_key: &str,
    content_key: &str,
) -> std::result::Result<Vec<Turn>, String> {
    let list = match map.get(list_key) {
        None | Some(Value::Null) => return Err(format!("missing field `{list_key}`")),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(format!(
                "field `{list_key}` must be a list of turns, found {}",
                json_type(other)
            ));
        }
    };
    let mut turns = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let Value::Object(turn) = item else {
            return Err(format!(
                "turn {i} of `{list_key}` is {}, not an object",
                json_type(item)
            ));
        };
        let speaker = field_str(turn, speaker_key)
            .ok_or_else(|| format!("turn {i} of `{list_key}` has no `{speaker_key}`"))?;
        let content = match turn.get(content_key) {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => String::new(),
            Some(other) => {
                return Err(format!(
                    "turn {i} of `{list_key}`: `{content_key}` is {}, not a string",
                    json_type(other)
                ));
            }
        };
        turns.push(Turn { speaker, content });
    }
    Ok(turns)
}

fn qa_turns(map: &Map<String, Value>, s: &SourcePlan) -> std::result::Result<Vec<Turn>, String> {
    let mut parts = Vec::new();
    for q in &s.columns.question {
        if !map.contains_key(q) {
            return Err(format!("missing required column `{q}`"));
        }
        if let Some(v) = field_str(map, q).filter(|v| !v.trim().is_empty()) {
            parts.push(v);
        }
    }
    if !map.contains_key(&s.columns.answer) {
        return Err(format!("missing required column `{}`", s.columns.answer));
    }
    let answer = field_str(map, &s.columns.answer).unwrap_or_default();
    if parts.is_empty() {
        return Err("empty question".into());
    }
    if answer.trim().is_empty() {
        return Err("empty answer".into());
    }
    Ok(vec![
        Turn {
            speaker: "user".into(),
            content: parts.join("\n\n"),
        },
        Turn {
            speaker: "assistant".into(),
            content: answer,
        },
    ])
}

fn text_turns(map: &Map<String, Value>, s: &SourcePlan) -> std::result::Result<Vec<Turn>, String> {
    let key = &s.columns.text;
    match map.get(key) {
        None | Some(Value::Null) => Err(format!("missing field `{key}`")),
        Some(Value::String(t)) => Ok(vec![Turn {
            speaker: "user".into(),
            content: t.clone(),
        }]),
        Some(other) => Err(format!(
            "field `{key}` must be a string, found {}",
            json_type(other)
        )),
    }
}

/// One part of a preference record: a string (one message of `role`) or a list of messages.
fn preference_part(
    map: &Map<String, Value>,
    key: &str,
    role: &str,
    s: &SourcePlan,
) -> std::result::Result<Vec<Message>, String> {
    let turns = match map.get(key) {
        None | Some(Value::Null) => return Err(format!("missing field `{key}`")),
        Some(Value::String(t)) => vec![Turn {
            speaker: role.into(),
            content: t.clone(),
        }],
        Some(Value::Array(_)) => list_turns(map, key, &s.columns.speaker, &s.columns.content)?,
        Some(other) => {
            return Err(format!(
                "field `{key}` must be a string or a list of messages, found {}",
                json_type(other)
            ));
        }
    };
    let (messages, _) = clean_messages(turns, s)?;
    if messages.is_empty() {
        return Err(format!("field `{key}` is empty after cleaning"));
    }
    Ok(messages)
}

/// `preference`: prompt, chosen and rejected, concatenated into `messages` with the part sizes
/// in `Conversation::preference`.
fn preference_conversation(
    ctx: &ObjectCtx<'_>,
    map: &Map<String, Value>,
    record_id: String,
    split: String,
    metadata: Option<String>,
    index: u64,
    line: u64,
) -> std::result::Result<Conversation, String> {
    let s = ctx.source;
    let c = &s.columns;
    let mut prompt = preference_part(map, &c.prompt, "user", s)?;
    let chosen = preference_part(map, &c.chosen, "assistant", s)?;
    let rejected = preference_part(map, &c.rejected, "assistant", s)?;
    if !prompt.iter().any(|m| m.role == "user") {
        return Err(format!("prompt `{}` has no user message", c.prompt));
    }
    for (name, part) in [(&c.chosen, &chosen), (&c.rejected, &rejected)] {
        if !part.iter().any(|m| m.role == "assistant") {
            return Err(format!("`{name}` has no assistant message"));
        }
    }
    if chosen == rejected {
        return Err(format!(
            "`{}` and `{}` are identical: no preference to learn",
            c.chosen, c.rejected
        ));
    }
    if let Some(system) = context_message(c.context.as_deref().and_then(|k| field_str(map, k)), s) {
        prompt.insert(0, system);
    }
    let preference = Some((prompt.len() as u32, chosen.len() as u32));
    let mut messages = prompt;
    messages.extend(chosen);
    messages.extend(rejected);
    Ok(Conversation {
        preference,
        ..ctx.conversation(record_id, split, messages, metadata, index, line)
    })
}

/// A record's context field as a leading system message (none when absent or empty).
fn context_message(context: Option<String>, s: &SourcePlan) -> Option<Message> {
    let content = clean_text(&context?, s.html);
    (!content.is_empty()).then(|| Message {
        role: "system".into(),
        content,
    })
}

/// Turns to cleaned messages: roles mapped, text cleaned, empty turns dropped (and counted),
/// consecutive turns of one role merged when the source asks.
fn clean_messages(
    turns: Vec<Turn>,
    s: &SourcePlan,
) -> std::result::Result<(Vec<Message>, u32), String> {
    let mut messages: Vec<Message> = Vec::with_capacity(turns.len());
    let mut empty_turns = 0u32;
    for (i, turn) in turns.into_iter().enumerate() {
        let key = turn.speaker.trim().to_lowercase();
        let Some(role) = s.roles.get(&key) else {
            return Err(format!(
                "unknown speaker value {} in turn {i}: map it under [source.roles]",
                label(&turn.speaker)
            ));
        };
        let content = clean_text(&turn.content, s.html);
        if content.is_empty() {
            empty_turns += 1;
            continue;
        }
        match messages.last_mut() {
            Some(last) if s.merge_turns && last.role == *role => {
                last.content.push('\n');
                last.content.push_str(&content);
            }
            _ => messages.push(Message {
                role: role.clone(),
                content,
            }),
        }
    }
    Ok((messages, empty_turns))
}

fn metadata(map: &Map<String, Value>, fields: &[String]) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let mut out = Map::new();
    for f in fields {
        out.insert(f.clone(), map.get(f).cloned().unwrap_or(Value::Null));
    }
    Some(Value::Object(out).to_string())
}

#[allow(clippy::too_many_arguments)]
fn build_conversation(
    ctx: &ObjectCtx<'_>,
    record_id: String,
    split: String,
    context: Option<String>,
    turns: Vec<Turn>,
    metadata: Option<String>,
    index: u64,
    line: u64,
) -> std::result::Result<Conversation, String> {
    let s = ctx.source;
    if turns.is_empty() {
        return Err("conversation has no turns".into());
    }
    let mut messages: Vec<Message> = Vec::with_capacity(turns.len() + 1);
    messages.extend(context_message(context, s));
    let (cleaned, empty_turns) = clean_messages(turns, s)?;
    messages.extend(cleaned);
    if s.mapping == Mapping::Text {
        if messages.iter().all(|m| m.role == "system") {
            return Err("empty text".into());
        }
    } else if !messages.iter().any(|m| m.role != "system") {
        return Err("conversation has no turns".into());
    }
    let emptied = if empty_turns > 0 {
        " (its other turns are empty after cleaning)"
    } else {
        ""
    };
    if s.mapping != Mapping::Text && !messages.iter().any(|m| m.role == "assistant") {
        return Err(format!("conversation has no assistant turn{emptied}"));
    }
    if !messages.iter().any(|m| m.role == "user") {
        return Err(format!("conversation has no user turn{emptied}"));
    }
    Ok(Conversation {
        empty_turns,
        ..ctx.conversation(record_id, split, messages, metadata, index, line)
    })
}

/// `turns`: one utterance per row; rows grouped by the conversation column (first-appearance
/// order) and ordered by the turn column (numerically when every value is a number). A bad row
/// rejects its whole conversation, naming the row's line.
fn map_turns(raw: Vec<RawRecord>, ctx: &ObjectCtx<'_>, out: &mut SourceLoad) {
    let c = &ctx.source.columns;
    let mut groups: BTreeMap<String, Vec<LineRow>> = BTreeMap::new();
    let mut first_seen: Vec<String> = Vec::new();
    let mut bad_rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in raw {
        let map = match r.value {
            Ok(m) => m,
            Err(reason) => {
                out.rejections
                    .push(ctx.reject(None, r.index, r.line, reason));
                continue;
            }
        };
        let Some(conv) = field_str(&map, &c.conversation).filter(|v| !v.trim().is_empty()) else {
            out.rejections.push(ctx.reject(
                None,
                r.index,
                r.line,
                format!("row has no conversation id in `{}`", c.conversation),
            ));
            continue;
        };
        let conv = conv.trim().to_string();
        if !groups.contains_key(&conv) {
            first_seen.push(conv.clone());
        }
        for col in [&c.speaker, &c.content, &c.turn] {
            if !map.contains_key(col.as_str()) {
                bad_rows
                    .entry(conv.clone())
                    .or_default()
                    .push(format!("row at line {}: missing column `{col}`", r.line));
            }
        }
        groups.entry(conv).or_default().push((r.line, map));
    }
    for (index, conv) in first_seen.iter().enumerate() {
        let rows = groups
            .remove(conv)
            .expect("invariant: every seen conversation has rows");
        let first_line = rows.first().map(|(l, _)| *l).unwrap_or(0);
        let id = format!("{}/{}", ctx.source.name, encode_key(conv));
        let index = index as u64;
        if let Some(problems) = bad_rows.get(conv) {
            out.rejections
                .push(ctx.reject(Some(id), index, first_line, problems.join("; ")));
            continue;
        }
        let numeric: Option<Vec<f64>> = rows
            .iter()
            .map(|(_, m)| field_str(m, &c.turn).and_then(|t| t.trim().parse::<f64>().ok()))
            .collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        match &numeric {
            Some(keys) => order.sort_by(|a, b| keys[*a].total_cmp(&keys[*b]).then(a.cmp(b))),
            None => order.sort_by(|a, b| {
                field_str(&rows[*a].1, &c.turn)
                    .cmp(&field_str(&rows[*b].1, &c.turn))
                    .then(a.cmp(b))
            }),
        }
        let turns: Vec<Turn> = order
            .iter()
            .map(|i| Turn {
                speaker: field_str(&rows[*i].1, &c.speaker).unwrap_or_default(),
                content: field_str(&rows[*i].1, &c.content).unwrap_or_default(),
            })
            .collect();
        let first = &rows[0].1;
        let split = record_split(first, ctx);
        let context = c.context.as_deref().and_then(|k| field_str(first, k));
        let meta = metadata(first, &c.metadata);
        let result = split.and_then(|split| {
            build_conversation(
                ctx,
                id.clone(),
                split,
                context,
                turns,
                meta,
                index,
                first_line,
            )
        });
        match result {
            Ok(conv) => out.conversations.push(conv),
            Err(reason) => out
                .rejections
                .push(ctx.reject(Some(id), index, first_line, reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test_case("train.jsonl", Some("train"))]
    #[test_case("valid.jsonl", Some("validation"))]
    #[test_case("esconv_dev_part1.jsonl", Some("validation"))]
    #[test_case("data/test.jsonl", Some("test"))]
    #[test_case("trainer.jsonl", None)]
    fn splits_from_file_names(name: &str, expected: Option<&str>) {
        assert_eq!(split_from_filename(name), expected);
    }
}
