"""`extract --full` on a Dask cluster against a local run, on a SYNTHETIC corpus
(benchmarks/generate_corpus.py): wall time with 1 and 2 workers (and the process pool),
and whether the facts equal the local run's row for row.

    .venv/bin/python benchmarks/cluster.py [--models 2000] [--workers 1 2]

The cluster is Dask's own (`distributed.LocalCluster`, one thread per worker process),
started once before the runs, as a real cluster would be running already; the scheduler
and the workers share this machine's cores with the process that writes the facts.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from generate_corpus import generate  # noqa: E402


def facts(db) -> list[tuple]:
    return db.execute("select * from facts order by rowid").fetchall()


def main() -> None:
    import distributed

    from kbuild.extract import runner
    from kbuild.store import open_db

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbuild-cluster-") as tmp:
        sources = generate(Path(tmp) / "syn", args.models)
        path = Path(tmp) / "kb.db"
        subprocess.run(
            [sys.executable, "-m", "kbuild", "--sources", str(sources), "--db", str(path),
             "fetch", "-q"],
            check=True,
        )  # fmt: skip
        db = open_db(path)
        runner.run(db)  # the first build, not timed
        started = time.perf_counter()
        report = runner.run(db, full=True)
        local = time.perf_counter() - started
        alone = facts(db)
        print(f"{args.models} SYNTHETIC models, {report.extracted} documents, {len(alone)} facts")
        print(f"{'local (this process)':>28} {local:>7.1f} s")
        runs = [("processes", n, None) for n in args.workers if n > 1]
        runs += [("dask", n, None) for n in args.workers]
        for kind, n, _ in runs:
            cluster = None
            spec = "processes"
            if kind == "dask":
                cluster = distributed.LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
                spec = f"dask://{cluster.scheduler_address}"
            copy = Path(tmp) / f"{kind}{n}.db"
            shutil.copy(path, copy)
            other = open_db(copy)
            started = time.perf_counter()
            report = runner.run(other, full=True, executor=spec, jobs=n)
            took = time.perf_counter() - started
            same = facts(other) == alone
            other.close()
            copy.unlink()
            if cluster is not None:
                cluster.close()
            label = f"{kind}, {n} worker{'s' if n > 1 else ''}"
            print(
                f"{label:>28} {took:>7.1f} s  speed-up {local / took:.2f}x  "
                f"facts equal to the local run's: {same}  failures: {len(report.failures)}"
            )
        print(f"(machine: {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
