//! Command line (clap derive). Exit codes: 0 success, 1 blocked by a gate or a failed
//! verification, 2 the tool failed. Logs go to stderr; stdout is for data.
//!
//! The doc comments of the argument structs are the `--help` text, written for a terminal, so
//! rustdoc's HTML and link lints do not apply to them.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::pipeline::{BuildOptions, Outcome};
use crate::spec::Overrides;

/// Build versioned, training-ready releases of conversation datasets.
#[derive(Debug, Parser)]
#[command(name = "trainready", version, about, propagate_version = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    /// Only print errors (overrides RUST_LOG).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// `trainready plan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a release from a spec: load, dedup, export, gates, publish.
    ///
    /// Exit 0: published. Exit 1: a gate failed (nothing published; reports stay in the run
    /// directory). Exit 2: the tool failed (including: the version already exists).
    ///
    /// Examples:
    ///   trainready build fixtures/release.toml
    ///   trainready build release.toml --output s3://pixel-data/gdrive/processed --version 1.2.0
    #[command(verbatim_doc_comment)]
    Build {
        /// The run spec (release.toml).
        spec: PathBuf,
        /// Output root (path or URI); releases land in <output>/releases/<name>/<version>/.
        #[arg(long)]
        output: Option<String>,
        /// Release version (overrides [release] version).
        #[arg(long = "version")]
        release_version: Option<String>,
        /// Run directory for intermediate Parquet and reports (default <output>/runs/<run-id>).
        #[arg(long)]
        run_dir: Option<String>,
    },
    /// Near-duplicate detection alone (MinHash LSH) on JSONL or Parquet files.
    ///
    /// Writes DIR/clusters.parquet (record_id, cluster_id, kept, dup_of, similarity; one row per
    /// input record), DIR/kept_ids.txt, DIR/removed_ids.txt and DIR/report.json. Text: the
    /// contents of the messages field joined, else the text field. Exit 0 when it ran.
    ///
    /// Examples:
    ///   trainready dedup corpus.jsonl --out dedup-out
    ///   trainready dedup a.jsonl b.parquet --out d --text-field body --id-field uid --threshold 0.7
    #[command(verbatim_doc_comment)]
    Dedup {
        /// Input files (JSONL or Parquet; paths or URIs).
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Output folder.
        #[arg(long)]
        out: String,
        #[command(flatten)]
        fields: FieldArgs,
        /// True Jaccard similarity from which records are near-duplicates.
        #[arg(long, default_value_t = 0.8)]
        threshold: f64,
        /// MinHash permutations.
        #[arg(long, default_value_t = 128)]
        num_perm: usize,
        /// Shingle size in tokens.
        #[arg(long, default_value_t = 5)]
        ngram: usize,
        /// Permutation seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Verify candidates by the signature estimate or the exact shingle Jaccard (more memory).
        #[arg(long, value_enum, default_value = "estimate")]
        verify: VerifyArg,
        /// Above this size a cluster is checked against its representative, not chained.
        #[arg(long, default_value_t = 1000)]
        max_cluster_size: usize,
        /// MiB of JSONL parsed per batch (memory: about four times this, plus the signatures).
        #[arg(long, default_value_t = 16)]
        batch_mib: usize,
    },
    /// Scan JSONL, CSV or Parquet files for PII; findings as JSONL on stdout (never the values).
    ///
    /// Each line: {"record": id, "message": index, "kind": KIND, "start": n, "end": n}, offsets
    /// in Unicode code points of that message's content, end exclusive. --redact OUT writes a
    /// copy with placeholders ([PHONE_1], numbered per record). Exit 0 when it ran.
    ///
    /// Examples:
    ///   trainready pii chats.jsonl > findings.jsonl
    ///   trainready pii answers.csv --text-field answerText --id-field questionID --redact clean.csv
    #[command(verbatim_doc_comment)]
    Pii {
        /// Input files (JSONL, CSV or Parquet; paths or URIs).
        #[arg(required = true)]
        files: Vec<String>,
        /// Write a redacted copy: a file for one input, a folder for several.
        #[arg(long)]
        redact: Option<String>,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// SQL over a run's or a release's Parquet tables (Polars SQL), for analysts.
    ///
    /// Tables: manifest, ledger and the reports' Parquet (dedup_clusters, leakage_pairs,
    /// near_pairs_cross_split, stats_*) in a release; the stage files (load, dedup_exact,
    /// dedup_near, leakage, pii, manifest, ledger) in a run directory.
    ///
    /// Examples:
    ///   trainready query "SELECT source, COUNT(*) AS n FROM ledger GROUP BY source" --release out/releases/fixtures/0.1.0
    ///   trainready query queries/counts_by_source_status.sql --run out/runs/<run-id> --format csv
    #[command(verbatim_doc_comment)]
    Query {
        /// The SQL, or a path to a .sql file.
        sql: String,
        /// A run directory.
        #[arg(long, conflicts_with = "release", required_unless_present = "release")]
        run: Option<String>,
        /// A release folder or URI.
        #[arg(long)]
        release: Option<String>,
        /// table (default; long results elided), csv, json (lines) or parquet (to stdout).
        #[arg(long, value_enum, default_value = "table")]
        format: crate::query::OutputFormat,
    },
    /// Compare two releases: records added, removed and changed (by record_id and text_hash),
    /// and drift of family and split shares and median lengths. JSON on stdout.
    ///
    /// Examples:
    ///   trainready diff out/releases/fixtures/0.1.0 out/releases/fixtures/0.2.0
    #[command(verbatim_doc_comment)]
    Diff {
        /// The older release.
        a: String,
        /// The newer release.
        b: String,
    },
    /// Inventory and mapping (runbook step B): every source object with size, sha256, format,
    /// fields and record count, the coverage matrix and the routing table, without building.
    ///
    /// Writes inventory.json and coverage.json to --out (default
    /// <output>/inventory/<name>-<version>/) and prints a summary. Exit 0; 1 when a required
    /// family is missing; 2 when a source cannot be read.
    ///
    /// Examples:
    ///   trainready inventory release.toml
    ///   trainready inventory release.toml --out s3://pixel-data/gdrive/processed/inventory
    #[command(verbatim_doc_comment)]
    /// Finish the publish of a build whose gates passed but whose publish did not complete
    /// (a storage outage, a killed process): copies the release staged in the run directory
    /// (`<run>/release/`) to where the build was publishing, release.json last and create-only.
    /// Nothing is recomputed. Exit 0 published, 2 otherwise (including: already published, or
    /// the run did not pass its gates).
    ///
    /// Examples:
    ///   trainready publish out/runs/fixtures-0.1.0-20261125T120000Z-ab12cd34
    #[command(verbatim_doc_comment)]
    Publish {
        /// The run directory (printed by build; `--run-dir` if given).
        run_dir: String,
    },
    /// Show what a build of SPEC would do, reading no record: release and run locations, the
    /// objects each source matches (listing only), the stages with their effective settings,
    /// the curriculum routing, every gate and the statistics queries. Exit 0, 2 on a bad spec
    /// or an unreachable source.
    ///
    /// Examples:
    ///   trainready plan fixtures/release.toml
    ///   trainready plan release.toml --format json
    #[command(verbatim_doc_comment)]
    Plan {
        /// The run spec.
        spec: PathBuf,
        /// `text` (default) or `json`.
        #[arg(long, default_value = "text")]
        format: PlanFormat,
        /// Output location (as for build).
        #[arg(long)]
        output: Option<String>,
        /// Release version (as for build).
        #[arg(long)]
        version: Option<String>,
    },
    Inventory {
        /// The run spec.
        spec: PathBuf,
        /// Where to write inventory.json and coverage.json.
        #[arg(long)]
        out: Option<String>,
    },
    /// Access sanity (runbook step A): backend, credential variables (names only), listings,
    /// and an optional create-only write probe. Exit 0 when everything works, 2 otherwise.
    ///
    /// Examples:
    ///   trainready check
    ///   trainready check release.toml --write-probe
    #[command(verbatim_doc_comment)]
    Check {
        /// A spec: also check its output and every source location.
        spec: Option<PathBuf>,
        /// Output root to check (default: the spec's, else the environment's, else ./out).
        #[arg(long)]
        output: Option<String>,
        /// Also write (create-only) and delete a small probe object under the output.
        #[arg(long)]
        write_probe: bool,
    },
    /// Re-check a published release from its own files: checksums, counts, ledger balance.
    ///
    /// Exit 0: intact. Exit 1: any mismatch (each one named on stderr).
    ///
    /// Examples:
    ///   trainready verify out/releases/fixtures/0.1.0
    ///   trainready verify s3://pixel-data/releases/fixtures/0.1.0
    #[command(verbatim_doc_comment)]
    Verify {
        /// The release folder or URI (the one holding release.json).
        release: String,
    },
}

