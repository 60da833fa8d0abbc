"""A ``[tables.<name>]`` section of the sources file: where a table lives, how to read it,
which of its columns are card fields, how far to trust it and what it was copied from."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kbuild.fields import CARD_FIELDS

FORMATS = ("csv", "yaml", "json", "html")
# What a column can hold: a card field, the catalog's separate fine-tuning task, or a
# lineage edge (the model it was built on; what it depends on).
COLUMN_FIELDS = (*CARD_FIELDS, "finetuning_task", "base_model", "dependencies")
LINEAGE_FIELDS = ("base_model", "dependencies")
PRECISIONS = ("year", "month", "day")
# Names a table may not take: the primary sources' own `source` values.
RESERVED = {"arxiv", "hf_doc", "hf_docs", "pdf", "tables", "models"}
TABLE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DEFAULT_CONFIDENCE = 0.6
DEFAULT_TRUST = 50
MIN_TABLE_RANK = 10

_KEYS = {
    "location",
    "format",
    "enabled",
    "timeout",
    "retries",
    "max_bytes",
    "name_column",
    "columns",
    "link_columns",
    "filter",
    "derived_from",
    "adds_models",
    "trust",
    "confidence",
    "confidence_column",
    "confidence_values",
    "licence",
    "license",
    "homepage",
    "description",
    "records",
    "files",
    "html_table",
    "public_url",
    "file_url",
    "row_url",
}
# bounds on the numbers a sources file sets: a typo must not make one fetch run for days
MAX_RETRIES = 20
MAX_TIMEOUT = 600.0

_COLUMN_KEYS = {"field", "notes", "unit", "kind", "precision", "split", "fine_tuned_when"}


class SpecError(Exception):
    """A table section is malformed; the message says which key and what to write."""


@dataclass
class ColumnSpec:
    """How one column of a table becomes facts."""

    field: str
    notes: str | None = None  # a column whose text explains this one (the fact's context)
    unit: str | None = None  # for bare numbers: "B" when "11" means 11 billion
    kind: str | None = None  # for dates: publication, release, ...
    precision: str | None = None  # for dates stored finer than known ("2018-06-01" = 06/2018)
    split: str | None = None  # the cell is a list of names separated by this
    # for a base model: a column whose positive number (Epoch's finetune compute) says the
    # model was fine-tuned from it; empty or zero, it is only built on it (FunSearch
    # prompts PaLM 2, ULMFiT pretrains its own AWD-LSTM)
    fine_tuned_when: str | None = None


@dataclass
class TableSpec:
    """One table source, validated."""

    name: str
    location: str
    base_dir: Path
    format: str = "csv"
    enabled: bool = True
    timeout: float = 30.0
    retries: int = 4
    max_bytes: int = 50_000_000
    name_column: str | None = None
    # None: match the headers loosely, as the catalog's spelling varies
    columns: dict[str, ColumnSpec] | None = None
    link_columns: list[str] = field(default_factory=list)
    filter: dict[str, list[str]] = field(default_factory=dict)
    derived_from: list[str] = field(default_factory=list)
    adds_models: bool = False
    trust: dict[str, int] = field(default_factory=lambda: {"default": DEFAULT_TRUST})
    confidence: float = DEFAULT_CONFIDENCE
    confidence_column: str | None = None
    confidence_values: dict[str, float] = field(default_factory=dict)
    licence: str | None = None
    homepage: str | None = None
    description: str | None = None
    records: str | None = None
    files: str = "*.yaml"
    html_table: int = 1
    # public addresses: of the table when read from a local copy (by default the URL of
    # the file it extends), of one file of a folder ({file}), of one row ({row}, {line})
    public_url: str | None = None
    file_url: str | None = None
    row_url: str | None = None

    @property
    def public_location(self) -> str | None:
        """The table's public address: its URL, or the one of the live table it copies."""
        return self.location if self.is_remote else self.public_url

    @property
    def is_remote(self) -> bool:
        """Whether the location is an http(s) URL rather than a local path."""
        return self.location.startswith(("http://", "https://"))

    @property
    def path(self) -> Path:
        """The local file or folder, relative paths resolved against the sources file."""
        path = Path(self.location).expanduser()
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    def rank(self, field_key: str) -> int:
        """How far this table is trusted for a field (1 = most trusted)."""
        return self.trust.get(field_key, self.trust.get("default", DEFAULT_TRUST))

    def as_json(self) -> dict:
        """The spec as stored in the ``sources`` table, so extract needs no sources file
        (and no path of the machine that built it: a local location is its file name)."""
        data = asdict(self)
        data["base_dir"] = "."
        if not self.is_remote:
            data["location"] = Path(self.location).name
        return data

    @classmethod
    def from_json(cls, data: dict) -> TableSpec:
        """The inverse of :meth:`as_json`."""
        data = dict(data)
        data["base_dir"] = Path(data["base_dir"])
        if data.get("columns") is not None:
            data["columns"] = {k: ColumnSpec(**v) for k, v in data["columns"].items()}
        return cls(**data)


