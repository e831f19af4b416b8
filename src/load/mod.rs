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

pub mod config;
mod mapping;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, PolarsContext, Result};
use crate::normalize::{text_hash, word_count};
use crate::records::{Format, RawRecord, ReadOptions};
use crate::schema::{Conversation, Message, Rejection, messages_column};
use crate::storage::{Object, Storage, lexical};
pub use config::{LoadSpec, Mapping, SourcePlan, SplitRule};
pub use mapping::split_from_filename;

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
    /// What the `turns` mapping saw of the rows' keys (`None` for the other mappings).
    pub turns: Option<TurnStats>,
}

/// Turn integrity of a `turns` source: rows that repeat a (conversation, turn) key, and turn
/// numbers out of file order or with gaps. Keys, counts and line numbers only, never text.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TurnStats {
    /// Conversations (row groups by the conversation key).
    pub conversations: u64,
    /// Rows dropped because they repeated another row's key, speaker and text exactly.
    pub repeated_rows_collapsed: u64,
    /// Conversations with at least one such identical repeat.
    pub conversations_with_repeats: u64,
    /// Conversations rejected because one key had rows with different speaker or text.
    pub conversations_with_conflicting_repeats: u64,
    /// Conversations whose rows were not in turn order in the file (they are sorted).
    pub conversations_out_of_order: u64,
    /// Conversations whose integer turn numbers skip a value (1, 2, 4).
    pub conversations_with_missing_turns: u64,
    /// The first repeated keys (`<conversation>/<turn>` ids, at most 10), to look them up.
    pub repeated_keys: Vec<String>,
}

impl TurnStats {
    fn add(&mut self, o: &TurnStats) {
        self.conversations += o.conversations;
        self.repeated_rows_collapsed += o.repeated_rows_collapsed;
        self.conversations_with_repeats += o.conversations_with_repeats;
        self.conversations_with_conflicting_repeats += o.conversations_with_conflicting_repeats;
        self.conversations_out_of_order += o.conversations_out_of_order;
        self.conversations_with_missing_turns += o.conversations_with_missing_turns;
        for k in &o.repeated_keys {
            if self.repeated_keys.len() < 10 {
                self.repeated_keys.push(k.clone());
            }
        }
    }
}

impl From<&InputObject> for crate::schema::release::InputRef {
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
    /// Turn integrity (`turns` mapping only).
    pub turns: Option<TurnStats>,
}