/// Where `dedup` and `pii` find a record's id and text.
#[derive(Debug, clap::Args)]
pub struct FieldArgs {
    /// Field (or CSV column) holding the text (default `text` when there is no messages field).
    #[arg(long, conflicts_with = "messages_field")]
    pub text_field: Option<String>,
    /// Field holding a list of {role, content} messages (default `messages`).
    #[arg(long)]
    pub messages_field: Option<String>,
    /// Field holding the record id (default `id`; absent: <file>#<record index>).
    #[arg(long, default_value = "id")]
    pub id_field: String,
}

/// `--verify` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum VerifyArg {
    Estimate,
    Exact,
}

/// Parse the command line, run, and map the outcome to an exit code.
pub fn main() -> ExitCode {
    install_panic_hook();
    // The test of the panic hook (tests/it/reliability.rs) needs a panic on demand.
    if let Ok(message) = std::env::var("TRAINREADY_TEST_PANIC") {
        panic!("{message}");
    }
    let args = Args::parse();
    init_logging(args.quiet);
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            err_line(&format!("error: {e:#}"));
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                err_line(&format!("  caused by: {s}"));
                source = s.source();
            }
            ExitCode::from(2)
        }
    }
}

/// A panic is a bug: say so, name the command and where it happened, and exit 2 (a tool
/// failure) instead of 101. The message is cut at anything quoted (a panic on a string slice
/// quotes the string, which may be record text).
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let command = std::env::args().nth(1).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        err_line(&format!(
            "internal error (a bug in trainready {}), please report it: `trainready {}` panicked{at}: {}",
            env!("CARGO_PKG_VERSION"),
            crate::error::echo(&command),
            panic_summary(&message)
        ));
        std::process::exit(2);
    }));
}

