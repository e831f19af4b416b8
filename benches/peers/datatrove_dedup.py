#!/usr/bin/env python3
"""Peer baseline: HuggingFace datatrove's MinHash near-dedup pipeline over a corpus JSONL.

    python3 benches/peers/datatrove_dedup.py CORPUS.jsonl [--pairs found.csv] [--work /tmp/dt_work/run]

The four datatrove stages, each run by its own LocalPipelineExecutor (one after the other):
  1. JsonlReader -> MinhashDedupSignature   tasks=2, workers=2 (one task per input shard)
  2. MinhashDedupBuckets                    tasks=num_buckets (25), workers=2
  3. MinhashDedupCluster(save_cluster_id)   tasks=1 (datatrove requires world_size 1)
  4. JsonlReader -> MinhashDedupFilter(load_cluster_ids, exclusion_writer) -> JsonlWriter
                                            tasks=2, workers=2
MinhashConfig(n_grams=5, num_buckets=25, hashes_per_bucket=5): 125 hashes, datatrove's default
hash (xxhash, 64-bit) and seed (1). An LSH bucket collision is a duplicate: datatrove does not
verify candidates with a signature Jaccard estimate, so there is no 0.8 threshold other than
the one implied by the 25 x 5 banding.

Shingling is datatrove's own (not benches/gen_corpus.py): simplify_text (lower case, numbers ->
"0", punctuation -> space, whitespace collapsed, NFD with combining marks dropped), then the
default English word tokenizer (spaCy blank "en" tokenizer: splits some contractions, e.g.
"cannot" -> "can not"), then word 5-grams hashed with xxhash64.

Input: text = the message contents joined with "\\n", id = the record id (reader adapter).
datatrove shards its input by file, so the corpus is first split into 2 contiguous JSONL shards
under --work (included in the measured time) to give stage 1 and 4 one task each.

Output: stage 3 makes union-find clusters of (shard, doc index); the root of each cluster is
kept, every other member is removed. With save_cluster_id / load_cluster_ids, stage 4 tags
every document with its cluster id (-1 when in no cluster); kept documents go to the main
writer, removed ones to the exclusion writer, both written as {"id", "cluster"} only. A removed
document's kept_id is the kept document of its cluster. Writes "dup_id,kept_id" rows to --pairs.

The peak RSS of the process tree (the parent, the multiprocess Manager, the forkserver and the
pool workers) is sampled from /proc every 0.2 s and printed per stage and overall, both as the
sum over processes (counts shared copy-on-write pages once per process) and the largest single
process.
"""

import argparse
import importlib.metadata
import json
import os
import shutil
import sys
import threading
import time

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

PAGE = os.sysconf("SC_PAGE_SIZE")


def conversation_adapter(self, data: dict, path: str, id_in_file):
    return {
        "text": "\n".join((m.get("content") or "") for m in data["messages"]),
        "id": data["id"],
    }


def id_cluster_adapter(self, document) -> dict:
    return {"id": document.id, "cluster": document.metadata.get("minhash_cluster_id", -1)}


