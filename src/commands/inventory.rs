//! `trainready inventory SPEC` (runbook step B): every source object and the coverage matrix,
//! without building.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use crate::coverage::Coverage;
use crate::error::Result;
use crate::spec::{Overrides, Plan};
use crate::storage::Storage;

/// Inventory and mapping (runbook step B): source objects, coverage, routing.
///
/// Every source object with size, sha256, format, fields and record count, the coverage
/// matrix and the routing table, without building.
///
/// Writes inventory.json and coverage.json to --out (default
/// <output>/inventory/<name>-<version>/) and prints a summary. Exit 0; 1 when a required
/// family is missing; 2 when a source cannot be read.
///
/// Examples:
///   trainready inventory release.toml
///   trainready inventory release.toml --out s3://pixel-data/gdrive/processed/inventory
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The run spec.
    pub spec: PathBuf,
    /// Where to write inventory.json and coverage.json.
    #[arg(long)]
    pub out: Option<String>,
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let plan = crate::spec::load(&args.spec, &Overrides::default())?;
    let storage = Storage::new()?;
    let (objects, coverage) = inventory(&storage, &plan)?;
    let dir = match args.out {
        Some(d) => storage.locate(&d)?,
        None => storage
            .locate(&plan.output)?
            .join(&format!("inventory/{}-{}", plan.name, plan.version)),
    };
    let inv = serde_json::to_value(&objects).expect("invariant: inventory serialises");
    let cov = serde_json::to_value(&coverage).expect("invariant: coverage serialises");
    storage.put(
        &dir.join("inventory.json"),
        bytes::Bytes::from(crate::schema::pretty(&inv)),
    )?;
    storage.put(
        &dir.join("coverage.json"),
        bytes::Bytes::from(crate::schema::pretty(&cov)),
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
    super::out(&text);
    Ok(if coverage.missing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One source object in `inventory.json`.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryObject {
    pub source: String,
    pub family: String,
    pub uri: String,
    pub bytes: u64,
    pub sha256: String,
    pub format: String,
    /// Field names of the first record (CSV: the header).
    pub fields: Vec<String>,
    pub records: u64,
    pub loadable: u64,
    pub rejected: u64,
}

/// `trainready inventory SPEC`: load every source (no dedup, no export) and report each object,
/// the coverage matrix and the routing table. Returns (inventory, coverage).
pub fn inventory(storage: &Storage, plan: &Plan) -> Result<(Vec<InventoryObject>, Coverage)> {
    let mut objects = Vec::new();
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for source in &plan.sources {
        let loaded = crate::load::load_source(storage, source, &plan.spec_dir)?;
        *counts
            .entry((source.family.clone(), source.name.clone()))
            .or_default() += loaded.conversations.len() as u64;
        for input in &loaded.inputs {
            let ok = loaded
                .conversations
                .iter()
                .filter(|c| c.origin_uri == input.uri)
                .count() as u64;
            let fields = input.fields.clone();
            objects.push(InventoryObject {
                source: source.name.clone(),
                family: source.family.clone(),
                uri: input.uri.clone(),
                bytes: input.bytes,
                sha256: input.sha256.clone(),
                format: format!("{:?}", input.format).to_lowercase(),
                fields,
                records: input.records,
                loadable: ok,
                rejected: input.records - ok,
            });
        }
    }
    let coverage =
        crate::coverage::compute(&plan.coverage, &counts, &plan.families(), &plan.routing());
    Ok((objects, coverage))
}