/// A panic message without quoted parts, at most 200 characters.
fn panic_summary(message: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push('…');
                out.push(c);
            }
            Some(_) => {}
            None if matches!(c, '`' | '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            None => out.push(c),
        }
    }
    crate::error::echo(&out)
}

/// One line on stderr, with any password in a URL scrubbed; a closed or full stderr is ignored
/// (never a panic, never an abort: a build whose log is piped into `head` still publishes).
pub fn err_line(s: &str) {
    let s = crate::error::scrub(s);
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(s.as_bytes()).and_then(|()| e.write_all(b"\n"));
}

/// Whether an event may be logged at all (before RUST_LOG): ours at any level; the HTML
/// parser's never (at debug and trace it logs the characters it reads, i.e. record text); any
/// other crate's at warn and error only (an HTTP client logs URLs at debug).
fn event_allowed(target: &str, level: &tracing::Level) -> bool {
    if target == "trainready" || target.starts_with("trainready::") {
        return true;
    }
    if ["html5ever", "markup5ever", "html2text", "xml5ever"]
        .iter()
        .any(|t| target.starts_with(t))
    {
        return false;
    }
    *level <= tracing::Level::WARN
}

fn init_logging(quiet: bool) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = if quiet {
        EnvFilter::new("error")
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("trainready=info"))
    };
    // Whatever RUST_LOG says, other crates log warnings and errors only, and the HTML parser
    // nothing (at debug level it logs the text of the fields it parses; an HTTP client logs
    // URLs, with a password if an endpoint holds one).
    let deps =
        tracing_subscriber::filter::filter_fn(|meta| event_allowed(meta.target(), meta.level()));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .log_internal_errors(false);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(deps)
        .with(fmt)
        .try_init();
}

