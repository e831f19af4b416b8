//! `[dedup]` and `[dedup.near]`: exact and near-duplicate removal settings, with their defaults
//! and checks.

use serde::{Deserialize, Serialize};

fn default_true() -> bool {
    true
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
    pub fn banding(&self) -> crate::kernels::lsh::Banding {
        match (self.bands, self.rows) {
            (Some(bands), Some(rows)) => crate::kernels::lsh::Banding { bands, rows },
            (Some(bands), None) => crate::kernels::lsh::Banding {
                bands,
                rows: (self.num_perm / bands).max(1),
            },
            (None, Some(rows)) => crate::kernels::lsh::Banding {
                bands: (self.num_perm / rows).max(1),
                rows,
            },
            (None, None) => crate::kernels::lsh::banding_for(self.num_perm, self.cut(), 0.995),
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

impl DedupSpec {
    /// Check the values; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        if !(0.0..=1.0).contains(&self.max_removal_rate) {
            return Err((
                "dedup.max_removal_rate".into(),
                format!("{} is outside 0..=1", self.max_removal_rate),
            ));
        }
        self.near.validate()
    }
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
