"""`extract --full` against the irreducible work, on a SYNTHETIC corpus
(benchmarks/generate_corpus.py): CPU time and peak memory of whole processes, this
code's and, with ``--before REV``, the code of an earlier commit (a git worktree), next
to a bare baseline run in the same session.

    .venv/bin/python benchmarks/write_limit.py [--models 2000 ...] [--before REV] [--runs 3]

The baseline (BASELINE below, printed with the figures) is a few lines of plain Python:
read every document's body, run one regular expression over it, and `insert_all` the
facts the extraction wrote into a fresh table. The ratio is whole-process CPU time
(user + system) over the baseline's; memory is the process's peak (``/usr/bin/time``).
The runs are interleaved (baseline, before, now) and the median of ``--runs`` kept;
also printed, each round's ratio to the baseline run beside it, and their median.
Also printed: the database's bytes per fact, and the facts' own bytes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlite_utils

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from generate_corpus import generate  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}

BASELINE = """
import re, sys, sqlite_utils
kb = sqlite_utils.Database(sys.argv[1])
facts = list(kb.query("select * from facts"))
out = sqlite_utils.Database(sys.argv[2])
pattern = re.compile(r"(\\d+(?:\\.\\d+)?)\\s*([MBT])\\b|\\b(19|20)\\d\\d\\b")
found = 0
for (body,) in kb.execute("select body from documents"):
    found += len(pattern.findall(body or ""))
out["facts"].insert_all(facts, batch_size=1000)
"""


def timed(args: list[str], env: dict, cwd: Path) -> tuple[float, float]:
    """(CPU seconds, peak MiB) of one whole process, run from ``cwd`` (not this
    checkout: ``python -m kbuild`` would import the kbuild in the current folder
    before the one PYTHONPATH names)."""
    before = os.times()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *args], env=env, capture_output=True, text=True, cwd=cwd
    )
    after = os.times()
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return cpu, int(done.stderr.strip().splitlines()[-1]) / 1024


def fact_bytes(kb: sqlite_utils.Database) -> tuple[int, int, int, int]:
    """(facts, bytes of the facts' table, indexes and full-text index, bytes of the
    values themselves, bytes of the whole database), from SQLite's dbstat."""
    pages = dict(kb.execute("select name, sum(pgsize) from dbstat group by name").fetchall())
    indexes = [r[0] for r in kb.execute("select name from sqlite_master where tbl_name = 'facts'")]
    stored = sum(pages.get(n, 0) for n in pages if n in indexes or n.startswith("facts_fts"))
    raw = kb.execute(
        "select sum(length(id) + length(model_id) + length(field) + length(value) + "
        "coalesce(length(normalized), 0) + coalesce(length(quote), 0) + length(locator) + "
        "length(extractor) + coalesce(length(url), 0)) from facts"
    ).fetchone()[0]
    return kb["facts"].count, stored, raw, sum(pages.values())


def worktree(rev: str, where: Path) -> Path:
    path = where / f"kbuild-{rev}"
    if path.exists():  # (made for an earlier size of the same run)
        return path
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-f", str(path), rev],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return path


def measure(models: int, before: str | None, runs: int, work: Path) -> None:
    sources = generate(work / f"syn{models}", models)
    fetched = work / f"fetched{models}.db"
    subprocess.run(
        [sys.executable, "-m", "kbuild", "--sources", str(sources), "--db", str(fetched), "fetch",
         "-q"],
        env=ENV, check=True,
    )  # fmt: skip
    variants = {}
    if before:
        tree = worktree(before, work)
        variants[f"before ({before})"] = {**ENV, "PYTHONPATH": str(tree)}
    variants["now"] = ENV
    figures: dict[str, list[tuple[float, float]]] = {"baseline": []}
    sizes = {}
    for name, env in variants.items():
        db = work / f"{name.split()[0]}{models}.db"
        shutil.copy(fetched, db)
        extract = [sys.executable, "-m", "kbuild", "--db", str(db), "extract", "-q"]
        subprocess.run(extract, env=env, check=True, cwd=work)  # the first build, not timed
        figures[name] = []
        variants[name] = (env, extract + ["--full"], db)
    for _ in range(runs):
        out = work / "baseline.db"
        out.unlink(missing_ok=True)
        db = next(iter(variants.values()))[2]
        figures["baseline"].append(
            timed([sys.executable, "-c", BASELINE, str(db), str(out)], ENV, work)
        )
        for name, (env, args, _) in variants.items():
            figures[name].append(timed(args, env, work))
    for name, (_, _, db) in variants.items():
        sizes[name] = fact_bytes(sqlite_utils.Database(db))
    base = statistics.median(c for c, _ in figures["baseline"])
    print(f"\n{models} SYNTHETIC models; median of {runs} runs, interleaved")
    print(
        f"{'':>22} {'CPU s':>8} {'ratio':>7} {'peak MiB':>9}  facts   bytes a fact: "
        "table + its indexes + full-text index (the values' own bytes); whole database"
    )
    for name, runs_ in figures.items():
        cpu = statistics.median(c for c, _ in runs_)
        peak = max(m for _, m in runs_)
        line = f"{name:>22} {cpu:>8.2f} {cpu / base:>6.2f}x {peak:>9.0f}"
        if name in sizes:
            facts, stored, raw, whole = sizes[name]
            line += f"  {facts}  {stored / facts:.0f} ({raw / facts:.0f}); {whole / facts:.0f}"
        print(line)
    # the machine's speed drifts within minutes: each round's ratio (its own baseline run
    # beside it) is steadier than the ratio of the medians
    for name, runs_ in figures.items():
        if name != "baseline":
            each = [c / b for (c, _), (b, _) in zip(runs_, figures["baseline"], strict=True)]
            rounds = ", ".join(f"{r:.2f}" for r in each)
            print(f"{name:>22} per round: {rounds}; median {statistics.median(each):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, nargs="+", default=[2000])
    parser.add_argument("--before", help="a commit to compare with (run from a git worktree)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("baseline (plain Python, the irreducible work):" + BASELINE)
    with tempfile.TemporaryDirectory(prefix="kbuild-writes-") as tmp:
        try:
            for n in args.models:
                measure(n, args.before, args.runs, Path(tmp))
        finally:
            subprocess.run(["git", "worktree", "prune"], cwd=REPO, capture_output=True)


if __name__ == "__main__":
    main()
