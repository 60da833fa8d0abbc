"""Draw a seeded random sample of the facts one knowledge base has and another (built
before a change) lacks, stratified by source kind, for judging by hand against the
primary documents.

    python benchmarks/precision/sample.py --before OLD.db --after NEW.db \
        [--size 120] [--seed 21] > benchmarks/precision/sample_21.tsv

A fact is new when no fact of the older database has its model, field, normalized value
and source kind. Each source kind gets an equal share of the sample (a kind with fewer new
facts gives all it has; the rest is shared among the others). Columns to fill in by hand:
`right` (y/n) and `judgement` (what the primary document says).
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import sys

QUERY = """
select f.id, f.model_id, f.field, f.value, f.normalized, f.qualifier, f.method,
       d.source, d.location, d.item, f.url, f.quote
from facts f join documents d on d.id = f.document_id
where d.source in ({kinds})
order by f.id
"""
COLUMNS = ["fact_id", "model_id", "field", "value", "normalized", "qualifier", "method",
           "source", "location", "item", "url", "quote", "right", "judgement"]  # fmt: skip


def new_facts(before: sqlite3.Connection, after: sqlite3.Connection, kinds: list[str]):
    """The facts of ``after`` whose (model, field, normalized, source) ``before`` lacks."""
    marks = ",".join("?" * len(kinds))
    old = {
        tuple(row[1:3]) + (row[4], row[7])
        for row in before.execute(QUERY.format(kinds=marks), kinds)
    }
    return [
        row
        for row in after.execute(QUERY.format(kinds=marks), kinds)
        if tuple(row[1:3]) + (row[4], row[7]) not in old
    ]


def stratified(rows: list, size: int, seed: int) -> list:
    """An equal share per source kind, seeded; short kinds give all they have."""
    rng = random.Random(seed)
    by_kind: dict[str, list] = {}
    for row in rows:
        by_kind.setdefault(row[7], []).append(row)
    picked, kinds = [], sorted(by_kind)
    left = size
    for index, kind in enumerate(sorted(kinds, key=lambda k: len(by_kind[k]))):
        share = left // (len(kinds) - index)
        take = rng.sample(by_kind[kind], min(share, len(by_kind[kind])))
        picked += take
        left -= len(take)
    return sorted(picked, key=lambda r: (r[7], r[1], r[2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--size", type=int, default=120)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--kinds", default="repo,hf_doc,pdf,arxiv,hub")
    args = parser.parse_args()
    rows = new_facts(
        sqlite3.connect(args.before), sqlite3.connect(args.after), args.kinds.split(",")
    )
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(COLUMNS)
    for row in stratified(rows, args.size, args.seed):
        out.writerow([*(" ".join(str(v).split()) if v is not None else "" for v in row), "", ""])
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[7]] = counts.get(row[7], 0) + 1
    print(f"new facts per source kind: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
