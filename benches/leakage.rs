//! Leakage at scale, end to end (not criterion: one timed run): index an evaluation corpus, then
//! stream a train corpus through it once in batches (each batch parsed in parallel, its hits
//! kept), then find the pairs from the hits.
//!
//!   LEAK_TRAIN=/tmp/corpus_1m.jsonl LEAK_EVAL=/tmp/eval_100k.jsonl \
//!     /usr/bin/time -v target/release/deps/leakage-* --bench
//!
//! Both files: JSONL of {"id", "messages": [{"role", "content"}]} (benches/gen_corpus.py).
//! Without the files it runs on a small generated corpus so that `cargo bench` always works.

use std::io::{BufRead, BufReader};
use std::time::Instant;

use trainready::leakage::{LeakIndex, LeakRecord, LeakageSpec};

struct Owned {
    id: String,
    turns: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Line {
    id: String,
    messages: Vec<Msg>,
}

#[derive(serde::Deserialize)]
struct Msg {
    content: String,
}

fn parse(line: &str) -> Option<Owned> {
    let l: Line = serde_json::from_str(line).ok()?;
    Some(Owned {
        id: l.id,
        turns: l.messages.into_iter().map(|m| m.content).collect(),
    })
}

fn view<'a>(records: &'a [Owned], split: &'a str) -> Vec<LeakRecord<'a>> {
    records
        .iter()
        .map(|r| LeakRecord {
            id: &r.id,
            split,
            turns: r.turns.iter().map(String::as_str).collect(),
        })
        .collect()
}

/// Read a JSONL file in batches of `n` records (each batch parsed in parallel).
fn batches(path: &str, n: usize, mut f: impl FnMut(&[Owned])) -> usize {
    use rayon::prelude::*;
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path).expect("open"));
    let mut lines = Vec::with_capacity(n);
    let mut total = 0;
    let mut flush = |lines: &mut Vec<String>| {
        let batch: Vec<Owned> = lines.par_iter().filter_map(|l| parse(l)).collect();
        total += batch.len();
        f(&batch);
        lines.clear();
    };
    for line in reader.lines() {
        lines.push(line.expect("read"));
        if lines.len() == n {
            flush(&mut lines);
        }
    }
    flush(&mut lines);
    total
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --all-targets` runs bench binaries without --bench
    }
    let train = std::env::var("LEAK_TRAIN").unwrap_or_default();
    let eval = std::env::var("LEAK_EVAL").unwrap_or_default();
    if train.is_empty()
        || eval.is_empty()
        || !std::path::Path::new(&train).exists()
        || !std::path::Path::new(&eval).exists()
    {
        eprintln!(
            "notice: set LEAK_TRAIN and LEAK_EVAL to corpora from benches/gen_corpus.py; nothing to measure"
        );
        return;
    }
    let mut spec = LeakageSpec::default();
    if let Some(n) = std::env::var("LEAK_NGRAM")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        spec.ngram = n;
    }
    let t0 = Instant::now();
    let mut eval_records = Vec::new();
    batches(&eval, 50_000, |b| {
        eval_records.extend(b.iter().map(|r| Owned {
            id: r.id.clone(),
            turns: r.turns.clone(),
        }))
    });
    let ext = view(&eval_records, "eval_set");
    let index = LeakIndex::build(&ext, &vec![true; ext.len()], spec.ngram);
    let t_index = t0.elapsed();
    let mut hits = Vec::new();
    let n_train = batches(&train, 50_000, |b| {
        hits.extend(index.scan(&view(b, "train"), true))
    });
    // Planted leaks: every 1000th eval conversation copied into train with 20% of its words
    // replaced at seeded random positions (as the ESConv test does), which the stage must find.
    let mut state = 7u64;
    let planted: Vec<Owned> = eval_records
        .iter()
        .step_by(1000)
        .map(|r| Owned {
            id: format!("planted:{}", r.id),
            turns: r
                .turns
                .iter()
                .map(|t| {
                    t.split_whitespace()
                        .map(|w| {
                            state = trainready::kernels::minhash::mix64(state);
                            if state.is_multiple_of(5) {
                                format!("zq{}", state % 9973)
                            } else {
                                w.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
        })
        .collect();
    hits.extend(index.scan(&view(&planted, "train"), true));
    let t_scan = t0.elapsed();
    let found = index.pairs(&hits, &spec);
    let caught = planted
        .iter()
        .filter(|p| {
            found
                .iter()
                .any(|f| f.record_a == p.id && p.id.ends_with(&format!(":{}", f.record_b)))
        })
        .count();
    println!("planted leaks caught: {caught} of {}", planted.len());
    if std::env::var("LEAK_DEBUG").is_ok() {
        let relaxed = LeakageSpec {
            min_shared: 1,
            min_fraction: 0.0,
            turn_min_shared: 1000,
            ..spec.clone()
        };
        let loose = index.pairs(&hits, &relaxed);
        for p in &planted {
            let n: Vec<f64> = loose
                .iter()
                .filter(|f| f.record_a == p.id && p.id.ends_with(&format!(":{}", f.record_b)))
                .map(|f| f.overlap)
                .collect();
            let words: usize = p.turns.iter().map(|t| t.split_whitespace().count()).sum();
            let hit = found.iter().any(|f| f.record_a == p.id);
            println!("{} words={words} shared={n:?} caught={hit}", p.id);
        }
    }
    let pairs = found
        .iter()
        .filter(|f| !f.record_a.starts_with("planted:"))
        .count();
    let t_all = t0.elapsed();
    println!(
        "eval {} records indexed in {:.1}s; train {} records scanned in {:.1}s ({} with hits); pairs {:.1}s; total {:.1}s; {} pairs",
        ext.len(),
        t_index.as_secs_f64(),
        n_train,
        (t_scan - t_index).as_secs_f64(),
        hits.len(),
        (t_all - t_scan).as_secs_f64(),
        t_all.as_secs_f64(),
        pairs
    );
}
