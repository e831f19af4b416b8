//! The quality stage (`[quality]`): per conversation, measure the language, repetition, length
//! and shape of its text; filter the conversations that fail a threshold (ledger status
//! `filtered`, the rule and the figures in `reason`, never the text); optionally trim a
//! conversation to the shape a strict chat template accepts.
//!
//! Runs right after load, before signatures and dedup, so a filtered record is never chosen as
//! the copy a duplicate group keeps, and trimmed conversations are hashed as they are exported.
//! Off unless the spec has a `[quality]` table.
//!
//! Signals (frame and manifest columns; computed over the non-system messages):
//! - `language` (ISO 639-1, `und` when undetermined), `language_confidence`, `mixed_language`,
//!   and `message_languages` (each message's code, comma-separated; the statistics' messages
//!   table has one per message), from [`crate::kernels::language`];
//! - Gopher repetition (Rae et al. 2021, as datatrove's `GopherRepetitionFilter` computes it):
//!   `dup_line_frac` (duplicate lines / lines), `dup_line_char_frac` (characters in duplicate
//!   lines / characters), `top_<n>gram_frac` (characters of the most frequent n-gram × its count
//!   / characters) and `dup_<n>gram_frac` (characters in repeated n-grams / characters). Words are
//!   the hashing form's tokens (a CJK character is a word). Lines are the messages' lines;
//!   Gopher's paragraph rules are not used (a chat's paragraphs are its messages: see
//!   `repeated_message_frac`);
//! - `repeated_message_frac`: messages of at least 3 words that repeat an earlier message of the
//!   conversation (after normalisation), over the messages of at least 3 words;
//! - `max_char_run`: the longest run of one non-space character;
//! - shape: `n_messages`, `min_message_chars`, `max_message_chars`, `alpha_words_frac` (words
//!   with a letter / words), `url_or_emoji_only_frac` (messages that are only a URL or only
//!   emoji and symbols / messages), `sft_shape_ok` (after any system messages, the conversation
//!   starts with `user` and ends with `assistant`), `trimmed_messages` (messages `trim` dropped).
//!
//! Thresholds default to datatrove's Gopher values where one exists (named in
//! [`QualitySpec`]); Gopher's ratio rules need a document of at least 50 words, and so do ours
//! (`min_words_for_ratios`): short conversations are judged on language, length and shape only.

use std::collections::{BTreeMap, HashMap, HashSet};

/// Hash sets and maps of the per-conversation counting (seeded once: results never depend on
/// iteration order anyway).
type FastSet<T> = HashSet<T, foldhash::fast::FixedState>;
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{PolarsContext, Result};
use crate::kernels::language;
use crate::schema::{MessageView, Status, opt_u32_column};

/// `sft_shape`: what to do with a conversation that does not start with the user (after any
/// system messages) or does not end with the assistant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SftShape {
    /// Leave it as it is (the default; `sft_shape_ok` says which ones are off).
    #[default]
    Keep,
    /// Drop leading assistant and trailing user messages (`trimmed_messages` counts them); a
    /// conversation left without a user message followed by an assistant message is filtered.
    Trim,
    /// Filter it.
    Reject,
}

/// `[quality]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QualitySpec {
    /// Default true (the table being there turns the stage on).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Languages to keep (ISO 639-1 codes, e.g. `["en", "zh"]`); empty keeps every language,
    /// undetermined included. With a list, an undetermined conversation is filtered.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Lowest conversation language confidence kept when `languages` is set. Default 0.5.
    #[serde(default = "default_min_language_confidence")]
    pub min_language_confidence: f64,
    /// `"keep"` (default), `"trim"` or `"reject"`.
    #[serde(default)]
    pub sft_shape: SftShape,
    /// Fewest non-system messages. Default 1.
    #[serde(default = "default_min_messages")]
    pub min_messages: u32,
    /// Most non-system messages. Default 10,000.
    #[serde(default = "default_max_messages")]
    pub max_messages: u32,
    /// Fewest characters in a message. Default 1.
    #[serde(default = "default_min_message_chars")]
    pub min_message_chars: u32,
    /// Most characters in a message. Default 100,000 (Gopher: at most 100,000 words a document).
    #[serde(default = "default_max_message_chars")]
    pub max_message_chars: u32,
    /// Ratio rules (alpha words, duplicate lines, n-grams) apply from this many words. Default
    /// 50 (Gopher's `min_doc_words`).
    #[serde(default = "default_min_words_for_ratios")]
    pub min_words_for_ratios: u32,
    /// Lowest share of words with a letter. Default 0.8 (Gopher: `max_non_alpha_words_ratio`).
    #[serde(default = "default_min_alpha_words_fraction")]
    pub min_alpha_words_fraction: f64,
    /// Highest share of messages that are only a URL or only emoji. Default 0.5 (no Gopher
    /// equivalent).
    #[serde(default = "default_half")]
    pub max_url_or_emoji_only_fraction: f64,
    /// Gopher `dup_line_frac`, default 0.3.
    #[serde(default = "default_dup_line_fraction")]
    pub max_dup_line_fraction: f64,
    /// Gopher `dup_line_char_frac`, default 0.2.
    #[serde(default = "default_dup_line_char_fraction")]
    pub max_dup_line_char_fraction: f64,
    /// Gopher `top_n_grams`: `[[n, max fraction], ...]`, default `[[2, 0.2], [3, 0.18], [4, 0.16]]`.
    #[serde(default = "default_top_ngrams")]
    pub top_ngrams: Vec<(usize, f64)>,
    /// Gopher `dup_n_grams`, default `[[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11],
    /// [10, 0.10]]`.
    #[serde(default = "default_dup_ngrams")]
    pub dup_ngrams: Vec<(usize, f64)>,
    /// Highest share of (3+ word) messages repeating an earlier one. Default 0.3 (no Gopher
    /// equivalent; the annotator-copy transcripts of issue 17 have 0.9).
    #[serde(default = "default_repeated_message_fraction")]
    pub max_repeated_message_fraction: f64,
    /// Longest run of one non-space character. Default 100 (no Gopher equivalent).
    #[serde(default = "default_max_char_run")]
    pub max_char_run: u32,
}

