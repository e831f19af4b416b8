//! `trainready verify RELEASE_URI`: re-check a published release from its own files alone.
//!
//! Checks: `release.json` parses and its `spec_sha256` matches its spec; every shard exists with
//! the recorded sha256, size, record count and a name carrying its hash prefix; no unlisted file
//! sits under `chatml/`; the root hash; every other listed file's checksum; the manifest has one
//! row per exported line, pointing at the right shard line, with the right `record_id` and a
//! `text_hash` recomputed from the exported messages; the ledger balances (input = sum of the
//! statuses), uses only the fixed statuses, has a reason for every removed record and exactly the
//! manifest's records as `exported`; and no leakage between the exported splits (exact copies, and
//! n-gram overlap with the release's own `[leakage]` settings).

use std::collections::{BTreeMap, BTreeSet};

use crate::curriculum::{CurriculumSpec, PhaseKind};
use crate::error::{Error, Result};
use crate::export::{parse_line, shard_text};
use crate::manifest::{ReleaseJson, STATUSES, root_sha256};
use crate::normalize::text_hash;
use crate::schema::{read_parquet, str_column, str_values, u64_column};
use crate::storage::Storage;

/// The outcome of a verification: an empty list means intact.
#[derive(Debug, Default)]
pub struct Verification {
    pub problems: Vec<String>,
    pub shards: usize,
    pub records: u64,
}

