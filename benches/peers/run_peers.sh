#!/usr/bin/env bash
# Runs the near-dup peer baselines (rensa, datasketch) on the synthetic corpus and scores them
# against the planted pairs.
#
#   bash benches/peers/run_peers.sh
#
# Environment (defaults):
#   N=100000  SEED=7  CORPUS=/tmp/corpus_100k.jsonl  TRUTH=/tmp/truth_100k.csv
#   OUT=/tmp/peers_out       found-pairs CSVs and logs
#   REPEATS=1                runs of each peer; wall time and peak RSS medians are printed
#   PEER_TIMEOUT=1200        seconds before a peer run is stopped (reported as timed out,
#                            with the rate from its last progress line)
#   PEERS="rensa rensa16 datasketch"
#        rensa      = rensa's RMinHashDeduplicator with its default bands (8 x 16 at 0.8)
#        rensa16    = the same with 16 bands x 8 rows
#        datasketch = MinHashLSH with datasketch's own choice (9 x 13 at 0.8)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCHES="$(dirname "$HERE")"
N="${N:-100000}"
SEED="${SEED:-7}"
CORPUS="${CORPUS:-/tmp/corpus_100k.jsonl}"
TRUTH="${TRUTH:-/tmp/truth_100k.csv}"
OUT="${OUT:-/tmp/peers_out}"
REPEATS="${REPEATS:-1}"
PEER_TIMEOUT="${PEER_TIMEOUT:-1200}"
PEERS="${PEERS:-rensa rensa16 datasketch}"
mkdir -p "$OUT"

if [[ ! -x /usr/bin/time ]]; then
    echo "needs GNU time at /usr/bin/time (apt-get install -y time)" >&2
    exit 1
fi
if ! python3 -c "import rensa, datasketch, numpy" 2>/dev/null; then
    python3 -m pip install -q -r "$HERE/requirements.txt"
fi

if [[ ! -s "$CORPUS" || ! -s "$TRUTH" ]]; then
    echo "== generating $CORPUS (+ $TRUTH)"
    python3 "$BENCHES/gen_corpus.py" --n "$N" --seed "$SEED" --out "$CORPUS" --truth "$TRUTH"
fi
echo "== corpus: $CORPUS $(stat -c %s "$CORPUS") bytes, $(wc -l < "$CORPUS") records; truth rows: $(($(wc -l < "$TRUTH") - 1))"

peer_cmd() {
    case "$1" in
        rensa) echo "python3 $HERE/rensa_dedup.py" ;;
        rensa16) echo "python3 $HERE/rensa_dedup.py --bands 16" ;;
        datasketch) echo "python3 $HERE/datasketch_dedup.py" ;;
        *) echo "unknown peer $1" >&2; return 1 ;;
    esac
}

# "h:mm:ss" or "m:ss.ss" to seconds
to_seconds() {
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<< "$1"
}

median() {
    python3 -c 'import statistics, sys; v = [float(x) for x in sys.argv[1:]]; print(f"{statistics.median(v):.2f}" if v else "n/a")' "$@"
}

SUMMARY=()
for peer in $PEERS; do
    cmd="$(peer_cmd "$peer")"
    walls=()
    rss=()
    status=ok
    for rep in $(seq 1 "$REPEATS"); do
        pairs="$OUT/${peer}_pairs.csv"
        log="$OUT/${peer}_run${rep}.log"
        echo "== $peer run $rep: $cmd $CORPUS --pairs $pairs"
        set +e
        /usr/bin/time -v timeout "$PEER_TIMEOUT" $cmd "$CORPUS" --pairs "$pairs" > "$OUT/${peer}_run${rep}.out" 2> "$log"
        rc=$?
        set -e
        cat "$OUT/${peer}_run${rep}.out"
        wall="$(to_seconds "$(grep 'Elapsed (wall clock) time' "$log" | awk '{print $NF}')")"
        kb="$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')"
        echo "   wall_s=$wall max_rss_kb=$kb ($((kb / 1024)) MiB) exit=$rc"
        if [[ $rc -eq 124 ]]; then
            last="$(grep '^progress' "$log" | tail -1 || true)"
            echo "   TIMED OUT after ${PEER_TIMEOUT}s; last progress: ${last:-none}"
            status="timeout(${last:-no progress})"
            break
        elif [[ $rc -ne 0 ]]; then
            echo "   FAILED, see $log"
            status="failed(rc=$rc)"
            break
        fi
        walls+=("$wall")
        rss+=("$kb")
    done
    if [[ "$status" == ok ]]; then
        echo "== $peer recall"
        python3 "$HERE/recall.py" --truth "$TRUTH" --pairs "$OUT/${peer}_pairs.csv" --label "$peer" | tee "$OUT/${peer}_recall.txt"
        dups="$(grep -o 'duplicates=[0-9]*' "$OUT/${peer}_run1.out" | cut -d= -f2)"
        rec="$(sed -n 's/.*recall_at_J>=0.8=\([0-9.]*% ([0-9]*\/[0-9]*)\).*/\1/p' "$OUT/${peer}_recall.txt")"
        fm="$(sed -n 's/.*false_merges_at_J<0.5=\([0-9.]*% ([0-9]*\/[0-9]*)\).*/\1/p' "$OUT/${peer}_recall.txt")"
        SUMMARY+=("$(printf '%-11s wall_s(median of %d)=%s max_rss_MiB(median)=%s duplicates=%s recall@J>=0.8=%s false_merges@J<0.5=%s' \
            "$peer" "${#walls[@]}" "$(median "${walls[@]}")" "$(python3 -c 'import statistics,sys; print(round(statistics.median([int(x) for x in sys.argv[1:]]) / 1024))' "${rss[@]}")" \
            "$dups" "$rec" "$fm")")
    else
        SUMMARY+=("$(printf '%-11s %s' "$peer" "$status")")
    fi
done

echo
echo "== summary ($CORPUS)"
printf '%s\n' "${SUMMARY[@]}"
