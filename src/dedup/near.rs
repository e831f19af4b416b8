//! Near dedup: MinHash LSH over the shared signatures ([`crate::kernels::Signatures`]), within
//! each split, among the records still `kept`. See [`apply`].

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use serde::Serialize;

use super::config::{NearSpec, VerifyMode};
use crate::error::{PolarsContext, Result};
use crate::kernels::{Signatures, lsh};
use crate::schema::{str_column, str_values};

/// A cluster of oversized size, reported.
#[derive(Debug, Clone, Serialize)]
pub struct Oversized {
    pub representative: String,
    pub size: usize,
}

/// What near dedup did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NearReport {
    pub enabled: bool,
    pub ngram: usize,
    pub num_perm: usize,
    pub bands: usize,
    pub rows: usize,
    /// The verification cut (estimate or exact Jaccard).
    pub cut: f64,
    pub verify: String,
    pub candidates: u64,
    /// Verified pairs within a split.
    pub edges: u64,
    /// Clusters with more than one member.
    pub clusters: u64,
    pub removed: u64,
    pub removed_by_source: BTreeMap<String, u64>,
    pub oversized: Vec<Oversized>,
    /// Members of oversized clusters kept because they do not resemble the representative.
    pub detached: u64,
    /// Verified near-duplicate pairs whose records are in different splits (leakage candidates).
    pub cross_split_pairs: u64,
}

/// Outputs of [`apply`] besides the frame.
pub struct NearOutput {
    pub report: NearReport,
    /// `dedup_clusters.parquet`: cluster, representative, member, similarity, reason (clusters of
    /// two or more).
    pub clusters: DataFrame,
    /// Verified near pairs across splits: record_a, record_b, split_a, split_b, similarity.
    pub cross_split: DataFrame,
}

/// What near dedup needs besides the frame: its settings and the shared signatures (computed
/// once per build, in row order).
pub struct Params<'a> {
    pub spec: &'a NearSpec,
    pub signatures: &'a Signatures,
}

