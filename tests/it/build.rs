//! The fixture release: every loader, the ledger balance, exact dedup, determinism, create-only.

use std::collections::BTreeMap;

use crate::common::*;

#[test]
fn fixture_release_accounts_for_every_record() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let counts = status_counts(&rel);
    let input: BTreeMap<&str, usize> = [
        ("counsel-chat-2020", 40),
        ("counsel-chat-html", 30),
        ("esconv", 20),
        ("esconv-failed", 5),
        ("smile", 10),
        ("annomi", 3),
        ("synthetic-chatml", 12),
        ("synthetic-with-errors", 5),
        ("synthetic-sharegpt", 10),
        ("synthetic-low-quality", 9),
        ("counsel-chat-preference", 12),
        ("psychoeducation", 8),
    ]
    .into();
    for (src, n) in &input {
        let total: usize = counts
            .iter()
            .filter(|((s, _), _)| s == src)
            .map(|(_, c)| c)
            .sum();
        assert_eq!(total, *n, "ledger rows of {src}");
    }
    // The two broken records of the hand-written source are rejected, with reasons and lines,
    // and never quote the record.
    assert_eq!(count(&counts, "synthetic-with-errors", "rejected"), 2);
    let ledger = ledger_rows(&rel);
    let r = ledger["synthetic-with-errors/handwritten_with_errors.jsonl#2"]
        .2
        .clone()
        .unwrap();
    assert!(r.contains("malformed JSON") && r.contains("line 3"), "{r}");
    let r = ledger["synthetic-with-errors/hw-004"].2.clone().unwrap();
    assert!(
        r.contains("unknown speaker value #") && !r.contains("narrator"),
        "{r}"
    );
    // Exact duplicates: 3 within-split rows of the 2020 file, sg-009 (= sg-004 after normalising).
    assert_eq!(count(&counts, "counsel-chat-2020", "duplicate"), 3);
    assert_eq!(count(&counts, "synthetic-sharegpt", "duplicate"), 1);
    // 6 of the 8 cross-scrape pairs are the same text once HTML, case and punctuation are
    // normalised away; the file earlier in the spec (lower priority number) keeps its copy.
    assert_eq!(count(&counts, "counsel-chat-html", "duplicate"), 6);
    // Of the two pairs that differ after normalising (answer word-3-gram Jaccard 0.68 and 0.76),
    // the closer one is a near-duplicate at the default 0.8 threshold over 5-gram shingles.
    assert_eq!(count(&counts, "counsel-chat-html", "near_duplicate"), 1);
    let ledger = ledger_rows(&rel);
    let (_, status, reason) = &ledger["synthetic-sharegpt/sg-009"];
    assert_eq!(status, "duplicate");
    assert_eq!(
        reason.as_deref(),
        Some("duplicate of synthetic-sharegpt/sg-004")
    );
    // Rows 1971, 1977, 1978 (cut positions 35-37) repeat rows 26, 32, 33 (positions 0-2).
    for (dup, kept) in [(35, 0), (36, 1), (37, 2)] {
        let (_, status, reason) =
            &ledger[&format!("counsel-chat-2020/counsel_chat_2020.csv#{dup}")];
        assert_eq!(status, "duplicate");
        assert_eq!(
            reason.as_deref(),
            Some(format!("duplicate of counsel-chat-2020/counsel_chat_2020.csv#{kept}").as_str())
        );
    }
    for (id, (src, status, reason)) in &ledger {
        if src == "counsel-chat-html" && status == "duplicate" {
            assert!(
                reason
                    .as_deref()
                    .unwrap()
                    .starts_with("duplicate of counsel-chat-2020/"),
                "{id}"
            );
        }
    }

    // The release balances: input = exported + removed, and the manifest is the exported set.
    let rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("release.json")).unwrap()).unwrap();
    let total_input: usize = input.values().sum();
    assert_eq!(rj["counts"]["input"], total_input);
    let by_status: u64 = rj["counts"]["by_status"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_status as usize, total_input);
    let manifest = read_parquet(&rel.join("manifest.parquet"));
    assert_eq!(
        manifest.height() as u64,
        rj["counts"]["exported"].as_u64().unwrap()
    );
    let exported_in_ledger = ledger
        .values()
        .filter(|(_, st, _)| st == "exported")
        .count();
    assert_eq!(manifest.height(), exported_in_ledger);
    for (_, st, reason) in ledger.values() {
        assert_eq!(
            st == "exported",
            reason.is_none(),
            "reason is null exactly for exported rows"
        );
    }
}

