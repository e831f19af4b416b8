//! LSH banding, candidate verification and clustering, over signatures stored flat
//! (`n × num_perm` u32). Records are identified by their index, and **indices are in key order**
//! (the caller sorts records by priority and record id first), so every choice below (pairs,
//! representatives, parents) is independent of the input order.
//!
//! - Candidates: one band at a time, `(band key, index)` pairs are sorted and grouped: memory is
//!   `12 bytes × n` per band in flight, never a hash map per band. A bucket of up to
//!   [`ALL_PAIRS_MAX`] records yields all its pairs; a bigger one (templated text) yields a star
//!   from its first record plus a chain, so it stays linear.
//! - Verification: the signature estimate (or, when asked, the exact shingle Jaccard) must reach
//!   the verification threshold.
//! - Clustering: union-find over verified edges **within a group** (the split): edges across
//!   groups are returned apart, for the leakage stage. The representative is the smallest index
//!   of a component; each other member's `dup_of` is its parent on a breadth-first walk from the
//!   representative (neighbours in index order), so the reason names a record it really resembles.
//! - Guard: in a component larger than `max_cluster_size`, members are compared with the
//!   representative directly instead of chained; those below the threshold are kept and reported.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::minhash::{estimate, jaccard};

/// Buckets up to this size yield all pairs; larger ones a star and a chain.
pub const ALL_PAIRS_MAX: usize = 32;

/// Bands and rows of the banding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Banding {
    pub bands: usize,
    pub rows: usize,
}

/// Probability that a pair of true similarity `s` shares at least one band.
pub fn candidate_probability(s: f64, b: Banding) -> f64 {
    1.0 - (1.0 - s.powi(b.rows as i32)).powi(b.bands as i32)
}

/// The banding with the most rows per band (fewest chance candidates) such that a pair at
/// similarity `verify_at` becomes a candidate with probability at least `recall`.
pub fn banding_for(num_perm: usize, verify_at: f64, recall: f64) -> Banding {
    let mut best = Banding {
        bands: num_perm,
        rows: 1,
    };
    for rows in 1..=num_perm {
        let b = Banding {
            bands: num_perm / rows,
            rows,
        };
        if b.bands == 0 {
            break;
        }
        if candidate_probability(verify_at, b) >= recall {
            best = b;
        }
    }
    best
}

/// How candidates are verified.
pub enum Verify<'a> {
    /// Share of equal signature entries.
    Estimate,
    /// True Jaccard of the shingle sets (one sorted set per record).
    Exact(&'a [Vec<u32>]),
}

/// The result of clustering.
#[derive(Debug, Default)]
pub struct Clusters {
    /// Representative (smallest index) of each record's cluster; itself for singletons.
    pub rep: Vec<u32>,
    /// The member each removed record resembles (its parent towards the representative).
    pub parent: Vec<Option<u32>>,
    /// Similarity to `parent` (estimate, or exact when verifying exactly).
    pub similarity: Vec<Option<f32>>,
    /// Members of oversized clusters that did not resemble the representative: kept.
    pub detached: Vec<u32>,
    /// Oversized components: (representative, size before the guard).
    pub oversized: Vec<(u32, usize)>,
    /// Candidate pairs examined.
    pub candidates: usize,
    /// Verified pairs within a group.
    pub edges: usize,
    /// Verified pairs across groups: (a, b, similarity) with a < b.
    pub cross_group: Vec<(u32, u32, f32)>,
}

