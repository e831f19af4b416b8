//! Split assignment: with `[split] assign`, every record gets a split drawn from the fractions,
//! deterministically, so that near-duplicates (one cluster over the whole corpus, from the shared
//! MinHash signatures) and records sharing a `group` value always land in the same split. Without
//! it, records keep the split their source gives them.
//!
//! Reads `record_id`, `metadata` and the signatures; replaces `split`. Materialised: the ids.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{PolarsContext, Result};
use crate::kernels::Signatures;
use crate::kernels::lsh::{self, Banding};
use crate::kernels::unionfind::UnionFind;
use crate::schema::{str_column, str_values};

/// `[split]` in the spec: assign splits instead of keeping the sources' own.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SplitSpec {
    /// Fractions, e.g. `{ train = 0.8, validation = 0.1, test = 0.1 }` (they must add up to 1).
    /// Absent: every record keeps the split its source gives it.
    pub assign: Option<BTreeMap<String, f64>>,
    /// A metadata field (see `[source.columns] metadata`) whose value groups records that must
    /// share a split (a client, a transcript, a question id), joined with the near-duplicate
    /// cluster.
    pub group: Option<String>,
    /// Seed of the assignment. Default 0.
    #[serde(default)]
    pub seed: u64,
}

impl SplitSpec {
    /// Check the fractions; `Err` names the key.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        let Some(a) = &self.assign else { return Ok(()) };
        let bad = |m: String| Err(("split.assign".to_string(), m));
        for (k, v) in a {
            if !matches!(k.as_str(), "train" | "validation" | "test") || !(0.0..=1.0).contains(v) {
                return bad(format!(
                    "`{} = {v}`: use train, validation, test with fractions in 0..=1",
                    crate::error::echo(k)
                ));
            }
        }
        let sum: f64 = a.values().sum();
        if (sum - 1.0).abs() > 1e-6 {
            return bad(format!("fractions add up to {sum}, not 1"));
        }
        Ok(())
    }
}

/// What split assignment needs besides the frame: the shared signatures and the near-duplicate
/// settings (banding and verification cut) that decide which records are one cluster.
pub struct Params<'a> {
    pub spec: &'a SplitSpec,
    pub signatures: &'a Signatures,
    pub banding: Banding,
    pub cut: f64,
}

/// What split assignment did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SplitReport {
    pub assigned: bool,
    /// Records per assigned split.
    pub records: BTreeMap<String, u64>,
    /// Components (near-duplicate clusters joined with group values) that were split as a unit.
    pub components: u64,
}

/// Assign splits (see the module header). The frame keeps its row order.
#[tracing::instrument(skip_all, fields(stage = "split_assign", rows = df.height()))]
pub fn apply(df: DataFrame, p: &Params<'_>) -> Result<(DataFrame, SplitReport)> {
    let Some(fractions) = &p.spec.assign else {
        return Ok((df, SplitReport::default()));
    };
    let ids = str_column(&df, "record_id")?;
    let n = ids.len();
    // Near-duplicate clusters over all rows, one group, in record-id order.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    let (sigs, _) = p.signatures.in_order(&order);
    let eligible: Vec<bool> = order.iter().map(|&row| !p.signatures.empty[row]).collect();
    let c = lsh::cluster(
        &sigs,
        p.signatures.num_perm,
        p.banding,
        &eligible,
        &vec![0; n],
        &lsh::Verify::Estimate,
        p.cut,
        usize::MAX,
    );
    drop(sigs);
    let mut uf = UnionFind::new(n);
    for (k, &row) in order.iter().enumerate() {
        uf.union(row as u32, order[c.rep[k] as usize] as u32);
    }
    if let Some(field) = &p.spec.group {
        let meta = str_values(&df, "metadata")?;
        let mut first: HashMap<String, usize> = HashMap::new();
        for (i, m) in meta.iter().enumerate() {
            let value = m
                .as_deref()
                .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
                .and_then(|v| v.get(field).cloned())
                .filter(|v| !v.is_null());
            if let Some(v) = value {
                let j = *first.entry(v.to_string()).or_insert(i);
                uf.union(i as u32, j as u32);
            }
        }
    }
    // The component's key: its smallest record id.
    let mut key: HashMap<u32, &str> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        let r = uf.find(i as u32);
        let e = key.entry(r).or_insert(id.as_str());
        if id.as_str() < *e {
            *e = id.as_str();
        }
    }
    let t = fractions.get("train").copied().unwrap_or(0.0);
    let v = fractions.get("validation").copied().unwrap_or(0.0);
    let mut report = SplitReport {
        assigned: true,
        components: key.len() as u64,
        ..Default::default()
    };
    let split: Vec<&str> = (0..n)
        .map(|i| {
            let k = key[&uf.find(i as u32)];
            let u = (xxhash_rust::xxh3::xxh3_64_with_seed(k.as_bytes(), p.spec.seed) >> 11) as f64
                / (1u64 << 53) as f64;
            if u < t {
                "train"
            } else if u < t + v {
                "validation"
            } else {
                "test"
            }
        })
        .collect();
    for s in &split {
        *report.records.entry((*s).to_string()).or_default() += 1;
    }
    let mut df = df;
    df.with_column(Column::new("split".into(), split))
        .ctx("split")?;
    Ok((df, report))
}
