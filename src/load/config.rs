//! A source's configuration: the `[[source]]` table as written ([`SourceSpec`]), resolved into a
//! [`SourcePlan`] with every default filled in, and `[load]` ([`LoadSpec`]).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::normalize::HtmlMode;
use crate::records::Format;
use crate::schema::canonical_split;

/// `[load]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    /// Built-in gate `load_rejection_rate.<source>`: the highest share of a source's records
    /// that loading may reject (unreadable, unmappable). Default 0.01; a source sets its own
    /// with `max_rejection_rate` in its `[[source]]`. A source from which no record loads
    /// always fails `source_loaded.<source>`.
    #[serde(default = "default_max_rejection_rate")]
    pub max_rejection_rate: f64,
}

fn default_max_rejection_rate() -> f64 {
    0.01
}

impl Default for LoadSpec {
    fn default() -> Self {
        Self {
            max_rejection_rate: default_max_rejection_rate(),
        }
    }
}

/// `[[source]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Unique source name, e.g. `name = "esconv"`; prefixes every `record_id`.
    pub name: String,
    /// Dataset family, e.g. `family = "support_chat"`; what coverage and curriculum refer to.
    pub family: String,
    /// Path, glob, `file://`, `s3://` or `gs://` URI, e.g. `uri = "data/esconv/*.jsonl"`.
    pub uri: String,
    /// `jsonl | json | csv | parquet`; default from the file extension.
    pub format: Option<Format>,
    /// `chatml | sharegpt | qa | turns | dialog | text | preference`, e.g. `mapping = "dialog"`.
    pub mapping: Mapping,
    /// Licence identifier, e.g. `license = "MIT"`. Required: no licence, no release.
    pub license: Option<String>,
    /// Where the data comes from, e.g. an URL. Required: no origin, no release.
    pub origin: Option<String>,
    /// `"train" | "validation" | "test"` (also `val`, `valid`, `dev`), `"from-filename"`, or omitted:
    /// then the split column (`columns.split`, default `split`) when a record has one, else `train`.
    pub split: Option<String>,
    /// Keep policy for duplicates: the record from the source with the lowest priority wins, then
    /// the smallest `record_id`. Default: the source's position in the spec (0, 1, ...).
    pub priority: Option<i64>,
    /// Merge consecutive turns of one role into one message (joined by a newline). Default `true`.
    #[serde(default = "default_true")]
    pub merge_turns: bool,
    /// HTML to text: `"auto"` (when a field contains tags or entities), `"always"`, `"never"`.
    #[serde(default)]
    pub html: HtmlMode,
    /// This source's limit for the `load_rejection_rate.<source>` gate (default: `[load]
    /// max_rejection_rate`), e.g. `max_rejection_rate = 0.2` for a source known to hold bad rows.
    pub max_rejection_rate: Option<f64>,
    /// Column and field names; see [`Columns`].
    #[serde(default)]
    pub columns: Columns,
    /// Speaker value -> ChatML role (`system`, `user`, `assistant`); added to the defaults.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
}

fn default_true() -> bool {
    true
}

/// How a source's records map to the canonical `messages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mapping {
    /// `{"messages": [{"role", "content"}]}`
    Chatml,
    /// `{"conversations": [{"from", "value"}]}`
    Sharegpt,
    /// A question column (or several, joined by a blank line) and an answer column.
    Qa,
    /// One utterance per row, grouped by a conversation column, ordered by a turn column.
    Turns,
    /// A list of `{speaker, text}` turns.
    Dialog,
    /// One plain-text document per record (`columns.text`): one `user` message. Meant for
    /// continued pretraining; an `sft` or `preference` phase does not take it (ledger `unrouted`).
    Text,
    /// A prompt (messages or text), a chosen and a rejected response (messages or text).
    Preference,
}

/// One column name or several (`qa` questions, `turns` composite keys).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s.clone()],
            Self::Many(v) => v.clone(),
        }
    }
}

