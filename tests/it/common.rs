//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polars::prelude::*;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo().join("fixtures")
}

/// `../shared/data` beside the clone, when it is there.
pub fn shared_data() -> Option<PathBuf> {
    let p = repo().join("../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("notice: ../shared/data is absent; skipping a test over the full real files");
        None
    }
}

/// The cache folder the tests' builds use for their run directories (`$XDG_CACHE_HOME`).
pub fn test_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache")
}

/// Run the trainready binary.
pub fn trainready(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trainready"))
        .args(args)
        .env("RUST_LOG", "trainready=info")
        .env("XDG_CACHE_HOME", test_cache())
        .env_remove("DATASET_STORAGE_LOCAL_PATH")
        .env_remove("DATASET_PIPELINE_OUTPUT_DIR")
        .env_remove("DATASET_STORAGE_BACKEND")
        .output()
        .expect("the binary runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Build `spec` into `out`, returning the process output.
pub fn build(spec: &Path, out: &Path) -> Output {
    trainready(&[
        "build",
        spec.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ])
}

/// Build and insist on success; returns the release folder.
pub fn build_ok(spec: &Path, out: &Path, name: &str, version: &str) -> PathBuf {
    let o = build(spec, out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "build failed\nstdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    out.join("releases").join(name).join(version)
}

pub fn read_parquet(path: &Path) -> DataFrame {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(f).finish().unwrap()
}

pub fn strs(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

pub fn strs_nonnull(df: &DataFrame, col: &str) -> Vec<String> {
    strs(df, col).into_iter().map(|v| v.unwrap()).collect()
}

/// Ledger rows as (record_id -> (source, status, reason)).
pub fn ledger_rows(release: &Path) -> BTreeMap<String, (String, String, Option<String>)> {
    ledger_rows_at(&release.join("ledger.parquet"))
}

/// The rows of a ledger file (a release's, or a run directory's `08_ledger.parquet`).
pub fn ledger_rows_at(file: &Path) -> BTreeMap<String, (String, String, Option<String>)> {
    let l = read_parquet(file);
    let ids = strs_nonnull(&l, "record_id");
    let src = strs_nonnull(&l, "source");
    let st = strs_nonnull(&l, "status");
    let reason = strs(&l, "reason");
    let mut out = BTreeMap::new();
    for i in 0..ids.len() {
        let prev = out.insert(
            ids[i].clone(),
            (src[i].clone(), st[i].clone(), reason[i].clone()),
        );
        assert!(prev.is_none(), "duplicate ledger record_id {}", ids[i]);
    }
    out
}

/// (source, status) -> count
pub fn status_counts(release: &Path) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for (_, (s, st, _)) in ledger_rows(release) {
        *out.entry((s, st)).or_default() += 1;
    }
    out
}

pub fn count(counts: &BTreeMap<(String, String), usize>, source: &str, status: &str) -> usize {
    counts
        .get(&(source.to_string(), status.to_string()))
        .copied()
        .unwrap_or(0)
}

/// Every JSONL line of every shard of a release, parsed, with the shard's path.
pub fn shard_records(release: &Path) -> Vec<(String, serde_json::Value)> {
    let rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(release.join("release.json")).unwrap()).unwrap();
    let mut out = Vec::new();
    for s in rj["shards"].as_array().unwrap() {
        let path = s["path"].as_str().unwrap();
        let body = std::fs::read(release.join(path)).unwrap();
        let body = if path.ends_with(".zst") {
            zstd::decode_all(&body[..]).unwrap()
        } else {
            body
        };
        for line in String::from_utf8(body).unwrap().lines() {
            out.push((path.to_string(), serde_json::from_str(line).unwrap()));
        }
    }
    out
}

/// Build the fixture release (`fixtures/release.toml`, version 0.1.0) into `out`; its folder.
pub fn fixture_release(out: &Path) -> PathBuf {
    build_ok(&fixtures().join("release.toml"), out, "fixtures", "0.1.0")
}

/// The fixture spec's text with its sources read below `prefix` (a folder or an `s3://` prefix
/// holding the fixtures) and no `output` line, so that `--output` or the environment decides.
pub fn fixture_spec_text(prefix: &str) -> String {
    std::fs::read_to_string(fixtures().join("release.toml"))
        .unwrap()
        .replace("output = \"../out\"\n", "")
        .replace("uri = \"", &format!("uri = \"{prefix}/"))
}

/// The fixture spec's text reading the fixtures where they are.
pub fn fixture_spec_local() -> String {
    fixture_spec_text(fixtures().to_str().unwrap())
}

/// Build `spec` into `out` with the run directory at `run`.
pub fn build_with_run(spec: &Path, out: &Path, run: &Path) -> Output {
    trainready(&[
        "build",
        spec.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--run-dir",
        run.to_str().unwrap(),
    ])
}

/// A `[[source]]` for the full 2020 counsel-chat scrape in `data`, named `name` (its own split
/// column decides the splits).
pub fn counsel_chat_2020(data: &Path, name: &str) -> String {
    counsel_chat_source(
        name,
        &data.join("counsel-chat/20200325_counsel_chat.csv"),
        "",
    )
}

/// A `[[source]]` for the full HTML counsel-chat scrape in `data`, named `name` (all train).
pub fn counsel_chat_html(data: &Path, name: &str) -> String {
    counsel_chat_source(
        name,
        &data.join("counsel-chat/counselchat-data.csv"),
        "split = \"train\"\n",
    )
}

fn counsel_chat_source(name: &str, path: &Path, split: &str) -> String {
    format!(
        "\n[[source]]\nname = \"{name}\"\nfamily = \"counselling_qa\"\nuri = \"{}\"\nmapping = \"qa\"\nlicense = \"MIT\"\norigin = \"https://github.com/nbertagnolli/counsel-chat\"\n{split}[source.columns]\nquestion = [\"questionTitle\", \"questionText\"]\nanswer = \"answerText\"\n",
        path.display()
    )
}

/// A JSON file (stats.json, gates.json, release.json, ...).
pub fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{path:?}: {e}")))
        .unwrap()
}

/// The gate called `name` in a `gates.json`.
pub fn gate<'a>(gates: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    gates
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("no gate {name} in {gates}"))
}

/// Write a spec file into `dir` and return its path.
pub fn write_spec(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}
