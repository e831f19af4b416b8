//! The steps of a build ([`super::STEPS`] runs them in order) over one [`Build`], and the
//! bookkeeping around them: where the run and the release go, the checkpoints, and the files of
//! the release when every step ran.

use std::collections::BTreeMap;

use bytes::Bytes;
use polars::prelude::*;

use super::{BuildOptions, Outcome};
use crate::error::{Error, Result};
use crate::export::PhaseFormat;
use crate::load::{InputObject, LoadReport};
use crate::release::ReleaseFiles;
use crate::schema::release::{GateResult, InputRef};
use crate::schema::{Rejection, parquet_bytes};
use crate::spec::Plan;
use crate::storage::{Location, Storage};

/// Everything a build carries from one step to the next.
pub struct Build<'a> {
    pub storage: &'a Storage,
    pub plan: &'a Plan,
    /// The run directory.
    pub run: Location,
    /// Where the release is published.
    pub release: Location,
    /// The canonical frame, one row per loaded record, through the stages.
    frame: DataFrame,
    rejections: Vec<Rejection>,
    inputs: Vec<InputObject>,
    load_reports: BTreeMap<String, LoadReport>,
    records_read: u64,
    signatures: Option<crate::kernels::Signatures>,
    exact: crate::dedup::ExactReport,
    near: Option<crate::dedup::NearOutput>,
    leakage: Option<crate::leakage::LeakageOutput>,
    pii: crate::pii::PiiReport,
    quality: crate::quality::QualityReport,
    curriculum: Option<crate::curriculum::CurriculumOutput>,
    exported: Option<crate::export::Exported>,
    manifest: DataFrame,
    ledger: DataFrame,
    conversations: DataFrame,
    messages: DataFrame,
    stats: Option<crate::stats::Stats>,
    coverage: Option<crate::coverage::Coverage>,
    gates: Vec<GateResult>,
    report: Option<crate::report::Report>,
    licenses: Vec<crate::schema::release::LicenseRef>,
}

pub(super) fn load(b: &mut Build<'_>) -> Result<()> {
    let progress = crate::release::progress_bar(b.plan.sources.len() as u64, "loading sources");
    let mut convs = Vec::new();
    for source in &b.plan.sources {
        progress.set_message(source.name.clone());
        let loaded = crate::load::load_source(b.storage, source, &b.plan.spec_dir)?;
        let report = LoadReport::of(&loaded);
        report.warn(&source.name);
        b.load_reports.insert(source.name.clone(), report);
        convs.extend(loaded.conversations);
        b.rejections.extend(loaded.rejections);
        b.inputs.extend(loaded.inputs);
        progress.inc(1);
    }
    progress.finish_and_clear();
    b.records_read = (convs.len() + b.rejections.len()) as u64;
    b.frame = crate::load::to_frame(&convs)?;
    b.checkpoint("01_load.parquet", true)
}

pub(super) fn quality(b: &mut Build<'_>) -> Result<()> {
    let sft_phases: Vec<&str> = b
        .plan
        .curriculum
        .phases
        .iter()
        .filter(|p| p.kind == crate::schema::PhaseKind::Sft)
        .map(|p| p.name.as_str())
        .collect();
    let sft_families: std::collections::HashSet<String> = b
        .plan
        .routing()
        .into_iter()
        .filter(|(_, phases)| phases.iter().any(|p| sft_phases.contains(&p.as_str())))
        .map(|(family, _)| family)
        .collect();
    let (frame, report) =
        crate::quality::apply(std::mem::take(&mut b.frame), &b.plan.quality, &sft_families)?;
    (b.frame, b.quality) = (frame, report);
    Ok(())
}

pub(super) fn sign(b: &mut Build<'_>) -> Result<()> {
    let near = &b.plan.dedup.near;
    if near.enabled || b.plan.split.assign.is_some() {
        let hasher = crate::kernels::minhash::MinHasher::new(near.num_perm, near.ngram, near.seed);
        let messages = crate::schema::MessageView::of(&b.frame)?;
        let exact = near.verify == crate::dedup::VerifyMode::Exact;
        b.signatures = Some(crate::kernels::Signatures::compute(
            &messages, &hasher, exact,
        ));
    }
    Ok(())
}

