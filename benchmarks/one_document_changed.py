"""What `extract` costs after one document changed, at the scale of a large knowledge
base: the cards, names and lineage brought up to date (only the changed models' cards;
names and lineage only if what they read changed), against building them all (what any
change cost before cards were computed per model), in the same run.

    .venv/bin/python benchmarks/one_document_changed.py KB.db [--runs 3]

KB.db is changed: each run writes one random doc page's facts again (the same rows, as
an extraction of an unchanged page does), then brings the derived tables up to date;
the baseline builds them for every model (the same tables result). Use a generated
knowledge base (benchmarks/generate_kb.py; SYNTHETIC), not one you need. Extracting the
one page itself costs milliseconds (see the README's per-document costs)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlite_utils  # noqa: E402

from kbuild.extract.runner import build_derived  # noqa: E402
from kbuild.store import open_db  # noqa: E402


def rewrite_one_page(db: sqlite_utils.Database) -> int:
    """Write one random doc page's facts again (one transaction); returns how many."""
    doc = db.execute(
        "select d.id from current_documents d where d.source = 'hf_doc' "
        "and exists (select 1 from facts f where f.document_id = d.id) "
        "order by random() limit 1"
    ).fetchone()[0]
    with db.atomic():
        rows = db.execute("select * from facts where document_id = ?", [doc]).fetchall()
        db.execute("delete from facts where document_id = ?", [doc])
        marks = ", ".join("?" * len(rows[0]))
        db.conn.executemany(f"insert into facts values ({marks})", rows)
    return len(rows)


def timed(db: sqlite_utils.Database, full: bool) -> tuple[float, list[str]]:
    start = time.perf_counter()
    built = build_derived(db, full=full)
    return time.perf_counter() - start, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    db = open_db(args.db)  # (the schema of this kbuild)
    facts = db.execute("select count(*) from facts").fetchone()[0]
    models = db.execute("select count(*) from models").fetchone()[0]
    print(f"knowledge base: {facts:,} facts, {models:,} models ({args.db})")
    timed(db, full=False)  # whatever an earlier run left to do
    changed = []
    for _ in range(args.runs):
        written = rewrite_one_page(db)
        seconds, built = timed(db, full=False)
        changed.append(seconds)
        what = ", ".join(built)
        print(f"  one doc page's {written} facts written again: {seconds:6.2f} s ({what})")
    baseline, built = timed(db, full=True)
    print(f"  everything built (baseline):          {baseline:6.2f} s ({', '.join(built)})")
    print(f"one page changed / everything: {min(changed) / baseline:.3f} (best of {args.runs})")


if __name__ == "__main__":
    main()
