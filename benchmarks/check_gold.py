"""`kbuild check` against the gold of the dev posts (../shared/posts/hf_blog) and of the
posts in tests/posts: per post, gold claims, found %, value right %, verdict right %,
false `contradicted` and unsafe `supported`, each listed with -v.

    python benchmarks/check_gold.py [--db db/kb.db] [-v] [POST_STEM ...]

The knowledge base must be built first (the README's quick start).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kbuild.cli import cli  # noqa: E402
from tests.gold_score import GOLD, HEADER, read_gold, score  # noqa: E402

POSTS = {
    "hf_blog": REPO.parent / "shared" / "posts" / "hf_blog",
    "test_posts": REPO / "tests" / "posts",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(REPO / "db" / "kb.db"))
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--json", help="write every post's check output to this folder")
    parser.add_argument("only", nargs="*")
    args = parser.parse_args()
    db = sqlite3.connect(args.db)
    table = []
    totals = {"gold": 0, "found": 0, "value": 0, "verdict": 0, "fc": 0, "unsafe": 0}
    for group, folder in POSTS.items():
        for gold_file in sorted((GOLD / group).glob("*.claims.tsv")):
            stem = gold_file.name.removesuffix(".claims.tsv")
            if args.only and stem not in args.only:
                continue
            post = folder / f"{stem}.md"
            result = CliRunner().invoke(
                cli, ["--db", args.db, "check", str(post), "--format", "json"]
            )
            if result.exit_code != 0:
                print(f"{post}: {result.output} {result.exception!r}", file=sys.stderr)
                continue
            results = json.loads(result.output)
            if args.json:
                Path(args.json).mkdir(parents=True, exist_ok=True)
                Path(args.json, f"{stem}.json").write_text(result.output)
            claims, numbers = read_gold(GOLD / group / stem)
            s = score(stem, claims, numbers, results, db)
            table.append(s.row())
            totals["gold"] += s.gold
            totals["found"] += s.found
            totals["value"] += s.value_right
            totals["verdict"] += s.verdict_right
            totals["fc"] += len(s.false_contradicted)
            totals["unsafe"] += len(s.unsafe)
            if args.verbose:
                for title, items in (
                    ("false contradicted", s.false_contradicted),
                    ("unsafe", s.unsafe),
                    ("wrong model", s.wrong_model),
                    ("missed", s.missed),
                    ("spurious", s.spurious_list),
                ):
                    for item in items:
                        print(f"  {stem}: {title}: {item}")
    widths = [max(len(r[i]) for r in [HEADER, *table]) for i in range(len(HEADER))]
    for r in [HEADER, *table]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    t = totals
    print(
        f"all: {t['gold']} gold claims, found {100 * t['found'] / max(t['gold'], 1):.0f} %, "
        f"value right {100 * t['value'] / max(t['found'], 1):.0f} %, verdict right "
        f"{100 * t['verdict'] / max(t['value'], 1):.0f} %, {t['fc']} false contradicted, "
        f"{t['unsafe']} unsafe"
    )


if __name__ == "__main__":
    main()
