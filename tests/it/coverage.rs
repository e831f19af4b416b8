//! Coverage (runbook step B): required families, waivers, the coverage gate, and
//! `trainready inventory`.

use sha2::Digest;

use crate::common::*;

fn spec_with(tmp: &std::path::Path, coverage: &str) -> std::path::PathBuf {
    let body = fixture_spec_local();
    let body = body[..body.find("[coverage]").unwrap()].to_string() + coverage;
    write_spec(tmp, "cov.toml", &body)
}

#[test]
fn a_missing_required_family_blocks_the_release_until_waived() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_with(
        tmp.path(),
        "[coverage]\nrequired = [\"counselling_qa\", \"voice\"]\n",
    );
    let run = tmp.path().join("run");
    let o = build_with_run(&spec, &tmp.path().join("o"), &run);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("coverage_missing"),
        "{}",
        text(&o.stderr)
    );
    let cov: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("reports/coverage.json")).unwrap()).unwrap();
    let voice = cov["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "voice")
        .unwrap();
    assert_eq!(voice["status"], "missing");
    assert_eq!(cov["missing"], 1);

    let spec = spec_with(
        tmp.path(),
        "[coverage]\nrequired = [\"counselling_qa\", \"voice\"]\nwaived = { voice = \"no licensed voice transcripts yet\" }\n",
    );
    let rel = build_ok(&spec, &tmp.path().join("o2"), "fixtures", "0.1.0");
    let cov: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("reports/coverage.json")).unwrap()).unwrap();
    let fams = cov["families"].as_array().unwrap();
    let voice = fams.iter().find(|f| f["family"] == "voice").unwrap();
    assert_eq!(
        (voice["status"].as_str(), voice["waiver"].as_str()),
        (Some("waived"), Some("no licensed voice transcripts yet"))
    );
    let qa = fams
        .iter()
        .find(|f| f["family"] == "counselling_qa")
        .unwrap();
    assert_eq!(qa["status"], "present");
    assert_eq!(
        qa["sources"],
        serde_json::json!(["counsel-chat-2020", "counsel-chat-html"])
    );
    assert_eq!(qa["phases"], serde_json::json!(["sft"]));
    let m = read_parquet(&rel.join("manifest.parquet"));
    let n = strs_nonnull(&m, "family")
        .iter()
        .filter(|f| *f == "counselling_qa")
        .count() as u64;
    assert_eq!(
        qa["records"].as_u64().unwrap(),
        n,
        "coverage counts what is exported"
    );
}

#[test]
fn inventory_reports_every_object_without_building() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("inv");
    let o = trainready(&[
        "inventory",
        fixtures().join("release.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let inv: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("inventory.json")).unwrap()).unwrap();
    let objs = inv.as_array().unwrap();
    assert_eq!(objs.len(), 14);
    for o in objs {
        let path = fixtures().join(o["uri"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            o["sha256"].as_str().unwrap(),
            hex::encode(sha2::Sha256::digest(&bytes)),
            "{}",
            path.display()
        );
        assert_eq!(o["bytes"].as_u64().unwrap(), bytes.len() as u64);
    }
    let cc = objs
        .iter()
        .find(|o| o["uri"] == "counsel-chat/counsel_chat_2020.csv")
        .unwrap();
    assert_eq!(
        (cc["records"].as_u64(), cc["format"].as_str()),
        (Some(40), Some("csv"))
    );
    assert!(
        cc["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "answerText")
    );
    let cov: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("coverage.json")).unwrap()).unwrap();
    assert_eq!(cov["missing"], 0);
    assert!(
        !tmp.path().join("inv/chatml").exists()
            && !fixtures()
                .join("../out/releases/fixtures/0.1.0/inventory")
                .exists()
    );
    assert!(text(&o.stdout).contains("family counselling_qa"));
}

#[test]
fn plan_shows_sources_stages_routing_and_gates_without_building() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = trainready(&[
        "plan",
        fixtures().join("release.toml").to_str().unwrap(),
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["release"]
            .as_str()
            .unwrap()
            .ends_with("releases/fixtures/0.1.0")
    );
    // Run directories are local cache, never the output (they hold unredacted text).
    assert_eq!(
        v["runs"].as_str().unwrap(),
        test_cache().join("trainready/runs").to_str().unwrap()
    );
    let sources = v["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 12);
    let esconv = sources.iter().find(|s| s["name"] == "esconv").unwrap();
    assert_eq!(
        esconv["objects"].as_array().unwrap().len(),
        3,
        "the glob's matches"
    );
    assert_eq!(
        v["routing"]["psychoeducation"],
        serde_json::json!(["pretraining"])
    );
    let gates: Vec<&str> = v["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    for g in [
        "ledger_balances",
        "coverage_missing",
        "curriculum_min_records.sft",
        "leakage_pairs",
        "pii_residual.PHONE",
    ] {
        assert!(gates.contains(&g), "{g} in {gates:?}");
    }
    let stages: Vec<&str> = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages.first(), Some(&"load"));
    assert!(stages.contains(&"curriculum"));
    assert!(!out.exists(), "plan writes nothing");
    // The text form names the derived LSH banding.
    let o = trainready(&["plan", fixtures().join("release.toml").to_str().unwrap()]);
    assert!(
        text(&o.stdout).contains("LSH 25 bands x 5 rows"),
        "{}",
        text(&o.stdout)
    );
}