/// `[source.columns]`: field names, per mapping. Unset names take the defaults shown.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// All mappings: record id, default `id` (absent: object path + record index).
    pub id: Option<String>,
    /// All mappings: split column, default `split` (used only when `split` is not set).
    pub split: Option<String>,
    /// chatml: default `messages`.
    pub messages: Option<String>,
    /// sharegpt: default `conversations`.
    pub conversations: Option<String>,
    /// qa: default `question`; a list of columns is joined with a blank line.
    pub question: Option<OneOrMany>,
    /// qa: default `answer`.
    pub answer: Option<String>,
    /// dialog: default `dialog`.
    pub dialog: Option<String>,
    /// dialog and turns: default `speaker` (sharegpt: `from`; chatml: `role`).
    pub speaker: Option<String>,
    /// dialog and turns: default `text` (sharegpt: `value`; chatml: `content`).
    pub content: Option<String>,
    /// turns: default `conversation_id`; a list of columns is a composite key
    /// (`["transcript_id", "annotator_id"]`: each annotator's copy is its own conversation).
    pub conversation: Option<OneOrMany>,
    /// turns: default `turn`; a list of columns is a composite key, compared column by column.
    pub turn: Option<OneOrMany>,
    /// Any mapping, optional: a field rendered as a leading system message.
    pub context: Option<String>,
    /// Any mapping, optional: fields kept in the `metadata` JSON column.
    pub metadata: Option<Vec<String>>,
    /// text: default `text`.
    pub text: Option<String>,
    /// preference: the prompt, a list of messages or a text (one user message); default `prompt`.
    pub prompt: Option<String>,
    /// preference: the preferred response, messages or a text (one assistant message); default `chosen`.
    pub chosen: Option<String>,
    /// preference: the dispreferred response, as `chosen`; default `rejected`.
    pub rejected: Option<String>,
}

/// How a source's split is decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitRule {
    /// Every record gets this split.
    Fixed(String),
    /// From the object's file name (`train`, `valid|val|dev|validation`, `test`).
    FromFilename,
    /// From this column when present and non-empty, else `train`.
    Column(String),
}

/// Field names with every default filled in for the source's mapping.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedColumns {
    pub id: String,
    /// Whether `id` was set explicitly (then a record without it is rejected).
    pub id_explicit: bool,
    pub messages: String,
    pub conversations: String,
    pub question: Vec<String>,
    pub answer: String,
    pub dialog: String,
    pub speaker: String,
    pub content: String,
    pub conversation: Vec<String>,
    pub turn: Vec<String>,
    pub context: Option<String>,
    pub metadata: Vec<String>,
    pub text: String,
    pub prompt: String,
    pub chosen: String,
    pub rejected: String,
}

/// One source, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct SourcePlan {
    pub name: String,
    pub family: String,
    /// The URI as written in the spec (relative paths stay relative: it goes into release.json).
    pub uri: String,
    /// The URI to read: relative paths resolved against the spec's folder.
    #[serde(skip)]
    pub resolved_uri: String,
    pub format: Option<Format>,
    pub mapping: Mapping,
    pub license: String,
    pub origin: String,
    pub split: SplitRule,
    pub priority: i64,
    pub merge_turns: bool,
    pub html: HtmlMode,
    /// The `load_rejection_rate.<source>` gate's limit.
    pub max_rejection_rate: f64,
    pub columns: ResolvedColumns,
    /// Lower-cased speaker value -> role, defaults plus the spec's `[source.roles]`.
    pub roles: BTreeMap<String, String>,
}

/// Default speaker -> role map (lower-case keys).
pub const DEFAULT_ROLES: &[(&str, &str)] = &[
    ("system", "system"),
    ("user", "user"),
    ("assistant", "assistant"),
    ("usr", "user"),
    ("sys", "assistant"),
    ("client", "user"),
    ("patient", "user"),
    ("counselor", "assistant"),
    ("counsellor", "assistant"),
    ("therapist", "assistant"),
    ("seeker", "user"),
    ("supporter", "assistant"),
    ("human", "user"),
    ("gpt", "assistant"),
    ("chatgpt", "assistant"),
    ("bot", "assistant"),
    ("model", "assistant"),
    ("speaker", "user"),
    ("listener", "assistant"),
];

impl LoadSpec {
    /// Check the values; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        if !(0.0..=1.0).contains(&self.max_rejection_rate) {
            return Err((
                "load.max_rejection_rate".into(),
                format!("{} is outside 0..=1", self.max_rejection_rate),
            ));
        }
        Ok(())
    }
}

