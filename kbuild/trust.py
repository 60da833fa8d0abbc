"""How far each source is trusted for each field (1 = most trusted), stored as the
``source_trust`` table so the ``cards`` view can order by it.

The primary sources' ranks are set here; each table declares its own in the sources
file (``trust``), so a new table slots in without a code change.
"""

from __future__ import annotations

from kbuild.fields import CARD_FIELDS
from kbuild.tables.spec import TableSpec

PRIMARY_SOURCES = ("arxiv", "hf_doc", "pdf")
# field → {primary source: rank}. Tables rank by their own `trust`.
PRIMARY_TRUST: dict[str, dict[str, int]] = {
    "arxiv_id": {"arxiv": 10, "hf_doc": 20},
    "date": {"arxiv": 10, "hf_doc": 20, "pdf": 40},
    "title": {"arxiv": 10},
    "authors": {"arxiv": 10},
    "params": {"hf_doc": 20, "arxiv": 30, "pdf": 40},
    "architecture": {"hf_doc": 20, "arxiv": 30, "pdf": 40},
    "task": {"hf_doc": 20, "arxiv": 30, "pdf": 40},
    "corpus": {"hf_doc": 20, "arxiv": 30, "pdf": 40},
    "license": {"hf_doc": 20, "pdf": 30},
    "lab": {"pdf": 20, "hf_doc": 30, "arxiv": 40},
}
TRUSTED_FIELDS = (*CARD_FIELDS, "title", "authors", "base_model", "dependencies")


def trust_rows(tables: list[TableSpec]) -> list[dict]:
    """Rows of ``source_trust``: every primary source's rank, and every table's."""
    rows = [
        {"field": f, "source": s, "rank": r}
        for f, ranks in PRIMARY_TRUST.items()
        for s, r in ranks.items()
    ]
    for spec in tables:
        rows += [{"field": f, "source": spec.name, "rank": spec.rank(f)} for f in TRUSTED_FIELDS]
    return rows


def order(field: str, tables: list[TableSpec]) -> list[str]:
    """The sources of a field, most trusted first (for the README and messages)."""
    ranks = {row["source"]: row["rank"] for row in trust_rows(tables) if row["field"] == field}
    return sorted(ranks, key=lambda s: (ranks[s], s))
