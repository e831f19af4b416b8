//! Leakage stage: cross-split and benchmark contamination among the records still `kept`.
//!
//! Kinds of leaked pairs (record in `train` vs record in `validation`/`test`, and validation vs
//! test):
//! - `exact`: the same `text_hash` in two splits (exact dedup leaves these alone on purpose);
//! - `near`: a near-duplicate pair across splits, from the near-dedup stage;
//! - `ngram`: shared hashed word n-grams (default 13) of the normalised text of the user and
//!   assistant turns (system prompts are shared templates), counted per conversation and per turn. A pair counts only above a minimum overlap: at least
//!   `min_shared` shared n-grams **and** at least `min_fraction` of the smaller record's n-grams
//!   (per turn: `turn_min_shared` and `turn_min_fraction` of the smaller turn's). N-grams found in
//!   `stop_df` or more records of the corpus are stock phrases (sign-offs, greetings) and never
//!   count. On the real ESConv splits, clean train/test pairs share at most ~2 13-grams in one
//!   turn and ~6 in a conversation, which the defaults sit well above.
//! - `eval_set`: n-gram overlap of a train record with an external evaluation set.
//!
//! Resolution (`policy`): `fail` (default: pairs stay, the `leakage_pairs` gate fails),
//! `drop-from-train` (the train side gets status `leakage`), `drop-from-eval` (the
//! validation/test side; for external sets the train side). Reads `record_id`, `split`, `status`,
//! `text_hash`, `messages`; updates `status` and `reason`. Materialises the messages.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::error::{PolarsContext, Result};
use crate::normalize::for_each_token;
use crate::schema::{messages_of, str_column, str_values};

/// `[leakage]` in the spec.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LeakageSpec {
    /// Run the leakage stage. Default `true`.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// N-gram size in words. Default 13.
    #[serde(default = "d_ngram")]
    pub ngram: usize,
    /// Conversation level: minimum shared n-grams. Default 10.
    #[serde(default = "d_min_shared")]
    pub min_shared: usize,
    /// Conversation level: minimum share of the smaller record's n-grams. Default 0.02.
    #[serde(default = "d_min_fraction")]
    pub min_fraction: f64,
    /// Turn level: minimum shared n-grams. Default 10 (about 22 identical consecutive words: one
    /// reused sentence, such as a supporter's own stock line, stays below it).
    #[serde(default = "d_turn_min_shared")]
    pub turn_min_shared: usize,
    /// Turn level: minimum share of the smaller turn's n-grams. Default 0.5.
    #[serde(default = "d_turn_min_fraction")]
    pub turn_min_fraction: f64,
    /// N-grams present in at least this many records are stock phrases and ignored. Default 5.
    #[serde(default = "d_stop_df")]
    pub stop_df: usize,
    /// `fail` (default), `drop-from-train`, `drop-from-eval`.
    #[serde(default)]
    pub policy: Policy,
    /// External evaluation sets (paths, globs or URIs of JSONL/Parquet with `messages` or `text`).
    #[serde(default)]
    pub eval_sets: Vec<String>,
}

fn yes() -> bool {
    true
}
fn d_ngram() -> usize {
    13
}
fn d_min_shared() -> usize {
    10
}
fn d_min_fraction() -> f64 {
    0.02
}
fn d_turn_min_shared() -> usize {
    10
}
fn d_turn_min_fraction() -> f64 {
    0.5
}
fn d_stop_df() -> usize {
    5
}

impl Default for LeakageSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            ngram: d_ngram(),
            min_shared: d_min_shared(),
            min_fraction: d_min_fraction(),
            turn_min_shared: d_turn_min_shared(),
            turn_min_fraction: d_turn_min_fraction(),
            stop_df: d_stop_df(),
            policy: Policy::Fail,
            eval_sets: Vec::new(),
        }
    }
}

