"""Dates → 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY', keeping the precision the source has."""

from __future__ import annotations

import re
from datetime import datetime

from kbuild.normalize.result import Normalized

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


def _valid(year: int, month: int | None = None, day: int | None = None) -> bool:
    if month == 0 or day == 0:
        return False  # "00/2023": no month ("or 1" below would take it for January)
    try:
        datetime(year, month or 1, day or 1)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def _fmt(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def normalize_date(text: str | None, kind: str | None = None) -> Normalized:
    """Parse the date forms sources use; ``kind`` (paper_v1, docs, publication, release) is kept."""
    raw = (text or "").strip()
    if not raw or raw.lower() in {"n/a", "na", "unknown", "-"}:
        return Normalized(None, "empty", kind)
    parts = None
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", raw):
        parts = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
        parts = int(m[1]), int(m[2]), None
    elif m := re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", raw):  # the catalog's MM/YYYY
        parts = int(m[2]), int(m[1]), None
    elif m := re.fullmatch(r"(\d{4})\s*/\s*(\d{1,2})", raw):
        parts = int(m[1]), int(m[2]), None
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw):  # US M/D/YYYY
        parts = int(m[3]), int(m[1]), int(m[2])
    elif m := re.fullmatch(r"(?:19|20)\d{2}", raw):
        parts = int(raw), None, None
    elif m := re.fullmatch(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", raw):
        if m[1].lower() in MONTHS:
            parts = int(m[3]), MONTHS[m[1].lower()], int(m[2])
    elif m := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})", raw):
        if m[2].lower() in MONTHS:
            parts = int(m[3]), MONTHS[m[2].lower()], int(m[1])
    elif m := re.fullmatch(r"([A-Za-z]{3,9})\.?,?\s+(\d{4})", raw):
        if m[1].lower() in MONTHS:
            parts = int(m[2]), MONTHS[m[1].lower()], None
    if parts is None and re.match(r"^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}", raw):
        from email.utils import parsedate_to_datetime  # here: an RFC 2822 date is rare

        try:
            when = parsedate_to_datetime(raw)
            parts = when.year, when.month, when.day
        except (TypeError, ValueError):
            parts = None
    if parts is None or not _valid(*parts):
        return Normalized(None, "unparseable", kind)
    return Normalized(_fmt(*parts), None, kind)


def precision(normalized: str) -> int:
    """1 for a year, 2 for a month, 3 for a day."""
    return normalized.count("-") + 1


def same_date(a: str, b: str) -> bool:
    """Whether two normalized dates agree at the coarser of their two precisions."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]
