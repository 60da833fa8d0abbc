"""`kbuild check` on posts of a hostile shape: many list items, a long table, one wall of
text without blank lines, a 40,000-letter word. Time and peak memory of the whole
command (a subprocess each), against a bare baseline in the same run: a Python process
that reads the post and splits it into lines and sentences with one regex.

SYNTHETIC data: each post repeats one short line of our own.

    .venv/bin/python benchmarks/post_shapes.py --db db/kb.db [--lines 100000]

Prints, per shape: the post's size, seconds and peak MB for check and for the
baseline, and their ratios. Both grow linearly with --lines (run it at 10,000 and
100,000 to see).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHAPES = {
    "list items": lambda n: "# A post\n" + "- x\n" * n,
    "table rows": lambda n: "# A post\n| Model | Params |\n|---|---|\n" + "| BERT | 340M |\n" * n,
    "one paragraph": lambda n: "# A post\n" + "BERT has 340M parameters.\n" * n,
    "a 40,000-letter word": lambda n: "# A post\n\nBERT has " + "x" * 40_000 + " params.\n",
}
BASELINE = (
    "import re, sys\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "lines = text.split('\\n')\n"
    "sentences = re.findall(r'[^.!?\\n]+[.!?]?', text)\n"
    "print(len(lines), len(sentences))\n"
)


# Run a program and say at exit its own peak memory (VmHWM, KB): a child's ru_maxrss on
# Linux counts the parent it was forked from.
PEAK_SAID = """
import atexit, runpy, sys

def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print(line.split()[1], file=sys.stderr)

atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__") if sys.argv[0] == "kbuild" else exec(
    compile(open(sys.argv[0]).read(), sys.argv[0], "exec"), {"__name__": "__main__"}
)
"""


def measure(argv: list[str]) -> tuple[float, float]:
    """Seconds and peak MB of one Python process running ``argv`` (a module "kbuild" and
    its arguments, or a script file and its)."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_SAID, *argv],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed: {done.stderr[-500:]}")
    return time.monotonic() - start, int(done.stderr.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="db/kb.db")
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    kbuild = ["kbuild", "--db", args.db, "check"]
    print(f"{'shape':22} {'size':>9} {'check s':>8} {'MB':>6} {'bare s':>7} {'MB':>5} "
          f"{'time x':>7} {'MB x':>5}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for shape, make in SHAPES.items():
            post = Path(folder) / "post.md"
            post.write_text(make(args.lines), encoding="utf-8")
            if post.stat().st_size > 20_000_000:
                print(f"{shape:22} over check's 20 MB cap at {args.lines:,} lines: not run")
                continue
            bare = Path(folder) / "bare.py"
            bare.write_text(BASELINE, encoding="utf-8")
            bare_s, bare_mb = measure([str(bare), str(post)])
            check_s, check_mb = measure([*kbuild, str(post)])
            print(
                f"{shape:22} {post.stat().st_size / 1e6:7.2f}MB {check_s:8.1f} {check_mb:6.0f} "
                f"{bare_s:7.2f} {bare_mb:5.0f} {check_s / bare_s:7.0f} {check_mb / bare_mb:5.1f}"
            )


if __name__ == "__main__":
    main()
