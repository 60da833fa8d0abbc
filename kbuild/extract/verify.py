"""Check a fact against its document: the quote must be the text found at the locator."""

from __future__ import annotations

import json

import sqlite_utils

from kbuild.extract import catalog
from kbuild.extract.text import html_block_text


def text_at(db: sqlite_utils.Database, document: dict, locator: dict) -> str | None:
    """The document's own text at ``locator`` (a CSV cell, a span, a PDF page span)."""
    if "row" in locator:
        return catalog.cell_at(document["body"] or "", locator)
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


def quote_holds(db: sqlite_utils.Database, fact: dict, document: dict | None = None) -> bool:
    """Whether ``fact['quote']`` is found verbatim at its locator in its document."""
    document = document or db["documents"].get(fact["document_id"])
    locator = fact["locator"]
    if isinstance(locator, str):
        locator = json.loads(locator)
    return text_at(db, document, locator) == fact["quote"]
