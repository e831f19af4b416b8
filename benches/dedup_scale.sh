#!/usr/bin/env bash
# `trainready dedup` on the generated corpora (benches/gen_corpus.py): wall time and peak RSS
# (/usr/bin/time -v), and recall against the planted pairs (benches/peers/recall.py).
#
#   bash benches/dedup_scale.sh            # 100k and 1M (generates missing corpora first)
#   SIZES="100k" bash benches/dedup_scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/trainready-target}"
cargo build --release -q
BIN="$CARGO_TARGET_DIR/release/trainready"
SIZES="${SIZES:-100k 1m}"
for size in $SIZES; do
    case "$size" in 100k) n=100000 ;; 1m) n=1000000 ;; *) echo "unknown size $size" >&2; exit 2 ;; esac
    corpus="/tmp/corpus_$size.jsonl"; truth="/tmp/truth_$size.csv"; out="/tmp/trainready_dedup_$size"
    if [[ ! -s "$corpus" || ! -s "$truth" ]]; then
        python3 benches/gen_corpus.py --n "$n" --seed 7 --out "$corpus" --truth "$truth"
    fi
    rm -rf "$out"
    echo "== $size: $(stat -c %s "$corpus") bytes"
    /usr/bin/time -v "$BIN" dedup "$corpus" --out "$out" -q 2> "$out.time" | tail -2
    grep -E "Elapsed|Maximum resident" "$out.time"
    python3 - "$out/clusters.parquet" "$out/pairs.csv" <<'PY'
import sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1], columns=["record_id", "kept", "dup_of"]).to_pydict()
with open(sys.argv[2], "w") as f:
    f.write("dup_id,kept_id\n")
    for r, k, d in zip(t["record_id"], t["kept"], t["dup_of"]):
        if not k:
            f.write(f"{r},{d}\n")
PY
    python3 benches/peers/recall.py --truth "$truth" --pairs "$out/pairs.csv" --label "trainready $size" | head -8
done
