"""How kbuild scales with the number of models, on SYNTHETIC corpora built from the
shared one (benchmarks/generate_corpus.py): whole-process wall time and peak memory of
a first `fetch`, a second (nothing changed), `extract --full`, a second `extract`, and
`check` of a small post; the database size and the longest stored extraction context.

    .venv/bin/python benchmarks/scale.py [N ...]      (default: 500 2000)

The ratio line compares each step at the largest N with the smallest: linear is the
ratio of the sizes. Bytecode caching is on for the runs, as on a user's machine (see
rerun.py); "fetch again" is the median of three."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlite_utils

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from generate_corpus import generate  # noqa: E402

KBUILD = [sys.executable, "-m", "kbuild"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
POST = """# A short post (SYNTHETIC, for the scale benchmark)

## BERT Syn00000
\"\"\"
Family: BERT
Lab: Google
Num. Params: 340M
\"\"\"

BERT Syn00000 has 340M parameters.
"""


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one whole process."""
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds, kb = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024


def measure(n: int, work: Path) -> dict:
    folder = work / f"syn{n}"
    sources = generate(folder, n)
    db = folder / "kb.db"
    steps = {
        "fetch": [*KBUILD, "--sources", str(sources), "--db", str(db), "fetch", "-q"],
        "fetch again": [*KBUILD, "--sources", str(sources), "--db", str(db), "fetch", "-q"],
        "extract --full": [*KBUILD, "--db", str(db), "extract", "-q", "--full"],
        "extract again": [*KBUILD, "--db", str(db), "extract", "-q"],
    }
    found = {"models": n}
    for name, args in steps.items():
        if name == "fetch again":
            runs = [timed(args, folder) for _ in range(3)]
            found[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
        else:
            found[name] = timed(args, folder)
    (folder / "post.md").write_text(POST)
    found["check small post"] = timed(
        [*KBUILD, "--db", str(db), "check", str(folder / "post.md"), "--format", "json"], folder
    )
    kb = sqlite_utils.Database(db)
    found["facts"] = kb["facts"].count
    found["db MB"] = db.stat().st_size / 1e6
    found["longest context"] = kb.execute(
        "select max(length(context)) from extractions"
    ).fetchone()[0]
    return found


def main(sizes: list[int]) -> None:
    # the bytecode caches written once, before anything is timed
    subprocess.run([*KBUILD, "--help"], env=ENV, capture_output=True, check=True)
    subprocess.run(
        [sys.executable, "-c", "import kbuild.fetch.runner, kbuild.extract.runner, kbuild.check"],
        env=ENV,
        check=True,
    )
    with tempfile.TemporaryDirectory(prefix="kbuild-scale-") as tmp:
        results = [measure(n, Path(tmp)) for n in sizes]
    steps = ["fetch", "fetch again", "extract --full", "extract again", "check small post"]
    print("SYNTHETIC corpora from ../shared/corpus (benchmarks/generate_corpus.py)")
    print(
        f"{'models':>8} {'facts':>8} " + " ".join(f"{s:>22}" for s in steps) + "   db MB  context"
    )
    for r in results:
        cells = " ".join(f"{r[s][0]:>9.2f} s {r[s][1]:>7.0f} MB" for s in steps)
        print(
            f"{r['models']:>8} {r['facts']:>8} {cells} {r['db MB']:>7.1f} {r['longest context']:>7}"
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = large["models"] / small["models"]
        times = ", ".join(f"{s} x{large[s][0] / small[s][0]:.2f}" for s in steps)
        print(f"{ratio:g}x the models: {times}")
    for r in results:
        print(
            f"{r['models']} models: second fetch / first "
            f"{r['fetch again'][0] / r['fetch'][0]:.3f}; second extract / first "
            f"{r['extract again'][0] / r['extract --full'][0]:.3f}"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 2000])
