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
use crate::schema::{Status, mark_status, str_column};

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

impl LeakageSpec {
    /// Check the values; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        if self.ngram == 0
            || self.stop_df < 2
            || !(0.0..=1.0).contains(&self.min_fraction)
            || !(0.0..=1.0).contains(&self.turn_min_fraction)
        {
            return Err((
                "leakage".into(),
                "ngram must be at least 1, stop_df at least 2, fractions within 0..=1".into(),
            ));
        }
        Ok(())
    }
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

/// The word n-gram windows of a record, hashed: `(hash, turn)` for every window, in order, where
/// `turn` is the turn holding the whole window or `u32::MAX` for a window across a turn boundary.
/// The turns are tokenised once; the conversation's n-grams are the windows over all of its
/// tokens (the same as tokenising the turns joined by newlines).
fn windows(r: &LeakRecord<'_>, n: usize) -> Vec<(u64, u32)> {
    let mut toks: Vec<u64> = Vec::new();
    let mut turn_of: Vec<u32> = Vec::new();
    for (t, text) in r.turns.iter().enumerate() {
        for_each_token(text, |w| {
            toks.push(xxh3_64(w.as_bytes()));
            turn_of.push(t as u32);
        });
    }
    if n == 0 || toks.len() < n {
        return Vec::new();
    }
    (0..=toks.len() - n)
        .map(|i| {
            let h = toks[i..i + n]
                .iter()
                .fold(0u64, |h, &t| crate::kernels::minhash::mix64(h ^ t));
            let turn = if turn_of[i] == turn_of[i + n - 1] {
                turn_of[i]
            } else {
                u32::MAX
            };
            (h, turn)
        })
        .collect()
}

/// The n-gram index of the evaluation side (validation, test, external sets): for every distinct
/// indexed n-gram (sorted), its postings `(record, turn)` and its
/// document frequency over the corpus; a bitset over the n-gram hashes answers "not indexed" for
/// most query n-grams without a binary search. Query records (train, and validation against test)
/// are streamed through it once ([`LeakIndex::scan`] keeps only their hits), so memory is bounded
/// by the evaluation side and the hits, not the corpus.
pub struct LeakIndex {
    ngram: usize,
    ids: Vec<String>,
    splits: Vec<String>,
    external: Vec<bool>,
    conv_len: Vec<u32>,
    turn_len: Vec<Vec<u32>>,
    /// Distinct indexed n-grams (sorted), where each one's postings start, and their document
    /// frequency over the corpus.
    grams: Vec<u64>,
    starts: Vec<u32>,
    /// (record, turn), grouped by n-gram in `grams` order and sorted by record: an n-gram inside
    /// turns is posted once per turn holding it, one only across a turn boundary once with turn
    /// u32::MAX.
    postings: Vec<(u32, u32)>,
    df: Vec<std::sync::atomic::AtomicU32>,
    /// One bit per hash value modulo its length (a power of two): unset means "not indexed".
    filter: Vec<u64>,
    filter_mask: u64,
}

/// One indexed record's postings `(n-gram, turn)`, its number of distinct conversation n-grams,
/// and of distinct n-grams per turn.
type RecordPostings = (Vec<(u64, u32)>, u32, Vec<u32>);

/// The hits of one query record: indexes into [`LeakIndex`]'s n-grams.
pub struct QueryHits {
    pub id: String,
    pub split: String,
    conv_len: u32,
    /// Distinct conversation n-grams found in the index.
    conv: Vec<u32>,
    /// (turn, its distinct n-grams, those found in the index), for turns with hits.
    turns: Vec<(u32, u32, Vec<u32>)>,
}

