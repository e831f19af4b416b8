//! Bad input: each bad record is rejected into the ledger with its reason, file and line; the
//! rest of the file is processed; counts balance; nothing printed contains record text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::*;

#[test]
fn bad_records_are_rejected_with_reason_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let o = build_with_run(&fixtures().join("bad/release.toml"), tmp.path(), &run);
    // Two sources load nothing (an empty file, a CSV without the answer column): the release
    // is blocked, naming both; the run directory's ledger holds every record.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("source_loaded.empty") && err.contains("source_loaded.qa-missing-column"),
        "{err}"
    );
    assert!(!tmp.path().join("releases/bad-inputs/0.1.0").exists());
    let ledger = ledger_rows_at(&run.join("08_ledger.parquet"));
    let reason = |id: &str| -> String {
        let (_, status, reason) = ledger
            .get(id)
            .unwrap_or_else(|| panic!("{id} not in ledger: {:?}", ledger.keys()));
        assert_eq!(status, "rejected", "{id}");
        reason.clone().unwrap()
    };
    let exported = |src: &str| {
        ledger
            .values()
            .filter(|(s, st, _)| s == src && st == "exported")
            .count()
    };

    // chatml_bad.jsonl: 8 records (the blank line is not one), 3 good.
    assert_eq!(
        ledger
            .values()
            .filter(|(s, _, _)| s == "chatml-bad")
            .count(),
        8
    );
    assert_eq!(exported("chatml-bad"), 3);
    let r = reason("chatml-bad/chatml_bad.jsonl#2");
    assert!(
        r.contains("malformed JSON") && r.contains("chatml_bad.jsonl line 4"),
        "{r}"
    );
    let r = reason("chatml-bad/chatml_bad.jsonl#3");
    assert!(r.contains("invalid UTF-8") && r.contains("line 5"), "{r}");
    let r = reason("chatml-bad/bad-005");
    assert!(
        r.contains("unknown speaker value #") && r.contains("(8 chars)") && r.contains("line 6"),
        "{r}"
    );
    assert!(!r.contains("narrator"), "{r}");
    let r = reason("chatml-bad/bad-006");
    assert!(r.contains("no turns") && r.contains("line 7"), "{r}");
    let r = reason("chatml-bad/bad-007");
    assert!(
        r.contains("missing field `messages`") && r.contains("line 8"),
        "{r}"
    );

    // An empty file shows up as one rejected row.
    let r = reason("empty/empty.jsonl#0");
    assert!(r.contains("empty file"), "{r}");

    // A CSV without the answer column: every row rejected, naming the column.
    for i in 0..3 {
        let r = reason(&format!("qa-missing-column/qa_missing_column.csv#{i}"));
        assert!(r.contains("missing required column `answerText`"), "{r}");
        assert!(r.contains(&format!("line {}", i + 2)), "{r}");
    }

    // A ragged row and an empty answer; the other three rows are exported.
    let r = reason("qa-ragged/qa_ragged.csv#2");
    assert!(
        r.contains("expected 3 fields, found 4") && r.contains("line 4"),
        "{r}"
    );
    let r = reason("qa-ragged/q4");
    assert!(r.contains("empty answer") && r.contains("line 5"), "{r}");
    assert_eq!(exported("qa-ragged"), 3);

    // dialog: no turns, unknown speaker.
    let r = reason("dialog-bad/dialog_bad.jsonl#1");
    assert!(r.contains("no turns") && r.contains("line 2"), "{r}");
    let r = reason("dialog-bad/dialog_bad.jsonl#3");
    assert!(
        r.contains("unknown speaker value #") && r.contains("line 4"),
        "{r}"
    );
    assert!(!r.contains("moderator"), "{r}");
    assert_eq!(exported("dialog-bad"), 2);

    // Balance: input = exported + rejected.
    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("reports/stats.json")).unwrap()).unwrap();
    assert_eq!(stats["counts"]["input"], 8 + 1 + 3 + 5 + 4);
    assert_eq!(stats["counts"]["exported"], 3 + 3 + 2);
    assert_eq!(stats["counts"]["by_status"]["rejected"], 5 + 1 + 3 + 2 + 2);
    assert_eq!(stats["counts"]["unaccounted"], 0);

    // Logs never carry record text.
    let printed = format!("{}{}", text(&o.stdout), text(&o.stderr));
    for needle in [
        "overthinking",
        "grieving",
        "narrator",
        "Hi. I have my review",
    ] {
        assert!(
            !printed.contains(needle),
            "printed output contains record text `{needle}`"
        );
    }
}

