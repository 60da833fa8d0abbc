"""The knowledge base as files others read: cards, facts and lineage as CSV and JSON
with their provenance, and each checked post's verdicts as schema.org ClaimReview
JSON-LD. Every file is written whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from kbuild import __version__
from kbuild.fields import CARD_FIELDS
from kbuild.publish.whole_file import write_whole

# A cell a spreadsheet would run as a formula ("=HYPERLINK(...)", "+1", "@SUM"): exported
# with a leading apostrophe, the usual neutralisation.
FORMULA = re.compile(r"^[=+\-@\t\r]")
# How a verdict reads as a ClaimReview rating (1 = false ... 5 = true).
RATINGS = {
    "supported": (5, "Supported"),
    "partially_supported": (4, "Partially supported"),
    "unverified": (3, "Unverified: no independent source settles it"),
    "no_evidence": (3, "No evidence"),
    "not_checkable": (3, "Not checkable"),
    "unknown_model": (3, "Unknown model: not judged"),
    "malformed": (2, "Malformed"),
    "contradicted": (1, "Contradicted"),
}

CARDS_SQL = """select m.id as model_id, m.name, c.field, c.value, c.normalized, c.qualifier,
  c.rule, e.source, e.url, e.locator, e.quote, e.id as fact_id, e.primary_source
from card_values c join models m on m.id = c.model_id join evidence e on e.id = c.fact_id
order by m.name collate nocase, m.id, c.field"""
FACTS_SQL = """select e.id as fact_id, e.model_id, e.field, e.value, e.normalized, e.qualifier,
  e.flag, e.source, e.witness, e.primary_source, e.trust_rank, e.url, e.locator, e.quote,
  e.context, e.extractor, e.method, e.confidence, e.suspect, e.document_id,
  d.location as document_location, d.fetched_at, d.sha256 as document_sha256
from evidence e join documents d on d.id = e.document_id
order by e.model_id, e.field, e.trust_rank, e.id"""
LINEAGE_SQL = """select l.model_id, m.name as model, l.kind, l.parent_id, p.name as parent,
  l.via, l.source, l.url, l.locator, l.quote, l.fact_id, l.document_id
from lineage l join models m on m.id = l.model_id join models p on p.id = l.parent_id
order by m.name collate nocase, l.kind, p.name"""


def export(db: sqlite_utils.Database, folder: str | Path, site: str | None = None) -> list[Path]:
    """Write every export into ``folder``; returns the files written. ``site`` is the
    public address of the published knowledge base, for links back to it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, sql in (("cards", CARDS_SQL), ("facts", FACTS_SQL), ("lineage", LINEAGE_SQL)):
        rows = list(db.query(sql))
        written.append(_write(folder / f"{name}.csv", _csv(rows)))
        written.append(_write(folder / f"{name}.json", _json(rows)))
    written.append(_write(folder / "cards_wide.csv", _csv(wide_cards(db))))
    reviews = folder / "claimreview"
    for post_key, post in db.execute(
        "select distinct post_key, post from claims where post_key is not null"
    ).fetchall():
        document = claim_reviews(db, post_key, site)
        stem = re.sub(r"[^\w.-]+", "_", Path(post).stem)
        reviews.mkdir(exist_ok=True)
        written.append(_write(reviews / f"{stem}-{post_key}.jsonld", _json(document)))
    return written


def wide_cards(db: sqlite_utils.Database) -> list[dict]:
    """One row per model, one column per field plus its source and URL."""
    rows: dict[str, dict] = {}
    for row in db.query(CARDS_SQL):
        entry = rows.setdefault(row["model_id"], {"model_id": row["model_id"], "name": row["name"]})
        if row["field"] in CARD_FIELDS:
            entry[row["field"]] = row["value"]
            entry[f"{row['field']}_source"] = row["source"]
            entry[f"{row['field']}_url"] = row["url"]
    columns = ["model_id", "name"]
    for key in CARD_FIELDS:
        columns += [key, f"{key}_source", f"{key}_url"]
    return [{c: r.get(c) for c in columns} for r in rows.values()]


def claim_reviews(db: sqlite_utils.Database, post_key: str, site: str | None = None) -> dict:
    """A post's verdicts as a schema.org ClaimReview graph (JSON-LD)."""
    claims = list(
        db.query(
            """select c.*, v.verdict, v.explanation, v.fact_id, f.quote as evidence,
              coalesce(f.url, d.final_url, d.location) as evidence_url, d.source as evidence_source,
              m.name as model_name
            from claims c join verdicts v on v.claim_id = c.id
            left join facts f on f.id = v.fact_id left join documents d on d.id = f.document_id
            left join models m on m.id = c.model_id
            where c.post_key = ? order by c.line, c.kind, c.field""",
            [post_key],
        )
    )
    post = claims[0]["post"] if claims else post_key
    reviews = []
    for claim in claims:
        value, label = RATINGS.get(claim["verdict"], (3, claim["verdict"]))
        about = claim["model_name"] or claim["model"] or "an unknown model"
        review = {
            "@type": "ClaimReview",
            "@id": f"#claim-{claim['id']}",
            "datePublished": (claim["checked_at"] or "")[:10],
            "claimReviewed": f"{about} — {claim['field']}: {claim['text']}",
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": value,
                "bestRating": 5,
                "worstRating": 1,
                "alternateName": label,
                "ratingExplanation": claim["explanation"],
            },
            "itemReviewed": {
                "@type": "Claim",
                "appearance": {
                    "@type": "CreativeWork",
                    "name": post,
                    "description": f"line {claim['line']}"
                    + (f": {claim['sentence']}" if claim["sentence"] else ""),
                },
                "about": {"@type": "Thing", "name": about},
            },
            "author": {"@type": "Organization", "name": f"kbuild {__version__}"},
        }
        if claim["evidence_url"] and claim["evidence_url"].startswith("http"):
            review["citation"] = {
                "@type": "CreativeWork",
                "url": claim["evidence_url"],
                "name": claim["evidence_source"],
                "text": claim["evidence"],
            }
        if site and claim["model_id"]:
            review["itemReviewed"]["about"]["url"] = f"{site.rstrip('/')}/model/{claim['model_id']}"
        reviews.append(review)
    document = {"@context": "https://schema.org", "@graph": reviews}
    if site:
        document["url"] = f"{site.rstrip('/')}/post/{post_key}"
    return document


def _csv(rows: Iterable[dict]) -> str:
    rows = list(rows)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value):
    if isinstance(value, str) and FORMULA.match(value):
        return "'" + value
    return value


def _json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _write(path: Path, text: str) -> Path:
    return write_whole(path, text)
