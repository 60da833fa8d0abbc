"""Build the knowledge base from ../shared/corpus and print time, memory and counts."""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from kbuild.cli import cli

REPO = Path(__file__).resolve().parents[1]


def step(runner: CliRunner, base: list[str], *args: str) -> float:
    start = time.perf_counter()
    result = runner.invoke(cli, [*base, *args], catch_exceptions=False)
    if result.exit_code != 0:
        sys.exit(f"{args} failed: {result.output}")
    return time.perf_counter() - start


def main() -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "kb.db"
        base = ["--sources", str(REPO / "corpus.sources.toml"), "--db", str(db_path)]
        timings = {
            "fetch (first run)": step(runner, base, "fetch", "-q"),
            "fetch (again, nothing new)": step(runner, base, "fetch", "-q"),
            "extract (first run)": step(runner, base, "extract", "-q"),
            "extract (again, nothing changed)": step(runner, base, "extract", "-q"),
            "extract --full": step(runner, base, "extract", "-q", "--full"),
            "check (test post)": step(
                runner,
                base,
                "check",
                str(REPO / "tests/posts/evolution_of_llms.md"),
                "--format",
                "json",
            ),
        }
        import sqlite_utils

        db = sqlite_utils.Database(db_path)
        counts = {
            t: db[t].count for t in ("documents", "models", "papers", "pages", "facts", "claims")
        }
        counts["conflicts"] = db.execute("select count(*) from conflicts").fetchone()[0]
        size = db_path.stat().st_size
    for name, seconds in timings.items():
        print(f"{name:34s} {seconds:6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory (this process)':34s} {peak:6.0f} MB")
    print(f"{'database size':34s} {size / 1e6:6.1f} MB")
    for table, n in counts.items():
        print(f"rows in {table:26s} {n:6d}")


if __name__ == "__main__":
    main()