#[test]
fn unreadable_source_is_a_tool_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(
        tmp.path(),
        "r.toml",
        r#"
[release]
name = "x"
version = "1"
[[source]]
name = "nothing-here"
family = "f"
uri = "does/not/exist/*.jsonl"
mapping = "chatml"
license = "MIT"
origin = "nowhere"
"#,
    );
    let o = build(&spec, &tmp.path().join("o"));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("nothing-here") && err.contains("matched no object"),
        "{err}"
    );

    let bad_json = tmp.path().join("broken.json");
    std::fs::write(&bad_json, "[{\"dialog\": [}").unwrap();
    let spec = write_spec(
        tmp.path(),
        "r2.toml",
        r#"
[release]
name = "x"
version = "1"
[[source]]
name = "broken"
family = "f"
uri = "broken.json"
mapping = "dialog"
license = "MIT"
origin = "nowhere"
"#,
    );
    let o = build(&spec, &tmp.path().join("o"));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("broken.json") && err.contains("line 1"),
        "{err}"
    );
}

/// One case of the generated bad-input corpus (`fixtures/bad/make_bad.py`).
#[derive(serde::Deserialize)]
struct BadCase {
    name: String,
    uri: String,
    format: Option<String>,
    mapping: String,
    columns: BTreeMap<String, String>,
    roles: BTreeMap<String, String>,
    split: Option<String>,
    records: usize,
    exit: i32,
}

const MARKER: &str = "ZQXMARK";

fn case_spec(dir: &Path, c: &BadCase) -> PathBuf {
    let corpus = fixtures().join("bad/corpus");
    let uri = corpus.join(&c.uri);
    let mut spec = format!(
        "[release]\nname = \"bad-{}\"\nversion = \"1.0.0\"\n\n[[source]]\nname = \"case\"\nfamily = \"bad\"\nuri = {:?}\nmapping = {:?}\nlicense = \"CC0-1.0\"\norigin = \"trainready bad-input corpus\"\nmax_rejection_rate = 1.0\n",
        c.name.replace('_', "-"),
        uri.to_str().unwrap(),
        c.mapping
    );
    if let Some(f) = &c.format {
        spec.push_str(&format!("format = {f:?}\n"));
    }
    if let Some(s) = &c.split {
        spec.push_str(&format!("split = {s:?}\n"));
    }
    if !c.columns.is_empty() {
        spec.push_str("[source.columns]\n");
        for (k, v) in &c.columns {
            spec.push_str(&format!("{k} = {v:?}\n"));
        }
    }
    if !c.roles.is_empty() {
        spec.push_str("[source.roles]\n");
        for (k, v) in &c.roles {
            spec.push_str(&format!("{k:?} = {v:?}\n"));
        }
    }
    write_spec(dir, "spec.toml", &spec)
}

/// Every text file below `dir` (reports, JSON, Markdown, HTML, SVG) and every Parquet ledger:
/// no marker may appear in them.
fn assert_no_marker_below(dir: &Path, what: &str) {
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        let p = entry.path();
        let name = p.to_string_lossy();
        if !entry.file_type().is_file() {
            continue;
        }
        // The export and the run directory's text-bearing stage files legitimately hold text.
        if name.contains("/chatml/")
            || name.ends_with("01_load.parquet")
            || name.ends_with("05_pii.parquet")
        {
            continue;
        }
        let bytes = std::fs::read(p).unwrap();
        if name.ends_with(".parquet") {
            let df = read_parquet(p);
            let dump = format!("{df:?}");
            for c in df.get_column_names() {
                if let Ok(s) = df.column(c).unwrap().str() {
                    for v in s.iter().flatten() {
                        assert!(
                            !v.contains(MARKER),
                            "{what}: {name} column {c} holds record text"
                        );
                    }
                }
            }
            let _ = dump;
        } else {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(MARKER),
                "{what}: {name} holds record text"
            );
        }
    }
}

