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
                    version: Some("check".into()),
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
pub const VARIABLES: [&str; 10] = [
    "DATASET_STORAGE_BACKEND",
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
    let ovh_any = ["OVH_S3_ENDPOINT", "OVH_S3_ACCESS_KEY", "OVH_S3_SECRET_KEY"]
        .iter()
        .any(|v| set(v));
    if ovh_any {
        for (a, b) in [
            ("OVH_S3_ENDPOINT", "OVH_S3_SECRET_KEY"),
            ("OVH_S3_ENDPOINT", "OVH_S3_ACCESS_KEY"),
            ("OVH_S3_ACCESS_KEY", "OVH_S3_SECRET_KEY"),
            ("OVH_S3_SECRET_KEY", "OVH_S3_ACCESS_KEY"),
        ] {
            if set(a) && !set(b) {
                out.push(format!("{a} is set but {b} is not"));
            }
        }
    }
    if backend == "s3" && !set("OVH_S3_BUCKET") && !set("DATASET_PIPELINE_OUTPUT_DIR") {
        out.push(
            "DATASET_STORAGE_BACKEND is s3 but OVH_S3_BUCKET is not set (no default output)".into(),
        );
    }
    if backend == "s3"
        && !(set("OVH_S3_ACCESS_KEY") && set("OVH_S3_SECRET_KEY"))
        && !(set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY"))
    {
        out.push("DATASET_STORAGE_BACKEND is s3 but neither OVH_S3_ACCESS_KEY/OVH_S3_SECRET_KEY nor AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set".into());
    }
    out
}

/// Explain a storage error in terms of what to do.
fn explain(uri: &str, e: &object_store::Error) -> String {
    let text = e.to_string();
    match e {
        object_store::Error::NotFound { .. } => {
            format!("{uri}: not found (does the bucket exist? is the prefix right?)")
        }
        object_store::Error::PermissionDenied { .. } => {
            format!("403 on {uri}: check the key's permissions")
        }
        object_store::Error::Unauthenticated { .. } => format!(
            "401 on {uri}: the credentials were rejected: check OVH_S3_ACCESS_KEY / OVH_S3_SECRET_KEY"
        ),
        _ if text.contains("NoSuchBucket") => format!("{uri}: the bucket does not exist"),
        _ if text.contains("403")
            || text.contains("AccessDenied")
            || text.contains("InvalidAccessKeyId")
            || text.contains("SignatureDoesNotMatch") =>
        {
            format!(
                "403 on {uri}: the credentials were rejected or lack permission: check OVH_S3_ACCESS_KEY / OVH_S3_SECRET_KEY and the key's permissions"
            )
        }
        _ if text.contains("onnect") || text.contains("dns") || text.contains("timed out") => {
            format!(
                "cannot reach the endpoint for {uri}: check OVH_S3_ENDPOINT and the network ({text})"
            )
        }
        _ => format!("{uri}: {text}"),
    }
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
    let output = output.map(str::to_string).unwrap_or_else(default_output);
    let mut targets = vec![("output", output.clone())];
    targets.extend(sources.iter().map(|s| ("source", s.clone())));
    for (what, uri) in &targets {
        // A glob lists its literal prefix.
        let prefix = match uri.find(['*', '?', '[', '{']) {
            Some(i) => uri[..uri[..i].rfind('/').map_or(0, |j| j + 1)].to_string(),
            None => uri.clone(),
        };
        let loc = match storage.locate(&prefix) {
            Ok(l) => l,
            Err(e) => {
                ok = false;
                say(format!("problem: {what} {uri}: {e}"));
                continue;
            }
        };
        match storage.list_some(&loc, 10) {
            Ok(objects) => say(format!(
                "ok: {what} {} lists ({} object(s) seen, up to 10)",
                loc.uri,
                objects.len()
            )),
            Err(e) if loc.is_local() && matches!(e, object_store::Error::NotFound { .. }) => {
                say(format!(
                    "ok: {what} {} does not exist yet (local: created on write)",
                    loc.uri
                ))
            }
            Err(e) => {
                ok = false;
                say(format!("problem: {}", explain(&loc.uri, &e)));
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
