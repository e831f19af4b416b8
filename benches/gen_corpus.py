#!/usr/bin/env python3
"""Deterministic synthetic conversation corpus with planted near-duplicates.

Benchmark input for the MinHash near-duplicate stage.

    python3 benches/gen_corpus.py --n 100000 --seed 7 --out /tmp/corpus_100k.jsonl \
        [--truth /tmp/truth_100k.csv] [--workers 2]

Output: one JSON object a line, ``{"id": "c0000001", "messages": [{"role": "user",
"content": "..."}, {"role": "assistant", ...}, ...]}``, 8-16 alternating turns (user first),
about 2.6 KB a line. Text is English-like: sentences over a fixed vocabulary of 30,000 words
(about 120 real function words plus deterministic pseudo-words) drawn with Zipf(1.0)
frequencies, each conversation favouring a dozen "topic" words, plus a few stock phrases
("let me know if you have any other questions") that unrelated conversations share, as real
chat data does.

Planted near-duplicates: about ``--copy-rate`` (10%) of records are edited copies of an
earlier *original* record (copies are never copied). For each copy a target Jaccard is drawn
uniformly from [--jmin, 1.0] and the edits are sized to hit it (the word-level edit is
measured exactly and redone up to 3 times if it misses by more than 0.03 or lands below --jmin):

- ``substitute``: random words replaced by other vocabulary words;
- ``delete``: random words deleted;
- ``truncate``: trailing turns dropped and the last kept turn cut (a copy keeps >= 8 turns,
  so a deep cut is topped up with substitutions: ``truncate+substitute``);
- ``mixed``: truncation, substitutions and deletions together;
- ``format``: only case / whitespace / Unicode / punctuation changes (true Jaccard 1.0), used
  for targets >= 0.97.

Format changes (``+case``, ``+whitespace``, ``+unicode``, ``+punct``) are also layered on
about 40% of the other copies. They are invisible after normalisation: upper/lower/title/swap
case, doubled spaces, tabs and newlines between words, NBSP / U+2003 / U+3000 spaces,
fullwidth letters and digits (U+FF21.., NFKC-equivalent to ASCII), the ligatures U+FB01 (fi)
and U+FB02 (fl), dropped or changed punctuation. The edit kind column lists every operation
applied, joined with ``+``.

Truth CSV (only with --truth): ``copy_id,original_id,edit_kind,jaccard,orig_shingles,
copy_shingles``, one row per planted copy. ``jaccard`` is the TRUE Jaccard similarity of the
two records' 5-word shingle sets, computed exactly (no sketch) on the hashing form:

- the contents of all messages joined with "\\n" (one token stream per conversation, so
  shingles run across turn boundaries),
- Unicode NFKC, then lower case,
- tokens = maximal runs of alphanumeric characters (regex ``[^\\W_]+``: ``\\w`` without the
  underscore, i.e. punctuation, symbols, whitespace *and underscores* separate tokens),
- shingles = the set of tuples of 5 consecutive tokens (a stream of 1-4 tokens is one
  shingle of all its tokens; an empty stream has no shingles).

This matches ``trainready::normalize::tokens`` (src/normalize.rs) on this corpus: after NFKC
every generated character is ASCII, and the corpus has no combining marks or unspaced
scripts, where the two definitions would differ.

Determinism: record i is generated from its own PCG64 stream seeded with (seed, i), and the
copy/original choice from a SplitMix64 hash of (seed, i), so the output is byte-identical for
any --workers count and whether or not --truth is given. The vocabulary is the same for all
seeds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import sys
import time
import unicodedata

import numpy as np

# ----------------------------------------------------------------------------------------
# Normalisation and shingles (shared with benches/peers/*.py)

SHINGLE = 5
_TOKEN_RE = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Hashing-form tokens: NFKC, lower case, alphanumeric runs (underscore separates)."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())


def conversation_tokens(contents) -> list[str]:
    return tokens("\n".join(contents))


def shingle_set(toks: list[str], k: int = SHINGLE) -> set[tuple[str, ...]]:
    if len(toks) < k:
        return {tuple(toks)} if toks else set()
    return set(zip(*(toks[i:] for i in range(k))))


def shingle_strings(toks: list[str], k: int = SHINGLE) -> list[str]:
    """The shingles as space-joined strings (tokens hold no spaces, so this is 1:1)."""
    if len(toks) < k:
        return [" ".join(toks)] if toks else []
    return [" ".join(toks[i : i + k]) for i in range(len(toks) - k + 1)]


def jaccard(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


# ----------------------------------------------------------------------------------------
# Vocabulary

VOCAB_SIZE = 30_000
ZIPF_S = 1.0
VOCAB_SEED = 20240607

FUNCTION_WORDS = (
    "the of and to a in is it you that he was for on are with as i his they be at one have "
    "this from or had by not word but what some we can out other were all there when up use "
    "your how said an each she which do their time if will way about many then them write "
    "would like so these her long make thing see him two has look more day could go come did "
    "number sound no most people my over know water than call first who may down side been "
    "now find any new work part take get place made live where after back little only round "
    "man year came show every good me give our under name very through just form sentence "
    "great think say help low line differ turn cause much mean before move right boy old too "
    "same tell does set three want air well also play small end put home read hand port large"
).split()

_ONSETS = ("", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
           "w", "z", "br", "cl", "dr", "fl", "fr", "gr", "pl", "pr", "sh", "st", "th", "tr",
           "ch", "sk", "sl", "sp", "qu", "gl", "bl", "cr")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ou", "io", "ee", "oo")
_CODAS = ("", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "x", "ng", "rt", "ph")

STOCK_OPENERS = [
    "Sure, here is what I would suggest.",
    "Great question!",
    "I understand how you feel.",
    "Thanks for sharing that with me.",
    "That is a good point.",
    "Let me walk you through it step by step.",
    "Here is a short overview.",
    "Of course, I can help with that.",
    "I am sorry to hear that.",
    "It sounds like you have a lot on your mind.",
]
STOCK_CLOSERS = [
    "Let me know if you have any other questions.",
    "I hope this helps!",
    "Feel free to ask if anything is unclear.",
    "Would you like me to go into more detail?",
    "Good luck, and take care.",
]
USER_OPENERS = [
    "Hi, can you help me with something?",
    "Thanks, that makes sense.",
    "Okay, but what about this?",
    "I have another question.",
    "Can you explain that again?",
    "That is really helpful, thank you.",
]


def build_vocab() -> list[str]:
    rnd = random.Random(VOCAB_SEED)
    seen = set(FUNCTION_WORDS)
    words = list(dict.fromkeys(FUNCTION_WORDS))
    while len(words) < VOCAB_SIZE:
        nsyl = rnd.choices((1, 2, 3), weights=(4, 7, 2))[0]
        w = "".join(rnd.choice(_ONSETS) + rnd.choice(_VOWELS) + rnd.choice(_CODAS)
                    for _ in range(nsyl))
        if len(w) < 3 or w in seen:
            continue
        seen.add(w)
        words.append(w)
    return words


VOCAB = build_vocab()
_ranks = np.arange(1, VOCAB_SIZE + 1, dtype=np.float64)
_weights = _ranks ** -ZIPF_S
ZIPF_CDF = np.cumsum(_weights / _weights.sum())
ZIPF_CDF[-1] = 1.0
VOCAB_ARR = np.array(VOCAB, dtype=object)
STOCK_OPENERS_W = [s.split() for s in STOCK_OPENERS]
STOCK_CLOSERS_W = [s.split() for s in STOCK_CLOSERS]
USER_OPENERS_W = [s.split() for s in USER_OPENERS]

# ----------------------------------------------------------------------------------------
# Deterministic per-record choices

MASK64 = (1 << 64) - 1


def splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def h3(seed: int, i: int, k: int) -> int:
    return splitmix64(splitmix64(splitmix64(seed) ^ i) ^ k)


class Plan:
    def __init__(self, seed: int, copy_rate: float, jmin: float):
        self.seed = seed
        self.copy_cut = int(copy_rate * (1 << 64))
        self.jmin = jmin

    def is_copy(self, i: int) -> bool:
        return i >= 16 and h3(self.seed, i, 0) < self.copy_cut

    def original_of(self, i: int) -> int:
        k = 1
        while True:
            j = h3(self.seed, i, k) % i
            if not self.is_copy(j):
                return j
            k += 1


def rec_id(i: int) -> str:
    return f"c{i + 1:07d}"


# ----------------------------------------------------------------------------------------
# Originals: a record is a list of turns, a turn a list of surface words (each surface word
# is exactly one token after normalisation; punctuation and capitals are attached to it).

USER_WORDS = (5, 30)        # uniform range of words per user turn (before stock phrases)
ASSISTANT_WORDS = (15, 53)  # ... per assistant turn
TOPIC_WORDS = 12
TOPIC_RATE = 0.12


def zipf_words(rng: np.random.Generator, n: int) -> list[str]:
    idx = np.searchsorted(ZIPF_CDF, rng.random(n), side="right")
    return VOCAB_ARR[idx].tolist()


def gen_original(seed: int, i: int) -> list[list[str]]:
    rng = np.random.Generator(np.random.PCG64([seed, i]))
    n_turns = int(rng.integers(8, 17))
    lens = [int(rng.integers(*(USER_WORDS if t % 2 == 0 else ASSISTANT_WORDS), endpoint=True))
            for t in range(n_turns)]
    total = sum(lens)
    words = zipf_words(rng, total)
    topic = VOCAB_ARR[rng.integers(150, VOCAB_SIZE, TOPIC_WORDS)].tolist()
    u = rng.random(total)
    tpick = rng.integers(0, TOPIC_WORDS, total)
    for p in np.flatnonzero(u < TOPIC_RATE).tolist():
        words[p] = topic[tpick[p]]
    # sentence lengths, punctuation and stock phrases
    sent_len = rng.integers(5, 19, total).tolist()
    punct = rng.random(total).tolist()
    stock = rng.random((n_turns, 3)).tolist()
    turns = []
    pos = 0
    for t, n in enumerate(lens):
        body = words[pos : pos + n]
        pos += n
        out: list[str] = []
        user = t % 2 == 0
        s0 = stock[t]
        if user and t > 0 and s0[0] < 0.25:
            out.extend(USER_OPENERS_W[int(s0[1] * len(USER_OPENERS_W))])
        elif not user and s0[0] < 0.3:
            out.extend(STOCK_OPENERS_W[int(s0[1] * len(STOCK_OPENERS_W))])
        k = 0
        while k < n:
            L = min(sent_len[pos - n + k], n - k)
            sent = body[k : k + L]
            sent[0] = sent[0].capitalize()
            r = punct[pos - n + k]
            if L > 8 and r < 0.35:
                sent[L // 2] += ","
            if user and r > 0.5:
                sent[-1] += "?"
            elif r > 0.93:
                sent[-1] += "!"
            else:
                sent[-1] += "."
            out.extend(sent)
            k += L
        if not user and s0[2] < 0.15:
            out.extend(STOCK_CLOSERS_W[int(s0[1] * len(STOCK_CLOSERS_W))])
        turns.append(out)
    return turns


# ----------------------------------------------------------------------------------------
# Edits

def _substitute(rng, turns, q):
    if q <= 0:
        return turns
    out = []
    for turn in turns:
        m = np.flatnonzero(rng.random(len(turn)) < q).tolist()
        if m:
            turn = list(turn)
            repl = zipf_words(rng, len(m))
            for p, w in zip(m, repl):
                turn[p] = w
        out.append(turn)
    return out


def _delete(rng, turns, q):
    if q <= 0:
        return turns
    out = []
    for turn in turns:
        keep = rng.random(len(turn)) >= q
        new = [w for w, k in zip(turn, keep.tolist()) if k]
        out.append(new if new else turn[:1])
    return out


def _truncate(turns, t):
    """Keep about fraction t of the words (at least 8 turns, 3 words of the 8th).
    Returns (turns, achieved fraction)."""
    total = sum(map(len, turns))
    n8 = min(len(turns), 8)
    floor = sum(map(len, turns[: n8 - 1])) + min(3, len(turns[n8 - 1]))
    keep = max(int(round(t * total)), floor)
    out, acc = [], 0
    for turn in turns:
        if acc >= keep:
            break
        take = min(len(turn), keep - acc)
        out.append(turn[:take])
        acc += take
    return out, acc / total


def _kill_rate_for_shared(f):
    """Per-word edit rate so a fraction f of the 5-shingles survives."""
    f = min(max(f, 1e-6), 1.0)
    return 1.0 - f ** (1.0 / SHINGLE)


def _delete_rate_for_j(target):
    lo, hi = 0.0, 0.95
    for _ in range(40):
        q = (lo + hi) / 2
        s = (1 - q) ** SHINGLE
        j = s / (1 + (1 - q) - s)
        if j > target:
            lo = q
        else:
            hi = q
    return (lo + hi) / 2


FW = {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"}
FW_TABLE = str.maketrans(FW)
ODD_SPACES = ("\u00a0", "\u2003", "\u3000")
WS_SPACES = ("  ", "   ", "\t", " \n", "\n")


def _format_words(rng, turns, ops):
    """Word-level format changes that leave the hashing-form tokens unchanged."""
    out = []
    for turn in turns:
        turn = list(turn)
        n = len(turn)
        if "punct" in ops:
            for p in np.flatnonzero(rng.random(n) < 0.3).tolist():
                w = turn[p].rstrip(".,?!")
                turn[p] = w + ("" if rng.random() < 0.5 else ";")
        if "unicode" in ops:
            for p in np.flatnonzero(rng.random(n) < 0.15).tolist():
                w = turn[p]
                r = rng.random()
                if r < 0.6:
                    turn[p] = w.translate(FW_TABLE)
                elif "fi" in w or "fl" in w:
                    turn[p] = w.replace("fi", "\ufb01").replace("fl", "\ufb02")
                else:
                    turn[p] = w.translate(FW_TABLE)
        out.append(turn)
    return out


def _join(rng, turn, ops):
    if not ({"whitespace", "unicode"} & ops) or len(turn) < 2:
        return " ".join(turn)
    seps = [" "] * (len(turn) - 1)
    r = rng.random(len(seps))
    for p in np.flatnonzero(r < 0.12).tolist():
        if "whitespace" in ops and ("unicode" not in ops or r[p] < 0.06):
            seps[p] = WS_SPACES[int(rng.integers(len(WS_SPACES)))]
        else:
            seps[p] = ODD_SPACES[int(rng.integers(len(ODD_SPACES)))]
    parts = [turn[0]]
    for s, w in zip(seps, turn[1:]):
        parts.append(s)
        parts.append(w)
    text = "".join(parts)
    if "whitespace" in ops and rng.random() < 0.5:
        text = "  " + text + " \n"
    return text


def _case(rng, text):
    r = rng.random()
    if r < 0.25:
        return text.upper()
    if r < 0.5:
        return text.lower()
    if r < 0.75:
        return text.title()
    return text.swapcase()


def render(rng, turns, ops=frozenset()):
    contents = [_join(rng, t, ops) for t in turns]
    if "case" in ops:
        contents = [_case(rng, c) if rng.random() < 0.6 else c for c in contents]
    return contents


def _edit(rng, orig_turns, target):
    """Edits sized for a target Jaccard. Returns (edited turns, [kinds])."""
    kinds: list[str] = []
    turns = orig_turns
    if target >= 0.97:
        return turns, ["format"]
    r = float(rng.random())
    if r < 0.30:
        kinds.append("substitute")
        turns = _substitute(rng, turns, _kill_rate_for_shared(2 * target / (1 + target)))
    elif r < 0.55:
        kinds.append("delete")
        turns = _delete(rng, turns, _delete_rate_for_j(target))
    elif r < 0.75:
        kinds.append("truncate")
        turns, t = _truncate(turns, target)
        if t > target + 0.01:
            kinds.append("substitute")
            f = target * (1 + t) / (t * (1 + target))
            turns = _substitute(rng, turns, _kill_rate_for_shared(f))
    else:
        kinds.append("mixed")
        t = 1.0 - float(rng.uniform(0.0, 0.5)) * (1.0 - target)
        turns, t = _truncate(turns, t)
        f = min(1.0, target * (1 + t) / (t * (1 + target)))
        q = _kill_rate_for_shared(f)
        turns = _substitute(rng, turns, q / 2)
        turns = _delete(rng, turns, q / 2)
    return turns, kinds


def make_copy(seed: int, i: int, orig_turns, jmin: float):
    """Returns (contents, edit_kind, true Jaccard, |orig shingles|, |copy shingles|) for copy
    record i of the given original.

    The edit sizes come from approximations ((1-q)^5 shingle survival), so the true Jaccard
    of the word-level edit is measured and, when it misses the target by more than 0.03, the
    edit is redone (fresh random stream) with the target corrected by the miss, up to 3 more
    times; the closest attempt is kept. This always runs, so the corpus does not depend on
    whether --truth is asked for.
    """
    rng = np.random.Generator(np.random.PCG64([seed, i, 1]))
    target = float(rng.uniform(jmin, 1.0))
    orig_set = shingle_set(conversation_tokens(render(None, orig_turns)))
    best = None
    aim = target
    for attempt in range(4):
        erng = rng if attempt == 0 else np.random.Generator(np.random.PCG64([seed, i, 2 + attempt]))
        turns, kinds = _edit(erng, orig_turns, aim)
        cset = shingle_set(conversation_tokens(render(None, turns)))
        j = jaccard(orig_set, cset)
        # closest to the target, never below jmin when an attempt reached it
        key = (j < jmin, abs(j - target))
        if best is None or key < best[0]:
            best = (key, turns, kinds, j, len(cset))
        if (abs(j - target) <= 0.03 and j >= jmin) or kinds[0] == "format":
            break
        aim = min(0.965, max(0.05, aim + (target - j)))
    _, turns, kinds, j, ncopy = best
    fmt = set()
    if kinds[0] == "format" or rng.random() < 0.4:
        for op in ("case", "whitespace", "unicode", "punct"):
            if rng.random() < 0.5:
                fmt.add(op)
        if not fmt:
            fmt.add(("case", "whitespace", "unicode", "punct")[int(rng.integers(4))])
    turns = _format_words(rng, turns, fmt)
    contents = render(rng, turns, fmt)
    kinds = kinds + sorted(fmt)
    return contents, "+".join(kinds), j, len(orig_set), ncopy


# ----------------------------------------------------------------------------------------
# Records and chunks

def record_json(i: int, contents) -> str:
    msgs = [{"role": "user" if t % 2 == 0 else "assistant", "content": c}
            for t, c in enumerate(contents)]
    return json.dumps({"id": rec_id(i), "messages": msgs}, ensure_ascii=False)


_G: dict = {}


def _init(seed, copy_rate, jmin, want_truth):
    _G.update(seed=seed, plan=Plan(seed, copy_rate, jmin), jmin=jmin, truth=want_truth)


def gen_chunk(bounds):
    start, end = bounds
    seed, plan, jmin, want_truth = _G["seed"], _G["plan"], _G["jmin"], _G["truth"]
    lines, truth = [], []
    for i in range(start, end):
        if plan.is_copy(i):
            j = plan.original_of(i)
            orig = gen_original(seed, j)
            contents, kind, jac, na, nb = make_copy(seed, i, orig, jmin)
            if want_truth:
                # Recomputed from the exact strings written (the original's rendering uses no
                # randomness, so it equals record j's line): format edits must not move it.
                a = shingle_set(conversation_tokens(render(None, orig)))
                b = shingle_set(conversation_tokens(contents))
                if abs(jaccard(a, b) - jac) > 1e-12:
                    raise AssertionError(f"format edits changed the tokens of {rec_id(i)}")
                truth.append(f"{rec_id(i)},{rec_id(j)},{kind},{jac:.6f},{len(a)},{len(b)}\n")
        else:
            contents = render(None, gen_original(seed, i))
        lines.append(record_json(i, contents))
    lines.append("")
    return "\n".join(lines), "".join(truth), end - start


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, required=True, help="number of records")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True, help="output JSONL path")
    ap.add_argument("--truth", help="write the planted pairs CSV here")
    ap.add_argument("--copy-rate", type=float, default=0.10)
    ap.add_argument("--jmin", type=float, default=0.30, help="lowest target Jaccard")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--chunk", type=int, default=2000)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    bounds = [(s, min(s + args.chunk, args.n)) for s in range(0, args.n, args.chunk)]
    init = (args.seed, args.copy_rate, args.jmin, bool(args.truth))
    n_bytes = n_lines = n_copies = 0
    truth_f = open(args.truth, "w", encoding="utf-8") if args.truth else None
    if truth_f:
        truth_f.write("copy_id,original_id,edit_kind,jaccard,orig_shingles,copy_shingles\n")
    hist = [0] * 10
    with open(args.out, "wb") as out:
        if args.workers > 1:
            pool = mp.get_context("fork").Pool(args.workers, initializer=_init, initargs=init)
            results = pool.imap(gen_chunk, bounds)
        else:
            pool = None
            _init(*init)
            results = map(gen_chunk, bounds)
        for text, truth, n in results:
            data = text.encode("utf-8")
            out.write(data)
            n_bytes += len(data)
            n_lines += n
            if truth:
                rows = truth.splitlines()
                n_copies += len(rows)
                for row in rows:
                    hist[min(int(float(row.split(",")[3]) * 10), 9)] += 1
                truth_f.write(truth)
        if pool:
            pool.close()
            pool.join()
    if truth_f:
        truth_f.close()
    dt = time.perf_counter() - t0
    print(f"records={n_lines} bytes={n_bytes} mean_line_bytes={n_bytes / max(n_lines, 1):.1f} "
          f"seconds={dt:.1f} out={args.out}")
    if args.truth:
        print(f"planted_copies={n_copies} ({100 * n_copies / max(n_lines, 1):.2f}%) truth={args.truth}")
        print("true Jaccard histogram: " + " ".join(
            f"[{b / 10:.1f},{(b + 1) / 10:.1f}{']' if b == 9 else ')'}:{c}" for b, c in enumerate(hist) if c))
    return 0


if __name__ == "__main__":
    sys.exit(main())
