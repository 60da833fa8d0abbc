"""How far each source is trusted for each field (1 = most trusted), stored as the
``source_trust`` table.

Primary before secondary: the paper (its PDF: the first page for labs, the text for
sizes), its arXiv record and the official docs state facts first-hand, so they rank
1-9; tables (the catalog, Epoch, ecosystem-graphs ...) rank from 10 on, each as its
section of the sources file says (``trust``), so a new table slots in without a code
change.
"""

from __future__ import annotations

from kbuild.fields import CARD_FIELDS
from kbuild.tables.spec import TableSpec

PRIMARY_SOURCES = ("arxiv", "hf_doc", "pdf", "repo", "hub")
# field → {primary source: rank}. Tables rank by their own `trust`.
PRIMARY_TRUST: dict[str, dict[str, int]] = {
    "arxiv_id": {"arxiv": 1, "hf_doc": 2},
    # the Hub: the date a repository was created is a weak witness of a release
    "date": {"arxiv": 1, "hf_doc": 2, "pdf": 3, "repo": 4, "hub": 9},
    "title": {"arxiv": 1},
    "authors": {"arxiv": 1},
    # the Hub's safetensors total is counted from the weights, not stated
    "params": {"pdf": 1, "arxiv": 2, "hf_doc": 3, "repo": 4, "hub": 5},
    "architecture": {"arxiv": 1, "pdf": 2, "hf_doc": 3, "repo": 4},
    "task": {"arxiv": 1, "pdf": 2, "hf_doc": 3, "repo": 4},
    "corpus": {"arxiv": 1, "pdf": 2, "hf_doc": 3, "repo": 4},
    # the repository's licence file is the licence itself
    # ... and a Hub card's licence is the owner's own statement
    "license": {"repo": 1, "hf_doc": 2, "hub": 2, "pdf": 3, "arxiv": 4},
    "base_model": {"hub": 1},
    "code_license": {"repo": 1, "pdf": 2, "arxiv": 3},
    # the training tokens a paper or a model card states
    "tokens": {"pdf": 1, "arxiv": 2, "hf_doc": 3, "repo": 4},
    "lab": {"pdf": 1, "hf_doc": 2, "arxiv": 3},
}
# Below this rank a source is a table: secondary.
FIRST_TABLE_RANK = 10
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
