//! `trainready plan SPEC`: what a build of this spec would do, without reading any record: the
//! resolved release and run locations, the source objects each glob matches now (listing only),
//! the stages in order with their effective settings (defaults filled in, banding derived), the
//! curriculum routing table, every gate that will be checked (built-in and the spec's) and the
//! statistics queries that will run.

use std::fmt::Write as _;

use serde_json::{Value, json};

use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::Result;
use crate::spec::{Overrides, Plan};
use crate::storage::Storage;

/// Show what a build of SPEC would do, without reading any record.
///
/// Release and run locations, the objects each source matches (listing only), the steps with
/// their effective settings and checkpoints, the curriculum routing, every gate and the
/// statistics queries. Exit 0, 2 on a bad spec or an unreachable source.
///
/// Examples:
///   trainready plan fixtures/release.toml
///   trainready plan release.toml --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The run spec.
    pub spec: PathBuf,
    /// `text` (default) or `json`.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Output location (as for build).
    #[arg(long)]
    pub output: Option<String>,
    /// Release version (as for build).
    #[arg(long)]
    pub version: Option<String>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let plan = crate::spec::load(
        &args.spec,
        &Overrides {
            output: args.output,
            version: args.version,
        },
    )?;
    let storage = Storage::new()?;
    let v = explain(&storage, &plan)?;
    match args.format {
        Format::Json => super::out(&String::from_utf8_lossy(&crate::schema::pretty(&v))),
        Format::Text => super::out(&render(&v)),
    }
    Ok(ExitCode::SUCCESS)
}

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
    let stages: Vec<Value> = crate::pipeline::STEPS
        .iter()
        .map(|s| json!({"stage": s.name, "checkpoint": s.checkpoint, "detail": (s.describe)(plan)}))
        .collect();
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
        // Run directories are local cache unless `--run-dir` says otherwise (never the output).
        "runs": crate::storage::runs_root().display().to_string(),
        "spec_sha256": plan.sha256(),
        "sources": sources,
        "stages": stages,
        "routing": plan.routing(),
        "gates": gates,
        "queries": crate::stats::QUERIES.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
    }))
}

/// The plan as text for a terminal.
pub fn render(v: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "release  {}", v["release"].as_str().unwrap_or(""));
    let _ = writeln!(
        out,
        "runs     {}/<run-id> (local cache; `build --run-dir DIR` chooses another)",
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
