//! `trainready verify RELEASE_URI`: re-check a published release from its own files alone, and
//! trust none of them on its word.
//!
//! - `release.json`: parses (else exit 2); its `spec_sha256` matches its spec; every hash is 64
//!   lower-case hex digits; every path is a plain relative path (no `..`, no absolute path) and
//!   every shard path has the shape `chatml/<phase>/<split>/part-NNNNN-<sha8>.jsonl[.zst]` with
//!   its own hash prefix; the root hash; **every gate passed**, and re-evaluated: its value is the
//!   one in `stats.json` and satisfies its comparison; the built-in gates the spec implies are all
//!   there; `reports/gates.json` says the same.
//! - The listing: every object under the release is `release.json`, a listed shard or a listed
//!   file (nothing extra, nothing hidden, no temporary upload); locally, no symbolic link.
//! - Every listed file exists with its recorded sha256 and size.
//! - Shards and manifest: one manifest row per shard line, pointing at the right line, with the
//!   right `record_id`, `source` and a `text_hash` recomputed from the exported messages; each
//!   row's source, family and licence are the spec's, its origin is one of the release's inputs,
//!   its phase and split are the shard's.
//! - Ledger: balances (input = sum of the statuses), fixed statuses, a reason for every removed
//!   record, exactly the manifest's records as `exported`; counts re-derived from the ledger and
//!   manifest equal `release.json`'s and `stats.json`'s.
//! - Reports: `coverage.json` recomputed from the manifest and the spec; `pii_summary.json` is
//!   `stats.json`'s `pii`; every near-duplicate and duplicate in the ledger points at a record of
//!   the release, and near-duplicates appear in `dedup_clusters.parquet` with the same parent.
//! - No leakage between the exported splits (exact copies, and n-gram overlap with the
//!   release's own `[leakage]` settings).

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use serde_json::Value;

use crate::curriculum::CurriculumSpec;
use crate::error::{Error, Result};
use crate::export::{parse_line, shard_text};
use crate::normalize::text_hash;
use crate::schema::release::{ReleaseJson, root_sha256};
use crate::schema::{PhaseKind, STATUSES, read_parquet, str_column, str_values, u64_column};
use crate::storage::{Location, Storage};

/// Re-check a published release from its own files, trusting none of them.
///
/// Every file listed and hashed, every count re-derived, every gate passed and re-evaluated,
/// the manifest against the shards, the statistics re-run, the report rendered again.
///
/// Exit 0: intact. Exit 1: any mismatch (each one named on stderr). Exit 2: not a release, or
/// release.json unreadable.
///
/// Examples:
///   trainready verify out/releases/fixtures/0.1.0
///   trainready verify s3://pixel-data/releases/fixtures/0.1.0
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The release folder or URI (the one holding release.json).
    pub release: String,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let storage = Storage::new()?;
    let v = verify(&storage, &args.release)?;
    for n in &v.notes {
        super::err_line(&format!("note: {n}"));
    }
    if v.problems.is_empty() {
        super::out(&format!(
            "ok {}: {} shards, {} records intact\n",
            args.release, v.shards, v.records
        ));
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &v.problems {
            super::err_line(&format!("mismatch: {p}"));
        }
        super::err_line(&format!(
            "{}: {} problem(s)",
            args.release,
            v.problems.len()
        ));
        Ok(ExitCode::from(1))
    }
}

/// The outcome of a verification: an empty list means intact.
#[derive(Debug, Default)]
pub struct Verification {
    pub problems: Vec<String>,
    /// What could not be checked (printed with the result; never a problem by itself).
    pub notes: Vec<String>,
    pub shards: usize,
    pub records: u64,
}

/// Files every release has (besides its shards and `release.json`).
pub const REQUIRED_FILES: [&str; 13] = [
    "reports/near_pairs_cross_split.parquet",
    "manifest.parquet",
    "ledger.parquet",
    "reports/stats.json",
    "reports/gates.json",
    "reports/coverage.json",
    "reports/pii_summary.json",
    "reports/dedup_clusters.parquet",
    "reports/leakage_pairs.parquet",
    "reports/conversations.parquet",
    "reports/messages.parquet",
    "reports/report.md",
    "reports/report.html",
];

/// The built-in gates every release carries whatever its spec (per-source ones aside).
const ALWAYS_GATES: [&str; 5] = [
    "ledger_balances",
    "ledger_statuses_known",
    "provenance_license",
    "provenance_origin",
    "release_not_empty",
];

/// Refuse a folder that holds no `release.json`: it is not a published release.
pub fn require_release_json(storage: &Storage, root: &Location) -> Result<()> {
    if storage.head(&root.join("release.json"))?.is_none() {
        return Err(Error::Usage(format!(
            "{}: no release.json (not a published release)",
            root.uri
        )));
    }
    Ok(())
}

