//! The foundation every other module builds on: the canonical schema (one row per conversation;
//! [`Conversation`], [`Message`]), record [`Status`]es, splits, curriculum phase kinds, PII
//! kinds, the release's own file types ([`release`]), and the frame helpers (the `messages`
//! column and [`MessageView`], typed column access, Parquet bytes). The frame itself is made by
//! `load::to_frame`, which also computes the derived columns.
//!
//! Columns: `record_id`, `source`, `family`, `split`, `messages` (list<struct{role, content}>),
//! `license`, `origin_uri`, `origin_sha256`, `origin_row` (u64), `origin_line` (u64), `metadata`
//! (JSON string, nullable), `priority` (i64), `text_hash` (32 hex), `n_turns`, `n_chars`,
//! `n_words` (u32), `empty_turns` (u32), `pref_prompt` and `pref_chosen` (u32, preference records
//! only: `messages` holds the prompt, then the chosen, then the rejected messages, and these are
//! the sizes of the first two parts; null otherwise). Stages add `status`, `dup_of`, `cluster_id`, ...

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{PolarsContext, Result};

pub mod parquet;
pub mod release;

/// One ChatML message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// The splits, in the order exports and reports list them.
pub const SPLITS: [&str; 3] = ["train", "validation", "test"];

/// Map a split label to its canonical value (`train`, `validation`, `test`): `val`, `valid`,
/// `dev` are `validation`, `training` is `train`, `testing` is `test`.
pub fn canonical_split(label: &str) -> Option<&'static str> {
    match label.trim().to_ascii_lowercase().as_str() {
        "train" | "training" => Some("train"),
        "validation" | "val" | "valid" | "dev" => Some("validation"),
        "test" | "testing" => Some("test"),
        _ => None,
    }
}

/// The phase of exports when the spec has no `[curriculum]`.
pub const DEFAULT_PHASE: &str = "sft";

/// What a curriculum phase trains and therefore its export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseKind {
    Pretraining,
    Sft,
    Preference,
}

impl PhaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pretraining => "pretraining",
            Self::Sft => "sft",
            Self::Preference => "preference",
        }
    }
}

/// How many leading messages of a record make its conversation: all of them, except for a
/// preference record (`pref_prompt`, `pref_chosen` set), whose conversation is its prompt and
/// chosen response (the rejected response follows them in `messages`).
pub fn conversation_len(preference: Option<u32>, chosen: Option<u32>) -> usize {
    match (preference, chosen) {
        (Some(p), Some(c)) => (p + c) as usize,
        _ => usize::MAX,
    }
}

/// PII kinds, in priority order for overlaps of equal length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PiiKind {
    Email,
    Url,
    Iban,
    CreditCard,
    Ssn,
    RecordNumber,
    DateOfBirth,
    Phone,
    IpAddress,
    StreetAddress,
    ZipCode,
    AgeOver89,
    Handle,
    Person,
    /// A place below the state or province level: city, town, neighbourhood.
    Location,
    /// A country, state, province or first-level region (default action `flag`, allowed).
    Region,
}

impl PiiKind {
    pub const ALL: [PiiKind; 16] = [
        PiiKind::Email,
        PiiKind::Url,
        PiiKind::Iban,
        PiiKind::CreditCard,
        PiiKind::Ssn,
        PiiKind::RecordNumber,
        PiiKind::DateOfBirth,
        PiiKind::Phone,
        PiiKind::IpAddress,
        PiiKind::StreetAddress,
        PiiKind::ZipCode,
        PiiKind::AgeOver89,
        PiiKind::Handle,
        PiiKind::Person,
        PiiKind::Location,
        PiiKind::Region,
    ];

