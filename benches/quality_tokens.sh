#!/usr/bin/env bash
# What the quality stage and real token counts cost a build (issue 17): the same generated corpus
# (benches/gen_corpus.py) built four ways, wall time and peak RSS from /usr/bin/time -v, and the
# quality step's own time from the step log:
#   approx          [tokens] tokenizer = "approx", no [quality]   (the build before issue 17)
#   o200k           [tokens] tokenizer = "o200k_base"             (the default now)
#   approx+quality  approx tokens, [quality] with its defaults
#   o200k+quality   both
#
#   CORPUS=/path/corpus_100k.jsonl RUNS=3 bash benches/quality_tokens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/trainready-target}"
cargo build --release -q
BIN="$CARGO_TARGET_DIR/release/trainready"
CORPUS="${CORPUS:?set CORPUS to a corpus made by benches/gen_corpus.py}"
RUNS="${RUNS:-1}"
VARIANTS="${VARIANTS:-approx o200k approx+quality o200k+quality}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "corpus $CORPUS: $(stat -c %s "$CORPUS") bytes"
for variant in $VARIANTS; do
    case "$variant" in
        approx) extra='[tokens]
tokenizer = "approx"' ;;
        o200k) extra='[tokens]
tokenizer = "o200k_base"' ;;
        approx+quality) extra='[tokens]
tokenizer = "approx"
[quality]' ;;
        o200k+quality) extra='[tokens]
tokenizer = "o200k_base"
[quality]' ;;
        *) echo "unknown variant $variant" >&2; exit 2 ;;
    esac
    cat > "$work/spec.toml" <<EOF
[release]
name = "bench"
version = "1.0.0"

[[source]]
name = "gen"
family = "support_chat"
uri = "$CORPUS"
mapping = "chatml"
license = "CC0-1.0"
origin = "benches/gen_corpus.py"
split = "train"

[dedup]
max_removal_rate = 1.0

$extra
EOF
    for run in $(seq 1 "$RUNS"); do
        rm -rf "$work/out" "$work/run"
        RUST_LOG=info /usr/bin/time -v "$BIN" build "$work/spec.toml" --output "$work/out" \
            --run-dir "$work/run" > /dev/null 2> "$work/log" || true
        wall=$(grep "Elapsed (wall" "$work/log" | awk '{print $NF}')
        rss=$(grep "Maximum resident" "$work/log" | awk '{print $NF}')
        quality=$(grep -o 'filtered=[0-9]* trimmed=[0-9]* seconds=[0-9.]*' "$work/log" || true)
        exported=$(grep -o 'exported=[0-9]*' "$work/log" | tail -1 || true)
        echo "$variant run $run: wall $wall, peak RSS ${rss} KB, $exported ${quality:+quality $quality}"
    done
done
