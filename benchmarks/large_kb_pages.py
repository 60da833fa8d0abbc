"""p50/p95 of the pages and queries a reader uses, on a large (SYNTHETIC) knowledge base,
through the Datasette app `kbuild serve` runs (its own client, no network), next to a
bare page of the same database in the same run (`/models?_size=1`).

    .venv/bin/python benchmarks/generate_kb.py /tmp/kb1m.db       # ≥ 1 M facts
    .venv/bin/python benchmarks/large_kb_pages.py /tmp/kb1m.db [--models 20]

Per page: --models random models (a model's pages) or 5 runs (the lists); the goal is
p95 < 100 ms at ≥ 1 M facts.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

import sqlite_utils
import yaml
from datasette.app import Datasette

from kbuild.publish import metadata


async def timed(ds: Datasette, paths: list[str]) -> tuple[list[float], int]:
    """Seconds per request, and how many failed (over Datasette's time limit)."""
    times, failed = [], 0
    for path in paths:
        start = time.perf_counter()
        response = await ds.client.get(path)
        times.append(time.perf_counter() - start)
        failed += response.status_code != 200
    return times, failed


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def main(db_path: Path, n: int) -> None:
    meta_path = metadata.write(db_path)  # this kbuild's metadata, not an older file's
    meta = yaml.safe_load(Path(meta_path).read_text())
    ds = Datasette(immutables=[str(db_path)], metadata=meta, settings=metadata.SETTINGS)
    start = time.perf_counter()
    await ds.invoke_startup()
    startup = time.perf_counter() - start
    name = db_path.stem
    db = sqlite_utils.Database(db_path)
    random.seed(14)
    ids = [r["id"] for r in db.query("select id from models")]
    models = random.sample(ids, min(n, len(ids)))
    names = [db["models"].get(m)["name"] for m in models]
    post = next(iter(db.query("select post_key, post from claims limit 1")), None)
    pages: dict[str, list[str]] = {
        "baseline: /models?_size=1": [f"/{name}/models?_size=1"] * 5,
        "card row (cards?model_id=)": [f"/{name}/cards?model_id={m}" for m in models],
        "model_card query": [f"/{name}/model_card?model={m}" for m in names],
        "model page": [f"/model/{m}" for m in models],
        "conflicts of a model": [f"/{name}/conflicts?model_id={m}" for m in models],
        "cards, first page": [f"/{name}/cards"] * 5,
        "field_across_models (lab)": [f"/{name}/field_across_models?field=lab"] * 5,
        "timeline": [f"/{name}/timeline"] * 5,
        "conflicts_side_by_side": [f"/{name}/conflicts_side_by_side"] * 5,
        # the same lists as JSON (1,000 rows each): what a program reads, no HTML to render
        "field_across_models .json": [f"/{name}/field_across_models.json?field=lab"] * 5,
        "timeline .json": [f"/{name}/timeline.json"] * 5,
        "conflicts_side_by_side .json": [f"/{name}/conflicts_side_by_side.json"] * 5,
        "cards, first page .json": [f"/{name}/cards.json"] * 5,
        "search, a model's name": [f"/search?q={quote(n)}" for n in names],
        "search, part of a name": [f"/search?q={quote(n[1:5])}" for n in names],
        "explore": ["/explore"] * 5,
        "explore .json": ["/explore.json"] * 5,
        "explore, a lab, by size": ["/explore?lab=google&sort=largest&desc=1"] * 5,
        "explore, 2020-2021, decoders": [
            "/explore?year_from=2020&year_to=2021&architecture=decoder-only"
        ]
        * 5,
        "explore, third page": ["/explore?offset=2000"] * 5,
        "explore .json, disagreements": ["/explore.json?disagreements=1&sort=name"] * 5,
    }
    if post:
        pages["post report"] = [f"/post/{post['post_key']}"] * 5
        pages["post_findings"] = [f"/{name}/post_findings?post={post['post']}"] * 5
    facts = db.execute("select count(*) from facts").fetchone()[0]
    print(f"{db_path}: {len(ids):,} models, {facts:,} facts; startup {startup * 1000:.0f} ms")
    baseline = None
    for label, paths in pages.items():
        await timed(ds, paths[:1])  # warm the page cache
        times, failed = await timed(ds, paths)
        baseline = baseline or statistics.median(times)
        print(
            f"{label:32} p50 {statistics.median(times) * 1000:8.1f} ms  "
            f"p95 {p95(times) * 1000:8.1f} ms  x{statistics.median(times) / baseline:7.1f}"
            f"{'' if p95(times) < 0.1 else '   over 100 ms'}"
            f"{f'   {failed} of {len(paths)} failed (time limit)' if failed else ''}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--models", type=int, default=20)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.db, args.models)))
