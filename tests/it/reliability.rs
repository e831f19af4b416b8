//! Reliability (issue 15): no panic, no silent loss, no leak. One regression test per item the
//! hostile run found that the bad-input corpus (`bad_input.rs`) and the tamper suite
//! (`tamper.rs`) do not already cover.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

fn minimal_spec(dir: &Path, uri: &str, extra: &str) -> std::path::PathBuf {
    write_spec(
        dir,
        "spec.toml",
        &format!(
            "[release]\nname = \"r\"\nversion = \"1.0.0\"\n\n[[source]]\nname = \"s\"\nfamily = \"f\"\nuri = {uri:?}\nmapping = \"chatml\"\nlicense = \"CC0-1.0\"\norigin = \"test\"\n{extra}"
        ),
    )
}

fn chat_lines(n: usize, tag: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"id\": \"{tag}{i}\", \"messages\": [{{\"role\": \"user\", \"content\": \"question {tag} number {i} about sleep\"}}, {{\"role\": \"assistant\", \"content\": \"answer {tag} {i}: rest helps\"}}]}}\n"
            )
        })
        .collect()
}

#[test]
fn r15_closed_stderr_pipe_still_publishes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // `trainready build spec 2>&1 | head -1`: the reader goes away after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_trainready"))
        .args([
            "build",
            fixtures().join("release.toml").to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ])
        .env("RUST_LOG", "trainready=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close both pipes at once, before the build has written much.
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let rel = out.join("releases/fixtures/0.1.0");
    assert!(rel.join("release.json").exists());
    // verify with closed pipes too.
    let mut child = Command::new(env!("CARGO_BIN_EXE_trainready"))
        .args(["verify", rel.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn r15_endpoint_without_scheme_is_a_clear_problem_not_a_panic() {
    for args in [
        vec!["check", "--output", "s3://bucket/prefix"],
        vec!["verify", "s3://bucket/releases/x/1"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_trainready"))
            .args(&args)
            .env("OVH_S3_ENDPOINT", "s3.gra.io.cloud.ovh.net")
            .env("OVH_S3_ACCESS_KEY", "a")
            .env("OVH_S3_SECRET_KEY", "b")
            .output()
            .unwrap();
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {all}");
        assert!(
            all.contains("OVH_S3_ENDPOINT") && all.contains("https://"),
            "{all}"
        );
        assert!(!all.contains("panicked"), "{all}");
    }
}

#[test]
fn r15_password_in_an_endpoint_is_never_printed() {
    let o = Command::new(env!("CARGO_BIN_EXE_trainready"))
        .args(["check", "--output", "s3://bucket/prefix"])
        .env("OVH_S3_ENDPOINT", "http://user:hunter2secret@127.0.0.1:9")
        .env("OVH_S3_ACCESS_KEY", "a")
        .env("OVH_S3_SECRET_KEY", "b")
        .env("RUST_LOG", "trace")
        .env("TRAINREADY_MAX_RETRIES", "0")
        .env("TRAINREADY_RETRY_TIMEOUT_SECS", "1")
        .output()
        .unwrap();
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(!all.contains("hunter2secret"), "{all}");
}

#[test]
fn r15_debug_logs_carry_no_record_text() {
    let tmp = tempfile::tempdir().unwrap();
    for level in ["debug", "trace"] {
        let o = Command::new(env!("CARGO_BIN_EXE_trainready"))
            .args([
                "build",
                fixtures().join("release.toml").to_str().unwrap(),
                "--output",
                tmp.path().join(level).to_str().unwrap(),
            ])
            .env("RUST_LOG", level)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let err = text(&o.stderr);
        // Words of the counsel-chat HTML answers the HTML parser reads.
        let answers =
            std::fs::read_to_string(fixtures().join("counsel-chat/counselchat_data.csv")).unwrap();
        let sentence = answers
            .lines()
            .nth(3)
            .unwrap()
            .split(['<', '>', '"', ','])
            .find(|p| p.split_whitespace().count() >= 6)
            .unwrap()
            .trim()
            .to_string();
        assert!(
            !err.contains(&sentence),
            "RUST_LOG={level} printed record text"
        );
        assert!(!err.contains("html5ever") && !err.contains("markup5ever"));
    }
}

#[test]
fn r15_long_invalid_names_are_not_echoed_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "x/".repeat(5_000_000);
    let spec = write_spec(
        tmp.path(),
        "spec.toml",
        &format!("[release]\nname = \"{name}\"\nversion = \"1\"\n"),
    );
    let o = trainready(&["build", spec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.len() < 2_000, "{} bytes of error", err.len());
    assert!(err.contains("release.name"), "{err}");
    let o = trainready(&[
        "build",
        spec.to_str().unwrap(),
        "--version",
        &"v!".repeat(50_000),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).len() < 2_000);
}

#[test]
fn r15_pii_redact_keeps_every_record_and_no_raw_text() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.jsonl");
    let lines = [
        r#"{"id": "a", "messages": [{"role": "user", "content": "call me on 212-555-0143"}]}"#,
        r#"{"id": "b", "messages": [{"role": "user", "content": 2125550143}]}"#,
        r#"{"id": "c", "messages": [{"role": "user", "content": [{"type": "text", "text": "mail jane.doe@example.com"}]}]}"#,
        r#"{"id": "d", "text": "no messages here: bob@example.org"}"#,
        r#"{"id": "e", "other": {"note": "write to carol@example.net"}}"#,
        r#"{"id": "f" "broken json with dave@example.com"#,
        r#"not json at all, eve@example.com"#,
        r#"{"id": "g", "messages": [{"role": "user", "content": "nothing here"}]}"#,
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = tmp.path().join("red.jsonl");
    let o = trainready(&[
        "pii",
        input.to_str().unwrap(),
        "--redact",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let red = std::fs::read_to_string(&out).unwrap();
    assert_eq!(red.lines().count(), lines.len(), "{red}");
    for secret in [
        "212-555-0143",
        "jane.doe@example.com",
        "bob@example.org",
        "carol@example.net",
        "dave@example.com",
        "eve@example.com",
    ] {
        assert!(!red.contains(secret), "{secret} left in the copy:\n{red}");
    }
    assert!(red.contains("nothing here"));
    // Findings: the content parts and the unreadable lines are scanned too.
    let findings = text(&o.stdout);
    assert!(findings.contains("\"record\":\"c\""), "{findings}");
    assert!(findings.contains("in.jsonl#6"), "{findings}");
    assert!(
        text(&o.stderr).contains("unreadable"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn r15_pii_and_dedup_on_a_missing_field_fail_loud() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("sg.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"1\", \"conversations\": [{\"from\": \"human\", \"value\": \"I'm Jane Doe, 212-555-0143\"}]}\n",
    )
    .unwrap();
    for args in [
        vec!["pii", input.to_str().unwrap()],
        vec![
            "dedup",
            input.to_str().unwrap(),
            "--out",
            tmp.path().join("d").to_str().unwrap(),
        ],
    ] {
        let o = trainready(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("messages"), "{}", text(&o.stderr));
    }
    let o = trainready(&[
        "pii",
        input.to_str().unwrap(),
        "--messages-field",
        "conversations",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("PHONE"), "{}", text(&o.stdout));
}

#[test]
fn r15_dedup_ids_with_newlines_stay_on_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.jsonl");
    let text_a = "the same long text about feeling anxious before exams every single week";
    std::fs::write(
        &input,
        format!(
            "{{\"id\": \"a\\nb\", \"text\": \"{text_a}\"}}\n{{\"id\": \"c\", \"text\": \"{text_a}\"}}\n"
        ),
    )
    .unwrap();
    let out = tmp.path().join("d");
    let o = trainready(&[
        "dedup",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let kept = std::fs::read_to_string(out.join("kept_ids.txt")).unwrap();
    let removed = std::fs::read_to_string(out.join("removed_ids.txt")).unwrap();
    assert_eq!(
        kept.lines().count() + removed.lines().count(),
        2,
        "{kept:?} {removed:?}"
    );
    assert!(kept.contains("a\\nb") || removed.contains("a\\nb"));
}

#[test]
fn r15_query_and_diff_refuse_a_folder_without_release_json() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(&tmp.path().join("out"));
    let fake = tmp.path().join("fake");
    std::fs::create_dir_all(&fake).unwrap();
    std::fs::copy(rel.join("manifest.parquet"), fake.join("manifest.parquet")).unwrap();
    std::fs::copy(rel.join("ledger.parquet"), fake.join("ledger.parquet")).unwrap();
    let o = trainready(&[
        "query",
        "SELECT COUNT(*) FROM ledger",
        "--release",
        fake.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("no release.json"));
    let o = trainready(&["diff", rel.to_str().unwrap(), fake.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no release.json"));
}

#[test]
fn r15_builds_started_together_get_their_own_run_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data.jsonl");
    std::fs::write(&data, chat_lines(5, "q")).unwrap();
    let spec = minimal_spec(tmp.path(), data.to_str().unwrap(), "");
    let spawned: Vec<_> = (0..3)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_trainready"))
                .args([
                    "build",
                    spec.to_str().unwrap(),
                    "--output",
                    tmp.path().join("out2").to_str().unwrap(),
                    "--version",
                    "2.0.0",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .env("TRAINREADY_TEST_INDEX", i.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = spawned
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    // Exactly one of three concurrent builds of one version publishes; the others exit 2.
    let codes: Vec<_> = outputs.iter().map(|o| o.status.code()).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == Some(0)).count(),
        1,
        "{codes:?}"
    );
    assert!(
        codes.iter().all(|c| matches!(c, Some(0) | Some(2))),
        "{codes:?}"
    );
    let rel = tmp.path().join("out2/releases/r/2.0.0");
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "a loser left files: {}",
        text(&v.stderr)
    );
    // Every build had its own run directory (the run ids differ even within one second).
    let mut runs = Vec::new();
    for o in &outputs {
        let err = text(&o.stderr);
        if let Some(i) = err.find(" run=") {
            runs.push(err[i + 5..].split_whitespace().next().unwrap().to_string());
        }
    }
    let distinct: std::collections::BTreeSet<&String> = runs.iter().collect();
    assert_eq!(distinct.len(), runs.len(), "{runs:?}");
}

#[test]
fn r15_weights_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data.jsonl");
    std::fs::write(&data, chat_lines(3, "w")).unwrap();
    let spec = minimal_spec(
        tmp.path(),
        data.to_str().unwrap(),
        "\n[curriculum]\n[[curriculum.phase]]\nname = \"sft\"\nkind = \"sft\"\nfamilies = [\"f\"]\nweights = { f = 1e9 }\n",
    );
    let o = trainready(&[
        "build",
        spec.to_str().unwrap(),
        "--output",
        tmp.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("weights.f"), "{}", text(&o.stderr));
}

#[test]
fn r15_outputs_a_source_would_read_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("a.jsonl"), chat_lines(3, "o")).unwrap();
    let glob = format!("{}/**/*.jsonl", data.display());
    let spec = minimal_spec(tmp.path(), &glob, "");
    // The release inside the source's folder.
    let o = trainready(&[
        "build",
        spec.to_str().unwrap(),
        "--output",
        data.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("would read"),
        "{}",
        text(&o.stderr)
    );
    // The run directory inside the source's folder.
    let o = build_with_run(&spec, &tmp.path().join("out"), &data.join("run"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    // The run directory inside the release folder.
    let out = tmp.path().join("out");
    let o = build_with_run(&spec, &out, &out.join("releases/r/1.0.0/run"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("run directory"),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.join("releases/r/1.0.0/release.json").exists());
    // Outside both: fine.
    let o = build_with_run(&spec, &out, &tmp.path().join("run"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn r15_fifos_loops_and_odd_names_under_a_glob_are_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(data.join("a.jsonl"), chat_lines(3, "f")).unwrap();
    let fifo = data.join("pipe.jsonl");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink(&data, data.join("sub/loop")).unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"bad-\xff-name.jsonl");
    std::fs::write(data.join(odd), chat_lines(1, "x")).unwrap();
    let spec = minimal_spec(tmp.path(), &format!("{}/**/*.jsonl", data.display()), "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_trainready"))
        .args([
            "build",
            spec.to_str().unwrap(),
            "--output",
            tmp.path().join("o").to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("the build hangs on a FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let o = child.wait_with_output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    assert!(err.contains("not UTF-8"), "{err}");
    let ledger = ledger_rows(&tmp.path().join("o/releases/r/1.0.0"));
    assert_eq!(ledger.len(), 3, "{:?}", ledger.keys());
}

#[test]
fn r15_a_panic_is_reported_as_a_bug_with_exit_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_trainready"))
        .args(["check"])
        .env(
            "TRAINREADY_TEST_PANIC",
            "a secret `Jane Doe` in a panic message",
        )
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("internal error") && err.contains("please report"),
        "{err}"
    );
    assert!(!err.contains("Jane Doe"), "{err}");
}

#[test]
fn r15_compressed_sources_load_and_a_whole_rejected_source_blocks() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data.jsonl");
    // gzip under a .jsonl name, as a user copied it.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, chat_lines(4, "g").as_bytes()).unwrap();
    std::fs::write(&data, gz.finish().unwrap()).unwrap();
    let spec = minimal_spec(tmp.path(), data.to_str().unwrap(), "");
    let rel = build_ok(&spec, &tmp.path().join("o"), "r", "1.0.0");
    assert_eq!(ledger_rows(&rel).len(), 4);
    // A column typo: every record rejected. The release is blocked, naming the source.
    let spec = minimal_spec(
        tmp.path(),
        data.to_str().unwrap(),
        "[source.columns]\nmessages = \"msgs\"\n",
    );
    let o = build(&spec, &tmp.path().join("o2"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("source_loaded.s") && err.contains("load_rejection_rate.s"),
        "{err}"
    );
}

#[test]
fn r15_control_and_invisible_characters_never_reach_the_export() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data.jsonl");
    let lines = [
        r#"{"id": "nul", "messages": [{"role": "user", "content": "I feel\u0000 so\u0007 tired"}, {"role": "assistant", "content": "Rest\u001b[31m helps"}]}"#,
        r#"{"id": "zw", "messages": [{"role": "user", "content": "\u200b\u200d\ufeff"}, {"role": "assistant", "content": "\u2060"}]}"#,
        r#"{"id": "emoji", "messages": [{"role": "user", "content": "family 👨‍👩‍👧 day"}, {"role": "assistant", "content": "lovely"}]}"#,
    ];
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();
    let spec = minimal_spec(
        tmp.path(),
        data.to_str().unwrap(),
        "max_rejection_rate = 1.0\n",
    );
    let rel = build_ok(&spec, &tmp.path().join("o"), "r", "1.0.0");
    let ledger = ledger_rows(&rel);
    assert_eq!(ledger["s/zw"].1, "rejected", "{:?}", ledger["s/zw"]);
    let exported: Vec<serde_json::Value> =
        shard_records(&rel).into_iter().map(|(_, v)| v).collect();
    let all = serde_json::to_string(&exported).unwrap();
    assert!(
        !all.contains("\\u0000") && !all.contains("\\u0007") && !all.contains("\\u001b"),
        "{all}"
    );
    assert!(all.contains("I feel so tired"), "{all}");
    // A zero-width joiner inside text (an emoji sequence) is kept.
    assert!(all.contains("👨\u{200d}👩\u{200d}👧"), "{all}");
}