impl SourceSpec {
    /// Resolve this `[[source]]` (at `position` in the spec) with every default filled in.
    /// `Err((key, message))`: the key below the source, e.g. `license`.
    pub fn resolve(
        &self,
        position: usize,
        spec_dir: &Path,
        load: &LoadSpec,
    ) -> std::result::Result<SourcePlan, (String, String)> {
        let s = self;
        let err = |k: &str, m: String| Err((k.to_string(), m));
        if s.family.trim().is_empty() {
            return err("family", "must not be empty".into());
        }
        let license = match s.license.as_deref().map(str::trim) {
            Some(l) if !l.is_empty() => l.to_string(),
            _ => {
                return err(
                    "license",
                    "missing: provenance is denied by default; declare the source's licence, e.g. license = \"MIT\"".into(),
                );
            }
        };
        let origin = match s.origin.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => o.to_string(),
            _ => {
                return err(
                    "origin",
                    "missing: provenance is denied by default; declare where the data comes from, e.g. origin = \"https://...\"".into(),
                );
            }
        };
        let format = match s.format {
            Some(f) => Some(f),
            None => Format::from_path(s.uri.trim_end_matches('*')),
        };
        let split = match s.split.as_deref() {
            Some("from-filename") => SplitRule::FromFilename,
            Some(other) => match canonical_split(other) {
                Some(c) => SplitRule::Fixed(c.to_string()),
                None => {
                    return err(
                        "split",
                        format!(
                            "`{}` is not a split: use train, validation (val, valid, dev), test or from-filename",
                            crate::error::echo(other)
                        ),
                    );
                }
            },
            None => SplitRule::Column(s.columns.split.clone().unwrap_or_else(|| "split".into())),
        };
        let mut roles: BTreeMap<String, String> = DEFAULT_ROLES
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        for (speaker, role) in &s.roles {
            if !matches!(role.as_str(), "system" | "user" | "assistant") {
                return err(
                    &format!("roles.{speaker}"),
                    format!(
                        "`{}` is not a ChatML role: use system, user or assistant",
                        crate::error::echo(role)
                    ),
                );
            }
            roles.insert(speaker.trim().to_lowercase(), role.clone());
        }
        let columns = s.columns.resolve(s.mapping);
        if columns.question.is_empty() {
            return err("columns.question", "must name at least one column".into());
        }
        if columns.conversation.is_empty() {
            return err(
                "columns.conversation",
                "must name at least one column".into(),
            );
        }
        if columns.turn.is_empty() {
            return err("columns.turn", "must name at least one column".into());
        }
        if let Some(r) = s.max_rejection_rate
            && !(0.0..=1.0).contains(&r)
        {
            return err("max_rejection_rate", format!("{r} is outside 0..=1"));
        }
        Ok(SourcePlan {
            name: s.name.clone(),
            family: s.family.trim().to_string(),
            uri: s.uri.clone(),
            resolved_uri: crate::storage::resolve_uri(&s.uri, spec_dir),
            format,
            mapping: s.mapping,
            license,
            origin,
            split,
            priority: s.priority.unwrap_or(position as i64),
            merge_turns: s.merge_turns,
            html: s.html,
            max_rejection_rate: s.max_rejection_rate.unwrap_or(load.max_rejection_rate),
            columns,
            roles,
        })
    }
}

impl Columns {
    /// The field names with the defaults of `mapping` filled in.
    pub fn resolve(&self, mapping: Mapping) -> ResolvedColumns {
        let c = self;
        let (speaker_default, content_default) = match mapping {
            Mapping::Chatml | Mapping::Preference => ("role", "content"),
            Mapping::Sharegpt => ("from", "value"),
            _ => ("speaker", "text"),
        };
        let or = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_string());
        ResolvedColumns {
            id: or(&c.id, "id"),
            id_explicit: c.id.is_some(),
            messages: or(&c.messages, "messages"),
            conversations: or(&c.conversations, "conversations"),
            question: c
                .question
                .as_ref()
                .map(OneOrMany::names)
                .unwrap_or_else(|| vec!["question".into()]),
            answer: or(&c.answer, "answer"),
            dialog: or(&c.dialog, "dialog"),
            speaker: or(&c.speaker, speaker_default),
            content: or(&c.content, content_default),
            conversation: c
                .conversation
                .as_ref()
                .map(OneOrMany::names)
                .unwrap_or_else(|| vec!["conversation_id".into()]),
            turn: c
                .turn
                .as_ref()
                .map(OneOrMany::names)
                .unwrap_or_else(|| vec!["turn".into()]),
            context: c.context.clone(),
            metadata: c.metadata.clone().unwrap_or_default(),
            text: or(&c.text, "text"),
            prompt: or(&c.prompt, "prompt"),
            chosen: or(&c.chosen, "chosen"),
            rejected: or(&c.rejected, "rejected"),
        }
    }
}
