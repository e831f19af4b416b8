//! Issue 17: the quality stage (language, repetition, shape filters; `filtered` ledger rows) and
//! real token counts, over the fixture release and small specs of our own.

use serde_json::Value;

use crate::common::*;

/// A spec over one hand-written JSONL source (`chatml` mapping) plus `extra` sections.
fn one_source_spec(dir: &std::path::Path, records: &[Value], extra: &str) -> std::path::PathBuf {
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(dir.join("chats.jsonl"), lines).unwrap();
    write_spec(
        dir,
        "spec.toml",
        &format!(
            "[release]\nname = \"q\"\nversion = \"1.0.0\"\n\n[[source]]\nname = \"chats\"\nfamily = \"chat\"\nuri = \"chats.jsonl\"\nmapping = \"chatml\"\nlicense = \"CC0-1.0\"\norigin = \"test\"\nsplit = \"train\"\n\n[dedup]\nmax_removal_rate = 1.0\n{extra}"
        ),
    )
}

fn chat(id: &str, msgs: &[(&str, &str)]) -> Value {
    serde_json::json!({
        "id": id,
        "messages": msgs.iter().map(|(r, c)| serde_json::json!({"role": r, "content": c})).collect::<Vec<_>>(),
    })
}

const ES: [(&str, &str); 2] = [
    (
        "user",
        "Hola, últimamente me siento muy triste y no tengo ganas de hacer nada durante el día.",
    ),
    (
        "assistant",
        "Siento mucho que estés pasando por esto. ¿Desde cuándo te sientes así y qué ha cambiado en tu vida?",
    ),
];
const EN: [(&str, &str); 2] = [
    (
        "user",
        "My brother and I have not spoken since our father's funeral, and I keep replaying the argument.",
    ),
    (
        "assistant",
        "That sounds painful, especially with grief on top of it. What do you wish you had said to him?",
    ),
];

