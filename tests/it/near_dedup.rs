//! Near-duplicate detection: recall on real cross-scrape pairs, recall and false merges on a
//! seeded synthetic corpus with planted near-duplicates at known Jaccard, order independence,
//! and character shingles for Chinese.

use std::collections::{BTreeMap, BTreeSet};

use trainready::kernels::minhash::{MinHasher, jaccard};

use crate::common::*;

/// Union of the exact and near decisions: the "root" record each record ended up with.
fn roots(df: &polars::prelude::DataFrame) -> BTreeMap<String, String> {
    let ids = strs_nonnull(df, "record_id");
    let dup = strs(df, "dup_of");
    let cluster = strs(df, "cluster_id");
    let parent: BTreeMap<&str, Option<&str>> = ids
        .iter()
        .zip(&dup)
        .map(|(i, d)| (i.as_str(), d.as_deref()))
        .collect();
    let cl: BTreeMap<&str, Option<&str>> = ids
        .iter()
        .zip(&cluster)
        .map(|(i, c)| (i.as_str(), c.as_deref()))
        .collect();
    let mut out = BTreeMap::new();
    for id in &ids {
        let mut x = id.as_str();
        while let Some(Some(p)) = parent.get(x) {
            x = p;
        }
        let root = cl.get(x).copied().flatten().unwrap_or(x);
        out.insert(id.clone(), root.to_string());
    }
    out
}

#[test]
fn cross_scrape_pairs_are_found() {
    let Some(data) = shared_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let body = "[release]\nname = \"real\"\nversion = \"1\"\n[dedup]\nmax_removal_rate = 0.9\n[leakage]\npolicy = \"drop-from-train\"\n".to_string()
        + &counsel_chat_2020(&data, "a")
        + &counsel_chat_html(&data, "b");
    let spec = write_spec(tmp.path(), "r.toml", &body);
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let staged = read_parquet(&run.join("03_dedup_near.parquet"));
    let root = roots(&staged);
    let hash: BTreeMap<String, String> = strs_nonnull(&staged, "record_id")
        .into_iter()
        .zip(strs_nonnull(&staged, "text_hash"))
        .collect();
    let cross = read_parquet(&run.join("reports/near_pairs_cross_split.parquet"));
    let cross_pairs: BTreeSet<(String, String)> = strs_nonnull(&cross, "record_a")
        .into_iter()
        .zip(strs_nonnull(&cross, "record_b"))
        .flat_map(|(a, b)| [(a.clone(), b.clone()), (b, a)])
        .collect();

    let mut rdr =
        csv::Reader::from_path(data.join("neardup-counselchat/counselchat_cross_scrape_pairs.csv"))
            .unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (a_row, b_row, amb) = (col("a_row"), col("b_row"), col("ambiguous_key"));
    let (mut total, mut found) = (0, 0);
    for r in rdr.records() {
        let r = r.unwrap();
        if &r[amb] == "True" || &r[amb] == "true" {
            continue;
        }
        total += 1;
        let a = format!("a/20200325_counsel_chat.csv#{}", &r[a_row]);
        let b = format!("b/counselchat-data.csv#{}", &r[b_row]);
        let (Some(ra), Some(rb)) = (root.get(&a), root.get(&b)) else {
            continue; // rejected rows (empty answers) cannot pair
        };
        let same = ra == rb
            || hash[&a] == hash[&b]
            || cross_pairs.contains(&(ra.clone(), rb.clone()))
            || cross_pairs.contains(&(a.clone(), b.clone()));
        if same {
            found += 1;
        }
    }
    let recall = found as f64 / total as f64;
    eprintln!("cross-scrape recall: {found}/{total} = {recall:.4}");
    assert_eq!(total, 1278);
    assert!(
        recall >= 0.97,
        "recall {recall:.4} < 0.97 ({found}/{total})"
    );
}

