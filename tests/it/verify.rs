//! `trainready verify`: intact releases pass; any change is named.

use crate::common::*;

#[test]
fn verify_passes_then_names_a_corrupted_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let o = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).starts_with("ok "));

    let rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("release.json")).unwrap()).unwrap();
    let shard = rj["shards"][0]["path"].as_str().unwrap().to_string();
    let p = rel.join(&shard);
    let mut bytes = std::fs::read(&p).unwrap();
    let i = bytes.iter().position(|b| b.is_ascii_lowercase()).unwrap();
    bytes[i] = bytes[i].to_ascii_uppercase();
    std::fs::write(&p, &bytes).unwrap();
    let o = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains(&shard) && err.contains("sha256"), "{err}");
}

#[test]
fn verify_catches_ledger_and_manifest_tampering() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    // A stray shard that release.json does not list.
    let stray = rel.join("chatml/sft/train/part-00099-deadbeef.jsonl");
    std::fs::write(&stray, "{}\n").unwrap();
    let o = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("part-00099-deadbeef.jsonl"),
        "{}",
        text(&o.stderr)
    );
    std::fs::remove_file(&stray).unwrap();

    // A ledger that no longer matches its checksum.
    let ledger = rel.join("ledger.parquet");
    let mut b = std::fs::read(&ledger).unwrap();
    let n = b.len();
    b[n / 2] ^= 0x55;
    std::fs::write(&ledger, &b).unwrap();
    let o = trainready(&["verify", rel.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("ledger.parquet"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn verify_of_a_folder_without_a_release_is_a_tool_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = trainready(&["verify", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no release.json"));
}
