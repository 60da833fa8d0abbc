"""The tracked models: sources.toml entries merged with every row of the catalog."""

from __future__ import annotations

from kbuild.catalog import CatalogRow, link_ids
from kbuild.config import ModelEntry, name_key, slugify


def from_sources(entries: list[ModelEntry]) -> list[dict]:
    """Rows for the ``models`` table from the sources file alone."""
    return [
        {
            "id": m.id,
            "name": m.name,
            "aliases": m.aliases,
            "arxiv_id": m.arxiv,
            "hf_doc_slug": m.hf_doc,
            "pdf": m.pdf,
            "origin": "sources.toml",
            "catalog_document_id": None,
            "catalog_row": None,
        }
        for m in entries
    ]


def merge_catalog(models: list[dict], rows: list[CatalogRow], document_id: int) -> list[dict]:
    """Match catalog rows to models by name or alias; an unmatched row becomes a new model.

    A catalog Link that points at an HF model-doc page or an arXiv abstract fills
    ``hf_doc_slug`` / ``arxiv_id`` only where sources.toml left them empty.
    """
    models = [dict(m) for m in models]
    by_key: dict[str, dict] = {}
    for model in models:
        for name in [model["name"], *model["aliases"]]:
            by_key.setdefault(name_key(name), model)
    ids = {m["id"] for m in models}
    for row in rows:
        model = by_key.get(name_key(row.name))
        if model is None:
            model_id = slugify(row.name)
            while model_id in ids:
                model_id += "-catalog"
            model = {
                "id": model_id,
                "name": row.name,
                "aliases": [],
                "arxiv_id": None,
                "hf_doc_slug": None,
                "pdf": None,
                "origin": "catalog",
            }
            models.append(model)
            ids.add(model_id)
            by_key[name_key(row.name)] = model
        elif model["origin"] == "sources.toml":
            model["origin"] = "sources.toml+catalog"
            if row.name not in [model["name"], *model["aliases"]]:
                model["aliases"] = [*model["aliases"], row.name]
        model["catalog_document_id"] = document_id
        model["catalog_row"] = row.row
        hf_slug, arxiv_id = link_ids(row.cells.get("link", ""))
        model["hf_doc_slug"] = model["hf_doc_slug"] or hf_slug
        model["arxiv_id"] = model["arxiv_id"] or arxiv_id
    return models
