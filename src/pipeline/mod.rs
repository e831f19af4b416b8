//! The only module that knows the order of the stages: a build runs [`STEPS`] in order over one
//! [`Build`], then publishes when every gate passed.
//!
//! ```text
//! step          stage                  checkpoint in the run directory
//! load          load                   01_load.parquet (the text as loaded)
//! quality       quality::apply         (only with [quality]; its columns ride in 02-07)
//! sign          kernels::Signatures    (memory: MinHash signatures, shared by the next two)
//! split         split::apply           (only with [split] assign)
//! dedup_exact   dedup::exact::apply    02_dedup_exact.parquet
//! dedup_near    dedup::near::apply     03_dedup_near.parquet, reports/dedup_clusters.parquet
//! leakage       leakage::apply         04_leakage.parquet, reports/leakage_pairs.parquet
//! pii           pii::apply             05_pii.parquet (the text as exported)
//! curriculum    curriculum::apply      06_curriculum.parquet
//! export        export::export         release/chatml/<phase>/<split>/*.jsonl (one shard at a time)
//! ledger        manifest::{manifest, ledger}   07_manifest.parquet, 08_ledger.parquet
//! stats         stats::compute, coverage, curriculum::report   reports/stats.json
//! gates         gates::evaluate        reports/gates.json
//! report        report::render         reports/report.md, report.html, figures/
//! ```
//!
//! Stage files 02-04 and 06 carry every column but the text (it is in 01 and 05; join on
//! `record_id`). Every file of the release is written to the run directory whatever the gates
//! say; publishing ([`crate::release`]) happens only when every gate passes.

mod describe;
mod steps;

use std::path::Path;

use crate::error::Result;
use crate::schema::release::{Counts, GateResult};
use crate::spec::{Overrides, Plan};
use crate::storage::Storage;
pub use steps::{Build, stage_gates};

/// One step of a build: its name, what it leaves in the run directory, what it does, and what it
/// will do for a plan (`trainready plan`).
pub struct Step {
    pub name: &'static str,
    pub checkpoint: &'static str,
    pub run: fn(&mut Build<'_>) -> Result<()>,
    pub describe: fn(&Plan) -> String,
}

/// The steps of a build, in order: name, what it leaves in the run directory, what it runs.
#[rustfmt::skip]
pub const STEPS: [Step; 14] = [
    Step::new("load",        "01_load.parquet",                        steps::load,        describe::load),
    Step::new("quality",     "",                                       steps::quality,     describe::quality),
    Step::new("sign",        "",                                       steps::sign,        describe::sign),
    Step::new("split",       "",                                       steps::split,       describe::split),
    Step::new("dedup_exact", "02_dedup_exact.parquet",                 steps::dedup_exact, describe::dedup_exact),
    Step::new("dedup_near",  "03_dedup_near.parquet",                  steps::dedup_near,  describe::dedup_near),
    Step::new("leakage",     "04_leakage.parquet",                     steps::leakage,     describe::leakage),
    Step::new("pii",         "05_pii.parquet",                         steps::pii,         describe::pii),
    Step::new("curriculum",  "06_curriculum.parquet",                  steps::curriculum,  describe::curriculum),
    Step::new("export",      "release/chatml/",                        steps::export,      describe::export),
    Step::new("ledger",      "07_manifest.parquet, 08_ledger.parquet", steps::ledger,      describe::ledger),
    Step::new("stats",       "reports/stats.json",                     steps::stats,       describe::stats),
    Step::new("gates",       "reports/gates.json",                     steps::gates,       describe::gates),
    Step::new("report",      "reports/report.md",                      steps::report,      describe::report),
];

impl Step {
    const fn new(
        name: &'static str,
        checkpoint: &'static str,
        run: fn(&mut Build<'_>) -> Result<()>,
        describe: fn(&Plan) -> String,
    ) -> Self {
        Self {
            name,
            checkpoint,
            run,
            describe,
        }
    }
}

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
    /// Every gate passed and the spec requires a review: the release is staged in the run
    /// directory and `trainready publish RUN_DIR --reviewed-by NAME` publishes it.
    Staged {
        release: String,
        run_dir: String,
        counts: Counts,
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

/// Build a resolved plan: every step in order, then publish (or not).
pub fn build_plan(storage: &Storage, plan: &Plan, opts: &BuildOptions) -> Result<Outcome> {
    let mut b = Build::start(storage, plan, opts)?;
    for step in &STEPS {
        let _span = tracing::info_span!("step", name = step.name).entered();
        (step.run)(&mut b)?;
    }
    b.finish()
}