def _type_error(key: str, expected: str, value) -> SpecError:
    return SpecError(f"{key} must be {expected}, not {type(value).__name__} {value!r}")


def _column(column: str, raw) -> ColumnSpec:
    where = f"columns.{column!r}"
    if isinstance(raw, str):
        raw = {"field": raw}
    if not isinstance(raw, dict):
        raise _type_error(where, 'a field name or a table like {field = "params", ...}', raw)
    unknown = set(raw) - _COLUMN_KEYS
    if unknown:
        raise SpecError(
            f"{where}: unknown key(s) {sorted(unknown)}; expected {sorted(_COLUMN_KEYS)}"
        )
    for key, value in raw.items():
        if not isinstance(value, str):
            raise _type_error(f"{where}.{key}", "a string", value)
    spec = ColumnSpec(**raw)
    if spec.field not in COLUMN_FIELDS:
        raise SpecError(f"{where}: field {spec.field!r} is not one of {', '.join(COLUMN_FIELDS)}")
    if spec.precision is not None and spec.precision not in PRECISIONS:
        raise SpecError(f"{where}: precision must be one of {', '.join(PRECISIONS)}")
    if spec.unit is not None and spec.unit.upper() not in ("M", "B", "T"):
        raise SpecError(f"{where}: unit must be M, B or T")
    if spec.fine_tuned_when is not None and spec.field != "base_model":
        raise SpecError(f"{where}: fine_tuned_when is for a base_model column")
    return spec


def parse(name: str, raw: dict, base: TableSpec | None, base_dir: Path) -> TableSpec:
    """Validate a ``[tables.<name>]`` section, on top of ``base`` (from an extended file)."""
    if not TABLE_NAME_RE.match(name) or name in RESERVED:
        raise SpecError(
            f"the table name {name!r} must be lower case letters, digits and '_' "
            f"(and not one of {', '.join(sorted(RESERVED))})"
        )
    if not isinstance(raw, dict):
        raise SpecError("must be a table")
    unknown = set(raw) - _KEYS
    if unknown:
        raise SpecError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_KEYS)}")
    if base is None and "location" not in raw:
        raise SpecError("needs a 'location' (a URL, a file or a folder)")
    values = dict(base.__dict__) if base else {"name": name, "location": "", "base_dir": base_dir}
    if "location" in raw:
        values["base_dir"] = base_dir
        if base is not None and base.is_remote and "public_url" not in raw:
            values["public_url"] = base.location
    for key, value in raw.items():
        key = "licence" if key == "license" else key
        values[key] = _value(key, value)
    spec = TableSpec(**values)
    if spec.format not in FORMATS:
        raise SpecError(f"format must be one of {', '.join(FORMATS)}, not {spec.format!r}")
    if spec.columns is not None and spec.name_column is None:
        raise SpecError("a table with 'columns' needs 'name_column', the column naming the model")
    if spec.columns is not None and spec.name_column in spec.columns:
        raise SpecError(f"{spec.name_column!r} is the name column; leave it out of 'columns'")
    if not all(math.isfinite(v) and v > 0 for v in (spec.timeout, spec.max_bytes)):
        raise SpecError("timeout and max_bytes must be numbers more than 0")
    if not math.isfinite(spec.retries) or spec.retries < 0:
        raise SpecError("retries must not be negative")
    if not 0 <= spec.confidence <= 1 or not all(
        0 <= v <= 1 for v in spec.confidence_values.values()
    ):
        raise SpecError("confidence values must lie between 0 and 1")
    if any(rank < MIN_TABLE_RANK for rank in spec.trust.values()):
        raise SpecError(
            f"trust ranks of a table start at {MIN_TABLE_RANK}: the primary sources (the paper, "
            "its arXiv record, the official docs) rank 1-9, before any table"
        )
    if spec.html_table < 1:
        raise SpecError("html_table counts from 1 (the first <table> of the page)")
    return spec


