//! `trainready publish RUN_DIR`: finish a publish that stopped half-way
//! ([`crate::release::publish_run`]).

use std::process::ExitCode;

use crate::error::Result;
use crate::storage::Storage;

/// Publish the release staged in a run directory: after review, or after an interrupted publish.
///
/// A build whose spec has `[release] require_review = true` stops at "staged, awaiting review"
/// (exit 3); after reading its reports, `--reviewed-by` (and `--note`) publishes it and records
/// the review in release.json. A build whose publish stopped half-way (a storage outage, a killed
/// process) is finished the same way. Copies the staged release (`<run>/release/`) to where the
/// build was publishing, release.json last and create-only; nothing is recomputed. Exit 0
/// published, 2 otherwise (already published, the run did not pass its gates, or a required
/// review is missing).
///
/// Examples:
///   trainready publish ~/.cache/trainready/runs/<run-id> --reviewed-by "A. Reviewer" --note "QA ok"
///   trainready publish /tmp/run-of-an-interrupted-build
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The run directory (printed by build; `--run-dir` if given).
    pub run_dir: String,
    /// Who reviewed the staged release (recorded in release.json).
    #[arg(long)]
    pub reviewed_by: Option<String>,
    /// A note of the review (recorded in release.json).
    #[arg(long, requires = "reviewed_by")]
    pub note: Option<String>,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let storage = Storage::new()?;
    let review = args.reviewed_by.map(|by| crate::schema::release::Review {
        by,
        note: args.note,
    });
    let (release, shards) = crate::release::publish_run(&storage, &args.run_dir, review)?;
    super::out(&format!("published {release} ({shards} shards)\n"));
    Ok(ExitCode::SUCCESS)
}
