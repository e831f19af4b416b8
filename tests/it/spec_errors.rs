//! Spec mistakes are clear errors naming the file, the key and the line (exit 2).

use crate::common::*;

const GOOD: &str = r#"[release]
name = "x"
version = "1"

[[source]]
name = "chat"
family = "support_chat_synthetic"
uri = "chatml.jsonl"
mapping = "chatml"
license = "CC0-1.0"
origin = "trainready fixtures"
"#;

fn run(body: &str) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("synthetic/chatml.jsonl"),
        tmp.path().join("chatml.jsonl"),
    )
    .unwrap();
    let spec = write_spec(tmp.path(), "release.toml", body);
    let o = build(&spec, &tmp.path().join("o"));
    (o.status.code(), text(&o.stderr))
}

#[test]
fn good_spec_builds() {
    let (code, err) = run(GOOD);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn unknown_key() {
    let (code, err) = run(&GOOD.replace(
        "mapping = \"chatml\"",
        "mapping = \"chatml\"\nsplitt = \"train\"",
    ));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("release.toml") && err.contains("splitt") && err.contains("line 10"),
        "{err}"
    );
}

#[test]
fn bad_enum_value() {
    let (code, err) = run(&GOOD.replace("mapping = \"chatml\"", "mapping = \"chatlm\""));
    assert_eq!(code, Some(2));
    assert!(err.contains("chatlm") && err.contains("line 9"), "{err}");
}

#[test]
fn missing_provenance_is_denied() {
    let (code, err) = run(&GOOD.replace("origin = \"trainready fixtures\"\n", ""));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("origin") && err.contains("denied by default"),
        "{err}"
    );
    let (code, err) = run(&GOOD.replace("license = \"CC0-1.0\"\n", "license = \"  \"\n"));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("license") && err.contains("denied by default"),
        "{err}"
    );
}

#[test]
fn version_is_required_somewhere() {
    let (code, err) = run(&GOOD.replace("version = \"1\"\n", ""));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("release.version") && err.contains("--version"),
        "{err}"
    );
}
