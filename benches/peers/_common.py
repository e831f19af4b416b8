"""Shared reading and normalisation for the peer baselines.

The shingles come from benches/gen_corpus.py, so the peers hash exactly what the truth CSV
measured: contents joined with "\\n", NFKC, lower case, alphanumeric runs (underscore
separates), 5-token windows over the whole conversation, as space-joined strings.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from gen_corpus import conversation_tokens, shingle_strings  # noqa: E402


def iter_shingled(path):
    """Streams (id, [shingle strings]) from a corpus JSONL, one record at a time."""
    with open(path, "r", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            toks = conversation_tokens(m.get("content") or "" for m in rec["messages"])
            yield rec["id"], shingle_strings(toks)


class Timer:
    """Accumulates seconds spent in named phases."""

    def __init__(self):
        self.acc = {}
        self.t = time.perf_counter()

    def lap(self, name):
        now = time.perf_counter()
        self.acc[name] = self.acc.get(name, 0.0) + now - self.t
        self.t = now

    def summary(self):
        return " ".join(f"{k}_s={v:.1f}" for k, v in self.acc.items())
