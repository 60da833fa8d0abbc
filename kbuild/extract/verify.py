"""Check a fact against its document: the quote must be the text found at the locator."""

from __future__ import annotations

import json

import sqlite_utils

from kbuild.extract import tables
from kbuild.extract.text import html_block_text
from kbuild.tables.formats import Table, TableError
from kbuild.tables.spec import TableSpec

# A table document is read once, not once per fact: (content, how it is read) → rows.
_TABLES: dict[tuple, Table | None] = {}


def table_spec(db: sqlite_utils.Database, source: str) -> TableSpec | None:
    """The spec of a table source, as the last fetch stored it."""
    rows = list(db.query("select spec from sources where name = ? and kind = 'table'", [source]))
    if not rows or not rows[0]["spec"]:
        return None
    return TableSpec.from_json(json.loads(rows[0]["spec"]))


def _table(document: dict, spec: TableSpec) -> Table | None:
    body = document["body"] or ""
    key = (document.get("sha256") or body, spec.format, spec.records, spec.html_table)
    if key not in _TABLES:
        if len(_TABLES) > 64:
            _TABLES.clear()
        try:
            _TABLES[key] = tables.read_table(spec, document)
        except TableError:
            _TABLES[key] = None
    return _TABLES[key]


def text_at(
    db: sqlite_utils.Database, document: dict, locator: dict, spec: TableSpec | None = None
) -> str | None:
    """The document's own text at ``locator`` (a table cell, a span, a PDF page span)."""
    if "row" in locator:
        spec = spec or table_spec(db, document["source"])
        table = _table(document, spec) if spec else None
        return tables.cell_at(spec, table, locator) if table else None
    start, end = locator["span"]
    if "page" in locator:
        rows = list(
            db.query(
                "select text from pages where document_id = ? and page = ?",
                [document["id"], locator["page"]],
            )
        )
        return rows[0]["text"][start:end] if rows else None
    if "element" in locator and isinstance(locator["element"], int):
        block = html_block_text(document["body"] or "", locator["element"])
        return block[start:end] if block is not None else None
    return (document["body"] or "")[start:end]


def quote_holds(
    db: sqlite_utils.Database,
    fact: dict,
    document: dict | None = None,
    spec: TableSpec | None = None,
    locator: dict | None = None,
) -> bool:
    """Whether ``fact['quote']`` is found verbatim at its locator in its document (a
    table's ``spec`` saves looking it up for every fact; ``locator``, the row's locator
    not yet encoded, reading it back)."""
    document = document or db["documents"].get(fact["document_id"])
    if locator is None:
        locator = fact["locator"]
    if isinstance(locator, str):
        locator = json.loads(locator)
    return text_at(db, document, locator, spec) == fact["quote"]
