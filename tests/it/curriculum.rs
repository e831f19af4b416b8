//! Curriculum (runbook step E): routing families into phases, the three export formats, weights,
//! caps, filters, `unrouted` ledger rows, overlap errors and the per-phase gates.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::*;

/// The keys a line of each phase kind must have, exactly.
fn check_line(kind: &str, line: &Value) -> Result<(), String> {
    let obj = line.as_object().ok_or("not an object")?;
    let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = match kind {
        "pretraining" => ["text", "id", "source"].into(),
        "sft" => ["messages", "id", "source"].into(),
        "preference" => ["prompt", "chosen", "rejected", "id", "source"].into(),
        other => return Err(format!("unknown kind {other}")),
    };
    if keys != expected {
        return Err(format!("keys {keys:?}, expected {expected:?}"));
    }
    let messages = |k: &str| -> Result<Vec<(String, String)>, String> {
        let list = obj[k].as_array().ok_or(format!("`{k}` is not a list"))?;
        if list.is_empty() {
            return Err(format!("`{k}` is empty"));
        }
        list.iter()
            .map(|m| {
                let keys: BTreeSet<&str> = m
                    .as_object()
                    .ok_or("message is not an object")?
                    .keys()
                    .map(String::as_str)
                    .collect();
                if keys != ["content", "role"].into() {
                    return Err(format!("message keys {keys:?}"));
                }
                let role = m["role"].as_str().ok_or("role")?.to_string();
                if !matches!(role.as_str(), "system" | "user" | "assistant") {
                    return Err(format!("role {role}"));
                }
                let content = m["content"].as_str().ok_or("content")?.to_string();
                if content.trim().is_empty() {
                    return Err("empty content".into());
                }
                Ok((role, content))
            })
            .collect()
    };
    match kind {
        "pretraining" => {
            let t = obj["text"].as_str().ok_or("`text` is not a string")?;
            if t.trim().is_empty() {
                return Err("empty text".into());
            }
        }
        "sft" => {
            let m = messages("messages")?;
            if !m.iter().any(|(r, _)| r == "user") || !m.iter().any(|(r, _)| r == "assistant") {
                return Err("sft line without a user and an assistant message".into());
            }
        }
        _ => {
            let p = messages("prompt")?;
            let c = messages("chosen")?;
            let r = messages("rejected")?;
            if !p.iter().any(|(r, _)| r == "user") {
                return Err("prompt without a user message".into());
            }
            if c == r {
                return Err("chosen == rejected".into());
            }
        }
    }
    Ok(())
}

#[test]
fn fixture_routes_three_phases_in_their_formats_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let mut per_phase: BTreeMap<String, usize> = BTreeMap::new();
    for (path, line) in shard_records(&rel) {
        let phase = path.split('/').nth(1).unwrap().to_string();
        check_line(&phase, &line).unwrap_or_else(|e| panic!("{path}: {e}: {line}"));
        *per_phase.entry(phase).or_default() += 1;
    }
    // 8 notes, 12 upvote pairs (8 train, 2 validation, 2 test), the conversations in sft.
    assert_eq!(per_phase["pretraining"], 8);
    assert_eq!(per_phase["preference"], 12);
    assert_eq!(per_phase["sft"], 122);

    // The manifest names the phase of each line; the ledger balances.
    let m = read_parquet(&rel.join("manifest.parquet"));
    let phases = strs_nonnull(&m, "phase");
    let sources = strs_nonnull(&m, "source");
    for (p, s) in phases.iter().zip(&sources) {
        let expected = match s.as_str() {
            "psychoeducation" => "pretraining",
            "counsel-chat-preference" => "preference",
            _ => "sft",
        };
        assert_eq!(p, expected, "{s}");
    }
    let counts = status_counts(&rel);
    let input: usize = counts.values().sum();
    let exported: usize = counts
        .iter()
        .filter(|((_, st), _)| st == "exported")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(input, 164);
    assert_eq!(exported, 142);
    assert_eq!(
        m.height(),
        142,
        "no weights or overlap: one line per record"
    );

    // Therapist names and URLs in the preference answers are redacted like everywhere else.
    let pref_text: String = shard_records(&rel)
        .into_iter()
        .filter(|(p, _)| p.starts_with("chatml/preference/"))
        .map(|(_, l)| l.to_string())
        .collect();
    assert!(pref_text.contains("[URL_1]") && pref_text.contains("[PERSON_1]"));

    // The coverage matrix carries the routing table; stats carry tokens per phase.
    let cov: Value =
        serde_json::from_slice(&std::fs::read(rel.join("reports/coverage.json")).unwrap()).unwrap();
    let fam = |f: &str| {
        cov["families"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["family"] == f)
            .unwrap()["phases"]
            .clone()
    };
    assert_eq!(fam("psychoeducation"), serde_json::json!(["pretraining"]));
    assert_eq!(fam("support_chat"), serde_json::json!(["sft"]));
    let stats: Value =
        serde_json::from_slice(&std::fs::read(rel.join("reports/stats.json")).unwrap()).unwrap();
    let pref = &stats["curriculum"]["phases"]["preference"];
    assert_eq!(pref["records"], 12);
    assert_eq!(pref["by_split"]["train"], 8);
    assert!(pref["approx_tokens"].as_u64().unwrap() > 1000);
    // Real token counts (o200k_base) beside the estimate; SMILE's Chinese costs about three
    // times the characters / 4 estimate.
    assert_eq!(stats["curriculum"]["tokenizer"], "o200k_base");
    assert!(pref["tokens"].as_u64().unwrap() > 1000);
    let zh: (u64, u64) = {
        let src = strs_nonnull(&m, "source");
        let tokens = m.column("tokens").unwrap().u64().unwrap().clone();
        let approx = m.column("approx_tokens").unwrap().u64().unwrap().clone();
        (0..m.height())
            .filter(|&i| src[i] == "smile")
            .fold((0, 0), |(t, a), i| {
                (t + tokens.get(i).unwrap(), a + approx.get(i).unwrap())
            })
    };
    assert!(zh.0 > 2 * zh.1, "SMILE tokens {} vs approx {}", zh.0, zh.1);

    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
}