fn yes() -> bool {
    true
}
fn default_min_language_confidence() -> f64 {
    0.5
}
fn default_min_messages() -> u32 {
    1
}
fn default_max_messages() -> u32 {
    10_000
}
fn default_min_message_chars() -> u32 {
    1
}
fn default_max_message_chars() -> u32 {
    100_000
}
fn default_min_words_for_ratios() -> u32 {
    50
}
fn default_min_alpha_words_fraction() -> f64 {
    0.8
}
fn default_half() -> f64 {
    0.5
}
fn default_dup_line_fraction() -> f64 {
    0.3
}
fn default_dup_line_char_fraction() -> f64 {
    0.2
}
fn default_top_ngrams() -> Vec<(usize, f64)> {
    vec![(2, 0.2), (3, 0.18), (4, 0.16)]
}
fn default_dup_ngrams() -> Vec<(usize, f64)> {
    vec![
        (5, 0.15),
        (6, 0.14),
        (7, 0.13),
        (8, 0.12),
        (9, 0.11),
        (10, 0.10),
    ]
}
fn default_repeated_message_fraction() -> f64 {
    0.3
}
fn default_max_char_run() -> u32 {
    100
}

impl Default for QualitySpec {
    fn default() -> Self {
        toml::from_str("").expect("invariant: every [quality] key has a default")
    }
}

impl QualitySpec {
    /// Check the values; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        for code in &self.languages {
            if !language::is_known(code) {
                return Err((
                    "quality.languages".into(),
                    format!(
                        "`{}` is not a language code the detector knows: use ISO 639-1 codes such as {}",
                        crate::error::echo(code),
                        language::known_codes().join(", ")
                    ),
                ));
            }
        }
        let fractions = [
            ("min_language_confidence", self.min_language_confidence),
            ("min_alpha_words_fraction", self.min_alpha_words_fraction),
            (
                "max_url_or_emoji_only_fraction",
                self.max_url_or_emoji_only_fraction,
            ),
            ("max_dup_line_fraction", self.max_dup_line_fraction),
            (
                "max_dup_line_char_fraction",
                self.max_dup_line_char_fraction,
            ),
            (
                "max_repeated_message_fraction",
                self.max_repeated_message_fraction,
            ),
        ];
        for (key, v) in fractions {
            if !(0.0..=1.0).contains(&v) {
                return Err((format!("quality.{key}"), format!("{v} is not in [0, 1]")));
            }
        }
        for (key, list) in [
            ("top_ngrams", &self.top_ngrams),
            ("dup_ngrams", &self.dup_ngrams),
        ] {
            for &(n, v) in list {
                if !(1..=20).contains(&n) || !(0.0..=1.0).contains(&v) {
                    return Err((
                        format!("quality.{key}"),
                        format!("[{n}, {v}]: n must be 1-20 and the fraction in [0, 1]"),
                    ));
                }
            }
        }
        if self.min_messages > self.max_messages || self.min_message_chars > self.max_message_chars
        {
            return Err((
                "quality.min_messages / quality.min_message_chars".into(),
                "a minimum is above its maximum".into(),
            ));
        }
        Ok(())
    }
}

/// What the quality stage did (`stats.json` → `quality`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct QualityReport {
    pub enabled: bool,
    /// Records judged (every loaded record).
    pub records: u64,
    /// Records filtered, in all and per rule (the first rule a record failed), per source.
    pub filtered: u64,
    pub filtered_by_rule: BTreeMap<String, u64>,
    pub filtered_by_source: BTreeMap<String, u64>,
    /// Records and messages dropped by `sft_shape = "trim"`.
    pub trimmed_records: u64,
    pub trimmed_messages: u64,
    /// Records whose shape is off (before any trim), by what is off.
    pub shape: BTreeMap<String, u64>,
    /// Conversation languages of the judged records, per source.
    pub languages_by_source: BTreeMap<String, BTreeMap<String, u64>>,
    pub mixed_language: u64,
    /// Distribution of each signal over the judged records: p50, p90, p99, max.
    pub signals: BTreeMap<String, Distribution>,
}

/// A signal's distribution.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Distribution {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Distribution {
    fn of(mut v: Vec<f64>) -> Self {
        if v.is_empty() {
            return Self::default();
        }
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        Self {
            p50: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            max: v[v.len() - 1],
        }
    }
}

