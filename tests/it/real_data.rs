//! The full real files in ../shared/data (skipped with a notice where that folder is absent).

use crate::common::*;

fn spec_for(dir: &std::path::Path, data: &std::path::Path, sources: &str) -> std::path::PathBuf {
    let body = format!(
        "[release]\nname = \"real\"\nversion = \"1\"\n{}",
        sources.replace("$DATA", data.to_str().unwrap())
    );
    write_spec(dir, "real.toml", &body)
}

fn stats(rel: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(rel.join("reports/stats.json")).unwrap()).unwrap()
}

#[test]
fn counsel_chat_2020_full_file() {
    let Some(data) = shared_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_for(tmp.path(), &data, &counsel_chat_2020(&data, "cc2020"));
    // The same question+answer sits in two splits ~40 times: leakage, and the default policy
    // fails the release.
    let o = build(&spec, &tmp.path().join("o"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("leakage_pairs"),
        "{}",
        text(&o.stderr)
    );
    let body =
        std::fs::read_to_string(&spec).unwrap() + "\n[leakage]\npolicy = \"drop-from-train\"\n";
    let spec = write_spec(tmp.path(), "real2.toml", &body);
    let rel = build_ok(&spec, &tmp.path().join("o2"), "real", "1");
    let s = stats(&rel);
    assert_eq!(s["counts"]["input"], 2129);
    // 121 answers equal another row's; 80 rows repeat an earlier row's whole question+answer in
    // the same split (duplicates); 40 groups span splits: leakage, resolved by dropping the train
    // copy.
    assert_eq!(s["counts"]["by_status"]["duplicate"], 80);
    assert_eq!(s["dedup"]["exact"]["cross_split_groups"], 40);
    let leaked = s["counts"]["by_status"]["leakage"].as_u64().unwrap();
    assert!(leaked >= 40, "{leaked}");
    assert!(
        s["leakage"]["found"]["exact"].as_u64().unwrap() >= 40,
        "{}",
        s["leakage"]
    );
    assert_eq!(s["leakage"]["pairs"], 0);
    assert_eq!(
        s["counts"]["exported"].as_u64().unwrap(),
        2129 - 80 - leaked
    );
    assert_eq!(s["counts"]["by_status"]["rejected"], 0);
    let by_split = &s["counts"]["by_split"];
    assert_eq!(
        by_split["train"].as_u64().unwrap()
            + by_split["validation"].as_u64().unwrap()
            + by_split["test"].as_u64().unwrap(),
        2129 - 80 - leaked
    );
    assert!(
        by_split["validation"].as_u64().unwrap() > 100,
        "val mapped to validation"
    );
}

#[test]
fn counsel_chat_html_full_file() {
    let Some(data) = shared_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_for(tmp.path(), &data, &counsel_chat_html(&data, "cchtml"));
    let rel = build_ok(&spec, &tmp.path().join("o"), "real", "1");
    let s = stats(&rel);
    assert_eq!(s["counts"]["input"], 1482);
    // Two rows have neither a title nor a question text; five answers are only `<p><br></p>`.
    assert_eq!(s["counts"]["by_status"]["rejected"], 7);
    let ledger = ledger_rows(&rel);
    let rejected_for = |needle: &str| {
        ledger
            .values()
            .filter(|(_, st, r)| st == "rejected" && r.as_deref().unwrap_or("").contains(needle))
            .count()
    };
    assert_eq!(rejected_for("empty question"), 2);
    assert_eq!(
        rejected_for("no assistant turn (its other turns are empty after cleaning)"),
        5
    );
    // The ~224k-character field is an inline image (data: URI) around 871 characters of text:
    // the record loads, the text survives, the image does not reach the export.
    let records = shard_records(&rel);
    let (_, big) = records
        .iter()
        .find(|(_, r)| r["id"] == "cchtml/counselchat-data.csv#394")
        .expect("row 394 exported");
    let answer = big["messages"][1]["content"].as_str().unwrap();
    // "Hello Frostproof," opens it; the salutation's name is redacted.
    assert!(answer.starts_with("Hello [PERSON_1],"), "{}", &answer[..40]);
    assert!(
        answer.chars().count() < 2_000 && !answer.contains("data:image"),
        "{} chars",
        answer.len()
    );
    for (_, r) in records {
        let s = r["messages"][1]["content"].as_str().unwrap();
        assert!(!s.contains("<p>") && !s.contains("&#34;"), "{}", r["id"]);
    }
}

#[test]
fn esconv_full_splits() {
    let Some(data) = shared_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_for(
        tmp.path(),
        &data,
        r#"
[[source]]
name = "esconv"
family = "support_chat"
uri = "$DATA/esconv/*.jsonl"
mapping = "dialog"
license = "CC-BY-NC-4.0"
origin = "https://github.com/thu-coai/Emotional-Support-Conversation"
split = "from-filename"

[[source]]
name = "esconv-failed"
family = "support_chat_low_quality"
uri = "$DATA/esconv/FailedESConv.json"
mapping = "dialog"
license = "CC-BY-NC-4.0"
origin = "https://github.com/thu-coai/Emotional-Support-Conversation"
split = "train"
[source.columns]
content = "content"
"#,
    );
    let rel = build_ok(&spec, &tmp.path().join("o"), "real", "1");
    let s = stats(&rel);
    // Clean splits: the only shared 13-grams are supporters' stock sign-offs, which the stop-list
    // and the minimum overlap ignore; the leakage gate (default policy: fail) passes.
    assert_eq!(
        s["leakage"]["found"],
        serde_json::json!({}),
        "{}",
        s["leakage"]
    );
    let src = &s["counts"]["by_source"];
    assert_eq!(src["esconv"]["input"], 1300);
    assert_eq!(src["esconv-failed"]["input"], 196);
    let m = read_parquet(&rel.join("manifest.parquet"));
    let ids = strs_nonnull(&m, "record_id");
    let splits = strs_nonnull(&m, "split");
    let n = |prefix: &str, split: &str| {
        ids.iter()
            .zip(&splits)
            .filter(|(i, s)| i.starts_with(prefix) && *s == split)
            .count()
    };
    assert_eq!(n("esconv/train.jsonl#", "train"), 910);
    assert_eq!(n("esconv/valid.jsonl#", "validation"), 195);
    assert_eq!(n("esconv/test.jsonl#", "test"), 195);
}

#[test]
fn overlapping_scrapes_trip_the_removal_rate_gate_unless_allowed() {
    let Some(data) = shared_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let sources = counsel_chat_2020(&data, "cc2020") + &counsel_chat_html(&data, "cchtml");
    let spec = spec_for(tmp.path(), &data, &sources);
    let o = build(&spec, &tmp.path().join("o"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("dedup_removal_rate.cchtml") && err.contains("<= 0.5"),
        "{err}"
    );
    assert!(!tmp.path().join("o/releases").exists());

    let spec = spec_for(
        tmp.path(),
        &data,
        &format!(
            "{sources}\n[dedup]\nmax_removal_rate = 0.8\n[leakage]\npolicy = \"drop-from-train\"\n"
        ),
    );
    let rel = build_ok(&spec, &tmp.path().join("o2"), "real", "1");
    let s = stats(&rel);
    // 1,119 of the HTML scrape's 1,482 rows repeat a 2020 row once HTML, case and punctuation are
    // normalised away; the 2020 copy is kept (earlier in the spec).
    assert_eq!(s["dedup"]["exact"]["removed_by_source"]["cchtml"], 1119);
    assert_eq!(s["dedup"]["exact"]["removed_by_source"]["cc2020"], 80);
}

/// A copy of `line` (an ESConv record) with `rate` of its words replaced, deterministically.
fn perturb(line: &str, rate: f64, seed: u64) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    let mut state = seed;
    for turn in v["dialog"].as_array_mut().unwrap() {
        let t = turn["text"].as_str().unwrap().to_string();
        let words: Vec<String> = t
            .split_whitespace()
            .map(|w| {
                state = trainready::kernels::minhash::mix64(state);
                if (state % 1000) as f64 / 1000.0 < rate {
                    format!("zq{}", state % 9973)
                } else {
                    w.to_string()
                }
            })
            .collect();
        turn["text"] = serde_json::Value::String(words.join(" "));
    }
    v.to_string()
}

#[test]
fn esconv_test_copied_into_train_is_leakage() {
    let Some(data) = shared_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("esconv");
    std::fs::create_dir_all(&dir).unwrap();
    let test = std::fs::read_to_string(data.join("esconv/test.jsonl")).unwrap();
    let victim = test.lines().nth(7).unwrap();
    let mut train = std::fs::read_to_string(data.join("esconv/train.jsonl")).unwrap();
    train.push('\n');
    train.push_str(&perturb(victim, 0.2, 5));
    train.push('\n');
    std::fs::write(dir.join("train.jsonl"), train).unwrap();
    std::fs::copy(data.join("esconv/valid.jsonl"), dir.join("valid.jsonl")).unwrap();
    std::fs::copy(data.join("esconv/test.jsonl"), dir.join("test.jsonl")).unwrap();
    let spec = write_spec(
        tmp.path(),
        "r.toml",
        r#"[release]
name = "leak"
version = "1"
[[source]]
name = "esconv"
family = "support_chat"
uri = "esconv/*.jsonl"
mapping = "dialog"
license = "CC-BY-NC-4.0"
origin = "https://github.com/thu-coai/Emotional-Support-Conversation"
split = "from-filename"
"#,
    );
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("leakage_pairs"),
        "{}",
        text(&o.stderr)
    );
    let pairs = read_parquet(&run.join("reports/leakage_pairs.parquet"));
    let a = strs_nonnull(&pairs, "record_a");
    let b = strs_nonnull(&pairs, "record_b");
    assert_eq!(
        a,
        vec!["esconv/train.jsonl#910".to_string()],
        "exactly the planted copy: {a:?} {b:?}"
    );
    assert_eq!(b, vec!["esconv/test.jsonl#7".to_string()]);
    assert!(!tmp.path().join("o/releases").exists());
}

