"""Table rows → one fact per mapped cell, quoted verbatim and located by {row, column}
(and the file, for a folder of YAML files). "Same as X" cells are resolved through row X
of the same table (method 'derived'); a note column's text becomes the fact's context;
a size-named row ("LLaMA-65B") with no size cell states its size in its name.
"""

from __future__ import annotations

import re

from kbuild.config import name_key
from kbuild.extract import extractors
from kbuild.extract.facts import Fact, normalize
from kbuild.normalize import Normalized
from kbuild.normalize.corpus import normalize_corpus
from kbuild.normalize.dates import normalize_date
from kbuild.normalize.lab import normalize_lab
from kbuild.normalize.params import normalize_params
from kbuild.tables.formats import Cell, Row, Table, read
from kbuild.tables.links import ARXIV_LINK
from kbuild.tables.names import size_count
from kbuild.tables.spec import LINEAGE_FIELDS, ColumnSpec, TableSpec, resolve_columns

EXTRACTOR = extractors.TABLES
DERIVED_PENALTY = 0.1
REFERENCE = re.compile(r"^\s*same as\s+", re.I)
# What a row's confidence column says, as fact confidence (Epoch's vocabulary by default).
CONFIDENCE_WORDS = {
    "confident": 0.7,
    "likely": 0.6,
    "speculative": 0.4,
    "unverified": 0.45,
    "unknown": 0.5,
}
PRECISION_LENGTH = {"year": 4, "month": 7, "day": 10}


def read_table(spec: TableSpec, document: dict) -> Table:
    """The document's table, read the way fetch read it."""
    return read(
        spec.format, document["body"] or "", records=spec.records, html_table=spec.html_table
    )


def cell_value(cell: Cell, locator: dict) -> str:
    """The text a fact quotes from a cell: the cell's text, one item of a list cell, or an
    HTML cell's link targets (the text of a link cell is only "Paper")."""
    if "item" in locator:
        return (cell.items or [])[locator["item"]]
    if locator.get("part") == "links":
        return " ".join(cell.links)
    return cell.text


def row_confidence(spec: TableSpec, row: Row) -> float:
    """The table's confidence, or the row's own where the table has a confidence column."""
    if not spec.confidence_column:
        return spec.confidence
    word = row.text(spec.confidence_column).strip()
    values = {k.lower(): v for k, v in {**CONFIDENCE_WORDS, **spec.confidence_values}.items()}
    return values.get(word.lower(), spec.confidence)


def _normalize(
    field_key: str, text: str, column: ColumnSpec, model_name: str, date: str | None
) -> Normalized:
    """A cell's value through its field's normalizer, with the column's hints."""
    if field_key == "date":
        found = normalize_date(text, column.kind or "publication")
        if found.value and column.precision:
            # "2018-06-01" in a table that only knew 06/2018
            value = found.value[: PRECISION_LENGTH[column.precision]]
            return Normalized(value, found.flag, found.qualifier)
        return found
    if field_key == "params":
        return normalize_params(text, unit=column.unit)
    if field_key == "lab":
        return normalize_lab(text, date, split=column.split)
    if field_key == "corpus":
        return normalize_corpus(text, split=column.split)
    if field_key == "arxiv_id":
        found = ARXIV_LINK.search(text) or re.fullmatch(r"\s*(\d{4}\.\d{4,5})(?:v\d+)?\s*", text)
        return Normalized(found.group(1)) if found else Normalized(None, "unrecognized")
    return normalize(field_key, text, model_name=model_name)


def resolve(
    field_key: str,
    text: str,
    column: ColumnSpec,
    rows: dict[str, tuple[Row, str]],
    columns: dict[str, ColumnSpec],
    model_name: str,
    depth: int = 0,
) -> tuple[Normalized, dict | None]:
    """Normalize a cell; 'Same as X ...' takes row X's value in the same field (plus what
    the cell adds after the name), with a 'via' locator naming row X."""
    match = REFERENCE.match(text)
    target_field = "task" if field_key == "finetuning_task" else field_key
    if match and field_key == "params":
        # the same design is not the same size: mBART is "same as BART" with a vocabulary
        # four times larger (610M, not BART's 140M and 400M)
        return Normalized(None, "reference"), None
    if not match or depth > 3:
        return _normalize(target_field, text, column, model_name, None), None
    rest = text[match.end() :]
    words = re.findall(r"[\w.\-]+", rest)
    for count in (3, 2, 1):
        found = rows.get(name_key(" ".join(words[:count])))
        if found is None:
            continue
        target, target_name = found
        source_column = next((c for c, s in columns.items() if s.field == field_key), None) or next(
            (c for c, s in columns.items() if s.field == target_field), None
        )
        cell = target.text(source_column)
        referred, _ = resolve(field_key, cell, column, rows, columns, target_name, depth + 1)
        if referred.value is None:
            return Normalized(None, "reference"), None
        tail = rest.split(words[count - 1], 1)[1] if count <= len(words) else ""
        extra = _normalize(target_field, tail, column, model_name, None) if tail.strip() else None
        value = referred.value
        if extra is not None and extra.value and isinstance(value, list):
            value = sorted(set(value) | set(extra.value))
        return Normalized(value, qualifier=referred.qualifier), {
            "row": target.number,
            "column": source_column,
        }
    return _normalize(target_field, text, column, model_name, None), None