/// `[split]` in the spec: assign splits instead of keeping the sources' own.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SplitSpec {
    /// Fractions, e.g. `{ train = 0.8, validation = 0.1, test = 0.1 }` (they must add up to 1).
    /// Absent: every record keeps the split its source gives it.
    pub assign: Option<BTreeMap<String, f64>>,
    /// A metadata field (see `[source.columns] metadata`) whose value groups records that must
    /// share a split (a client, a transcript, a question id), joined with the near-duplicate
    /// cluster.
    pub group: Option<String>,
    /// Seed of the assignment. Default 0.
    #[serde(default)]
    pub seed: u64,
}

impl SplitSpec {
    /// Check the fractions; `Err` is the message.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let Some(a) = &self.assign else { return Ok(()) };
        for (k, v) in a {
            if !matches!(k.as_str(), "train" | "validation" | "test") || !(0.0..=1.0).contains(v) {
                return Err(format!(
                    "`{k} = {v}`: use train, validation, test with fractions in 0..=1"
                ));
            }
        }
        let sum: f64 = a.values().sum();
        if (sum - 1.0).abs() > 1e-6 {
            return Err(format!("fractions add up to {sum}, not 1"));
        }
        Ok(())
    }
}

/// Assign splits by fractions, deterministically, so that every near-duplicate cluster (and
/// every value of the group field) lands in one split: components of "same cluster or same group
/// value" are hashed (seeded xxh3 of the component's smallest record_id) into [0, 1) and cut by
/// the fractions in the order train, validation, test. `clusters[i]` is row i's cluster
/// representative. Reads `record_id`, `metadata`; replaces `split`.
pub fn assign(df: DataFrame, clusters: &[String], spec: &SplitSpec) -> Result<DataFrame> {
    let Some(fractions) = &spec.assign else {
        return Ok(df);
    };
    let ids = str_column(&df, "record_id")?;
    let n = ids.len();
    let pos: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let union = |p: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(p, a), find(p, b));
        if ra != rb {
            p[ra.max(rb)] = ra.min(rb);
        }
    };
    for (i, rep) in clusters.iter().enumerate() {
        if let Some(&j) = pos.get(rep.as_str()) {
            union(&mut parent, i, j);
        }
    }
    if let Some(field) = &spec.group {
        let meta = str_values(&df, "metadata")?;
        let mut first: HashMap<String, usize> = HashMap::new();
        for (i, m) in meta.iter().enumerate() {
            let value = m
                .as_deref()
                .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
                .and_then(|v| v.get(field).cloned())
                .filter(|v| !v.is_null());
            if let Some(v) = value {
                let j = *first.entry(v.to_string()).or_insert(i);
                union(&mut parent, i, j);
            }
        }
    }
    // The component's key: its smallest record id.
    let mut key: HashMap<usize, &str> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        let r = find(&mut parent, i);
        let e = key.entry(r).or_insert(id.as_str());
        if id.as_str() < *e {
            *e = id.as_str();
        }
    }
    let t = fractions.get("train").copied().unwrap_or(0.0);
    let v = fractions.get("validation").copied().unwrap_or(0.0);
    let split: Vec<&str> = (0..n)
        .map(|i| {
            let k = key[&find(&mut parent, i)];
            let u = (xxhash_rust::xxh3::xxh3_64_with_seed(k.as_bytes(), spec.seed) >> 11) as f64
                / (1u64 << 53) as f64;
            if u < t {
                "train"
            } else if u < t + v {
                "validation"
            } else {
                "test"
            }
        })
        .collect();
    let mut df = df;
    df.with_column(Column::new("split".into(), split))
        .ctx("split")?;
    Ok(df)
}

/// What to do with leaked pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    #[default]
    Fail,
    DropFromTrain,
    DropFromEval,
}

/// One record as the detector sees it.
pub struct LeakRecord<'a> {
    pub id: &'a str,
    pub split: &'a str,
    pub turns: Vec<&'a str>,
}

