//! `trainready build SPEC`: the whole pipeline ([`crate::pipeline`]), then publish.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{err_line, out};
use crate::error::Result;
use crate::pipeline::{BuildOptions, Outcome};
use crate::spec::Overrides;

/// Build a release from a spec, and publish it when every gate passes.
///
/// Steps: load, sign, split, dedup (exact, near), leakage, PII, curriculum, export, ledger,
/// statistics, gates, report (`trainready plan` lists them with their settings).
///
/// Exit 0: published. Exit 1: a gate failed (nothing published; reports stay in the run
/// directory). Exit 2: the tool failed (including: the version already exists). Exit 3: every
/// gate passed and the spec requires a review: the release is staged in the run directory,
/// awaiting `trainready publish RUN_DIR --reviewed-by NAME`.
///
/// Examples:
///   trainready build fixtures/release.toml
///   trainready build release.toml --output s3://pixel-data/gdrive/processed --version 1.2.0
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The run spec (release.toml).
    pub spec: PathBuf,
    /// Output root (path or URI); releases land in <output>/releases/<name>/<version>/.
    #[arg(long)]
    pub output: Option<String>,
    /// Release version (overrides [release] version).
    #[arg(long = "version")]
    pub release_version: Option<String>,
    /// Run directory for intermediate Parquet and reports (default <output>/runs/<run-id>).
    #[arg(long)]
    pub run_dir: Option<String>,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let opts = BuildOptions {
        overrides: Overrides {
            output: args.output,
            version: args.release_version,
        },
        run_dir: args.run_dir,
    };
    match crate::pipeline::build(&args.spec, &opts)? {
        Outcome::Published {
            release,
            run_dir,
            counts,
            shards,
        } => {
            let removed = counts.input - counts.exported;
            out(&format!(
                "published {release}\n  {} input records: {} exported in {shards} shards, {removed} removed (see ledger.parquet)\n  run directory: {run_dir}\n",
                counts.input, counts.exported
            ));
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Staged {
            release,
            run_dir,
            counts,
        } => {
            out(&format!(
                "staged {release}, awaiting review\n  {} input records: {} exported, {} removed\n  review {run_dir}/reports/report.md, then: trainready publish {run_dir} --reviewed-by NAME [--note TEXT]\n",
                counts.input,
                counts.exported,
                counts.input - counts.exported
            ));
            Ok(ExitCode::from(3))
        }
        Outcome::Blocked { run_dir, failed } => {
            err_line(&format!(
                "release blocked: {} gate(s) failed; nothing was published",
                failed.len()
            ));
            for g in &failed {
                err_line(&format!(
                    "  {}: {}",
                    g.name,
                    g.detail.as_deref().unwrap_or("failed")
                ));
            }
            err_line(&format!("  reports: {run_dir}/reports/gates.json"));
            Ok(ExitCode::from(1))
        }
    }
}
