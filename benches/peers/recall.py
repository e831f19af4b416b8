#!/usr/bin/env python3
"""Score a near-dedup result against the planted pairs of benches/gen_corpus.py.

    python3 benches/peers/recall.py --truth truth.csv --pairs found.csv [--label NAME]

found.csv has a header and "dup_id,kept_id" rows (extra columns ignored). The found pairs
are closed under union-find into clusters; a planted (copy, original) pair counts as found
when both ids land in the same cluster.

Reports
- recall at J>=0.8: planted pairs with true Jaccard >= 0.8 that were found / all of them;
- false merges at J<0.5: planted pairs with true Jaccard < 0.5 that were found (they should
  not be: a 0.8 threshold must keep them apart) / all of them;
- found rate per 0.1 bucket of true Jaccard (the empirical S-curve);
- the found pairs by what truth says about them: a planted pair, two copies of one original
  ("siblings", true Jaccard not in the CSV), or unrelated records (a false positive on
  background text).
"""

import argparse
import csv
import sys


def find(parent, x):
    root = x
    while parent.get(root, root) != root:
        root = parent[root]
    while parent.get(x, x) != root:
        parent[x], x = root, parent[x]
    return root


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    truth = []  # (copy, original, J)
    with open(args.truth, newline="") as f:
        for row in csv.DictReader(f):
            truth.append((row["copy_id"], row["original_id"], float(row["jaccard"])))
    planted = {(c, o): j for c, o, j in truth}
    origin = {c: o for c, o, _ in truth}  # copies are never copied, so one hop reaches the root

    parent = {}
    found_pairs = []
    with open(args.pairs, newline="") as f:
        rd = csv.reader(f)
        next(rd, None)
        for row in rd:
            if len(row) < 2:
                continue
            a, b = row[0], row[1]
            found_pairs.append((a, b))
            ra, rb = find(parent, a), find(parent, b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

    buckets = [[0, 0] for _ in range(10)]  # [planted, found]
    hi = [0, 0]
    lo = [0, 0]
    for c, o, j in truth:
        hit = find(parent, c) == find(parent, o)
        b = min(int(j * 10), 9)
        buckets[b][0] += 1
        buckets[b][1] += hit
        if j >= 0.8:
            hi[0] += 1
            hi[1] += hit
        if j < 0.5:
            lo[0] += 1
            lo[1] += hit

    kinds = {"planted_J>=0.8": 0, "planted_0.5<=J<0.8": 0, "planted_J<0.5": 0, "siblings": 0,
             "unrelated": 0}
    for a, b in found_pairs:
        j = planted.get((a, b), planted.get((b, a)))
        if j is not None:
            kinds["planted_J>=0.8" if j >= 0.8 else "planted_J<0.5" if j < 0.5 else "planted_0.5<=J<0.8"] += 1
        elif origin.get(a, a) == origin.get(b, b):
            kinds["siblings"] += 1
        else:
            kinds["unrelated"] += 1

    def pct(x):
        return 100.0 * x[1] / x[0] if x[0] else float("nan")

    label = f"[{args.label}] " if args.label else ""
    print(f"{label}found_pairs={len(found_pairs)} planted={len(truth)}")
    print(f"{label}recall_at_J>=0.8={pct(hi):.2f}% ({hi[1]}/{hi[0]})")
    print(f"{label}false_merges_at_J<0.5={pct(lo):.2f}% ({lo[1]}/{lo[0]})")
    print(f"{label}found by true-J bucket: " + " ".join(
        f"[{b / 10:.1f},{(b + 1) / 10:.1f}{']' if b == 9 else ')'}:{v[1]}/{v[0]}" for b, v in enumerate(buckets) if v[0]))
    print(f"{label}found pairs by kind: " + " ".join(f"{k}={v}" for k, v in kinds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