/// Verify the release at `uri` (the folder holding `release.json`).
pub fn verify(storage: &Storage, uri: &str) -> Result<Verification> {
    let root = storage.locate(uri.trim_end_matches('/'))?;
    let rj_loc = root.join("release.json");
    if storage.head(&rj_loc)?.is_none() {
        return Err(Error::Usage(format!(
            "{}: no release.json (not a published release)",
            root.uri
        )));
    }
    let rj_bytes = storage.get(&rj_loc)?;
    let rj: ReleaseJson = serde_json::from_slice(&rj_bytes)
        .map_err(|e| Error::Corrupt(format!("{}: release.json does not parse: {e}", root.uri)))?;
    let mut v = Verification {
        shards: rj.shards.len(),
        ..Default::default()
    };
    let mut problems = Vec::new();
    let mut problem = |s: String| problems.push(s);

    let spec_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        serde_json::to_vec(&rj.spec).expect("invariant: JSON values serialise"),
    ));
    if spec_sha != rj.spec_sha256 {
        problem(format!(
            "release.json: spec_sha256 {} does not match its spec ({spec_sha})",
            rj.spec_sha256
        ));
    }
    if root_sha256(&rj.shards) != rj.root_sha256 {
        problem("release.json: root_sha256 does not match the shard hashes".to_string());
    }

    // Shards: bytes, hashes, line counts; keep the lines for the manifest checks.
    let mut shard_lines: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &rj.shards {
        let loc = root.join(&s.path);
        let Some(_) = storage.head(&loc)? else {
            problem(format!("shard {}: missing", s.path));
            continue;
        };
        let stored = storage.get(&loc)?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&stored));
        if sha != s.sha256 {
            problem(format!(
                "shard {}: sha256 {sha} but release.json says {}",
                s.path, s.sha256
            ));
        }
        if stored.len() as u64 != s.bytes {
            problem(format!(
                "shard {}: {} bytes but release.json says {}",
                s.path,
                stored.len(),
                s.bytes
            ));
        }
        if !s
            .path
            .contains(&format!("-{}.", &s.sha256[..8.min(s.sha256.len())]))
        {
            problem(format!(
                "shard {}: name does not carry its hash prefix",
                s.path
            ));
        }
        let text = match shard_text(&s.path, &stored) {
            Ok(t) => t,
            Err(e) => {
                problem(e.to_string());
                continue;
            }
        };
        let lines: Vec<String> = match String::from_utf8(text) {
            Ok(t) => t.lines().map(str::to_string).collect(),
            Err(_) => {
                problem(format!("shard {}: not valid UTF-8", s.path));
                continue;
            }
        };
        if lines.len() as u64 != s.records {
            problem(format!(
                "shard {}: {} lines but release.json says {} records",
                s.path,
                lines.len(),
                s.records
            ));
        }
        shard_lines.insert(s.path.clone(), lines);
    }
    let listed: BTreeSet<&str> = rj.shards.iter().map(|s| s.path.as_str()).collect();
    for meta in storage.list(&root.join("chatml"))? {
        let full = meta.location.as_ref();
        let rel = full
            .strip_prefix(root.path.as_ref())
            .unwrap_or(full)
            .trim_start_matches('/');
        if !listed.contains(rel) {
            problem(format!(
                "{rel}: file under chatml/ that release.json does not list"
            ));
        }
    }

    // Other files.
    let mut file_bytes = BTreeMap::new();
    for f in &rj.files {
        let loc = root.join(&f.path);
        if storage.head(&loc)?.is_none() {
            problem(format!("{}: missing", f.path));
            continue;
        }
        let b = storage.get(&loc)?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&b));
        if sha != f.sha256 {
            problem(format!(
                "{}: sha256 {sha} but release.json says {}",
                f.path, f.sha256
            ));
        }
        file_bytes.insert(f.path.clone(), b);
    }

    // Manifest against the shards.
    let mut manifest_ids = BTreeSet::new();
    match file_bytes.get("manifest.parquet").map(|b| read_parquet(b)) {
        None => problem("manifest.parquet: not listed in release.json".into()),
        Some(Err(e)) => problem(format!("manifest.parquet: {e}")),
        Some(Ok(m)) => {
            let ids = str_column(&m, "record_id")?;
            let shards = str_column(&m, "shard")?;
            let lines = u64_column(&m, "line")?;
            let hashes = str_column(&m, "text_hash")?;
            let phases = str_column(&m, "phase")?;
            let copies = u64_column(&m, "copy")?;
            let pairs: Vec<bool> = m
                .column("preference_pair")
                .and_then(|c| c.bool().cloned())
                .map(|c| c.iter().map(|b| b.unwrap_or(false)).collect())
                .unwrap_or_else(|_| vec![false; m.height()]);
            let mut parsed: Vec<Option<crate::export::ParsedLine>> =
                (0..m.height()).map(|_| None).collect();
            let curriculum =
                serde_json::from_value::<CurriculumSpec>(rj.spec["curriculum"].clone()).ok();
            if curriculum.is_none() {
                problem("release.json: the spec has no readable `curriculum`".into());
            }
            let total_lines: usize = shard_lines.values().map(Vec::len).sum();
            if m.height() != total_lines {
                problem(format!(
                    "manifest.parquet: {} rows but the shards hold {total_lines} lines",
                    m.height()
                ));
            }
            let mut seen = BTreeSet::new();
            let mut seen_copy = BTreeSet::new();
            for i in 0..m.height() {
                manifest_ids.insert(ids[i].clone());
                if !seen.insert((shards[i].as_str(), lines[i])) {
                    problem(format!(
                        "manifest.parquet row {i}: {} line {} listed twice",
                        shards[i], lines[i]
                    ));
                }
                if !seen_copy.insert((ids[i].as_str(), phases[i].as_str(), copies[i])) {
                    problem(format!(
                        "manifest.parquet row {i}: record_id {} copy {} of phase {} listed twice",
                        ids[i], copies[i], phases[i]
                    ));
                }
                if !shards[i].starts_with(&format!("chatml/{}/", phases[i])) {
                    problem(format!(
                        "manifest.parquet row {i}: phase {} but shard {}",
                        phases[i], shards[i]
                    ));
                }
                let Some(kind) = curriculum.as_ref().and_then(|c| c.kind_of(&phases[i])) else {
                    problem(format!(
                        "manifest.parquet row {i}: phase `{}` is not in the spec's curriculum",
                        phases[i]
                    ));
                    continue;
                };
                let Some(line) = shard_lines
                    .get(&shards[i])
                    .and_then(|l| l.get(lines[i] as usize))
                else {
                    problem(format!(
                        "manifest.parquet row {i}: {} line {} does not exist",
                        shards[i], lines[i]
                    ));
                    continue;
                };
                match parse_line(kind, line) {
                    Err(e) => problem(format!(
                        "{} line {}: not a {} record: {e}",
                        shards[i],
                        lines[i],
                        kind.as_str()
                    )),
                    Ok(rec) => {
                        if rec.id != ids[i] {
                            problem(format!(
                                "{} line {}: id {} but the manifest says {}",
                                shards[i], lines[i], rec.id, ids[i]
                            ));
                        }
                        // sft lines of preference pairs hold the prompt and the chosen
                        // response only, so their hash differs from the record's.
                        let whole =
                            kind == PhaseKind::Preference || (kind == PhaseKind::Sft && !pairs[i]);
                        if whole {
                            let h = text_hash(rec.messages.iter().map(|m| m.content.as_str()));
                            if h != hashes[i] {
                                problem(format!(
                                    "{} line {}: text_hash {h} but the manifest says {}",
                                    shards[i], lines[i], hashes[i]
                                ));
                            }
                        }
                        parsed[i] = Some(rec);
                    }
                }
            }
            if manifest_ids.len() as u64 != rj.counts.exported {
                problem(format!(
                    "manifest.parquet: {} distinct records but counts.exported is {}",
                    manifest_ids.len(),
                    rj.counts.exported
                ));
            }
            v.records = m.height() as u64;
            // Leakage between the exported splits, re-checked with the release's own settings.
            if let Ok(spec) =
                serde_json::from_value::<crate::split::LeakageSpec>(rj.spec["leakage"].clone())
                && spec.enabled
            {
                let splits = str_column(&m, "split")?;
                let mut by_hash: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
                for i in 0..m.height() {
                    by_hash
                        .entry(hashes[i].as_str())
                        .or_default()
                        .insert(splits[i].as_str());
                }
                let exact = by_hash.values().filter(|s| s.len() > 1).count();
                if exact > 0 {
                    problem(format!(
                        "leakage: {exact} exported text(s) appear in more than one split"
                    ));
                }
                let records: Vec<crate::split::LeakRecord<'_>> = (0..m.height())
                    .filter_map(|i| {
                        parsed[i].as_ref().map(|rec| crate::split::LeakRecord {
                            id: &ids[i],
                            split: &splits[i],
                            turns: rec.turns.iter().map(String::as_str).collect(),
                        })
                    })
                    .collect();
                for p in crate::split::ngram_pairs(&records, &[], &spec) {
                    problem(format!(
                        "leakage between exported splits: {} ({}) and {} ({}): {}",
                        p.record_a, p.split_a, p.record_b, p.split_b, p.detail
                    ));
                }
            }
        }
    }

    // Ledger.
    match file_bytes.get("ledger.parquet").map(|b| read_parquet(b)) {
        None => problem("ledger.parquet: not listed in release.json".into()),
        Some(Err(e)) => problem(format!("ledger.parquet: {e}")),
        Some(Ok(l)) => {
            let ids = str_column(&l, "record_id")?;
            let status = str_column(&l, "status")?;
            let reason = str_values(&l, "reason")?;
            if l.height() as u64 != rj.counts.input {
                problem(format!(
                    "ledger.parquet: {} rows but counts.input is {}",
                    l.height(),
                    rj.counts.input
                ));
            }
            let sum: u64 = rj.counts.by_status.values().sum();
            if sum != rj.counts.input {
                problem(format!(
                    "release.json: counts.by_status add up to {sum}, not counts.input {}",
                    rj.counts.input
                ));
            }
            let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
            let mut exported_ids = BTreeSet::new();
            for i in 0..l.height() {
                *by_status.entry(status[i].clone()).or_default() += 1;
                if !STATUSES.contains(&status[i].as_str()) {
                    problem(format!(
                        "ledger.parquet row {i}: unknown status `{}`",
                        status[i]
                    ));
                }
                let exported = status[i] == "exported";
                if exported {
                    exported_ids.insert(ids[i].clone());
                }
                if exported == reason[i].is_some() {
                    problem(format!(
                        "ledger.parquet row {i} ({}): status {} {} a reason",
                        ids[i],
                        status[i],
                        if exported { "but has" } else { "without" }
                    ));
                }
            }
            for (s, n) in &rj.counts.by_status {
                if by_status.get(s).copied().unwrap_or(0) != *n {
                    problem(format!(
                        "ledger.parquet: {} rows with status {s} but release.json says {n}",
                        by_status.get(s).copied().unwrap_or(0)
                    ));
                }
            }
            if exported_ids != manifest_ids {
                let missing = manifest_ids.difference(&exported_ids).count();
                let extra = exported_ids.difference(&manifest_ids).count();
                problem(format!(
                    "ledger.parquet: exported records differ from the manifest ({missing} only in the manifest, {extra} only in the ledger)"
                ));
            }
        }
    }
    v.problems = problems;
    Ok(v)
}