#[test]
fn r17_fixture_release_has_languages_quality_columns_filtered_rows_and_real_tokens() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let m = read_parquet(&rel.join("manifest.parquet"));
    for c in [
        "language",
        "language_confidence",
        "mixed_language",
        "dup_line_frac",
        "top_2gram_frac",
        "dup_10gram_frac",
        "repeated_message_frac",
        "max_char_run",
        "alpha_words_frac",
        "url_or_emoji_only_frac",
        "sft_shape_ok",
        "trimmed_messages",
        "tokens",
        "approx_tokens",
    ] {
        assert!(m.column(c).is_ok(), "manifest column {c}");
    }
    let src = strs_nonnull(&m, "source");
    let lang = strs_nonnull(&m, "language");
    for (s, l) in src.iter().zip(&lang) {
        match s.as_str() {
            "smile" => assert_eq!(l, "zh", "SMILE is Chinese"),
            "counsel-chat-2020" | "counsel-chat-html" | "esconv" => {
                assert_eq!(l, "en", "{s} is English")
            }
            _ => {}
        }
    }

    // The hand-written low-quality source: seven `filtered` rows, one rule each, reasons with
    // figures and codes but never the text.
    let ledger = ledger_rows(&rel);
    let filtered: Vec<(&String, &Option<String>)> = ledger
        .iter()
        .filter(|(_, (_, st, _))| st == "filtered")
        .map(|(id, (_, _, r))| (id, r))
        .collect();
    assert_eq!(filtered.len(), 7, "{filtered:?}");
    let reason = |id: &str| ledger[id].2.clone().unwrap();
    assert_eq!(
        reason("synthetic-low-quality/lq-001"),
        "quality:language: language `es` not in [en, zh]"
    );
    assert!(reason("synthetic-low-quality/lq-003").starts_with("quality:repeated_messages:"));
    assert!(reason("synthetic-low-quality/lq-004").starts_with("quality:url_or_emoji_only:"));
    assert!(
        reason("synthetic-low-quality/lq-005").starts_with("quality:max_char_run: a run of 140")
    );
    assert!(reason("synthetic-low-quality/lq-006").starts_with("quality:sft_shape:"));
    assert!(reason("synthetic-low-quality/lq-007").contains("(Gopher)"));
    let source_text =
        std::fs::read_to_string(fixtures().join("quality/low_quality.jsonl")).unwrap();
    for (_, r) in &filtered {
        let r = r.as_deref().unwrap();
        for line in source_text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            for msg in v["messages"].as_array().unwrap() {
                let c = msg["content"].as_str().unwrap();
                assert!(!r.contains(c), "a reason quotes a message");
            }
        }
    }
    // The good one is kept; the one that starts with the assistant and ends with the user is
    // exported trimmed to user, assistant.
    assert_eq!(ledger["synthetic-low-quality/lq-008"].1, "exported");
    let records = shard_records(&rel);
    let lq9 = &records
        .iter()
        .find(|(_, r)| r["id"] == "synthetic-low-quality/lq-009")
        .unwrap()
        .1;
    let roles: Vec<&str> = lq9["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant"]);
    // No exported SFT conversation starts with the assistant or ends with the user.
    for (path, r) in &records {
        if !path.starts_with("chatml/sft/") {
            continue;
        }
        let ms: Vec<&str> = r["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["role"].as_str().unwrap())
            .filter(|r| *r != "system")
            .collect();
        assert_eq!(ms.first(), Some(&"user"), "{}", r["id"]);
        assert_eq!(ms.last(), Some(&"assistant"), "{}", r["id"]);
    }

    // Statistics: filtered counts by rule, languages per source and split, signal
    // distributions; the counts balance with `filtered` among the statuses.
    let stats = json_file(&rel.join("reports/stats.json"));
    let q = &stats["quality"];
    assert_eq!(q["filtered"], 7);
    assert_eq!(q["filtered_by_rule"]["language"], 2);
    assert_eq!(q["exported"]["by_source"]["smile"]["zh"], 10);
    assert_eq!(q["exported"]["non_target_language_share"], 0.0);
    assert!(q["exported"]["by_split"]["train"]["zh"].as_u64().unwrap() > 0);
    assert!(q["signals"]["dup_line_frac"]["p99"].is_number());
    assert_eq!(stats["counts"]["by_status"]["filtered"], 7);
    let rj = json_file(&rel.join("release.json"));
    assert_eq!(rj["counts"]["by_status"]["filtered"], 7);
    let report = std::fs::read_to_string(rel.join("reports/report.md")).unwrap();
    assert!(report.contains("## Quality filters and languages"));

    // verify accepts the `filtered` status (and checks the release as a whole).
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
}

#[test]
fn r17_tokenizer_choice_changes_the_counts_and_unknown_ones_are_spec_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let recs = [
        chat("a", &EN),
        chat(
            "b",
            &[
                ("user", "我最近感觉很焦虑，晚上睡不着觉，不知道该怎么办。"),
                ("assistant", "听起来你最近压力很大，愿意多说一点吗？"),
            ],
        ),
    ];
    let mut counts = Vec::new();
    for tok in ["o200k_base", "cl100k_base", "approx"] {
        let dir = tmp.path().join(tok);
        std::fs::create_dir_all(&dir).unwrap();
        let spec = one_source_spec(&dir, &recs, &format!("\n[tokens]\ntokenizer = \"{tok}\"\n"));
        let rel = build_ok(&spec, &dir.join("out"), "q", "1.0.0");
        let m = read_parquet(&rel.join("manifest.parquet"));
        let t: Vec<u64> = m
            .column("tokens")
            .unwrap()
            .u64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        let a: Vec<u64> = m
            .column("approx_tokens")
            .unwrap()
            .u64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        if tok == "approx" {
            assert_eq!(t, a, "approx tokens are the estimate");
        }
        let stats = json_file(&rel.join("reports/stats.json"));
        assert_eq!(stats["curriculum"]["tokenizer"], tok);
        counts.push(t);
    }
    // The same text costs different numbers of tokens per tokenizer; Chinese costs cl100k about
    // twice what it costs o200k (tiktoken: 17 against 34 for the first message alone).
    assert_ne!(counts[0], counts[1]);
    assert!(counts[1][1] > counts[0][1]);
    assert!(
        counts[0][1] > counts[2][1],
        "o200k counts Chinese above chars / 4"
    );

    let spec = one_source_spec(tmp.path(), &recs, "\n[tokens]\ntokenizer = \"gpt2\"\n");
    let o = build(&spec, &tmp.path().join("bad"));
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o.stderr);
    assert!(
        e.contains("tokens.tokenizer") && e.contains("o200k_base"),
        "{e}"
    );
}