pub(super) fn split(b: &mut Build<'_>) -> Result<()> {
    let (Some(_), Some(signatures)) = (&b.plan.split.assign, &b.signatures) else {
        return Ok(());
    };
    let params = crate::split::Params {
        spec: &b.plan.split,
        signatures,
        banding: b.plan.dedup.near.banding(),
        cut: b.plan.dedup.near.cut(),
    };
    let (frame, _) = crate::split::apply(std::mem::take(&mut b.frame), &params)?;
    b.frame = frame;
    Ok(())
}

pub(super) fn dedup_exact(b: &mut Build<'_>) -> Result<()> {
    let (frame, report) = crate::dedup::exact::apply(std::mem::take(&mut b.frame), &b.plan.dedup)?;
    (b.frame, b.exact) = (frame, report);
    b.checkpoint("02_dedup_exact.parquet", false)
}

pub(super) fn dedup_near(b: &mut Build<'_>) -> Result<()> {
    let empty = crate::kernels::Signatures::empty(b.frame.height());
    let params = crate::dedup::near::Params {
        spec: &b.plan.dedup.near,
        signatures: b.signatures.as_ref().unwrap_or(&empty),
    };
    let (frame, out) = crate::dedup::near::apply(std::mem::take(&mut b.frame), &params)?;
    (b.frame, b.near) = (frame, Some(out));
    b.signatures = None;
    b.checkpoint("03_dedup_near.parquet", false)
}

pub(super) fn leakage(b: &mut Build<'_>) -> Result<()> {
    let eval = crate::load::eval_sets(b.storage, &b.plan.leakage.eval_sets)?;
    let near_cross = b
        .near
        .as_ref()
        .map(|n| n.cross_split.clone())
        .unwrap_or_default();
    let params = crate::leakage::Params {
        spec: &b.plan.leakage,
        near_cross: &near_cross,
        eval: &eval,
    };
    let (frame, out) = crate::leakage::apply(std::mem::take(&mut b.frame), &params)?;
    (b.frame, b.leakage) = (frame, Some(out));
    b.checkpoint("04_leakage.parquet", false)
}

pub(super) fn pii(b: &mut Build<'_>) -> Result<()> {
    let (frame, report) = crate::pii::apply(std::mem::take(&mut b.frame), &b.plan.pii)?;
    (b.frame, b.pii) = (frame, report);
    b.checkpoint("05_pii.parquet", true)
}

pub(super) fn curriculum(b: &mut Build<'_>) -> Result<()> {
    let (frame, out) = crate::curriculum::apply(std::mem::take(&mut b.frame), &b.plan.curriculum)?;
    (b.frame, b.curriculum) = (frame, Some(out));
    b.checkpoint("06_curriculum.parquet", false)
}

pub(super) fn export(b: &mut Build<'_>) -> Result<()> {
    let phases: Vec<PhaseFormat> = b
        .plan
        .curriculum
        .phases
        .iter()
        .map(|p| PhaseFormat {
            name: p.name.clone(),
            kind: p.kind,
            labels: p.labels.clone(),
        })
        .collect();
    let lines = std::mem::take(
        &mut b
            .curriculum
            .as_mut()
            .expect("invariant: curriculum ran")
            .lines,
    );
    let staging = b.run.join("release");
    let storage = b.storage;
    let tokenizer = b.plan.tokens.tokenizer();
    let exported = crate::export::export(
        &lines,
        &phases,
        &b.plan.export,
        tokenizer,
        &mut |info, bytes| storage.put(&staging.join(&info.path), bytes),
    )?;
    b.exported = Some(exported);
    Ok(())
}

pub(super) fn ledger(b: &mut Build<'_>) -> Result<()> {
    let exported = b.exported.as_ref().expect("invariant: export ran");
    b.manifest = crate::manifest::manifest(&exported.frame)?;
    let priorities: BTreeMap<String, i64> = b
        .plan
        .sources
        .iter()
        .map(|s| (s.name.clone(), s.priority))
        .collect();
    b.ledger = crate::manifest::ledger(&b.frame, &b.rejections, &priorities)?;
    Ok(())
}

