"""Catalog rows → every card field, one fact per cell; "Same as X" cells are resolved
through row X of the same sheet (method 'derived')."""

from __future__ import annotations

import re

from kbuild.catalog import CatalogRow, link_ids, read_rows
from kbuild.config import name_key
from kbuild.extract.facts import Fact, normalize
from kbuild.fields import CARD_FIELDS
from kbuild.normalize import Normalized

NAME = "kbuild.extract.catalog"
VERSION = "0.1.0"
EXTRACTOR = f"{NAME}@{VERSION}"
CONFIDENCE = 0.6
DERIVED_CONFIDENCE = 0.5
REFERENCE = re.compile(r"^\s*same as\s+", re.I)
# every card field a cell can hold, plus the fine-tuning task column
CELL_FIELDS = (*(f for f in CARD_FIELDS if f != "arxiv_id"), "finetuning_task")


def model_lookup(models: list[dict]) -> dict[str, str]:
    """name key → model id, over every model's name and aliases."""
    lookup = {}
    for model in models:
        for name in [model["name"], *model["aliases"]]:
            lookup.setdefault(name_key(name), model["id"])
    return lookup


def _row_date(row: CatalogRow) -> str | None:
    return normalize("date", row.cells.get("date", "")).value


def resolve(
    field_key: str, text: str, rows: dict[str, CatalogRow], model_name: str, depth: int = 0
) -> tuple[Normalized, dict | None]:
    """Normalize a cell; 'Same as X ...' takes row X's value (plus what follows)."""
    match = REFERENCE.match(text)
    source_key = "task" if field_key == "finetuning_task" else field_key
    if not match or depth > 3:
        return normalize(source_key, text, model_name=model_name), None
    rest = text[match.end() :]
    words = re.findall(r"[\w.\-]+", rest)
    for count in (3, 2, 1):
        target = rows.get(name_key(" ".join(words[:count])))
        if target is None:
            continue
        cell = target.cells.get(field_key, "") or target.cells.get(source_key, "")
        referred, _ = resolve(field_key, cell, rows, target.name, depth + 1)
        if referred.value is None:
            return Normalized(None, "reference"), None
        # what the cell adds after the name ("+ CC News + OpenWebText")
        tail = rest.split(words[count - 1], 1)[1] if count <= len(words) else ""
        extra = normalize(source_key, tail, model_name=model_name) if tail.strip() else None
        value = referred.value
        if extra is not None and extra.value and isinstance(value, list):
            value = sorted(set(value) | set(extra.value))
        via = {"row": target.row, "column": target.headers.get(field_key)}
        return Normalized(value, qualifier=referred.qualifier), via
    return normalize(source_key, text, model_name=model_name), None


def extract(document: dict, models: list[dict]) -> list[Fact]:
    """One fact per non-empty cell of every row that matches a tracked model."""
    rows = read_rows(document["body"])
    by_key = {name_key(row.name): row for row in rows}
    lookup = model_lookup(models)
    facts: list[Fact] = []
    for row in rows:
        model_id = lookup.get(name_key(row.name))
        if model_id is None:
            continue
        date = _row_date(row)
        for field_key in CELL_FIELDS:
            text = row.cells.get(field_key, "")
            if not text.strip():
                continue
            locator = {"row": row.row, "column": row.headers[field_key]}
            if field_key == "date":
                normalized, via = normalize("date", text, date_kind="publication"), None
            elif field_key == "lab":
                normalized, via = normalize("lab", text, date=date), None
            else:
                normalized, via = resolve(field_key, text, by_key, row.name)
            if via:
                locator["via"] = via
            facts.append(
                Fact(
                    model_id=model_id,
                    field="task" if field_key == "finetuning_task" else field_key,
                    value=text,
                    normalized=normalized
                    if field_key != "finetuning_task"
                    else Normalized(normalized.value, normalized.flag, "fine-tuning"),
                    document_id=document["id"],
                    locator=locator,
                    quote=text,
                    extractor=EXTRACTOR,
                    method="derived" if via else "stated",
                    confidence=DERIVED_CONFIDENCE if via else CONFIDENCE,
                )
            )
        _, arxiv_id = link_ids(row.cells.get("link", ""))
        if arxiv_id:
            facts.append(
                Fact(
                    model_id=model_id,
                    field="arxiv_id",
                    value=row.cells["link"],
                    normalized=Normalized(arxiv_id),
                    document_id=document["id"],
                    locator={"row": row.row, "column": row.headers["link"]},
                    quote=row.cells["link"],
                    extractor=EXTRACTOR,
                    confidence=CONFIDENCE,
                )
            )
    return facts


def cell_at(body: str, locator: dict) -> str | None:
    """The cell a catalog locator points at (to check a quote)."""
    for row in read_rows(body):
        if row.row == locator.get("row"):
            for key, header in row.headers.items():
                if header == locator.get("column"):
                    return row.cells.get(key)
    return None
