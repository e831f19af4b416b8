//! `trainready plan SPEC`: what a build of this spec would do, without reading any record: the
//! resolved release and run locations, the source objects each glob matches now (listing only),
//! the stages in order with their effective settings (defaults filled in, banding derived), the
//! curriculum routing table, every gate that will be checked (built-in and the spec's) and the
//! statistics queries that will run.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::error::Result;
use crate::spec::Plan;
use crate::storage::Storage;

/// The plan as JSON (`--format json` prints it as is).
pub fn explain(storage: &Storage, plan: &Plan) -> Result<Value> {
    let output = storage.locate(&plan.output)?;
    let release = output.join(&format!("releases/{}/{}", plan.name, plan.version));
    let mut sources = Vec::new();
    for s in &plan.sources {
        let objects = storage.glob(&s.resolved_uri)?;
        sources.push(json!({
            "name": s.name,
            "family": s.family,
            "uri": s.uri,
            "mapping": s.mapping,
            "format": s.format,
            "split": s.split,
            "priority": s.priority,
            "license": s.license,
            "objects": objects.iter().map(|o| json!({"path": o.rel, "bytes": o.size})).collect::<Vec<_>>(),
            "bytes": objects.iter().map(|o| o.size).sum::<u64>(),
        }));
    }
    let near = &plan.dedup.near;
    let banding = near.banding();
    let split = match &plan.split.assign {
        None => "keep each source's split".to_string(),
        Some(f) => format!(
            "assign by fractions {} grouped by near-duplicate cluster{} (seed {})",
            f.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            plan.split
                .group
                .as_ref()
                .map(|g| format!(" and `{g}`"))
                .unwrap_or_default(),
            plan.split.seed
        ),
    };
    let l = &plan.leakage;
    let stages = vec![
        json!({"stage": "load", "detail": format!("{} sources; HTML to text, NFC; rejected records go to the ledger", plan.sources.len())}),
        json!({"stage": "split", "detail": split}),
        json!({"stage": "dedup_exact", "detail": if plan.dedup.exact { "same text_hash within a split; lowest priority, then record_id, is kept".to_string() } else { "off".into() }}),
        json!({"stage": "dedup_near", "detail": if near.enabled {
            format!("MinHash {} permutations over {}-gram shingles, LSH {} bands x {} rows, Jaccard >= {} (verified by {} at {}), seed {}",
                near.num_perm, near.ngram, banding.bands, banding.rows, near.threshold, label(&near.verify), near.cut(), near.seed)
        } else { "off".into() }}),
        json!({"stage": "leakage", "detail": if l.enabled {
            format!("exact, near and {}-gram overlap (>= {} shared and >= {} of the smaller record; a turn: >= {} and >= {}; stop-list df >= {}), policy `{}`, {} external eval set(s)",
                l.ngram, l.min_shared, l.min_fraction, l.turn_min_shared, l.turn_min_fraction, l.stop_df, label(&l.policy), l.eval_sets.len())
        } else { "off".into() }}),
        json!({"stage": "pii", "detail": if plan.pii.enabled {
            format!("14 kinds, default action `{}`, per kind {:?}, per source {:?}, allowed in the export {:?}",
                label(&plan.pii.action), plan.pii.kinds, plan.pii.sources, plan.pii.allow)
        } else { "off".into() }}),
        json!({"stage": "curriculum", "detail": plan.curriculum.phases.iter().map(|p| format!("{} ({})", p.name, p.kind.as_str())).collect::<Vec<_>>().join(" -> ")}),
        json!({"stage": "export", "detail": format!("chatml/<phase>/<split>/ shards of at most {} records / {} bytes, compression {}",
            plan.export.shard_records, plan.export.shard_bytes, label(&plan.export.compression))}),
        json!({"stage": "stats", "detail": format!("{} queries from queries/", crate::stats::QUERIES.len())}),
        json!({"stage": "report", "detail": format!("report.md, report.html, figures/*.svg; counts under {} suppressed", plan.report.min_cell)}),
    ];
    let sources_names: Vec<String> = plan.sources.iter().map(|s| s.name.clone()).collect();
    let limits = crate::gates::Limits {
        max_removal_rate: plan.dedup.max_removal_rate,
    };
    let mut gates: Vec<Value> =
        crate::gates::builtin(&json!({"dedup": {}}), &sources_names, limits)
            .into_iter()
            .chain(crate::pipeline::stage_gates(plan))
            .map(|g| json!({"name": g.name, "metric": g.metric, "op": g.op.as_str(), "threshold": g.threshold, "builtin": true}))
            .collect();
    gates.extend(plan.gates.iter().map(|g| {
        json!({"name": g.name, "metric": g.metric, "op": g.op.as_str(), "threshold": g.threshold, "builtin": false})
    }));
    Ok(json!({
        "release": release.uri,
        "runs": output.join("runs").uri,
        "spec_sha256": plan.sha256(),
        "sources": sources,
        "stages": stages,
        "routing": crate::coverage::routing(plan),
        "gates": gates,
        "queries": crate::stats::QUERIES.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
    }))
}

/// A serialisable value's name as written in the spec (`"estimate"`, `"drop-from-train"`, ...).
fn label<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// The plan as text for a terminal.
pub fn render(v: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "release  {}", v["release"].as_str().unwrap_or(""));
    let _ = writeln!(
        out,
        "runs     {}/<run-id>",
        v["runs"].as_str().unwrap_or("")
    );
    let _ = writeln!(
        out,
        "spec     sha256 {}",
        v["spec_sha256"].as_str().unwrap_or("")
    );
    let _ = writeln!(out, "\nsources");
    for s in v["sources"].as_array().into_iter().flatten() {
        let objects = s["objects"].as_array().map_or(0, Vec::len);
        let _ = writeln!(
            out,
            "  {:<24} {:<26} {:<10} {:>3} object(s) {:>12} bytes  {}",
            s["name"].as_str().unwrap_or(""),
            s["family"].as_str().unwrap_or(""),
            s["mapping"].as_str().unwrap_or(""),
            objects,
            s["bytes"],
            s["uri"].as_str().unwrap_or(""),
        );
        if objects == 0 {
            let _ = writeln!(out, "    warning: matches no object");
        }
    }
    let _ = writeln!(out, "\nstages");
    for s in v["stages"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  {:<12} {}",
            s["stage"].as_str().unwrap_or(""),
            s["detail"].as_str().unwrap_or("")
        );
    }
    let _ = writeln!(out, "\nrouting");
    for (family, phases) in v["routing"].as_object().into_iter().flatten() {
        let phases: Vec<&str> = phases
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let _ = writeln!(
            out,
            "  {:<26} -> {}",
            family,
            if phases.is_empty() {
                "(no phase: unrouted)".to_string()
            } else {
                phases.join(", ")
            }
        );
    }
    let _ = writeln!(out, "\ngates (fail closed)");
    for g in v["gates"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  {:<40} {} {} {}{}",
            g["name"].as_str().unwrap_or(""),
            g["metric"].as_str().unwrap_or(""),
            g["op"].as_str().unwrap_or(""),
            g["threshold"].as_f64().unwrap_or(f64::NAN),
            if g["builtin"] == true { "" } else { "  (spec)" }
        );
    }
    let _ = writeln!(
        out,
        "\nstatistics: {}",
        v["queries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    );
    out
}