pub(super) fn stats(b: &mut Build<'_>) -> Result<()> {
    let exported = b.exported.as_ref().expect("invariant: export ran");
    let near = b.near.as_ref().expect("invariant: dedup_near ran");
    let leakage = b.leakage.as_ref().expect("invariant: leakage ran");
    b.conversations = crate::stats::conversations_table(&b.frame)?;
    b.messages = crate::stats::messages_table(&exported.frame)?;
    let json = |v: &dyn erased::Json| v.json();
    let mut stats = crate::stats::compute(
        &crate::stats::Tables {
            ledger: &b.ledger,
            manifest: &b.manifest,
            conversations: &b.conversations,
            messages: &b.messages,
            clusters: &near.clusters,
            leakage_pairs: &leakage.pairs,
            records_read: b.records_read,
        },
        &crate::stats::StageReports {
            exact: json(&b.exact),
            near: json(&near.report),
            leakage: json(&leakage.report),
            pii: json(&b.pii),
        },
        &b.plan
            .sources
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>(),
    )?;
    let coverage = crate::coverage::of_manifest(
        &b.manifest,
        &b.plan.coverage,
        &b.plan.families(),
        &b.plan.routing(),
    )?;
    let routing = b.plan.routing();
    let required_unrouted = b
        .plan
        .coverage
        .required
        .iter()
        // A required family without sources is `missing` in coverage already.
        .filter(|f| routing.get(*f).is_some_and(Vec::is_empty))
        .count() as u64;
    let unrouted = b.curriculum.as_ref().map_or(0, |c| c.unrouted);
    let curriculum = crate::curriculum::report(
        &exported.frame,
        &b.plan.curriculum,
        b.plan.tokens.tokenizer().name(),
        unrouted,
        required_unrouted,
    )?;
    stats.json["coverage"] = serde_json::json!({
        "missing": coverage.missing,
        "present": coverage.present,
        "waived": coverage.waived,
    });
    stats.json["curriculum"] = json(&curriculum);
    stats.json["load"] = crate::load::load_stats(&b.load_reports);
    stats.json["quality"] = json(&b.quality);
    if b.plan.quality.enabled {
        stats.json["quality"]["exported"] =
            crate::quality::exported_languages(&b.manifest, &b.plan.quality.languages)?;
        stats.json["quality"]["languages"] = serde_json::json!(b.plan.quality.languages);
    }
    // Licences: per licence, its sources and exported records; sources outside the policy.
    let mut exported_by_source: BTreeMap<String, u64> = BTreeMap::new();
    {
        let ids = crate::schema::str_column(&b.manifest, "record_id")?;
        let srcs = crate::schema::str_column(&b.manifest, "source")?;
        let mut seen = std::collections::BTreeSet::new();
        for (id, src) in ids.iter().zip(srcs) {
            if seen.insert(id.as_str()) {
                *exported_by_source.entry(src).or_default() += 1;
            }
        }
    }
    let pairs: Vec<(&str, &str)> = b
        .plan
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.license.as_str()))
        .collect();
    b.licenses = crate::schema::release::licenses(&pairs, &exported_by_source);
    let outside: Vec<&str> = b
        .plan
        .sources
        .iter()
        .filter(|s| b.plan.provenance.is_set() && !b.plan.provenance.permits(&s.license))
        .map(|s| s.name.as_str())
        .collect();
    stats.json["provenance"]["licenses"] = json(&b.licenses);
    stats.json["provenance"]["license_policy"] = serde_json::json!({
        "set": b.plan.provenance.is_set(),
        "violations": outside.len(),
        "sources_outside": outside,
    });
    stats.json["breakdowns"] = crate::stats::breakdowns(
        &b.frame,
        &b.manifest,
        &b.plan.report.breakdowns,
        b.plan.report.min_cell,
    )?;
    if let Some(d) = &b.plan.drift {
        let uri = crate::storage::resolve_uri(&d.baseline, &b.plan.spec_dir);
        let mut drift = match read_baseline_stats(b.storage, &uri) {
            Ok(baseline) => crate::gates::drift(&stats.json, &baseline),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        drift["baseline"] = serde_json::json!(d.baseline);
        stats.json["drift"] = drift;
    }
    b.coverage = Some(coverage);
    b.stats = Some(stats);
    Ok(())
}

pub(super) fn gates(b: &mut Build<'_>) -> Result<()> {
    let stats = b.stats.as_ref().expect("invariant: stats ran");
    let sources: Vec<String> = b.plan.sources.iter().map(|s| s.name.clone()).collect();
    let limits = crate::gates::Limits {
        max_removal_rate: b.plan.dedup.max_removal_rate,
    };
    b.gates = crate::gates::evaluate(
        &stats.json,
        &sources,
        limits,
        &stage_gates(b.plan),
        &b.plan.gates,
    );
    let coverage = b.coverage.as_ref().expect("invariant: stats ran");
    for g in &mut b.gates {
        tracing::debug!(gate = %g.name, value = ?g.value, op = %g.op, threshold = g.threshold, passed = g.passed, "gate");
        if !g.passed
            && let Some(why) =
                explain_failure(&g.name, b.plan, &b.load_reports, coverage, &stats.json)
        {
            g.detail = Some(match g.detail.take() {
                Some(d) => format!("{d}; {why}"),
                None => why,
            });
        }
    }
    Ok(())
}

