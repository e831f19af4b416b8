//! Release assembly and publishing.
//!
//! A build collects the files of its release (manifest, ledger, reports) in [`ReleaseFiles`]:
//! each is written once to the run directory, whatever the gates say, and a passing build stages
//! the whole release in `<run>/release/` (the shards are there already, written by export as
//! they complete), with its `release.json` ([`release_json`]). [`publish_staged`] then copies the
//! staged release to its target (server-side within one store: a hard link locally, `CopyObject`
//! in a bucket), `release.json` last and create-only, so a version is either complete or absent;
//! [`publish_run`] finishes a publish that stopped half-way.

use bytes::Bytes;
use polars::prelude::DataFrame;

use crate::error::{Error, Result};
use crate::schema::release::{Counts, FileRef, GateResult, InputRef, ReleaseJson, ShardInfo};
use crate::schema::{parquet_bytes, pretty};
use crate::storage::{Location, Storage};

/// The file in a run directory naming the release its staged copy publishes to.
pub const PUBLISH_JSON: &str = "publish.json";

/// The files of a release besides its shards, each with its path in the release and in the run
/// directory.
#[derive(Default)]
pub struct ReleaseFiles {
    files: Vec<(String, String, Vec<u8>)>,
}

impl ReleaseFiles {
    /// A file at the same path in the release and the run directory (`reports/...`).
    pub fn add(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.push((path.to_string(), path.to_string(), bytes));
    }

    /// A file with its own name in the run directory (`manifest.parquet` is
    /// `07_manifest.parquet` there).
    pub fn add_as(&mut self, path: &str, run_path: &str, bytes: Vec<u8>) {
        self.files
            .push((path.to_string(), run_path.to_string(), bytes));
    }

    /// A JSON report, pretty-printed.
    pub fn add_json(&mut self, path: &str, value: &serde_json::Value) {
        self.add(path, pretty(value));
    }

    /// A Parquet table.
    pub fn add_parquet(&mut self, path: &str, df: &DataFrame) -> Result<()> {
        let mut df = df.clone();
        self.add(path, parquet_bytes(&mut df)?);
        Ok(())
    }

    /// Write every file to the run directory; returns their checksums for `release.json`.
    pub fn write_to_run(&self, storage: &Storage, run: &Location) -> Result<Vec<FileRef>> {
        let mut refs = Vec::with_capacity(self.files.len());
        for (path, run_path, bytes) in &self.files {
            refs.push(FileRef::of(path, bytes));
            storage.put(&run.join(run_path), Bytes::from(bytes.clone()))?;
        }
        Ok(refs)
    }

    /// Copy every file from the run directory into the staged release.
    pub fn stage(&self, storage: &Storage, run: &Location, staging: &Location) -> Result<()> {
        for (path, run_path, _) in &self.files {
            storage.copy(&run.join(run_path), &staging.join(path))?;
        }
        Ok(())
    }
}

/// What `release.json` says, from its parts.
#[allow(clippy::too_many_arguments)]
pub fn release_json(
    name: &str,
    version: &str,
    spec: serde_json::Value,
    spec_sha256: String,
    inputs: Vec<InputRef>,
    counts: Counts,
    shards: Vec<ShardInfo>,
    files: Vec<FileRef>,
    gates: Vec<GateResult>,
    licenses: Vec<crate::schema::release::LicenseRef>,
) -> ReleaseJson {
    ReleaseJson {
        name: name.to_string(),
        version: version.to_string(),
        tool: "trainready".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        spec,
        spec_sha256,
        inputs,
        counts,
        root_sha256: crate::schema::release::root_sha256(&shards),
        shards,
        files,
        gates,
        licenses,
        review: None,
    }
}

/// Stage `release.json` beside the staged files and record where it publishes to.
pub fn stage_release_json(
    storage: &Storage,
    run: &Location,
    doc: &ReleaseJson,
    target: &Location,
) -> Result<()> {
    let body = pretty(&serde_json::to_value(doc).expect("invariant: release.json serialises"));
    storage.put(&run.join("release/release.json"), Bytes::from(body))?;
    storage.put(
        &run.join(PUBLISH_JSON),
        Bytes::from(pretty(&serde_json::json!({ "release": target.uri }))),
    )
}