/// `stats.json` → `quality.exported`: the languages of the exported records (each record once),
/// per source and per split, their shares, the share outside `languages` (when set) and the
/// share of mixed-language records. Null when the manifest has no `language` column.
pub fn exported_languages(manifest: &DataFrame, languages: &[String]) -> Result<serde_json::Value> {
    if manifest.column("language").is_err() {
        return Ok(serde_json::Value::Null);
    }
    let ids = crate::schema::str_column(manifest, "record_id")?;
    let sources = crate::schema::str_column(manifest, "source")?;
    let splits = crate::schema::str_column(manifest, "split")?;
    let langs = crate::schema::str_column(manifest, "language")?;
    let mixed: Vec<bool> = manifest
        .column("mixed_language")
        .ctx("mixed_language column")?
        .bool()
        .ctx("mixed_language must be boolean")?
        .iter()
        .map(Option::unwrap_or_default)
        .collect();
    let mut seen = HashSet::new();
    let (mut records, mut mixed_records, mut outside) = (0u64, 0u64, 0u64);
    let mut by_language: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_source: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    let mut by_split: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    for i in 0..ids.len() {
        if !seen.insert(ids[i].as_str()) {
            continue;
        }
        records += 1;
        mixed_records += u64::from(mixed[i]);
        let l = langs[i].as_str();
        outside += u64::from(!languages.iter().any(|x| x == l));
        *by_language.entry(l).or_default() += 1;
        *by_source
            .entry(&sources[i])
            .or_default()
            .entry(l)
            .or_default() += 1;
        *by_split
            .entry(&splits[i])
            .or_default()
            .entry(l)
            .or_default() += 1;
    }
    let share = |n: u64| {
        if records == 0 {
            0.0
        } else {
            n as f64 / records as f64
        }
    };
    let mut out = serde_json::json!({
        "records": records,
        "by_language": by_language,
        "language_share": by_language.iter().map(|(l, n)| (l.to_string(), share(*n))).collect::<BTreeMap<_, _>>(),
        "by_source": by_source,
        "by_split": by_split,
        "mixed_language": mixed_records,
        "mixed_language_share": share(mixed_records),
    });
    if !languages.is_empty() {
        out["non_target_language_share"] = serde_json::json!(share(outside));
    }
    Ok(out)
}