    /// `EMAIL`, `CREDIT_CARD`, ...
    pub fn name(self) -> &'static str {
        match self {
            PiiKind::Email => "EMAIL",
            PiiKind::Url => "URL",
            PiiKind::Iban => "IBAN",
            PiiKind::CreditCard => "CREDIT_CARD",
            PiiKind::Ssn => "SSN",
            PiiKind::Phone => "PHONE",
            PiiKind::IpAddress => "IP_ADDRESS",
            PiiKind::RecordNumber => "RECORD_NUMBER",
            PiiKind::DateOfBirth => "DATE_OF_BIRTH",
            PiiKind::StreetAddress => "STREET_ADDRESS",
            PiiKind::ZipCode => "ZIP_CODE",
            PiiKind::AgeOver89 => "AGE_OVER_89",
            PiiKind::Handle => "HANDLE",
            PiiKind::Person => "PERSON",
            PiiKind::Location => "LOCATION",
            PiiKind::Region => "REGION",
        }
    }

    /// `pii_email`, `pii_credit_card`, ...
    pub fn column(self) -> String {
        format!("pii_{}", self.name().to_ascii_lowercase())
    }

    pub fn from_name(s: &str) -> Option<PiiKind> {
        PiiKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
    }
}

/// The quality stage's columns that the manifest carries when the stage ran, besides every
/// `top_<n>gram_frac` and `dup_<n>gram_frac` ([`is_quality_column`]).
pub const QUALITY_COLUMNS: [&str; 14] = [
    "language",
    "language_confidence",
    "mixed_language",
    "n_messages",
    "min_message_chars",
    "max_message_chars",
    "alpha_words_frac",
    "url_or_emoji_only_frac",
    "dup_line_frac",
    "dup_line_char_frac",
    "repeated_message_frac",
    "max_char_run",
    "sft_shape_ok",
    "trimmed_messages",
];

/// Whether `name` is a column of the quality stage that the manifest carries.
pub fn is_quality_column(name: &str) -> bool {
    let ngram = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix("gram_frac"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    QUALITY_COLUMNS.contains(&name) || ngram("top_") || ngram("dup_")
}

/// A record's status. In the stage frames a record that is still in the release is `Kept`;
/// the ledger calls it `Exported`. The other values are final, with a reason beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Still in the release (stage frames only).
    Kept,
    Exported,
    Duplicate,
    NearDuplicate,
    Rejected,
    Leakage,
    PiiDropped,
    Unrouted,
    Filtered,
}

impl Status {
    /// Every status a ledger row may have (`Kept` is not one).
    pub const LEDGER: [Status; 8] = [
        Status::Exported,
        Status::Duplicate,
        Status::NearDuplicate,
        Status::Rejected,
        Status::Leakage,
        Status::PiiDropped,
        Status::Unrouted,
        Status::Filtered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Kept => "kept",
            Status::Exported => "exported",
            Status::Duplicate => "duplicate",
            Status::NearDuplicate => "near_duplicate",
            Status::Rejected => "rejected",
            Status::Leakage => "leakage",
            Status::PiiDropped => "pii_dropped",
            Status::Unrouted => "unrouted",
            Status::Filtered => "filtered",
        }
    }

    /// The status named `s`, if it is one.
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Kept]
            .into_iter()
            .chain(Status::LEDGER)
            .find(|x| x.as_str() == s)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The names of every ledger status, in [`Status::LEDGER`] order.
pub const STATUSES: [&str; 8] = [
    "exported",
    "duplicate",
    "near_duplicate",
    "rejected",
    "leakage",
    "pii_dropped",
    "unrouted",
    "filtered",
];

/// Set `status` and `reason` of the rows whose `record_id` is a key of `reasons` (the one
/// helper every stage uses to remove records with a reason).
pub fn mark_status(
    df: DataFrame,
    reasons: &std::collections::BTreeMap<String, String>,
    status: Status,
) -> Result<DataFrame> {
    if reasons.is_empty() {
        return Ok(df);
    }
    let ids = str_column(&df, "record_id")?;
    let old_status = str_column(&df, "status")?;
    let old_reason = str_values(&df, "reason")?;
    let (new_status, new_reason): (Vec<String>, Vec<Option<String>>) = ids
        .iter()
        .zip(old_status)
        .zip(old_reason)
        .map(|((id, s), r)| match reasons.get(id) {
            Some(reason) => (status.as_str().to_string(), Some(reason.clone())),
            None => (s, r),
        })
        .unzip();
    let mut df = df;
    df.with_column(Column::new("status".into(), new_status))
        .ctx("status column")?;
    df.with_column(Column::new("reason".into(), new_reason))
        .ctx("reason column")?;
    Ok(df)
}

/// Pretty JSON with a trailing newline.
pub fn pretty(v: &serde_json::Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).expect("invariant: JSON values serialise");
    out.push(b'\n');
    out
}

