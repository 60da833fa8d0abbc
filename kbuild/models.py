"""The tracked models as sources.toml lists them; tables add theirs
(:mod:`kbuild.tables.match`)."""

from __future__ import annotations

from kbuild.config import ModelEntry


def from_sources(entries: list[ModelEntry]) -> list[dict]:
    """Rows for the ``models`` table from the sources file alone."""
    return [
        {
            "id": m.id,
            "name": m.name,
            "aliases": m.aliases,
            "arxiv_id": m.arxiv,
            "hf_doc_slug": m.hf_doc,
            # the public address: a local copy's path stays in the sources file
            "pdf": m.public_pdf or (m.pdf if m.pdf and "://" in m.pdf else None),
            "repos": m.repo or None,
            "origin": "sources.toml",
            "catalog_document_id": None,
            "catalog_row": None,
            "family": None,
        }
        for m in entries
    ]
