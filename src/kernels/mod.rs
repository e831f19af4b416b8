//! Kernels shared by the stages, below them: MinHash shingling and signatures ([`minhash`]),
//! LSH banding and clustering ([`lsh`]) and union-find ([`unionfind`]). Plain functions over
//! slices, parallel with rayon; no stage, no spec, no I/O.

pub mod language;
pub mod lsh;
pub mod minhash;
pub mod unionfind;

use rayon::prelude::*;

use crate::schema::MessageView;

/// The MinHash signatures of every row of a frame, computed once and shared by split
/// assignment and near dedup: flat (`rows × num_perm`, row order), with each row's shingle set
/// when exact verification needs it, and whether the row had no shingle at all.
pub struct Signatures {
    pub num_perm: usize,
    /// `num_perm` values per row, in row order.
    pub flat: Vec<u32>,
    /// Each row's sorted shingle set (empty unless kept for exact verification).
    pub shingles: Vec<Vec<u32>>,
    /// Rows without any shingle (no text once normalised): never clustered.
    pub empty: Vec<bool>,
}

impl Signatures {
    /// Sign every row of `messages` with `hasher` (all message contents as one token stream).
    pub fn compute(
        messages: &MessageView,
        hasher: &minhash::MinHasher,
        keep_shingles: bool,
    ) -> Self {
        let n = messages.len();
        let per_row: Vec<(Vec<u32>, Vec<u32>)> = (0..n)
            .into_par_iter()
            .map(|row| {
                let shingles = hasher.shingles(messages.row(row).map(|(_, content)| content));
                let sig = hasher.signature(&shingles);
                (shingles, sig)
            })
            .collect();
        let mut flat = Vec::with_capacity(n * hasher.num_perm);
        let mut shingles = Vec::with_capacity(if keep_shingles { n } else { 0 });
        let mut empty = Vec::with_capacity(n);
        for (s, sig) in per_row {
            flat.extend_from_slice(&sig);
            empty.push(s.is_empty());
            if keep_shingles {
                shingles.push(s);
            }
        }
        Self {
            num_perm: hasher.num_perm,
            flat,
            shingles,
            empty,
        }
    }

    /// No signature for `n` rows (near dedup off): every row is ineligible.
    pub fn empty(n: usize) -> Self {
        Self {
            num_perm: 0,
            flat: Vec::new(),
            shingles: Vec::new(),
            empty: vec![true; n],
        }
    }

    /// Row `i`'s signature.
    pub fn row(&self, i: usize) -> &[u32] {
        &self.flat[i * self.num_perm..(i + 1) * self.num_perm]
    }

    /// The signatures (and shingle sets, when kept) of the rows in `order`, in that order: the
    /// key order the clustering kernels need.
    pub fn in_order(&self, order: &[usize]) -> (Vec<u32>, Vec<Vec<u32>>) {
        let mut flat = Vec::with_capacity(order.len() * self.num_perm);
        for &row in order {
            flat.extend_from_slice(self.row(row));
        }
        let shingles = if self.shingles.is_empty() {
            Vec::new()
        } else {
            order
                .iter()
                .map(|&row| self.shingles[row].clone())
                .collect()
        };
        (flat, shingles)
    }
}
