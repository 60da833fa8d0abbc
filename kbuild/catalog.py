"""The Transformer catalog's headers, matched loosely: the sheet and the posts copied from
it spell them many ways ("Num. Params", "Number of Parameters", "Date (of first known
publication)", "Date"). Tables without declared columns, and card keys in posts, are
read through this."""

from __future__ import annotations

import re

# Normalized header (lower case, letters and digits only) prefixes → field key.
# Order matters: the first matching prefix wins ("finetuningtask" before "task").
HEADER_PATTERNS: list[tuple[str, str]] = [
    ("modelname", "name"),
    ("name", "name"),
    ("model", "name"),
    ("link", "link"),
    ("url", "link"),
    ("family", "family"),
    ("pretrainingarchitecture", "architecture"),
    ("architecture", "architecture"),
    ("finetuningtask", "finetuning_task"),
    ("pretrainingorfinetuningtask", "task"),
    ("pretrainingtask", "task"),
    ("task", "task"),
    ("extension", "extension"),
    ("application", "application"),
    ("date", "date"),
    ("numparams", "params"),
    ("numberofparameters", "params"),
    ("nparams", "params"),
    ("params", "params"),
    ("parameters", "params"),
    ("corpus", "corpus"),
    ("corpora", "corpus"),
    ("trainingdata", "corpus"),
    ("license", "license"),
    ("licence", "license"),
    ("lab", "lab"),
    ("organization", "lab"),
    ("organisation", "lab"),
]


def field_for_header(header: str) -> str | None:
    """The field key a column header stands for, or None for columns kbuild does not use."""
    key = re.sub(r"[^a-z0-9]", "", header.lower())
    for prefix, field_key in HEADER_PATTERNS:
        if key.startswith(prefix):
            return field_key
    return None
