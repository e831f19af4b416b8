//! Gates and the QA report: a failing fixture spec, the built-in gates that a spec can trip
//! (the others are unit-tested in `src/gates.rs`), drift against a baseline release, and the
//! report's content (figures present, no raw text, small cells suppressed).

use crate::common::*;

#[test]
fn failing_fixture_spec_publishes_nothing_and_reports_by_how_much() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let o = build_with_run(
        &fixtures().join("failing-gates.toml"),
        &tmp.path().join("o"),
        &run,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        !tmp.path()
            .join("o/releases/fixtures-failing/0.1.0/release.json")
            .exists()
    );
    assert!(!tmp.path().join("o/releases").exists(), "no shard either");
    let gates = json_file(&run.join("reports/gates.json"));
    let g = gate(&gates, "assistant_answers_long_enough");
    assert_eq!(g["passed"], false);
    let value = g["value"].as_f64().unwrap();
    assert!(value < 400.0 && value > 50.0, "{value}");
    let detail = g["detail"].as_str().unwrap();
    assert!(detail.contains("off by"), "{detail}");
    // Every other gate passed: the failure is the one the spec asked for.
    let failed = gates
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["passed"] == false)
        .count();
    assert_eq!(failed, 1);
    let report = std::fs::read_to_string(run.join("reports/report.md")).unwrap();
    assert!(report.contains("**Verdict: BLOCKED**"), "{report}");
    assert!(report.contains("| `assistant_answers_long_enough` | **FAIL** |"));
    assert!(report.contains(detail));
}

#[test]
fn an_empty_release_fails_release_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = fixtures().join("bad/empty.jsonl");
    let spec = write_spec(
        tmp.path(),
        "empty.toml",
        &format!(
            "[release]\nname = \"empty\"\nversion = \"1\"\n\n[[source]]\nname = \"e\"\nfamily = \"f\"\nuri = \"{}\"\nmapping = \"chatml\"\nlicense = \"CC0-1.0\"\norigin = \"test\"\n",
            empty.display()
        ),
    );
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let gates = json_file(&run.join("reports/gates.json"));
    assert_eq!(gate(&gates, "release_not_empty")["passed"], false);
    assert_eq!(gate(&gates, "ledger_balances")["passed"], true);
    // The report still renders over an empty export.
    let report = std::fs::read_to_string(run.join("reports/report.md")).unwrap();
    assert!(report.contains("`release_not_empty` | **FAIL**"));
}

/// The fixture spec plus a `[drift]` table, optionally without the psychoeducation notes (their
/// source and their pretraining phase).
fn drift_spec(
    dir: &std::path::Path,
    name: &str,
    drift: &str,
    without_notes: bool,
) -> std::path::PathBuf {
    let mut body = fixture_spec_local();
    if without_notes {
        let start = body.find("[[source]]\nname = \"psychoeducation\"").unwrap();
        // The source's block ends where the spec's [provenance] comment starts.
        let end = start + body[start..].find("# Runbook: deny by default").unwrap();
        body.replace_range(start..end, "");
        let phase = "[[curriculum.phase]]\nname = \"pretraining\"\nkind = \"pretraining\"\nfamilies = [\"psychoeducation\"]\n";
        assert!(body.contains(phase));
        body = body.replace(phase, "");
    }
    write_spec(dir, name, &format!("{body}\n{drift}"))
}

