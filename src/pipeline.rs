//! The only module that knows the order of the stages:
//!
//! load → normalise (derived columns) → exact dedup → near dedup → leakage → PII → curriculum →
//! export →
//! manifest + ledger → stats → gates → publish.
//!
//! Each stage's frame is written to the run directory (`<output>/runs/<run-id>/NN_<stage>.parquet`)
//! for analysts and post-mortems (with the text only in `01_load` and `05_pii`; the other stages
//! change statuses, not text); reports (`stats.json`, `gates.json`) go there too. A release is
//! published only when every gate passes. The whole release is staged in `<run>/release/` first
//! (shards as export makes them, then manifest, ledger, reports and release.json), then copied:
//! shards and files first, `release.json` last and create-only, so a version is either complete
//! or absent, and `trainready publish <run>` can finish a publish that failed half-way.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use bytes::Bytes;
use polars::prelude::*;

use crate::error::{Error, PolarsContext, Result};
use crate::manifest::{Counts, FileRef, GateResult, InputRef, ReleaseJson};
use crate::schema::parquet_bytes;
use crate::spec::{GateSpec, Overrides, Plan};
use crate::storage::{Location, Storage};

/// The default phase of exports while no curriculum routes records.
pub const DEFAULT_PHASE: &str = "sft";

/// How a build ended (a failed gate is an outcome, not an error).
#[derive(Debug)]
pub enum Outcome {
    Published {
        release: String,
        run_dir: String,
        counts: Counts,
        shards: usize,
    },
    Blocked {
        run_dir: String,
        failed: Vec<GateResult>,
    },
}

/// Options of `trainready build` beyond the spec.
#[derive(Debug, Default, Clone)]
pub struct BuildOptions {
    pub overrides: Overrides,
    /// Run directory; default `<output>/runs/<run-id>`.
    pub run_dir: Option<String>,
}

/// `trainready build SPEC`.
pub fn build(spec_path: &Path, opts: &BuildOptions) -> Result<Outcome> {
    let plan = crate::spec::load(spec_path, &opts.overrides)?;
    let storage = Storage::new()?;
    build_plan(&storage, &plan, opts)
}

