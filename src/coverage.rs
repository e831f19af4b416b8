//! Coverage (runbook step B): the required dataset families against the evidence, and the
//! `trainready inventory SPEC` command that reports every source object without building.
//!
//! `coverage.json`: one entry per family that is required, waived or present, with its status
//! (`present`: records exist; `missing`: required but no records; `waived`: listed in `waived`,
//! with the reason), its record count, its sources and the phase it is routed to. The build's
//! built-in gate `coverage_missing` requires `coverage.missing == 0`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::spec::Plan;
use crate::storage::Storage;

/// `[coverage]` in the spec.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageSpec {
    /// Families the release must contain, e.g. `["counselling_qa", "support_chat"]`.
    #[serde(default)]
    pub required: Vec<String>,
    /// Families knowingly absent, with the reason, e.g. `{ voice = "no licensed source yet" }`.
    #[serde(default)]
    pub waived: BTreeMap<String, String>,
}

/// One family in `coverage.json`.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyCoverage {
    pub family: String,
    pub status: String,
    pub required: bool,
    pub records: u64,
    pub sources: Vec<String>,
    /// The curriculum phases that take the family (the routing table), in spec order.
    pub phases: Vec<String>,
    pub waiver: Option<String>,
}

/// `coverage.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub families: Vec<FamilyCoverage>,
    /// Required families with no records and no waiver.
    pub missing: u64,
    pub present: u64,
    pub waived: u64,
}

/// Coverage from record counts per (family, source); `routing` maps a family to its phases.
pub fn compute(
    spec: &CoverageSpec,
    counts: &BTreeMap<(String, String), u64>,
    plan_families: &BTreeMap<String, Vec<String>>,
    routing: &BTreeMap<String, Vec<String>>,
) -> Coverage {
    let mut families: BTreeSet<String> = spec.required.iter().cloned().collect();
    families.extend(spec.waived.keys().cloned());
    families.extend(plan_families.keys().cloned());
    let mut out = Vec::new();
    let (mut missing, mut present, mut waived) = (0, 0, 0);
    for f in families {
        let records: u64 = counts
            .iter()
            .filter(|((fam, _), _)| *fam == f)
            .map(|(_, n)| n)
            .sum();
        let required = spec.required.contains(&f);
        let waiver = spec.waived.get(&f).cloned();
        let status = if records > 0 {
            present += 1;
            "present"
        } else if waiver.is_some() {
            waived += 1;
            "waived"
        } else if required {
            missing += 1;
            "missing"
        } else {
            "absent"
        };
        out.push(FamilyCoverage {
            status: status.to_string(),
            required,
            records,
            sources: plan_families.get(&f).cloned().unwrap_or_default(),
            phases: routing.get(&f).cloned().unwrap_or_default(),
            waiver,
            family: f,
        });
    }
    Coverage {
        families: out,
        missing,
        present,
        waived,
    }
}

/// The routing table: family -> the curriculum phases that take it.
pub fn routing(plan: &Plan) -> BTreeMap<String, Vec<String>> {
    let sources: Vec<(&str, &str)> = plan
        .sources
        .iter()
        .map(|s| (s.family.as_str(), s.name.as_str()))
        .collect();
    plan.curriculum.routing(&sources)
}

/// Families and their sources, from the plan.
pub fn plan_families(plan: &Plan) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &plan.sources {
        m.entry(s.family.clone()).or_default().push(s.name.clone());
    }
    m
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
    let coverage = compute(
        &plan.coverage,
        &counts,
        &plan_families(plan),
        &routing(plan),
    );
    Ok((objects, coverage))
}