impl LoadReport {
    /// A warning naming the source, its rejected records and the three most common reasons
    /// (never a value from a record), when loading rejected any.
    pub fn warn(&self, source: &str) {
        if let Some(t) = &self.turns
            && (t.repeated_rows_collapsed > 0 || t.conversations_with_conflicting_repeats > 0)
        {
            tracing::warn!(
                source = %source,
                collapsed = t.repeated_rows_collapsed,
                conversations = t.conversations_with_repeats,
                conflicting = t.conversations_with_conflicting_repeats,
                "rows repeat a (conversation, turn) key: identical repeats collapsed, conflicting ones rejected; a composite `conversation` key (e.g. with an annotator column) keeps each copy apart"
            );
        }
        if self.rejected == 0 {
            return;
        }
        tracing::warn!(
            source = %source,
            rejected = self.rejected,
            read = self.read,
            "rejected at load; most common reasons: {}",
            self.top_reasons
                .iter()
                .take(3)
                .map(|(r, n)| format!("{n} × {r}"))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }

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
            turns: load.turns.clone(),
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
        Mapping::Turns => {
            let mut v = c.conversation.clone();
            v.extend([c.speaker.clone(), c.content.clone()]);
            v.extend(c.turn.iter().cloned());
            v
        }
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
            let mapped: Vec<_> = raw
                .into_par_iter()
                .map(|r| mapping::map_record(r, &ctx))
                .collect();
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
        let stats = mapping::map_turns(turns_rows, &ctx, out);
        out.turns.get_or_insert_with(TurnStats::default).add(&stats);
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
    tracing::debug!(
        source = %source.name,
        object = %origin_uri,
        records,
        bytes = summary.bytes,
        codec = summary.codec,
        encoding = summary.encoding,
        "object read"
    );
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

/// Build the canonical frame from loaded conversations (their order is kept).
pub fn to_frame(convs: &[Conversation]) -> Result<DataFrame> {
    let derived: Vec<(String, u32, u32, u32)> = convs
        .par_iter()
        .map(|c| {
            let hash = text_hash(c.messages.iter().map(|m| m.content.as_str()));
            let chars: usize = c.messages.iter().map(|m| m.content.chars().count()).sum();
            let words: u32 = c.messages.iter().map(|m| word_count(&m.content)).sum();
            (hash, c.messages.len() as u32, chars as u32, words)
        })
        .collect();

    let n_msgs: usize = convs.iter().map(|c| c.messages.len()).sum();
    let mut idx = Vec::with_capacity(n_msgs);
    let mut roles = Vec::with_capacity(n_msgs);
    let mut contents = Vec::with_capacity(n_msgs);
    for (i, c) in convs.iter().enumerate() {
        for m in &c.messages {
            idx.push(i as u32);
            roles.push(m.role.as_str());
            contents.push(m.content.as_str());
        }
    }
    let messages = messages_column(convs.len(), &idx, &roles, &contents)?;

    let s = |f: fn(&Conversation) -> &str| convs.iter().map(f).collect::<Vec<&str>>();
    let mut df = df!(
        "record_id" => s(|c| &c.record_id),
        "source" => s(|c| &c.source),
        "family" => s(|c| &c.family),
        "split" => s(|c| &c.split),
        "license" => s(|c| &c.license),
        "origin_uri" => s(|c| &c.origin_uri),
        "origin_sha256" => s(|c| &c.origin_sha256),
        "origin_row" => convs.iter().map(|c| c.origin_row).collect::<Vec<u64>>(),
        "origin_line" => convs.iter().map(|c| c.origin_line).collect::<Vec<u64>>(),
        "metadata" => convs.iter().map(|c| c.metadata.as_deref()).collect::<Vec<Option<&str>>>(),
        "priority" => convs.iter().map(|c| c.priority).collect::<Vec<i64>>(),
        "text_hash" => derived.iter().map(|d| d.0.as_str()).collect::<Vec<&str>>(),
        "n_turns" => derived.iter().map(|d| d.1).collect::<Vec<u32>>(),
        "n_chars" => derived.iter().map(|d| d.2).collect::<Vec<u32>>(),
        "n_words" => derived.iter().map(|d| d.3).collect::<Vec<u32>>(),
        "empty_turns" => convs.iter().map(|c| c.empty_turns).collect::<Vec<u32>>(),
        "pref_prompt" => convs.iter().map(|c| c.preference.map(|p| p.0)).collect::<Vec<Option<u32>>>(),
        "pref_chosen" => convs.iter().map(|c| c.preference.map(|p| p.1)).collect::<Vec<Option<u32>>>(),
    )
    .ctx("building the canonical frame")?;
    df.insert_column(4, messages).ctx("messages column")?;
    Ok(df)
}

/// `stats.json` → `load`: per source, records read, loaded and rejected, the rejection rate and
/// the most common reasons (keyed by metric, then source, so gates can name them).
pub fn load_stats(reports: &BTreeMap<String, LoadReport>) -> serde_json::Value {
    let by = |f: &dyn Fn(&LoadReport) -> serde_json::Value| {
        serde_json::Value::Object(reports.iter().map(|(s, r)| (s.clone(), f(r))).collect())
    };
    serde_json::json!({
        "read": by(&|r| r.read.into()),
        "loaded": by(&|r| r.loaded.into()),
        "rejected": by(&|r| r.rejected.into()),
        "rejection_rate": by(&|r| r.rejection_rate.into()),
        "top_reasons": by(&|r| serde_json::json!(r
            .top_reasons
            .iter()
            .map(|(reason, n)| serde_json::json!({"reason": reason, "records": n}))
            .collect::<Vec<_>>())),
        "turns": serde_json::Value::Object(
            reports
                .iter()
                .filter_map(|(s, r)| r.turns.as_ref().map(|t| (s.clone(), serde_json::json!(t))))
                .collect()
        ),
    })
}

/// External evaluation sets (`[leakage] eval_sets`): every record of every matching object
/// (JSONL, JSON, CSV or Parquet, through the record reader) as (`eval:<file>#<id or index>`,
/// message contents or the `text` field). A record that cannot be read is an error: an
/// evaluation set is not filtered.
pub fn eval_sets(storage: &Storage, uris: &[String]) -> Result<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for uri in uris {
        let objects = storage.glob(uri)?;
        if objects.is_empty() {
            return Err(Error::Usage(format!(
                "[leakage] eval_sets: `{uri}` matched no object"
            )));
        }
        for o in objects {
            let format = Format::from_path(&o.rel).unwrap_or(Format::Jsonl);
            let reader = storage.reader(&o.location)?;
            let opts = ReadOptions::new(format);
            crate::records::read(reader, &o.rel, &o.location.uri, &opts, &mut |batch| {
                for r in batch.into_records(false) {
                    let m = r.value.map_err(|reason| {
                        Error::Usage(format!(
                            "[leakage] eval set {} line {}: {reason}",
                            o.location.uri, r.line
                        ))
                    })?;
                    let id = match m.get("id") {
                        Some(Value::String(s)) => s.clone(),
                        Some(v) if !v.is_null() => v.to_string(),
                        _ => r.index.to_string(),
                    };
                    let texts: Vec<String> = match (m.get("messages"), m.get("text")) {
                        (Some(Value::Array(ms)), _) => ms
                            .iter()
                            .filter(|x| x.get("role").and_then(|r| r.as_str()) != Some("system"))
                            .filter_map(|x| {
                                x.get("content")
                                    .or_else(|| x.get("value"))
                                    .and_then(|c| c.as_str())
                                    .map(str::to_string)
                            })
                            .collect(),
                        (_, Some(Value::String(t))) => vec![t.clone()],
                        _ => Vec::new(),
                    };
                    out.push((format!("eval:{}#{id}", o.rel), texts));
                }
                Ok(())
            })?;
        }
    }
    Ok(out)
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
