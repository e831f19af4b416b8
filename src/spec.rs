//! The run spec (`release.toml`): parsed with `deny_unknown_fields`, validated once, and resolved
//! into a [`Plan`] with every default filled in. The plan (not the raw file) is what the pipeline
//! reads and what `release.json` records, together with its sha256.
//!
//! Precedence for the output location: `--output` > `[release] output` >
//! `$DATASET_PIPELINE_OUTPUT_DIR` > the bucket with `DATASET_STORAGE_BACKEND=s3|gcs` >
//! `$DATASET_STORAGE_LOCAL_PATH` > `./out` (see [`crate::storage::default_output`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::coverage::CoverageSpec;
use crate::curriculum::CurriculumSpec;
use crate::dedup::DedupSpec;
use crate::error::{Error, Result};
use crate::export::ExportSpec;
use crate::gates::{DriftSpec, GateSpec};
use crate::leakage::LeakageSpec;
use crate::load::config::{LoadSpec, SourcePlan, SourceSpec};
use crate::pii::PiiSpec;
use crate::quality::QualitySpec;
use crate::report::ReportSpec;
use crate::split::SplitSpec;
use crate::storage::resolve_uri;
use crate::tokens::TokensSpec;

/// The whole spec file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `[release]`: name, version and output location.
    pub release: ReleaseSpec,
    /// `[[source]]`: one entry per input dataset (at least one).
    #[serde(default, rename = "source")]
    pub sources: Vec<Spanned<SourceSpec>>,
    /// `[provenance]`: the licences a release may carry.
    #[serde(default)]
    pub provenance: ProvenanceSpec,
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
    pub coverage: CoverageSpec,
    /// `[split]`: keep the sources' splits (default) or assign them by fractions (see `split.rs`).
    #[serde(default)]
    pub split: SplitSpec,
    /// `[leakage]`: cross-split and benchmark contamination (see `split.rs`).
    #[serde(default)]
    pub leakage: LeakageSpec,
    /// `[pii]`: detection and redaction (see `pii.rs`).
    #[serde(default)]
    pub pii: PiiSpec,
    /// `[[gate]]`: extra fail-closed checks on metrics of `stats.json`.
    #[serde(default, rename = "gate")]
    pub gates: Vec<GateSpec>,
    /// `[curriculum]`: route families into training phases (see `curriculum.rs`).
    #[serde(default)]
    pub curriculum: Option<CurriculumSpec>,
    /// `[drift]`: gates against a baseline release (see `gates.rs`).
    #[serde(default)]
    pub drift: Option<DriftSpec>,
    /// `[report]`: the QA report (see `report.rs`).
    #[serde(default)]
    pub report: ReportSpec,
    /// `[tokens]`: the tokenizer of the token counts (see `tokens.rs`).
    #[serde(default)]
    pub tokens: TokensSpec,
    /// `[quality]`: quality signals and filters (see `quality.rs`); off without the table.
    #[serde(default)]
    pub quality: Option<QualitySpec>,
}

/// `[release]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSpec {
    /// Release name, e.g. `name = "fixtures"`. Letters, digits, `-`, `_`, `.`.
    pub name: Spanned<String>,
    /// Release version, e.g. `version = "0.1.0"`. Required unless `--version` is given.
    pub version: Option<Spanned<String>>,
    /// Where releases go, e.g. `output = "out"` or `output = "s3://bucket/prefix"`. Default:
    /// `$DATASET_PIPELINE_OUTPUT_DIR`, else the bucket (`DATASET_STORAGE_BACKEND=s3|gcs`), else
    /// `$DATASET_STORAGE_LOCAL_PATH` (local backend), else `./out`. Relative paths are from the
    /// spec's folder.
    pub output: Option<String>,
    /// Stop a passing build at "staged, awaiting review" (exit 3) until `trainready publish RUN_DIR
    /// --reviewed-by NAME` publishes it, recording the reviewer in release.json. Default `false`.
    #[serde(default)]
    pub require_review: bool,
}

