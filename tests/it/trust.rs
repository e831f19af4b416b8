//! Trust (issue 16): nothing disappears quietly, versions are versions, licences follow a
//! policy, a review is recorded before publishing, run directories are local cache, `check`
//! tells the truth about local storage. (The S3 sides are in `s3.rs`.)

use std::process::Command;

use crate::common::*;

fn qa_spec(
    dir: &std::path::Path,
    extra_release: &str,
    answer: &str,
    extra: &str,
) -> std::path::PathBuf {
    write_spec(
        dir,
        "spec.toml",
        &format!(
            "[release]\nname = \"t\"\nversion = \"1.0.0\"\n{extra_release}\n[[source]]\nname = \"cc\"\nfamily = \"counselling_qa\"\nuri = {:?}\nmapping = \"qa\"\nlicense = \"MIT\"\norigin = \"https://github.com/nbertagnolli/counsel-chat\"\n[source.columns]\nquestion = [\"questionTitle\", \"questionText\"]\nanswer = {answer:?}\n\n[[source]]\nname = \"notes\"\nfamily = \"support_chat\"\nuri = {:?}\nmapping = \"chatml\"\nlicense = \"CC-BY-NC-4.0\"\norigin = \"trainready fixtures\"\n\n[leakage]\npolicy = \"drop-from-train\"\n{extra}",
            fixtures()
                .join("counsel-chat/counsel_chat_2020.csv")
                .to_str()
                .unwrap(),
            fixtures().join("synthetic/chatml.jsonl").to_str().unwrap(),
        ),
    )
}

#[test]
fn r16_a_column_typo_blocks_the_release_naming_the_source() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = qa_spec(tmp.path(), "", "answer_text", "");
    let o = build(&spec, &tmp.path().join("out"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("source_loaded.cc"), "{err}");
    assert!(
        err.contains("source `cc`: 0 of 40 records loaded, 40 rejected"),
        "{err}"
    );
    assert!(
        err.contains("missing required column `answer_text`"),
        "{err}"
    );
    // The WARN at load names the source, the count and the reason.
    assert!(
        err.contains("WARN") && err.contains("source=cc") && err.contains("rejected=40"),
        "{err}"
    );
    assert!(!tmp.path().join("out/releases/t/1.0.0").exists());
}

#[test]
fn r16_versions_are_numbers_or_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = qa_spec(tmp.path(), "", "answerText", "");
    for bad in [
        "final",
        "latest",
        "new",
        "ultimate",
        "1.2.3.4",
        "2026-13-40",
        "v",
        "1.0-beta",
    ] {
        let o = trainready(&["plan", spec.to_str().unwrap(), "--version", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("is a number"),
            "{bad}: {}",
            text(&o.stderr)
        );
    }
    for good in [
        "1",
        "2.1",
        "1.2.0",
        "v3.0.1",
        "2026-11-29",
        "2026.11.29",
        "1.2.0-rc2",
        "2026-11-29-rc1",
    ] {
        let o = trainready(&["plan", spec.to_str().unwrap(), "--version", good]);
        assert_eq!(o.status.code(), Some(0), "{good}: {}", text(&o.stderr));
    }
    let spec = write_spec(
        tmp.path(),
        "final.toml",
        &std::fs::read_to_string(&spec)
            .unwrap()
            .replace("version = \"1.0.0\"", "version = \"final\""),
    );
    let o = trainready(&["build", spec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("release.version"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn r16_a_licence_outside_the_policy_blocks_and_every_licence_is_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = qa_spec(
        tmp.path(),
        "",
        "answerText",
        "\n[provenance]\ndeny = [\"*-NC-*\"]\n",
    );
    let o = build(&spec, &tmp.path().join("out"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("provenance_license_policy"), "{err}");
    assert!(err.contains("`notes` (CC-BY-NC-4.0)"), "{err}");
    // With the licence allowed, the release lists every licence with its sources and records.
    let spec = qa_spec(
        tmp.path(),
        "",
        "answerText",
        "\n[provenance]\nallow = [\"MIT\", \"CC-BY-NC-4.0\"]\n",
    );
    let rel = build_ok(&spec, &tmp.path().join("out2"), "t", "1.0.0");
    let rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("release.json")).unwrap()).unwrap();
    let licenses = rj["licenses"].as_array().unwrap();
    assert_eq!(licenses.len(), 2, "{licenses:?}");
    assert_eq!(licenses[0]["license"], "CC-BY-NC-4.0");
    assert_eq!(licenses[0]["sources"], serde_json::json!(["notes"]));
    assert_eq!(licenses[0]["exported"], 12);
    let report = std::fs::read_to_string(rel.join("reports/report.md")).unwrap();
    assert!(
        report.contains("| `CC-BY-NC-4.0` | notes | 12 |"),
        "{report}"
    );
    // No policy: still listed, with a reminder.
    let spec = qa_spec(tmp.path(), "", "answerText", "");
    let rel = build_ok(&spec, &tmp.path().join("out3"), "t", "1.0.0");
    let report = std::fs::read_to_string(rel.join("reports/report.md")).unwrap();
    assert!(report.contains("No licence policy"), "{report}");
}

#[test]
fn r16_a_review_is_required_before_publishing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = qa_spec(tmp.path(), "require_review = true", "answerText", "");
    let out = tmp.path().join("out");
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &out, &run);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("awaiting review"),
        "{}",
        text(&o.stdout)
    );
    let rel = out.join("releases/t/1.0.0");
    assert!(!rel.exists(), "nothing is published before the review");
    let report = std::fs::read_to_string(run.join("reports/report.md")).unwrap();
    assert!(report.contains("requires a review"), "{report}");
    // publish without a reviewer is refused; with one it publishes and records it.
    let o = trainready(&["publish", run.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("--reviewed-by"),
        "{}",
        text(&o.stderr)
    );
    assert!(!rel.exists());
    let o = trainready(&[
        "publish",
        run.to_str().unwrap(),
        "--reviewed-by",
        "A. Reviewer",
        "--note",
        "licences and breakdowns read",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("release.json")).unwrap()).unwrap();
    assert_eq!(rj["review"]["by"], "A. Reviewer");
    assert_eq!(rj["review"]["note"], "licences and breakdowns read");
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
    // A review removed afterwards is caught.
    let mut rj = rj;
    rj.as_object_mut().unwrap().remove("review");
    std::fs::write(
        rel.join("release.json"),
        serde_json::to_vec_pretty(&rj).unwrap(),
    )
    .unwrap();
    let v = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
    assert!(
        text(&v.stderr).contains("requires a review"),
        "{}",
        text(&v.stderr)
    );
}

