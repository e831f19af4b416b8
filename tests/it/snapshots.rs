//! Snapshots (insta, files under `tests/it/snapshots/`) of what a person reads: every command's
//! `--help`, `plan` of the fixture spec, `check`, `verify` and the fixture release's report.
//! Temporary and checkout paths are filtered to `[TMP]` and `[REPO]`. Review a changed
//! snapshot with `cargo insta review` (or read the `.snap.new` file) before accepting it.

use std::process::Command;

use crate::common::*;

/// The subcommands, in `--help` order.
const COMMANDS: [&str; 11] = [
    "check",
    "inventory",
    "plan",
    "build",
    "publish",
    "verify",
    "query",
    "diff",
    "dedup",
    "pii",
    "runs",
];

fn settings(tmp: &std::path::Path) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(&regex_escape(tmp.to_str().unwrap()), "[TMP]");
    s.add_filter(&regex_escape(test_cache().to_str().unwrap()), "[CACHE]");
    s.add_filter(&regex_escape(repo().to_str().unwrap()), "[REPO]");
    s.add_filter(r"\d{8}T\d{6}Z\.\d{9}-[0-9a-f]{8}-[0-9a-f]{8}", "[RUN-ID]");
    s.add_filter(r"trainready-probe-\d+", "trainready-probe-[PID]");
    s.set_prepend_module_to_snapshot(false);
    s
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// The binary with none of the runbook's storage variables set.
fn clean(args: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trainready"));
    c.args(args).env("RUST_LOG", "trainready=info");
    for v in trainready::commands::check::VARIABLES {
        c.env_remove(v);
    }
    // Run directories (named by `plan`) in the tests' own cache, shown as `[CACHE]`.
    c.env("XDG_CACHE_HOME", test_cache());
    c.output().unwrap()
}

#[test]
fn help_of_every_command_is_its_own_with_one_examples_block() {
    let tmp = tempfile::tempdir().unwrap();
    settings(tmp.path()).bind(|| {
        let top = clean(&["--help"]);
        assert_eq!(top.status.code(), Some(0));
        insta::assert_snapshot!("help", text(&top.stdout));
        for c in COMMANDS {
            let o = clean(&[c, "--help"]);
            assert_eq!(o.status.code(), Some(0), "{c}");
            let h = text(&o.stdout);
            assert_eq!(h.matches("Examples:").count(), 1, "`{c} --help`:\n{h}");
            assert!(h.contains(&format!("Usage: trainready {c}")), "{h}");
            assert!(
                h.contains(&format!("trainready {c} ")),
                "its examples run `{c}`: {h}"
            );
            insta::assert_snapshot!(format!("help_{c}"), h);
        }
    });
}

#[test]
fn plan_of_the_fixture_spec() {
    let tmp = tempfile::tempdir().unwrap();
    settings(tmp.path()).bind(|| {
        let o = clean(&[
            "plan",
            fixtures().join("release.toml").to_str().unwrap(),
            "--output",
            tmp.path().join("out").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        insta::assert_snapshot!("plan_fixtures", text(&o.stdout));
    });
}

#[test]
fn check_of_a_local_output() {
    let tmp = tempfile::tempdir().unwrap();
    settings(tmp.path()).bind(|| {
        let o = clean(&[
            "check",
            "--output",
            tmp.path().join("out").to_str().unwrap(),
            "--write-probe",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        insta::assert_snapshot!("check_local", text(&o.stdout));
    });
}

#[test]
fn report_and_verify_of_the_fixture_release() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(&tmp.path().join("out"));
    settings(tmp.path()).bind(|| {
        let report = std::fs::read_to_string(rel.join("reports/report.md")).unwrap();
        insta::assert_snapshot!("report_fixtures", report);
        let o = clean(&["verify", rel.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        insta::assert_snapshot!("verify_fixtures", text(&o.stdout));
    });
}
