//! Leakage at scale, end to end (not criterion: one timed run): index an evaluation corpus, then
//! stream a train corpus through it twice (document frequency, then pairs), in batches.
//!
//!   LEAK_TRAIN=/tmp/corpus_1m.jsonl LEAK_EVAL=/tmp/eval_100k.jsonl \
//!     /usr/bin/time -v target/release/deps/leakage-* --bench
//!
//! Both files: JSONL of {"id", "messages": [{"role", "content"}]} (benches/gen_corpus.py).
//! Without the files it runs on a small generated corpus so that `cargo bench` always works.

use std::io::{BufRead, BufReader};
use std::time::Instant;

use trainready::split::{LeakIndex, LeakRecord, LeakageSpec};

struct Owned {
    id: String,
    turns: Vec<String>,
}

fn parse(line: &str) -> Option<Owned> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(Owned {
        id: v["id"].as_str()?.to_string(),
        turns: v["messages"]
            .as_array()?
            .iter()
            .filter_map(|m| m["content"].as_str().map(str::to_string))
            .collect(),
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

/// Read a JSONL file in batches of `n` records.
fn batches(path: &str, n: usize, mut f: impl FnMut(&[Owned])) -> usize {
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path).expect("open"));
    let mut batch = Vec::with_capacity(n);
    let mut total = 0;
    for line in reader.lines() {
        if let Some(r) = parse(&line.expect("read")) {
            batch.push(r);
        }
        if batch.len() == n {
            total += batch.len();
            f(&batch);
            batch.clear();
        }
    }
    total += batch.len();
    f(&batch);
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
    let spec = LeakageSpec::default();
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
    let n_train = batches(&train, 50_000, |b| index.count(&view(b, "train")));
    let t_df = t0.elapsed();
    let mut pairs = 0usize;
    batches(&train, 50_000, |b| {
        pairs += index.pairs(&view(b, "train"), &spec).len()
    });
    let t_all = t0.elapsed();
    println!(
        "eval {} records indexed in {:.1}s; train {} records: df pass {:.1}s, pairs pass {:.1}s; total {:.1}s; {} pairs",
        ext.len(),
        t_index.as_secs_f64(),
        n_train,
        (t_df - t_index).as_secs_f64(),
        (t_all - t_df).as_secs_f64(),
        t_all.as_secs_f64(),
        pairs
    );
}