/// Build a resolved plan.
pub fn build_plan(storage: &Storage, plan: &Plan, opts: &BuildOptions) -> Result<Outcome> {
    let output = storage.locate(&plan.output)?;
    let release = output.join(&format!("releases/{}/{}", plan.name, plan.version));
    let release_json = release.join("release.json");
    if storage.head(&release_json)?.is_some() {
        return Err(Error::AlreadyPublished { uri: release.uri });
    }
    let run_id = run_id(plan);
    let run = match &opts.run_dir {
        Some(dir) => storage.locate(dir)?,
        None => output.join(&format!("runs/{run_id}")),
    };
    refuse_self_reading(plan, &release, &run)?;
    tracing::info!(release = %release.uri, run = %run.uri, "building");

    // Load.
    let progress = progress_bar(plan.sources.len() as u64, "loading sources");
    let mut convs = Vec::new();
    let mut rejections = Vec::new();
    let mut inputs = Vec::new();
    let mut load_reports: BTreeMap<String, crate::load::LoadReport> = BTreeMap::new();
    for source in &plan.sources {
        progress.set_message(source.name.clone());
        let loaded = crate::load::load_source(storage, source, &plan.spec_dir)?;
        let report = crate::load::LoadReport::of(&loaded);
        if report.rejected > 0 {
            tracing::warn!(
                source = %source.name,
                rejected = report.rejected,
                read = report.read,
                "rejected at load; most common reasons: {}",
                report
                    .top_reasons
                    .iter()
                    .take(3)
                    .map(|(r, n)| format!("{n} × {r}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        load_reports.insert(source.name.clone(), report);
        convs.extend(loaded.conversations);
        rejections.extend(loaded.rejections);
        inputs.extend(loaded.inputs);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let records_read = (convs.len() + rejections.len()) as u64;
    let mut frame = crate::schema::to_frame(&convs)?;
    drop(convs);
    put_parquet(storage, &run.join("01_load.parquet"), &mut frame)?;

    // Splits: assigned by fractions, one near-duplicate cluster (and group) per split, when asked.
    if plan.split.assign.is_some() {
        let clusters = crate::dedup::global_clusters(&frame, &plan.dedup.near)?;
        frame = crate::split::assign(frame, &clusters, &plan.split)?;
    }

    // Dedup: exact, then near.
    let (staged, exact) = crate::dedup::exact(frame.lazy(), &plan.dedup)?;
    put_parquet(
        storage,
        &run.join("02_dedup_exact.parquet"),
        &mut without_text(&staged),
    )?;
    let (staged, near) = crate::dedup::near(staged, &plan.dedup.near)?;
    put_parquet(
        storage,
        &run.join("03_dedup_near.parquet"),
        &mut without_text(&staged),
    )?;

    // Leakage across splits and against external evaluation sets.
    let eval = load_eval_sets(storage, &plan.leakage.eval_sets)?;
    let (staged, leakage, mut leak_pairs) =
        crate::split::apply(staged, &near.cross_split, &eval, &plan.leakage)?;
    put_parquet(
        storage,
        &run.join("04_leakage.parquet"),
        &mut without_text(&staged),
    )?;

    // PII: counts, redaction or drop, residual scan of what will be exported.
    let (mut staged, pii) = crate::pii::apply(staged, &plan.pii)?;
    put_parquet(storage, &run.join("05_pii.parquet"), &mut staged)?;

    // Export order: source priority, then origin (phases and splits group the shards).
    let kept = staged
        .clone()
        .lazy()
        .filter(col("status").eq(lit("kept")))
        .sort(
            ["priority", "source", "origin_uri", "origin_row"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()
        .ctx("ordering the export")?;

    // Curriculum: which phase takes each kept record; the others become `unrouted`.
    let routing = crate::curriculum::route(&kept, &plan.curriculum)?;
    let kept_ids = crate::schema::str_column(&kept, "record_id")?;
    let unrouted: BTreeMap<String, String> = routing
        .unrouted
        .iter()
        .map(|(i, reason)| (kept_ids[*i].clone(), reason.clone()))
        .collect();
    let staged = mark_status(staged, &unrouted, "unrouted")?;
    put_parquet(
        storage,
        &run.join("06_curriculum.parquet"),
        &mut without_text(&staged),
    )?;
    let lines = crate::curriculum::lines_frame(&kept, &routing.lines)?;
    drop(kept);
    // Shards are staged in the run directory as they are made (memory holds one at a time) and
    // copied into the release when every gate passes.
    let staging = run.join("release");
    let exported = crate::export::export(
        &lines,
        &plan.curriculum,
        &plan.export,
        &mut |info, bytes| storage.put(&staging.join(&info.path), bytes),
    )?;
    let mut manifest = crate::manifest::manifest(&exported.frame)?;
    let priorities: BTreeMap<String, i64> = plan
        .sources
        .iter()
        .map(|s| (s.name.clone(), s.priority))
        .collect();
    let mut ledger = crate::manifest::ledger(&staged, &rejections, &priorities)?;

    // Statistics and gates.
    let source_names: Vec<String> = plan.sources.iter().map(|s| s.name.clone()).collect();
    let conversations = crate::stats::conversations_table(&staged)?;
    let messages_table = crate::stats::messages_table(&exported.frame)?;
    let stats = crate::stats::compute(
        &crate::stats::Tables {
            ledger: &ledger,
            manifest: &manifest,
            conversations: &conversations,
            messages: &messages_table,
            clusters: &near.clusters,
            leakage_pairs: &leak_pairs,
            records_read,
        },
        &exact,
        &near.report,
        &leakage,
        &pii,
        &source_names,
    )?;
    let limits = crate::gates::Limits {
        max_removal_rate: plan.dedup.max_removal_rate,
    };
    // Coverage of the exported records (a record exported as several lines, by a weight or
    // overlapping phases, counts once).
    let mut family_counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    {
        let fams = crate::schema::str_column(&manifest, "family")?;
        let srcs = crate::schema::str_column(&manifest, "source")?;
        let ids = crate::schema::str_column(&manifest, "record_id")?;
        let mut seen = std::collections::BTreeSet::new();
        for ((f, s), id) in fams.into_iter().zip(srcs).zip(&ids) {
            if seen.insert(id.as_str()) {
                *family_counts.entry((f, s)).or_default() += 1;
            }
        }
    }
    let routing_table = crate::coverage::routing(plan);
    let coverage = crate::coverage::compute(
        &plan.coverage,
        &family_counts,
        &crate::coverage::plan_families(plan),
        &routing_table,
    );
    let required_unrouted = plan
        .coverage
        .required
        .iter()
        // A required family without sources is `missing` in coverage already.
        .filter(|f| routing_table.get(*f).is_some_and(Vec::is_empty))
        .count() as u64;
    let curriculum = crate::curriculum::report(
        &exported.frame,
        &plan.curriculum,
        routing.unrouted.len() as u64,
        required_unrouted,
    )?;
    let mut stats = stats;
    stats.json["coverage"] = serde_json::json!({
        "missing": coverage.missing,
        "present": coverage.present,
        "waived": coverage.waived,
    });
    stats.json["curriculum"] =
        serde_json::to_value(&curriculum).expect("invariant: the curriculum report serialises");
    stats.json["load"] = load_stats(&load_reports);
    let builtin_extra = stage_gates(plan);
    if let Some(d) = &plan.drift {
        let uri = crate::spec::resolve_uri(&d.baseline, &plan.spec_dir);
        let mut drift = match read_baseline_stats(storage, &uri) {
            Ok(baseline) => crate::gates::drift(&stats.json, &baseline),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        drift["baseline"] = serde_json::json!(d.baseline);
        stats.json["drift"] = drift;
    }
    let gates = crate::gates::evaluate(
        &stats.json,
        &source_names,
        limits,
        &builtin_extra,
        &plan.gates,
    );
    let mut reports: Vec<(String, Vec<u8>)> = vec![
        ("stats.json".into(), pretty(&stats.json)),
        (
            "gates.json".into(),
            pretty(&serde_json::to_value(&gates).expect("invariant: gates serialise")),
        ),
    ];
    for (name, df) in &stats.tables {
        let mut df = df.clone();
        reports.push((format!("stats_{name}.parquet"), parquet_bytes(&mut df)?));
    }
    // The queries' input tables without text, so `trainready query queries/<name>.sql` works on
    // a release as it does here.
    for (name, df) in [
        ("conversations", &conversations),
        ("messages", &messages_table),
    ] {
        let mut df = df.clone();
        reports.push((format!("{name}.parquet"), parquet_bytes(&mut df)?));
    }
    // The QA report, written whether or not the gates pass.
    let report = crate::report::render(&crate::report::ReportInput {
        name: &plan.name,
        version: &plan.version,
        spec_sha256: &plan.sha256(),
        stats: &stats.json,
        gates: &gates,
        messages: &messages_table,
        manifest: &manifest,
        spec: &plan.report,
    })?;
    reports.push(("report.md".into(), report.markdown.into_bytes()));
    reports.push(("report.html".into(), report.html.into_bytes()));
    for (file, svg) in report.figures {
        reports.push((format!("figures/{file}"), svg.into_bytes()));
    }
    let (mut clusters, mut cross) = (near.clusters, near.cross_split);
    reports.push((
        "dedup_clusters.parquet".into(),
        parquet_bytes(&mut clusters)?,
    ));
    reports.push((
        "near_pairs_cross_split.parquet".into(),
        parquet_bytes(&mut cross)?,
    ));
    reports.push((
        "leakage_pairs.parquet".into(),
        parquet_bytes(&mut leak_pairs)?,
    ));
    reports.push((
        "coverage.json".into(),
        pretty(&serde_json::to_value(&coverage).expect("invariant: coverage serialises")),
    ));
    reports.push((
        "pii_summary.json".into(),
        pretty(&serde_json::to_value(&pii).expect("invariant: the PII report serialises")),
    ));
    // Every file of the release but the shards: (path in the release, path in the run
    // directory). Written to the run directory once, whatever the gates say; a passing build
    // copies them into its staged release (server-side where possible).
    let manifest_bytes = parquet_bytes(&mut manifest)?;
    let ledger_bytes = parquet_bytes(&mut ledger)?;
    let mut release_files: Vec<(String, String, Vec<u8>)> = vec![
        (
            "manifest.parquet".into(),
            "07_manifest.parquet".into(),
            manifest_bytes,
        ),
        (
            "ledger.parquet".into(),
            "08_ledger.parquet".into(),
            ledger_bytes,
        ),
    ];
    release_files.extend(reports.into_iter().map(|(n, b)| {
        let path = format!("reports/{n}");
        (path.clone(), path, b)
    }));
    let mut files = Vec::new();
    let mut paths = Vec::new();
    for (path, run_path, bytes) in release_files {
        files.push(FileRef::of(&path, &bytes));
        storage.put(&run.join(&run_path), Bytes::from(bytes))?;
        paths.push((path, run_path));
    }

    let failed: Vec<GateResult> = gates.iter().filter(|g| !g.passed).cloned().collect();
    if !failed.is_empty() {
        for g in &failed {
            tracing::error!(gate = %g.name, detail = g.detail.as_deref().unwrap_or(""), "gate failed");
        }
        return Ok(Outcome::Blocked {
            run_dir: run.uri,
            failed,
        });
    }

    // Stage the whole release in the run directory (the shards are there already), with its
    // release.json, then publish the staged copy.
    for (path, run_path) in &paths {
        storage.copy(&run.join(run_path), &staging.join(path))?;
    }
    let shards: Vec<_> = exported.shards.clone();
    let doc = ReleaseJson {
        name: plan.name.clone(),
        version: plan.version.clone(),
        tool: "trainready".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        spec: plan.to_json(),
        spec_sha256: plan.sha256(),
        inputs: inputs.iter().map(InputRef::from).collect(),
        counts: stats.counts.clone(),
        root_sha256: crate::manifest::root_sha256(&shards),
        shards,
        files,
        gates,
    };
    let body = pretty(&serde_json::to_value(&doc).expect("invariant: release.json serialises"));
    storage.put(&staging.join("release.json"), Bytes::from(body))?;
    storage.put(
        &run.join(PUBLISH_JSON),
        Bytes::from(pretty(&serde_json::json!({ "release": release.uri }))),
    )?;
    let shards = publish_staged(storage, &staging, &release)?;
    tracing::info!(release = %release.uri, exported = stats.counts.exported, "published");
    Ok(Outcome::Published {
        release: release.uri,
        run_dir: run.uri,
        counts: stats.counts,
        shards,
    })
}

/// The file in a run directory naming the release its staged copy publishes to.
pub const PUBLISH_JSON: &str = "publish.json";

/// Publish a staged release (`<run>/release/`, written by a build whose gates passed): every
/// shard and file that its `release.json` lists, copied (server-side where possible), then
/// `release.json` create-only. Returns the number of shards.
pub fn publish_staged(storage: &Storage, staging: &Location, release: &Location) -> Result<usize> {
    let release_json = release.join("release.json");
    if storage.head(&release_json)?.is_some() {
        return Err(Error::AlreadyPublished {
            uri: release.uri.clone(),
        });
    }
    let body = storage.get(&staging.join("release.json"))?;
    let doc: ReleaseJson = serde_json::from_slice(&body)
        .map_err(|e| Error::Corrupt(format!("{}/release.json: {e}", staging.uri)))?;
    let progress = progress_bar(doc.shards.len() as u64, "writing shards");
    for info in &doc.shards {
        storage.copy(&staging.join(&info.path), &release.join(&info.path))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    for f in &doc.files {
        storage.copy(&staging.join(&f.path), &release.join(&f.path))?;
    }
    if !storage.put_create(&release_json, body)? {
        // Another build published this version first; what we wrote is content-addressed or
        // identical in name only, and deleting it could break the winner: delete nothing.
        return Err(Error::AlreadyPublished {
            uri: release.uri.clone(),
        });
    }
    Ok(doc.shards.len())
}

/// `trainready publish RUN_DIR`: finish the publish of a build whose gates passed but whose
/// publish did not complete (storage outage, killed process). Nothing is recomputed.
pub fn publish_run(storage: &Storage, run_dir: &str) -> Result<(String, usize)> {
    let run = storage.locate(run_dir.trim_end_matches('/'))?;
    let staging = run.join("release");
    if storage.head(&staging.join("release.json"))?.is_none() {
        return Err(Error::Usage(format!(
            "{}: no staged release.json: this run did not pass its gates (see reports/gates.json) or is not a run directory",
            run.uri
        )));
    }
    let target: serde_json::Value = serde_json::from_slice(&storage.get(&run.join(PUBLISH_JSON))?)
        .map_err(|e| Error::Corrupt(format!("{}/{PUBLISH_JSON}: {e}", run.uri)))?;
    let uri = target["release"]
        .as_str()
        .ok_or_else(|| Error::Corrupt(format!("{}/{PUBLISH_JSON}: no `release`", run.uri)))?;
    let release = storage.locate(uri)?;
    let shards = publish_staged(storage, &staging, &release)?;
    Ok((release.uri, shards))
}

/// External evaluation sets: every record of every matching object (JSONL, JSON, CSV or
/// Parquet, through the record reader) as (`eval:<file>#<id or index>`, message contents or the
/// `text` field). A record that cannot be read is an error: an evaluation set is not filtered.
fn load_eval_sets(storage: &Storage, uris: &[String]) -> Result<Vec<(String, Vec<String>)>> {
    use crate::records::{Format, ReadOptions};
    use serde_json::Value;
    let mut out = Vec::new();
    for uri in uris {
        let objects = storage.glob(uri)?;
        if objects.is_empty() {
            return Err(Error::Usage(format!(
                "[leakage] eval_sets: `{uri}` matched no object"
            )));
        }
        for o in objects {
            let format = Format::from_path(&o.rel).unwrap_or(Format::Jsonl);
            let reader = storage.reader(&o.location)?;
            let opts = ReadOptions::new(format);
            crate::records::read(reader, &o.rel, &o.location.uri, &opts, &mut |batch| {
                for r in batch.into_records(false) {
                    let m = r.value.map_err(|reason| {
                        Error::Usage(format!(
                            "[leakage] eval set {} line {}: {reason}",
                            o.location.uri, r.line
                        ))
                    })?;
                    let id = match m.get("id") {
                        Some(Value::String(s)) => s.clone(),
                        Some(v) if !v.is_null() => v.to_string(),
                        _ => r.index.to_string(),
                    };
                    let texts: Vec<String> = match (m.get("messages"), m.get("text")) {
                        (Some(Value::Array(ms)), _) => ms
                            .iter()
                            .filter(|x| x.get("role").and_then(|r| r.as_str()) != Some("system"))
                            .filter_map(|x| {
                                x.get("content")
                                    .or_else(|| x.get("value"))
                                    .and_then(|c| c.as_str())
                                    .map(str::to_string)
                            })
                            .collect(),
                        (_, Some(Value::String(t))) => vec![t.clone()],
                        _ => Vec::new(),
                    };
                    out.push((format!("eval:{}#{id}", o.rel), texts));
                }
                Ok(())
            })?;
        }
    }
    Ok(out)
}

/// `stats.json` → `load`: per source, records read, loaded and rejected, the rejection rate and
/// the most common reasons (keyed by metric, then source, so gates can name them).
fn load_stats(reports: &BTreeMap<String, crate::load::LoadReport>) -> serde_json::Value {
    let by = |f: &dyn Fn(&crate::load::LoadReport) -> serde_json::Value| {
        serde_json::Value::Object(reports.iter().map(|(s, r)| (s.clone(), f(r))).collect())
    };
    serde_json::json!({
        "read": by(&|r| r.read.into()),
        "loaded": by(&|r| r.loaded.into()),
        "rejected": by(&|r| r.rejected.into()),
        "rejection_rate": by(&|r| r.rejection_rate.into()),
        "top_reasons": by(&|r| serde_json::json!(r
            .top_reasons
            .iter()
            .map(|(reason, n)| serde_json::json!({"reason": reason, "records": n}))
            .collect::<Vec<_>>())),
    })
}

/// The built-in gates that the plan's stages add to the always-on ones (`gates::builtin`):
/// coverage and curriculum routing with `[coverage] required`, per-phase sizes, leakage, the PII
/// residual per kind not allowed, and drift against a baseline.
pub fn stage_gates(plan: &Plan) -> Vec<GateSpec> {
    let mut gates = Vec::new();
    // Loading: every source loads something, and rejects at most its share.
    for s in &plan.sources {
        gates.push(GateSpec {
            name: format!("source_loaded.{}", s.name),
            metric: format!("load.loaded.{}", s.name),
            op: crate::spec::GateOp::Gt,
            threshold: 0.0,
        });
        gates.push(GateSpec {
            name: format!("load_rejection_rate.{}", s.name),
            metric: format!("load.rejection_rate.{}", s.name),
            op: crate::spec::GateOp::Le,
            threshold: s.max_rejection_rate,
        });
    }
    if !plan.coverage.required.is_empty() {
        gates.push(GateSpec::equals_zero(
            "coverage_missing",
            "coverage.missing",
        ));
        gates.push(GateSpec::equals_zero(
            "curriculum_required_routed",
            "curriculum.required_unrouted",
        ));
    }
    for p in &plan.curriculum.phases {
        let metric = format!("curriculum.phases.{}.records", p.name);
        if let Some(min) = p.min_records {
            gates.push(GateSpec {
                name: format!("curriculum_min_records.{}", p.name),
                metric: metric.clone(),
                op: crate::spec::GateOp::Ge,
                threshold: min as f64,
            });
        }
        if let Some(max) = p.max_records {
            gates.push(GateSpec {
                name: format!("curriculum_max_records.{}", p.name),
                metric,
                op: crate::spec::GateOp::Le,
                threshold: max as f64,
            });
        }
    }
    if plan.leakage.enabled {
        gates.push(GateSpec::equals_zero("leakage_pairs", "leakage.pairs"));
    }
    if plan.pii.enabled {
        for kind in crate::pii::Kind::ALL {
            if !plan.pii.allowed(kind) {
                gates.push(GateSpec::equals_zero(
                    format!("pii_residual.{}", kind.name()),
                    format!("pii.residual.{}", kind.name()),
                ));
            }
        }
    }
    if let Some(d) = &plan.drift {
        gates.extend(d.gates());
    }
    gates
}

/// `reports/stats.json` of a published release.
fn read_baseline_stats(storage: &Storage, uri: &str) -> Result<serde_json::Value> {
    let root = storage.locate(uri.trim_end_matches('/'))?;
    let loc = root.join("reports/stats.json");
    let bytes = storage.get(&loc)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::Corrupt(format!("{}: not valid JSON: {e}", loc.uri)))
}

/// Set `status` (and `reason`) of the rows whose `record_id` is a key of `reasons`.
fn mark_status(
    df: DataFrame,
    reasons: &BTreeMap<String, String>,
    status: &str,
) -> Result<DataFrame> {
    if reasons.is_empty() {
        return Ok(df);
    }
    let ids = crate::schema::str_column(&df, "record_id")?;
    let old_status = crate::schema::str_column(&df, "status")?;
    let old_reason = crate::schema::str_values(&df, "reason")?;
    let (new_status, new_reason): (Vec<String>, Vec<Option<String>>) = ids
        .iter()
        .zip(old_status)
        .zip(old_reason)
        .map(|((id, s), r)| match reasons.get(id) {
            Some(reason) => (status.to_string(), Some(reason.clone())),
            None => (s, r),
        })
        .unzip();
    let mut df = df;
    df.with_column(Column::new("status".into(), new_status))
        .ctx("status column")?;
    df.with_column(Column::new("reason".into(), new_reason))
        .ctx("reason column")?;
    Ok(df)
}

/// A stage frame without `messages`: stages 02-04 and 06 change statuses, not text, so their
/// run-directory files leave the text to `01_load` (as loaded) and `05_pii` (as exported); join
/// on `record_id`. Writing the corpus six times was most of a build's time.
fn without_text(df: &DataFrame) -> DataFrame {
    df.drop("messages").unwrap_or_else(|_| df.clone())
}

fn put_parquet(storage: &Storage, loc: &Location, df: &mut DataFrame) -> Result<()> {
    let bytes = parquet_bytes(df)?;
    storage.put(loc, Bytes::from(bytes))
}

/// Pretty JSON with a trailing newline.
pub fn pretty(v: &serde_json::Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).expect("invariant: JSON values serialise");
    out.push(b'\n');
    out
}

/// A run id unique even for builds of one spec started in the same second: the time to the
/// nanosecond and a hash of the process id and a per-process counter.
fn run_id(plan: &Plan) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let salt = xxhash_rust::xxh3::xxh3_64(
        format!(
            "{}-{nanos}-{n}-{:?}",
            std::process::id(),
            std::thread::current().id()
        )
        .as_bytes(),
    );
    format!(
        "{}-{}-{}.{nanos:09}-{}-{:08x}",
        plan.name,
        plan.version,
        utc_stamp(),
        &plan.sha256()[..8],
        salt as u32
    )
}

/// Refuse a release or run directory that a source's glob would read back (a rebuild would
/// read its own previous output), and a run directory inside a release (its stage files hold
/// the text before redaction) or a release inside a run directory.
fn refuse_self_reading(plan: &Plan, release: &Location, run: &Location) -> Result<()> {
    let release_root = release.uri.trim_end_matches('/');
    let run_root = run.uri.trim_end_matches('/');
    let inside = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
    if inside(run_root, release_root) || inside(release_root, run_root) {
        return Err(Error::Usage(format!(
            "the run directory {run_root} and the release {release_root} overlap: the run directory holds text before redaction and must not be part of a release; choose another --run-dir"
        )));
    }
    if let Some(releases) = release_root.rsplitn(3, '/').nth(2)
        && inside(run_root, releases)
    {
        return Err(Error::Usage(format!(
            "the run directory {run_root} lies under the releases folder {releases}: choose another --run-dir"
        )));
    }
    let mut probes: Vec<String> = vec![
        "release.json".into(),
        "manifest.parquet".into(),
        "ledger.parquet".into(),
        "README.md".into(),
        "reports/stats.json".into(),
        "reports/report.md".into(),
        "reports/leakage_pairs.parquet".into(),
        "01_load.parquet".into(),
        "05_pii.parquet".into(),
        "reports/stats_counts.parquet".into(),
    ];
    for phase in &plan.curriculum.phases {
        for split in crate::export::SPLITS {
            for ext in ["jsonl", "jsonl.zst"] {
                probes.push(format!(
                    "chatml/{}/{split}/part-00000-0123abcd.{ext}",
                    phase.name
                ));
            }
            probes.push(format!(
                "parquet/{}/{split}/part-00000-0123abcd.parquet",
                phase.name
            ));
        }
    }
    for source in &plan.sources {
        let pattern = source.resolved_uri.trim_start_matches("file://");
        let Ok(glob) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
        else {
            continue;
        };
        let m = glob.compile_matcher();
        for (what, root) in [("release", release_root), ("run directory", run_root)] {
            for dir in [root.to_string(), format!("{root}/release")] {
                if let Some(p) = probes.iter().find(|p| m.is_match(format!("{dir}/{p}"))) {
                    return Err(Error::Usage(format!(
                        "source `{}` ({}) would read the {what} at {root} (e.g. {p}): a rebuild would read its own output; put --output / --run-dir outside the source's folders",
                        source.name, source.uri
                    )));
                }
            }
        }
    }
    Ok(())
}

fn utc_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A progress bar on a terminal, nothing when stderr is piped.
pub fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
            .expect("invariant: static template parses")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_782), (2026, 11, 25));
    }
}