/// `[provenance]`: which licences a release may carry. Without it, any non-empty licence is
/// accepted (every source must still declare one).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceSpec {
    /// SPDX identifiers or globs a source's licence must match, e.g. `allow = ["MIT", "CC0-1.0",
    /// "CC-BY-4.0"]`. Empty: every licence not denied.
    #[serde(default)]
    pub allow: Vec<String>,
    /// SPDX identifiers or globs no source's licence may match, e.g. `deny = ["*-NC-*"]`.
    #[serde(default)]
    pub deny: Vec<String>,
}

impl ProvenanceSpec {
    fn matcher(patterns: &[String]) -> std::result::Result<globset::GlobSet, (String, String)> {
        let mut b = globset::GlobSetBuilder::new();
        for p in patterns {
            let glob = globset::GlobBuilder::new(p)
                .case_insensitive(true)
                .build()
                .map_err(|e| {
                    (
                        "provenance".to_string(),
                        format!("`{}` is not a licence glob: {e}", crate::error::echo(p)),
                    )
                })?;
            b.add(glob);
        }
        b.build()
            .map_err(|e| ("provenance".to_string(), e.to_string()))
    }

    /// Check the globs; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        Self::matcher(&self.allow)?;
        Self::matcher(&self.deny)?;
        Ok(())
    }

    /// Whether this policy takes `license`: not denied, and allowed when an allow-list is given.
    pub fn permits(&self, license: &str) -> bool {
        let (Ok(allow), Ok(deny)) = (Self::matcher(&self.allow), Self::matcher(&self.deny)) else {
            return false;
        };
        !deny.is_match(license) && (self.allow.is_empty() || allow.is_match(license))
    }

    /// Whether a policy was given at all.
    pub fn is_set(&self) -> bool {
        !self.allow.is_empty() || !self.deny.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// The resolved plan.

/// The validated spec with every default and path filled in.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub name: String,
    pub version: String,
    /// The output root (a local path or an object-store URI).
    #[serde(skip)]
    pub output: String,
    /// A passing build is staged for review instead of published (exit 3).
    pub require_review: bool,
    pub provenance: ProvenanceSpec,
    pub sources: Vec<SourcePlan>,
    pub load: LoadSpec,
    pub dedup: DedupSpec,
    pub coverage: CoverageSpec,
    pub split: SplitSpec,
    pub leakage: LeakageSpec,
    pub pii: PiiSpec,
    pub export: ExportSpec,
    pub gates: Vec<GateSpec>,
    /// The phases; without `[curriculum]`, one `sft` phase taking every family.
    pub curriculum: CurriculumSpec,
    /// Drift gates against a baseline release (`baseline` as written; relative to `spec_dir`).
    pub drift: Option<DriftSpec>,
    pub report: ReportSpec,
    pub tokens: TokensSpec,
    /// `enabled = false` when the spec has no `[quality]`.
    pub quality: QualitySpec,
    /// Folder of the spec file; relative source paths are resolved from it.
    #[serde(skip)]
    pub spec_dir: PathBuf,
}

