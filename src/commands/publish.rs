//! `trainready publish RUN_DIR`: finish a publish that stopped half-way
//! ([`crate::release::publish_run`]).

use std::process::ExitCode;

use crate::error::Result;
use crate::storage::Storage;

/// Finish the publish of a build that passed its gates but did not complete its publish.
///
/// After a storage outage or a killed process: copies the release staged in the run directory
/// (`<run>/release/`) to where the build was publishing, release.json last and create-only.
/// Nothing is recomputed. Exit 0 published, 2 otherwise (including: already published, or the
/// run did not pass its gates).
///
/// Examples:
///   trainready publish out/runs/fixtures-0.1.0-20261125T120000Z.123456789-ab12cd34-0f0f0f0f
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The run directory (printed by build; `--run-dir` if given).
    pub run_dir: String,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let storage = Storage::new()?;
    let (release, shards) = crate::release::publish_run(&storage, &args.run_dir)?;
    super::out(&format!("published {release} ({shards} shards)\n"));
    Ok(ExitCode::SUCCESS)
}