#[test]
fn loaders_map_every_format_to_chatml() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    // The conversations (the sft phase); the other phases have their own test in curriculum.rs.
    let records: Vec<_> = shard_records(&rel)
        .into_iter()
        .filter(|(p, _)| p.starts_with("chatml/sft/"))
        .collect();
    let by_id: BTreeMap<String, &serde_json::Value> = records
        .iter()
        .map(|(_, r)| (r["id"].as_str().unwrap().to_string(), r))
        .collect();
    let msgs = |id: &str| -> Vec<(String, String)> {
        by_id[id]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["role"].as_str().unwrap().to_string(),
                    m["content"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for (_, r) in &records {
        let m = r["messages"].as_array().unwrap();
        // Consecutive turns of one speaker are merged: roles alternate after the system message.
        for w in m.windows(2) {
            assert_ne!(
                w[0]["role"], w[1]["role"],
                "{} has two consecutive {} turns",
                r["id"], w[0]["role"]
            );
        }
        assert!(m.iter().any(|x| x["role"] == "assistant"));
        assert!(
            m.iter()
                .all(|x| !x["content"].as_str().unwrap().trim().is_empty())
        );
    }

    // qa (CSV, plain): question = title + blank line + text, answer as the assistant turn.
    let a = msgs("counsel-chat-2020/counsel_chat_2020.csv#0");
    assert_eq!(a.len(), 2);
    assert_eq!((a[0].0.as_str(), a[1].0.as_str()), ("user", "assistant"));
    assert!(
        a[0].1.contains("\n\n"),
        "title and text are joined by a blank line"
    );

    // qa (CSV with HTML answers, CRLF inside quoted fields): no tags, no entities, no CR.
    let html: Vec<_> = records
        .iter()
        .filter(|(_, r)| r["source"] == "counsel-chat-html")
        .collect();
    assert_eq!(
        html.len(),
        23,
        "30 rows, 6 exact duplicates and 1 near-duplicate of the 2020 scrape"
    );
    for (_, r) in &html {
        let s = r["messages"].to_string();
        assert!(
            !s.contains("<p>")
                && !s.contains("&#34;")
                && !s.contains("&nbsp;")
                && !s.contains("\\r"),
            "{}",
            r["id"]
        );
    }
    assert!(
        html.iter()
            .any(|(_, r)| r["messages"].to_string().contains("\\\"")),
        "&#34; became a quote"
    );

    // dialog (ESConv JSONL): usr/sys mapped and merged, splits from file names.
    let esconv: Vec<_> = records
        .iter()
        .filter(|(_, r)| r["source"] == "esconv")
        .collect();
    assert_eq!(esconv.len(), 20);
    let splits: BTreeMap<&str, usize> = esconv.iter().fold(BTreeMap::new(), |mut m, (p, _)| {
        *m.entry(p.split('/').nth(2).unwrap()).or_default() += 1;
        m
    });
    assert_eq!(
        splits,
        [("test", 4), ("train", 12), ("validation", 4)].into()
    );
    let first = msgs("esconv/train.jsonl#0");
    assert_eq!(first[0], ("user".into(), "Hello good afternoon.".into()));
    assert_eq!(first[1], ("assistant".into(), "Hi, good afternoon.".into()));

    // dialog (FailedESConv JSON array: speaker/listener, content with trailing newlines).
    let failed: Vec<_> = records
        .iter()
        .filter(|(_, r)| r["source"] == "esconv-failed")
        .collect();
    assert!(!failed.is_empty());
    let f0 = msgs("esconv-failed/FailedESConv.json#0");
    assert_eq!(
        f0[0],
        ("user".into(), "Hey there\nHow are you?".into()),
        "speaker turns merged, trailing newlines trimmed"
    );

    // dialog (SMILE: client/counselor, Chinese text kept intact).
    let s0 = msgs("smile/0");
    assert_eq!(s0[0].0, "user");
    assert!(s0[0].1.starts_with("高三后的迷茫"));
    assert_eq!(s0[1].0, "assistant");

    // turns (AnnoMI CSV): 3 transcripts, ordered by utterance_id, therapist -> assistant.
    for (id, rows) in [("annomi/15", 21usize), ("annomi/16", 24), ("annomi/24", 22)] {
        let m = msgs(id);
        assert!(m.len() <= rows && m.len() >= 2, "{id}");
    }
    // AnnoMI transcripts open with the therapist; the fixture spec's `sft_shape = "trim"`
    // drops that opening, so the exported conversation starts with the client.
    let t16 = msgs("annomi/16");
    assert_eq!(t16[0].0, "user", "trimmed to start with the client");
    assert_eq!(t16.last().unwrap().0, "assistant");

    // chatml: system message kept, split column honoured, Unicode intact.
    let c1 = msgs("synthetic-chatml/chat-001");
    assert_eq!(c1[0].0, "system");
    assert!(
        msgs("synthetic-chatml/chat-002")
            .iter()
            .any(|(_, c)| c.contains("café") && c.contains('☕'))
    );
    let path_of = |id: &str| {
        records
            .iter()
            .find(|(_, r)| r["id"] == id)
            .unwrap()
            .0
            .clone()
    };
    assert!(path_of("synthetic-chatml/chat-009").starts_with("chatml/sft/validation/"));
    assert!(path_of("synthetic-chatml/chat-012").starts_with("chatml/sft/test/"));

    // sharegpt: human/gpt/system mapped.
    let g = msgs("synthetic-sharegpt/sg-003");
    assert_eq!(g[0].0, "system");
    assert_eq!(g[1].0, "user");
}

#[test]
fn turns_from_parquet_match_turns_from_csv() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    // Generate the Parquet input from the CSV fixture at test time.
    let mut rdr = csv::Reader::from_path(fixtures().join("annomi/annomi_sample.csv")).unwrap();
    let (mut conv, mut turn, mut who, mut utt) = (vec![], vec![], vec![], vec![]);
    for r in rdr.records() {
        let r = r.unwrap();
        conv.push(r[0].parse::<i64>().unwrap());
        turn.push(r[5].parse::<i64>().unwrap());
        who.push(r[6].to_string());
        utt.push(r[8].to_string());
    }
    // Reverse the rows: order must come from the turn column, not the file.
    for v in [&mut who, &mut utt] {
        v.reverse();
    }
    conv.reverse();
    turn.reverse();
    let mut df = df!("transcript_id" => conv, "utterance_id" => turn, "interlocutor" => who, "utterance_text" => utt).unwrap();
    std::fs::create_dir_all(tmp.path().join("in")).unwrap();
    ParquetWriter::new(std::fs::File::create(tmp.path().join("in/annomi.parquet")).unwrap())
        .finish(&mut df)
        .unwrap();
    let spec = |uri: &str| {
        format!(
            r#"
[release]
name = "t"
version = "1"
[[source]]
name = "annomi"
family = "therapy_transcript"
uri = "{uri}"
mapping = "turns"
license = "LicenseRef-public-domain"
origin = "AnnoMI"
[source.columns]
conversation = "transcript_id"
turn = "utterance_id"
speaker = "interlocutor"
content = "utterance_text"
"#
        )
    };
    let csv_uri = fixtures().join("annomi/annomi_sample.csv");
    let p1 = write_spec(tmp.path(), "csv.toml", &spec(csv_uri.to_str().unwrap()));
    let p2 = write_spec(tmp.path(), "pq.toml", &spec("in/annomi.parquet"));
    let r1 = build_ok(&p1, &tmp.path().join("o1"), "t", "1");
    let r2 = build_ok(&p2, &tmp.path().join("o2"), "t", "1");
    let hashes = |r: &std::path::Path| {
        let m = read_parquet(&r.join("manifest.parquet"));
        let mut v: Vec<_> = strs_nonnull(&m, "record_id")
            .into_iter()
            .zip(strs_nonnull(&m, "text_hash"))
            .collect();
        v.sort();
        v
    };
    let h1 = hashes(&r1);
    assert_eq!(h1.len(), 3);
    assert_eq!(h1, hashes(&r2));
}

