//! The tamper suite for `trainready verify`: every file of a published release changed,
//! removed, renamed, replaced by a symbolic link, or joined by an extra file; each change with
//! and without `release.json`'s hashes fixed up to match. Each must exit 1 (or 2 when
//! `release.json` no longer parses), never 0 and never 101.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::Digest;

use crate::common::*;

fn sha(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

fn files_of(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

/// A meaningful change of a file that keeps it well-formed where it can.
fn change(path: &Path) {
    let name = path.to_string_lossy().to_string();
    if name.ends_with(".parquet") {
        let mut df = read_parquet(path);
        let col: Option<String> = df
            .columns()
            .iter()
            .find(|c| c.dtype() == &DataType::String && c.null_count() < c.len())
            .map(|c| c.name().to_string());
        if let Some(col) = col {
            let s = df.column(&col).unwrap().str().unwrap().clone();
            let mut done = false;
            let changed: StringChunked = s
                .iter()
                .map(|v| match v {
                    Some(v) if !done => {
                        done = true;
                        Some(format!("{v}x"))
                    }
                    other => other.map(str::to_string),
                })
                .collect();
            df.replace(&col, changed.with_name(col.as_str().into()).into_column())
                .unwrap();
        } else if df.height() > 0 {
            // Numbers only: drop the last row.
            df = df.slice(0, df.height() - 1);
        } else {
            let extra = df!("tampered" => ["x"]).unwrap();
            df = extra;
        }
        let f = std::fs::File::create(path).unwrap();
        ParquetWriter::new(f).finish(&mut df).unwrap();
    } else if name.ends_with(".json") {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        if !bump_first_number(&mut v) {
            v["tampered"] = serde_json::json!(true);
        }
        std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    } else if name.ends_with(".jsonl") {
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        if let Some(m) = v.get_mut("messages").and_then(|m| m.get_mut(0)) {
            m["content"] =
                serde_json::json!(format!("{} (edited)", m["content"].as_str().unwrap()));
        } else if let Some(t) = v.get_mut("text") {
            *t = serde_json::json!(format!("{} (edited)", t.as_str().unwrap()));
        } else if let Some(p) = v.get_mut("chosen").and_then(|m| m.get_mut(0)) {
            p["content"] = serde_json::json!("a better answer");
        }
        lines[0] = serde_json::to_string(&v).unwrap();
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    } else {
        // Markdown, HTML, SVG: change the first digit, else add a character.
        let mut b = std::fs::read(path).unwrap();
        match b.iter().position(u8::is_ascii_digit) {
            Some(i) => b[i] = if b[i] == b'9' { b'1' } else { b[i] + 1 },
            None => b.push(b'x'),
        }
        std::fs::write(path, b).unwrap();
    }
}

fn bump_first_number(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            *v = serde_json::json!(x + 1.0);
            true
        }
        serde_json::Value::Array(a) => a.iter_mut().any(bump_first_number),
        serde_json::Value::Object(o) => o.values_mut().any(bump_first_number),
        _ => false,
    }
}

/// Rewrite release.json's entry for `rel` (and the root hash) to match the file as it is now.
fn fix_up(root: &Path, rel: &str) {
    let rj_path = root.join("release.json");
    let mut rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&rj_path).unwrap()).unwrap();
    let bytes = std::fs::read(root.join(rel)).unwrap_or_default();
    for list in ["shards", "files"] {
        for e in rj[list].as_array_mut().unwrap() {
            if e["path"] == rel {
                e["sha256"] = serde_json::json!(sha(&bytes));
                e["bytes"] = serde_json::json!(bytes.len());
            }
        }
    }
    let mut h = sha2::Sha256::new();
    for s in rj["shards"].as_array().unwrap() {
        h.update(format!(
            "{}  {}\n",
            s["sha256"].as_str().unwrap(),
            s["path"].as_str().unwrap()
        ));
    }
    rj["root_sha256"] = serde_json::json!(hex::encode(h.finalize()));
    std::fs::write(&rj_path, serde_json::to_vec_pretty(&rj).unwrap()).unwrap();
}

/// Remove `rel` from release.json's lists (a consistent deletion).
fn unlist(root: &Path, rel: &str) {
    let rj_path = root.join("release.json");
    let mut rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&rj_path).unwrap()).unwrap();
    for list in ["shards", "files"] {
        rj[list]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["path"] != rel);
    }
    std::fs::write(&rj_path, serde_json::to_vec_pretty(&rj).unwrap()).unwrap();
    fix_up(root, "release.json");
}

fn edit_release_json(root: &Path, f: impl Fn(&mut serde_json::Value)) {
    let rj_path = root.join("release.json");
    let mut rj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&rj_path).unwrap()).unwrap();
    f(&mut rj);
    std::fs::write(&rj_path, serde_json::to_vec_pretty(&rj).unwrap()).unwrap();
}

type Tamper = Box<dyn Fn(&Path) + Sync>;

