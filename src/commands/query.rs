//! `trainready query SQL|FILE.sql (--run DIR | --release DIR)`: SQL over a run's or a release's
//! Parquet tables, with Polars' SQL context. Tables are named after their files: in a release
//! `manifest`, `ledger` and every `reports/*.parquet` (`dedup_clusters`, `leakage_pairs`,
//! `near_pairs_cross_split`, `stats_*`); in a run directory every stage file without its number
//! (`load`, `dedup_exact`, `dedup_near`, `leakage`, `pii`, `manifest`, `ledger`) and the reports.

use std::io::Write;
use std::process::ExitCode;

use polars::prelude::*;

use crate::error::{Error, PolarsContext, Result};
use crate::schema::read_parquet;
use crate::storage::Storage;

/// SQL over a run's or a release's Parquet tables (Polars SQL), for analysts.
///
/// Tables: manifest, ledger and the reports' Parquet (conversations, messages, dedup_clusters
/// (also as clusters), leakage_pairs, near_pairs_cross_split, stats_*) in a release; the stage
/// files (load, dedup_exact, dedup_near, leakage, pii, curriculum, manifest, ledger) in a run
/// directory. Every queries/*.sql runs as is.
///
/// Examples:
///   trainready query "SELECT source, COUNT(*) FROM ledger GROUP BY source" --release DIR
///   trainready query queries/counts_by_source_status.sql --run out/runs/<run-id> --format csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The SQL, or a path to a .sql file.
    pub sql: String,
    /// A run directory.
    #[arg(long, conflicts_with = "release", required_unless_present = "release")]
    pub run: Option<String>,
    /// A release folder or URI (it must hold its release.json).
    #[arg(long)]
    pub release: Option<String>,
    /// table (default; long results elided), csv, json (lines) or parquet (to stdout).
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let storage = Storage::new()?;
    let is_release = args.release.is_some();
    let root = args
        .run
        .or(args.release)
        .expect("invariant: clap requires --run or --release");
    let mut df = execute(&storage, &root, &args.sql, is_release)?;
    let body = render(&mut df, args.format)?;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(&body).and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Error::Io {
            context: "writing the result".into(),
            source: e,
        });
    }
    Ok(ExitCode::SUCCESS)
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
    Parquet,
}

/// The tables of a run directory or release: (name, frame). A release must hold its
/// `release.json` (a folder without one is not a published release, whatever else it holds).
pub fn tables(storage: &Storage, root: &str, release: bool) -> Result<Vec<(String, DataFrame)>> {
    let loc = storage.locate(root.trim_end_matches('/'))?;
    if release {
        crate::commands::verify::require_release_json(storage, &loc)?;
    }
    let prefix = loc.path.as_ref().to_string();
    let mut out = Vec::new();
    for meta in storage.list(&loc)? {
        let full = meta.location.as_ref();
        let rel = full
            .strip_prefix(prefix.as_str())
            .unwrap_or(full)
            .trim_start_matches('/');
        let in_scope =
            !rel.contains('/') || rel.starts_with("reports/") && rel.matches('/').count() == 1;
        let Some(stem) = rel
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".parquet"))
        else {
            continue;
        };
        if !in_scope {
            continue;
        }
        // "03_dedup_near" -> "dedup_near"
        let name = match stem.split_once('_') {
            Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest.to_string(),
            _ => stem.to_string(),
        };
        let bytes = storage.get(&loc.join(rel))?;
        let df = read_parquet(&bytes)?;
        if name == "dedup_clusters" {
            // The name the statistics queries use.
            out.push(("clusters".to_string(), df.clone()));
        }
        out.push((name, df));
    }
    if out.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no Parquet tables here (a run directory or a release?)",
            loc.uri
        )));
    }
    Ok(out)
}

/// Run `sql` (or the SQL in a `.sql` file) over the tables.
pub fn execute(storage: &Storage, root: &str, sql: &str, release: bool) -> Result<DataFrame> {
    let sql = if sql.trim_end().to_ascii_lowercase().ends_with(".sql")
        && std::path::Path::new(sql.trim()).exists()
    {
        std::fs::read_to_string(sql.trim()).map_err(|e| Error::Usage(format!("{sql}: {e}")))?
    } else {
        sql.to_string()
    };
    let tables = tables(storage, root, release)?;
    let refs: Vec<(&str, &DataFrame)> = tables.iter().map(|(n, d)| (n.as_str(), d)).collect();
    crate::stats::run_query(&refs, &sql).map_err(|e| match e {
        Error::Polars { source, .. } => Error::Usage(format!(
            "query failed: {source}\n  tables: {}",
            tables
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        other => other,
    })
}

/// Render a result.
pub fn render(df: &mut DataFrame, format: OutputFormat) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    match format {
        // Polars' own table (long results are elided: use csv or json for every row).
        OutputFormat::Table => buf.extend_from_slice(format!("{df}\n").as_bytes()),
        OutputFormat::Csv => {
            // Nested columns as JSON text, the rest as they are.
            for (i, name) in df.get_column_names().iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.extend_from_slice(csv_field(name).as_bytes());
            }
            buf.push(b'\n');
            let mut json = Vec::new();
            JsonWriter::new(&mut json)
                .with_json_format(JsonFormat::JsonLines)
                .finish(df)
                .ctx("rendering CSV")?;
            let names: Vec<String> = df
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect();
            for line in json.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let v: serde_json::Value = serde_json::from_slice(line)
                    .map_err(|e| Error::Internal(format!("CSV rendering: {e}")))?;
                let fields: Vec<String> = names
                    .iter()
                    .map(|n| match &v[n] {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(s) => csv_field(s),
                        other => csv_field(&other.to_string()),
                    })
                    .collect();
                buf.extend_from_slice(fields.join(",").as_bytes());
                buf.push(b'\n');
            }
        }
        OutputFormat::Json => {
            JsonWriter::new(&mut buf)
                .with_json_format(JsonFormat::JsonLines)
                .finish(df)
                .ctx("rendering JSON")?;
        }
        OutputFormat::Parquet => buf = crate::schema::parquet_bytes(df)?,
    }
    Ok(buf)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
