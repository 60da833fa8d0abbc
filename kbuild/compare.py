"""When two normalized values of a field agree: dates at the coarser precision, sizes
within 5%, lists when one contains the other, other values when equal. One rule for the
cards, the conflicts and corroboration views, and the fact-checker."""

from __future__ import annotations

import json

from kbuild.fields import SET_FIELDS
from kbuild.normalize.dates import same_date
from kbuild.normalize.params import covers


def values(normalized: str) -> list:
    """A normalized list field as a list."""
    return json.loads(normalized)


def agree(field: str, a: str, b: str) -> bool:
    """Whether two normalized values of ``field`` are compatible."""
    if field == "date":
        return same_date(a, b)
    if field == "params":
        x, y = values(a), values(b)
        return covers(x, y) or covers(y, x)
    if field in SET_FIELDS:
        x, y = set(values(a)), set(values(b))
        return x <= y or y <= x
    return a == b


def date_key(normalized: str) -> str:
    """Orders dates so that the earliest comes first and, within one month or year, the
    more precise date before the coarser one ('2022-07-11' before '2022-07')."""
    return normalized + "~"
