"""Read a table document (CSV, YAML, JSON or an HTML <table>) into rows of cells.

Every reader gives the same shape: column names, then rows numbered the way a person
finds them (a CSV row as the spreadsheet numbers it, header = row 1; a YAML, JSON or
HTML record from 1), each cell with its text exactly as the table writes it. A value's
explanation ({value, explanation} in ecosystem-graphs) travels with its cell.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field


class TableError(Exception):
    """The document is not a table of the declared format; the message says where."""


@dataclass
class Cell:
    """One cell: its text as written, and what comes with it."""

    text: str
    note: str | None = None  # the explanation a {value, explanation} cell gives
    items: list[str] | None = None  # a list value (YAML/JSON list), one item each
    links: list[str] = field(default_factory=list)  # hrefs of an HTML cell
    line: int | None = None  # 1-based line in the document, where known


@dataclass
class Row:
    """One record of the table."""

    number: int
    cells: dict[str, Cell]
    line: int | None = None

    def text(self, column: str | None) -> str:
        """The text of a column ('' when the row has no such cell)."""
        cell = self.cells.get(column) if column else None
        return cell.text if cell else ""


@dataclass
class Table:
    """What a reader found: the column names in order and the rows."""

    columns: list[str]
    rows: list[Row]

    def row(self, number: int) -> Row | None:
        """The row with this number."""
        if not hasattr(self, "_by_number"):
            self._by_number = {r.number: r for r in self.rows}
        return self._by_number.get(number)


def looks_like_html(text: str) -> bool:
    """Whether the text is an HTML page (a sign-in page, an error page) rather than data."""
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype", "<html", "<head", "<body")) or bool(
        re.match(r"<(?:html|head|body|div|meta|title)\b", head)
    )


def read(fmt: str, text: str, *, records: str | None = None, html_table: int = 1) -> Table:
    """Read ``text`` as a table of format ``fmt``; :class:`TableError` says what is wrong."""
    if fmt == "csv":
        return read_csv(text)
    if fmt == "yaml":
        return read_yaml(text, records)
    if fmt == "json":
        return read_json(text, records)
    if fmt == "html":
        return read_html(text, html_table)
    raise TableError(f"unknown format {fmt!r}")


# --- CSV -------------------------------------------------------------------------------------


def read_csv(text: str) -> Table:
    """A CSV with one header row. A row with more cells than the header is an error (the
    columns would be shifted); a shorter row has empty trailing cells."""
    if looks_like_html(text):
        raise TableError("this is an HTML page, not CSV (a sign-in or error page?)")
    # strict: a quote never closed is an error ("unexpected end of data"), not a last
    # cell that swallowed the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise TableError("the CSV is empty") from None
    except csv.Error as err:
        raise TableError(f"row 1: {err}") from None
    columns = _unique([h.strip() for h in header])
    if not any(columns):
        raise TableError("the CSV's first row (the header) is empty")
    rows = []
    number = 1
    try:
        for number, record in enumerate(reader, start=2):
            if len(record) > len(columns) and any(c.strip() for c in record[len(columns) :]):
                raise TableError(
                    f"row {number} has {len(record)} cells but the header has {len(columns)}: "
                    "the CSV is ragged (an unquoted comma, or a shifted row?)"
                )
            if not any(c.strip() for c in record):
                continue
            _check_quoting(record, columns, number)
            cells = {columns[i]: Cell(value) for i, value in enumerate(record[: len(columns)])}
            rows.append(Row(number, cells))
    except csv.Error as err:
        if "unexpected end of data" in str(err):
            raise TableError(
                f'row {number + 1}: a quote (") opened in this row is never closed, so it '
                "would swallow every row after it; fix the quote in the file"
            ) from None
        raise TableError(f"row {reader.line_num}: {err}") from None
    if not rows:
        raise TableError("the CSV has a header but no rows")
    return Table(columns, rows)


def _check_quoting(record: list[str], columns: list[str], number: int) -> None:
    """A stray quote that a later one closes swallows the rows between into one cell: a
    cell with two lines that each hold exactly a row's number of commas is that, not
    text (a quote never closed is the reader's "unexpected end of data")."""
    if len(columns) < 4:
        return
    for value in record:
        if "\n" in value and (
            sum(line.count(",") == len(columns) - 1 for line in value.split("\n")[1:]) >= 2
        ):
            raise TableError(
                f"row {number}: a quoted cell holds lines that look like rows — an "
                'unbalanced quote (") swallowed them; fix the quote in the file'
            )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


# --- YAML ------------------------------------------------------------------------------------


def read_yaml(text: str, records: str | None = None) -> Table:
    """A YAML list of mappings (or a mapping whose ``records`` key holds the list). Every
    scalar is read as the text it is (no dates, no numbers): the quote is what is written."""
    import yaml  # here: a run whose YAML tables are unchanged never needs it

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise TableError(f"broken YAML: {where}{problem}") from None
    if root is None:
        raise TableError("the YAML document is empty")
    items = _records_node(root, records)
    rows, columns = [], []
    for number, node in enumerate(items.value, start=1):
        if not isinstance(node, yaml.MappingNode):
            raise TableError(f"record {number} (line {node.start_mark.line + 1}) is not a mapping")
        cells = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in columns:
                columns.append(key)
            cell = _yaml_cell(value_node)
            if cell is not None:
                cells[key] = cell
        rows.append(Row(number, cells, line=node.start_mark.line + 1))
    return Table(columns, rows)


def _records_node(root, records: str | None):
    import yaml

    if isinstance(root, yaml.SequenceNode) and records is None:
        return root
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value == records and isinstance(value_node, yaml.SequenceNode):
                return value_node
        raise TableError(
            f'the YAML is a mapping; set records = "<key>" to the key holding the list '
            f"(keys: {', '.join(k.value for k, _ in root.value[:10])})"
        )
    raise TableError("the YAML is not a list of records")


def _yaml_cell(node) -> Cell | None:
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return Cell(node.value, line=line)
    if isinstance(node, yaml.SequenceNode):
        items = [n.value for n in node.value if isinstance(n, yaml.ScalarNode)]
        return Cell(", ".join(items), items=items, line=line)
    if isinstance(node, yaml.MappingNode):
        parts = {k.value: v for k, v in node.value}
        value = parts.get("value")
        if isinstance(value, yaml.ScalarNode):
            note = parts.get("explanation")
            return Cell(
                value.value,
                note=note.value.strip() if isinstance(note, yaml.ScalarNode) else None,
                line=value.start_mark.line + 1,
            )
    return None


# --- JSON ------------------------------------------------------------------------------------


def read_json(text: str, records: str | None = None) -> Table:
    """A JSON list of objects (or an object whose ``records`` key holds the list)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise TableError(f"broken JSON: line {err.lineno}, column {err.colno}: {err.msg}") from None
    if isinstance(data, dict):
        if records is None or not isinstance(data.get(records), list):
            raise TableError(
                f'the JSON is an object; set records = "<key>" to the key holding the list '
                f"(keys: {', '.join(list(data)[:10])})"
            )
        data = data[records]
    if not isinstance(data, list):
        raise TableError("the JSON is not a list of records")
    rows, columns = [], []
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise TableError(f"record {number} is not an object")
        cells = {}
        for key, value in record.items():
            if key not in columns:
                columns.append(key)
            cell = _json_cell(value)
            if cell is not None:
                cells[key] = cell
        rows.append(Row(number, cells))
    return Table(columns, rows)


def _json_text(value) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _json_cell(value) -> Cell | None:
    text = _json_text(value)
    if text is not None:
        return Cell(text)
    if isinstance(value, list):
        items = [t for t in (_json_text(v) for v in value) if t]
        return Cell(", ".join(items), items=items)
    if isinstance(value, dict) and _json_text(value.get("value")) is not None:
        note = value.get("explanation")
        return Cell(_json_text(value["value"]), note=note if isinstance(note, str) else None)
    return None


# --- HTML ------------------------------------------------------------------------------------


def read_html(text: str, which: int = 1) -> Table:
    """The ``which``-th <table> of a page (or of a markdown file holding HTML). The header
    is the first row of <th> cells; rowspan and colspan are spread over the rows and
    columns they cover, so every row has every column."""
    from bs4 import BeautifulSoup  # HTML tables only

    soup = BeautifulSoup(text, "html.parser")
    tables = soup.find_all("table")
    if len(tables) < which:
        raise TableError(f"the page has {len(tables)} <table> element(s); html_table = {which}")
    table = tables[which - 1]
    grid = _grid(table)
    header_index = next(
        (i for i, (row, is_header, _) in enumerate(grid) if is_header and any(row)), None
    )
    if header_index is None:
        raise TableError(f"<table> {which} has no header row (<th> cells)")
    columns = _unique([c.text if c else "" for c in grid[header_index][0]])
    rows = []
    for row, is_header, line in grid[header_index + 1 :]:
        if is_header or not any(c and c.text for c in row):
            continue
        cells = {columns[i]: cell for i, cell in enumerate(row[: len(columns)]) if cell is not None}
        rows.append(Row(len(rows) + 1, cells, line=line))
    if not rows:
        raise TableError(f"<table> {which} has a header but no rows")
    return Table(columns, rows)


def _grid(table) -> list[tuple[list[Cell | None], bool, int | None]]:
    """The table's rows with row- and colspans spread: (cells, is a header row, line)."""
    grid: list[tuple[list[Cell | None], bool, int | None]] = []
    pending: dict[int, tuple[Cell, int]] = {}  # column → (cell, rows still covered)
    header_cells: set[int] = set()
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a nested table's rows
        row: list[Cell | None] = []
        column = 0
        tags = tr.find_all(["td", "th"], recursive=False)

        def fill_pending(row: list[Cell | None] = row) -> None:
            nonlocal column
            while column in pending:
                cell, left = pending[column]
                row.append(cell)
                if left <= 1:
                    del pending[column]
                else:
                    pending[column] = (cell, left - 1)
                column += 1

        for tag in tags:
            fill_pending()
            text = " ".join(tag.get_text(" ").split())
            links = [a["href"] for a in tag.find_all("a", href=True)]
            cell = Cell(text, links=links, line=tag.sourceline)
            if tag.name == "th":
                header_cells.add(id(cell))
            span = _span(tag.get("colspan"))
            for _ in range(span):
                row.append(cell)
                rowspan = _span(tag.get("rowspan"))
                if rowspan > 1:
                    pending[column] = (cell, rowspan - 1)
                column += 1
        fill_pending()
        # a row of <th> cells, or an empty <tr> that a header's rowspan covers
        is_header = bool(row) and all(c is None or id(c) in header_cells for c in row)
        grid.append((row, is_header, tr.sourceline))
    return grid


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1