/// Publish a staged release (`<run>/release/`, written by a build whose gates passed): every
/// shard and file that its `release.json` lists, copied (server-side where possible), then
/// `release.json` create-only. Returns the number of shards.
pub fn publish_staged(storage: &Storage, staging: &Location, release: &Location) -> Result<usize> {
    let release_json = release.join("release.json");
    if storage.head(&release_json)?.is_some() {
        return Err(Error::AlreadyPublished {
            uri: release.uri.clone(),
        });
    }
    let body = storage.get(&staging.join("release.json"))?;
    let doc: ReleaseJson = serde_json::from_slice(&body).map_err(|e| {
        Error::Corrupt(format!(
            "{}/release.json: {}",
            staging.uri,
            crate::records::json_error(&e)
        ))
    })?;
    let progress = progress_bar(doc.shards.len() as u64, "writing shards");
    for info in &doc.shards {
        storage.copy(&staging.join(&info.path), &release.join(&info.path))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    for f in &doc.files {
        storage.copy(&staging.join(&f.path), &release.join(&f.path))?;
    }
    if !storage.put_create(&release_json, body)? {
        // Another build published this version first; what we wrote is content-addressed or
        // identical in name only, and deleting it could break the winner: delete nothing.
        return Err(Error::AlreadyPublished {
            uri: release.uri.clone(),
        });
    }
    Ok(doc.shards.len())
}

/// `trainready publish RUN_DIR [--reviewed-by NAME [--note TEXT]]`: publish the release staged
/// in a run directory: a build that passed its gates and awaits review (its spec has
/// `require_review`; the review is recorded in release.json and a reviewer is required), or one
/// whose publish did not complete (storage outage, killed process). Nothing is recomputed.
pub fn publish_run(
    storage: &Storage,
    run_dir: &str,
    review: Option<crate::schema::release::Review>,
) -> Result<(String, usize)> {
    let run = storage.locate(run_dir.trim_end_matches('/'))?;
    let staging = run.join("release");
    if storage.head(&staging.join("release.json"))?.is_none() {
        return Err(Error::Usage(format!(
            "{}: no staged release.json: this run did not pass its gates (see reports/gates.json) or is not a run directory",
            run.uri
        )));
    }
    let target: serde_json::Value = serde_json::from_slice(&storage.get(&run.join(PUBLISH_JSON))?)
        .map_err(|e| {
            Error::Corrupt(format!(
                "{}/{PUBLISH_JSON}: {}",
                run.uri,
                crate::records::json_error(&e)
            ))
        })?;
    let uri = target["release"]
        .as_str()
        .ok_or_else(|| Error::Corrupt(format!("{}/{PUBLISH_JSON}: no `release`", run.uri)))?;
    let release = storage.locate(uri)?;
    let staged_json = staging.join("release.json");
    let mut doc: ReleaseJson =
        serde_json::from_slice(&storage.get(&staged_json)?).map_err(|e| {
            Error::Corrupt(format!(
                "{}: {}",
                staged_json.uri,
                crate::records::json_error(&e)
            ))
        })?;
    let required = doc.spec["require_review"].as_bool() == Some(true);
    match (&review, &doc.review) {
        (None, None) if required => {
            return Err(Error::Usage(format!(
                "{}: the spec requires a review before publishing: read its reports ({}/reports/report.md) and pass --reviewed-by NAME [--note TEXT]",
                run.uri, run.uri
            )));
        }
        (Some(r), _) if r.by.trim().is_empty() => {
            return Err(Error::Usage("--reviewed-by must name the reviewer".into()));
        }
        (Some(r), _) => {
            doc.review = Some(r.clone());
            let body = crate::schema::pretty(
                &serde_json::to_value(&doc).expect("invariant: release.json serialises"),
            );
            storage.put(&staged_json, Bytes::from(body))?;
        }
        _ => {}
    }
    let shards = publish_staged(storage, &staging, &release)?;
    Ok((release.uri, shards))
}

/// A progress bar on a terminal, nothing when stderr is piped.
pub fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
            .expect("invariant: static template parses")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}
