//! Turn integrity of the `turns` mapping (issue 17): transcripts carried once per annotator,
//! composite keys, repeated and conflicting rows, turn numbers out of order or with gaps.

use std::path::Path;

use crate::common::*;

/// A spec over the multi-annotator AnnoMI fixture with the given `conversation` key.
fn annotators_spec(dir: &Path, conversation: &str) -> std::path::PathBuf {
    let uri = fixtures().join("annomi-annotators/annomi_annotators.csv");
    write_spec(
        dir,
        "spec.toml",
        &format!(
            r#"[release]
name = "t"
version = "1.0.0"

[[source]]
name = "mi"
family = "therapy_transcript"
uri = {uri:?}
mapping = "turns"
license = "LicenseRef-public-domain"
origin = "test"
split = "train"
[source.columns]
conversation = {conversation}
turn = "utterance_id"
speaker = "interlocutor"
content = "utterance_text"

[source.roles]
therapist = "assistant"
client = "user"

[dedup]
max_removal_rate = 0.7       # the annotator copies are meant to go
"#
        ),
    )
}

/// No exported message holds the same line twice in a row (merged annotator copies would).
fn no_message_repeats_a_line(rel: &Path) {
    for (_, r) in shard_records(rel) {
        for m in r["messages"].as_array().unwrap() {
            let lines: Vec<&str> = m["content"].as_str().unwrap().lines().collect();
            assert!(
                lines.windows(2).all(|w| w[0] != w[1]),
                "repeated line in {}",
                r["id"]
            );
        }
    }
}

fn load_stats(run: &Path) -> serde_json::Value {
    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("release/reports/stats.json")).unwrap())
            .unwrap();
    stats["load"].clone()
}

#[test]
fn r17_composite_key_makes_each_annotator_copy_a_conversation_and_dedup_keeps_one() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = annotators_spec(tmp.path(), r#"["transcript_id", "annotator_id"]"#);
    let rel = build_ok(&spec, &tmp.path().join("o"), "t", "1.0.0");
    let ledger = ledger_rows(&rel);
    // 3 + 3 + 2 annotator copies of 3 transcripts.
    assert_eq!(ledger.len(), 8, "{ledger:?}");
    assert!(
        ledger.contains_key("mi/59/a1") && ledger.contains_key("mi/125/a3"),
        "{ledger:?}"
    );
    let exported: Vec<&String> = ledger
        .iter()
        .filter(|(_, (_, s, _))| s == "exported")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(exported.len(), 3, "one copy per transcript: {exported:?}");
    assert_eq!(
        ledger.values().filter(|(_, s, _)| s == "duplicate").count(),
        5,
        "{ledger:?}"
    );
    no_message_repeats_a_line(&rel);
}

#[test]
fn r17_single_key_collapses_identical_repeats_and_reports_the_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = annotators_spec(tmp.path(), r#""transcript_id""#);
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rel = tmp.path().join("o/releases/t/1.0.0");
    let ledger = ledger_rows(&rel);
    assert_eq!(ledger.len(), 3, "{ledger:?}");
    // The source file has each utterance once per annotator; the export has it once.
    let csv_text =
        std::fs::read_to_string(fixtures().join("annomi-annotators/annomi_annotators.csv"))
            .unwrap();
    let utterances = csv_text.lines().count() - 1;
    assert_eq!(utterances, 53);
    no_message_repeats_a_line(&rel);
    let turns = &load_stats(&run)["turns"]["mi"];
    assert_eq!(turns["conversations"], 3, "{turns}");
    // 53 rows, 20 distinct (transcript, utterance) keys: 33 identical repeats.
    assert_eq!(turns["repeated_rows_collapsed"], 33, "{turns}");
    assert_eq!(turns["conversations_with_repeats"], 3, "{turns}");
    assert_eq!(
        turns["conversations_with_conflicting_repeats"], 0,
        "{turns}"
    );
    let keys: Vec<&str> = turns["repeated_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(keys.first(), Some(&"mi/59/0"), "{turns}");
    // The warning names the source and counts, never the text.
    let err = text(&o.stderr);
    assert!(err.contains("repeat a (conversation, turn) key"), "{err}");
    assert!(!err.contains("science fair"), "{err}");
}

#[test]
fn r17_conflicting_repeats_reject_the_conversation_naming_key_and_count_not_text() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = "conv,turn,who,text\n\
               c1,1,client,I cannot sleep at night\n\
               c1,2,therapist,What keeps you awake?\n\
               c1,2,therapist,Tell me more about the nights\n\
               c2,3,therapist,How was the week?\n\
               c2,1,client,Hi there\n\
               c2,2,therapist,Hello and welcome\n\
               c2,5,client,It was hard\n";
    std::fs::write(tmp.path().join("t.csv"), csv).unwrap();
    let spec = write_spec(
        tmp.path(),
        "spec.toml",
        r#"[release]
name = "t"
version = "1.0.0"

[[source]]
name = "s"
family = "f"
uri = "t.csv"
mapping = "turns"
license = "CC0-1.0"
origin = "test"
split = "train"
max_rejection_rate = 1.0
[source.columns]
conversation = "conv"
turn = "turn"
speaker = "who"
content = "text"

[source.roles]
therapist = "assistant"
client = "user"
"#,
    );
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let ledger = ledger_rows(&tmp.path().join("o/releases/t/1.0.0"));
    let (_, status, reason) = &ledger["s/c1"];
    assert_eq!(status, "rejected");
    let reason = reason.as_deref().unwrap();
    assert!(
        reason.contains(
            "turn `turn` = 2 appears in 2 rows with different speaker or text (lines 3, 4)"
        ),
        "{reason}"
    );
    assert!(
        !reason.contains("awake") && !reason.contains("nights"),
        "{reason}"
    );
    // c2: rows out of turn order, turn 4 missing; sorted and exported.
    assert_eq!(ledger["s/c2"].1, "exported");
    let turns = &load_stats(&run)["turns"]["s"];
    assert_eq!(
        turns["conversations_with_conflicting_repeats"], 1,
        "{turns}"
    );
    assert_eq!(turns["conversations_out_of_order"], 1, "{turns}");
    assert_eq!(turns["conversations_with_missing_turns"], 1, "{turns}");
}