/// Candidate pairs `(a, b)`, `a < b`, sorted and unique. `eligible[i] == false` excludes record i.
pub fn candidates(
    sigs: &[u32],
    num_perm: usize,
    banding: Banding,
    eligible: &[bool],
) -> Vec<(u32, u32)> {
    let n = eligible.len();
    let per_band: Vec<Vec<(u32, u32)>> = (0..banding.bands)
        .into_par_iter()
        .map(|band| {
            let lo = band * banding.rows;
            let mut keys: Vec<(u64, u32)> = (0..n)
                .filter(|&i| eligible[i])
                .map(|i| {
                    let s = &sigs[i * num_perm + lo..i * num_perm + lo + banding.rows];
                    let mut bytes = [0u8; 4 * 64];
                    let len = 4 * s.len().min(64);
                    for (k, v) in s.iter().take(64).enumerate() {
                        bytes[4 * k..4 * k + 4].copy_from_slice(&v.to_le_bytes());
                    }
                    (xxh3_64(&bytes[..len]) ^ band as u64, i as u32)
                })
                .collect();
            keys.sort_unstable();
            let mut pairs = Vec::new();
            let mut start = 0;
            while start < keys.len() {
                let mut end = start + 1;
                while end < keys.len() && keys[end].0 == keys[start].0 {
                    end += 1;
                }
                let group = &keys[start..end];
                if group.len() <= ALL_PAIRS_MAX {
                    for x in 0..group.len() {
                        for y in x + 1..group.len() {
                            pairs.push((group[x].1, group[y].1));
                        }
                    }
                } else {
                    for w in group.windows(2) {
                        pairs.push((group[0].1, w[1].1));
                        pairs.push((w[0].1, w[1].1));
                    }
                }
                start = end;
            }
            pairs.sort_unstable();
            pairs.dedup();
            pairs
        })
        .collect();
    let mut all: Vec<(u32, u32)> = per_band.into_iter().flatten().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Cluster records: candidates, verification, union-find within groups, guard.
///
/// `sigs`: flat signatures; `group[i]`: the record's split (edges across groups are not merged);
/// `threshold`: the verification threshold (estimate or exact).
#[allow(clippy::too_many_arguments)]
pub fn cluster(
    sigs: &[u32],
    num_perm: usize,
    banding: Banding,
    eligible: &[bool],
    group: &[u32],
    verify: &Verify<'_>,
    threshold: f64,
    max_cluster_size: usize,
) -> Clusters {
    let n = eligible.len();
    let sig = |i: u32| &sigs[i as usize * num_perm..(i as usize + 1) * num_perm];
    let sim = |a: u32, b: u32| -> f64 {
        match verify {
            Verify::Estimate => estimate(sig(a), sig(b)),
            Verify::Exact(sets) => jaccard(&sets[a as usize], &sets[b as usize]),
        }
    };
    let cands = candidates(sigs, num_perm, banding, eligible);
    let verified: Vec<(u32, u32, f32)> = cands
        .par_iter()
        .filter_map(|&(a, b)| {
            let s = sim(a, b);
            (s >= threshold).then_some((a, b, s as f32))
        })
        .collect();
    let mut out = Clusters {
        candidates: cands.len(),
        ..Default::default()
    };
    let mut uf = super::unionfind::UnionFind::new(n);
    let mut adjacency: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
    for &(a, b, s) in &verified {
        if group[a as usize] != group[b as usize] {
            out.cross_group.push((a, b, s));
            continue;
        }
        out.edges += 1;
        uf.union(a, b);
        adjacency[a as usize].push((b, s));
        adjacency[b as usize].push((a, s));
    }
    for adj in &mut adjacency {
        adj.sort_unstable_by_key(|(x, _)| *x);
    }
    out.rep = (0..n as u32).map(|i| uf.find(i)).collect();
    out.parent = vec![None; n];
    out.similarity = vec![None; n];

    // Members per representative.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
    for i in 0..n as u32 {
        let r = out.rep[i as usize];
        if r != i {
            members[r as usize].push(i);
        }
    }
    for r in 0..n as u32 {
        let m = &members[r as usize];
        if m.is_empty() {
            continue;
        }
        if m.len() + 1 > max_cluster_size {
            out.oversized.push((r, m.len() + 1));
            for &x in m {
                let s = sim(r, x);
                if s >= threshold {
                    out.parent[x as usize] = Some(r);
                    out.similarity[x as usize] = Some(s as f32);
                } else {
                    out.rep[x as usize] = x;
                    out.detached.push(x);
                }
            }
            continue;
        }
        // Breadth-first from the representative; neighbours in index order.
        let mut queue = std::collections::VecDeque::from([r]);
        let mut seen = std::collections::BTreeSet::from([r]);
        while let Some(x) = queue.pop_front() {
            for &(y, s) in &adjacency[x as usize] {
                if seen.insert(y) {
                    out.parent[y as usize] = Some(x);
                    out.similarity[y as usize] = Some(s);
                    queue.push_back(y);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::minhash::MinHasher;

    #[test]
    fn default_banding_catches_pairs_at_the_verification_threshold() {
        let b = banding_for(128, 0.75, 0.995);
        assert_eq!(b, Banding { bands: 25, rows: 5 });
        assert!(candidate_probability(0.8, b) > 0.999);
        assert!(candidate_probability(0.3, b) < 0.06);
    }

    #[test]
    fn clusters_are_independent_of_input_order_and_split_aware() {
        let m = MinHasher::new(128, 3, 9);
        let base: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        let mut near = base.clone();
        near[150] = "changed".into();
        let other: Vec<String> = (0..300).map(|i| format!("x{i}")).collect();
        let texts = [
            base.join(" "),
            near.join(" "),
            other.join(" "),
            base.join(" "),
        ];
        let mut sigs = Vec::new();
        for t in &texts {
            sigs.extend(m.signature(&m.shingles([t.as_str()])));
        }
        let b = banding_for(128, 0.75, 0.995);
        // Records 0, 1 in group 0; 2 in group 0; 3 (a copy of 0) in group 1.
        let c = cluster(
            &sigs,
            128,
            b,
            &[true; 4],
            &[0, 0, 0, 1],
            &Verify::Estimate,
            0.75,
            100,
        );
        assert_eq!(c.rep, vec![0, 0, 2, 3]);
        assert_eq!(c.parent[1], Some(0));
        assert_eq!(c.parent[3], None, "a copy in another split is not merged");
        assert_eq!(c.cross_group.len(), 2, "0-3 and 1-3 cross the split");
    }

    #[test]
    fn oversized_clusters_are_checked_against_the_representative() {
        let m = MinHasher::new(128, 1, 3);
        // A chain: each text shares 80% of its tokens with the next; the ends share little.
        let texts: Vec<String> = (0..12)
            .map(|k| {
                (0..50)
                    .map(|i| format!("t{}", i + 5 * k))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let mut sigs = Vec::new();
        for t in &texts {
            sigs.extend(m.signature(&m.shingles([t.as_str()])));
        }
        let b = banding_for(128, 0.6, 0.995);
        let chained = cluster(
            &sigs,
            128,
            b,
            &[true; 12],
            &[0; 12],
            &Verify::Estimate,
            0.6,
            1000,
        );
        assert!(
            chained.rep.iter().all(|&r| r == 0),
            "transitive chain: one cluster"
        );
        let guarded = cluster(
            &sigs,
            128,
            b,
            &[true; 12],
            &[0; 12],
            &Verify::Estimate,
            0.6,
            5,
        );
        assert_eq!(guarded.oversized, vec![(0, 12)]);
        assert!(!guarded.detached.is_empty());
        for &d in &guarded.detached {
            assert_eq!(guarded.rep[d as usize], d);
        }
    }
}