def extract(document: dict, spec: TableSpec, assignments: dict[int, dict]) -> list[Fact]:
    """Facts from one table document. ``assignments`` maps a row number to its
    ``table_rows`` row (model_id, size); rows without a model give no facts."""
    table = read_table(spec, document)
    name_column, columns = resolve_columns(spec, table.columns)
    by_name = {name_key(r.text(name_column)): (r, r.text(name_column)) for r in table.rows}
    where = {"file": document["item"]} if document.get("item") else {}
    facts: list[Fact] = []
    for row in table.rows:
        assigned = assignments.get(row.number)
        if assigned and assigned.get("model_id"):
            reader = _RowReader(spec, document, row, assigned, name_column, columns, where)
            facts += reader.facts(by_name)
    return facts


class _RowReader:
    """The facts of one row of a table, for the model the row was matched to."""

    def __init__(self, spec, document, row, assigned, name_column, columns, where):
        self.spec, self.row, self.assigned = spec, row, assigned
        self.name_column, self.columns = name_column, columns
        self.locator = {"row": row.number, **where}
        if row.line:
            self.locator["line"] = row.line  # where a reader finds the row in the file
        self.base = {
            "model_id": assigned["model_id"],
            "document_id": document["id"],
            "extractor": EXTRACTOR,
        }
        self.confidence = row_confidence(spec, row)
        self.found: list[Fact] = []
        date_column = next((c for c, s in columns.items() if s.field == "date"), None)
        self.date = None
        if date_column:
            text = row.text(date_column)
            self.date = _normalize("date", text, columns[date_column], "", None).value

    def add(self, field_key, value, normalized, locator, *, method="stated", context=None,
            confidence=None) -> None:  # fmt: skip
        self.found.append(
            Fact(
                field=field_key,
                value=value,
                normalized=normalized,
                locator={**self.locator, **locator},
                quote=value,
                method=method,
                confidence=self.confidence if confidence is None else confidence,
                context=context,
                **self.base,
            )
        )

    def facts(self, by_name: dict[str, tuple[Row, str]]) -> list[Fact]:
        # the model's own name, not the row's spelling: a bespoke licence's id is the
        # model's ("MT-NLG (Megatron TuringNLG)" and "Megatron-Turing NLG" are one model)
        row = self.row
        model_name = self.assigned.get("model_name") or row.text(self.name_column)
        has_size = False
        for column, column_spec in self.columns.items():
            cell = row.cells.get(column)
            if cell is None or not cell.text.strip():
                continue
            note = cell.note
            if column_spec.notes:
                note = row.text(column_spec.notes).strip() or note
            if column_spec.field in LINEAGE_FIELDS:
                self._lineage(column, column_spec, cell, note)
                continue
            field_key = column_spec.field
            locator = {"column": column}
            if field_key == "link" and cell.links:
                locator["part"] = "links"
            value = cell_value(cell, locator)
            if field_key == "lab":
                normalized = _normalize("lab", value, column_spec, model_name, self.date)
                via = None
            else:
                normalized, via = resolve(
                    field_key, value, column_spec, by_name, self.columns, model_name
                )
            if field_key == "finetuning_task":
                field_key = "task"
                normalized = Normalized(normalized.value, normalized.flag, "fine-tuning")
            if via:
                locator["via"] = via
            has_size = has_size or (field_key == "params" and normalized.value is not None)
            self.add(
                field_key,
                value,
                normalized,
                locator,
                method="derived" if via else "stated",
                context=note,
                confidence=self.confidence - DERIVED_PENALTY if via else None,
            )
            if field_key == "link":
                found = ARXIV_LINK.search(value)
                if found:
                    self.add("arxiv_id", value, Normalized(found.group(1)), locator)
        count = size_count(self.assigned["size"]) if self.assigned.get("size") else None
        if count and not has_size:
            # "LLaMA-65B" with no size column: the name states the size
            written = row.text(self.name_column)
            self.add("params", written, Normalized([count]), {"column": self.name_column})
        return self.found

    def _lineage(self, column: str, column_spec: ColumnSpec, cell: Cell, note) -> None:
        """One fact per name a lineage cell lists (a base model, a dependency)."""
        items = cell.items or (
            cell.text.split(column_spec.split) if column_spec.split else [cell.text]
        )
        how = None
        if column_spec.fine_tuned_when:
            how = _fine_tuned(self.row.text(column_spec.fine_tuned_when))
        for index, item in enumerate(items):
            if item.strip():
                locator = {"column": column, **({"item": index} if cell.items else {})}
                value = cell_value(cell, locator)
                normalized = Normalized(item.strip(), qualifier=how)
                self.add(column_spec.field, value, normalized, locator, context=note)


def _fine_tuned(text: str) -> str | None:
    """'finetune' for a number above zero ("7.6e+19"), 'built_on' for zero ("0.0"), None
    when the cell says nothing (empty: Epoch does not know, which is no "not tuned")."""
    try:
        return "finetune" if float(text.strip().replace(",", "")) > 0 else "built_on"
    except ValueError:
        return None


def cell_at(spec: TableSpec, table: Table, locator: dict) -> str | None:
    """The text a table locator points at (to check a quote)."""
    row = table.row(locator.get("row"))
    cell = row.cells.get(locator.get("column")) if row else None
    if cell is None:
        return None
    try:
        return cell_value(cell, locator)
    except IndexError:
        return None