#[test]
fn two_builds_are_byte_identical() {
    let t1 = tempfile::tempdir().unwrap();
    let t2 = tempfile::tempdir().unwrap();
    let r1 = fixture_release(t1.path());
    let r2 = fixture_release(t2.path());
    let files = |r: &std::path::Path| {
        let mut v = Vec::new();
        for e in walk(r) {
            v.push((
                e.strip_prefix(r).unwrap().to_path_buf(),
                std::fs::read(&e).unwrap(),
            ));
        }
        v.sort();
        v
    };
    let (f1, f2) = (files(&r1), files(&r2));
    assert_eq!(
        f1.iter().map(|f| &f.0).collect::<Vec<_>>(),
        f2.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((p, a), (_, b)) in f1.iter().zip(&f2) {
        assert!(a == b, "{} differs between two builds", p.display());
    }
    assert!(f1.iter().any(|(p, _)| {
        p.to_string_lossy()
            .starts_with("chatml/sft/train/part-00000-")
    }));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn second_build_of_a_version_is_refused_and_the_first_is_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let before = std::fs::read(rel.join("release.json")).unwrap();
    let mtime = std::fs::metadata(rel.join("release.json"))
        .unwrap()
        .modified()
        .unwrap();
    let o = build(&fixtures().join("release.toml"), tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("already exists"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read(rel.join("release.json")).unwrap(), before);
    assert_eq!(
        std::fs::metadata(rel.join("release.json"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );
    // Another version in the same output is fine.
    let o = trainready(&[
        "build",
        fixtures().join("release.toml").to_str().unwrap(),
        "--output",
        tmp.path().to_str().unwrap(),
        "--version",
        "0.1.1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        tmp.path()
            .join("releases/fixtures/0.1.1/release.json")
            .exists()
    );
}

#[test]
fn shards_respect_size_limits_and_zstd() {
    let tmp = tempfile::tempdir().unwrap();
    let body = fixture_spec_local() + "\n[export]\nshard_records = 7\ncompression = \"zstd\"\n";
    let spec = write_spec(tmp.path(), "small.toml", &body);
    let rel = build_ok(&spec, &tmp.path().join("o"), "fixtures", "0.1.0");
    let rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("release.json")).unwrap()).unwrap();
    let shards = rj["shards"].as_array().unwrap();
    assert!(shards.len() > 10);
    for s in shards {
        assert!(s["records"].as_u64().unwrap() <= 7);
        assert!(s["path"].as_str().unwrap().ends_with(".jsonl.zst"));
    }
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
    assert_eq!(
        shard_records(&rel).len() as u64,
        rj["counts"]["exported"].as_u64().unwrap()
    );
}

#[test]
fn failing_gate_blocks_publication_and_leaves_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let body = fixture_spec_local()
        + "\n[[gate]]\nname = \"enough_records\"\nmetric = \"counts.exported\"\nop = \">=\"\nthreshold = 1000000\n";
    let spec = write_spec(tmp.path(), "gated.toml", &body);
    let run_dir = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run_dir);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("enough_records"));
    assert!(
        !tmp.path().join("o/releases").exists(),
        "nothing is published"
    );
    let gates: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("reports/gates.json")).unwrap())
            .unwrap();
    let g = gates
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "enough_records")
        .unwrap();
    assert_eq!(g["passed"], false);
    assert!(g["detail"].as_str().unwrap().contains("off by"));
    assert!(run_dir.join("03_dedup_near.parquet").exists());
}

