//! MinHash signatures: plain functions on token streams and slices, no Polars.
//!
//! - Tokens are the hashing form of [`crate::normalize`] (NFKC, lower case, punctuation removed;
//!   Han/kana/Thai/... one token per character), taken over the whole conversation as one stream.
//! - A shingle is `ngram` consecutive tokens (words, or characters for unspaced scripts), hashed
//!   to 32 bits from the tokens' xxh3-64 hashes. A text shorter than `ngram` tokens is one shingle.
//! - The signature has `num_perm` entries: `min over shingles of (a_i * x + b_i) mod 2^32` with
//!   odd `a_i` (a bijection of u32) drawn from `seed`. The inner loop runs over the permutations,
//!   which the compiler vectorises; records are parallel with rayon at the call sites.

use xxhash_rust::xxh3::xxh3_64;

use crate::normalize::for_each_token;

/// SplitMix64: a fast, well-mixed 64-bit finaliser.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Shingling and signature parameters, with the permutation coefficients drawn once.
#[derive(Debug, Clone)]
pub struct MinHasher {
    pub num_perm: usize,
    pub ngram: usize,
    a: Vec<u32>,
    b: Vec<u32>,
}

impl MinHasher {
    pub fn new(num_perm: usize, ngram: usize, seed: u64) -> Self {
        let mut state = seed ^ 0x5EED_0F7A_1A2B_3C4D;
        let mut next = || {
            state = mix64(state);
            state
        };
        let a = (0..num_perm).map(|_| (next() as u32) | 1).collect();
        let b = (0..num_perm).map(|_| next() as u32).collect();
        Self {
            num_perm,
            ngram: ngram.max(1),
            a,
            b,
        }
    }

    /// The sorted, de-duplicated shingle hashes of texts taken as one token stream.
    pub fn shingles<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
        let mut tokens: Vec<u64> = Vec::new();
        for t in texts {
            for_each_token(t, |tok| tokens.push(xxh3_64(tok.as_bytes())));
        }
        self.shingles_of_tokens(&tokens)
    }

    /// Shingle hashes from token hashes.
    pub fn shingles_of_tokens(&self, tokens: &[u64]) -> Vec<u32> {
        if tokens.is_empty() {
            return Vec::new();
        }
        let n = self.ngram.min(tokens.len());
        let mut out: Vec<u32> = tokens
            .windows(n)
            .map(|w| {
                let mut h = 0u64;
                for &t in w {
                    h = mix64(h ^ t);
                }
                (h >> 32) as u32
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Write the signature of a shingle set into `out` (`num_perm` entries).
    #[inline]
    pub fn signature_into(&self, shingles: &[u32], out: &mut [u32]) {
        out.fill(u32::MAX);
        for &x in shingles {
            for ((o, &a), &b) in out.iter_mut().zip(&self.a).zip(&self.b) {
                *o = (*o).min(a.wrapping_mul(x).wrapping_add(b));
            }
        }
    }

    /// The signature of a shingle set.
    pub fn signature(&self, shingles: &[u32]) -> Vec<u32> {
        let mut out = vec![0; self.num_perm];
        self.signature_into(shingles, &mut out);
        out
    }
}

/// Estimated Jaccard similarity: the share of equal signature entries.
#[inline]
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len().max(1) as f64
}

/// Exact Jaccard similarity of two sorted, de-duplicated shingle sets.
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    inter as f64 / (a.len() + b.len() - inter) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(n: usize, offset: usize) -> String {
        (0..n)
            .map(|i| format!("w{}", i + offset))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn shingles_use_the_normalised_form() {
        let m = MinHasher::new(16, 3, 1);
        assert_eq!(
            m.shingles(["Hello, World! How are you"]),
            m.shingles(["hello world how ARE you?"])
        );
        assert_ne!(
            m.shingles(["hello world how are you"]),
            m.shingles(["hello world how are they"])
        );
        // Short texts are one shingle; empty texts none.
        assert_eq!(m.shingles(["hi there"]).len(), 1);
        assert!(m.shingles(["", " ... "]).is_empty());
        // Chinese: character shingles.
        assert_eq!(m.shingles(["高考前的恐惧"]).len(), 4);
    }

    #[test]
    fn identical_sets_have_identical_signatures() {
        let m = MinHasher::new(128, 5, 7);
        let s = m.shingles([words(200, 0).as_str()]);
        assert_eq!(estimate(&m.signature(&s), &m.signature(&s)), 1.0);
        let t = m.shingles([words(200, 1000).as_str()]);
        assert!(estimate(&m.signature(&s), &m.signature(&t)) < 0.05);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The estimate tracks the true Jaccard within 4 binomial standard deviations
        /// (sqrt(J(1-J)/num_perm)) plus a small allowance for hash collisions.
        #[test]
        fn estimate_tracks_true_jaccard(shared in 0usize..400, only_a in 0usize..400, only_b in 0usize..400, seed in 0u64..1000) {
            prop_assume!(shared + only_a + only_b > 0);
            let m = MinHasher::new(128, 1, seed);
            let mut a: Vec<u32> = (0..shared as u32).map(|i| mix64(i as u64 ^ seed) as u32).collect();
            let mut b = a.clone();
            a.extend((0..only_a as u32).map(|i| mix64((1 << 40) + i as u64) as u32));
            b.extend((0..only_b as u32).map(|i| mix64((2 << 40) + i as u64) as u32));
            for v in [&mut a, &mut b] { v.sort_unstable(); v.dedup(); }
            let truth = jaccard(&a, &b);
            let est = estimate(&m.signature(&a), &m.signature(&b));
            let sd = (truth * (1.0 - truth) / 128.0).sqrt();
            prop_assert!((est - truth).abs() <= 4.0 * sd + 0.02, "truth {truth} est {est} sd {sd}");
        }
    }
}