#[test]
fn tamper_suite_every_change_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let release = fixture_release(&tmp.path().join("out"));
    let o = trainready(&["verify", release.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();

    let mut cases: Vec<(String, Tamper)> = Vec::new();
    for rel in files_of(&release) {
        let r = rel.clone();
        if rel != "release.json" {
            cases.push((
                format!("change {rel}"),
                Box::new(move |root: &Path| change(&root.join(&r))),
            ));
            let r = rel.clone();
            cases.push((
                format!("change {rel}, hashes fixed"),
                Box::new(move |root: &Path| {
                    change(&root.join(&r));
                    fix_up(root, &r);
                }),
            ));
            let r = rel.clone();
            cases.push((
                format!("remove {rel}, unlisted"),
                Box::new(move |root: &Path| {
                    std::fs::remove_file(root.join(&r)).unwrap();
                    unlist(root, &r);
                }),
            ));
        }
        let r = rel.clone();
        cases.push((
            format!("remove {rel}"),
            Box::new(move |root: &Path| std::fs::remove_file(root.join(&r)).unwrap()),
        ));
        let r = rel.clone();
        cases.push((
            format!("rename {rel}"),
            Box::new(move |root: &Path| {
                std::fs::rename(root.join(&r), root.join(format!("{r}.old"))).unwrap()
            }),
        ));
        let (r, o) = (rel.clone(), outside.clone());
        cases.push((
            format!("symlink {rel} to an identical copy"),
            Box::new(move |root: &Path| {
                let target = o.join(r.replace('/', "_"));
                std::fs::copy(root.join(&r), &target).unwrap();
                std::fs::remove_file(root.join(&r)).unwrap();
                std::os::unix::fs::symlink(&target, root.join(&r)).unwrap();
            }),
        ));
        let r = rel.clone();
        cases.push((
            format!("extra file beside {rel}"),
            Box::new(move |root: &Path| {
                let p = root.join(&r);
                let hidden =
                    p.with_file_name(format!(".{}#1", p.file_name().unwrap().to_string_lossy()));
                std::fs::copy(&p, hidden).unwrap();
            }),
        ));
    }
    cases.push((
        "release.json: every gate failed".into(),
        Box::new(|root: &Path| {
            edit_release_json(root, |rj| {
                for g in rj["gates"].as_array_mut().unwrap() {
                    g["passed"] = serde_json::json!(false);
                }
            })
        }),
    ));
    cases.push((
        "release.json and gates.json: a failing gate removed".into(),
        Box::new(|root: &Path| {
            edit_release_json(root, |rj| {
                rj["gates"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|g| !g["name"].as_str().unwrap().starts_with("pii_residual"));
            });
            let g: serde_json::Value =
                serde_json::from_slice(&std::fs::read(root.join("release.json")).unwrap()).unwrap();
            std::fs::write(
                root.join("reports/gates.json"),
                serde_json::to_vec_pretty(&g["gates"]).unwrap(),
            )
            .unwrap();
            fix_up(root, "reports/gates.json");
        }),
    ));
    cases.push((
        "release.json: a gate's value changed".into(),
        Box::new(|root: &Path| {
            edit_release_json(root, |rj| {
                rj["gates"][0]["value"] = serde_json::json!(42.0);
            })
        }),
    ));
    cases.push((
        "release.json: counts changed".into(),
        Box::new(|root: &Path| {
            edit_release_json(root, |rj| {
                let n = rj["counts"]["input"].as_u64().unwrap();
                rj["counts"]["input"] = serde_json::json!(n + 1);
                let r = rj["counts"]["by_status"]["rejected"].as_u64().unwrap();
                rj["counts"]["by_status"]["rejected"] = serde_json::json!(r + 1);
            })
        }),
    ));
    cases.push((
        "release.json: a licence changed, spec hash fixed".into(),
        Box::new(|root: &Path| {
            edit_release_json(root, |rj| {
                rj["spec"]["sources"][0]["license"] = serde_json::json!("CC0-1.0");
                let spec = serde_json::to_vec(&rj["spec"]).unwrap();
                rj["spec_sha256"] = serde_json::json!(sha(&spec));
            })
        }),
    ));
    cases.push((
        "release.json: a shard sha256 with a non-ASCII character".into(),
        Box::new(|root: &Path| {
            edit_release_json(root, |rj| {
                rj["shards"][0]["sha256"] = serde_json::json!("é".repeat(40));
            })
        }),
    ));
    cases.push((
        "release.json: a path out of the release".into(),
        Box::new(|root: &Path| {
            edit_release_json(root, |rj| {
                rj["files"][0]["path"] = serde_json::json!("../../../etc/passwd");
            })
        }),
    ));
    cases.push((
        "release.json: not JSON".into(),
        Box::new(|root: &Path| std::fs::write(root.join("release.json"), b"{not json").unwrap()),
    ));
    cases.push((
        "a hidden shard beside the real ones".into(),
        Box::new(|root: &Path| {
            let dir = root.join("chatml/sft/train");
            let first = std::fs::read_dir(&dir)
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path();
            let name = first.file_name().unwrap().to_string_lossy().to_string();
            std::fs::write(dir.join(format!("{name}#1")), b"{\"messages\": []}\n").unwrap();
        }),
    ));
    cases.push((
        "a file outside chatml/".into(),
        Box::new(|root: &Path| std::fs::write(root.join("NOTES.txt"), b"extra").unwrap()),
    ));
    cases.push((
        "a folder symlinked in".into(),
        Box::new(|root: &Path| {
            std::os::unix::fs::symlink("/tmp", root.join("reports/more")).unwrap()
        }),
    ));

    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<(usize, &(String, Tamper))>> = {
            let mut c: Vec<Vec<_>> = vec![Vec::new(); 4];
            for (i, case) in cases.iter().enumerate() {
                c[i % 4].push((i, case));
            }
            c
        };
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let (work, release) = (work.clone(), release.clone());
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for (i, (name, tamper)) in chunk {
                        let root: PathBuf = work.join(format!("case{i}"));
                        copy_dir(&release, &root);
                        tamper(&root);
                        let o = trainready(&["verify", root.to_str().unwrap()]);
                        let code = o.status.code();
                        if !matches!(code, Some(1) | Some(2)) {
                            failures.push(format!("{name}: exit {code:?}: {}", text(&o.stderr)));
                        }
                        let _ = std::fs::remove_dir_all(&root);
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
        "{} of {} tamperings passed verify:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