/// 64 lower-case hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A plain relative path: `/`-separated, no empty, `.` or `..` part, no backslash or control
/// character, not absolute.
pub fn is_plain_path(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 1024
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.chars().any(char::is_control)
        && p.split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// A shard path: `chatml/<phase>/<split>/part-NNNNN-<first 8 hex of sha256>.jsonl[.zst]`.
fn shard_path_ok(path: &str, sha256: &str, phase: &str, split: &str) -> bool {
    let Some(rest) = path.strip_prefix(&format!("chatml/{phase}/{split}/part-")) else {
        return false;
    };
    let Some((number, tail)) = rest.split_once('-') else {
        return false;
    };
    number.len() == 5
        && number.bytes().all(|b| b.is_ascii_digit())
        && (tail == format!("{}.jsonl", &sha256[..8])
            || tail == format!("{}.jsonl.zst", &sha256[..8]))
}

/// `release.json` on its own: parse it (an error when it does not), then every check that
/// needs no other file: hash formats, plain paths, shard names, spec and root hashes, entries
/// listed once, the required files listed, every gate passed. Returns the document, its problems
/// and the entries too malformed to open.
pub fn check_release_json(
    bytes: &[u8],
    uri: &str,
) -> Result<(ReleaseJson, Vec<String>, BTreeSet<String>)> {
    let rj: ReleaseJson = serde_json::from_slice(bytes).map_err(|e| {
        Error::Corrupt(format!(
            "{uri}: release.json does not parse: {}",
            crate::records::json_error(&e)
        ))
    })?;
    let mut problems = Vec::new();
    let mut problem = |s: String| problems.push(s);

    // release.json itself.
    let spec_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        serde_json::to_vec(&rj.spec).expect("invariant: JSON values serialise"),
    ));
    if spec_sha != rj.spec_sha256 {
        problem("release.json: spec_sha256 does not match its spec".to_string());
    }
    if !is_sha256(&rj.root_sha256) || root_sha256(&rj.shards) != rj.root_sha256 {
        problem("release.json: root_sha256 does not match the shard hashes".to_string());
    }
    let mut bad_entries = BTreeSet::new();
    for s in &rj.shards {
        if !is_sha256(&s.sha256) {
            problem(format!(
                "release.json: shard {} has a malformed sha256",
                crate::error::echo(&s.path)
            ));
            bad_entries.insert(s.path.clone());
        } else if !is_plain_path(&s.path) || !shard_path_ok(&s.path, &s.sha256, &s.phase, &s.split)
        {
            problem(format!(
                "release.json: shard path {} is not chatml/<phase>/<split>/part-NNNNN-<sha8>.jsonl[.zst] with its phase, split and hash",
                crate::error::echo(&s.path)
            ));
            bad_entries.insert(s.path.clone());
        }
    }
    for f in &rj.files {
        if !is_sha256(&f.sha256) || !is_plain_path(&f.path) || f.path.starts_with("chatml/") {
            problem(format!(
                "release.json: file entry {} has a malformed path or sha256",
                crate::error::echo(&f.path)
            ));
            bad_entries.insert(f.path.clone());
        }
    }
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    for p in rj
        .shards
        .iter()
        .map(|s| s.path.as_str())
        .chain(rj.files.iter().map(|f| f.path.as_str()))
    {
        if !listed.insert(p) {
            problem(format!(
                "release.json: {} is listed twice",
                crate::error::echo(p)
            ));
        }
    }
    for required in REQUIRED_FILES {
        if !rj.files.iter().any(|f| f.path == required) {
            problem(format!(
                "release.json: {required} is not listed (every release has it)"
            ));
        }
    }
    for g in &rj.gates {
        if !g.passed {
            problem(format!(
                "release.json: gate {} did not pass: a release whose gates did not all pass is not a release",
                crate::error::echo(&g.name)
            ));
        }
    }

    drop(listed);
    Ok((rj, problems, bad_entries))
}