#[test]
fn query_runs_sql_over_a_release_and_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let o = build_with_run(&fixtures().join("release.toml"), tmp.path(), &run);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rel = tmp.path().join("releases/fixtures/0.1.0");
    let o = trainready(&[
        "query",
        "SELECT status, COUNT(*) AS n FROM ledger GROUP BY status ORDER BY status",
        "--release",
        rel.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "status,n");
    let total: u64 = rows[1..]
        .iter()
        .map(|r| r.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 164, "every input record has one status");
    // A run directory: stage tables by name, and the queries/ files work as they are.
    let o = trainready(&[
        "query",
        repo()
            .join("queries/counts_by_source_status.sql")
            .to_str()
            .unwrap(),
        "--run",
        run.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout)
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    let o = trainready(&[
        "query",
        "SELECT COUNT(*) AS n FROM dedup_near WHERE status = 'near_duplicate'",
        "--run",
        run.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(text(&o.stdout), "n\n1\n");
    let o = trainready(&[
        "query",
        "SELECT * FROM nope",
        "--release",
        rel.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("tables: ledger, manifest"));
}

#[test]
fn diff_reports_added_removed_and_drift() {
    let tmp = tempfile::tempdir().unwrap();
    let a = fixture_release(tmp.path());
    // B: the same fixtures without the SMILE source, with one more synthetic conversation.
    let dir = tmp.path().join("b");
    std::fs::create_dir_all(dir.join("synthetic")).unwrap();
    let mut chat = std::fs::read_to_string(fixtures().join("synthetic/chatml.jsonl")).unwrap();
    chat.push_str(&serde_json::json!({"id": "chat-new", "messages": [{"role": "user", "content": "A brand new question about sleep routines and evening walks."}, {"role": "assistant", "content": "Evening walks can help; keep the timing regular."}]}).to_string());
    chat.push('\n');
    std::fs::write(dir.join("synthetic/chatml.jsonl"), chat).unwrap();
    let body = std::fs::read_to_string(fixtures().join("release.toml"))
        .unwrap()
        .replace("output = \"../out\"", "")
        .replace("version = \"0.1.0\"", "version = \"0.2.0\"");
    let mut body = body
        .replace("uri = \"", &format!("uri = \"{}/", fixtures().display()))
        .replace(
            &format!("{}/synthetic/chatml.jsonl", fixtures().display()),
            &format!("{}/synthetic/chatml.jsonl", dir.display()),
        );
    let start = body.find("[[source]]\nname = \"smile\"").unwrap();
    let end = start + body[start + 10..].find("[[source]]").unwrap() + 10;
    body.replace_range(start..end, "");
    let body = body.replace(" \"support_chat_zh\",", "");
    let spec = write_spec(tmp.path(), "b.toml", &body);
    let b = build_ok(&spec, tmp.path(), "fixtures", "0.2.0");
    let o = trainready(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let d: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(d["added"], 1);
    assert_eq!(
        d["examples"]["added"],
        serde_json::json!(["synthetic-chatml/chat-new"])
    );
    assert_eq!(d["removed"], 10, "the SMILE conversations");
    assert_eq!(d["changed"], 0);
    assert_eq!(d["new_texts"], 1);
    assert_eq!(d["drift"]["family"]["support_chat_zh"]["b"], 0);
    assert!(
        d["drift"]["family"]["support_chat_zh"]["share_change"]
            .as_f64()
            .unwrap()
            < 0.0
    );
}
