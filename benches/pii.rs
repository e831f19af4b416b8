//! PII scan throughput, single thread (MB/s per core): every question and answer of the full
//! counsel-chat 2020 file when ../shared/data is present (plain text), else the labelled
//! evaluation set's texts repeated.
//!
//! Run: `cargo bench --bench pii` (results and commands in benches/README.md).

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trainready::pii::{scan, warm_up};

fn texts() -> (String, Vec<String>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("../shared/data/counsel-chat/20200325_counsel_chat.csv");
    if data.exists() {
        let mut rdr = csv::Reader::from_path(data).expect("read");
        let mut out = Vec::new();
        for r in rdr.records() {
            let r = r.expect("row");
            out.push(r[3].to_string());
            out.push(r[8].to_string());
        }
        return ("counsel_chat_2020".into(), out);
    }
    let text = std::fs::read_to_string(root.join("eval/pii/labelled.jsonl")).expect("eval set");
    let one: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["text"]
                .as_str()
                .expect("text")
                .to_string()
        })
        .collect();
    (
        "labelled_x20".into(),
        one.iter().cycle().take(one.len() * 20).cloned().collect(),
    )
}

fn bench(c: &mut Criterion) {
    warm_up();
    let (name, texts) = texts();

    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("pii_scan");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("{name}_single_thread"), |b| {
        b.iter(|| texts.iter().map(|t| scan(t, &[]).len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
