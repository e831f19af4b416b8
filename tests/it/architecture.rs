//! The shape of the crate: the top-level modules of `src/` form layers with no import circle.
//! A module depends on another when a line of it outside comments and its unit tests names
//! `crate::<other>`. The test prints the graph and fails on any circle, and on a stage importing
//! another stage or anything above the stages.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;

/// Layers from the bottom; a module may import only modules of lower layers (and `fuzzing`,
/// a test entry point, anything).
const LAYERS: &[&[&str]] = &[
    &["error"],
    &["schema"],
    &["storage", "normalize", "records", "tokens"],
    &["kernels"],
    &[
        "load",
        "quality",
        "split",
        "dedup",
        "leakage",
        "pii",
        "curriculum",
        "export",
        "manifest",
        "stats",
        "gates",
        "coverage",
        "report",
    ],
    &["release", "spec"],
    &["pipeline"],
    &["commands"],
    &["cli"],
    &["fuzzing"],
];

fn graph(src: &std::path::Path) -> BTreeMap<String, BTreeSet<String>> {
    let src = src.to_path_buf();
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&src).into_iter().flatten() {
        if e.path().extension().is_some_and(|x| x == "rs") {
            files.push(e.path().to_path_buf());
        }
    }
    let top = |p: &std::path::Path| -> String {
        let rel = p.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .to_string();
        first.trim_end_matches(".rs").to_string()
    };
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let t = top(f);
        if t != "main" && t != "lib" {
            g.entry(t).or_default();
        }
    }
    let names: BTreeSet<String> = g.keys().cloned().collect();
    for f in &files {
        let t = top(f);
        if t == "main" || t == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap();
            let mut rest = code;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + 7..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if names.contains(&name) && name != t {
                    g.get_mut(&t).unwrap().insert(name.clone());
                }
                if let Some(braced) = rest.strip_prefix('{') {
                    let inner: String = braced.chars().take_while(|c| *c != '}').collect();
                    for part in inner.split([',', ' ', ':']) {
                        if names.contains(part) && part != t {
                            g.get_mut(&t).unwrap().insert(part.to_string());
                        }
                    }
                }
            }
        }
    }
    g
}

/// The first problem of a graph: a module in no layer, an import that does not point down, or
/// an import circle.
fn problem(g: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    let layer_of = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    for m in g.keys() {
        if layer_of(m).is_none() {
            return Some(format!("module `{m}` is in no layer: add it to LAYERS"));
        }
    }
    for (m, deps) in g {
        let lm = layer_of(m)?;
        for d in deps {
            let ld = layer_of(d)?;
            if ld >= lm && m != "fuzzing" {
                return Some(format!(
                    "`{m}` (layer {lm}) imports `{d}` (layer {ld}): a module imports only lower layers"
                ));
            }
        }
    }
    circle(g)
}

#[test]
fn top_level_modules_form_layers_without_a_circle() {
    let g = graph(&repo().join("src"));
    for (m, deps) in &g {
        eprintln!(
            "{m} -> {}",
            deps.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert_eq!(problem(&g), None);
}

#[test]
fn the_check_sees_a_circle_and_an_upward_import() {
    let tmp = tempfile::tempdir().unwrap();
    let w = |f: &str, body: &str| std::fs::write(tmp.path().join(f), body).unwrap();
    w("schema.rs", "use crate::error::Result;\n");
    w(
        "error.rs",
        "// crate::schema in a comment is no import\npub fn x() { crate::schema::y() }\n",
    );
    let p = problem(&graph(tmp.path())).expect("a problem");
    assert!(p.contains("`error` (layer 0) imports `schema`"), "{p}");
    w(
        "error.rs",
        "#[cfg(test)]\nmod tests { use crate::schema::y; }\n",
    );
    assert_eq!(problem(&graph(tmp.path())), None);
    w("load.rs", "use crate::pii::Kind;\n");
    w("pii.rs", "use crate::load::X;\n");
    let p = problem(&graph(tmp.path())).expect("a problem");
    assert!(p.contains("imports only lower layers"), "{p}");
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["a".to_string()].into());
    assert!(circle(&g).is_some_and(|c| c.contains("circle")));
}

/// An import circle, if there is one.
fn circle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        m: &'a str,
        g: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<String> {
        match state.get(m) {
            Some(2) => return None,
            Some(1) => return Some(format!("import circle: {} -> {m}", path.join(" -> "))),
            _ => {}
        }
        state.insert(m, 1);
        path.push(m);
        for d in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(d, g, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(m, 2);
        None
    }
    g.keys()
        .find_map(|m| visit(m, g, &mut state, &mut Vec::new()))
}
