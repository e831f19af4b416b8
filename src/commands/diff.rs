//! `trainready diff RELEASE_A RELEASE_B`: what changed between two releases, from their
//! manifests: records added, removed and changed (same `record_id`, other `text_hash`), texts new
//! to B (by `text_hash`), and distribution drift (records and shares per family and split, median
//! characters per family). JSON on stdout.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use serde::Serialize;
use serde_json::json;

use crate::error::Result;
use crate::schema::{read_parquet, str_column, u64_column};
use crate::storage::Storage;

/// Compare two releases: records added, removed, changed, and distribution drift.
///
/// Records by record_id and text_hash, and the drift of family and split shares and median
/// lengths. JSON on stdout.
///
/// Examples:
///   trainready diff out/releases/fixtures/0.1.0 out/releases/fixtures/0.2.0
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The older release.
    pub a: String,
    /// The newer release.
    pub b: String,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let storage = Storage::new()?;
    let d = diff(&storage, &args.a, &args.b)?;
    let v = serde_json::to_value(&d).expect("invariant: diff serialises");
    super::out(&String::from_utf8_lossy(&crate::schema::pretty(&v)));
    Ok(ExitCode::SUCCESS)
}

/// The comparison.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub a: String,
    pub b: String,
    pub records_a: u64,
    pub records_b: u64,
    pub added: u64,
    pub removed: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// Texts (by `text_hash`) in B and not in A.
    pub new_texts: u64,
    /// Up to 20 example ids of each.
    pub examples: BTreeMap<String, Vec<String>>,
    /// Per family and per split: records and share in A and B.
    pub drift: serde_json::Value,
}

struct Side {
    ids: Vec<String>,
    hashes: Vec<String>,
    families: Vec<String>,
    splits: Vec<String>,
    chars: Vec<u64>,
}

fn side(storage: &Storage, uri: &str) -> Result<Side> {
    let root = storage.locate(uri.trim_end_matches('/'))?;
    crate::commands::verify::require_release_json(storage, &root)?;
    let loc = root.join("manifest.parquet");
    let m = read_parquet(&storage.get(&loc)?)?;
    Ok(Side {
        ids: str_column(&m, "record_id")?,
        hashes: str_column(&m, "text_hash")?,
        families: str_column(&m, "family")?,
        splits: str_column(&m, "split")?,
        chars: u64_column(&m, "n_chars")?,
    })
}

fn shares(values: &[String]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for v in values {
        *m.entry(v.clone()).or_default() += 1;
    }
    m
}

fn median_chars(s: &Side) -> BTreeMap<String, u64> {
    let mut by: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (f, c) in s.families.iter().zip(&s.chars) {
        by.entry(f).or_default().push(*c);
    }
    by.into_iter()
        .map(|(f, mut v)| {
            v.sort_unstable();
            (f.to_string(), v[v.len() / 2])
        })
        .collect()
}

/// Compare release A (older) with release B (newer).
pub fn diff(storage: &Storage, a_uri: &str, b_uri: &str) -> Result<Diff> {
    let (a, b) = (side(storage, a_uri)?, side(storage, b_uri)?);
    let a_map: BTreeMap<&str, &str> = a
        .ids
        .iter()
        .map(String::as_str)
        .zip(a.hashes.iter().map(String::as_str))
        .collect();
    let b_map: BTreeMap<&str, &str> = b
        .ids
        .iter()
        .map(String::as_str)
        .zip(b.hashes.iter().map(String::as_str))
        .collect();
    let mut examples: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut note = |k: &str, id: &str| {
        let v = examples.entry(k.to_string()).or_default();
        if v.len() < 20 {
            v.push(id.to_string());
        }
    };
    let (mut added, mut removed, mut changed, mut unchanged) = (0, 0, 0, 0);
    for (id, h) in &b_map {
        match a_map.get(id) {
            None => {
                added += 1;
                note("added", id);
            }
            Some(ha) if ha != h => {
                changed += 1;
                note("changed", id);
            }
            Some(_) => unchanged += 1,
        }
    }
    for id in a_map.keys() {
        if !b_map.contains_key(id) {
            removed += 1;
            note("removed", id);
        }
    }
    let a_hashes: BTreeSet<&str> = a.hashes.iter().map(String::as_str).collect();
    let new_texts = b
        .hashes
        .iter()
        .filter(|h| !a_hashes.contains(h.as_str()))
        .count() as u64;
    let table = |xa: BTreeMap<String, u64>, xb: BTreeMap<String, u64>, na: usize, nb: usize| {
        let keys: BTreeSet<&String> = xa.keys().chain(xb.keys()).collect();
        let mut out = serde_json::Map::new();
        for k in keys {
            let (ca, cb) = (
                xa.get(k).copied().unwrap_or(0),
                xb.get(k).copied().unwrap_or(0),
            );
            let (sa, sb) = (ca as f64 / na.max(1) as f64, cb as f64 / nb.max(1) as f64);
            out.insert(
                k.clone(),
                json!({"a": ca, "b": cb, "share_a": sa, "share_b": sb, "share_change": sb - sa}),
            );
        }
        serde_json::Value::Object(out)
    };
    let drift = json!({
        "family": table(shares(&a.families), shares(&b.families), a.ids.len(), b.ids.len()),
        "split": table(shares(&a.splits), shares(&b.splits), a.ids.len(), b.ids.len()),
        "median_chars": {"a": median_chars(&a), "b": median_chars(&b)},
    });
    Ok(Diff {
        a: a_uri.to_string(),
        b: b_uri.to_string(),
        records_a: a.ids.len() as u64,
        records_b: b.ids.len() as u64,
        added,
        removed,
        changed,
        unchanged,
        new_texts,
        examples,
        drift,
    })
}