/// A seeded generator: base conversations over a large vocabulary, plus one edited copy of some
/// of them at a spread of similarities. Returns (JSONL lines, planted pairs (copy, original)).
pub fn synthetic_corpus(n_base: usize, seed: u64) -> (Vec<String>, Vec<(String, String)>) {
    let mut state = seed;
    let mut next = move || {
        state = trainready::kernels::minhash::mix64(state);
        state
    };
    let word = |i: u64| format!("w{}", i);
    let mut docs: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    let mut planted = Vec::new();
    for d in 0..n_base {
        let turns = 6 + (next() % 6) as usize;
        let conv: Vec<Vec<String>> = (0..turns)
            .map(|_| {
                let len = 25 + (next() % 40) as usize;
                (0..len)
                    .map(|_| {
                        let u = (next() % 1_000_000) as f64 / 1_000_000.0;
                        word((u.powi(3) * 20_000.0) as u64)
                    })
                    .collect()
            })
            .collect();
        let id = format!("base-{d:05}");
        docs.push((id.clone(), conv.clone()));
        if d % 3 == 0 {
            // Edit rate from 0 to 12% of words (each edit removes up to 5 of the 5-word shingles,
            // so this spreads true Jaccard over about 0.3..1), plus cosmetic changes that
            // normalisation removes.
            let rate = (next() % 1000) as f64 / 1000.0 * 0.12;
            let mut copy = conv.clone();
            for turn in &mut copy {
                for w in turn.iter_mut() {
                    let r = (next() % 10_000) as f64 / 10_000.0;
                    if r < rate / 2.0 {
                        *w = word(20_000 + next() % 100_000);
                    } else if r < rate {
                        w.clear(); // deletion
                    } else if r < rate + 0.05 {
                        *w = w.to_uppercase(); // case: no effect after normalisation
                    }
                }
                turn.retain(|w| !w.is_empty());
            }
            if next() % 8 == 0 {
                let keep = copy.len() - 1;
                copy.truncate(keep.max(1));
            }
            let cid = format!("copy-{d:05}");
            docs.push((cid.clone(), copy));
            planted.push((cid, id));
        }
    }
    let lines = docs
        .into_iter()
        .map(|(id, conv)| {
            let messages: Vec<serde_json::Value> = conv
                .iter()
                .enumerate()
                .map(|(i, t)| serde_json::json!({"role": if i % 2 == 0 { "user" } else { "assistant" }, "content": t.join("  ")}))
                .collect();
            serde_json::json!({"id": id, "messages": messages}).to_string()
        })
        .collect();
    (lines, planted)
}

fn true_jaccard(lines: &[String]) -> BTreeMap<String, Vec<u32>> {
    let m = MinHasher::new(128, 5, 42);
    lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let texts: Vec<String> = v["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["content"].as_str().unwrap().to_string())
                .collect();
            (
                v["id"].as_str().unwrap().to_string(),
                m.shingles(texts.iter().map(String::as_str)),
            )
        })
        .collect()
}