/// One leaked pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub record_a: String,
    pub record_b: String,
    pub split_a: String,
    pub split_b: String,
    pub kind: String,
    /// Shared n-grams (n-gram kinds), 1.0/similarity for exact/near.
    pub overlap: f64,
    pub detail: String,
}

fn split_rank(s: &str) -> u8 {
    match s {
        "train" => 0,
        "validation" => 1,
        "test" => 2,
        _ => 3,
    }
}

/// A pair from two records' views.
fn pair(a: &LeakRecord<'_>, b: &LeakRecord<'_>, kind: &str, overlap: f64, detail: String) -> Pair {
    Pair {
        record_a: a.id.to_string(),
        record_b: b.id.to_string(),
        split_a: a.split.to_string(),
        split_b: b.split.to_string(),
        kind: kind.to_string(),
        overlap,
        detail,
    }
}

/// Hashed word n-grams of one text (sorted, unique).
fn ngrams(text: &str, n: usize) -> Vec<u64> {
    let mut toks = Vec::new();
    for_each_token(text, |t| toks.push(xxh3_64(t.as_bytes())));
    if toks.len() < n {
        return Vec::new();
    }
    let mut out: Vec<u64> = toks
        .windows(n)
        .map(|w| {
            w.iter()
                .fold(0u64, |h, &t| crate::dedup::minhash::mix64(h ^ t))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The n-gram index of the evaluation side (validation, test, external sets): sorted postings
/// `(n-gram, record, turn)` searched by binary search, and a document frequency for every indexed
/// n-gram. Train records are only streamed through it (once to count document frequency, once to
/// find pairs), so memory is bounded by the evaluation side, not the corpus.
pub struct LeakIndex {
    ngram: usize,
    ids: Vec<String>,
    splits: Vec<String>,
    external: Vec<bool>,
    conv_len: Vec<u32>,
    turn_len: Vec<Vec<u32>>,
    /// (n-gram, record, turn or u32::MAX for the conversation), sorted.
    postings: Vec<(u64, u32, u32)>,
    /// Distinct indexed n-grams (sorted), where each one's postings start, and their document
    /// frequency over the corpus.
    grams: Vec<u64>,
    starts: Vec<u32>,
    df: Vec<std::sync::atomic::AtomicU32>,
}

/// Per-turn and per-conversation n-grams of a record.
fn record_grams(r: &LeakRecord<'_>, n: usize) -> (Vec<Vec<u64>>, Vec<u64>) {
    let turns: Vec<Vec<u64>> = r.turns.iter().map(|t| ngrams(t, n)).collect();
    (turns, ngrams(&r.turns.join("\n"), n))
}

impl LeakIndex {
    /// Index `records` (the evaluation side); `external[i]` marks external eval-set records.
    pub fn build(records: &[LeakRecord<'_>], external: &[bool], ngram: usize) -> Self {
        let grams: Vec<(Vec<Vec<u64>>, Vec<u64>)> =
            records.par_iter().map(|r| record_grams(r, ngram)).collect();
        let mut postings: Vec<(u64, u32, u32)> = Vec::new();
        for (i, (turns, conv)) in grams.iter().enumerate() {
            postings.extend(conv.iter().map(|g| (*g, i as u32, u32::MAX)));
            for (t, tg) in turns.iter().enumerate() {
                postings.extend(tg.iter().map(|g| (*g, i as u32, t as u32)));
            }
        }
        postings.par_sort_unstable();
        let mut uniq: Vec<u64> = Vec::new();
        let mut starts: Vec<u32> = Vec::new();
        let mut df: Vec<u32> = Vec::new();
        for (p, &(g, _, t)) in postings.iter().enumerate() {
            if uniq.last() != Some(&g) {
                uniq.push(g);
                starts.push(p as u32);
                df.push(0);
            }
            if t == u32::MAX {
                *df.last_mut().expect("invariant: pushed above") += 1;
            }
        }
        Self {
            ngram,
            ids: records.iter().map(|r| r.id.to_string()).collect(),
            splits: records.iter().map(|r| r.split.to_string()).collect(),
            external: external.to_vec(),
            conv_len: grams.iter().map(|g| g.1.len() as u32).collect(),
            turn_len: grams
                .iter()
                .map(|g| g.0.iter().map(|t| t.len() as u32).collect())
                .collect(),
            grams: uniq,
            starts: {
                starts.push(postings.len() as u32);
                starts
            },
            postings,
            df: df
                .into_iter()
                .map(std::sync::atomic::AtomicU32::new)
                .collect(),
        }
    }

    /// Count the document frequency contributed by records that are not in the index.
    pub fn count(&self, records: &[LeakRecord<'_>]) {
        records.par_iter().for_each(|r| {
            for g in ngrams(&r.turns.join("\n"), self.ngram) {
                if let Ok(k) = self.grams.binary_search(&g) {
                    self.df[k].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
    }

    /// The postings of an indexed n-gram that is not a stock phrase (one binary search).
    fn hits(&self, g: u64, stop_df: usize) -> &[(u64, u32, u32)] {
        match self.grams.binary_search(&g) {
            Ok(k) if (self.df[k].load(std::sync::atomic::Ordering::Relaxed) as usize) < stop_df => {
                &self.postings[self.starts[k] as usize..self.starts[k + 1] as usize]
            }
            _ => &[],
        }
    }

    /// Leaked pairs of `records` (query side) against the index: each record against indexed
    /// records of a later split (train -> validation/test, validation -> test) and external sets.
    pub fn pairs(&self, records: &[LeakRecord<'_>], spec: &LeakageSpec) -> Vec<Pair> {
        let mut found: Vec<Pair> = records
            .par_iter()
            .flat_map_iter(|a| {
                let (turns, conv) = record_grams(a, self.ngram);
                let eligible = |j: u32| {
                    let j = j as usize;
                    self.ids[j] != a.id
                        && (self.external[j] || split_rank(a.split) < split_rank(&self.splits[j]))
                };
                let view = |j: u32| LeakRecord {
                    id: &self.ids[j as usize],
                    split: &self.splits[j as usize],
                    turns: Vec::new(),
                };
                let kind_of = |j: u32, local: &'static str| {
                    if self.external[j as usize] {
                        "eval_set"
                    } else {
                        local
                    }
                };
                let mut out = Vec::new();
                let mut shared: BTreeMap<u32, usize> = BTreeMap::new();
                for &g in &conv {
                    for &(_, j, t) in self.hits(g, spec.stop_df) {
                        if t == u32::MAX && eligible(j) {
                            *shared.entry(j).or_default() += 1;
                        }
                    }
                }
                for (j, n) in shared {
                    let smaller = conv.len().min(self.conv_len[j as usize] as usize).max(1);
                    let frac = n as f64 / smaller as f64;
                    if n >= spec.min_shared && frac >= spec.min_fraction {
                        let detail = format!(
                            "{n} shared {}-grams ({:.1}% of the smaller record)",
                            self.ngram,
                            100.0 * frac
                        );
                        out.push(pair(a, &view(j), kind_of(j, "ngram"), n as f64, detail));
                    }
                }
                // Turn level: one long shared turn counts even when the rest differs.
                for tg in &turns {
                    let mut per: BTreeMap<(u32, u32), usize> = BTreeMap::new();
                    for &g in tg {
                        for &(_, j, t) in self.hits(g, spec.stop_df) {
                            if t != u32::MAX && eligible(j) {
                                *per.entry((j, t)).or_default() += 1;
                            }
                        }
                    }
                    for ((j, t), n) in per {
                        let smaller = tg
                            .len()
                            .min(self.turn_len[j as usize][t as usize] as usize)
                            .max(1);
                        let frac = n as f64 / smaller as f64;
                        if n >= spec.turn_min_shared && frac >= spec.turn_min_fraction {
                            let detail = format!(
                                "a turn shares {n} {}-grams ({:.0}% of the smaller turn)",
                                self.ngram,
                                100.0 * frac
                            );
                            out.push(pair(
                                a,
                                &view(j),
                                kind_of(j, "ngram_turn"),
                                n as f64,
                                detail,
                            ));
                        }
                    }
                }
                out
            })
            .collect();
        // One pair per (a, b): a conversation-level finding wins over a turn-level one.
        found.sort_by(|x, y| {
            (&x.record_a, &x.record_b, x.kind == "ngram_turn").cmp(&(
                &y.record_a,
                &y.record_b,
                y.kind == "ngram_turn",
            ))
        });
        found.dedup_by(|x, y| x.record_a == y.record_a && x.record_b == y.record_b);
        found
    }
}

/// N-gram leakage among `records` (train vs validation/test, validation vs test) and against
/// external `eval` records. Pure: the build and `verify` call it alike.
pub fn ngram_pairs(
    records: &[LeakRecord<'_>],
    eval: &[LeakRecord<'_>],
    spec: &LeakageSpec,
) -> Vec<Pair> {
    let indexed: Vec<LeakRecord<'_>> = records
        .iter()
        .filter(|r| r.split != "train")
        .chain(eval.iter())
        .map(|r| LeakRecord {
            id: r.id,
            split: r.split,
            turns: r.turns.clone(),
        })
        .collect();
    let n_local = records.iter().filter(|r| r.split != "train").count();
    let external: Vec<bool> = (0..indexed.len()).map(|i| i >= n_local).collect();
    let index = LeakIndex::build(&indexed, &external, spec.ngram);
    let train: Vec<LeakRecord<'_>> = records
        .iter()
        .filter(|r| r.split == "train")
        .map(|r| LeakRecord {
            id: r.id,
            split: r.split,
            turns: r.turns.clone(),
        })
        .collect();
    index.count(&train);
    let queries: Vec<LeakRecord<'_>> = records
        .iter()
        .filter(|r| r.split == "train" || r.split == "validation")
        .map(|r| LeakRecord {
            id: r.id,
            split: r.split,
            turns: r.turns.clone(),
        })
        .collect();
    index.pairs(&queries, spec)
}

/// What the leakage stage did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LeakageReport {
    pub enabled: bool,
    pub policy: String,
    /// Pairs found, by kind.
    pub found: BTreeMap<String, u64>,
    /// Pairs left unresolved (what the gate checks).
    pub pairs: u64,
    /// Records removed by the policy.
    pub dropped: u64,
    /// Pairs per "split_a×split_b".
    pub matrix: BTreeMap<String, u64>,
}

/// Apply the leakage stage. `near_cross` is the near stage's cross-split pairs table; `eval` are
/// the external evaluation records (id, texts).
#[tracing::instrument(skip_all, fields(stage = "leakage", rows = df.height()))]
pub fn apply(
    df: DataFrame,
    near_cross: &DataFrame,
    eval: &[(String, Vec<String>)],
    spec: &LeakageSpec,
) -> Result<(DataFrame, LeakageReport, DataFrame)> {
    let mut report = LeakageReport {
        enabled: spec.enabled,
        policy: serde_json::to_value(spec.policy)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        ..Default::default()
    };
    let mut pairs: Vec<Pair> = Vec::new();
    let mut df = df;
    if spec.enabled {
        let ids = str_column(&df, "record_id")?;
        let splits = str_column(&df, "split")?;
        let status = str_column(&df, "status")?;
        let hashes = str_column(&df, "text_hash")?;
        let messages = messages_of(&df)?;
        let kept: Vec<usize> = (0..df.height()).filter(|&i| status[i] == "kept").collect();
        // Exact.
        let mut by_hash: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in &kept {
            by_hash.entry(hashes[i].as_str()).or_default().push(i);
        }
        for group in by_hash.values() {
            for &a in group {
                for &b in group {
                    if split_rank(&splits[a]) < split_rank(&splits[b]) {
                        pairs.push(Pair {
                            record_a: ids[a].clone(),
                            record_b: ids[b].clone(),
                            split_a: splits[a].clone(),
                            split_b: splits[b].clone(),
                            kind: "exact".into(),
                            overlap: 1.0,
                            detail: "same normalised text".into(),
                        });
                    }
                }
            }
        }
        // Near, from the near stage.
        if near_cross.height() > 0 {
            let (ra, rb) = (
                str_column(near_cross, "record_a")?,
                str_column(near_cross, "record_b")?,
            );
            let (sa, sb) = (
                str_column(near_cross, "split_a")?,
                str_column(near_cross, "split_b")?,
            );
            let sim = near_cross
                .column("similarity")
                .ctx("similarity")?
                .f64()
                .ctx("similarity")?
                .iter()
                .map(Option::unwrap_or_default)
                .collect::<Vec<_>>();
            for i in 0..near_cross.height() {
                let (a, b, x, y) = if split_rank(&sa[i]) <= split_rank(&sb[i]) {
                    (&ra[i], &rb[i], &sa[i], &sb[i])
                } else {
                    (&rb[i], &ra[i], &sb[i], &sa[i])
                };
                pairs.push(Pair {
                    record_a: a.clone(),
                    record_b: b.clone(),
                    split_a: x.clone(),
                    split_b: y.clone(),
                    kind: "near".into(),
                    overlap: sim[i],
                    detail: format!("near-duplicate (similarity {:.3})", sim[i]),
                });
            }
        }
        // N-grams.
        let recs: Vec<LeakRecord<'_>> = kept
            .iter()
            .map(|&i| LeakRecord {
                id: &ids[i],
                split: &splits[i],
                // System prompts are templates shared by design, not leaked content.
                turns: messages[i]
                    .iter()
                    .filter(|m| m.role != "system")
                    .map(|m| m.content.as_str())
                    .collect(),
            })
            .collect();
        let ext: Vec<LeakRecord<'_>> = eval
            .iter()
            .map(|(id, t)| LeakRecord {
                id,
                split: "eval_set",
                turns: t.iter().map(String::as_str).collect(),
            })
            .collect();
        let covered: BTreeSet<(String, String)> = pairs
            .iter()
            .map(|p| (p.record_a.clone(), p.record_b.clone()))
            .collect();
        for p in ngram_pairs(&recs, &ext, spec) {
            if !covered.contains(&(p.record_a.clone(), p.record_b.clone())) {
                pairs.push(p);
            }
        }
        pairs.sort_by(|x, y| {
            (&x.record_a, &x.record_b, &x.kind).cmp(&(&y.record_a, &y.record_b, &y.kind))
        });
        pairs.dedup_by(|x, y| x.record_a == y.record_a && x.record_b == y.record_b);

        // Resolution.
        let row_of: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut new_status = status.clone();
        let mut reason = str_values(&df, "reason")?;
        for p in &pairs {
            *report.found.entry(p.kind.clone()).or_default() += 1;
            *report
                .matrix
                .entry(format!("{}×{}", p.split_a, p.split_b))
                .or_default() += 1;
            let (drop, other, other_split) = match spec.policy {
                Policy::Fail => (None, "", ""),
                Policy::DropFromTrain => {
                    (Some(&p.record_a), p.record_b.as_str(), p.split_b.as_str())
                }
                Policy::DropFromEval if p.kind == "eval_set" => {
                    (Some(&p.record_a), p.record_b.as_str(), p.split_b.as_str())
                }
                Policy::DropFromEval => {
                    (Some(&p.record_b), p.record_a.as_str(), p.split_a.as_str())
                }
            };
            match drop.and_then(|id| row_of.get(id.as_str())) {
                Some(&row) if new_status[row] == "kept" => {
                    new_status[row] = "leakage".into();
                    reason[row] = Some(format!(
                        "leaks into {other_split}: {other} ({}: {})",
                        p.kind, p.detail
                    ));
                    report.dropped += 1;
                }
                Some(_) => {}
                None => report.pairs += 1,
            }
        }
        df.with_column(Column::new("status".into(), new_status))
            .ctx("status")?;
        df.with_column(Column::new("reason".into(), reason))
            .ctx("reason")?;
        tracing::info!(
            pairs = pairs.len(),
            unresolved = report.pairs,
            dropped = report.dropped,
            "leakage"
        );
    }
    let table = df!(
        "record_a" => pairs.iter().map(|p| p.record_a.as_str()).collect::<Vec<_>>(),
        "record_b" => pairs.iter().map(|p| p.record_b.as_str()).collect::<Vec<_>>(),
        "split_a" => pairs.iter().map(|p| p.split_a.as_str()).collect::<Vec<_>>(),
        "split_b" => pairs.iter().map(|p| p.split_b.as_str()).collect::<Vec<_>>(),
        "kind" => pairs.iter().map(|p| p.kind.as_str()).collect::<Vec<_>>(),
        "overlap" => pairs.iter().map(|p| p.overlap).collect::<Vec<_>>(),
        "detail" => pairs.iter().map(|p| p.detail.as_str()).collect::<Vec<_>>(),
    )
    .ctx("leakage pairs table")?;
    Ok((df, report, table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(prefix: &str, n: usize) -> String {
        (0..n)
            .map(|i| format!("{prefix}{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_long_shared_turn_counts_and_stock_phrases_do_not() {
        let spec = LeakageSpec::default();
        let shared = words("s", 40);
        // Long enough elsewhere that the conversation-level share stays under 2%.
        let (t1, t2) = (words("a", 800), words("b", 800));
        let (e1, e2) = (words("c", 800), words("d", 800));
        let recs = [
            LeakRecord {
                id: "train/1",
                split: "train",
                turns: vec![&t1, &shared, &t2],
            },
            LeakRecord {
                id: "test/1",
                split: "test",
                turns: vec![&e1, &shared, &e2],
            },
        ];
        let pairs = ngram_pairs(&recs, &[], &spec);
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!(
            (
                pairs[0].record_a.as_str(),
                pairs[0].record_b.as_str(),
                pairs[0].kind.as_str()
            ),
            ("train/1", "test/1", "ngram_turn")
        );

        // The same 40 words in many records are a stock phrase: nothing is reported.
        let others: Vec<String> = (0..6)
            .map(|k| format!("{} {shared}", words(&format!("x{k}_"), 30)))
            .collect();
        let mut many: Vec<LeakRecord<'_>> = recs.into_iter().collect();
        for (k, o) in others.iter().enumerate() {
            many.push(LeakRecord {
                id: Box::leak(format!("other/{k}").into_boxed_str()),
                split: "train",
                turns: vec![o],
            });
        }
        assert!(ngram_pairs(&many, &[], &spec).is_empty());
    }

    #[test]
    fn validation_and_test_are_checked_against_each_other_but_train_pairs_are_not() {
        let spec = LeakageSpec::default();
        let same = words("w", 300);
        let recs = [
            LeakRecord {
                id: "a",
                split: "train",
                turns: vec![&same],
            },
            LeakRecord {
                id: "b",
                split: "train",
                turns: vec![&same],
            },
            LeakRecord {
                id: "c",
                split: "validation",
                turns: vec![&same],
            },
            LeakRecord {
                id: "d",
                split: "test",
                turns: vec![&same],
            },
        ];
        let pairs: Vec<(String, String)> = ngram_pairs(&recs, &[], &spec)
            .into_iter()
            .map(|p| (p.record_a, p.record_b))
            .collect();
        assert!(
            pairs.contains(&("a".into(), "c".into())) && pairs.contains(&("c".into(), "d".into()))
        );
        assert!(
            !pairs.contains(&("a".into(), "b".into())),
            "same split is dedup's business"
        );
    }
}