impl Plan {
    /// The resolved plan as canonical JSON (what `release.json` embeds).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("invariant: the plan serialises")
    }

    /// (family, source) of every source, in spec order.
    pub fn source_families(&self) -> Vec<(&str, &str)> {
        self.sources
            .iter()
            .map(|s| (s.family.as_str(), s.name.as_str()))
            .collect()
    }

    /// The routing table: family -> the curriculum phases that take it.
    pub fn routing(&self) -> BTreeMap<String, Vec<String>> {
        self.curriculum.routing(&self.source_families())
    }

    /// Families and their sources.
    pub fn families(&self) -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in &self.sources {
            m.entry(s.family.clone()).or_default().push(s.name.clone());
        }
        m
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
        (Some(v), _) => {
            if !valid_version(v) {
                return Err(Error::Usage(format!(
                    "--version `{}`: {VERSION_RULE}",
                    crate::error::echo(v)
                )));
            }
            v.clone()
        }
        (None, Some(v)) => {
            if !valid_version(v.get_ref()) {
                return Err(value_err(
                    "release.version",
                    v.span(),
                    format!("`{}`: {VERSION_RULE}", crate::error::echo(v.get_ref())),
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

    let output = resolve_output(
        overrides.output.as_deref(),
        spec.release.output.as_deref(),
        spec_dir,
    )?;

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
        let key = |k: &str| format!("source[{position}] `{}`.{k}", s.name);
        if let Some(prev) = seen.insert(s.name.clone(), position) {
            return Err(value_err(
                &key("name"),
                span,
                format!("duplicate source name (also source[{prev}])"),
            ));
        }
        let source = s
            .resolve(position, spec_dir, &spec.load)
            .map_err(|(k, message)| value_err(&key(&k), span.clone(), message))?;
        sources.push(source);
    }
    let source_names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
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
    // Each section checks itself; the error names the key.
    let checks = [
        spec.provenance.validate(),
        spec.load.validate(),
        spec.dedup.validate(),
        spec.split.validate(),
        spec.leakage.validate(),
        spec.pii.validate(&source_names),
        spec.export.validate(),
        spec.gates.iter().try_for_each(GateSpec::validate),
        curriculum.validate(&source_families),
        spec.drift.as_ref().map_or(Ok(()), DriftSpec::validate),
        spec.report.validate(),
        spec.tokens.validate(),
        spec.quality.as_ref().map_or(Ok(()), QualitySpec::validate),
    ];
    if let Some(Err((key, message))) = checks.into_iter().find(|c| c.is_err()) {
        return Err(Error::SpecValue {
            path: path.to_path_buf(),
            key,
            message,
        });
    }

    Ok(Plan {
        name,
        version,
        output,
        require_review: spec.release.require_review,
        provenance: spec.provenance,
        sources,
        load: spec.load,
        dedup: spec.dedup,
        coverage: spec.coverage,
        split: spec.split,
        leakage: LeakageSpec {
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
        tokens: spec.tokens,
        quality: spec.quality.unwrap_or(QualitySpec {
            enabled: false,
            ..QualitySpec::default()
        }),
        spec_dir: spec_dir.to_path_buf(),
    })
}

/// What a release version may be (the runbook: no ambiguous labels such as "final").
pub const VERSION_RULE: &str = "a version is a number (SemVer 1.2.0, or 1, 2.1; optionally v-prefixed) or a date (2026-11-29 or 2026.11.29), each optionally with -rcN; words such as final, latest, new or ultimate are not versions";

/// A version number or a date, optionally `-rcN` (see [`VERSION_RULE`]).
pub fn valid_version(v: &str) -> bool {
    let v = match v.rsplit_once("-rc") {
        Some((head, n))
            if !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            head
        }
        _ => v,
    };
    let number = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
    let dotted = v.strip_prefix('v').unwrap_or(v);
    let parts: Vec<&str> = dotted.split('.').collect();
    if (1..=3).contains(&parts.len()) && parts.iter().all(|p| number(p)) {
        return true;
    }
    // A date, YYYY-MM-DD or YYYY.MM.DD, that exists.
    for sep in ['-', '.'] {
        let d: Vec<&str> = v.split(sep).collect();
        if let [y, m, day] = d[..]
            && y.len() == 4
            && m.len() == 2
            && day.len() == 2
            && [y, m, day].iter().all(|p| number(p))
        {
            let date = format!("{y}-{m}-{day}");
            return date.parse::<jiff::civil::Date>().is_ok();
        }
    }
    false
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Output precedence: flag > spec > environment > `./out`.
fn resolve_output(flag: Option<&str>, spec: Option<&str>, spec_dir: &Path) -> Result<String> {
    if let Some(flag) = flag {
        // A flag is relative to the working directory, as any command-line path.
        return Ok(resolve_uri(
            flag,
            &std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        ));
    }
    if let Some(spec) = spec {
        return Ok(resolve_uri(spec, spec_dir));
    }
    crate::storage::default_output()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SplitRule;
    use crate::records::Format;

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
}