#[test]
fn drift_gates_compare_with_a_baseline_release() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fixture_release(&tmp.path().join("base"));
    let baseline = format!("[drift]\nbaseline = \"{}\"\n", base.display());

    // The same inputs: no drift, every drift gate passes with 0.
    let spec = drift_spec(tmp.path(), "same.toml", &baseline, false);
    let rel = build_ok(&spec, &tmp.path().join("same"), "fixtures", "0.1.0");
    let stats = json_file(&rel.join("reports/stats.json"));
    assert_eq!(stats["drift"]["family_share_change_max"], 0.0);
    assert_eq!(stats["drift"]["records_change"], 0.0);
    let gates = json_file(&rel.join("reports/gates.json"));
    for g in ["drift_family_share", "drift_median_chars", "drift_records"] {
        assert_eq!(gate(&gates, g)["passed"], true, "{g}");
    }

    // Without the psychoeducation notes (8 of 142 lines): the share and count changes are
    // measured, and a tight limit fails.
    let spec = drift_spec(
        tmp.path(),
        "fewer.toml",
        &format!("{baseline}max_family_share_change = 0.02\nmax_records_change = 0.05\n"),
        true,
    );
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("fewer"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let stats = json_file(&run.join("reports/stats.json"));
    let change = stats["drift"]["family_share_change"]["psychoeducation"]
        .as_f64()
        .unwrap();
    assert!((change - 8.0 / 142.0).abs() < 1e-9, "{change}");
    let records = stats["drift"]["records_change"].as_f64().unwrap();
    assert!((records - 8.0 / 142.0).abs() < 1e-9, "{records}");
    let gates = json_file(&run.join("reports/gates.json"));
    assert_eq!(gate(&gates, "drift_family_share")["passed"], false);
    assert_eq!(gate(&gates, "drift_records")["passed"], false);

    // A baseline that cannot be read fails closed, saying why.
    let spec = drift_spec(
        tmp.path(),
        "nobase.toml",
        &format!(
            "[drift]\nbaseline = \"{}\"\n",
            tmp.path().join("nope").display()
        ),
        false,
    );
    let run = tmp.path().join("run2");
    let o = build_with_run(&spec, &tmp.path().join("nobase"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let stats = json_file(&run.join("reports/stats.json"));
    assert!(stats["drift"]["error"].as_str().unwrap().contains("nope"));
    let gates = json_file(&run.join("reports/gates.json"));
    let g = gate(&gates, "drift_records");
    assert_eq!(g["passed"], false);
    assert!(g["detail"].as_str().unwrap().contains("missing"));
}

#[test]
fn report_has_its_figures_and_no_raw_text() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let md = std::fs::read_to_string(rel.join("reports/report.md")).unwrap();
    let html = std::fs::read_to_string(rel.join("reports/report.html")).unwrap();
    assert!(md.contains("**Verdict: every gate passed**"));
    // Every figure the markdown links exists, is an SVG, and is inlined in the HTML.
    let figures: Vec<&str> = md
        .split("](figures/")
        .skip(1)
        .map(|s| &s[..s.find(')').unwrap()])
        .collect();
    assert_eq!(figures.len(), 7, "{figures:?}");
    for f in &figures {
        let svg = std::fs::read_to_string(rel.join("reports/figures").join(f)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{f}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 7);
    assert!(
        !html.contains("src=\""),
        "self-contained: nothing loaded from elsewhere"
    );
    // Small cells: AnnoMI has 3 records, shown as <5 in the per-source table.
    assert!(md.contains("| annomi | <5 | <5 |"), "{md}");
    // No message text: no 8-word run of any exported message appears in the report.
    for (_, line) in shard_records(&rel) {
        let texts: Vec<String> = match (line.get("messages"), line.get("text")) {
            (Some(m), _) => m
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["content"].as_str().unwrap().to_string())
                .collect(),
            (_, Some(t)) => vec![t.as_str().unwrap().to_string()],
            _ => Vec::new(),
        };
        for t in texts {
            let words: Vec<&str> = t.split_whitespace().collect();
            for w in words.windows(8).step_by(4) {
                let phrase = w.join(" ");
                assert!(!md.contains(&phrase) && !html.contains(&phrase), "{phrase}");
            }
        }
    }
    // The release lists the report files with their checksums.
    let rj = json_file(&rel.join("release.json"));
    let files: Vec<&str> = rj["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"reports/report.md") && files.contains(&"reports/figures/waterfall.svg")
    );
}

#[test]
fn every_statistics_query_runs_over_a_release_as_analysts_would() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let mut n = 0;
    for e in std::fs::read_dir(repo().join("queries")).unwrap() {
        let path = e.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = tmp.path().join(format!("{stem}.parquet"));
        let o = trainready(&[
            "query",
            path.to_str().unwrap(),
            "--release",
            rel.to_str().unwrap(),
            "--format",
            "parquet",
        ]);
        assert_eq!(o.status.code(), Some(0), "{stem}: {}", text(&o.stderr));
        std::fs::write(&out, &o.stdout).unwrap();
        let by_hand = read_parquet(&out);
        let in_release = read_parquet(&rel.join(format!("reports/stats_{stem}.parquet")));
        assert!(
            by_hand.equals_missing(&in_release),
            "{stem}: the query over the release differs from the build's table"
        );
        n += 1;
    }
    assert_eq!(n, 17);
}

#[test]
fn publish_finishes_a_half_done_publish_and_refuses_a_blocked_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let run = tmp.path().join("run");
    let o = build_with_run(&fixtures().join("release.toml"), &out, &run);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rel = out.join("releases/fixtures/0.1.0");
    // A publish that stopped half-way: no release.json, a shard and the ledger missing.
    let rj = json_file(&rel.join("release.json"));
    std::fs::remove_file(rel.join("release.json")).unwrap();
    std::fs::remove_file(rel.join(rj["shards"][0]["path"].as_str().unwrap())).unwrap();
    std::fs::remove_file(rel.join("ledger.parquet")).unwrap();
    let p = trainready(&["publish", run.to_str().unwrap()]);
    assert_eq!(p.status.code(), Some(0), "{}", text(&p.stderr));
    assert_eq!(
        json_file(&rel.join("release.json")),
        rj,
        "the same release.json"
    );
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
    // Versions stay create-only.
    let again = trainready(&["publish", run.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"));

    // A run whose gates failed has nothing to publish.
    let blocked = tmp.path().join("blocked");
    let o = build_with_run(
        &fixtures().join("failing-gates.toml"),
        &tmp.path().join("o2"),
        &blocked,
    );
    assert_eq!(o.status.code(), Some(1));
    let p = trainready(&["publish", blocked.to_str().unwrap()]);
    assert_eq!(p.status.code(), Some(2));
    assert!(
        text(&p.stderr).contains("did not pass its gates"),
        "{}",
        text(&p.stderr)
    );
    assert!(!tmp.path().join("o2/releases").exists());
}
