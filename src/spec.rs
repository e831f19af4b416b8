//! The run spec (`release.toml`): parsed with `deny_unknown_fields`, validated once, and resolved
//! into a [`Plan`] with every default filled in. The plan (not the raw file) is what the pipeline
//! reads and what `release.json` records, together with its sha256.
//!
//! Precedence for the output location: `--output` > `[release] output` > `$DATASET_PIPELINE_OUTPUT_DIR`
//! (or, with `DATASET_STORAGE_BACKEND=s3|gcs`, the bucket) > `./out`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::error::{Error, Result};

/// The whole spec file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `[release]`: name, version and output location.
    pub release: ReleaseSpec,
    /// `[[source]]`: one entry per input dataset (at least one).
    #[serde(default, rename = "source")]
    pub sources: Vec<Spanned<SourceSpec>>,
    /// `[load]`: what loading may reject before the release is blocked.
    #[serde(default)]
    pub load: LoadSpec,
    /// `[dedup]`: exact (and, later, near) duplicate removal.
    #[serde(default)]
    pub dedup: DedupSpec,
    /// `[export]`: shard sizes and compression.
    #[serde(default)]
    pub export: ExportSpec,
    /// `[coverage]`: required and waived families (see `coverage.rs`).
    #[serde(default)]
    pub coverage: crate::coverage::CoverageSpec,
    /// `[split]`: keep the sources' splits (default) or assign them by fractions (see `split.rs`).
    #[serde(default)]
    pub split: crate::split::SplitSpec,
    /// `[leakage]`: cross-split and benchmark contamination (see `split.rs`).
    #[serde(default)]
    pub leakage: crate::split::LeakageSpec,
    /// `[pii]`: detection and redaction (see `pii.rs`).
    #[serde(default)]
    pub pii: crate::pii::PiiSpec,
    /// `[[gate]]`: extra fail-closed checks on metrics of `stats.json`.
    #[serde(default, rename = "gate")]
    pub gates: Vec<GateSpec>,
    /// `[curriculum]`: route families into training phases (see `curriculum.rs`).
    #[serde(default)]
    pub curriculum: Option<crate::curriculum::CurriculumSpec>,
    /// `[drift]`: gates against a baseline release (see `gates.rs`).
    #[serde(default)]
    pub drift: Option<crate::gates::DriftSpec>,
    /// `[report]`: the QA report (see `report.rs`).
    #[serde(default)]
    pub report: crate::report::ReportSpec,
}

/// `[release]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSpec {
    /// Release name, e.g. `name = "fixtures"`. Letters, digits, `-`, `_`, `.`.
    pub name: Spanned<String>,
    /// Release version, e.g. `version = "0.1.0"`. Required unless `--version` is given.
    pub version: Option<Spanned<String>>,
    /// Where runs and releases go, e.g. `output = "out"` or `output = "s3://bucket/prefix"`.
    /// Default: `$DATASET_PIPELINE_OUTPUT_DIR`, else `./out`. Relative paths are from the spec's folder.
    pub output: Option<String>,
}

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

pub use crate::records::Format;

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

/// When to turn HTML into text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HtmlMode {
    #[default]
    Auto,
    Always,
    Never,
}

/// One column name or several (for `qa` questions).
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
    /// turns: default `conversation_id`.
    pub conversation: Option<String>,
    /// turns: default `turn`.
    pub turn: Option<String>,
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

/// `[dedup]`
#[derive(Debug, Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct DedupSpec {
    /// Remove exact duplicates (same `text_hash`, same split). Default `true`.
    #[serde(default = "default_true")]
    pub exact: bool,
    /// Which copy is kept: `"priority"` (lowest source priority, then smallest record_id).
    #[serde(default)]
    pub keep: KeepPolicy,
    /// Built-in gate: the highest share of any source that dedup may remove. Default 0.5 (a
    /// dedup that removes half of a source is more likely a bug than a finding); raise it when
    /// sources are known to overlap, e.g. two scrapes of one site.
    #[serde(default = "default_max_removal_rate")]
    pub max_removal_rate: f64,
    /// `[dedup.near]`: MinHash LSH near-duplicate detection.
    #[serde(default)]
    pub near: NearSpec,
}

