//! `trainready check [SPEC]` (runbook step A): which backend, which credential variables are set
//! (names only, never values), whether the output location and the sources list, and with
//! `--write-probe` whether a create-only write and a delete work. Every problem is printed with
//! what to do about it; exit 0 when everything checked works, 2 otherwise.

use std::path::PathBuf;
use std::process::ExitCode;

use bytes::Bytes;

use crate::error::Result;
use crate::spec::Overrides;
use crate::storage::{Storage, default_output};

/// Access sanity (runbook step A): backend, credentials, listings, a write probe.
///
/// Prints the backend, which credential variables are set (names only, never values), whether
/// the output and every source location list, and with --write-probe whether a create-only
/// write and a delete work. Exit 0 when everything works, 2 otherwise.
///
/// Examples:
///   trainready check
///   trainready check release.toml --write-probe
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A spec: also check its output and every source location.
    pub spec: Option<PathBuf>,
    /// Output root to check (default: the spec's, else the environment's, else ./out).
    #[arg(long)]
    pub output: Option<String>,
    /// Also write (create-only) and delete a small probe object under the output.
    #[arg(long)]
    pub write_probe: bool,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let (output, sources) = match &args.spec {
        Some(path) => {
            let plan = crate::spec::load(
                path,
                &Overrides {
                    output: args.output.clone(),
                    version: Some("0".into()),
                },
            )?;
            (
                Some(plan.output.clone()),
                plan.sources
                    .iter()
                    .map(|s| s.resolved_uri.clone())
                    .collect(),
            )
        }
        None => (args.output, Vec::new()),
    };
    let stdout = std::io::stdout();
    let ok = check(
        output.as_deref(),
        &sources,
        args.write_probe,
        &mut stdout.lock(),
    )?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// The credential variables the runbook names, in the order they are reported.
pub const VARIABLES: [&str; 11] = [
    "DATASET_STORAGE_BACKEND",
    "GCS_BUCKET",
    "OVH_S3_BUCKET",
    "OVH_S3_REGION",
    "OVH_S3_ENDPOINT",
    "OVH_S3_ACCESS_KEY",
    "OVH_S3_SECRET_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "DATASET_PIPELINE_OUTPUT_DIR",
    "DATASET_STORAGE_LOCAL_PATH",
];

fn set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.trim().is_empty())
}

