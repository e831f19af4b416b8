//! Load + normalise + hash: parse, map, clean (HTML, NFC), build the canonical frame with
//! `text_hash`, counts. Inputs: a seeded synthetic dialog corpus generated in memory, and the real
//! counsel-chat and ESConv files when ../shared/data is present.
//!
//! Run: `cargo bench --bench load` (results and commands in benches/README.md).

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trainready::load::{SourceLoad, load_object};
use trainready::records::Format;
use trainready::spec::{Overrides, Plan, resolve};

fn plan(sources: &str) -> Plan {
    let text = format!("[release]\nname = \"bench\"\nversion = \"1\"\n{sources}");
    resolve(
        Path::new("bench.toml"),
        &text,
        Path::new("/"),
        &Overrides::default(),
    )
    .expect("bench spec")
}

/// A seeded corpus of ESConv-like dialogs (~2.6 KB each).
fn synthetic_dialogs(n: usize, seed: u64) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "i",
        "feel",
        "so",
        "anxious",
        "about",
        "work",
        "and",
        "my",
        "family",
        "it",
        "has",
        "been",
        "hard",
        "to",
        "sleep",
        "lately",
        "that",
        "sounds",
        "really",
        "difficult",
        "have",
        "you",
        "tried",
        "talking",
        "with",
        "someone",
        "you",
        "trust",
        "what",
        "helps",
        "when",
        "stress",
        "gets",
        "overwhelming",
    ];
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut out = Vec::with_capacity(n * 2700);
    for i in 0..n {
        let mut dialog = Vec::new();
        for t in 0..20 {
            let len = 8 + next() % 14;
            let text: Vec<&str> = (0..len).map(|_| WORDS[next() % WORDS.len()]).collect();
            dialog.push(serde_json::json!({"speaker": if t % 2 == 0 { "usr" } else { "sys" }, "text": text.join(" ")}));
        }
        let line = serde_json::json!({"id": i, "dialog": dialog});
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

fn run(plan: &Plan, rel: &str, bytes: &[u8], format: Format) -> usize {
    let mut out = SourceLoad::default();
    load_object(&plan.sources[0], rel, rel, bytes, format, &mut out).expect("load");
    let df = trainready::load::to_frame(&out.conversations).expect("frame");
    df.height()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("load_normalise_hash");
    g.sample_size(10);

    let dialog = plan(
        "[[source]]\nname = \"s\"\nfamily = \"f\"\nuri = \"x.jsonl\"\nmapping = \"dialog\"\nlicense = \"x\"\norigin = \"x\"\n",
    );
    let corpus = synthetic_dialogs(10_000, 42);
    g.throughput(Throughput::Bytes(corpus.len() as u64));
    g.bench_function("synthetic_dialog_10k", |b| {
        b.iter(|| run(&dialog, "x.jsonl", &corpus, Format::Jsonl))
    });

    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if data.is_dir() {
        let qa = |answer_html: &str| {
            plan(&format!(
                "[[source]]\nname = \"s\"\nfamily = \"f\"\nuri = \"x.csv\"\nmapping = \"qa\"\nlicense = \"x\"\norigin = \"x\"\nhtml = \"{answer_html}\"\n[source.columns]\nquestion = [\"questionTitle\", \"questionText\"]\nanswer = \"answerText\"\n"
            ))
        };
        for (name, file, p) in [
            (
                "counsel_chat_2020",
                "counsel-chat/20200325_counsel_chat.csv",
                qa("auto"),
            ),
            (
                "counsel_chat_html",
                "counsel-chat/counselchat-data.csv",
                qa("auto"),
            ),
        ] {
            let bytes = std::fs::read(data.join(file)).expect("read");
            g.throughput(Throughput::Bytes(bytes.len() as u64));
            g.bench_function(name, |b| b.iter(|| run(&p, "x.csv", &bytes, Format::Csv)));
        }
        let bytes = std::fs::read(data.join("esconv/train.jsonl")).expect("read");
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("esconv_train", |b| {
            b.iter(|| run(&dialog, "train.jsonl", &bytes, Format::Jsonl))
        });
    } else {
        eprintln!("notice: ../shared/data absent: only the synthetic corpus is benchmarked");
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
