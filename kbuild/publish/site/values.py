"""Values as a reader reads them: sizes as "110M, 340M", lists joined, dates with their
precision, locators in words. Pure functions of the stored text, shared by the pages
and the cells of Datasette's tables."""

from __future__ import annotations

import json
import re
from datetime import date as Date

from kbuild.check.judge import VERDICTS
from kbuild.normalize.params import human

__all__ = ["VERDICTS"]  # in the order reports list them

DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def json_list(value: object) -> list | None:
    """The list a JSON-list cell holds, or None."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def sizes(values: list) -> str:
    """[110000000, 340000000] → '110M, 340M'."""
    return ", ".join(human(int(v)) if isinstance(v, int | float) else str(v) for v in values)


def date_text(value: str) -> tuple[str, str] | None:
    """'2018-10-11' → ('11 Oct 2018', 'day'); '2018-10' → ('Oct 2018', 'month');
    '2018' → ('2018', 'year'); None when it is not such a date."""
    match = DATE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return Date(int(year), int(month), int(day)).strftime("%-d %b %Y"), "day"
        if month:
            return Date(int(year), int(month), 1).strftime("%b %Y"), "month"
    except ValueError:
        return None
    return year, "year"


def readable(value: object, field: str | None = None) -> str | None:
    """The value as text a reader reads, or None when it reads fine as stored."""
    if value is None:
        return None
    items = json_list(value)
    if items is not None:
        if field == "params" or (items and all(isinstance(v, int | float) for v in items)):
            return sizes(items)
        return ", ".join(str(v) for v in items)
    if field == "date" and isinstance(value, str) and (found := date_text(value)):
        return found[0]
    if field == "params" and isinstance(value, int | float) and value >= 1000:
        return human(int(value))
    return None


def locator_text(locator: str | dict | None) -> str:
    """{'row': 4, 'column': 'Date'} → 'row 4, column Date'; {'page': 1} → 'page 1'."""
    if isinstance(locator, str):
        try:
            locator = json.loads(locator)
        except ValueError:
            return locator
    if not isinstance(locator, dict):
        return ""
    parts = []
    for key in ("file", "row", "column", "line", "page", "element", "section", "field", "part"):
        if key in locator and locator[key] not in (None, ""):
            parts.append(f"{key} {locator[key]}")
    if "span" in locator and not parts:
        start, end = locator["span"][:2]
        parts.append(f"characters {start}–{end}")
    return ", ".join(parts)


def short_url(url: str, width: int = 60) -> str:
    """A URL as a link's text: no scheme, cut in the middle when long."""
    text = re.sub(r"^https?://(www\.)?", "", url)
    if len(text) <= width:
        return text
    half = (width - 1) // 2
    return text[:half] + "…" + text[-half:]


def source_label(source: str | None, url: str | None) -> str:
    """How a citation names its source: 'arXiv 1810.04805v1', 'PDF p. 3', 'HF docs',
    'catalog row 8'."""
    url = url or ""
    if source == "arxiv" and (match := re.search(r"abs/([\w.]+)", url)):
        return f"arXiv {match.group(1)}"
    if source == "pdf":
        page = re.search(r"#page=(\d+)", url)
        return f"paper PDF, p. {page.group(1)}" if page else "paper PDF"
    if source == "hf_doc":
        return "Hugging Face docs"
    return source or "source"
