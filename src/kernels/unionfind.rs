//! Union-find over record indices, the one used by near-duplicate clustering and split
//! assignment. The root of a component is always its smallest index, so a component's
//! representative does not depend on the order of the unions.

/// Disjoint sets of `0..n`, path-halving, smallest index as the root.
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    pub fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
        }
    }

    /// The root (smallest index) of `x`'s component.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Merge the components of `a` and `b`, keeping the smaller root.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn roots_are_smallest_indices_whatever_the_union_order() {
        for order in [[(3, 4), (1, 3), (4, 2)], [(4, 2), (3, 4), (1, 3)]] {
            let mut uf = super::UnionFind::new(6);
            for (a, b) in order {
                uf.union(a, b);
            }
            let roots: Vec<u32> = (0..6).map(|i| uf.find(i)).collect();
            assert_eq!(roots, [0, 1, 1, 1, 1, 5]);
        }
    }
}
