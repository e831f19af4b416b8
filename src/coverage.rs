//! Coverage (runbook step B): the required dataset families against the evidence.
//!
//! `coverage.json`: one entry per family that is required, waived or present, with its status
//! (`present`: records exist; `missing`: required but no records; `waived`: listed in `waived`,
//! with the reason), its record count, its sources and the phase it is routed to. The build's
//! built-in gate `coverage_missing` requires `coverage.missing == 0`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

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

/// The coverage of a release from its manifest: exported records per (family, source), a record
/// exported as several lines (a weight, overlapping phases) counted once.
pub fn of_manifest(
    manifest: &polars::prelude::DataFrame,
    spec: &CoverageSpec,
    families: &BTreeMap<String, Vec<String>>,
    routing: &BTreeMap<String, Vec<String>>,
) -> crate::error::Result<Coverage> {
    let fams = crate::schema::str_column(manifest, "family")?;
    let srcs = crate::schema::str_column(manifest, "source")?;
    let ids = crate::schema::str_column(manifest, "record_id")?;
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for ((f, s), id) in fams.into_iter().zip(srcs).zip(&ids) {
        if seen.insert(id.as_str()) {
            *counts.entry((f, s)).or_default() += 1;
        }
    }
    Ok(compute(spec, &counts, families, routing))
}