/// The fixture spec with its curriculum replaced.
fn with_curriculum(tmp: &std::path::Path, curriculum: &str) -> std::path::PathBuf {
    let body = fixture_spec_local();
    let body = body[..body.find("[curriculum]").unwrap()].to_string() + curriculum;
    write_spec(tmp, "curriculum.toml", &body)
}

#[test]
fn weights_caps_filters_and_unrouted_records() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = with_curriculum(
        tmp.path(),
        r#"
[curriculum]
seed = 11

[[curriculum.phase]]
name = "pretraining"
kind = "pretraining"
families = ["psychoeducation", "therapy_transcript"]
labels = { user = "Client", assistant = "Therapist" }

[[curriculum.phase]]
name = "sft_stage1"
kind = "sft"
families = ["counselling_qa", "support_chat_synthetic"]
weights = { support_chat_synthetic = 2.0 }
caps = { counselling_qa = 10 }

[[curriculum.phase]]
name = "sft_stage2"
kind = "sft"
families = ["support_chat", "support_chat_zh", "support_chat_low_quality"]
min_turns = 12
weights = { support_chat_zh = 0.5 }

[[curriculum.phase]]
name = "dpo"
kind = "preference"
sources = ["counsel-chat-preference"]
"#,
    );
    let out = tmp.path().join("o");
    let rel = build_ok(&spec, &out, "fixtures", "0.1.0");
    let ledger = ledger_rows(&rel);
    let m = read_parquet(&rel.join("manifest.parquet"));
    let ids = strs_nonnull(&m, "record_id");
    let phases = strs_nonnull(&m, "phase");
    let splits = strs_nonnull(&m, "split");
    let families = strs_nonnull(&m, "family");
    let lines_of = |phase: &str, family: &str, split: &str| {
        (0..m.height())
            .filter(|&i| phases[i] == phase && families[i] == family && splits[i] == split)
            .count()
    };

    // Weight 2.0 doubles the train lines of the synthetic family; evaluation splits stay whole.
    let synthetic_train = ledger
        .iter()
        .filter(|(id, (_, st, _))| id.starts_with("synthetic-") && st == "exported")
        .filter(|(id, _)| (0..m.height()).any(|i| &ids[i] == *id && splits[i] == "train"))
        .count();
    assert!(synthetic_train > 0);
    assert_eq!(
        lines_of("sft_stage1", "support_chat_synthetic", "train"),
        2 * synthetic_train
    );
    // Coverage counts records, not lines: the doubled records count once.
    let cov: Value =
        serde_json::from_slice(&std::fs::read(rel.join("reports/coverage.json")).unwrap()).unwrap();
    let synthetic_records = ledger
        .iter()
        .filter(|(id, (_, st, _))| id.starts_with("synthetic-") && st == "exported")
        .count();
    let synthetic = cov["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "support_chat_synthetic")
        .unwrap();
    assert_eq!(synthetic["records"], synthetic_records);
    // The cap keeps exactly 10 train records of counselling_qa; the rest are unrouted with the
    // reason; evaluation records are not capped.
    assert_eq!(lines_of("sft_stage1", "counselling_qa", "train"), 10);
    assert!(lines_of("sft_stage1", "counselling_qa", "validation") > 0);
    let capped: Vec<_> = ledger
        .values()
        .filter(|(_, st, r)| {
            st == "unrouted"
                && r.as_deref()
                    .is_some_and(|r| r.contains("over the cap of 10"))
        })
        .collect();
    assert!(!capped.is_empty());
    // min_turns = 12 sends the short conversations nowhere, with the reason.
    let short = ledger
        .values()
        .filter(|(_, st, r)| {
            st == "unrouted"
                && r.as_deref()
                    .is_some_and(|r| r.contains("fewer than min_turns 12"))
        })
        .count();
    assert!(short > 0);
    // Weight 0.5 keeps some but not all of SMILE's 10 train conversations.
    let zh = lines_of("sft_stage2", "support_chat_zh", "train");
    let zh_out = ledger
        .iter()
        .filter(|(id, (_, st, r))| {
            id.starts_with("smile/")
                && st == "unrouted"
                && r.as_deref()
                    .is_some_and(|r| r.contains("sampled out by weight 0.5"))
        })
        .count();
    assert!(zh > 0 && zh_out > 0, "kept {zh}, sampled out {zh_out}");
    // Labels render the AnnoMI transcripts for pretraining.
    let pretraining: Vec<_> = shard_records(&rel)
        .into_iter()
        .filter(|(p, _)| p.starts_with("chatml/pretraining/"))
        .collect();
    let annomi = pretraining
        .iter()
        .find(|(_, l)| l["source"] == "annomi")
        .unwrap();
    let t = annomi.1["text"].as_str().unwrap();
    assert!(
        t.starts_with("Therapist: ") && t.contains("\n\nClient: "),
        "{t:.80}"
    );

    // The ledger still balances: every input record has one status, and every exported record
    // has at least one line; copies are numbered.
    let stats: Value =
        serde_json::from_slice(&std::fs::read(rel.join("reports/stats.json")).unwrap()).unwrap();
    assert_eq!(stats["counts"]["unaccounted"], 0);
    let exported: BTreeSet<&String> = ledger
        .iter()
        .filter(|(_, (_, st, _))| st == "exported")
        .map(|(id, _)| id)
        .collect();
    let in_manifest: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(exported, in_manifest);
    assert_eq!(
        stats["counts"]["by_status"]["unrouted"].as_u64().unwrap() as usize,
        ledger
            .values()
            .filter(|(_, st, _)| st == "unrouted")
            .count()
    );
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));

    // Deterministic: a second build gives byte-identical shards.
    let rel2 = build_ok(&spec, &tmp.path().join("o2"), "fixtures", "0.1.0");
    let rj = |r: &std::path::Path| -> Value {
        serde_json::from_slice(&std::fs::read(r.join("release.json")).unwrap()).unwrap()
    };
    assert_eq!(rj(&rel)["shards"], rj(&rel2)["shards"]);
}