impl LeakIndex {
    /// Index `records` (the evaluation side); `external[i]` marks external eval-set records.
    pub fn build(records: &[LeakRecord<'_>], external: &[bool], ngram: usize) -> Self {
        // Per record: its postings (an n-gram inside a turn is posted once per turn holding it;
        // an n-gram only across a turn boundary is posted once with turn u32::MAX), its number
        // of distinct conversation n-grams, and of distinct n-grams per turn.
        let per_record: Vec<RecordPostings> = records
            .par_iter()
            .map(|r| {
                let mut w = windows(r, ngram);
                w.sort_unstable();
                w.dedup();
                let mut turn_len = vec![0u32; r.turns.len()];
                let mut conv_len = 0u32;
                let mut out = Vec::with_capacity(w.len());
                let mut i = 0;
                while i < w.len() {
                    let g = w[i].0;
                    let mut j = i;
                    while j < w.len() && w[j].0 == g {
                        j += 1;
                    }
                    conv_len += 1;
                    // Sorted by turn within the n-gram: u32::MAX (across turns) comes last.
                    if w[i].1 == u32::MAX {
                        out.push((g, u32::MAX));
                    } else {
                        for &(_, t) in w[i..j].iter().filter(|x| x.1 != u32::MAX) {
                            turn_len[t as usize] += 1;
                            out.push((g, t));
                        }
                    }
                    i = j;
                }
                (out, conv_len, turn_len)
            })
            .collect();
        let total: usize = per_record.iter().map(|r| r.0.len()).sum();
        let mut postings: Vec<(u64, u32, u32)> = Vec::with_capacity(total);
        let mut conv_len = Vec::with_capacity(records.len());
        let mut turn_len = Vec::with_capacity(records.len());
        for (i, (posts, c, t)) in per_record.into_iter().enumerate() {
            postings.extend(posts.into_iter().map(|(g, turn)| (g, i as u32, turn)));
            conv_len.push(c);
            turn_len.push(t);
        }
        postings.par_sort_unstable();
        // Distinct n-grams, where their postings start, and their document frequency (distinct
        // records; postings are sorted by record within an n-gram).
        let mut uniq: Vec<u64> = Vec::new();
        let mut starts: Vec<u32> = Vec::new();
        let mut df: Vec<u32> = Vec::new();
        let mut last_record = u32::MAX;
        for (p, &(g, j, _)) in postings.iter().enumerate() {
            if uniq.last() != Some(&g) {
                uniq.push(g);
                starts.push(p as u32);
                df.push(0);
                last_record = u32::MAX;
            }
            if j != last_record {
                *df.last_mut().expect("invariant: pushed above") += 1;
                last_record = j;
            }
        }
        starts.push(postings.len() as u32);
        let compact: Vec<(u32, u32)> = postings.iter().map(|&(_, j, t)| (j, t)).collect();
        drop(postings);
        // About 8 bits per distinct n-gram: a query n-gram that is not indexed passes the filter
        // with probability ~12%, and then costs one binary search.
        let bits = (uniq.len() as u64 * 8).next_power_of_two().max(1 << 16);
        let mut filter = vec![0u64; (bits / 64) as usize];
        for &g in &uniq {
            let b = g & (bits - 1);
            filter[(b / 64) as usize] |= 1 << (b % 64);
        }
        Self {
            ngram,
            ids: records.iter().map(|r| r.id.to_string()).collect(),
            splits: records.iter().map(|r| r.split.to_string()).collect(),
            external: external.to_vec(),
            conv_len,
            turn_len,
            grams: uniq,
            starts,
            postings: compact,
            df: df
                .into_iter()
                .map(std::sync::atomic::AtomicU32::new)
                .collect(),
            filter,
            filter_mask: bits - 1,
        }
    }

    /// The position of an indexed n-gram.
    fn lookup(&self, g: u64) -> Option<u32> {
        let b = g & self.filter_mask;
        if self.filter[(b / 64) as usize] & (1 << (b % 64)) == 0 {
            return None;
        }
        self.grams.binary_search(&g).ok().map(|k| k as u32)
    }

    /// Find the indexed n-grams of query records, once per record. `count_df`: the records are
    /// not in the index themselves (train), so their conversation n-grams add to the document
    /// frequency that decides the stop-list. Records without any hit are left out.
    pub fn scan(&self, records: &[LeakRecord<'_>], count_df: bool) -> Vec<QueryHits> {
        records
            .par_iter()
            .filter_map(|r| {
                let w = windows(r, self.ngram);
                let mut conv_all: Vec<u64> = w.iter().map(|x| x.0).collect();
                conv_all.sort_unstable();
                conv_all.dedup();
                let mut per_turn: Vec<Vec<u64>> = vec![Vec::new(); r.turns.len()];
                for &(h, t) in &w {
                    if t != u32::MAX {
                        per_turn[t as usize].push(h);
                    }
                }
                let mut conv = Vec::new();
                for &g in &conv_all {
                    if let Some(k) = self.lookup(g) {
                        conv.push(k);
                        if count_df {
                            self.df[k as usize].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                }
                if conv.is_empty() {
                    return None;
                }
                let mut turns = Vec::new();
                for (t, mut tg) in per_turn.into_iter().enumerate() {
                    tg.sort_unstable();
                    tg.dedup();
                    // A turn n-gram is a conversation n-gram: look it up among the hits only.
                    let ks: Vec<u32> = tg
                        .iter()
                        .filter_map(|g| {
                            conv.binary_search_by(|&k| self.grams[k as usize].cmp(g))
                                .ok()
                                .map(|p| conv[p])
                        })
                        .collect();
                    if !ks.is_empty() {
                        turns.push((t as u32, tg.len() as u32, ks));
                    }
                }
                Some(QueryHits {
                    id: r.id.to_string(),
                    split: r.split.to_string(),
                    conv_len: conv_all.len() as u32,
                    conv,
                    turns,
                })
            })
            .collect()
    }

    /// The postings of indexed n-gram `k` when it is not a stock phrase.
    fn hits(&self, k: u32, stop_df: usize) -> &[(u32, u32)] {
        let k = k as usize;
        if (self.df[k].load(std::sync::atomic::Ordering::Relaxed) as usize) < stop_df {
            &self.postings[self.starts[k] as usize..self.starts[k + 1] as usize]
        } else {
            &[]
        }
    }

    /// Leaked pairs of scanned query records against the index: each record against indexed
    /// records of a later split (train -> validation/test, validation -> test) and external sets.
    /// Call after every train record has been scanned (the stop-list needs the final document
    /// frequencies).
    pub fn pairs(&self, hits: &[QueryHits], spec: &LeakageSpec) -> Vec<Pair> {
        let mut found: Vec<Pair> = hits
            .par_iter()
            .flat_map_iter(|a| {
                let eligible = |j: u32| {
                    let j = j as usize;
                    self.ids[j] != a.id
                        && (self.external[j] || split_rank(&a.split) < split_rank(&self.splits[j]))
                };
                let kind_of = |j: u32, local: &'static str| {
                    if self.external[j as usize] {
                        "eval_set"
                    } else {
                        local
                    }
                };
                let pair_with = |j: u32, kind: &str, n: usize, detail: String| Pair {
                    record_a: a.id.clone(),
                    record_b: self.ids[j as usize].clone(),
                    split_a: a.split.clone(),
                    split_b: self.splits[j as usize].clone(),
                    kind: kind.to_string(),
                    overlap: n as f64,
                    detail,
                };
                let mut out = Vec::new();
                let mut shared: BTreeMap<u32, usize> = BTreeMap::new();
                for &k in &a.conv {
                    // Postings are sorted by record: count each record once per n-gram.
                    let mut last = u32::MAX;
                    for &(j, _) in self.hits(k, spec.stop_df) {
                        if j != last {
                            last = j;
                            if eligible(j) {
                                *shared.entry(j).or_default() += 1;
                            }
                        }
                    }
                }
                for (j, n) in shared {
                    let smaller = (a.conv_len.min(self.conv_len[j as usize]) as usize).max(1);
                    let frac = n as f64 / smaller as f64;
                    if n >= spec.min_shared && frac >= spec.min_fraction {
                        let detail = format!(
                            "{n} shared {}-grams ({:.1}% of the smaller record)",
                            self.ngram,
                            100.0 * frac
                        );
                        out.push(pair_with(j, kind_of(j, "ngram"), n, detail));
                    }
                }
                // Turn level: one long shared turn counts even when the rest differs.
                for (_, len, ks) in &a.turns {
                    let mut per: BTreeMap<(u32, u32), usize> = BTreeMap::new();
                    for &k in ks {
                        for &(j, t) in self.hits(k, spec.stop_df) {
                            if t != u32::MAX && eligible(j) {
                                *per.entry((j, t)).or_default() += 1;
                            }
                        }
                    }
                    for ((j, t), n) in per {
                        let smaller =
                            ((*len).min(self.turn_len[j as usize][t as usize]) as usize).max(1);
                        let frac = n as f64 / smaller as f64;
                        if n >= spec.turn_min_shared && frac >= spec.turn_min_fraction {
                            let detail = format!(
                                "a turn shares {n} {}-grams ({:.0}% of the smaller turn)",
                                self.ngram,
                                100.0 * frac
                            );
                            out.push(pair_with(j, kind_of(j, "ngram_turn"), n, detail));
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
pub fn ngram_pairs<'a>(
    records: &[LeakRecord<'a>],
    eval: &[LeakRecord<'a>],
    spec: &LeakageSpec,
) -> Vec<Pair> {
    let reborrow = |r: &LeakRecord<'a>| LeakRecord {
        id: r.id,
        split: r.split,
        turns: r.turns.clone(),
    };
    let indexed: Vec<LeakRecord<'_>> = records
        .iter()
        .filter(|r| r.split != "train")
        .chain(eval.iter())
        .map(reborrow)
        .collect();
    let n_local = records.iter().filter(|r| r.split != "train").count();
    let external: Vec<bool> = (0..indexed.len()).map(|i| i >= n_local).collect();
    let index = LeakIndex::build(&indexed, &external, spec.ngram);
    let train: Vec<LeakRecord<'_>> = records
        .iter()
        .filter(|r| r.split == "train")
        .map(reborrow)
        .collect();
    let validation: Vec<LeakRecord<'_>> = records
        .iter()
        .filter(|r| r.split == "validation")
        .map(reborrow)
        .collect();
    let mut hits = index.scan(&train, true);
    hits.extend(index.scan(&validation, false));
    index.pairs(&hits, spec)
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

/// What the leakage stage needs besides the frame.
pub struct Params<'a> {
    pub spec: &'a LeakageSpec,
    /// The near stage's cross-split pairs table.
    pub near_cross: &'a DataFrame,
    /// The external evaluation records: (id, texts).
    pub eval: &'a [(String, Vec<String>)],
}

/// The leakage stage's report and its pairs table (`leakage_pairs.parquet`).
pub struct LeakageOutput {
    pub report: LeakageReport,
    pub pairs: DataFrame,
}

/// Apply the leakage stage (see the module header). The frame keeps its row order.
#[tracing::instrument(skip_all, fields(stage = "leakage", rows = df.height()))]
pub fn apply(df: DataFrame, params: &Params<'_>) -> Result<(DataFrame, LeakageOutput)> {
    let (spec, near_cross, eval) = (params.spec, params.near_cross, params.eval);
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
        let messages = crate::schema::MessageView::of(&df)?;
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
                turns: messages
                    .row(i)
                    .filter(|(role, _)| *role != "system")
                    .map(|(_, content)| content)
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
        let mut reasons: BTreeMap<String, String> = BTreeMap::new();
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
            match drop.and_then(|id| row_of.get(id.as_str()).map(|&row| (id, row))) {
                Some((id, row)) if status[row] == "kept" && !reasons.contains_key(id) => {
                    reasons.insert(
                        id.clone(),
                        format!(
                            "leaks into {other_split}: {other} ({}: {})",
                            p.kind, p.detail
                        ),
                    );
                    report.dropped += 1;
                }
                Some(_) => {}
                None => report.pairs += 1,
            }
        }
        df = mark_status(df, &reasons, Status::Leakage)?;
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
    Ok((
        df,
        LeakageOutput {
            report,
            pairs: table,
        },
    ))
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