/// The `messages` column of `n` rows from flat message arrays (`idx[k]` = row of message k, in
/// row order; every row has at least one message).
pub fn messages_column(n: usize, idx: &[u32], roles: &[&str], contents: &[&str]) -> Result<Column> {
    if n == 0 {
        return Ok(Series::new_empty("messages".into(), &message_list_dtype()).into_column());
    }
    let msgs = df!(
        "__idx" => idx,
        "role" => roles,
        "content" => contents,
    )
    .ctx("building messages")?;
    let grouped = msgs
        .lazy()
        .group_by_stable([col("__idx")])
        .agg([as_struct(vec![col("role"), col("content")]).alias("messages")])
        .collect()
        .ctx("grouping messages into conversations")?;
    if grouped.height() != n {
        return Err(crate::error::Error::Internal(format!(
            "{} conversations but {} with messages",
            n,
            grouped.height()
        )));
    }
    Ok(grouped.column("messages").ctx("messages column")?.clone())
}

/// `list<struct{role: str, content: str}>`
pub fn message_list_dtype() -> DataType {
    DataType::List(Box::new(DataType::Struct(vec![
        Field::new("role".into(), DataType::String),
        Field::new("content".into(), DataType::String),
    ])))
}

/// A zero-copy view of the `messages` column: every message's role and content as `&str`
/// borrowed from the column's own buffers (a list column's values are already "exploded"), for
/// the stages that only read the text. [`messages_of`] makes owned copies instead.
pub struct MessageView {
    roles: StringChunked,
    contents: StringChunked,
    /// `offsets[i]..offsets[i + 1]` are row i's messages.
    offsets: Vec<usize>,
}

