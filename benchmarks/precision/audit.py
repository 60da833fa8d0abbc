"""Draw the seeded random audit of a whole knowledge base: facts stratified by source
kind, the values shown on random in-scope cards, lineage edges and conflicts, each to be
judged by hand against the primary documents (../shared/corpus) and the model's own
paper, docs or repository — not against kbuild's quote alone.

    python benchmarks/precision/audit.py --db KB.db --out benchmarks/precision/audit_22 \
        [--seed 22] [--facts 120] [--cards 40] [--lineage 40] [--conflicts 20]
    python benchmarks/precision/audit.py --score benchmarks/precision/audit_22

Writes facts.tsv, cards.tsv, lineage.tsv and conflicts.tsv, each with empty `right`
(y/n; for conflicts: y when the two values really disagree about one model, n when they
are one value written two ways, two events, or two models merged) and `judgement`
columns. ``--score`` prints the share judged right per file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sqlite3
from pathlib import Path

FACTS = """
select f.id as fact_id, f.model_id, m.name as model, f.field, f.value, f.normalized,
  f.qualifier, d.source, coalesce(f.url, d.final_url, d.location) as url, f.quote
from facts f join documents d on d.id = f.document_id join models m on m.id = f.model_id
where f.id in (select id from evidence) and f.normalized is not null
order by f.id"""
CARDS = """
select c.model_id, m.name as model, v.field, v.value, v.normalized, e.source,
  e.url, e.quote, a.reason as suspect
from model_scope s join card_values v on v.model_id = s.model_id
join models m on m.id = s.model_id join cards c on c.model_id = s.model_id
left join evidence e on e.id = v.fact_id left join anomalies a on a.fact_id = v.fact_id
where s.in_scope and v.field in ({fields}) and c.model_id in ({models})
order by c.model_id, v.field"""
CARD_FIELDS = ("architecture", "task", "date", "params", "corpus", "license", "access", "lab")
LINEAGE = """
select l.model_id, m.name as model, l.kind, l.parent_id, p.name as parent, l.via,
  l.source, l.url, l.quote
from lineage l join models m on m.id = l.model_id join models p on p.id = l.parent_id
order by l.id"""
CONFLICTS = """
select c.model_id, m.name as model, c.field, c.severity, c.card_value, c.card_source,
  c.card_quote, c.other_value, c.other_source, c.other_quote, c.other_url
from conflicts c join models m on m.id = c.model_id
order by c.model_id, c.field, c.other_fact_id"""


def _rows(db: sqlite3.Connection, sql: str) -> list[dict]:
    db.row_factory = sqlite3.Row
    return [dict(r) for r in db.execute(sql)]


def _stratified(rows: list[dict], size: int, rng: random.Random) -> list[dict]:
    by_kind: dict[str, list[dict]] = {}
    for row in rows:
        by_kind.setdefault(row["source"], []).append(row)
    picked, left = [], size
    kinds = sorted(by_kind, key=lambda k: (len(by_kind[k]), k))
    for index, kind in enumerate(kinds):
        take = rng.sample(by_kind[kind], min(left // (len(kinds) - index), len(by_kind[kind])))
        picked += take
        left -= len(take)
    return sorted(picked, key=lambda r: (r["source"], r["model_id"], r["field"]))


def _write(path: Path, rows: list[dict]) -> None:
    if not rows:
        path.write_text("")
        return
    columns = [*rows[0], "right", "judgement"]
    with path.open("w", newline="") as handle:
        out = csv.DictWriter(handle, columns, delimiter="\t", lineterminator="\n")
        out.writeheader()
        for row in rows:
            flat = {k: " ".join(str(v).split()) if v is not None else "" for k, v in row.items()}
            out.writerow({**flat, "right": "", "judgement": ""})


def draw(db_path: str, out: Path, seed: int, sizes: dict[str, int]) -> dict[str, int]:
    """Write the four samples; returns how many rows each has."""
    db = sqlite3.connect(db_path)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    facts = _stratified(_rows(db, FACTS), sizes["facts"], rng)
    in_scope = [r[0] for r in db.execute("select model_id from model_scope where in_scope")]
    models = sorted(rng.sample(sorted(in_scope), min(sizes["cards"], len(in_scope))))
    cards = _rows(
        db,
        CARDS.format(
            fields=",".join(f"'{f}'" for f in CARD_FIELDS),
            models=",".join(json.dumps(m) for m in models),
        ),
    )
    lineage = _rows(db, LINEAGE)
    lineage = sorted(rng.sample(lineage, min(sizes["lineage"], len(lineage))),
                     key=lambda r: r["model_id"])  # fmt: skip
    conflicts = _rows(db, CONFLICTS)
    conflicts = sorted(rng.sample(conflicts, min(sizes["conflicts"], len(conflicts))),
                       key=lambda r: r["model_id"])  # fmt: skip
    drawn = {"facts": facts, "cards": cards, "lineage": lineage, "conflicts": conflicts}
    for name, rows in drawn.items():
        _write(out / f"{name}.tsv", rows)
    return {name: len(rows) for name, rows in drawn.items()}


def score(folder: Path) -> None:
    """Print the share judged right in each file of ``folder``."""
    for name in ("facts", "cards", "lineage", "conflicts"):
        path = folder / f"{name}.tsv"
        if not path.exists() or not path.read_text().strip():
            continue
        with path.open() as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        judged = [r for r in rows if r["right"].strip().lower() in ("y", "n")]
        right = sum(r["right"].strip().lower() == "y" for r in judged)
        share = f"{100 * right / len(judged):.1f} %" if judged else "—"
        print(
            f"{name:10} {right} / {len(judged)} right ({share}); {len(rows) - len(judged)} unjudged"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--score", type=Path)
    parser.add_argument("--seed", type=int, default=22)
    for name, default in (("facts", 120), ("cards", 40), ("lineage", 40), ("conflicts", 20)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    if args.score:
        score(args.score)
        return
    if not (args.db and args.out):
        parser.error("--db and --out (or --score FOLDER)")
    sizes = {n: getattr(args, n) for n in ("facts", "cards", "lineage", "conflicts")}
    for name, count in draw(args.db, args.out, args.seed, sizes).items():
        print(f"{name}: {count} rows")


if __name__ == "__main__":
    main()