/// `[dedup.near]`
#[derive(Debug, Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct NearSpec {
    /// Run near-duplicate detection. Default `true`.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Shingle size in tokens (words; characters for unspaced scripts). Default 5.
    #[serde(default = "default_ngram")]
    pub ngram: usize,
    /// MinHash permutations. Default 128.
    #[serde(default = "default_num_perm")]
    pub num_perm: usize,
    /// LSH bands; default derived so that a pair at the verification threshold is a candidate
    /// with probability ≥ 0.995 (128 permutations: 25 bands of 5 rows).
    pub bands: Option<usize>,
    /// LSH rows per band; see `bands`.
    pub rows: Option<usize>,
    /// True Jaccard similarity from which two records are near-duplicates. Default 0.8.
    #[serde(default = "default_near_threshold")]
    pub threshold: f64,
    /// Seed of the permutations. Default 42.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// `"estimate"` (signature agreement, default) or `"exact"` (true shingle Jaccard; keeps
    /// every record's shingle set in memory).
    #[serde(default)]
    pub verify: VerifyMode,
    /// Cut for the estimate. Default `threshold - 0.05` with `verify = "estimate"` (the estimate's
    /// standard deviation at 0.8 with 128 permutations is 0.035: cutting at the threshold itself
    /// would lose ~2% of true 0.8 pairs), `threshold` with `"exact"`.
    pub verify_threshold: Option<f64>,
    /// Above this many members a cluster is not chained transitively: members are compared with
    /// the representative, those below the threshold are kept, and the cluster is reported.
    #[serde(default = "default_max_cluster")]
    pub max_cluster_size: usize,
}

fn default_ngram() -> usize {
    5
}
fn default_num_perm() -> usize {
    128
}
fn default_near_threshold() -> f64 {
    0.8
}
fn default_seed() -> u64 {
    42
}
fn default_max_cluster() -> usize {
    1000
}

impl Default for NearSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            ngram: default_ngram(),
            num_perm: default_num_perm(),
            bands: None,
            rows: None,
            threshold: default_near_threshold(),
            seed: default_seed(),
            verify: VerifyMode::Estimate,
            verify_threshold: None,
            max_cluster_size: default_max_cluster(),
        }
    }
}

impl NearSpec {
    /// The verification cut actually used.
    pub fn cut(&self) -> f64 {
        self.verify_threshold.unwrap_or(match self.verify {
            VerifyMode::Estimate => (self.threshold - 0.05).max(0.0),
            VerifyMode::Exact => self.threshold,
        })
    }

    /// The banding actually used.
    pub fn banding(&self) -> crate::dedup::lsh::Banding {
        match (self.bands, self.rows) {
            (Some(bands), Some(rows)) => crate::dedup::lsh::Banding { bands, rows },
            (Some(bands), None) => crate::dedup::lsh::Banding {
                bands,
                rows: (self.num_perm / bands).max(1),
            },
            (None, Some(rows)) => crate::dedup::lsh::Banding {
                bands: (self.num_perm / rows).max(1),
                rows,
            },
            (None, None) => crate::dedup::lsh::banding_for(self.num_perm, self.cut(), 0.995),
        }
    }

    /// Check the values; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        let bad = |k: &str, m: String| Err((format!("dedup.near.{k}"), m));
        if self.ngram == 0 || self.ngram > 64 {
            return bad("ngram", format!("{} is outside 1..=64", self.ngram));
        }
        if self.num_perm < 8 || self.num_perm > 1024 {
            return bad("num_perm", format!("{} is outside 8..=1024", self.num_perm));
        }
        if !(0.0..=1.0).contains(&self.threshold) || !(0.0..=1.0).contains(&self.cut()) {
            return bad("threshold", "thresholds must be within 0..=1".into());
        }
        let b = self.banding();
        if b.bands == 0 || b.rows == 0 || b.bands * b.rows > self.num_perm || b.rows > 64 {
            return bad(
                "bands",
                format!(
                    "{} bands × {} rows does not fit {} permutations (rows ≤ 64)",
                    b.bands, b.rows, self.num_perm
                ),
            );
        }
        if self.max_cluster_size < 2 {
            return bad("max_cluster_size", "must be at least 2".into());
        }
        Ok(())
    }
}

/// How near-duplicate candidates are verified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyMode {
    #[default]
    Estimate,
    Exact,
}

fn default_max_removal_rate() -> f64 {
    0.5
}

impl Default for DedupSpec {
    fn default() -> Self {
        Self {
            exact: true,
            keep: KeepPolicy::Priority,
            max_removal_rate: default_max_removal_rate(),
            near: NearSpec::default(),
        }
    }
}