/// The generated bad-input corpus (fixtures/bad/corpus, `make_bad.py`): for each case, a build
/// of that source alone never panics, exits as expected, writes one ledger row per record in the
/// files, and prints or publishes no text of the records outside the export.
#[test]
fn bad_input_corpus() {
    let cases: Vec<BadCase> =
        serde_json::from_slice(&std::fs::read(fixtures().join("bad/corpus/cases.json")).unwrap())
            .unwrap();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<&[BadCase]> = cases.chunks(cases.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for c in chunk {
                        if let Err(e) = std::panic::catch_unwind(|| run_case(c)) {
                            let msg = e
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            failures.push(format!("{}: {msg}", c.name));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn run_case(c: &BadCase) {
    let tmp = tempfile::tempdir().unwrap();
    let spec = case_spec(tmp.path(), c);
    let out = tmp.path().join("out");
    let run = tmp.path().join("run");
    let o = trainready(&[
        "build",
        spec.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--run-dir",
        run.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_ne!(o.status.code(), Some(101), "panicked: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(o.status.code(), Some(c.exit), "exit code\nstderr: {stderr}");
    assert!(
        !stdout.contains(MARKER) && !stderr.contains(MARKER),
        "record text printed: {stderr}"
    );
    match c.exit {
        0 | 1 => {
            let ledger = if c.exit == 0 {
                out.join(format!(
                    "releases/bad-{}/1.0.0/ledger.parquet",
                    c.name.replace('_', "-")
                ))
            } else {
                run.join("08_ledger.parquet")
            };
            let l = read_parquet(&ledger);
            let ids = strs_nonnull(&l, "record_id");
            assert_eq!(l.height(), c.records, "ledger rows: {ids:?}");
            let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
            assert_eq!(distinct.len(), ids.len(), "repeated record ids: {ids:?}");
            assert_no_marker_below(&out, "release");
            assert_no_marker_below(&run, "run directory");
            if c.exit == 0 {
                let rel = out.join(format!("releases/bad-{}/1.0.0", c.name.replace('_', "-")));
                let v = trainready(&["verify", rel.to_str().unwrap()]);
                assert_eq!(v.status.code(), Some(0), "verify: {}", text(&v.stderr));
            }
        }
        _ => {
            let file = c.uri.rsplit('/').next().unwrap();
            assert!(
                stderr.contains(file),
                "the error names the object: {stderr}"
            );
        }
    }
    // The standalone commands on the same files: no panic, no text printed.
    let corpus = fixtures().join("bad/corpus");
    let pattern = corpus.join(&c.uri);
    let files: Vec<PathBuf> = if c.uri.ends_with('*') {
        std::fs::read_dir(pattern.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    } else {
        vec![pattern]
    };
    for f in files {
        let f = f.to_str().unwrap();
        for args in [
            vec!["pii", f],
            vec!["dedup", f, "--out", tmp.path().join("d").to_str().unwrap()],
            vec![
                "pii",
                f,
                "--redact",
                tmp.path().join("red.out").to_str().unwrap(),
            ],
        ] {
            let o = trainready(&args);
            let stderr = text(&o.stderr);
            assert!(
                matches!(o.status.code(), Some(0) | Some(2)),
                "{args:?}: exit {:?}: {stderr}",
                o.status.code()
            );
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            assert!(
                !stderr.contains(MARKER) && !text(&o.stdout).contains(MARKER),
                "{args:?} printed record text"
            );
        }
        let redacted = tmp.path().join("red.out");
        if redacted.exists() {
            // The redacted copy keeps every record (line counts are checked by the pii tests).
            let _ = std::fs::remove_file(redacted);
        }
    }
}