def _value(key: str, value):
    """One key's value, type-checked (and columns parsed)."""
    if key in ("location", "format", "name_column", "confidence_column", "licence", "homepage",
               "description", "records", "files", "public_url", "file_url", "row_url"):  # fmt: skip
        if not isinstance(value, str) or not value.strip():
            raise _type_error(key, "a non-empty string", value)
        if key in (
            "homepage",
            "public_url",
            "file_url",
            "row_url",
        ) and not value.lower().startswith(("http://", "https://")):
            # the site shows it as a link: only a web address ("javascript:…" would run)
            raise SpecError(f"{key}: {value!r} is not an http(s) address")
        return value
    if key in ("enabled", "adds_models"):
        if not isinstance(value, bool):
            raise _type_error(key, "true or false", value)
        return value
    if key in ("timeout", "confidence"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(key, "a number", value)
        if key == "timeout" and not 0 < value <= MAX_TIMEOUT:
            raise SpecError(f"timeout: {value} is not more than 0 and at most {MAX_TIMEOUT} s")
        return float(value)
    if key in ("retries", "max_bytes", "html_table"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(key, "a whole number", value)
        if key == "retries" and not 0 <= value <= MAX_RETRIES:
            raise SpecError(f"retries: {value} is not between 0 and {MAX_RETRIES}")
        return value
    if key in ("link_columns", "derived_from"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise _type_error(key, "a list of strings", value)
        return list(value)
    if key == "columns":
        if not isinstance(value, dict) or not value:
            raise _type_error(key, "a table mapping column names to fields", value)
        return {column: _column(column, spec) for column, spec in value.items()}
    if key == "filter":
        if not isinstance(value, dict):
            raise _type_error(key, 'a table like { Domain = "Language" }', value)
        found = {}
        for column, wanted in value.items():
            wanted = [wanted] if isinstance(wanted, str) else wanted
            if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
                raise _type_error(f"filter.{column}", "a string or a list of strings", wanted)
            found[column] = wanted
        return found
    if key == "trust":
        if isinstance(value, int) and not isinstance(value, bool):
            return {"default": value}
        if not isinstance(value, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value.values()
        ):
            raise _type_error(key, "a rank (1 = most trusted) or a table field → rank", value)
        unknown = set(value) - {"default", *COLUMN_FIELDS}
        if unknown:
            raise SpecError(f"trust: unknown field(s) {sorted(unknown)}")
        return {"default": DEFAULT_TRUST, **value}
    if key == "confidence_values":
        if not isinstance(value, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
        ):
            raise _type_error(key, "a table value → confidence (0–1)", value)
        return {k: float(v) for k, v in value.items()}
    raise AssertionError(key)  # pragma: no cover - _KEYS and this function list the same keys


def check_lineage(tables: dict[str, TableSpec]) -> None:
    """Every ``derived_from`` names another table, and no table derives from itself."""
    for spec in tables.values():
        for parent in spec.derived_from:
            if parent not in tables:
                raise SpecError(
                    f"[tables.{spec.name}] derived_from names {parent!r}, which is not a table "
                    f"of this sources file (tables: {', '.join(tables)})"
                )
    for spec in tables.values():
        seen, todo = set(), list(spec.derived_from)
        while todo:
            parent = todo.pop()
            if parent == spec.name:
                raise SpecError(f"[tables.{spec.name}] derived_from loops back to itself")
            if parent not in seen:
                seen.add(parent)
                todo.extend(tables[parent].derived_from)


def witness(name: str, tables: dict[str, TableSpec]) -> str:
    """The original a table was copied from (itself when it is an original): copies of one
    original are one witness, not several."""
    spec = tables.get(name)
    while spec is not None and spec.derived_from:
        name = spec.derived_from[0]
        spec = tables.get(name)
    return name


def resolve_columns(spec: TableSpec, columns: list[str]) -> tuple[str, dict[str, ColumnSpec]]:
    """(the name column, column → ColumnSpec) for a table with these columns. Without
    declared ``columns`` the headers are matched loosely, as the catalog's are ("Num.
    Params" or "Number of Parameters"). :class:`SpecError` names a declared column the
    table does not have."""
    from kbuild.catalog import field_for_header

    if spec.columns is None:
        found: dict[str, ColumnSpec] = {}
        name = spec.name_column
        taken: set[str] = set()
        for column in columns:
            key = field_for_header(column)
            if key == "name" and name is None:
                name = column
            elif key and key != "name" and key not in taken and column != name:
                taken.add(key)
                found[column] = ColumnSpec(key)
        if name is None or name not in columns:
            raise SpecError(
                f"no model name column among the headers {columns!r}; expected a column "
                "called 'Name' or 'Model', or set name_column"
            )
        return name, found
    wanted = [spec.name_column]
    if spec.format in ("csv", "html"):
        # a header names every column; records (YAML, JSON) may leave a key out
        wanted += [*spec.columns, *(s.notes for s in spec.columns.values() if s.notes)]
        wanted += [s.fine_tuned_when for s in spec.columns.values() if s.fine_tuned_when]
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise SpecError(
            f"column(s) {', '.join(map(repr, missing))} named in [tables.{spec.name}] "
            f"are not in the table; its columns are {', '.join(map(repr, columns[:40]))}"
        )
    return spec.name_column, dict(spec.columns)