/// Which copy of a duplicate group survives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepPolicy {
    /// Lowest source priority, then smallest `record_id`.
    #[default]
    Priority,
}

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

/// `[[gate]]`: `metric` is a dotted path into stats.json, e.g. `counts.exported`.
#[derive(Debug, Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct GateSpec {
    pub name: String,
    pub metric: String,
    pub op: GateOp,
    pub threshold: f64,
}

impl GateSpec {
    /// A gate requiring `metric` (a dotted path into stats.json) to be 0.
    pub fn equals_zero(name: impl Into<String>, metric: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            metric: metric.into(),
            op: GateOp::Eq,
            threshold: 0.0,
        }
    }
}

/// Gate comparison: `value <op> threshold` must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum GateOp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
}

impl GateOp {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Lt => value < threshold,
            Self::Le => value <= threshold,
            Self::Eq => value == threshold,
            Self::Ge => value >= threshold,
            Self::Gt => value > threshold,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Eq => "==",
            Self::Ge => ">=",
            Self::Gt => ">",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The resolved plan.

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
    pub conversation: String,
    pub turn: String,
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

/// The validated spec with every default and path filled in.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub name: String,
    pub version: String,
    /// The output root (a local path or an object-store URI).
    #[serde(skip)]
    pub output: String,
    pub sources: Vec<SourcePlan>,
    pub load: LoadSpec,
    pub dedup: DedupSpec,
    pub coverage: crate::coverage::CoverageSpec,
    pub split: crate::split::SplitSpec,
    pub leakage: crate::split::LeakageSpec,
    pub pii: crate::pii::PiiSpec,
    pub export: ExportSpec,
    pub gates: Vec<GateSpec>,
    /// The phases; without `[curriculum]`, one `sft` phase taking every family.
    pub curriculum: crate::curriculum::CurriculumSpec,
    /// Drift gates against a baseline release (`baseline` as written; relative to `spec_dir`).
    pub drift: Option<crate::gates::DriftSpec>,
    pub report: crate::report::ReportSpec,
    /// Folder of the spec file; relative source paths are resolved from it.
    #[serde(skip)]
    pub spec_dir: PathBuf,
}

impl Plan {
    /// The resolved plan as canonical JSON (what `release.json` embeds).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("invariant: the plan serialises")
    }

    /// sha256 of the canonical JSON of the resolved plan.
    pub fn sha256(&self) -> String {
        let bytes = serde_json::to_vec(&self.to_json()).expect("invariant: the plan serialises");
        hex::encode(Sha256::digest(bytes))
    }
}

/// Overrides from the command line; they win over the spec.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub output: Option<String>,
    pub version: Option<String>,
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

/// Map a split label to its canonical value (`train`, `validation`, `test`).
pub fn canonical_split(label: &str) -> Option<&'static str> {
    match label.trim().to_ascii_lowercase().as_str() {
        "train" | "training" => Some("train"),
        "validation" | "val" | "valid" | "dev" => Some("validation"),
        "test" | "testing" => Some("test"),
        _ => None,
    }
}

/// Parse, validate and resolve a spec file.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Plan> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Spec {
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    let spec_dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let spec_dir = std::path::absolute(if spec_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &spec_dir
    })
    .map_err(|e| Error::Spec {
        path: path.to_path_buf(),
        message: format!("cannot resolve its folder: {e}"),
    })?;
    resolve(path, &text, &spec_dir, overrides)
}

