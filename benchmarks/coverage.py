"""What the cards hold and where it comes from: cards with each field, cards whose licence
comes from a primary document, facts per source kind, and the share of `unverified`
verdicts when `kbuild check` reads each post of tests/posts (and ../shared/posts).

    python benchmarks/coverage.py [--db db/kb.db] [--json FILE]

The knowledge base must be built first (the README's quick start); the posts' claims are
written into that database, as `kbuild check` does.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kbuild.cli import cli  # noqa: E402
from kbuild.trust import FIRST_TABLE_RANK  # noqa: E402

POSTS = [
    *sorted((REPO / "tests" / "posts").glob("*.md")),
    *sorted((REPO.parent / "shared" / "posts" / "hf_blog").glob("*.md")),
]
CATALOG = REPO.parent / "shared" / "corpus" / "catalog" / "transformer_catalog.csv"
FIELDS = ("architecture", "task", "license", "params", "date", "lab", "corpus")


def cards(db: sqlite3.Connection) -> dict:
    """Cards, cards with each field, and cards whose licence a primary source gives."""
    total = db.execute("select count(distinct model_id) from card_values").fetchone()[0]
    with_field = dict(
        db.execute(
            "select field, count(distinct model_id) from card_values "
            "where normalized is not null or value is not null group by field"
        ).fetchall()
    )
    # a card's licence is primary when one of the facts behind it comes from a source
    # ranked above the tables (a paper, a doc page, a repository, the Hub)
    primary_licence = db.execute(
        """
        select count(distinct cv.model_id) from card_values cv
        join facts f on f.model_id = cv.model_id and f.field = 'license'
          and f.normalized = cv.normalized
        join documents d on d.id = f.document_id
        join source_trust t on t.field = 'license' and t.source = d.source
        where cv.field = 'license' and t.rank < ?
        """,
        [FIRST_TABLE_RANK],
    ).fetchone()[0]
    models = db.execute("select count(*) from models").fetchone()[0]
    return {
        "models": models,
        "cards": total,
        **{f"with_{f}": with_field.get(f, 0) for f in FIELDS},
        "licence_from_primary": primary_licence,
    }


def facts_per_source(db: sqlite3.Connection) -> dict[str, int]:
    """Facts per source kind (the `source` of the document each fact comes from)."""
    return dict(
        db.execute(
            "select d.source, count(*) from facts f join documents d on d.id = f.document_id "
            "group by d.source order by 2 desc"
        ).fetchall()
    )


def catalog_post(folder: Path) -> Path:
    """Every row of the Transformer catalog written as a card (the "catalog post": cards
    copied from the catalog, as writers copy them)."""
    import csv

    lines = ["# The Transformer catalog, as cards", ""]
    with CATALOG.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lines += [f"## {row['Name']}", "", '"""']
            lines += [
                f"{key}: {' '.join(value.split())}"
                for key, value in row.items()
                if key != "Name" and value and value.strip()
            ]
            lines += ['"""', ""]
    post = folder / "catalog_cards.md"
    post.write_text("\n".join(lines), encoding="utf-8")
    return post


def unverified(db_path: str) -> dict[str, dict]:
    """Per post (and the catalog post): claims judged, and how many `unverified`."""
    import tempfile

    result = {}
    posts = list(POSTS)
    if CATALOG.exists():
        posts.append(catalog_post(Path(tempfile.mkdtemp())))
    for post in posts:
        if not post.exists():
            continue
        answer = CliRunner().invoke(cli, ["--db", db_path, "check", "--format", "json", str(post)])
        if answer.exit_code != 0:
            result[post.name] = {"error": answer.output[-300:]}
            continue
        claims = json.loads(answer.stdout[answer.stdout.index("[") :])
        verdicts = Counter(c["verdict"] for c in claims)
        judged = sum(verdicts.values())
        result[post.name] = {
            "claims": judged,
            "unverified": verdicts["unverified"],
            "share": round(verdicts["unverified"] / judged, 3) if judged else None,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(REPO / "db" / "kb.db"))
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--no-posts", action="store_true", help="skip the posts (faster)")
    args = parser.parse_args()
    db = sqlite3.connect(args.db)
    figures = {"cards": cards(db), "facts_per_source": facts_per_source(db)}
    db.close()
    if not args.no_posts:
        figures["unverified"] = unverified(args.db)
    for section, values in figures.items():
        print(f"## {section}")
        for key, value in values.items():
            print(f"  {key:32} {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
