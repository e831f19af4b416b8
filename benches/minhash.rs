//! MinHash kernels: shingling + signatures (conversations/s, MB/s), and LSH candidates +
//! verification + clustering (records/s). Inputs are generated in memory with a seed.
//!
//! Run: `cargo bench --bench minhash` (results and commands in benches/README.md).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use trainready::kernels::lsh::{Verify, banding_for, cluster};
use trainready::kernels::minhash::{MinHasher, mix64};

/// ~2.6 KB conversations: 14 turns of ~30 words over a 20k-word vocabulary; every 10th record is
/// an edited copy of the previous one.
fn corpus(n: usize, seed: u64) -> Vec<Vec<String>> {
    let mut state = seed;
    let mut next = move || {
        state = mix64(state);
        state
    };
    let mut out: Vec<Vec<String>> = Vec::with_capacity(n);
    for i in 0..n {
        if i % 10 == 9 {
            let mut copy = out[i - 1].clone();
            copy[0].push_str(" changed words here");
            out.push(copy);
            continue;
        }
        let conv = (0..14)
            .map(|_| {
                (0..30)
                    .map(|_| {
                        format!(
                            "w{}",
                            (((next() % 1_000_000) as f64 / 1e6).powi(3) * 20_000.0) as u64
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        out.push(conv);
    }
    out
}

fn bench(c: &mut Criterion) {
    let hasher = MinHasher::new(128, 5, 42);
    let docs = corpus(10_000, 1);
    let bytes: usize = docs.iter().flatten().map(String::len).sum();

    let mut g = c.benchmark_group("minhash");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("shingle_and_sign_10k_parallel", |b| {
        b.iter(|| {
            docs.par_iter()
                .map(|d| hasher.signature(&hasher.shingles(d.iter().map(String::as_str))))
                .collect::<Vec<_>>()
        })
    });
    let shingles: Vec<Vec<u32>> = docs
        .par_iter()
        .map(|d| hasher.shingles(d.iter().map(String::as_str)))
        .collect();
    let total: usize = shingles.iter().map(Vec::len).sum();
    g.throughput(Throughput::Elements(total as u64));
    g.bench_function("signature_kernel_10k_single_thread", |b| {
        let mut out = vec![0u32; 128];
        b.iter(|| {
            for s in &shingles {
                hasher.signature_into(s, &mut out);
            }
            out[0]
        })
    });
    g.finish();

    let mut g = c.benchmark_group("lsh_cluster");
    g.sample_size(10);
    for n in [10_000usize, 100_000] {
        let docs = corpus(n, 2);
        let sigs: Vec<u32> = docs
            .par_iter()
            .flat_map_iter(|d| hasher.signature(&hasher.shingles(d.iter().map(String::as_str))))
            .collect();
        let eligible = vec![true; n];
        let group = vec![0u32; n];
        let banding = banding_for(128, 0.75, 0.995);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                cluster(
                    &sigs,
                    128,
                    banding,
                    &eligible,
                    &group,
                    &Verify::Estimate,
                    0.75,
                    1000,
                )
                .edges
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