/// Parse and resolve spec text (`path` is only used in messages).
pub fn resolve(path: &Path, text: &str, spec_dir: &Path, overrides: &Overrides) -> Result<Plan> {
    let spec: Spec = toml::from_str(text).map_err(|e| Error::Spec {
        path: path.to_path_buf(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let line_of =
        |span: std::ops::Range<usize>| text[..span.start.min(text.len())].matches('\n').count() + 1;
    let value_err = |key: &str, span: std::ops::Range<usize>, message: String| Error::SpecValue {
        path: path.to_path_buf(),
        key: format!("{key} (line {})", line_of(span)),
        message,
    };

    let name = spec.release.name.get_ref().clone();
    if !valid_name(&name) {
        return Err(value_err(
            "release.name",
            spec.release.name.span(),
            format!(
                "`{}` must be non-empty and use only letters, digits, `-`, `_`, `.`",
                crate::error::echo(&name)
            ),
        ));
    }
    let version = match (&overrides.version, &spec.release.version) {
        (Some(v), _) => v.clone(),
        (None, Some(v)) => {
            if !valid_name(v.get_ref()) {
                return Err(value_err(
                    "release.version",
                    v.span(),
                    format!(
                        "`{}` must use only letters, digits, `-`, `_`, `.`",
                        crate::error::echo(v.get_ref())
                    ),
                ));
            }
            v.get_ref().clone()
        }
        (None, None) => {
            return Err(Error::SpecValue {
                path: path.to_path_buf(),
                key: "release.version".into(),
                message: "missing: set it in [release] or pass --version".into(),
            });
        }
    };
    if !valid_name(&version) {
        return Err(Error::Usage(format!(
            "--version `{}` must use only letters, digits, `-`, `_`, `.`",
            crate::error::echo(&version)
        )));
    }

    let output = resolve_output(
        overrides.output.as_deref(),
        spec.release.output.as_deref(),
        spec_dir,
    );

    if spec.sources.is_empty() {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key: "source".into(),
            message: "at least one [[source]] is required".into(),
        });
    }
    let mut sources = Vec::with_capacity(spec.sources.len());
    let mut seen = BTreeMap::new();
    for (position, spanned) in spec.sources.iter().enumerate() {
        let span = spanned.span();
        let s = spanned.get_ref();
        let key = |k: &str| format!("source[{position}] `{}`.{k}", crate::error::echo(&s.name));
        if !valid_name(&s.name) {
            return Err(value_err(
                &format!("source[{position}].name"),
                span,
                format!(
                    "`{}` must be non-empty and use only letters, digits, `-`, `_`, `.`",
                    crate::error::echo(&s.name)
                ),
            ));
        }
        if let Some(prev) = seen.insert(s.name.clone(), position) {
            return Err(value_err(
                &key("name"),
                span,
                format!("duplicate source name (also source[{prev}])"),
            ));
        }
        if s.family.trim().is_empty() {
            return Err(value_err(&key("family"), span, "must not be empty".into()));
        }
        let license = match s.license.as_deref().map(str::trim) {
            Some(l) if !l.is_empty() => l.to_string(),
            _ => {
                return Err(value_err(
                    &key("license"),
                    span,
                    "missing: provenance is denied by default; declare the source's licence, e.g. license = \"MIT\"".into(),
                ));
            }
        };
        let origin = match s.origin.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => o.to_string(),
            _ => {
                return Err(value_err(
                    &key("origin"),
                    span,
                    "missing: provenance is denied by default; declare where the data comes from, e.g. origin = \"https://...\"".into(),
                ));
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
                    return Err(value_err(
                        &key("split"),
                        span,
                        format!(
                            "`{}` is not a split: use train, validation (val, valid, dev), test or from-filename",
                            crate::error::echo(other)
                        ),
                    ));
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
                return Err(value_err(
                    &key(&format!("roles.{speaker}")),
                    span,
                    format!(
                        "`{}` is not a ChatML role: use system, user or assistant",
                        crate::error::echo(role)
                    ),
                ));
            }
            roles.insert(speaker.trim().to_lowercase(), role.clone());
        }
        let c = &s.columns;
        let (speaker_default, content_default) = match s.mapping {
            Mapping::Chatml => ("role", "content"),
            Mapping::Sharegpt => ("from", "value"),
            Mapping::Preference => ("role", "content"),
            _ => ("speaker", "text"),
        };
        let columns = ResolvedColumns {
            id: c.id.clone().unwrap_or_else(|| "id".into()),
            id_explicit: c.id.is_some(),
            messages: c.messages.clone().unwrap_or_else(|| "messages".into()),
            conversations: c
                .conversations
                .clone()
                .unwrap_or_else(|| "conversations".into()),
            question: c
                .question
                .as_ref()
                .map(OneOrMany::names)
                .unwrap_or_else(|| vec!["question".into()]),
            answer: c.answer.clone().unwrap_or_else(|| "answer".into()),
            dialog: c.dialog.clone().unwrap_or_else(|| "dialog".into()),
            speaker: c.speaker.clone().unwrap_or_else(|| speaker_default.into()),
            content: c.content.clone().unwrap_or_else(|| content_default.into()),
            conversation: c
                .conversation
                .clone()
                .unwrap_or_else(|| "conversation_id".into()),
            turn: c.turn.clone().unwrap_or_else(|| "turn".into()),
            context: c.context.clone(),
            metadata: c.metadata.clone().unwrap_or_default(),
            text: c.text.clone().unwrap_or_else(|| "text".into()),
            prompt: c.prompt.clone().unwrap_or_else(|| "prompt".into()),
            chosen: c.chosen.clone().unwrap_or_else(|| "chosen".into()),
            rejected: c.rejected.clone().unwrap_or_else(|| "rejected".into()),
        };
        if columns.question.is_empty() {
            return Err(value_err(
                &key("columns.question"),
                span,
                "must name at least one column".into(),
            ));
        }
        if let Some(r) = s.max_rejection_rate
            && !(0.0..=1.0).contains(&r)
        {
            return Err(value_err(
                &key("max_rejection_rate"),
                span,
                format!("{r} is outside 0..=1"),
            ));
        }
        let resolved_uri = resolve_uri(&s.uri, spec_dir);
        sources.push(SourcePlan {
            name: s.name.clone(),
            family: s.family.trim().to_string(),
            uri: s.uri.clone(),
            resolved_uri,
            format,
            mapping: s.mapping,
            license,
            origin,
            split,
            priority: s.priority.unwrap_or(position as i64),
            merge_turns: s.merge_turns,
            html: s.html,
            max_rejection_rate: s.max_rejection_rate.unwrap_or(spec.load.max_rejection_rate),
            columns,
            roles,
        });
    }

    if !(0.0..=1.0).contains(&spec.load.max_rejection_rate) {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key: "load.max_rejection_rate".into(),
            message: format!("{} is outside 0..=1", spec.load.max_rejection_rate),
        });
    }
    if spec.export.shard_records == 0 || spec.export.shard_bytes == 0 {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key: "export.shard_records / export.shard_bytes".into(),
            message: "must be at least 1".into(),
        });
    }
    if !(1..=19).contains(&spec.export.zstd_level) {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key: "export.zstd_level".into(),
            message: format!("{} is outside 1..=19", spec.export.zstd_level),
        });
    }
    if !(0.0..=1.0).contains(&spec.dedup.max_removal_rate) {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key: "dedup.max_removal_rate".into(),
            message: format!("{} is outside 0..=1", spec.dedup.max_removal_rate),
        });
    }
    if let Err((key, message)) = spec.dedup.near.validate() {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key,
            message,
        });
    }
    if let Err(message) = spec.split.validate() {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key: "split.assign".into(),
            message,
        });
    }
    let l = &spec.leakage;
    if l.ngram == 0
        || l.stop_df < 2
        || !(0.0..=1.0).contains(&l.min_fraction)
        || !(0.0..=1.0).contains(&l.turn_min_fraction)
    {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key: "leakage".into(),
            message: "ngram must be at least 1, stop_df at least 2, fractions within 0..=1".into(),
        });
    }
    if let Err((key, message)) = spec.pii.validate() {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key,
            message,
        });
    }
    for s in spec.pii.sources.keys() {
        if !sources.iter().any(|p: &SourcePlan| &p.name == s) {
            return Err(Error::SpecValue {
                path: path.to_path_buf(),
                key: format!("pii.sources.{s}"),
                message: "no [[source]] has this name".into(),
            });
        }
    }
    for gate in &spec.gates {
        if gate.metric.trim().is_empty() || !gate.threshold.is_finite() {
            return Err(Error::SpecValue {
                path: path.to_path_buf(),
                key: format!("gate `{}`", gate.name),
                message: "needs a metric path and a finite threshold".into(),
            });
        }
    }

    let source_families: Vec<(&str, &str)> = sources
        .iter()
        .map(|s| (s.family.as_str(), s.name.as_str()))
        .collect();
    let curriculum = match spec.curriculum {
        Some(c) => c,
        None => {
            crate::curriculum::CurriculumSpec::default_for(sources.iter().map(|s| s.family.clone()))
        }
    };
    if let Err((key, message)) = curriculum.validate(&source_families) {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key,
            message,
        });
    }

    if let Some(d) = &spec.drift {
        let limits = [
            d.max_family_share_change,
            d.max_median_chars_change,
            d.max_records_change,
        ];
        if limits.iter().any(|x| !x.is_finite() || *x < 0.0) {
            return Err(Error::SpecValue {
                path: path.to_path_buf(),
                key: "drift".into(),
                message: "the max_* limits must be finite numbers ≥ 0".into(),
            });
        }
    }
    if spec.report.min_cell == 0 {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key: "report.min_cell".into(),
            message: "must be at least 1".into(),
        });
    }

    Ok(Plan {
        name,
        version,
        output,
        sources,
        load: spec.load,
        dedup: spec.dedup,
        coverage: spec.coverage,
        split: spec.split,
        leakage: crate::split::LeakageSpec {
            eval_sets: spec
                .leakage
                .eval_sets
                .iter()
                .map(|u| resolve_uri(u, spec_dir))
                .collect(),
            ..spec.leakage
        },
        pii: spec.pii,
        export: spec.export,
        gates: spec.gates,
        curriculum,
        drift: spec.drift,
        report: spec.report,
        spec_dir: spec_dir.to_path_buf(),
    })
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// True for `s3://`, `gs://` and other scheme URIs that are not local.
pub fn is_remote(uri: &str) -> bool {
    uri.contains("://") && !uri.starts_with("file://")
}

