"""Crash safety: `fetch` and `extract` killed with SIGKILL at many points, each followed
by a plain re-run; prints how many runs were killed, passed PRAGMA integrity_check and
equal an uninterrupted build row for row, and the time a re-run took next to a clean run.

    .venv/bin/python benchmarks/crash_safety.py [POINTS_PER_STEP]

Reads three models and the catalog from ../shared/corpus (the same set as
tests/test_crash_safety.py, which runs 24 points)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import crash_harness as harness  # noqa: E402

CORPUS = (REPO.parent / "shared" / "corpus").resolve()
MODELS = [("BERT", "1810.04805", "bert"), ("RoBERTa", "1907.11692", "roberta"),
          ("DistilBERT", "1910.01108", "distilbert")]  # fmt: skip


def main(per_step: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="kbuild-crash-"))
    sources = work / "sources.toml"
    lines = [
        f'[arxiv]\nlocation = "{CORPUS / "arxiv" / "papers.jsonl"}"',
        f'[hf_docs]\nlocation = "{CORPUS / "hf_docs"}"',
        f'[pdf]\nlocation = "{CORPUS / "pdfs"}"',
        f'[tables.catalog]\nlocation = "{CORPUS / "catalog" / "transformer_catalog.csv"}"',
    ]
    lines += [f'[[models]]\nname = "{n}"\narxiv = "{a}"\nhf_doc = "{s}"' for n, a, s in MODELS]
    sources.write_text("\n".join(lines) + "\n")
    fetched = work / "fetched.db"
    start = time.perf_counter()
    fetch_total, fetch_sql = harness.count_writes("fetch", sources, fetched)
    fetch_time = time.perf_counter() - start
    complete = work / "complete.db"
    shutil.copy(fetched, complete)
    start = time.perf_counter()
    extract_total, extract_sql = harness.count_writes("extract", sources, complete)
    extract_time = time.perf_counter() - start
    reference = harness.snapshot(complete)
    points = [("fetch", n) for n in harness.crash_points(fetch_total, per_step)]
    points += [("extract", n) for n in harness.crash_points(extract_total, per_step)]
    points += [
        ("fetch", harness.first_write(fetch_sql, r'insert\s+(or \w+\s+)?into\s+["\[]?pages')),
        ("extract", harness.first_write(extract_sql, r'insert\s+(or \w+\s+)?into\s+["\[]?facts')),
    ]
    start = time.perf_counter()
    results = [
        harness.trial(step, n, sources, work, fetched if step == "extract" else None, reference)
        for step, n in points
    ]
    elapsed = time.perf_counter() - start
    shutil.rmtree(work)
    print(f"clean run: fetch {fetch_time:.2f} s ({fetch_total} writes), "
          f"extract {extract_time:.2f} s ({extract_total} writes)")  # fmt: skip
    print(f"kill points: {len(results)} ({sum(r['step'] == 'fetch' for r in results)} in fetch)")
    print(f"killed by SIGKILL: {sum(r['killed'] for r in results)}")
    print(f"integrity_check ok: {sum(r['integrity'] == 'ok' for r in results)}")
    print(f"equal to the uninterrupted build, row for row: {sum(r['equal'] for r in results)}")
    print(
        f"time per trial (kill + re-run): {elapsed / len(results):.2f} s, "
        f"x{elapsed / len(results) / (fetch_time + extract_time):.1f} a clean build"
    )
    for r in results:
        if not (r["killed"] and r["integrity"] == "ok" and r["equal"]):
            print("FAILED", r)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
