//! `trainready runs list|clean`: the run directories in the local cache
//! ([`crate::storage::runs_root`]): what each is, and removing old ones.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::error::{Error, IoContext, Result};
use crate::storage::Storage;

/// The run directories in the local cache: list them, or remove old ones.
///
/// A build's run directory (intermediate Parquet with the text before redaction, reports, the
/// staged release) is cache: $XDG_CACHE_HOME/trainready/runs/<run-id>, else
/// ~/.cache/trainready/runs/<run-id>. `list` says what each one is (published, staged awaiting
/// review, blocked by a gate, incomplete), its age and size; `clean` removes those older than a
/// duration, never one awaiting review unless asked.
///
/// Examples:
///   trainready runs list
///   trainready runs clean --older-than 7d --dry-run
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    /// The folder of run directories (default: the cache's).
    #[arg(long, global = true)]
    pub root: Option<PathBuf>,
}

/// `runs` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// List the run directories, newest first.
    List,
    /// Remove run directories older than a duration.
    Clean {
        /// Age, e.g. `7d`, `12h`, `30m`.
        #[arg(long)]
        older_than: String,
        /// Say what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also remove runs staged and awaiting review.
        #[arg(long)]
        include_staged: bool,
    },
}

/// One run directory.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub run_id: String,
    pub path: String,
    /// `published`, `staged` (awaiting review or an unfinished publish), `blocked`, `incomplete`.
    pub state: &'static str,
    /// Seconds since its newest file was written.
    pub age_seconds: u64,
    pub bytes: u64,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let root = args.root.unwrap_or_else(crate::storage::runs_root);
    let storage = Storage::new()?;
    let runs = list(&storage, &root)?;
    match args.action {
        Action::List => {
            let mut text = format!("{} run director(y/ies) in {}\n", runs.len(), root.display());
            for r in &runs {
                text.push_str(&format!(
                    "  {:<10} {:>8} {:>12} bytes  {}\n",
                    r.state,
                    age(r.age_seconds),
                    r.bytes,
                    r.run_id
                ));
            }
            super::out(&text);
        }
        Action::Clean {
            older_than,
            dry_run,
            include_staged,
        } => {
            let limit = parse_duration(&older_than)?;
            let mut text = String::new();
            let (mut removed, mut kept) = (0, 0);
            for r in &runs {
                if r.age_seconds < limit.as_secs() {
                    continue;
                }
                if r.state == "staged" && !include_staged {
                    text.push_str(&format!(
                        "kept {} (staged, awaiting review or publish; --include-staged removes it)\n",
                        r.run_id
                    ));
                    kept += 1;
                    continue;
                }
                if !dry_run {
                    std::fs::remove_dir_all(&r.path).io_ctx(format!("removing {}", r.path))?;
                }
                text.push_str(&format!(
                    "{} {} ({}, {})\n",
                    if dry_run { "would remove" } else { "removed" },
                    r.run_id,
                    r.state,
                    age(r.age_seconds)
                ));
                removed += 1;
            }
            text.push_str(&format!(
                "{} {removed} run director(y/ies) older than {older_than}; kept {kept}\n",
                if dry_run { "would remove" } else { "removed" }
            ));
            super::out(&text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every run directory below `root`, newest first.
pub fn list(storage: &Storage, root: &Path) -> Result<Vec<RunInfo>> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Ok(Vec::new());
    };
    let now = SystemTime::now();
    let mut out = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        if !path.is_dir() {
            continue;
        }
        let (mut newest, mut bytes) = (SystemTime::UNIX_EPOCH, 0u64);
        for f in walkdir::WalkDir::new(&path).into_iter().flatten() {
            if let Ok(m) = f.metadata() {
                if m.is_file() {
                    bytes += m.len();
                }
                if let Ok(t) = m.modified() {
                    newest = newest.max(t);
                }
            }
        }
        let state = state_of(storage, &path);
        out.push(RunInfo {
            run_id: e.file_name().to_string_lossy().into_owned(),
            path: path.to_string_lossy().into_owned(),
            state,
            age_seconds: now.duration_since(newest).unwrap_or_default().as_secs(),
            bytes,
        });
    }
    out.sort_by(|a, b| {
        a.age_seconds
            .cmp(&b.age_seconds)
            .then(a.run_id.cmp(&b.run_id))
    });
    Ok(out)
}

fn state_of(storage: &Storage, run: &Path) -> &'static str {
    let publish = run.join(crate::release::PUBLISH_JSON);
    if run.join("release/release.json").is_file() {
        let published = std::fs::read(&publish)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v["release"].as_str().map(str::to_string))
            .and_then(|uri| storage.locate(&uri).ok())
            .and_then(|loc| storage.head(&loc.join("release.json")).ok().flatten())
            .is_some();
        return if published { "published" } else { "staged" };
    }
    let blocked = std::fs::read(run.join("reports/gates.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.as_array().map(|g| g.iter().any(|g| g["passed"] == false)))
        .unwrap_or(false);
    if blocked { "blocked" } else { "incomplete" }
}

/// `7d`, `12h`, `30m`, `90s`.
pub fn parse_duration(s: &str) -> Result<Duration> {
    let bad = || {
        Error::Usage(format!(
            "`{}` is not a duration: use a number and d, h, m or s (7d, 12h)",
            crate::error::echo(s)
        ))
    };
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().checked_sub(1).ok_or_else(bad)?);
    let n: u64 = n.parse().map_err(|_| bad())?;
    let secs = match unit {
        "d" => n.checked_mul(86_400),
        "h" => n.checked_mul(3_600),
        "m" => n.checked_mul(60),
        "s" => Some(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    Ok(Duration::from_secs(secs))
}

fn age(secs: u64) -> String {
    match secs {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(super::parse_duration("7d").unwrap().as_secs(), 604_800);
        assert_eq!(super::parse_duration("12h").unwrap().as_secs(), 43_200);
        assert!(super::parse_duration("7").is_err());
        assert!(super::parse_duration("d").is_err());
        assert!(super::parse_duration("").is_err());
        assert!(super::parse_duration("99999999999999999999d").is_err());
    }
}
