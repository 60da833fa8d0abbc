"""What a second `fetch` and a second `extract` with nothing changed cost against the
first ones, whole process.

    .venv/bin/python benchmarks/rerun.py [--sources corpus.sources.toml] [--runs 7]

A first `fetch -q` into a new database and a first `extract -q`, then `--runs` more of
each (nothing changed), and as the bare baseline `kbuild --help` (Python starting and
loading the command line: the floor of any run). Prints the first runs, the re-runs'
median and range, their ratio to the first, and the same ratio with the floor taken off
both. With a generated corpus (`generate_corpus.py OUTDIR N`), pass its
`OUTDIR/sources.toml`.

Bytecode caching is on for the runs, as on a user's machine (an installed package has
its .pyc files); PYTHONDONTWRITEBYTECODE, set on some CI machines, would make every run
compile kbuild's modules again."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KBUILD = [sys.executable, "-m", "kbuild"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(args: list[str]) -> float:
    """Wall seconds of one whole process (it must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(args, cwd=REPO, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(args[2:])} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", default=str(REPO / "corpus.sources.toml"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sources = Path(args.sources).resolve()
    # the bytecode caches written once, before anything is timed
    timed([sys.executable, "-c", "import kbuild.cli, kbuild.fetch.runner, kbuild.extract.runner"])
    with tempfile.TemporaryDirectory(prefix="kbuild-rerun-") as tmp:
        base = [*KBUILD, "--sources", str(sources), "--db", str(Path(tmp) / "kb.db")]
        steps = {"fetch": [*base, "fetch", "-q"], "extract": [*base, "extract", "-q"]}
        first = {name: timed(command) for name, command in steps.items()}
        again: dict[str, list[float]] = {name: [] for name in steps}
        floor = []
        for _ in range(args.runs):  # interleaved: the machine's drift hits each alike
            for name, command in steps.items():
                again[name].append(timed(command))
            floor.append(timed([*KBUILD, "--help"]))
    bare = statistics.median(floor)
    print(f"sources: {sources}")
    print(f"bare `kbuild --help`: {bare:.2f} s (median of {args.runs}; the floor of any run)")
    for name in steps:
        median = statistics.median(again[name])
        print(
            f"{name:8} first {first[name]:6.2f} s, again {median:5.2f} s "
            f"({min(again[name]):.2f}–{max(again[name]):.2f}): ratio {median / first[name]:.3f}"
            f", without the floor {(median - bare) / (first[name] - bare):.3f}"
        )


if __name__ == "__main__":
    main()