#[test]
fn external_eval_set_contamination_is_caught() {
    let Some(data) = shared_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // The eval set: ESConv test, as ChatML.
    let test = std::fs::read_to_string(data.join("esconv/test.jsonl")).unwrap();
    let mut eval = String::new();
    for (i, l) in test.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let msgs: Vec<serde_json::Value> = v["dialog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| serde_json::json!({"role": "user", "content": t["text"]}))
            .collect();
        eval.push_str(&serde_json::json!({"id": format!("t{i}"), "messages": msgs}).to_string());
        eval.push('\n');
    }
    std::fs::write(tmp.path().join("eval.jsonl"), eval).unwrap();
    let spec_body = |train: &str| {
        format!(
            r#"[release]
name = "ext"
version = "1"
[leakage]
eval_sets = ["eval.jsonl"]
[[source]]
name = "train"
family = "support_chat"
uri = "{train}"
mapping = "dialog"
license = "CC-BY-NC-4.0"
origin = "https://github.com/thu-coai/Emotional-Support-Conversation"
split = "train"
"#
        )
    };
    // Clean: unrelated counselling conversations sharing only stock phrases pass.
    let clean = write_spec(
        tmp.path(),
        "clean.toml",
        &spec_body(data.join("esconv/train.jsonl").to_str().unwrap()),
    );
    let rel = build_ok(&clean, &tmp.path().join("o1"), "ext", "1");
    let s = stats(&rel);
    assert_eq!(
        s["leakage"]["found"],
        serde_json::json!({}),
        "{}",
        s["leakage"]
    );
    // Contaminated: one eval conversation, 20% of its words changed, appended to train.
    let mut train = std::fs::read_to_string(data.join("esconv/train.jsonl")).unwrap();
    train.push('\n');
    train.push_str(&perturb(test.lines().nth(3).unwrap(), 0.2, 9));
    train.push('\n');
    std::fs::write(tmp.path().join("train.jsonl"), train).unwrap();
    let dirty = write_spec(tmp.path(), "dirty.toml", &spec_body("train.jsonl"));
    let run = tmp.path().join("run");
    let o = build_with_run(&dirty, &tmp.path().join("o2"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let pairs = read_parquet(&run.join("reports/leakage_pairs.parquet"));
    assert_eq!(
        strs_nonnull(&pairs, "record_b"),
        vec!["eval:eval.jsonl#t3".to_string()]
    );
    assert_eq!(strs_nonnull(&pairs, "kind"), vec!["eval_set".to_string()]);
}