class TreeRss(threading.Thread):
    """Samples the summed and the largest RSS over this process and all its descendants."""

    def __init__(self, interval=0.2):
        super().__init__(daemon=True)
        self.interval = interval
        self.root = os.getpid()
        self.stop_ev = threading.Event()
        self.reset()

    def reset(self):
        self.peak_sum = 0
        self.peak_one = 0
        self.peak_procs = 0

    def sample(self):
        children = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            ppid = int(st[st.rfind(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(name))
        total = one = n = 0
        todo = [self.root]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/statm") as f:
                    rss = int(f.read().split()[1]) * PAGE
            except OSError:
                rss = 0
            total += rss
            one = max(one, rss)
            n += 1
            todo.extend(children.get(pid, []))
        self.peak_sum = max(self.peak_sum, total)
        self.peak_one = max(self.peak_one, one)
        self.peak_procs = max(self.peak_procs, n)

    def run(self):
        while not self.stop_ev.is_set():
            self.sample()
            self.stop_ev.wait(self.interval)


def split_corpus(src, out_dir, shards):
    """Splits a JSONL into `shards` contiguous files at line boundaries (file order kept)."""
    os.makedirs(out_dir, exist_ok=True)
    size = os.path.getsize(src)
    with open(src, "rb") as f:
        for s in range(shards):
            end = size if s == shards - 1 else (size * (s + 1)) // shards
            with open(os.path.join(out_dir, f"{s:05d}.jsonl"), "wb") as out:
                while f.tell() < end:
                    line = f.readline()
                    if not line:
                        break
                    out.write(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--pairs", help="write dup_id,kept_id CSV here")
    ap.add_argument("--work", default="/tmp/dt_work/run", help="datatrove work dir (wiped first)")
    ap.add_argument("--n-grams", type=int, default=5)
    ap.add_argument("--num-buckets", type=int, default=25)
    ap.add_argument("--hashes-per-bucket", type=int, default=5)
    ap.add_argument("--tasks", type=int, default=2, help="input shards = stage 1/4 tasks")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    t0 = time.perf_counter()
    rss = TreeRss()
    rss.start()
    stage_report = []

    def lap(name, t):
        rss.sample()
        stage_report.append(
            f"{name}_s={time.perf_counter() - t:.1f} {name}_tree_rss_sum_MiB={rss.peak_sum / 2**20:.0f} "
            f"{name}_max_proc_rss_MiB={rss.peak_one / 2**20:.0f} {name}_procs={rss.peak_procs}")
        peaks.append((rss.peak_sum, rss.peak_one))
        rss.reset()
        return time.perf_counter()

    peaks = []
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    inp, sigs, bkts, clus = (os.path.join(work, d) for d in ("input", "signatures", "buckets", "clusters"))
    kept_dir, removed_dir, logs = (os.path.join(work, d) for d in ("kept", "removed", "logs"))

    t = time.perf_counter()
    split_corpus(args.corpus, inp, args.tasks)
    t = lap("split", t)

    config = MinhashConfig(n_grams=args.n_grams, num_buckets=args.num_buckets,
                           hashes_per_bucket=args.hashes_per_bucket)

    def reader():
        return JsonlReader(inp, adapter=conversation_adapter, compression=None, glob_pattern="*.jsonl")

    LocalPipelineExecutor(
        pipeline=[reader(), MinhashDedupSignature(output_folder=sigs, config=config)],
        tasks=args.tasks, workers=args.workers, logging_dir=os.path.join(logs, "1_signatures"),
    ).run()
    t = lap("signatures", t)

    LocalPipelineExecutor(
        pipeline=[MinhashDedupBuckets(input_folder=sigs, output_folder=bkts, config=config)],
        tasks=config.num_buckets, workers=args.workers, logging_dir=os.path.join(logs, "2_buckets"),
    ).run()
    t = lap("buckets", t)

    LocalPipelineExecutor(
        pipeline=[MinhashDedupCluster(input_folder=bkts, output_folder=clus, config=config,
                                      save_cluster_id=True)],
        tasks=1, logging_dir=os.path.join(logs, "3_cluster"),
    ).run()
    t = lap("cluster", t)

    LocalPipelineExecutor(
        pipeline=[
            reader(),
            MinhashDedupFilter(
                input_folder=clus, load_cluster_ids=True,
                exclusion_writer=JsonlWriter(removed_dir, output_filename="${rank}.jsonl",
                                             compression=None, adapter=id_cluster_adapter),
            ),
            JsonlWriter(kept_dir, output_filename="${rank}.jsonl", compression=None,
                        adapter=id_cluster_adapter),
        ],
        tasks=args.tasks, workers=args.workers, logging_dir=os.path.join(logs, "4_filter"),
    ).run()
    t = lap("filter", t)

    # removed docs -> the kept doc of their cluster
    keeper = {}
    n_kept = 0
    for name in sorted(os.listdir(kept_dir)):
        with open(os.path.join(kept_dir, name)) as f:
            for line in f:
                r = json.loads(line)
                n_kept += 1
                if r["cluster"] != -1:
                    assert r["cluster"] not in keeper, r
                    keeper[r["cluster"]] = r["id"]
    rows = []
    if os.path.isdir(removed_dir):
        for name in sorted(os.listdir(removed_dir)):
            with open(os.path.join(removed_dir, name)) as f:
                for line in f:
                    r = json.loads(line)
                    rows.append((r["id"], keeper[r["cluster"]]))
    if args.pairs:
        with open(args.pairs, "w") as out:
            out.write("dup_id,kept_id\n")
            for d, k in rows:
                out.write(f"{d},{k}\n")
    t = lap("pairs", t)
    rss.stop_ev.set()

    wall = time.perf_counter() - t0
    print(f"peer=datatrove-{importlib.metadata.version('datatrove')} "
          f"config={args.n_grams}gram_{config.num_buckets}x{config.hashes_per_bucket}_{config.hash_config} "
          f"tasks={args.tasks} workers={args.workers} records={n_kept + len(rows)} "
          f"duplicates={len(rows)} kept={n_kept} clusters={len(keeper)} wall_s={wall:.1f} "
          f"tree_rss_sum_peak_MiB={max(p[0] for p in peaks) / 2**20:.0f} "
          f"max_proc_rss_peak_MiB={max(p[1] for p in peaks) / 2**20:.0f}")
    print(" ".join(stage_report))


if __name__ == "__main__":
    sys.exit(main())
