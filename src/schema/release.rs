//! The release's self-description: the types of `release.json` (and of its parts that other
//! files repeat: shard and file checksums, counts, gate results) and the root hash.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A written shard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ShardInfo {
    /// Path relative to the release root.
    pub path: String,
    pub sha256: String,
    pub records: u64,
    pub bytes: u64,
    pub phase: String,
    pub split: String,
}

/// One input object in release.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputRef {
    pub source: String,
    pub uri: String,
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
}

/// A non-shard file of the release (manifest, ledger, reports) and its checksum.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRef {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

impl FileRef {
    pub fn of(path: &str, bytes: &[u8]) -> Self {
        Self {
            path: path.to_string(),
            sha256: hex::encode(Sha256::digest(bytes)),
            bytes: bytes.len() as u64,
        }
    }
}

/// Record counts: `input = sum(by_status)`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    pub input: u64,
    pub exported: u64,
    pub by_status: BTreeMap<String, u64>,
}

/// One gate's verdict.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GateResult {
    pub name: String,
    pub metric: String,
    pub op: String,
    /// `None` when the metric is missing or not a number (the gate then fails).
    pub value: Option<f64>,
    pub threshold: f64,
    pub passed: bool,
    /// Built in, or from the spec.
    pub builtin: bool,
    /// Why it failed, in words (null when it passed).
    pub detail: Option<String>,
}

/// `release.json`: written last and create-only; everything needed to check the release.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReleaseJson {
    pub name: String,
    pub version: String,
    pub tool: String,
    pub tool_version: String,
    /// The resolved spec (every default filled in).
    pub spec: serde_json::Value,
    /// sha256 of the canonical JSON of `spec`.
    pub spec_sha256: String,
    pub inputs: Vec<InputRef>,
    pub counts: Counts,
    pub shards: Vec<ShardInfo>,
    /// sha256 over the lines `<shard sha256>  <shard path>\n`, in the order of `shards`.
    pub root_sha256: String,
    /// Manifest, ledger and reports with their checksums.
    pub files: Vec<FileRef>,
    pub gates: Vec<GateResult>,
    /// Every licence of the release's sources: which sources carry it and how many records of
    /// them were exported.
    #[serde(default)]
    pub licenses: Vec<LicenseRef>,
    /// Who reviewed the release before it was published (when the spec requires a review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// One licence of a release.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LicenseRef {
    pub license: String,
    pub sources: Vec<String>,
    /// Exported records (distinct record ids) of those sources.
    pub exported: u64,
}

/// The sign-off of a release (`trainready publish RUN_DIR --reviewed-by NAME --note TEXT`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Review {
    pub by: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Licences of a release: per licence, the sources carrying it (`(source, licence)` in spec
/// order) and the exported records of those sources (`exported` by source).
pub fn licenses(sources: &[(&str, &str)], exported: &BTreeMap<String, u64>) -> Vec<LicenseRef> {
    let mut by: BTreeMap<&str, (Vec<String>, u64)> = BTreeMap::new();
    for (source, license) in sources {
        let e = by.entry(license).or_default();
        e.0.push(source.to_string());
        e.1 += exported.get(*source).copied().unwrap_or(0);
    }
    by.into_iter()
        .map(|(license, (sources, exported))| LicenseRef {
            license: license.to_string(),
            sources,
            exported,
        })
        .collect()
}

/// The root hash over the shard hashes.
pub fn root_sha256(shards: &[ShardInfo]) -> String {
    let mut h = Sha256::new();
    for s in shards {
        h.update(format!("{}  {}\n", s.sha256, s.path).as_bytes());
    }
    hex::encode(h.finalize())
}
