"""Draw a seeded random sample of `kbuild check`'s claims on real posts, for judging by
hand against the posts and the models' primary sources (tests/gold/audit/).

    python benchmarks/check_sample.py [--db db/kb.db] [--seed 20] [--prose 30] [--cards 10]
        OUT.tsv POST...

``--prose`` claims of sentences and tables and ``--cards`` claims of card blocks, drawn
apart (a catalog post has hundreds of cards). Every `contradicted` verdict is in the
sample too (a false alarm costs most). The sample
shows the claim and its verdict, not the explanation; the judge fills in the last
columns (is_claim, model_right, verdict_right, note)."""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

from click.testing import CliRunner

from kbuild.cli import cli

COLUMNS = ["id", "post", "line", "field", "value", "model", "verdict", "why_drawn",
           "is_claim", "model_right", "verdict_right", "note"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="db/kb.db")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--prose", type=int, default=30)
    parser.add_argument("--cards", type=int, default=10)
    parser.add_argument("out")
    parser.add_argument("posts", nargs="+")
    args = parser.parse_args()
    claims = []
    for post in args.posts:
        result = CliRunner().invoke(cli, ["--db", args.db, "check", post, "--format", "json"])
        assert result.exit_code == 0, result.output
        for r in json.loads(result.output):
            claims.append({**r, "post": Path(post).name})
    rng = random.Random(args.seed)
    drawn = []
    for kind, n in (("prose", args.prose), ("card", args.cards)):
        pool = [r for r in claims if r["kind"] == kind]
        drawn += rng.sample(pool, min(n, len(pool)))
    for r in drawn:
        r["why_drawn"] = "random"
    for r in claims:
        if r["verdict"] == "contradicted" and r not in drawn:
            drawn.append({**r, "why_drawn": "every contradicted"})
    drawn.sort(key=lambda r: (r["post"], r["line"]))
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter="\t")
        out.writerow(COLUMNS)
        for n, r in enumerate(drawn, 1):
            out.writerow([n, r["post"], r["line"], r["field"], " ".join(r["text"].split()),
                          r["model"], r["verdict"], r["why_drawn"], "", "", "", ""])  # fmt: skip
    print(f"{len(drawn)} claims of {len(claims)} written to {args.out}")


if __name__ == "__main__":
    main()