/// One conversation's signals.
#[derive(Debug, Clone, Default)]
struct Signals {
    language: &'static str,
    language_confidence: f64,
    mixed_language: bool,
    message_languages: String,
    n_messages: u32,
    words: u32,
    min_message_chars: u32,
    max_message_chars: u32,
    alpha_words_frac: f64,
    url_or_emoji_only_frac: f64,
    dup_line_frac: f64,
    dup_line_char_frac: f64,
    top_ngram_frac: Vec<f64>,
    dup_ngram_frac: Vec<f64>,
    repeated_message_frac: f64,
    max_char_run: u32,
    /// Shape before any trim: (starts with user, ends with assistant, has user then assistant).
    starts_ok: bool,
    ends_ok: bool,
    trimmed_messages: u32,
    /// After `trim`: the leading system messages (`..first`) and the kept range (`a..b`) as
    /// `(first, a, b)`; None: unchanged.
    trim: Option<(usize, usize, usize)>,
    /// `(rule, reason)` of the first failed rule.
    failed: Option<(&'static str, String)>,
}

/// Apply the stage: add the signal columns, `status` (`kept` or `filtered`) and `reason`; with
/// `sft_shape = "trim"`, rewrite trimmed conversations and their derived columns. `sft_shape`
/// acts only on records of `sft_families` (the families a curriculum phase of kind `sft`
/// takes): a pretraining text or a preference pair has no chat shape to fix.
#[tracing::instrument(skip_all, fields(stage = "quality", rows = df.height()))]
pub fn apply(
    mut df: DataFrame,
    spec: &QualitySpec,
    sft_families: &HashSet<String>,
) -> Result<(DataFrame, QualityReport)> {
    let mut report = QualityReport {
        enabled: spec.enabled,
        records: df.height() as u64,
        ..Default::default()
    };
    if !spec.enabled {
        return Ok((df, report));
    }
    let started = std::time::Instant::now();
    let view = MessageView::of(&df)?;
    let pref = opt_u32_column(&df, "pref_prompt")?;
    let families = crate::schema::str_column(&df, "family")?;
    let signals: Vec<Signals> = (0..df.height())
        .into_par_iter()
        .map(|i| {
            let msgs: Vec<(&str, &str)> = view.row(i).collect();
            let chat = pref[i].is_none() && sft_families.contains(&families[i]);
            judge(&msgs, !chat, spec)
        })
        .collect();

    // Trim: rebuild the messages (and what derives from them) of the trimmed rows.
    if signals.iter().any(|s| s.trim.is_some()) {
        df = retrim(df, &view, &signals)?;
    }
    drop(view);

    let sources = crate::schema::str_column(&df, "source")?;
    for (s, src) in signals.iter().zip(&sources) {
        *report
            .languages_by_source
            .entry(src.clone())
            .or_default()
            .entry(s.language.to_string())
            .or_default() += 1;
        report.mixed_language += u64::from(s.mixed_language);
        if s.trimmed_messages > 0 {
            report.trimmed_records += 1;
            report.trimmed_messages += u64::from(s.trimmed_messages);
        }
        if !s.starts_ok {
            *report
                .shape
                .entry("starts_with_assistant".into())
                .or_default() += 1;
        }
        if !s.ends_ok {
            *report.shape.entry("ends_with_user".into()).or_default() += 1;
        }
        if let Some((rule, _)) = &s.failed {
            report.filtered += 1;
            *report.filtered_by_rule.entry(rule.to_string()).or_default() += 1;
            *report.filtered_by_source.entry(src.clone()).or_default() += 1;
        }
    }
    // Each numeric signal once: its distribution, and its column (integer counts as u32, the
    // rest as f32), in column order.
    let numeric = numeric_signals(&signals, spec);
    for (name, values, _) in &numeric {
        report
            .signals
            .insert(name.clone(), Distribution::of(values.clone()));
    }
    let numeric_column = |(name, values, count): &(String, Vec<f64>, bool)| {
        if *count {
            Column::new(
                name.into(),
                values.iter().map(|v| *v as u32).collect::<Vec<u32>>(),
            )
        } else {
            Column::new(
                name.into(),
                values.iter().map(|v| *v as f32).collect::<Vec<f32>>(),
            )
        }
    };
    let (confidence, rest) = numeric
        .split_first()
        .expect("invariant: language_confidence is the first numeric signal");
    let mut columns = vec![
        Column::new(
            "language".into(),
            signals.iter().map(|s| s.language).collect::<Vec<&str>>(),
        ),
        numeric_column(confidence),
        Column::new(
            "mixed_language".into(),
            signals
                .iter()
                .map(|s| s.mixed_language)
                .collect::<Vec<bool>>(),
        ),
        Column::new(
            "message_languages".into(),
            signals
                .iter()
                .map(|s| s.message_languages.as_str())
                .collect::<Vec<&str>>(),
        ),
    ];
    columns.extend(rest.iter().map(numeric_column));
    columns.extend([
        Column::new(
            "sft_shape_ok".into(),
            signals
                .iter()
                .map(|s| s.starts_ok && s.ends_ok)
                .collect::<Vec<bool>>(),
        ),
        Column::new(
            "trimmed_messages".into(),
            signals
                .iter()
                .map(|s| s.trimmed_messages)
                .collect::<Vec<u32>>(),
        ),
        Column::new(
            "status".into(),
            signals
                .iter()
                .map(|s| {
                    if s.failed.is_some() {
                        Status::Filtered.as_str()
                    } else {
                        Status::Kept.as_str()
                    }
                })
                .collect::<Vec<&str>>(),
        ),
        Column::new(
            "reason".into(),
            signals
                .iter()
                .map(|s| s.failed.as_ref().map(|(_, r)| r.as_str()))
                .collect::<Vec<Option<&str>>>(),
        ),
    ]);
    for c in columns {
        df.with_column(c).ctx("quality columns")?;
    }
    tracing::info!(
        records = report.records,
        filtered = report.filtered,
        trimmed = report.trimmed_records,
        seconds = started.elapsed().as_secs_f64(),
        "quality"
    );
    Ok((df, report))
}

/// The numeric signals as (name, one value per record, whether it is an integer count), in the
/// order of their columns: `language_confidence` first, then the shape and repetition signals.
fn numeric_signals(signals: &[Signals], spec: &QualitySpec) -> Vec<(String, Vec<f64>, bool)> {
    let of = |get: &dyn Fn(&Signals) -> f64| signals.iter().map(get).collect::<Vec<f64>>();
    let mut out = vec![
        (
            "language_confidence".to_string(),
            of(&|s| s.language_confidence),
            false,
        ),
        (
            "n_messages".to_string(),
            of(&|s| f64::from(s.n_messages)),
            true,
        ),
        (
            "min_message_chars".to_string(),
            of(&|s| f64::from(s.min_message_chars)),
            true,
        ),
        (
            "max_message_chars".to_string(),
            of(&|s| f64::from(s.max_message_chars)),
            true,
        ),
        (
            "alpha_words_frac".to_string(),
            of(&|s| s.alpha_words_frac),
            false,
        ),
        (
            "url_or_emoji_only_frac".to_string(),
            of(&|s| s.url_or_emoji_only_frac),
            false,
        ),
        ("dup_line_frac".to_string(), of(&|s| s.dup_line_frac), false),
        (
            "dup_line_char_frac".to_string(),
            of(&|s| s.dup_line_char_frac),
            false,
        ),
    ];
    for (k, (n, _)) in spec.top_ngrams.iter().enumerate() {
        out.push((
            format!("top_{n}gram_frac"),
            of(&|s| s.top_ngram_frac[k]),
            false,
        ));
    }
    for (k, (n, _)) in spec.dup_ngrams.iter().enumerate() {
        out.push((
            format!("dup_{n}gram_frac"),
            of(&|s| s.dup_ngram_frac[k]),
            false,
        ));
    }
    out.push((
        "repeated_message_frac".to_string(),
        of(&|s| s.repeated_message_frac),
        false,
    ));
    out.push((
        "max_char_run".to_string(),
        of(&|s| f64::from(s.max_char_run)),
        true,
    ));
    out
}

/// Measure one conversation and apply the rules, in a fixed order (the first failure is the
/// reason). `not_chat`: a record whose shape is not judged (preference pairs, records of
/// families no SFT phase takes).
fn judge(msgs: &[(&str, &str)], not_chat: bool, spec: &QualitySpec) -> Signals {
    let mut s = Signals::default();
    // Shape, over the messages after the leading system messages.
    let first = msgs.iter().take_while(|(r, _)| *r == "system").count();
    let body = &msgs[first..];
    let lead = body.iter().take_while(|(r, _)| *r != "user").count();
    let tail = body
        .iter()
        .rev()
        .take_while(|(r, _)| *r != "assistant")
        .count();
    s.starts_ok = not_chat || lead == 0;
    s.ends_ok = not_chat || tail == 0;
    let mut range = (0, msgs.len());
    let mut shape_failure: Option<String> = None;
    if !(s.starts_ok && s.ends_ok) {
        let what = match (s.starts_ok, s.ends_ok) {
            (false, false) => "starts with `assistant` and ends with `user`",
            (false, true) => "starts with `assistant`",
            _ => "ends with `user`",
        };
        match spec.sft_shape {
            SftShape::Keep => {}
            SftShape::Reject => shape_failure = Some(what.to_string()),
            SftShape::Trim => {
                let end = msgs.len().saturating_sub(tail).max(first + lead);
                range = (first + lead, end);
                let dropped = lead + (msgs.len() - end);
                s.trimmed_messages = dropped as u32;
                let kept = &msgs[range.0..range.1];
                let user_then_assistant = kept.iter().any(|(r, _)| *r == "user")
                    && kept.iter().any(|(r, _)| *r == "assistant");
                if user_then_assistant {
                    s.trim = Some((first, range.0, range.1));
                } else {
                    // Filtered: its messages stay as they were.
                    shape_failure =
                        Some("no user message followed by an assistant message".to_string());
                    range = (0, msgs.len());
                    s.trimmed_messages = 0;
                }
            }
        }
    }
    // The kept messages: system messages are not judged.
    let kept: Vec<&str> = msgs[range.0.max(first)..range.1]
        .iter()
        .filter(|(r, _)| *r != "system")
        .map(|(_, c)| *c)
        .collect();

    let lang = language::conversation(kept.iter().copied(), &spec.languages);
    s.language = lang.language.code;
    s.language_confidence = lang.language.confidence;
    s.mixed_language = lang.mixed;
    // One code per message that remains (system messages are not judged: `und`).
    let mut judged = lang.messages.iter();
    s.message_languages = msgs[..first]
        .iter()
        .chain(&msgs[range.0.max(first)..range.1])
        .map(|(r, _)| match *r {
            "system" => "und",
            _ => judged.next().copied().unwrap_or("und"),
        })
        .collect::<Vec<_>>()
        .join(",");
    s.n_messages = kept.len() as u32;
    let lens: Vec<u32> = kept.iter().map(|c| c.chars().count() as u32).collect();
    s.min_message_chars = lens.iter().copied().min().unwrap_or(0);
    s.max_message_chars = lens.iter().copied().max().unwrap_or(0);
    let junk = kept.iter().filter(|c| url_or_emoji_only(c)).count();
    s.url_or_emoji_only_frac = ratio(junk, kept.len());
    s.max_char_run = kept.iter().map(|c| longest_run(c)).max().unwrap_or(0);
    repetition(&kept, spec, &mut s);

    // Rules, in order.
    let fail = |rule: &'static str, why: String| Some((rule, format!("quality:{rule}: {why}")));
    let langs = &spec.languages;
    s.failed = if let Some(why) = shape_failure {
        fail("sft_shape", why)
    } else if !langs.is_empty() && s.language == "und" {
        fail(
            "language",
            "language undetermined (too little text to tell)".into(),
        )
    } else if !langs.is_empty() && !langs.iter().any(|l| l == s.language) {
        fail(
            "language",
            format!("language `{}` not in [{}]", s.language, langs.join(", ")),
        )
    } else if !langs.is_empty() && s.language_confidence < spec.min_language_confidence {
        fail(
            "language_confidence",
            format!(
                "language confidence {:.2} < {}",
                s.language_confidence, spec.min_language_confidence
            ),
        )
    } else if s.n_messages < spec.min_messages {
        fail(
            "min_messages",
            format!("{} messages < {}", s.n_messages, spec.min_messages),
        )
    } else if s.n_messages > spec.max_messages {
        fail(
            "max_messages",
            format!("{} messages > {}", s.n_messages, spec.max_messages),
        )
    } else if s.min_message_chars < spec.min_message_chars {
        fail(
            "min_message_chars",
            format!(
                "a message of {} characters < {}",
                s.min_message_chars, spec.min_message_chars
            ),
        )
    } else if s.max_message_chars > spec.max_message_chars {
        fail(
            "max_message_chars",
            format!(
                "a message of {} characters > {}",
                s.max_message_chars, spec.max_message_chars
            ),
        )
    } else if s.max_char_run > spec.max_char_run {
        fail(
            "max_char_run",
            format!(
                "a run of {} identical characters > {}",
                s.max_char_run, spec.max_char_run
            ),
        )
    } else if s.url_or_emoji_only_frac > spec.max_url_or_emoji_only_fraction {
        fail(
            "url_or_emoji_only",
            format!(
                "url_or_emoji_only_frac {:.3} > {}",
                s.url_or_emoji_only_frac, spec.max_url_or_emoji_only_fraction
            ),
        )
    } else if s.repeated_message_frac > spec.max_repeated_message_fraction {
        fail(
            "repeated_messages",
            format!(
                "repeated_message_frac {:.3} > {}",
                s.repeated_message_frac, spec.max_repeated_message_fraction
            ),
        )
    } else if s.words >= spec.min_words_for_ratios {
        ratio_rules(&s, spec)
    } else {
        None
    };
    s
}

/// The rules that need at least `min_words_for_ratios` words (Gopher's), in order:
/// (rule, signal, value, limit, whether the limit is a minimum).
fn ratio_rules(s: &Signals, spec: &QualitySpec) -> Option<(&'static str, String)> {
    let mut checks: Vec<(&'static str, String, f64, f64, bool)> = vec![
        (
            "alpha_words",
            "alpha_words_frac".into(),
            s.alpha_words_frac,
            spec.min_alpha_words_fraction,
            true,
        ),
        (
            "dup_lines",
            "dup_line_frac".into(),
            s.dup_line_frac,
            spec.max_dup_line_fraction,
            false,
        ),
        (
            "dup_line_chars",
            "dup_line_char_frac".into(),
            s.dup_line_char_frac,
            spec.max_dup_line_char_fraction,
            false,
        ),
    ];
    for (k, &(n, max)) in spec.top_ngrams.iter().enumerate() {
        checks.push((
            "top_ngram",
            format!("top_{n}gram_frac"),
            s.top_ngram_frac[k],
            max,
            false,
        ));
    }
    for (k, &(n, max)) in spec.dup_ngrams.iter().enumerate() {
        checks.push((
            "dup_ngram",
            format!("dup_{n}gram_frac"),
            s.dup_ngram_frac[k],
            max,
            false,
        ));
    }
    checks
        .into_iter()
        .find_map(|(rule, signal, value, limit, minimum)| {
            let fails = if minimum {
                value < limit
            } else {
                value > limit
            };
            let op = if minimum { "<" } else { ">" };
            fails.then(|| {
                (
                    rule,
                    format!("quality:{rule}: {signal} {value:.3} {op} {limit} (Gopher)"),
                )
            })
        })
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The repetition and word signals of the kept messages.
fn repetition(msgs: &[&str], spec: &QualitySpec, s: &mut Signals) {
    let text_chars: usize =
        msgs.iter().map(|m| m.chars().count()).sum::<usize>() + msgs.len().saturating_sub(1);
    // Lines (Gopher: the text split on runs of newlines).
    let mut seen: FastSet<&str> = FastSet::default();
    let (mut lines, mut dup_lines, mut dup_line_chars) = (0usize, 0usize, 0usize);
    for m in msgs {
        for line in m.split('\n').filter(|l| !l.is_empty()) {
            lines += 1;
            if !seen.insert(line) {
                dup_lines += 1;
                dup_line_chars += line.chars().count();
            }
        }
    }
    s.dup_line_frac = ratio(dup_lines, lines);
    s.dup_line_char_frac = ratio(dup_line_chars, text_chars);

    // Words: the hashing form's tokens, as (hash, characters).
    let mut words: Vec<(u64, usize)> = Vec::new();
    let (mut alpha, mut all) = (0usize, 0usize);
    for m in msgs {
        for w in m.split_whitespace() {
            all += 1;
            alpha += usize::from(w.chars().any(char::is_alphabetic));
        }
        crate::normalize::for_each_token(m, |t| {
            words.push((xxhash_rust::xxh3::xxh3_64(t.as_bytes()), t.chars().count()))
        });
    }
    s.words = words.len() as u32;
    s.alpha_words_frac = if all == 0 { 1.0 } else { ratio(alpha, all) };
    let ngram = |i: usize, n: usize| -> (u64, usize) {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let mut chars = 0usize;
        for (w, c) in &words[i..i + n] {
            h = (h ^ w).wrapping_mul(0x0100_0000_01b3).rotate_left(17);
            chars += c;
        }
        (h, chars)
    };
    s.top_ngram_frac = spec
        .top_ngrams
        .iter()
        .map(|&(n, _)| {
            if words.len() < n {
                return 0.0;
            }
            // Count per n-gram; the top one is the most frequent, ties to the first seen.
            let mut counts: FastMap<u64, (usize, usize, usize)> =
                FastMap::with_capacity_and_hasher(words.len(), Default::default());
            for i in 0..=words.len() - n {
                let (h, chars) = ngram(i, n);
                let e = counts.entry(h).or_insert((0, i, chars + n - 1));
                e.0 += 1;
            }
            let top = counts
                .values()
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                .map_or(0, |(count, _, len)| count * len);
            ratio(top, text_chars)
        })
        .collect();
    s.dup_ngram_frac = spec
        .dup_ngrams
        .iter()
        .map(|&(n, _)| {
            if words.len() < n {
                return 0.0;
            }
            let mut unique: FastSet<u64> =
                FastSet::with_capacity_and_hasher(words.len(), Default::default());
            let (mut repeated, mut i) = (0usize, 0usize);
            while i + n <= words.len() {
                let (h, chars) = ngram(i, n);
                if unique.contains(&h) {
                    repeated += chars;
                    i += n;
                } else {
                    unique.insert(h);
                    i += 1;
                }
            }
            ratio(repeated, text_chars)
        })
        .collect();

    // Messages of 3+ words repeating an earlier one.
    let mut seen_msgs: FastSet<u64> = FastSet::default();
    let (mut considered, mut repeated) = (0usize, 0usize);
    for m in msgs {
        if crate::normalize::word_count(m) < 3 {
            continue;
        }
        considered += 1;
        let key = xxhash_rust::xxh3::xxh3_64(crate::normalize::normalized(m).as_bytes());
        if !seen_msgs.insert(key) {
            repeated += 1;
        }
    }
    s.repeated_message_frac = ratio(repeated, considered);
}

/// A message that is only a URL, or only emoji and symbols (no letter or digit).
fn url_or_emoji_only(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    let url = (lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("www."))
        && !t.contains(char::is_whitespace);
    let symbols = !t.chars().any(char::is_alphanumeric) && t.chars().any(|c| c as u32 >= 0x2190);
    url || symbols
}

/// The longest run of one non-whitespace character.
fn longest_run(text: &str) -> u32 {
    let (mut best, mut run, mut prev) = (0u32, 0u32, None);
    for c in text.chars() {
        if c.is_whitespace() {
            prev = None;
            run = 0;
            continue;
        }
        if Some(c) == prev {
            run += 1;
        } else {
            run = 1;
            prev = Some(c);
        }
        best = best.max(run);
    }
    best
}

/// Rewrite the trimmed rows' messages and derived columns (`text_hash`, `n_turns`, `n_chars`,
/// `n_words`).
fn retrim(mut df: DataFrame, view: &MessageView, signals: &[Signals]) -> Result<DataFrame> {
    let n = df.height();
    let mut idx = Vec::new();
    let mut roles = Vec::new();
    let mut contents = Vec::new();
    let mut hash = crate::schema::str_column(&df, "text_hash")?;
    let mut turns = crate::schema::u64_column(&df, "n_turns")?;
    let mut chars = crate::schema::u64_column(&df, "n_chars")?;
    let mut words = crate::schema::u64_column(&df, "n_words")?;
    for (i, s) in signals.iter().enumerate() {
        let msgs: Vec<(&str, &str)> = view.row(i).collect();
        let (first, a, b) = s.trim.unwrap_or((0, 0, msgs.len()));
        let kept: Vec<(&str, &str)> = msgs[..first].iter().chain(&msgs[a..b]).copied().collect();
        for (r, c) in &kept {
            idx.push(i as u32);
            roles.push(*r);
            contents.push(*c);
        }
        if s.trim.is_some() {
            hash[i] = crate::normalize::text_hash(kept.iter().map(|(_, c)| *c));
            turns[i] = kept.len() as u64;
            chars[i] = kept.iter().map(|(_, c)| c.chars().count() as u64).sum();
            words[i] = kept
                .iter()
                .map(|(_, c)| u64::from(crate::normalize::word_count(c)))
                .sum();
        }
    }
    let messages = crate::schema::messages_column(n, &idx, &roles, &contents)?;
    let u32s = |v: Vec<u64>| v.into_iter().map(|x| x as u32).collect::<Vec<u32>>();
    for c in [
        messages,
        Column::new("text_hash".into(), hash),
        Column::new("n_turns".into(), u32s(turns)),
        Column::new("n_chars".into(), u32s(chars)),
        Column::new("n_words".into(), u32s(words)),
    ] {
        df.with_column(c).ctx("trimmed columns")?;
    }
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: &str) -> QualitySpec {
        toml::from_str(extra).unwrap()
    }

    #[test]
    fn defaults_are_gophers_where_gopher_has_one() {
        let s = QualitySpec::default();
        assert!(s.enabled);
        assert_eq!(s.max_dup_line_fraction, 0.3);
        assert_eq!(s.max_dup_line_char_fraction, 0.2);
        assert_eq!(s.top_ngrams, vec![(2, 0.2), (3, 0.18), (4, 0.16)]);
        assert_eq!(s.dup_ngrams.len(), 6);
        assert_eq!(s.min_words_for_ratios, 50);
        assert!(s.validate().is_ok());
        assert!(spec("languages = [\"xx\"]").validate().is_err());
        assert!(spec("max_dup_line_fraction = 1.5").validate().is_err());
    }

    #[test]
    fn shape_is_trimmed_rejected_or_kept() {
        let msgs = [
            ("system", "Be kind."),
            ("assistant", "Hello, how can I help you today?"),
            ("user", "I feel sad and I do not know why."),
            (
                "assistant",
                "That sounds hard. Can you tell me more about it?",
            ),
            ("user", "Thanks."),
        ];
        let keep = judge(&msgs, false, &spec(""));
        assert!(!keep.starts_ok && !keep.ends_ok && keep.failed.is_none());
        let trim = judge(&msgs, false, &spec("sft_shape = \"trim\""));
        assert_eq!(trim.trim, Some((1, 2, 4)));
        assert_eq!(trim.trimmed_messages, 2);
        assert!(trim.failed.is_none(), "{:?}", trim.failed);
        let reject = judge(&msgs, false, &spec("sft_shape = \"reject\""));
        assert_eq!(reject.failed.as_ref().unwrap().0, "sft_shape");
        // Nothing left after trimming.
        let only = judge(
            &[("assistant", "Hi there.")],
            false,
            &spec("sft_shape = \"trim\""),
        );
        assert_eq!(only.failed.unwrap().0, "sft_shape");
        // Preference records are not judged on shape.
        assert!(
            judge(&msgs, true, &spec("sft_shape = \"reject\""))
                .failed
                .is_none()
        );
    }

    #[test]
    fn repetition_signals_follow_gopher() {
        let line = "I keep saying the same thing over and over again";
        let repeated: Vec<&str> = std::iter::repeat_n(line, 10).collect();
        let s = judge(
            &repeated.iter().map(|c| ("user", *c)).collect::<Vec<_>>(),
            false,
            &spec(""),
        );
        assert!((s.dup_line_frac - 0.9).abs() < 1e-9, "{}", s.dup_line_frac);
        assert!((s.repeated_message_frac - 0.9).abs() < 1e-9);
        assert_eq!(s.failed.as_ref().unwrap().0, "repeated_messages");
        let varied = [
            (
                "user",
                "My sister moved away last spring and I have felt lonely since she left for college.",
            ),
            (
                "assistant",
                "It sounds like her leaving changed a lot for you. What do you miss most about having her around?",
            ),
            (
                "user",
                "Mostly our evening walks, we used to talk about everything while walking the dog around the lake.",
            ),
            (
                "assistant",
                "Those walks were a place to feel close. Could you keep a version of them, perhaps a call while you walk?",
            ),
        ];
        let v = judge(&varied, false, &spec(""));
        assert!(v.failed.is_none(), "{:?}", v.failed);
        assert!(v.words >= 50 && v.dup_line_frac == 0.0 && v.top_ngram_frac[0] < 0.2);
        assert_eq!(v.language, "en");
    }

    #[test]
    fn language_rules_name_the_code_never_the_text() {
        let zh = [
            ("user", "我最近感觉很焦虑，晚上睡不着觉，不知道该怎么办。"),
            ("assistant", "听起来你最近压力很大，愿意多说一点吗？"),
        ];
        let s = judge(&zh, false, &spec("languages = [\"en\"]"));
        let (rule, reason) = s.failed.unwrap();
        assert_eq!(rule, "language");
        assert_eq!(reason, "quality:language: language `zh` not in [en]");
        assert!(
            judge(&zh, false, &spec("languages = [\"en\", \"zh\"]"))
                .failed
                .is_none()
        );
        let short = judge(
            &[("user", "hi"), ("assistant", "hello")],
            false,
            &spec("languages = [\"en\"]"),
        );
        assert_eq!(short.failed.unwrap().0, "language");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Any conversation (any roles, any Unicode, empty messages, long runs): no panic, every
        /// fraction in [0, 1], a trim keeps the system prefix and leaves a user-first,
        /// assistant-last body, and a reason never quotes a message.
        #[test]
        fn any_conversation_is_judged_without_panic(
            msgs in proptest::collection::vec(
                (proptest::sample::select(vec!["user", "assistant", "system", "tool"]), ".{0,120}"),
                0..12,
            ),
            shape in proptest::sample::select(vec!["keep", "trim", "reject"]),
        ) {
            let refs: Vec<(&str, &str)> = msgs.iter().map(|(r, c)| (*r, c.as_str())).collect();
            let s = judge(&refs, false, &spec(&format!("sft_shape = \"{shape}\"\nlanguages = [\"en\"]")));
            for f in [s.alpha_words_frac, s.url_or_emoji_only_frac, s.dup_line_frac,
                      s.dup_line_char_frac, s.repeated_message_frac, s.language_confidence]
                .into_iter()
                .chain(s.top_ngram_frac.iter().copied())
                .chain(s.dup_ngram_frac.iter().copied())
            {
                proptest::prop_assert!((0.0..=1.0).contains(&f), "{f}");
            }
            if let Some((first, a, b)) = s.trim {
                proptest::prop_assert!(first <= a && a <= b && b <= refs.len());
                proptest::prop_assert!(refs[..first].iter().all(|(r, _)| *r == "system"));
                proptest::prop_assert_eq!(refs[a].0, "user");
                proptest::prop_assert_eq!(refs[b - 1].0, "assistant");
            }
            if let Some((_, reason)) = &s.failed {
                for (_, c) in &refs {
                    proptest::prop_assert!(c.chars().count() < 8 || !reason.contains(*c));
                }
            }
        }
    }

    #[test]
    fn runs_urls_and_emoji() {
        assert_eq!(longest_run("aaa bb"), 3);
        assert_eq!(longest_run("!!!!!!"), 6);
        assert!(url_or_emoji_only("https://example.com/x"));
        assert!(url_or_emoji_only(" 😊😊 "));
        assert!(!url_or_emoji_only("see https://example.com"));
        assert!(!url_or_emoji_only("ok 😊"));
        let s = judge(
            &[("user", &"a".repeat(150)), ("assistant", "Okay.")],
            false,
            &spec(""),
        );
        assert_eq!(s.failed.unwrap().0, "max_char_run");
    }
}