/// Run a parsed command.
pub fn run(args: Args) -> crate::Result<ExitCode> {
    match args.command {
        Command::Build {
            spec,
            output,
            release_version,
            run_dir,
        } => {
            let opts = BuildOptions {
                overrides: Overrides {
                    output,
                    version: release_version,
                },
                run_dir,
            };
            match crate::pipeline::build(&spec, &opts)? {
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
        Command::Dedup {
            inputs,
            out: out_dir,
            fields:
                FieldArgs {
                    text_field,
                    messages_field,
                    id_field,
                },
            threshold,
            num_perm,
            ngram,
            seed,
            verify,
            max_cluster_size,
            batch_mib,
        } => {
            let near = crate::spec::NearSpec {
                threshold,
                num_perm,
                ngram,
                seed,
                verify: match verify {
                    VerifyArg::Estimate => crate::spec::VerifyMode::Estimate,
                    VerifyArg::Exact => crate::spec::VerifyMode::Exact,
                },
                max_cluster_size,
                ..Default::default()
            };
            let opts = crate::dedup::command::DedupOptions {
                inputs,
                out: out_dir.clone(),
                text_field,
                messages_field,
                id_field,
                near,
                batch_bytes: batch_mib.max(1) << 20,
            };
            let storage = crate::storage::Storage::new()?;
            let s = crate::dedup::command::run(&storage, &opts)?;
            out(&format!(
                "{} records: {} kept, {} near-duplicates removed in {} clusters ({} unreadable) in {:.1}s\n  {out_dir}/clusters.parquet\n",
                s.records, s.kept, s.removed, s.clusters, s.errors, s.seconds
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Pii {
            files,
            redact,
            fields:
                FieldArgs {
                    text_field,
                    messages_field,
                    id_field,
                },
        } => {
            let storage = crate::storage::Storage::new()?;
            let opts = crate::pii_command::PiiOptions {
                inputs: files,
                redact,
                text_field,
                messages_field,
                id_field,
                batch_bytes: 16 << 20,
            };
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            let result = crate::pii_command::run(&storage, &opts, &mut lock);
            let flushed = std::io::Write::flush(&mut lock);
            match (result, flushed) {
                (Err(crate::Error::Io { source, .. }), _) | (_, Err(source))
                    if source.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    Ok(ExitCode::SUCCESS)
                }
                (Err(e), _) => Err(e),
                (Ok(s), _) => {
                    tracing::info!(
                        records = s.records,
                        findings = s.findings,
                        unreadable = s.unreadable,
                        "pii scan"
                    );
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Command::Query {
            sql,
            run,
            release,
            format,
        } => {
            let storage = crate::storage::Storage::new()?;
            let is_release = release.is_some();
            let root = run
                .or(release)
                .expect("invariant: clap requires --run or --release");
            let mut df = crate::query::run(&storage, &root, &sql, is_release)?;
            let body = crate::query::render(&mut df, format)?;
            {
                let mut stdout = std::io::stdout().lock();
                if let Err(e) = stdout.write_all(&body).and_then(|()| stdout.flush())
                    && e.kind() != std::io::ErrorKind::BrokenPipe
                {
                    return Err(crate::Error::Io {
                        context: "writing the result".into(),
                        source: e,
                    });
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { a, b } => {
            let storage = crate::storage::Storage::new()?;
            let d = crate::diff::diff(&storage, &a, &b)?;
            let v = serde_json::to_value(&d).expect("invariant: diff serialises");
            out(&String::from_utf8_lossy(&crate::pipeline::pretty(&v)));
            Ok(ExitCode::SUCCESS)
        }
        Command::Publish { run_dir } => {
            let storage = crate::storage::Storage::new()?;
            let (release, shards) = crate::pipeline::publish_run(&storage, &run_dir)?;
            out(&format!("published {release} ({shards} shards)\n"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            spec,
            format,
            output,
            version,
        } => {
            let plan = crate::spec::load(&spec, &Overrides { output, version })?;
            let storage = crate::storage::Storage::new()?;
            let v = crate::plan_command::explain(&storage, &plan)?;
            match format {
                PlanFormat::Json => out(&String::from_utf8_lossy(&crate::pipeline::pretty(&v))),
                PlanFormat::Text => out(&crate::plan_command::render(&v)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Inventory { spec, out: out_dir } => {
            let plan = crate::spec::load(&spec, &Overrides::default())?;
            let storage = crate::storage::Storage::new()?;
            let (objects, coverage) = crate::coverage::inventory(&storage, &plan)?;
            let dir = match out_dir {
                Some(d) => storage.locate(&d)?,
                None => storage
                    .locate(&plan.output)?
                    .join(&format!("inventory/{}-{}", plan.name, plan.version)),
            };
            let inv = serde_json::to_value(&objects).expect("invariant: inventory serialises");
            let cov = serde_json::to_value(&coverage).expect("invariant: coverage serialises");
            storage.put(
                &dir.join("inventory.json"),
                bytes::Bytes::from(crate::pipeline::pretty(&inv)),
            )?;
            storage.put(
                &dir.join("coverage.json"),
                bytes::Bytes::from(crate::pipeline::pretty(&cov)),
            )?;
            let mut text = String::new();
            for o in &objects {
                text.push_str(&format!(
                    "{:<22} {:<26} {:>7} records ({} rejected) {:>9} bytes {} {}\n",
                    o.source,
                    o.family,
                    o.records,
                    o.rejected,
                    o.bytes,
                    &o.sha256[..12],
                    o.uri
                ));
            }
            for f in &coverage.families {
                text.push_str(&format!(
                    "family {:<26} {:<8} {:>7} records -> {}\n",
                    f.family,
                    f.status,
                    f.records,
                    if f.phases.is_empty() {
                        "(no phase)".to_string()
                    } else {
                        f.phases.join(", ")
                    }
                ));
            }
            text.push_str(&format!(
                "wrote {}/inventory.json and coverage.json\n",
                dir.uri
            ));
            out(&text);
            Ok(if coverage.missing > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Check {
            spec,
            output,
            write_probe,
        } => {
            let (output, sources) = match &spec {
                Some(path) => {
                    let plan = crate::spec::load(
                        path,
                        &Overrides {
                            output: output.clone(),
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
                None => (output, Vec::new()),
            };
            let stdout = std::io::stdout();
            let ok =
                crate::check::run(output.as_deref(), &sources, write_probe, &mut stdout.lock())?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Verify { release } => {
            let storage = crate::storage::Storage::new()?;
            let v = crate::verify::verify(&storage, &release)?;
            for n in &v.notes {
                err_line(&format!("note: {n}"));
            }
            if v.problems.is_empty() {
                out(&format!(
                    "ok {release}: {} shards, {} records intact\n",
                    v.shards, v.records
                ));
                Ok(ExitCode::SUCCESS)
            } else {
                for p in &v.problems {
                    err_line(&format!("mismatch: {p}"));
                }
                err_line(&format!("{release}: {} problem(s)", v.problems.len()));
                Ok(ExitCode::from(1))
            }
        }
    }
}

/// Write to stdout; a closed pipe is not an error (exit 0 as ripgrep does).
fn out(s: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    #[test]
    fn dependencies_log_warnings_only_and_the_html_parser_nothing() {
        assert!(super::event_allowed("trainready::load", &Level::TRACE));
        assert!(super::event_allowed("trainready", &Level::DEBUG));
        assert!(!super::event_allowed("html5ever::tokenizer", &Level::TRACE));
        assert!(!super::event_allowed(
            "html5ever::tree_builder",
            &Level::WARN
        ));
        assert!(!super::event_allowed("reqwest::connect", &Level::DEBUG));
        assert!(!super::event_allowed("object_store::client", &Level::INFO));
        assert!(super::event_allowed("object_store::client", &Level::WARN));
        assert!(!super::event_allowed("trainreadyx", &Level::DEBUG));
    }

    #[test]
    fn panic_summaries_drop_quoted_text() {
        let s = super::panic_summary(
            "byte index 3 is not a char boundary; it is inside 'é' (bytes 2..4) of `Jane Doe's note`",
        );
        assert!(!s.contains("Jane") && !s.contains('é'), "{s}");
        assert!(s.starts_with("byte index 3 is not a char boundary"), "{s}");
    }
}