/// Near-duplicate stage: among records still `kept`, MinHash LSH clusters within each split;
/// every member but the representative (lowest priority, then smallest record_id) becomes
/// `near_duplicate` with `dup_of` = the member it resembles and a reason naming it.
///
/// Reads: `record_id`, `split`, `priority`, `source`, `status`, `messages`. Adds: `cluster_id`
/// (representative's record_id; null for records removed earlier), `similarity` (f64, to
/// `dup_of`). Updates `status`, `dup_of`, `reason`. Materialised: the messages (shingling).
#[tracing::instrument(skip_all, fields(stage = "dedup_near", rows = df.height()))]
pub fn apply(df: DataFrame, params: &Params<'_>) -> Result<(DataFrame, NearOutput)> {
    let spec = params.spec;
    let n = df.height();
    let ids = str_column(&df, "record_id")?;
    let splits = str_column(&df, "split")?;
    let sources = str_column(&df, "source")?;
    let mut status = str_column(&df, "status")?;
    let mut dup_of = str_values(&df, "dup_of")?;
    let mut reason = str_values(&df, "reason")?;
    let prio = df
        .column("priority")
        .ctx("priority")?
        .i64()
        .ctx("priority")?
        .iter()
        .map(Option::unwrap_or_default)
        .collect::<Vec<_>>();
    let banding = spec.banding();
    let mut report = NearReport {
        enabled: spec.enabled,
        ngram: spec.ngram,
        num_perm: spec.num_perm,
        bands: banding.bands,
        rows: banding.rows,
        cut: spec.cut(),
        verify: format!("{:?}", spec.verify).to_lowercase(),
        ..Default::default()
    };
    let mut cluster_id: Vec<Option<String>> = vec![None; n];
    let mut similarity: Vec<Option<f64>> = vec![None; n];
    let mut cl_rows: Vec<(String, String, String, Option<f64>, String)> = Vec::new();
    let mut cross: Vec<(String, String, String, String, f64)> = Vec::new();

    if spec.enabled {
        // Key order: priority, then record_id. Index k of the kernels = order[k].
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| prio[a].cmp(&prio[b]).then_with(|| ids[a].cmp(&ids[b])));
        let (sigs, shingles) = params.signatures.in_order(&order);
        let eligible: Vec<bool> = order
            .iter()
            .map(|&row| status[row] == "kept" && !params.signatures.empty[row])
            .collect();
        let split_codes: BTreeMap<&str, u32> = splits
            .iter()
            .map(String::as_str)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, i as u32))
            .collect();
        let group: Vec<u32> = order
            .iter()
            .map(|&row| split_codes[splits[row].as_str()])
            .collect();
        let verify = match spec.verify {
            VerifyMode::Estimate => lsh::Verify::Estimate,
            VerifyMode::Exact => lsh::Verify::Exact(&shingles),
        };
        let c = lsh::cluster(
            &sigs,
            spec.num_perm,
            banding,
            &eligible,
            &group,
            &verify,
            spec.cut(),
            spec.max_cluster_size,
        );
        report.candidates = c.candidates as u64;
        report.edges = c.edges as u64;
        report.detached = c.detached.len() as u64;
        report.cross_split_pairs = c.cross_group.len() as u64;
        report.oversized = c
            .oversized
            .iter()
            .map(|&(r, size)| Oversized {
                representative: ids[order[r as usize]].clone(),
                size,
            })
            .collect();
        let detached: BTreeSet<u32> = c.detached.iter().copied().collect();
        let mut sizes: BTreeMap<u32, usize> = BTreeMap::new();
        for (k, &r) in c.rep.iter().enumerate() {
            if eligible[k] {
                *sizes.entry(r).or_default() += 1;
            }
        }
        report.clusters = sizes.values().filter(|&&s| s > 1).count() as u64;
        for k in 0..n {
            let row = order[k];
            if status[row] != "kept" {
                continue;
            }
            let rep = c.rep[k];
            let rep_id = ids[order[rep as usize]].clone();
            cluster_id[row] = Some(rep_id.clone());
            let size = sizes.get(&rep).copied().unwrap_or(1);
            if let Some(p) = c.parent[k] {
                let parent_id = ids[order[p as usize]].clone();
                let sim = f64::from(c.similarity[k].unwrap_or(0.0));
                let why = format!("near-duplicate of {parent_id} (similarity {sim:.3})");
                status[row] = "near_duplicate".into();
                dup_of[row] = Some(parent_id);
                similarity[row] = Some(sim);
                reason[row] = Some(why.clone());
                report.removed += 1;
                *report
                    .removed_by_source
                    .entry(sources[row].clone())
                    .or_default() += 1;
                cl_rows.push((rep_id.clone(), rep_id, ids[row].clone(), Some(sim), why));
            } else if size > 1 && rep as usize == k {
                cl_rows.push((
                    rep_id.clone(),
                    rep_id,
                    ids[row].clone(),
                    None,
                    "kept: representative".into(),
                ));
            } else if detached.contains(&(k as u32)) {
                cl_rows.push((
                    rep_id.clone(),
                    rep_id,
                    ids[row].clone(),
                    None,
                    format!(
                        "kept: cluster larger than {} and not similar to its representative",
                        spec.max_cluster_size
                    ),
                ));
                cluster_id[row] = Some(ids[row].clone());
            }
        }
        for &(a, b, s) in &c.cross_group {
            let (ra, rb) = (order[a as usize], order[b as usize]);
            cross.push((
                ids[ra].clone(),
                ids[rb].clone(),
                splits[ra].clone(),
                splits[rb].clone(),
                f64::from(s),
            ));
        }
        cl_rows.sort_by(|x, y| (&x.0, &x.2).cmp(&(&y.0, &y.2)));
        cross.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        tracing::info!(
            candidates = report.candidates,
            edges = report.edges,
            removed = report.removed,
            cross_split_pairs = report.cross_split_pairs,
            "near dedup"
        );
    }

    let mut df = df;
    df.with_column(Column::new("status".into(), status))
        .ctx("status")?;
    df.with_column(Column::new("dup_of".into(), dup_of))
        .ctx("dup_of")?;
    df.with_column(Column::new("reason".into(), reason))
        .ctx("reason")?;
    df.with_column(Column::new("cluster_id".into(), cluster_id))
        .ctx("cluster_id")?;
    df.with_column(Column::new("similarity".into(), similarity))
        .ctx("similarity")?;
    let clusters = df!(
        "cluster" => cl_rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "representative" => cl_rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "member" => cl_rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        "similarity" => cl_rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "reason" => cl_rows.iter().map(|r| r.4.as_str()).collect::<Vec<_>>(),
    )
    .ctx("dedup clusters table")?;
    let cross_split = df!(
        "record_a" => cross.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "record_b" => cross.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "split_a" => cross.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        "split_b" => cross.iter().map(|r| r.3.as_str()).collect::<Vec<_>>(),
        "similarity" => cross.iter().map(|r| r.4).collect::<Vec<_>>(),
    )
    .ctx("cross-split pairs table")?;
    Ok((
        df,
        NearOutput {
            report,
            clusters,
            cross_split,
        },
    ))
}
