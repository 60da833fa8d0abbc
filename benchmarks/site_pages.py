"""How long kbuild's pages take on a real knowledge base, next to a bare Datasette page
of the same database in the same run (the first row of `models`).

    .venv/bin/python benchmarks/site_pages.py [db/kb.db]

Builds nothing: point it at a database `kbuild fetch && kbuild extract` (and ideally a
`kbuild check`) made. Prints, per page, the median of 5 requests through Datasette's own
client (no network), its size, and its ratio to the baseline.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

import sqlite_utils
import yaml
from datasette.app import Datasette

from kbuild.publish.metadata import SETTINGS


async def timed(ds: Datasette, path: str, runs: int = 5) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response = await ds.client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.content)
    return statistics.median(times), size


async def main(db_path: Path) -> None:
    meta_path = db_path.parent / "metadata.yml"
    meta = yaml.safe_load(meta_path.read_text()) if meta_path.exists() else {}
    ds = Datasette(immutables=[str(db_path)], metadata=meta, settings=SETTINGS)
    start = time.perf_counter()
    await ds.invoke_startup()
    startup = time.perf_counter() - start
    name = db_path.stem
    db = sqlite_utils.Database(db_path)
    post = next(iter(db.query("select post_key from claims limit 1")), None)
    pages = {
        "baseline: /models?_size=1": f"/{name}/models?_size=1",
        "home": "/",
        "search llama": "/search?q=llama",
        "model page: BERT": "/model/bert",
        "model page: LLaMA": "/model/llama",
        "cards, 100 rows (readable cells, fact links)": f"/{name}/cards",
        "model_card query ('OpenAI GPT')": f"/{name}/model_card?model=OpenAI+GPT",
        "chart: params (first, then cached)": "/charts/params.svg",
        "chart: timeline": "/charts/timeline.svg",
    }
    if post:
        pages["post report"] = f"/post/{post['post_key']}"
    first, _ = await timed(ds, "/charts/params.svg", runs=1)
    print(f"{db_path}: {db['models'].count} models, {db['facts'].count} facts")
    print(f"startup (names loaded): {startup * 1000:.0f} ms; first params chart {first:.2f} s")
    baseline = None
    for label, path in pages.items():
        seconds, size = await timed(ds, path)
        baseline = baseline or seconds
        print(
            f"{label:48} {seconds * 1000:8.1f} ms  {size / 1024:8.1f} KB  "
            f"x{seconds / baseline:6.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "db/kb.db")))