#[test]
fn r16_run_directories_are_local_cache_and_can_be_listed_and_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let spec = qa_spec(tmp.path(), "", "answerText", "");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_trainready"))
            .args(args)
            .env("XDG_CACHE_HOME", &cache)
            .env_remove("DATASET_PIPELINE_OUTPUT_DIR")
            .env_remove("DATASET_STORAGE_BACKEND")
            .output()
            .unwrap()
    };
    let o = run(&[
        "build",
        spec.to_str().unwrap(),
        "--output",
        tmp.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let runs_root = cache.join("trainready/runs");
    let dirs: Vec<_> = std::fs::read_dir(&runs_root).unwrap().collect();
    assert_eq!(dirs.len(), 1);
    assert!(
        !tmp.path().join("out/runs").exists(),
        "no run directory beside the releases"
    );
    let o = run(&["runs", "list"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("published"), "{}", text(&o.stdout));
    let o = run(&["runs", "clean", "--older-than", "0s", "--dry-run"]);
    assert!(
        text(&o.stdout).contains("would remove"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(std::fs::read_dir(&runs_root).unwrap().count(), 1);
    let o = run(&["runs", "clean", "--older-than", "0s"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_dir(&runs_root).unwrap().count(), 0);
}

#[test]
fn r16_local_path_variable_and_backend_without_bucket() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = qa_spec(tmp.path(), "", "answerText", "");
    let base = |c: &mut Command| {
        c.env("XDG_CACHE_HOME", test_cache())
            .env_remove("DATASET_PIPELINE_OUTPUT_DIR")
            .env_remove("OVH_S3_BUCKET")
            .env_remove("GCS_BUCKET");
    };
    // DATASET_STORAGE_LOCAL_PATH is the default output of the local backend.
    let local = tmp.path().join("local-root");
    let mut c = Command::new(env!("CARGO_BIN_EXE_trainready"));
    c.args(["build", spec.to_str().unwrap()])
        .env("DATASET_STORAGE_LOCAL_PATH", &local);
    base(&mut c);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(local.join("releases/t/1.0.0/release.json").exists());
    // gcs without its bucket: a problem for check, an error for build (never a local write).
    for args in [vec!["check"], vec!["build", spec.to_str().unwrap()]] {
        let mut c = Command::new(env!("CARGO_BIN_EXE_trainready"));
        c.args(&args).env("DATASET_STORAGE_BACKEND", "gcs");
        base(&mut c);
        let o = c.output().unwrap();
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {all}");
        assert!(all.contains("GCS_BUCKET"), "{all}");
    }
}

#[test]
fn r16_check_fails_on_a_source_that_matches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(
        tmp.path(),
        "spec.toml",
        "[release]\nname = \"t\"\nversion = \"1\"\n[[source]]\nname = \"gone\"\nfamily = \"f\"\nuri = \"nowhere/*.jsonl\"\nmapping = \"chatml\"\nlicense = \"MIT\"\norigin = \"x\"\n",
    );
    let o = trainready(&[
        "check",
        spec.to_str().unwrap(),
        "--output",
        tmp.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    let out = text(&o.stdout);
    assert!(
        out.contains("matches no object") && out.contains("nowhere/*.jsonl"),
        "{out}"
    );
    assert!(out.contains("check failed"), "{out}");
}