#[test]
fn r17_quality_is_off_without_its_table_and_a_gate_on_its_metrics_fails_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let recs = [chat("en", &EN), chat("es", &ES)];
    let gate_spec = "\n[[gate]]\nname = \"non_target\"\nmetric = \"quality.exported.non_target_language_share\"\nop = \"<=\"\nthreshold = 0.02\n";
    // No [quality]: nothing filtered, no language column, and the gate cannot see: it fails.
    let spec = one_source_spec(tmp.path(), &recs, gate_spec);
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let stats = json_file(&run.join("reports/stats.json"));
    assert_eq!(stats["quality"]["enabled"], false);
    let m = read_parquet(&run.join("07_manifest.parquet"));
    assert!(m.column("language").is_err());
    assert_eq!(m.height(), 2);

    // With it and `languages = ["en"]`: the Spanish conversation is filtered, the gate passes.
    let spec = one_source_spec(
        tmp.path(),
        &recs,
        &format!("\n[quality]\nlanguages = [\"en\"]\n{gate_spec}"),
    );
    let rel = build_ok(&spec, &tmp.path().join("o2"), "q", "1.0.0");
    let ledger = ledger_rows(&rel);
    assert_eq!(ledger["chats/es"].1, "filtered");
    assert_eq!(ledger["chats/en"].1, "exported");
    let gates = json_file(&rel.join("reports/gates.json"));
    assert_eq!(gate(&gates, "non_target")["passed"], true);

    // Keeping every language but gating the share: the Spanish one is exported and the gate
    // (50% outside English > 2%) blocks the release.
    let spec = one_source_spec(
        tmp.path(),
        &recs,
        &format!("\n[quality]\n{gate_spec}").replace(
            "quality.exported.non_target_language_share",
            "quality.exported.language_share.es",
        ),
    );
    let o = build(&spec, &tmp.path().join("o3"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("quality.exported.language_share.es"));

    // A language code the detector does not know is a spec error naming the key.
    let spec = one_source_spec(
        tmp.path(),
        &recs,
        "\n[quality]\nlanguages = [\"english\"]\n",
    );
    let o = build(&spec, &tmp.path().join("o4"));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("quality.languages"));
}

#[test]
fn r17_a_filtered_record_is_never_the_copy_exact_dedup_keeps() {
    // Two copies of a Spanish conversation and two of an English one, in one split: with
    // `languages = ["en"]` both Spanish copies are `filtered` (neither is a `duplicate` of a
    // record that is not exported), and one English copy is a duplicate of the other.
    let tmp = tempfile::tempdir().unwrap();
    let recs = [
        chat("es-1", &ES),
        chat("es-2", &ES),
        chat("en-1", &EN),
        chat("en-2", &EN),
    ];
    let spec = one_source_spec(tmp.path(), &recs, "\n[quality]\nlanguages = [\"en\"]\n");
    let rel = build_ok(&spec, &tmp.path().join("o"), "q", "1.0.0");
    let ledger = ledger_rows(&rel);
    assert_eq!(ledger["chats/es-1"].1, "filtered");
    assert_eq!(ledger["chats/es-2"].1, "filtered");
    assert_eq!(ledger["chats/en-1"].1, "exported");
    assert_eq!(ledger["chats/en-2"].1, "duplicate");
    assert_eq!(
        ledger["chats/en-2"].2.as_deref(),
        Some("duplicate of chats/en-1")
    );
}
