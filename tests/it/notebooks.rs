//! notebooks-data/ holds the fixture release's text-free tables; this test fails when they drift
//! from what the code produces now (regenerate with `scripts/notebooks-data`).

use crate::common::*;

#[test]
fn notebooks_data_matches_the_fixture_release() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = fixture_release(tmp.path());
    let dir = repo().join("notebooks-data");
    let mut expected: Vec<std::path::PathBuf> =
        vec![rel.join("manifest.parquet"), rel.join("ledger.parquet")];
    expected.extend(
        std::fs::read_dir(rel.join("reports"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "parquet")),
    );
    let mut stale = Vec::new();
    for path in &expected {
        let name = path.file_name().unwrap();
        let committed = dir.join(name);
        if !committed.exists() {
            stale.push(format!("{} is missing", name.to_string_lossy()));
            continue;
        }
        let now = read_parquet(path);
        let then = read_parquet(&committed);
        if !now.equals_missing(&then) {
            stale.push(format!(
                "{} differs ({} rows now, {} committed)",
                name.to_string_lossy(),
                now.height(),
                then.height()
            ));
        }
    }
    let names: Vec<_> = expected
        .iter()
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "parquet")
            && !names.contains(&p.file_name().unwrap().to_owned())
        {
            stale.push(format!("{} is no longer produced", p.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "notebooks-data/ is stale (run scripts/notebooks-data):\n  {}",
        stale.join("\n  ")
    );
}