/// Verify the release at `uri` (the folder holding `release.json`).
pub fn verify(storage: &Storage, uri: &str) -> Result<Verification> {
    let root = storage.locate(uri.trim_end_matches('/'))?;
    let rj_loc = root.join("release.json");
    require_release_json(storage, &root)?;
    let rj_bytes = storage.get(&rj_loc)?;
    let (rj, mut problems, bad_entries) = check_release_json(&rj_bytes, &root.uri)?;
    let mut v = Verification {
        shards: rj.shards.len(),
        ..Default::default()
    };
    let listed: BTreeSet<&str> = rj
        .shards
        .iter()
        .map(|s| s.path.as_str())
        .chain(rj.files.iter().map(|f| f.path.as_str()))
        .collect();
    let mut problem = |s: String| problems.push(s);

    // The listing: nothing under the release that release.json does not list.
    for meta in storage.list(&root)? {
        let full = meta.location.as_ref();
        let rel = full
            .strip_prefix(root.path.as_ref())
            .unwrap_or(full)
            .trim_start_matches('/');
        if rel != "release.json" && !listed.contains(rel) {
            problem(format!(
                "{}: a file that release.json does not list",
                crate::error::echo(rel)
            ));
        }
    }
    if root.is_local() {
        for link in symlinks_below(std::path::Path::new(&root.uri)) {
            problem(format!(
                "{link}: a symbolic link (a release holds its own files)"
            ));
        }
    }

    // Shards: bytes, hashes, line counts; keep the lines for the manifest checks.
    let mut shard_lines: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in rj.shards.iter().filter(|s| !bad_entries.contains(&s.path)) {
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

    // Other files.
    let mut file_bytes = BTreeMap::new();
    for f in rj.files.iter().filter(|f| !bad_entries.contains(&f.path)) {
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
        if b.len() as u64 != f.bytes {
            problem(format!(
                "{}: {} bytes but release.json says {}",
                f.path,
                b.len(),
                f.bytes
            ));
        }
        file_bytes.insert(f.path.clone(), b);
    }
    let json_file = |path: &str| -> Option<std::result::Result<Value, String>> {
        file_bytes
            .get(path)
            .map(|b| serde_json::from_slice::<Value>(b).map_err(|e| crate::records::json_error(&e)))
    };
    let stats = match json_file("reports/stats.json") {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            problem(format!("reports/stats.json: not JSON: {e}"));
            None
        }
        None => None,
    };

    // What the spec says about its sources.
    let spec_sources: BTreeMap<String, (String, String)> = rj.spec["sources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some((
                        s["name"].as_str()?.to_string(),
                        (
                            s["family"].as_str()?.to_string(),
                            s["license"].as_str()?.to_string(),
                        ),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if spec_sources.is_empty() {
        problem("release.json: the spec lists no sources".into());
    }
    let inputs_of: BTreeMap<&str, BTreeSet<&str>> =
        rj.inputs.iter().fold(BTreeMap::new(), |mut m, i| {
            m.entry(i.source.as_str())
                .or_default()
                .insert(i.uri.as_str());
            m
        });

    // Gates: passed (above), re-evaluated against stats.json, the expected built-ins present,
    // and gates.json saying the same.
    if let Some(stats) = &stats {
        for g in &rj.gates {
            let value = crate::gates::metric(stats, &g.metric);
            let op = match g.op.as_str() {
                "<" => Some(crate::gates::GateOp::Lt),
                "<=" => Some(crate::gates::GateOp::Le),
                "==" => Some(crate::gates::GateOp::Eq),
                ">=" => Some(crate::gates::GateOp::Ge),
                ">" => Some(crate::gates::GateOp::Gt),
                _ => None,
            };
            let holds = match (op, value) {
                (Some(op), Some(v)) => op.holds(v, g.threshold),
                _ => false,
            };
            if value != g.value || !holds {
                problem(format!(
                    "gate {}: stats.json has {} = {} which {} {} {} (release.json says {:?})",
                    crate::error::echo(&g.name),
                    crate::error::echo(&g.metric),
                    value.map_or("nothing".to_string(), |v| v.to_string()),
                    if holds {
                        "satisfies"
                    } else {
                        "does not satisfy"
                    },
                    crate::error::echo(&g.op),
                    g.threshold,
                    g.value
                ));
            }
        }
    }
    let gate_names: BTreeSet<&str> = rj.gates.iter().map(|g| g.name.as_str()).collect();
    let mut expected: Vec<String> = ALWAYS_GATES.iter().map(|s| s.to_string()).collect();
    for s in spec_sources.keys() {
        expected.push(format!("source_loaded.{s}"));
        expected.push(format!("load_rejection_rate.{s}"));
        expected.push(format!("dedup_removal_rate.{s}"));
    }
    if let Some(gates) = rj.spec["gates"].as_array() {
        expected.extend(
            gates
                .iter()
                .filter_map(|g| g["name"].as_str().map(str::to_string)),
        );
    }
    if rj.spec["leakage"]["enabled"].as_bool() == Some(true) {
        expected.push("leakage_pairs".into());
    }
    let policy = &rj.spec["provenance"];
    if [&policy["allow"], &policy["deny"]]
        .iter()
        .any(|l| l.as_array().is_some_and(|a| !a.is_empty()))
    {
        expected.push("provenance_license_policy".into());
    }
    for name in expected {
        if !gate_names.contains(name.as_str()) {
            problem(format!(
                "release.json: gate {} is missing (the spec implies it)",
                crate::error::echo(&name)
            ));
        }
    }
    match json_file("reports/gates.json") {
        Some(Ok(g)) => {
            let mine = serde_json::to_value(&rj.gates).expect("invariant: gates serialise");
            if g != mine {
                problem("reports/gates.json: differs from release.json's gates".into());
            }
        }
        Some(Err(e)) => problem(format!("reports/gates.json: not JSON: {e}")),
        None => {}
    }

    // Manifest against the shards and the spec.
    let mut manifest_ids = BTreeSet::new();
    let mut family_counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut manifest_frame = None;
    match file_bytes.get("manifest.parquet").map(|b| read_parquet(b)) {
        None => {}
        Some(Err(e)) => problem(format!("manifest.parquet: {e}")),
        Some(Ok(m)) => {
            let ids = str_column(&m, "record_id")?;
            let sources = str_column(&m, "source")?;
            let families = str_column(&m, "family")?;
            let licenses = str_column(&m, "license")?;
            let origins = str_column(&m, "origin_uri")?;
            let splits = str_column(&m, "split")?;
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
            let shard_of: BTreeMap<&str, &crate::schema::release::ShardInfo> =
                rj.shards.iter().map(|s| (s.path.as_str(), s)).collect();
            let mut seen = BTreeSet::new();
            let mut seen_copy = BTreeSet::new();
            let mut counted = BTreeSet::new();
            for i in 0..m.height() {
                manifest_ids.insert(ids[i].clone());
                if counted.insert(ids[i].as_str()) {
                    *family_counts
                        .entry((families[i].clone(), sources[i].clone()))
                        .or_default() += 1;
                }
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
                match shard_of.get(shards[i].as_str()) {
                    None => problem(format!(
                        "manifest.parquet row {i}: shard {} is not in release.json",
                        crate::error::echo(&shards[i])
                    )),
                    Some(s) if s.phase != phases[i] || s.split != splits[i] => problem(format!(
                        "manifest.parquet row {i}: phase {} split {} but its shard is {}/{}",
                        phases[i], splits[i], s.phase, s.split
                    )),
                    Some(_) => {}
                }
                match spec_sources.get(&sources[i]) {
                    None => problem(format!(
                        "manifest.parquet row {i}: source {} is not in the spec",
                        crate::error::echo(&sources[i])
                    )),
                    Some((family, license)) => {
                        if *family != families[i] || *license != licenses[i] {
                            problem(format!(
                                "manifest.parquet row {i}: family or licence of {} differs from the spec's source {}",
                                ids[i], sources[i]
                            ));
                        }
                        if !inputs_of
                            .get(sources[i].as_str())
                            .is_some_and(|u| u.contains(origins[i].as_str()))
                        {
                            problem(format!(
                                "manifest.parquet row {i}: origin of {} is not an input of source {}",
                                ids[i], sources[i]
                            ));
                        }
                        if !ids[i].starts_with(&format!("{}/", sources[i])) {
                            problem(format!(
                                "manifest.parquet row {i}: record_id {} is not of source {}",
                                ids[i], sources[i]
                            ));
                        }
                    }
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
                        "{} line {}: not a {} record: {}",
                        shards[i],
                        lines[i],
                        kind.as_str(),
                        crate::error::echo(&e)
                    )),
                    Ok(rec) => {
                        if rec.id != ids[i] || rec.source != sources[i] {
                            problem(format!(
                                "{} line {}: id or source differ from the manifest's {}",
                                shards[i], lines[i], ids[i]
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
                serde_json::from_value::<crate::leakage::LeakageSpec>(rj.spec["leakage"].clone())
                && spec.enabled
            {
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
                let records: Vec<crate::leakage::LeakRecord<'_>> = (0..m.height())
                    .filter_map(|i| {
                        parsed[i].as_ref().map(|rec| crate::leakage::LeakRecord {
                            id: &ids[i],
                            split: &splits[i],
                            turns: rec.turns.iter().map(String::as_str).collect(),
                        })
                    })
                    .collect();
                for p in crate::leakage::ngram_pairs(&records, &[], &spec) {
                    problem(format!(
                        "leakage between exported splits: {} ({}) and {} ({}): {}",
                        p.record_a, p.split_a, p.record_b, p.split_b, p.detail
                    ));
                }
            }
            manifest_frame = Some(m);
        }
    }

    // Licences, re-derived from the manifest and the spec; the review, when the spec required one.
    {
        let mut exported_by_source: BTreeMap<String, u64> = BTreeMap::new();
        if let Some(m) = manifest_frame.as_ref()
            && let (Ok(ids), Ok(srcs)) = (str_column(m, "record_id"), str_column(m, "source"))
        {
            let mut seen = BTreeSet::new();
            for (id, src) in ids.iter().zip(srcs) {
                if seen.insert(id.clone()) {
                    *exported_by_source.entry(src).or_default() += 1;
                }
            }
        }
        let pairs: Vec<(&str, &str)> = rj.spec["sources"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| Some((s["name"].as_str()?, s["license"].as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        if crate::schema::release::licenses(&pairs, &exported_by_source) != rj.licenses {
            problem(
                "release.json: `licenses` differ from the manifest and the spec's sources".into(),
            );
        }
        if rj.spec["require_review"].as_bool() == Some(true)
            && rj.review.as_ref().is_none_or(|r| r.by.trim().is_empty())
        {
            problem("release.json: the spec requires a review and none is recorded".into());
        }
    }

    // Ledger.
    let mut ledger_status: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    match file_bytes.get("ledger.parquet").map(|b| read_parquet(b)) {
        None => {}
        Some(Err(e)) => problem(format!("ledger.parquet: {e}")),
        Some(Ok(l)) => {
            let ids = str_column(&l, "record_id")?;
            let sources = str_column(&l, "source")?;
            let status = str_column(&l, "status")?;
            let reason = str_values(&l, "reason")?;
            let dup_of = str_values(&l, "dup_of")?;
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
                        crate::error::echo(&status[i])
                    ));
                }
                if !spec_sources.contains_key(&sources[i])
                    || !ids[i].starts_with(&format!("{}/", sources[i]))
                {
                    problem(format!(
                        "ledger.parquet row {i} ({}): not a record of a source of the spec",
                        crate::error::echo(&ids[i])
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
                if ledger_status
                    .insert(ids[i].clone(), (status[i].clone(), dup_of[i].clone()))
                    .is_some()
                {
                    problem(format!(
                        "ledger.parquet row {i}: record_id {} appears twice",
                        crate::error::echo(&ids[i])
                    ));
                }
            }
            for s in STATUSES {
                let have = by_status.get(s).copied().unwrap_or(0);
                let says = rj.counts.by_status.get(s).copied().unwrap_or(0);
                if have != says {
                    problem(format!(
                        "ledger.parquet: {have} rows with status {s} but release.json says {says}"
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
            if by_status.get("exported").copied().unwrap_or(0) != rj.counts.exported {
                problem("release.json: counts.exported differs from the ledger".into());
            }
        }
    }
    // Duplicates point at records of the release that are kept or themselves duplicates.
    for (id, (status, dup)) in &ledger_status {
        if matches!(status.as_str(), "duplicate" | "near_duplicate") {
            match dup
                .as_deref()
                .and_then(|d| ledger_status.get(d).map(|s| (d, s)))
            {
                None => problem(format!(
                    "ledger.parquet: {} is a {status} of a record that is not in the ledger",
                    crate::error::echo(id)
                )),
                Some((_, (s, _))) if s == "rejected" => problem(format!(
                    "ledger.parquet: {} is a {status} of a rejected record",
                    crate::error::echo(id)
                )),
                Some(_) => {}
            }
        }
    }
    if let Some(b) = file_bytes.get("reports/dedup_clusters.parquet") {
        match read_parquet(b) {
            Err(e) => problem(format!("reports/dedup_clusters.parquet: {e}")),
            Ok(c) => {
                // member -> cluster, cluster -> every record in it.
                let mut cluster_of: BTreeMap<String, String> = BTreeMap::new();
                let mut in_cluster: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
                match (
                    str_column(&c, "cluster"),
                    str_column(&c, "representative"),
                    str_column(&c, "member"),
                ) {
                    (Ok(cl), Ok(rep), Ok(mem)) => {
                        for ((cl, rep), mem) in cl.into_iter().zip(rep).zip(mem) {
                            let set = in_cluster.entry(cl.clone()).or_default();
                            set.insert(rep);
                            set.insert(mem.clone());
                            cluster_of.insert(mem, cl);
                        }
                    }
                    _ => problem(
                        "reports/dedup_clusters.parquet: no cluster / representative / member columns"
                            .into(),
                    ),
                }
                for (id, (status, dup)) in &ledger_status {
                    if status != "near_duplicate" {
                        continue;
                    }
                    let same_cluster = cluster_of.get(id).is_some_and(|cl| {
                        dup.as_ref()
                            .is_some_and(|d| in_cluster.get(cl).is_some_and(|m| m.contains(d)))
                    });
                    if !same_cluster {
                        problem(format!(
                            "reports/dedup_clusters.parquet: near-duplicate {} is not in the cluster of the record the ledger says it duplicates",
                            crate::error::echo(id)
                        ));
                    }
                }
            }
        }
    }

    // Counts in stats.json; the PII summary; coverage recomputed.
    if let Some(stats) = &stats {
        let said = serde_json::json!({
            "input": rj.counts.input,
            "exported": rj.counts.exported,
        });
        if stats["counts"]["input"] != said["input"]
            || stats["counts"]["exported"] != said["exported"]
        {
            problem("reports/stats.json: counts differ from release.json".into());
        }
        let by_status = serde_json::to_value(&rj.counts.by_status).unwrap_or(Value::Null);
        if stats["counts"]["by_status"] != by_status {
            problem("reports/stats.json: counts.by_status differ from release.json".into());
        }
        match json_file("reports/pii_summary.json") {
            Some(Ok(p)) if p != stats["pii"] => {
                problem("reports/pii_summary.json: differs from stats.json's pii".into())
            }
            Some(Err(e)) => problem(format!("reports/pii_summary.json: not JSON: {e}")),
            _ => {}
        }
    }
    if let (Some(Ok(cov)), Ok(curriculum)) = (
        json_file("reports/coverage.json"),
        serde_json::from_value::<CurriculumSpec>(rj.spec["curriculum"].clone()),
    ) {
        let coverage_spec: crate::coverage::CoverageSpec =
            serde_json::from_value(rj.spec["coverage"].clone()).unwrap_or_default();
        let mut plan_families: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = rj.spec["sources"].as_array() {
            for s in a {
                if let (Some(n), Some(f)) = (s["name"].as_str(), s["family"].as_str()) {
                    plan_families
                        .entry(f.to_string())
                        .or_default()
                        .push(n.to_string());
                    pairs.push((f, n));
                }
            }
        }
        let routing = curriculum.routing(&pairs);
        let mine =
            crate::coverage::compute(&coverage_spec, &family_counts, &plan_families, &routing);
        let mine = serde_json::to_value(&mine).expect("invariant: coverage serialises");
        if mine != cov {
            problem("reports/coverage.json: differs from the coverage of the manifest".into());
        }
    } else if file_bytes.contains_key("reports/coverage.json") {
        problem("reports/coverage.json: not readable".into());
    }
    // The statistics, re-run over the release's own tables, and the report, rendered again.
    let table = |path: &str| file_bytes.get(path).and_then(|b| read_parquet(b).ok());
    if let (Some(conv), Some(manifest)) = (
        table("reports/conversations.parquet"),
        manifest_frame.as_ref(),
    ) {
        check_conversations(&conv, manifest, &ledger_status, &mut problem);
        if let Some(msgs) = table("reports/messages.parquet") {
            check_messages(&msgs, manifest, &conv, &shard_lines, &rj, &mut problem);
        }
        if let Some(leaks) = table("reports/leakage_pairs.parquet") {
            check_leakage(
                &leaks,
                table("reports/near_pairs_cross_split.parquet").as_ref(),
                &conv,
                &ledger_status,
                stats.as_ref(),
                &mut problem,
            );
        }
    }
    if let (
        Some(stats),
        Some(manifest),
        Some(ledger),
        Some(conv),
        Some(msgs),
        Some(clusters),
        Some(leaks),
    ) = (
        &stats,
        manifest_frame.as_ref(),
        table("ledger.parquet"),
        table("reports/conversations.parquet"),
        table("reports/messages.parquet"),
        table("reports/dedup_clusters.parquet"),
        table("reports/leakage_pairs.parquet"),
    ) {
        let named: [(&str, &polars::prelude::DataFrame); 6] = [
            ("ledger", &ledger),
            ("manifest", manifest),
            ("conversations", &conv),
            ("messages", &msgs),
            ("clusters", &clusters),
            ("leakage_pairs", &leaks),
        ];
        for (name, sql) in crate::stats::QUERIES {
            let path = format!("reports/stats_{name}.parquet");
            let mine = match crate::stats::run_query(&named, sql) {
                Ok(df) => df,
                Err(e) => {
                    problem(format!(
                        "statistic {name}: cannot be re-run over the release's tables: {e}"
                    ));
                    continue;
                }
            };
            match table(&path) {
                None => problem(format!("{path}: missing or unreadable")),
                Some(stored) if !stored.equals_missing(&mine) => problem(format!(
                    "{path}: differs from the statistic re-run over the release's tables"
                )),
                Some(_) => {}
            }
            match crate::stats::fold(&mine) {
                Ok(folded) if stats[*name] != folded => problem(format!(
                    "reports/stats.json: `{name}` differs from the statistic re-run over the release's tables"
                )),
                _ => {}
            }
        }
        if rj.tool_version == env!("CARGO_PKG_VERSION") {
            let report_spec: crate::report::ReportSpec =
                serde_json::from_value(rj.spec["report"].clone()).unwrap_or_default();
            let coverage_json = json_file("reports/coverage.json")
                .and_then(|r| r.ok())
                .unwrap_or(Value::Null);
            match crate::report::render(&crate::report::ReportInput {
                coverage: &coverage_json,
                review_required: rj.spec["require_review"].as_bool() == Some(true),
                name: &rj.name,
                version: &rj.version,
                spec_sha256: &rj.spec_sha256,
                stats,
                gates: &rj.gates,
                messages: &msgs,
                manifest,
                spec: &report_spec,
            }) {
                Err(e) => problem(format!("reports: cannot be rendered again: {e}")),
                Ok(r) => {
                    let mut rendered: Vec<(String, Vec<u8>)> = vec![
                        ("reports/report.md".into(), r.markdown.into_bytes()),
                        ("reports/report.html".into(), r.html.into_bytes()),
                    ];
                    rendered.extend(
                        r.figures
                            .into_iter()
                            .map(|(f, svg)| (format!("reports/figures/{f}"), svg.into_bytes())),
                    );
                    for (path, bytes) in &rendered {
                        match file_bytes.get(path) {
                            Some(b) if b.as_ref() == bytes.as_slice() => {}
                            Some(_) => problem(format!(
                                "{path}: differs from the report rendered from the release's statistics"
                            )),
                            None => problem(format!("{path}: missing")),
                        }
                    }
                    for f in rj
                        .files
                        .iter()
                        .filter(|f| f.path.starts_with("reports/figures/"))
                    {
                        if !rendered.iter().any(|(p, _)| *p == f.path) {
                            problem(format!("{}: not a figure of the report", f.path));
                        }
                    }
                }
            }
        } else {
            v.notes.push(format!(
                "the report was not rendered again: the release was built by trainready {} (this is {})",
                crate::error::echo(&rj.tool_version),
                env!("CARGO_PKG_VERSION")
            ));
        }
    } else if stats.is_some() {
        problem(
            "the statistics cannot be re-run: a table of the release is missing or unreadable"
                .into(),
        );
    }
    v.problems = problems;
    Ok(v)
}

/// `conversations.parquet` (every loaded record, without text) agrees with the ledger (same
/// records, same statuses; `kept` is `exported`) and, for exported records, with the manifest's
/// hash and sizes.
fn check_conversations(
    conv: &polars::prelude::DataFrame,
    manifest: &polars::prelude::DataFrame,
    ledger: &BTreeMap<String, (String, Option<String>)>,
    problem: &mut dyn FnMut(String),
) {
    let what = "reports/conversations.parquet";
    let (Ok(ids), Ok(status), Ok(hashes), Ok(turns), Ok(chars), Ok(words)) = (
        str_column(conv, "record_id"),
        str_column(conv, "status"),
        str_column(conv, "text_hash"),
        u64_column(conv, "n_turns"),
        u64_column(conv, "n_chars"),
        u64_column(conv, "n_words"),
    ) else {
        problem(format!("{what}: a column is missing"));
        return;
    };
    let mut seen = BTreeSet::new();
    for (i, id) in ids.iter().enumerate() {
        let want = if status[i] == "kept" {
            "exported"
        } else {
            status[i].as_str()
        };
        match ledger.get(id) {
            Some((s, _)) if s == want => {}
            _ => problem(format!(
                "{what}: record {} has status {} but the ledger says otherwise",
                crate::error::echo(id),
                crate::error::echo(&status[i])
            )),
        }
        seen.insert(id.as_str());
    }
    for (id, (s, _)) in ledger {
        if s != "rejected" && !seen.contains(id.as_str()) {
            problem(format!(
                "{what}: record {} of the ledger is missing",
                crate::error::echo(id)
            ));
        }
    }
    let (Ok(m_ids), Ok(m_hash), Ok(m_turns), Ok(m_chars), Ok(m_words)) = (
        str_column(manifest, "record_id"),
        str_column(manifest, "text_hash"),
        u64_column(manifest, "n_turns"),
        u64_column(manifest, "n_chars"),
        u64_column(manifest, "n_words"),
    ) else {
        return;
    };
    let row_of: BTreeMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    for i in 0..m_ids.len() {
        if let Some(&k) = row_of.get(m_ids[i].as_str())
            && (hashes[k] != m_hash[i]
                || turns[k] != m_turns[i]
                || chars[k] != m_chars[i]
                || words[k] != m_words[i])
        {
            problem(format!(
                "{what}: record {} differs from the manifest (hash or sizes)",
                crate::error::echo(&m_ids[i])
            ));
        }
    }
}

/// `messages.parquet` rebuilt from the export lines: for each exported record (its first export
/// line), one row per message with role, previous role, characters, words and script. A record
/// exported only in `pretraining` phases (rendered text, which cannot be split back into
/// messages) is checked by its number of rows.
fn check_messages(
    msgs: &polars::prelude::DataFrame,
    manifest: &polars::prelude::DataFrame,
    conv: &polars::prelude::DataFrame,
    shard_lines: &BTreeMap<String, Vec<String>>,
    rj: &ReleaseJson,
    problem: &mut dyn FnMut(String),
) {
    let what = "reports/messages.parquet";
    type Row = (String, Option<String>, u64, u64, String);
    let (Ok(ids), Ok(roles), Ok(prev), Ok(chars), Ok(words), Ok(scripts)) = (
        str_column(msgs, "record_id"),
        str_column(msgs, "role"),
        str_values(msgs, "prev_role"),
        u64_column(msgs, "n_chars"),
        u64_column(msgs, "n_words"),
        str_column(msgs, "script"),
    ) else {
        problem(format!("{what}: a column is missing"));
        return;
    };
    let mut stored: BTreeMap<&str, Vec<Row>> = BTreeMap::new();
    for i in 0..ids.len() {
        stored.entry(ids[i].as_str()).or_default().push((
            roles[i].clone(),
            prev[i].clone(),
            chars[i],
            words[i],
            scripts[i].clone(),
        ));
    }
    let curriculum = serde_json::from_value::<CurriculumSpec>(rj.spec["curriculum"].clone()).ok();
    let (Ok(m_ids), Ok(m_shards), Ok(m_lines), Ok(m_phases)) = (
        str_column(manifest, "record_id"),
        str_column(manifest, "shard"),
        u64_column(manifest, "line"),
        str_column(manifest, "phase"),
    ) else {
        return;
    };
    let c_ids = str_column(conv, "record_id").unwrap_or_default();
    let c_pref = crate::schema::opt_u32_column(conv, "pref_prompt").unwrap_or_default();
    let c_chosen = crate::schema::opt_u32_column(conv, "pref_chosen").unwrap_or_default();
    let c_turns = u64_column(conv, "n_turns").unwrap_or_default();
    let conv_row: BTreeMap<&str, usize> = c_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    // Each exported record's export lines; the rows are the same whichever line they come
    // from, and an sft or preference line can be split back into its messages.
    let mut lines_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, id) in m_ids.iter().enumerate() {
        lines_of.entry(id.as_str()).or_default().push(i);
    }
    for (id, lines) in &lines_of {
        let Some(rows) = stored.remove(id) else {
            problem(format!(
                "{what}: exported record {} has no rows",
                crate::error::echo(id)
            ));
            continue;
        };
        let Some(&k) = conv_row.get(id) else {
            continue;
        };
        let parsed = lines.iter().find_map(|&i| {
            let kind = curriculum.as_ref().and_then(|c| c.kind_of(&m_phases[i]))?;
            if kind == PhaseKind::Pretraining {
                return None;
            }
            let line = shard_lines.get(&m_shards[i])?.get(m_lines[i] as usize)?;
            parse_line(kind, line).ok()
        });
        match parsed {
            Some(p) => {
                let take = crate::schema::conversation_len(
                    c_pref.get(k).copied().flatten(),
                    c_chosen.get(k).copied().flatten(),
                );
                let mut prev_role: Option<String> = None;
                let mine: Vec<Row> = p
                    .messages
                    .iter()
                    .take(take)
                    .map(|m| {
                        (
                            m.role.clone(),
                            prev_role.replace(m.role.clone()),
                            m.content.chars().count() as u64,
                            u64::from(crate::normalize::word_count(&m.content)),
                            crate::stats::dominant_script(&m.content).to_string(),
                        )
                    })
                    .collect();
                if mine != rows {
                    problem(format!(
                        "{what}: the rows of {} differ from its exported messages",
                        crate::error::echo(id)
                    ));
                }
            }
            // Only pretraining lines (rendered text): the number of rows is the record's.
            None => {
                if rows.len() as u64 != c_turns.get(k).copied().unwrap_or(0) {
                    problem(format!(
                        "{what}: the rows of {} differ from its record's turns",
                        crate::error::echo(id)
                    ));
                }
            }
        }
    }
    if let Some(extra) = stored.keys().next() {
        problem(format!(
            "{what}: rows of {} which is not exported",
            crate::error::echo(extra)
        ));
    }
}

/// `leakage_pairs.parquet` agrees with the ledger (every `leakage` record is in a pair, every
/// pair's records exist), with `conversations.parquet` (the splits), with `stats.json` (the
/// counts per kind), and holds every cross-split near pair of the near stage.
fn check_leakage(
    leaks: &polars::prelude::DataFrame,
    near: Option<&polars::prelude::DataFrame>,
    conv: &polars::prelude::DataFrame,
    ledger: &BTreeMap<String, (String, Option<String>)>,
    stats: Option<&Value>,
    problem: &mut dyn FnMut(String),
) {
    let what = "reports/leakage_pairs.parquet";
    let (Ok(a), Ok(b), Ok(sa), Ok(sb), Ok(kind)) = (
        str_column(leaks, "record_a"),
        str_column(leaks, "record_b"),
        str_column(leaks, "split_a"),
        str_column(leaks, "split_b"),
        str_column(leaks, "kind"),
    ) else {
        problem(format!("{what}: a column is missing"));
        return;
    };
    let split_of: BTreeMap<String, String> =
        match (str_column(conv, "record_id"), str_column(conv, "split")) {
            (Ok(i), Ok(s)) => i.into_iter().zip(s).collect(),
            _ => BTreeMap::new(),
        };
    let mut in_pairs = BTreeSet::new();
    let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
    let mut pairs = BTreeSet::new();
    for i in 0..a.len() {
        *by_kind.entry(kind[i].as_str()).or_default() += 1;
        for (r, s) in [(&a[i], &sa[i]), (&b[i], &sb[i])] {
            if r.starts_with("eval:") {
                continue;
            }
            in_pairs.insert(r.as_str());
            if split_of.get(r.as_str()) != Some(s) {
                problem(format!(
                    "{what}: record {} is not a record of split {} of this release",
                    crate::error::echo(r),
                    crate::error::echo(s)
                ));
            }
        }
        let (x, y) = if a[i] <= b[i] {
            (&a[i], &b[i])
        } else {
            (&b[i], &a[i])
        };
        pairs.insert((x.clone(), y.clone()));
    }
    for (id, (s, _)) in ledger {
        if s == "leakage" && !in_pairs.contains(id.as_str()) {
            problem(format!(
                "{what}: leakage record {} is in no pair",
                crate::error::echo(id)
            ));
        }
    }
    if let Some(found) = stats.and_then(|s| s["leakage"]["found"].as_object()) {
        let said: BTreeMap<&str, u64> = found
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_u64().unwrap_or(u64::MAX)))
            .filter(|(_, v)| *v > 0)
            .collect();
        if said != by_kind {
            problem(format!(
                "{what}: pairs per kind differ from stats.json's leakage.found"
            ));
        }
    }
    if let Some(near) = near {
        match (str_column(near, "record_a"), str_column(near, "record_b")) {
            (Ok(na), Ok(nb)) => {
                for (x, y) in na.into_iter().zip(nb) {
                    let key = if x <= y { (x, y) } else { (y, x) };
                    if !pairs.contains(&key) {
                        problem(format!(
                            "reports/near_pairs_cross_split.parquet: pair {} / {} is not a leakage pair",
                            crate::error::echo(&key.0),
                            crate::error::echo(&key.1)
                        ));
                    }
                }
            }
            _ => problem("reports/near_pairs_cross_split.parquet: a column is missing".into()),
        }
    }
}

/// Symbolic links below a local folder (relative paths).
fn symlinks_below(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .flatten()
    {
        if entry.path_is_symlink() {
            let rel = entry
                .path()
                .strip_prefix(root)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .into_owned();
            out.push(crate::error::echo(&rel));
        }
    }
    out
}
