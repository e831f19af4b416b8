//! Dedup stage: [`exact`] then [`near`] (MinHash LSH, see `minhash.rs` and `lsh.rs`).
//!
//! Exact part: records with the same `text_hash` **in the same split** are
//! duplicates; one copy is kept by the keep policy (lowest source `priority`, then smallest
//! `record_id`), the others get `status = "duplicate"` and `dup_of` = the kept copy's id.
//!
//! Copies in different splits are not duplicates here: they are leakage, left for the leakage
//! stage to report and resolve (DESIGN.md, "Cross-split duplicates"). The report counts them.
//!
//! Reads: `record_id`, `split`, `text_hash`, `priority`, `source`. Adds: `status` (`kept` or
//! `duplicate`), `dup_of` and `reason` (nullable str). Materialises once (`collect`) to count for the report.

pub mod command;
pub mod lsh;
pub mod minhash;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use polars::prelude::*;
use serde::Serialize;

use crate::error::{PolarsContext, Result};
use crate::schema::str_column;
use crate::schema::str_values;
use crate::spec::{DedupSpec, NearSpec, VerifyMode};

/// What exact dedup did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExactReport {
    pub enabled: bool,
    /// Records removed as exact duplicates.
    pub removed: u64,
    /// Groups (same hash, same split) with more than one record.
    pub groups: u64,
    pub removed_by_source: BTreeMap<String, u64>,
    /// Hashes present in more than one split among kept records (leakage candidates).
    pub cross_split_groups: u64,
}

/// Apply exact dedup. The frame keeps its row order.
#[tracing::instrument(skip_all, fields(stage = "dedup_exact"))]
pub fn exact(lf: LazyFrame, spec: &DedupSpec) -> Result<(DataFrame, ExactReport)> {
    let df = if spec.exact {
        let keeper = col("record_id")
            .sort_by(
                [col("priority"), col("record_id")],
                SortMultipleOptions::default(),
            )
            .first()
            .over([col("text_hash"), col("split")])
            .ctx("dedup (exact): window")?;
        lf.with_column(keeper.alias("__keeper"))
            .with_column(
                when(col("__keeper").eq(col("record_id")))
                    .then(lit(NULL).cast(DataType::String))
                    .otherwise(col("__keeper"))
                    .alias("dup_of"),
            )
            .with_column(
                when(col("dup_of").is_null())
                    .then(lit("kept"))
                    .otherwise(lit("duplicate"))
                    .alias("status"),
            )
            .with_column(
                when(col("dup_of").is_null())
                    .then(lit(NULL).cast(DataType::String))
                    .otherwise(concat_str([lit("duplicate of "), col("dup_of")], "", true))
                    .alias("reason"),
            )
            .drop(cols(["__keeper"]))
            .collect()
            .ctx("dedup (exact)")?
    } else {
        lf.with_columns([
            lit(NULL).cast(DataType::String).alias("dup_of"),
            lit("kept").alias("status"),
            lit(NULL).cast(DataType::String).alias("reason"),
        ])
        .collect()
        .ctx("dedup (exact, off)")?
    };

    let mut report = ExactReport {
        enabled: spec.exact,
        ..Default::default()
    };
    let status = str_column(&df, "status")?;
    let source = str_column(&df, "source")?;
    let hash = str_column(&df, "text_hash")?;
    let split = str_column(&df, "split")?;
    let dup_of = crate::schema::str_values(&df, "dup_of")?;
    let mut group_keys = BTreeSet::new();
    let mut splits_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in 0..df.height() {
        if status[i] == "duplicate" {
            report.removed += 1;
            *report
                .removed_by_source
                .entry(source[i].clone())
                .or_default() += 1;
            group_keys.insert((hash[i].as_str(), split[i].as_str(), dup_of[i].as_deref()));
        } else {
            splits_of
                .entry(hash[i].as_str())
                .or_default()
                .insert(split[i].as_str());
        }
    }
    report.groups = group_keys.len() as u64;
    report.cross_split_groups = splits_of.values().filter(|s| s.len() > 1).count() as u64;
    tracing::info!(
        removed = report.removed,
        cross_split_groups = report.cross_split_groups,
        "exact dedup"
    );
    Ok((df, report))
}

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

/// Outputs of [`near`] besides the frame.
pub struct NearOutput {
    pub report: NearReport,
    /// `dedup_clusters.parquet`: cluster, representative, member, similarity, reason (clusters of
    /// two or more).
    pub clusters: DataFrame,
    /// Verified near pairs across splits: record_a, record_b, split_a, split_b, similarity.
    pub cross_split: DataFrame,
}

/// Near-duplicate stage: among records still `kept`, MinHash LSH clusters within each split;
/// every member but the representative (lowest priority, then smallest record_id) becomes
/// `near_duplicate` with `dup_of` = the member it resembles and a reason naming it.
///
/// Reads: `record_id`, `split`, `priority`, `source`, `status`, `messages`. Adds: `cluster_id`
/// (representative's record_id; null for records removed earlier), `similarity` (f64, to
/// `dup_of`). Updates `status`, `dup_of`, `reason`. Materialised: the messages (shingling).
#[tracing::instrument(skip_all, fields(stage = "dedup_near", rows = df.height()))]
pub fn near(df: DataFrame, spec: &NearSpec) -> Result<(DataFrame, NearOutput)> {
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
        let (shingles, sigs) =
            shingles_and_signatures(&df, &order, spec, |row| status[row] == "kept")?;
        let eligible: Vec<bool> = order
            .iter()
            .zip(&shingles)
            .map(|(&row, s)| status[row] == "kept" && !s.is_empty())
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

/// Shingle sets and flat signatures of the rows in `order` (rows `take` rejects get none).
fn shingles_and_signatures(
    df: &DataFrame,
    order: &[usize],
    spec: &NearSpec,
    take: impl Fn(usize) -> bool + Sync,
) -> Result<(Vec<Vec<u32>>, Vec<u32>)> {
    let messages = crate::schema::MessageView::of(df)?;
    let hasher = minhash::MinHasher::new(spec.num_perm, spec.ngram, spec.seed);
    let shingles: Vec<Vec<u32>> = order
        .par_iter()
        .map(|&row| {
            if take(row) {
                hasher.shingles(messages.row(row).map(|(_, content)| content))
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut sigs = vec![0u32; order.len() * spec.num_perm];
    sigs.par_chunks_mut(spec.num_perm)
        .zip(shingles.par_iter())
        .for_each(|(out, s)| hasher.signature_into(s, out));
    Ok((shingles, sigs))
}

/// Near-duplicate clusters over all rows regardless of split (for split assignment): the
/// representative's `record_id` for every row, singletons included. Same kernels and settings as
/// [`near`], one group.
pub fn global_clusters(df: &DataFrame, spec: &NearSpec) -> Result<Vec<String>> {
    let n = df.height();
    let ids = str_column(df, "record_id")?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    let (shingles, sigs) = shingles_and_signatures(df, &order, spec, |_| true)?;
    let eligible: Vec<bool> = shingles.iter().map(|s| !s.is_empty()).collect();
    let c = lsh::cluster(
        &sigs,
        spec.num_perm,
        spec.banding(),
        &eligible,
        &vec![0; n],
        &lsh::Verify::Estimate,
        spec.cut(),
        usize::MAX,
    );
    let mut reps = vec![String::new(); n];
    for k in 0..n {
        reps[order[k]] = ids[order[c.rep[k] as usize]].clone();
    }
    Ok(reps)
}