/// Problems with the variables themselves (before any request).
pub fn variable_problems() -> Vec<String> {
    let mut out = Vec::new();
    let backend = std::env::var("DATASET_STORAGE_BACKEND").unwrap_or_default();
    if !backend.is_empty() && !matches!(backend.as_str(), "local" | "s3" | "gcs") {
        out.push(format!(
            "DATASET_STORAGE_BACKEND is `{backend}`: use local, s3 or gcs"
        ));
    }
    // Keys come in pairs: OVH's, else the AWS fallback (exactly as storage reads them).
    for (a, b) in [
        ("OVH_S3_ACCESS_KEY", "OVH_S3_SECRET_KEY"),
        ("OVH_S3_SECRET_KEY", "OVH_S3_ACCESS_KEY"),
        ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
        ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
    ] {
        if set(a) && !set(b) {
            out.push(format!("{a} is set but {b} is not"));
        }
    }
    let keys = (set("OVH_S3_ACCESS_KEY") && set("OVH_S3_SECRET_KEY"))
        || (set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY"));
    if set("OVH_S3_ENDPOINT") && !keys {
        out.push("OVH_S3_ENDPOINT is set but no key pair is: set OVH_S3_ACCESS_KEY/OVH_S3_SECRET_KEY (or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY fallback)".into());
    }
    if backend == "s3" && !keys {
        out.push("DATASET_STORAGE_BACKEND is s3 but neither OVH_S3_ACCESS_KEY/OVH_S3_SECRET_KEY nor AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set".into());
    }
    if let Err(e) = crate::storage::S3Settings::from_env().validate() {
        out.push(e.to_string());
    }
    out
}

/// Explain a storage error in terms of what to do.
fn explain(uri: &str, e: &object_store::Error) -> String {
    format!("{uri}: {}", crate::error::hint(e))
}

/// Run the check, printing to `out`; returns whether everything worked.
pub fn check(
    output: Option<&str>,
    sources: &[String],
    write_probe: bool,
    out: &mut dyn std::io::Write,
) -> Result<bool> {
    let mut ok = true;
    let mut say = |s: String| {
        let _ = writeln!(out, "{}", crate::error::scrub(&s));
    };
    let backend =
        std::env::var("DATASET_STORAGE_BACKEND").unwrap_or_else(|_| "local (default)".into());
    say(format!("backend: {backend}"));
    let found: Vec<&str> = VARIABLES.iter().copied().filter(|v| set(v)).collect();
    say(format!(
        "variables set: {}",
        if found.is_empty() {
            "none".to_string()
        } else {
            found.join(", ")
        }
    ));
    for p in variable_problems() {
        ok = false;
        say(format!("problem: {p}"));
    }
    let storage = Storage::new()?;
    let output = match output {
        Some(o) => o.to_string(),
        None => match default_output() {
            Ok(o) => o,
            Err(e) => {
                ok = false;
                say(format!("problem: {e}"));
                "./out".to_string()
            }
        },
    };
    // The output: its location lists (a local folder may not exist yet).
    match storage.locate(&output) {
        Err(e) => {
            ok = false;
            say(format!("problem: output {output}: {e}"));
        }
        Ok(loc) => match storage.list_some(&loc, 10) {
            Ok(objects) => say(format!(
                "ok: output {} lists ({} object(s) seen, up to 10)",
                loc.uri,
                objects.len()
            )),
            Err(e) if loc.is_local() && matches!(e, object_store::Error::NotFound { .. }) => {
                say(format!(
                    "ok: output {} does not exist yet (local: created on write)",
                    loc.uri
                ))
            }
            Err(e) => {
                ok = false;
                say(format!("problem: {}", explain(&loc.uri, &e)));
            }
        },
    }
    // Every source: its glob must match at least one object.
    for uri in sources {
        match storage.glob(uri) {
            Ok(objects) if objects.is_empty() => {
                ok = false;
                say(format!(
                    "problem: source {uri} matches no object (a missing file, a wrong glob or prefix)"
                ));
            }
            Ok(objects) => say(format!(
                "ok: source {uri} matches {} object(s), {} bytes",
                objects.len(),
                objects.iter().map(|o| o.size).sum::<u64>()
            )),
            Err(crate::Error::Storage { uri, source }) => {
                ok = false;
                say(format!("problem: {}", explain(&uri, &source)));
            }
            Err(e) => {
                ok = false;
                say(format!("problem: source {uri}: {e}"));
            }
        }
    }
    if write_probe {
        let loc = storage
            .locate(&output)?
            .join(&format!(".trainready-probe-{}", std::process::id()));
        match storage.put_create(&loc, Bytes::from_static(b"probe")) {
            Ok(true) => {
                let deleted = storage.delete(&loc).is_ok();
                say(format!(
                    "ok: write probe {} (create-only put{})",
                    loc.uri,
                    if deleted {
                        ", delete"
                    } else {
                        "; delete FAILED"
                    }
                ));
                ok &= deleted;
            }
            Ok(false) => {
                ok = false;
                say(format!(
                    "problem: write probe {}: the object already exists",
                    loc.uri
                ));
            }
            Err(crate::Error::Storage { uri, source }) => {
                ok = false;
                say(format!("problem: write probe: {}", explain(&uri, &source)));
            }
            Err(e) => {
                ok = false;
                say(format!("problem: write probe: {e}"));
            }
        }
    }
    say(if ok {
        "check passed".into()
    } else {
        "check failed".into()
    });
    Ok(ok)
}