/// Why a built-in gate failed, naming what lies behind it: the source and its load counts and
/// reasons, the missing families and their sources, the sources outside the licence policy.
fn explain_failure(
    gate: &str,
    plan: &Plan,
    loads: &BTreeMap<String, LoadReport>,
    coverage: &crate::coverage::Coverage,
    stats: &serde_json::Value,
) -> Option<String> {
    let load_of = |source: &str| -> String {
        match loads.get(source) {
            Some(r) => {
                let reasons = r
                    .top_reasons
                    .iter()
                    .take(3)
                    .map(|(reason, n)| format!("{n} × {reason}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                format!(
                    "source `{source}`: {} of {} records loaded, {} rejected{}",
                    r.loaded,
                    r.read,
                    r.rejected,
                    if reasons.is_empty() {
                        String::new()
                    } else {
                        format!(" (most common: {reasons})")
                    }
                )
            }
            None => format!("source `{source}`: not loaded"),
        }
    };
    if let Some(source) = gate
        .strip_prefix("source_loaded.")
        .or_else(|| gate.strip_prefix("load_rejection_rate."))
    {
        return Some(load_of(source));
    }
    match gate {
        "coverage_missing" => {
            let missing: Vec<String> = coverage
                .families
                .iter()
                .filter(|f| f.status == "missing")
                .map(|f| {
                    if f.sources.is_empty() {
                        format!("family `{}`: no source in the spec", f.family)
                    } else {
                        format!(
                            "family `{}` ({})",
                            f.family,
                            f.sources
                                .iter()
                                .map(|s| load_of(s))
                                .collect::<Vec<_>>()
                                .join("; ")
                        )
                    }
                })
                .collect();
            Some(format!("missing: {}", missing.join(" | ")))
        }
        "provenance_license_policy" => {
            let outside: Vec<String> = plan
                .sources
                .iter()
                .filter(|s| !plan.provenance.permits(&s.license))
                .map(|s| format!("`{}` ({})", s.name, s.license))
                .collect();
            Some(format!(
                "sources outside the licence policy (allow {:?}, deny {:?}): {}",
                plan.provenance.allow,
                plan.provenance.deny,
                outside.join(", ")
            ))
        }
        "release_not_empty" => Some(format!(
            "records by status: {}",
            stats["counts"]["by_status"]
        )),
        _ => None,
    }
}

pub(super) fn report(b: &mut Build<'_>) -> Result<()> {
    let stats = b.stats.as_ref().expect("invariant: stats ran");
    let coverage = serde_json::to_value(b.coverage.as_ref().expect("invariant: stats ran"))
        .expect("invariant: coverage serialises");
    b.report = Some(crate::report::render(&crate::report::ReportInput {
        coverage: &coverage,
        review_required: b.plan.require_review,
        name: &b.plan.name,
        version: &b.plan.version,
        spec_sha256: &b.plan.sha256(),
        stats: &stats.json,
        gates: &b.gates,
        messages: &b.messages,
        manifest: &b.manifest,
        spec: &b.plan.report,
    })?);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping around the steps.

impl<'a> Build<'a> {
    /// The release and run locations, refusing what must not be: a version that exists, a run
    /// directory inside a release, an output a source would read back.
    pub(super) fn start(storage: &'a Storage, plan: &'a Plan, opts: &BuildOptions) -> Result<Self> {
        let output = storage.locate(&plan.output)?;
        let release = output.join(&format!("releases/{}/{}", plan.name, plan.version));
        if storage.head(&release.join("release.json"))?.is_some() {
            return Err(Error::AlreadyPublished { uri: release.uri });
        }
        let run = match &opts.run_dir {
            Some(dir) => storage.locate(dir)?,
            // Run directories are cache: local, whatever the output.
            None => storage.locate(
                &crate::storage::runs_root()
                    .join(run_id(plan))
                    .to_string_lossy(),
            )?,
        };
        if !run.is_local() {
            tracing::warn!(run = %run.uri, "the run directory is in a bucket: its stage files (01_load.parquet, 05_pii.parquet) hold the text before redaction");
        }
        refuse_self_reading(plan, &release, &run)?;
        tracing::info!(release = %release.uri, run = %run.uri, "building");
        Ok(Self {
            storage,
            plan,
            run,
            release,
            frame: DataFrame::empty(),
            rejections: Vec::new(),
            inputs: Vec::new(),
            load_reports: BTreeMap::new(),
            records_read: 0,
            signatures: None,
            exact: Default::default(),
            near: None,
            leakage: None,
            pii: Default::default(),
            quality: Default::default(),
            curriculum: None,
            exported: None,
            manifest: DataFrame::empty(),
            ledger: DataFrame::empty(),
            conversations: DataFrame::empty(),
            messages: DataFrame::empty(),
            stats: None,
            coverage: None,
            gates: Vec::new(),
            report: None,
            licenses: Vec::new(),
        })
    }

    /// Write the frame to the run directory as `name` (without the text unless `with_text`).
    fn checkpoint(&self, name: &str, with_text: bool) -> Result<()> {
        if tracing::enabled!(tracing::Level::DEBUG)
            && let Ok(status) = crate::schema::str_column(&self.frame, "status")
        {
            let mut by: BTreeMap<&str, u64> = BTreeMap::new();
            for s in &status {
                *by.entry(s.as_str()).or_default() += 1;
            }
            tracing::debug!(checkpoint = name, rows = self.frame.height(), statuses = ?by, "stage done");
        }
        let mut df = if with_text {
            self.frame.clone()
        } else {
            self.frame
                .drop("messages")
                .unwrap_or_else(|_| self.frame.clone())
        };
        let bytes = parquet_bytes(&mut df)?;
        self.storage.put(&self.run.join(name), Bytes::from(bytes))
    }

    /// Write every release file to the run directory; publish when every gate passed.
    pub(super) fn finish(self) -> Result<Outcome> {
        let stats = self.stats.expect("invariant: stats ran");
        let near = self.near.expect("invariant: dedup_near ran");
        let leakage = self.leakage.expect("invariant: leakage ran");
        let report = self.report.expect("invariant: report ran");
        let coverage = self.coverage.expect("invariant: stats ran");
        let exported = self.exported.expect("invariant: export ran");
        let mut files = ReleaseFiles::default();
        files.add_as(
            "manifest.parquet",
            "07_manifest.parquet",
            parquet_bytes(&mut self.manifest.clone())?,
        );
        files.add_as(
            "ledger.parquet",
            "08_ledger.parquet",
            parquet_bytes(&mut self.ledger.clone())?,
        );
        files.add_json("reports/stats.json", &stats.json);
        files.add_json(
            "reports/gates.json",
            &serde_json::to_value(&self.gates).expect("invariant: gates serialise"),
        );
        for (name, df) in &stats.tables {
            files.add_parquet(&format!("reports/stats_{name}.parquet"), df)?;
        }
        // The queries' input tables without text, so `trainready query queries/<name>.sql` works
        // on a release as it does here.
        files.add_parquet("reports/conversations.parquet", &self.conversations)?;
        files.add_parquet("reports/messages.parquet", &self.messages)?;
        files.add("reports/report.md", report.markdown.into_bytes());
        files.add("reports/report.html", report.html.into_bytes());
        for (file, svg) in report.figures {
            files.add(&format!("reports/figures/{file}"), svg.into_bytes());
        }
        files.add_parquet("reports/dedup_clusters.parquet", &near.clusters)?;
        files.add_parquet("reports/near_pairs_cross_split.parquet", &near.cross_split)?;
        files.add_parquet("reports/leakage_pairs.parquet", &leakage.pairs)?;
        files.add_json(
            "reports/coverage.json",
            &serde_json::to_value(&coverage).expect("invariant: coverage serialises"),
        );
        files.add_json(
            "reports/pii_summary.json",
            &serde_json::to_value(&self.pii).expect("invariant: the PII report serialises"),
        );
        let refs = files.write_to_run(self.storage, &self.run)?;

        let failed: Vec<GateResult> = self.gates.iter().filter(|g| !g.passed).cloned().collect();
        if !failed.is_empty() {
            for g in &failed {
                tracing::error!(gate = %g.name, detail = g.detail.as_deref().unwrap_or(""), "gate failed");
            }
            return Ok(Outcome::Blocked {
                run_dir: self.run.uri,
                failed,
            });
        }
        // Stage the whole release in the run directory (the shards are there already), with its
        // release.json, then publish the staged copy.
        let staging = self.run.join("release");
        files.stage(self.storage, &self.run, &staging)?;
        let doc = crate::release::release_json(
            &self.plan.name,
            &self.plan.version,
            self.plan.to_json(),
            self.plan.sha256(),
            self.inputs.iter().map(InputRef::from).collect(),
            stats.counts.clone(),
            exported.shards.clone(),
            refs,
            self.gates.clone(),
            self.licenses.clone(),
        );
        crate::release::stage_release_json(self.storage, &self.run, &doc, &self.release)?;
        if self.plan.require_review {
            tracing::info!(release = %self.release.uri, run = %self.run.uri, "staged, awaiting review");
            return Ok(Outcome::Staged {
                release: self.release.uri,
                run_dir: self.run.uri,
                counts: stats.counts,
            });
        }
        let shards = crate::release::publish_staged(self.storage, &staging, &self.release)?;
        tracing::info!(release = %self.release.uri, exported = stats.counts.exported, "published");
        Ok(Outcome::Published {
            release: self.release.uri,
            run_dir: self.run.uri,
            counts: stats.counts,
            shards,
        })
    }
}

/// The built-in gates that the plan's stages add to the always-on ones (`gates::builtin`):
/// loading per source, coverage and curriculum routing with `[coverage] required`, per-phase
/// sizes, leakage, the PII residual per kind not allowed, and drift against a baseline.
pub fn stage_gates(plan: &Plan) -> Vec<crate::gates::GateSpec> {
    use crate::gates::{GateOp, GateSpec};
    let mut gates = Vec::new();
    for s in &plan.sources {
        gates.push(GateSpec::new(
            format!("source_loaded.{}", s.name),
            format!("load.loaded.{}", s.name),
            GateOp::Gt,
            0.0,
        ));
        gates.push(GateSpec::new(
            format!("load_rejection_rate.{}", s.name),
            format!("load.rejection_rate.{}", s.name),
            GateOp::Le,
            s.max_rejection_rate,
        ));
    }
    if plan.provenance.is_set() {
        gates.push(GateSpec::equals_zero(
            "provenance_license_policy",
            "provenance.license_policy.violations",
        ));
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
            gates.push(GateSpec::new(
                format!("curriculum_min_records.{}", p.name),
                metric.clone(),
                GateOp::Ge,
                min as f64,
            ));
        }
        if let Some(max) = p.max_records {
            gates.push(GateSpec::new(
                format!("curriculum_max_records.{}", p.name),
                metric,
                GateOp::Le,
                max as f64,
            ));
        }
    }
    if plan.leakage.enabled {
        gates.push(GateSpec::equals_zero("leakage_pairs", "leakage.pairs"));
    }
    if plan.pii.enabled {
        for kind in crate::schema::PiiKind::ALL {
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
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Corrupt(format!(
            "{}: not valid JSON: {}",
            loc.uri,
            crate::records::json_error(&e)
        ))
    })
}

/// A run id unique even for builds of one spec started in the same second: the time to the
/// nanosecond and a hash of the process id and a per-process counter.
fn run_id(plan: &Plan) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let now = jiff::Timestamp::now();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let salt = xxhash_rust::xxh3::xxh3_64(
        format!(
            "{}-{}-{n}-{:?}",
            std::process::id(),
            now.as_nanosecond(),
            std::thread::current().id()
        )
        .as_bytes(),
    );
    format!(
        "{}-{}-{}.{:09}-{}-{:08x}",
        plan.name,
        plan.version,
        now.strftime("%Y%m%dT%H%M%SZ"),
        now.subsec_nanosecond(),
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
    let mut probes: Vec<String> = [
        "release.json",
        "manifest.parquet",
        "ledger.parquet",
        "README.md",
        "reports/stats.json",
        "reports/report.md",
        "reports/leakage_pairs.parquet",
        "01_load.parquet",
        "05_pii.parquet",
        "reports/stats_counts.parquet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for phase in &plan.curriculum.phases {
        for split in crate::schema::SPLITS {
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

/// Serialise a stage report for `stats.json`.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("invariant: stage reports serialise")
        }
    }
}