impl MessageView {
    /// The view of `df`'s `messages` column.
    pub fn of(df: &DataFrame) -> Result<Self> {
        let list = df.column("messages").ctx("messages column")?;
        let list = list.list().ctx("messages must be a list")?;
        let (values, offsets) = list
            .explode_and_offsets(ExplodeOptions {
                empty_as_null: false,
                keep_nulls: false,
            })
            .ctx("messages")?;
        let offsets = offsets.as_slice();
        let base = offsets.first().copied().unwrap_or(0);
        let offsets: Vec<usize> = offsets.iter().map(|&o| (o - base) as usize).collect();
        if offsets.last().copied().unwrap_or(0) != values.len() {
            return Err(crate::error::Error::Internal(
                "messages: list offsets do not match its values".into(),
            ));
        }
        let st = values.struct_().ctx("messages must be structs")?;
        let field = |name: &str| -> Result<StringChunked> {
            Ok(st
                .field_by_name(name)
                .ctx(format!("messages.{name}"))?
                .str()
                .ctx(format!("messages.{name} must be text"))?
                .rechunk()
                .into_owned())
        };
        Ok(Self {
            roles: field("role")?,
            contents: field("content")?,
            offsets,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s messages as (role, content).
    pub fn row(&self, i: usize) -> impl Iterator<Item = (&str, &str)> + '_ {
        (self.offsets[i]..self.offsets[i + 1]).map(move |k| {
            (
                self.roles.get(k).unwrap_or_default(),
                self.contents.get(k).unwrap_or_default(),
            )
        })
    }
}

/// The messages of every row of `df` (column `messages`), in row order.
pub fn messages_of(df: &DataFrame) -> Result<Vec<Vec<Message>>> {
    let col = df.column("messages").ctx("messages column")?;
    let list = col.list().ctx("messages must be a list")?;
    let mut out = Vec::with_capacity(df.height());
    for row in list.amortized_iter() {
        let Some(series) = row else {
            out.push(Vec::new());
            continue;
        };
        let st = series.as_ref().struct_().ctx("messages must be structs")?;
        let roles = st.field_by_name("role").ctx("messages.role")?;
        let contents = st.field_by_name("content").ctx("messages.content")?;
        let roles = roles.str().ctx("messages.role must be text")?;
        let contents = contents.str().ctx("messages.content must be text")?;
        out.push(
            roles
                .iter()
                .zip(contents.iter())
                .map(|(r, c)| Message {
                    role: r.unwrap_or_default().to_string(),
                    content: c.unwrap_or_default().to_string(),
                })
                .collect(),
        );
    }
    Ok(out)
}

/// A nullable u32 column (absent column: all `None`).
pub fn opt_u32_column(df: &DataFrame, name: &str) -> Result<Vec<Option<u32>>> {
    let Ok(c) = df.column(name) else {
        return Ok(vec![None; df.height()]);
    };
    let c = c
        .cast(&DataType::UInt32)
        .ctx(format!("column {name} as u32"))?;
    Ok(c.u32()
        .ctx(format!("column {name} as u32"))?
        .iter()
        .collect())
}

/// A string column as owned values (nulls as `None`).
pub fn str_values(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = df.column(name).ctx(format!("column {name}"))?;
    let ca = c.str().ctx(format!("column {name} must be text"))?;
    Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
}

/// A string column that has no nulls.
pub fn str_column(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(str_values(df, name)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// An integer column as u64 (cast as needed; nulls as 0).
pub fn u64_column(df: &DataFrame, name: &str) -> Result<Vec<u64>> {
    let c = df.column(name).ctx(format!("column {name}"))?;
    let c = c
        .cast(&DataType::UInt64)
        .ctx(format!("column {name} as u64"))?;
    let ca = c.u64().ctx(format!("column {name} as u64"))?;
    Ok(ca.iter().map(Option::unwrap_or_default).collect())
}

/// Write a frame as Parquet bytes (zstd, statistics on): deterministic for the same frame.
pub fn parquet_bytes(df: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)
        .ctx("writing Parquet")?;
    Ok(buf)
}

/// Read Parquet bytes into a frame; a malformed file is an error, never a panic (see
/// [`parquet`]).
pub fn read_parquet(bytes: &[u8]) -> Result<DataFrame> {
    parquet::read(bytes, None)
        .map_err(|e| crate::error::Error::Corrupt(format!("reading Parquet: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_aliases() {
        assert_eq!(canonical_split("val"), Some("validation"));
        assert_eq!(canonical_split("dev"), Some("validation"));
        assert_eq!(canonical_split("Valid"), Some("validation"));
        assert_eq!(canonical_split("holdout"), None);
    }

    #[test]
    fn statuses_round_trip_and_the_ledger_names_them() {
        for s in Status::LEDGER {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::LEDGER.map(Status::as_str), STATUSES);
        assert_eq!(Status::parse("kept"), Some(Status::Kept));
        assert_eq!(Status::parse("final"), None);
    }

    fn conv(id: &str, texts: &[(&str, &str)]) -> Conversation {
        Conversation {
            record_id: id.into(),
            source: "s".into(),
            family: "f".into(),
            split: "train".into(),
            messages: texts
                .iter()
                .map(|(r, c)| Message {
                    role: r.to_string(),
                    content: c.to_string(),
                })
                .collect(),
            license: "CC0-1.0".into(),
            origin_uri: "x".into(),
            origin_sha256: "0".into(),
            origin_row: 0,
            origin_line: 0,
            metadata: None,
            priority: 0,
            empty_turns: 0,
            preference: None,
        }
    }

    #[test]
    fn message_view_matches_owned_messages_on_sliced_and_taken_frames() {
        let convs = vec![
            conv("a", &[("user", "hi"), ("assistant", "hello")]),
            conv(
                "b",
                &[("system", "ctx"), ("user", "é ☕"), ("assistant", "ok")],
            ),
            conv("c", &[("user", "x"), ("assistant", "y"), ("user", "z")]),
        ];
        let df = crate::load::to_frame(&convs).unwrap();
        let idx = IdxCa::from_vec("i".into(), vec![2, 0]);
        for frame in [df.clone(), df.slice(1, 2), df.take(&idx).unwrap()] {
            let view = MessageView::of(&frame).unwrap();
            let owned = messages_of(&frame).unwrap();
            assert_eq!(view.len(), owned.len());
            for (i, msgs) in owned.iter().enumerate() {
                let v: Vec<(&str, &str)> = view.row(i).collect();
                let o: Vec<(&str, &str)> = msgs
                    .iter()
                    .map(|m| (m.role.as_str(), m.content.as_str()))
                    .collect();
                assert_eq!(v, o);
            }
        }
    }
}
