#!/usr/bin/env python3
"""~1 GB of ChatML JSONL for the `trainready pii` benchmark: every question and answer of the
counsel-chat 2020 file (../shared/data), replicated with fresh ids. Run from the repository root."""
import csv, json
rows = list(csv.reader(open('../shared/data/counsel-chat/20200325_counsel_chat.csv', encoding='utf-8')))
hdr, rows = rows[0], rows[1:]
q, a = hdr.index('questionText'), hdr.index('answerText')
lines = [json.dumps({"id": str(i), "messages": [{"role": "user", "content": r[q]}, {"role": "assistant", "content": r[a]}]}, ensure_ascii=False) + "\n" for i, r in enumerate(rows)]
size = 0
with open('/tmp/pii_1g.jsonl', 'w', encoding='utf-8') as f:
    k = 0
    while size < 1_000_000_000:
        for i, l in enumerate(lines):
            l = l.replace('"id": "%d"' % i, '"id": "%d-%d"' % (k, i), 1)
            f.write(l); size += len(l.encode())
        k += 1
print(size)
