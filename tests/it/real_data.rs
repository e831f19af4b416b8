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
    let spec = spec_for(
        tmp.path(),
        &data,
        r#"
[[source]]
name = "cc2020"
family = "counselling_qa"
uri = "$DATA/counsel-chat/20200325_counsel_chat.csv"
mapping = "qa"
license = "MIT"
origin = "https://github.com/nbertagnolli/counsel-chat"
[source.columns]
question = ["questionTitle", "questionText"]
answer = "answerText"
"#,
    );
    let rel = build_ok(&spec, &tmp.path().join("o"), "real", "1");
    let s = stats(&rel);
    assert_eq!(s["counts"]["input"], 2129);
    // 121 answers equal another row's; 80 rows repeat an earlier row's whole question+answer in
    // the same split; 40 groups span splits and are left for the leakage stage.
    assert_eq!(s["counts"]["by_status"]["duplicate"], 80);
    assert_eq!(s["counts"]["exported"], 2129 - 80);
    assert_eq!(s["dedup"]["exact"]["cross_split_groups"], 40);
    assert_eq!(s["counts"]["by_status"]["rejected"], 0);
    let by_split = &s["counts"]["by_split"];
    assert_eq!(
        by_split["train"].as_u64().unwrap()
            + by_split["validation"].as_u64().unwrap()
            + by_split["test"].as_u64().unwrap(),
        2049
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
    let spec = spec_for(
        tmp.path(),
        &data,
        r#"
[[source]]
name = "cchtml"
family = "counselling_qa"
uri = "$DATA/counsel-chat/counselchat-data.csv"
mapping = "qa"
license = "MIT"
origin = "https://github.com/nbertagnolli/counsel-chat"
split = "train"
[source.columns]
question = ["questionTitle", "questionText"]
answer = "answerText"
"#,
    );
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
    let sources = r#"
[[source]]
name = "cc2020"
family = "counselling_qa"
uri = "$DATA/counsel-chat/20200325_counsel_chat.csv"
mapping = "qa"
license = "MIT"
origin = "https://github.com/nbertagnolli/counsel-chat"
[source.columns]
question = ["questionTitle", "questionText"]
answer = "answerText"

[[source]]
name = "cchtml"
family = "counselling_qa"
uri = "$DATA/counsel-chat/counselchat-data.csv"
mapping = "qa"
license = "MIT"
origin = "https://github.com/nbertagnolli/counsel-chat"
split = "train"
[source.columns]
question = ["questionTitle", "questionText"]
answer = "answerText"
"#;
    let spec = spec_for(tmp.path(), &data, sources);
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
        &format!("{sources}\n[dedup]\nmax_removal_rate = 0.8\n"),
    );
    let rel = build_ok(&spec, &tmp.path().join("o2"), "real", "1");
    let s = stats(&rel);
    // 1,119 of the HTML scrape's 1,482 rows repeat a 2020 row once HTML, case and punctuation are
    // normalised away; the 2020 copy is kept (earlier in the spec).
    assert_eq!(s["dedup"]["exact"]["removed_by_source"]["cchtml"], 1119);
    assert_eq!(s["dedup"]["exact"]["removed_by_source"]["cc2020"], 80);
}