/// Resolve a source URI: remote URIs as they are, local paths against the spec's folder.
pub fn resolve_uri(uri: &str, base: &Path) -> String {
    if is_remote(uri) {
        return uri.to_string();
    }
    let local = uri.strip_prefix("file://").unwrap_or(uri);
    let p = Path::new(local);
    if p.is_absolute() {
        local.to_string()
    } else {
        base.join(p).to_string_lossy().into_owned()
    }
}

/// Output precedence: flag > spec > environment > `./out`.
fn resolve_output(flag: Option<&str>, spec: Option<&str>, spec_dir: &Path) -> String {
    if let Some(flag) = flag {
        // A flag is relative to the working directory, as any command-line path.
        return resolve_uri(
            flag,
            &std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        );
    }
    if let Some(spec) = spec {
        return resolve_uri(spec, spec_dir);
    }
    crate::storage::default_output()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Plan> {
        resolve(
            Path::new("release.toml"),
            text,
            Path::new("/specs"),
            &Overrides::default(),
        )
    }

    const MINIMAL: &str = r#"
[release]
name = "fixtures"
version = "0.1.0"
output = "out"

[[source]]
name = "esconv"
family = "support_chat"
uri = "data/esconv/*.jsonl"
mapping = "dialog"
license = "CC-BY-NC-4.0"
origin = "https://github.com/thu-coai/Emotional-Support-Conversation"
split = "from-filename"
"#;

    #[test]
    fn minimal_spec_resolves_with_defaults() {
        let plan = parse(MINIMAL).unwrap();
        assert_eq!(plan.name, "fixtures");
        assert_eq!(plan.output, "/specs/out");
        let s = &plan.sources[0];
        assert_eq!(s.resolved_uri, "/specs/data/esconv/*.jsonl");
        assert_eq!(s.format, Some(Format::Jsonl));
        assert_eq!(s.split, SplitRule::FromFilename);
        assert_eq!(s.columns.speaker, "speaker");
        assert_eq!(s.columns.content, "text");
        assert_eq!(s.roles["usr"], "user");
        assert_eq!(s.roles["sys"], "assistant");
        assert!(plan.dedup.exact);
        assert_eq!(plan.sha256().len(), 64);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = MINIMAL.replace(
            "split = \"from-filename\"",
            "split = \"from-filename\"\nshards = 3",
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("shards"), "{err}");
        assert!(err.contains("line 15"), "{err}");
        assert!(err.contains("release.toml"), "{err}");
    }

    #[test]
    fn missing_license_is_refused() {
        let text = MINIMAL.replace("license = \"CC-BY-NC-4.0\"\n", "");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("license"), "{err}");
        assert!(err.contains("denied by default"), "{err}");
        assert!(err.contains("line 7"), "{err}");
    }

    #[test]
    fn bad_split_value_is_refused() {
        let text = MINIMAL.replace("from-filename", "holdout");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("holdout"), "{err}");
    }

    #[test]
    fn version_flag_overrides_spec() {
        let plan = resolve(
            Path::new("r.toml"),
            MINIMAL,
            Path::new("/specs"),
            &Overrides {
                version: Some("2.0.0".into()),
                output: None,
            },
        )
        .unwrap();
        assert_eq!(plan.version, "2.0.0");
    }

    #[test]
    fn split_aliases() {
        assert_eq!(canonical_split("val"), Some("validation"));
        assert_eq!(canonical_split("dev"), Some("validation"));
        assert_eq!(canonical_split("Valid"), Some("validation"));
        assert_eq!(canonical_split("holdout"), None);
    }
}