fn run_dedup(
    dir: &std::path::Path,
    name: &str,
    lines: &[String],
) -> BTreeMap<String, (String, bool, Option<String>)> {
    let input = dir.join(format!("{name}.jsonl"));
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.join(format!("{name}-out"));
    let o = trainready(&[
        "dedup",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let df = read_parquet(&out.join("clusters.parquet"));
    assert_eq!(df.height(), lines.len(), "one row per input record");
    let ids = strs_nonnull(&df, "record_id");
    let cl = strs_nonnull(&df, "cluster_id");
    let kept: Vec<bool> = df
        .column("kept")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    let dup = strs(&df, "dup_of");
    (0..ids.len())
        .map(|i| (ids[i].clone(), (cl[i].clone(), kept[i], dup[i].clone())))
        .collect()
}

#[test]
fn synthetic_recall_and_no_false_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let (lines, planted) = synthetic_corpus(4500, 7);
    let sets = true_jaccard(&lines);
    let res = run_dedup(tmp.path(), "corpus", &lines);
    let (mut hi, mut hi_found, mut lo, mut lo_merged) = (0, 0, 0, 0);
    let mut spread = [0usize; 10];
    for (copy, orig) in &planted {
        let j = jaccard(&sets[copy], &sets[orig]);
        spread[((j * 10.0) as usize).min(9)] += 1;
        let same = res[copy].0 == res[orig].0;
        if j >= 0.8 {
            hi += 1;
            hi_found += usize::from(same);
        } else if j < 0.5 {
            lo += 1;
            lo_merged += usize::from(same);
        }
    }
    eprintln!(
        "true Jaccard spread (deciles): {spread:?}; J>=0.8: {hi_found}/{hi}; J<0.5 merged: {lo_merged}/{lo}"
    );
    assert!(
        hi >= 150 && lo >= 100,
        "the generator spreads similarities: {spread:?}"
    );
    assert!(
        hi_found as f64 / hi as f64 >= 0.99,
        "recall {hi_found}/{hi}"
    );
    assert_eq!(lo_merged, 0, "pairs below 0.5 must never merge");
    // Unrelated base conversations never cluster together.
    let mut members: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, (c, _, _)) in &res {
        members.entry(c.as_str()).or_default().push(id.as_str());
    }
    for (c, m) in &members {
        assert!(
            m.iter().filter(|id| id.starts_with("base-")).count() <= 1,
            "cluster {c} joins unrelated records: {m:?}"
        );
    }
    // Every removed record names the record it resembles, in its own cluster.
    for (id, (c, kept, dup)) in &res {
        if !kept {
            let d = dup.as_ref().unwrap();
            assert_eq!(&res[d].0, c, "{id}");
        }
    }
}

#[test]
fn dedup_command_is_independent_of_input_order() {
    let tmp = tempfile::tempdir().unwrap();
    let (lines, _) = synthetic_corpus(600, 11);
    let mut shuffled = lines.clone();
    let mut s = 99u64;
    for i in (1..shuffled.len()).rev() {
        s = trainready::kernels::minhash::mix64(s);
        shuffled.swap(i, (s % (i as u64 + 1)) as usize);
    }
    assert_ne!(lines, shuffled);
    let a = run_dedup(tmp.path(), "a", &lines);
    let b = run_dedup(tmp.path(), "b", &shuffled);
    assert_eq!(a, b, "same clusters, same kept records, same dup_of");
    assert!(a.values().any(|(_, kept, _)| !kept));
}

#[test]
fn chinese_near_duplicates_use_character_shingles() {
    let tmp = tempfile::tempdir().unwrap();
    let smile = std::fs::read_to_string(fixtures().join("smile/smile_sample.jsonl")).unwrap();
    let mut lines: Vec<String> = Vec::new();
    for l in smile.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let msgs: Vec<serde_json::Value> = v["dialog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| serde_json::json!({"role": t["role"], "content": t["content"]}))
            .collect();
        lines.push(
            serde_json::json!({"id": format!("smile-{}", v["id"]), "messages": msgs}).to_string(),
        );
    }
    // A copy of dialogue 3 with a few characters changed and punctuation altered.
    let v: serde_json::Value = serde_json::from_str(&lines[3]).unwrap();
    let mut msgs = v["messages"].as_array().unwrap().clone();
    let c0 = msgs[0]["content"]
        .as_str()
        .unwrap()
        .replacen('我', "俺", 1)
        .replace('，', ",");
    msgs[0]["content"] = serde_json::Value::String(c0);
    lines.push(serde_json::json!({"id": "smile-copy", "messages": msgs}).to_string());
    let res = run_dedup(tmp.path(), "smile", &lines);
    assert_eq!(res["smile-copy"].0, res["smile-3"].0);
    assert!(!res["smile-copy"].1);
    assert_eq!(
        res.values().filter(|(_, kept, _)| !kept).count(),
        1,
        "only the planted copy is removed"
    );
}