#[test]
fn a_family_in_two_phases_is_an_error_unless_overlap_is_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let phases = r#"
[[curriculum.phase]]
name = "pretraining"
kind = "pretraining"
families = ["psychoeducation", "counselling_qa"]

[[curriculum.phase]]
name = "sft"
kind = "sft"
families = ["counselling_qa", "support_chat", "support_chat_low_quality", "support_chat_zh",
            "therapy_transcript", "support_chat_synthetic"]

[[curriculum.phase]]
name = "preference"
kind = "preference"
families = ["counselling_preference"]
"#;
    let spec = with_curriculum(tmp.path(), &format!("[curriculum]\n{phases}"));
    let o = build(&spec, &tmp.path().join("o"));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("curriculum.allow_overlap")
            && err.contains("source `counsel-chat-2020`")
            && err.contains("pretraining, sft"),
        "{err}"
    );

    let spec = with_curriculum(
        tmp.path(),
        &format!("[curriculum]\nallow_overlap = true\n{phases}"),
    );
    let rel = build_ok(&spec, &tmp.path().join("o2"), "fixtures", "0.1.0");
    let m = read_parquet(&rel.join("manifest.parquet"));
    let ids = strs_nonnull(&m, "record_id");
    let phases = strs_nonnull(&m, "phase");
    let in_both = (0..m.height())
        .filter(|&i| ids[i].starts_with("counsel-chat-2020/") && phases[i] == "pretraining")
        .filter(|&i| (0..m.height()).any(|j| ids[j] == ids[i] && phases[j] == "sft"))
        .count();
    assert!(in_both > 0, "overlap exports a record once per phase");
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
}

