"""`kbuild check --format json` of long SYNTHETIC posts (benchmarks/long_post.py's, made
from the knowledge base's own cards) against bare baselines: CPU time and peak memory of
whole processes, this code's and, with ``--before REV``, an earlier commit's (a git
worktree), interleaved, the median of ``--runs``.

    .venv/bin/python benchmarks/check_limit.py [--db db/kb.db] [--sizes 400 5000]
        [--before REV] [--runs 3]

Baselines (printed with the figures), plain Python in a process of its own:
- "read + split": read the post and cut it into sentences with one regular expression;
- "read + pysbd": read it and give each paragraph to pysbd (the splitter kbuild uses,
  as it comes from PyPI).
`check` stops at 10,000 claims (a post past that is a table dump); "uncapped" raises the
cap, to show the cost per byte of a post that long.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlite_utils

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from long_post import build_post, load_models  # noqa: E402
from write_limit import ENV, timed, worktree  # noqa: E402

SPLIT = """
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
sentences = re.split(r"(?<=[.!?])\\s+", text)
"""
PYSBD = """
import re, sys, pysbd
text = open(sys.argv[1], encoding="utf-8").read()
segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
sentences = [s for p in re.split(r"\\n\\s*\\n", text) if p.strip() for s in segmenter.segment(p)]
"""
UNCAPPED = """
import sys
import kbuild.check.runner
kbuild.check.runner.MAX_CLAIMS = 10**9
from kbuild.cli import cli
sys.argv[0] = "kbuild"
cli()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="db/kb.db")
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 5000], help="KB")
    parser.add_argument("--before", help="a commit to compare with (run from a git worktree)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("baseline read + split:" + SPLIT + "baseline read + pysbd:" + PYSBD)
    models = load_models(sqlite_utils.Database(args.db))
    with tempfile.TemporaryDirectory(prefix="kbuild-check-") as tmp:
        work = Path(tmp)
        variants = {}
        if args.before:
            variants[f"before ({args.before})"] = {
                **ENV,
                "PYTHONPATH": str(worktree(args.before, work)),
            }
        variants["now"] = ENV
        try:
            for size in args.sizes:
                post = work / f"post{size}.md"
                post.write_text(build_post(models, size), encoding="utf-8")
                runs: dict[str, list] = {}
                for _ in range(args.runs):
                    for name, code in (("read + split", SPLIT), ("read + pysbd", PYSBD)):
                        runs.setdefault(name, []).append(
                            timed([sys.executable, "-c", code, str(post)], ENV, work)
                        )
                    for name, env in variants.items():
                        for capped in (True, False):
                            # each variant checks its own copy (claims are stored)
                            db = work / f"{name.split()[0]}.db"
                            if not db.exists():
                                db.write_bytes(Path(args.db).read_bytes())
                            entry = [sys.executable, "-m", "kbuild"] if capped else [
                                sys.executable, "-c", UNCAPPED]  # fmt: skip
                            label = f"{name}{'' if capped else ', uncapped'}"
                            runs.setdefault(label, []).append(
                                timed(
                                    [*entry, "--db", str(db), "check", str(post), "--format",
                                     "json"],
                                    env,
                                    work,
                                )
                            )  # fmt: skip
                report(size, post, runs)
        finally:
            subprocess.run(["git", "worktree", "prune"], cwd=REPO, capture_output=True)


def report(size: int, post: Path, runs: dict) -> None:
    split = statistics.median(c for c, _ in runs["read + split"])
    pysbd = statistics.median(c for c, _ in runs["read + pysbd"])
    print(f"\n{size} KB post ({post.stat().st_size:,} bytes); median of {len(runs['now'])} runs")
    print(f"{'':>26} {'CPU s':>8} {'/ split':>8} {'/ pysbd':>8} {'peak MiB':>9}")
    for name, figures in runs.items():
        cpu = statistics.median(c for c, _ in figures)
        peak = max(m for _, m in figures)
        print(f"{name:>26} {cpu:>8.2f} {cpu / split:>7.1f}x {cpu / pysbd:>7.2f}x {peak:>9.0f}")


if __name__ == "__main__":
    if os.environ.get("PYTHONPATH"):
        sys.exit("run without PYTHONPATH: the variants set it themselves")
    main()
