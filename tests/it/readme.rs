//! The README's commands, run as written (with `scripts/trainready` standing for the binary
//! this test run built): the fixture build, `verify` and `query`, in a copy of the fixtures.

use std::process::Command;

use crate::common::*;

/// Every `scripts/trainready ...` line of the README's `sh` blocks in the Set-up section.
fn setup_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let setup = readme
        .split("\n## ")
        .find(|s| s.starts_with("Set-up"))
        .expect("README has a Set-up section");
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in setup.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh" && !in_sh;
            continue;
        }
        if in_sh && let Some(rest) = line.trim().strip_prefix("scripts/trainready ") {
            // Drop a trailing shell comment.
            let rest = rest.split("  #").next().unwrap().trim();
            out.push(rest.to_string());
        }
    }
    out
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

#[test]
fn readme_setup_commands_run_as_written() {
    let commands = setup_commands();
    assert!(
        commands.iter().any(|c| c.starts_with("build "))
            && commands.iter().any(|c| c.starts_with("verify "))
            && commands.iter().any(|c| c.starts_with("query ")),
        "{commands:?}"
    );
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["fixtures", "queries"] {
        copy_dir(&repo().join(dir), &tmp.path().join(dir));
    }
    for c in &commands {
        let args: Vec<&str> = c.split_whitespace().collect();
        let o = Command::new(env!("CARGO_BIN_EXE_trainready"))
            .args(&args)
            .current_dir(tmp.path())
            .env_remove("DATASET_PIPELINE_OUTPUT_DIR")
            .env_remove("DATASET_STORAGE_BACKEND")
            .env_remove("DATASET_STORAGE_LOCAL_PATH")
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "`scripts/trainready {c}`:\n{}\n{}",
            text(&o.stdout),
            text(&o.stderr)
        );
    }
}
