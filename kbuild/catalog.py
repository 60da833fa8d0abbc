"""The Transformer catalog spreadsheet as CSV: loose header matching and row reading."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

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

HF_DOC_LINK = re.compile(
    r"huggingface\.co/docs/transformers/(?:[^/]+/){0,2}model_doc/([A-Za-z0-9_.-]+)"
)
ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})")


class CatalogError(Exception):
    """The catalog is not a CSV kbuild can read."""


@dataclass
class CatalogRow:
    """One model of the catalog: its spreadsheet row number and cells by field key."""

    row: int
    cells: dict[str, str]
    headers: dict[str, str]

    @property
    def name(self) -> str:
        """The model's name as the row writes it."""
        return self.cells.get("name", "").strip()


def field_for_header(header: str) -> str | None:
    """The field key a column header stands for, or None for columns kbuild does not use."""
    key = re.sub(r"[^a-z0-9]", "", header.lower())
    for prefix, field_key in HEADER_PATTERNS:
        if key.startswith(prefix):
            return field_key
    return None


def read_rows(text: str) -> list[CatalogRow]:
    """Parse the CSV text; row numbers count the header as row 1, like the spreadsheet."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogError("the CSV is empty") from None
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    for index, title in enumerate(header):
        key = field_for_header(title)
        if key and key not in headers:
            columns[index] = key
            headers[key] = title
    if "name" not in headers:
        raise CatalogError(
            f"no model name column among the headers {header!r}; "
            "expected a column called 'Name' or 'Model'"
        )
    rows = []
    for number, record in enumerate(reader, start=2):
        cells = {columns[i]: value for i, value in enumerate(record) if i in columns}
        row = CatalogRow(row=number, cells=cells, headers=headers)
        if row.name:
            rows.append(row)
    return rows


def link_ids(link: str) -> tuple[str | None, str | None]:
    """The (hf_doc slug, arXiv id) a catalog Link points at, when it points at either."""
    hf = HF_DOC_LINK.search(link or "")
    arxiv = ARXIV_LINK.search(link or "")
    slug = hf.group(1) if hf else None
    if slug and ".." in slug:
        slug = None  # a slug must never climb out of a local docs folder
    return (slug, arxiv.group(1) if arxiv else None)
