"""The explorer: every model in scope in one filterable, sortable table with a chart of
date against size that follows the filters. The filters live in the URL, so a view is
a link; /explore.json and /explore.csv give the same rows. The chart is drawn by
plotly.js, served by the site itself from the plotly package (no CDN: the site works
offline)."""

from __future__ import annotations

import csv
import io
import json
import weakref
from dataclasses import dataclass
from pathlib import Path

from datasette.utils.asgi import NotFound, Response

from kbuild.normalize.params import normalize_params

# A model is in scope as the model_scope view says: listed in the sources file, named by
# a checked post, undated, or first published in or after the scope's year (a checked
# post changes it, so it is not kept in explore_rows).
IN_SCOPE = """(r.year is null
  or r.year >= coalesce((select cast(value as integer) from scope where name = 'since'), 2017)
  or exists (select 1 from models m where m.id = r.model_id and m.origin = 'sources.toml')
  or exists (select 1 from claims cl where cl.model_id = r.model_id))"""
# rows a page shows (the JSON pages the same way; CSV gives every row)
PAGE = 200
# points the chart draws: past this many models it draws the first ones in the table's
# order (plotly in a browser slows past a few thousand)
CHART_POINTS = 2000
COLUMNS = (
    "name", "date", "lab", "largest", "architecture", "license", "access", "family",
    "witnesses", "disagreements",
)  # fmt: skip
CHOICES = ("architecture", "access")  # filters offered as a list of the values present


@dataclass
class Filters:
    """What the URL asks for; empty means no filter."""

    lab: str = ""
    year_from: int | None = None
    year_to: int | None = None
    size_min: float | None = None
    size_max: float | None = None
    architecture: str = ""
    license: str = ""
    access: str = ""
    family: str = ""
    witnesses: int | None = None
    disagreements: bool = False
    everything: bool = False  # out-of-scope models too
    sort: str = "date"
    desc: bool = False

    @classmethod
    def of(cls, args) -> Filters:
        """Read the query string; a value that cannot be read is left out, not an error
        (a link typed by hand still shows the models)."""

        def number(key: str, read=int):
            try:
                return read(args.get(key)) if args.get(key) else None
            except ValueError:
                return None

        def size(key: str) -> float | None:
            text = (args.get(key) or "").strip()
            if not text:
                return None
            found = normalize_params(text if text[-1:].isalpha() else text + "B").value
            return float(found[0]) if found else None

        sort = args.get("sort") or "date"
        return cls(
            lab=(args.get("lab") or "").strip(),
            year_from=number("year_from"),
            year_to=number("year_to"),
            size_min=size("size_min"),
            size_max=size("size_max"),
            architecture=(args.get("architecture") or "").strip(),
            license=(args.get("license") or "").strip(),
            access=(args.get("access") or "").strip(),
            family=(args.get("family") or "").strip(),
            witnesses=number("witnesses"),
            disagreements=args.get("disagreements") in ("1", "on", "true"),
            everything=args.get("scope") == "all",
            sort=sort if sort in COLUMNS else "date",
            desc=args.get("desc") in ("1", "on", "true"),
        )

    def where(self) -> tuple[str, dict]:
        """The filters as SQL over ``explore_rows r``, with its parameters."""
        parts, params = [], {}

        def add(sql: str, **values) -> None:
            parts.append(sql)
            params.update(values)

        if not self.everything:
            add(IN_SCOPE)
        # (a text filter is a part of the value, any case: "google" finds Google Brain)
        for column in ("lab", "license", "family"):
            if getattr(self, column):
                add(
                    f"instr(lower(r.{column}), :{column}) > 0",
                    **{column: getattr(self, column).lower()},
                )
        if self.year_from is not None:
            add("r.year >= :year_from", year_from=self.year_from)
        if self.year_to is not None:
            add("r.year <= :year_to", year_to=self.year_to)
        if self.size_min is not None:
            add("r.largest >= :size_min", size_min=self.size_min)
        if self.size_max is not None:
            add("r.largest <= :size_max", size_max=self.size_max)
        for column in ("architecture", "access"):
            if getattr(self, column):
                add(f"r.{column} = :{column}", **{column: getattr(self, column)})
        if self.witnesses is not None:
            add("r.witnesses >= :witnesses", witnesses=self.witnesses)
        if self.disagreements:
            add("r.disagreements > 0")
        return (" and ".join(parts) or "1"), params

    def order_by(self, table: str = "r") -> str:
        """Sorted by the chosen column, then the name and the id (the way of an
        ``explore_rows_by_<column>`` index, read forwards or backwards)."""
        way = " desc" if self.desc else ""
        return (
            f"{table}.[{self.sort}]{way}, {table}.name collate nocase{way}, {table}.model_id{way}"
        )


def chart(rows: list[dict]) -> list[dict]:
    """plotly traces: date against the largest size, one trace per architecture, each
    point named and keyed by its model (a click opens the model's page)."""
    traces: dict[str, dict] = {}
    for row in rows:
        if not row["date"] or not row["largest"]:
            continue
        architecture = row["architecture"] or "unknown"
        trace = traces.setdefault(
            architecture,
            {"type": "scatter", "mode": "markers", "name": architecture,
             "x": [], "y": [], "text": [], "customdata": [],
             "hovertemplate": "%{text}<br>%{x}<br>%{y:.3s} parameters<extra></extra>"},
        )  # fmt: skip
        day = row["date"] + (
            "-15" if len(row["date"]) == 7 else "-07-01" if len(row["date"]) == 4 else ""
        )
        trace["x"].append(day)
        trace["y"].append(row["largest"])
        trace["text"].append(row["name"])
        trace["customdata"].append(row["model_id"])
    return [traces[k] for k in sorted(traces)]


