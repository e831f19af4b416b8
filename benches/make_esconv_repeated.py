#!/usr/bin/env python3
"""ESConv (../shared/data/esconv, CC BY-NC 4.0: benchmarks only) as one chatml JSONL, repeated.

Real English support chats for benchmarks of the text stages (the quality stage's English fast
path fires on them, unlike on benches/gen_corpus.py's pseudo-words).

    python3 benches/make_esconv_repeated.py --times 30 --out /work/bench/esconv_x30.jsonl

Ids are e0, e1, ... in file order (train, valid, test, then again); `usr` is user, `sys` is
assistant.
"""
import argparse
import json
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--times", type=int, default=30)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "esconv"))
    args = ap.parse_args()
    n = 0
    with open(args.out, "w") as out:
        for _ in range(args.times):
            for split in ("train", "valid", "test"):
                for line in open(Path(args.data) / f"{split}.jsonl"):
                    v = json.loads(line)
                    msgs = [
                        {"role": "user" if d["speaker"] == "usr" else "assistant", "content": d["text"]}
                        for d in v["dialog"]
                    ]
                    out.write(json.dumps({"id": f"e{n}", "messages": msgs}) + "\n")
                    n += 1
    print(f"records={n} out={args.out}")


if __name__ == "__main__":
    main()