#[test]
fn phase_size_and_routing_gates_fail_closed() {
    let tmp = tempfile::tempdir().unwrap();
    // Phase too small.
    let spec = with_curriculum(
        tmp.path(),
        r#"
[curriculum]
[[curriculum.phase]]
name = "sft"
kind = "sft"
families = ["counselling_qa", "support_chat", "support_chat_low_quality", "support_chat_zh",
            "therapy_transcript", "support_chat_synthetic", "counselling_preference"]
max_records = 100
"#,
    );
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let gates: Value =
        serde_json::from_slice(&std::fs::read(run.join("reports/gates.json")).unwrap()).unwrap();
    let g = gates
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "curriculum_max_records.sft")
        .unwrap();
    assert_eq!(g["passed"], false);
    assert_eq!(g["value"], 134.0);
    assert!(
        !tmp.path().join("o/releases").exists() || {
            !tmp.path()
                .join("o/releases/fixtures/0.1.0/release.json")
                .exists()
        }
    );

    // A required family that no phase takes.
    let spec = with_curriculum(
        tmp.path(),
        r#"
[curriculum]
[[curriculum.phase]]
name = "sft"
kind = "sft"
families = ["counselling_qa", "support_chat"]
"#,
    );
    let run = tmp.path().join("run2");
    let o = build_with_run(&spec, &tmp.path().join("o2"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("curriculum_required_routed"));
    // The families routed nowhere are in the ledger as `unrouted`, with the reason.
    let ledger = read_parquet(&run.join("08_ledger.parquet"));
    let ids = strs_nonnull(&ledger, "record_id");
    let status = strs_nonnull(&ledger, "status");
    let reason = strs(&ledger, "reason");
    let i = ids.iter().position(|id| id == "annomi/15").unwrap();
    assert_eq!(status[i], "unrouted");
    assert_eq!(
        reason[i].as_deref(),
        Some("family `therapy_transcript` (source `annomi`) is routed to no curriculum phase")
    );
}

#[test]
fn preference_and_text_mappings_load_lists_and_reject_bad_pairs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("pairs.jsonl"),
        concat!(
            r#"{"id": "a", "prompt": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "I can't sleep before exams."}], "chosen": [{"role": "assistant", "content": "That sounds stressful. What usually keeps you awake?"}], "rejected": "Just sleep more."}"#,
            "\n",
            r#"{"id": "b", "prompt": "Is it normal to feel numb?", "chosen": "Yes, many people do.", "rejected": "Yes, many people do."}"#,
            "\n",
            r#"{"id": "c", "prompt": "Hello?", "chosen": "Hi, I'm here to listen."}"#,
            "\n",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("notes.jsonl"),
        "{\"id\": \"n1\", \"text\": \"Breathing slowly helps.\"}\n{\"id\": \"n2\", \"text\": \"  \"}\n",
    )
    .unwrap();
    let spec = write_spec(
        dir,
        "pref.toml",
        r#"
[release]
name = "pref"
version = "1"
[load]
max_rejection_rate = 1.0

[[source]]
name = "pairs"
family = "pref"
uri = "pairs.jsonl"
mapping = "preference"
license = "CC0-1.0"
origin = "test"

[[source]]
name = "notes"
family = "notes"
uri = "notes.jsonl"
mapping = "text"
license = "CC0-1.0"
origin = "test"

[curriculum]
[[curriculum.phase]]
name = "pt"
kind = "pretraining"
families = ["notes"]
[[curriculum.phase]]
name = "dpo"
kind = "preference"
families = ["pref"]
"#,
    );
    let rel = build_ok(&spec, &dir.join("o"), "pref", "1");
    let ledger = ledger_rows(&rel);
    assert_eq!(ledger["pairs/a"].1, "exported");
    assert_eq!(ledger["pairs/b"].1, "rejected");
    assert!(
        ledger["pairs/b"]
            .2
            .as_deref()
            .unwrap()
            .contains("identical")
    );
    assert_eq!(
        ledger["pairs/c"].2.as_deref(),
        Some("missing field `rejected` (pairs.jsonl line 3)")
    );
    assert_eq!(ledger["notes/n1"].1, "exported");
    assert_eq!(ledger["notes/n2"].1, "rejected");
    let lines = shard_records(&rel);
    let (_, a) = lines.iter().find(|(_, l)| l["id"] == "pairs/a").unwrap();
    assert_eq!(a["prompt"][0]["role"], "system");
    assert_eq!(a["prompt"][1]["content"], "I can't sleep before exams.");
    assert_eq!(a["rejected"][0]["content"], "Just sleep more.");
    let (_, n) = lines.iter().find(|(_, l)| l["id"] == "notes/n1").unwrap();
    assert_eq!(n["text"], "Breathing slowly helps.");
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
}