@dataclass
class Found:
    """A page of the models that pass the filters."""

    rows: list[dict]
    count: int  # all that pass
    total: int  # all in scope (or all, with everything)
    offset: int
    chart: list[dict]  # the chart's rows (the first CHART_POINTS in the table's order)


# the unfiltered counts of a served database (immutable while it is served: a rebuild
# serves a new Database object), as Datasette keeps its tables' counts
_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def find(
    datasette, database: str, filters: Filters, offset: int = 0, limit: int | None = PAGE
) -> Found:
    """The page of rows from ``offset`` (every row with ``limit`` None), how many pass,
    and the rows the chart draws.

    Rows with a value in the sorted column come first, read in the order of the
    column's index (a page is the index's next rows, not a sort of every model), then
    the rows without one (empty, then null), by name the same way."""
    db = datasette.get_database(database)
    where, params = filters.where()
    columns = "r.model_id, r.name, r.date, r.year, r.lab, r.architecture, r.license, " \
        "r.access, r.largest, r.family, r.witnesses, r.disagreements"  # fmt: skip
    column = f"r.[{filters.sort}]"
    present = f"{column} is not null and {column} != ''"
    order = filters.order_by()
    if limit is None:
        sql = (
            f"select {columns} from explore_rows r where {where} order by ({present}) desc, {order}"
        )
    else:
        # each part stops after offset + limit rows; the outer sort is of those alone
        params = {**params, "n": offset + limit, "limit": limit, "offset": offset}
        sql = f"""select * from (
  select * from (select {columns}, 0 as missing from explore_rows r
    where {where} and {present} order by {order} limit :n)
  union all
  select * from (select {columns}, 1 as missing from explore_rows r
    where {where} and not ({present}) order by {filters.order_by()} limit :n)
) r order by r.missing, {order} limit :limit offset :offset"""
    rows_ = await db.execute(sql, params)
    found = [
        {k: v for k, v in zip(rows_.columns, row, strict=True) if k != "missing"}
        for row in rows_.rows
    ]
    count = await _count(db, where, params)
    total = await _count(db, "1" if filters.everything else IN_SCOPE, {})
    if limit is not None and (offset or len(found) == limit):
        drawn = await db.execute(
            "select r.model_id, r.name, r.date, r.largest, r.architecture from explore_rows r "
            f"where {where} and r.date is not null and r.date != '' and r.largest > 0 "
            f"order by ({present}) desc, {order} limit {CHART_POINTS}",
            params,
        )
        chart_rows = [dict(zip(drawn.columns, row, strict=True)) for row in drawn.rows]
    else:
        chart_rows = found[:CHART_POINTS]
    return Found(found, count, total, offset, chart_rows)


async def _count(db, where: str, params: dict) -> int:
    """How many rows pass; kept for the served database when no filter narrows it."""
    kept = _COUNTS.setdefault(db, {}) if where in ("1", IN_SCOPE) else {}
    if where not in kept:
        named = {k: v for k, v in params.items() if k not in ("n", "limit", "offset")}
        kept[where] = (
            await db.execute(f"select count(*) from explore_rows r where {where}", named)
        ).rows[0][0]
    return kept[where]


async def choices(datasette, database: str) -> dict[str, list[str]]:
    """The values each list filter can take, from the knowledge base itself (through
    each column's index)."""
    db = datasette.get_database(database)
    return {
        c: [
            row[0]
            for row in (
                await db.execute(
                    f"select distinct {c} from explore_rows where {c} is not null "
                    f"and {c} != '' order by {c}"
                )
            ).rows
        ]
        for c in CHOICES
    }


def as_csv(found: list[dict]) -> str:
    """The rows as CSV, the columns the table shows plus the model's id."""
    out = io.StringIO()
    writer = csv.DictWriter(out, ["model_id", *COLUMNS], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(found)
    return out.getvalue()


def respond(found: Found, filters: Filters, format: str | None, base: str) -> Response | None:
    """The JSON or CSV answer, or None for the page. ``base``: the JSON's address
    without its offset (for the next page's)."""
    if format == "json":
        body = {
            "filters": filters.__dict__,
            "count": found.count,
            "offset": found.offset,
            "rows": found.rows,
            "next": (
                f"{base}{'&' if '?' in base else '?'}offset={found.offset + len(found.rows)}"
                if found.offset + len(found.rows) < found.count
                else None
            ),
        }
        return Response.json(body, default=str)
    if format == "csv":
        return Response(
            as_csv(found.rows),
            content_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'inline; filename="explore.csv"'},
        )
    return None


def plotly_js() -> Response:
    """plotly.js from the installed plotly package (served by the site: no CDN)."""
    import plotly  # here: only this route needs it

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise NotFound("plotly.min.js is not in the installed plotly package")
    return Response(
        path.read_text(encoding="utf-8"),
        content_type="application/javascript; charset=utf-8",
        headers={"cache-control": "max-age=86400"},
    )


def chart_json(rows_: list[dict]) -> str:
    """The traces as JSON for the page's script (safe inside a <script> element)."""
    return json.dumps(chart(rows_)).replace("</", "<\\/")
