"""The explorer: every model in scope in one filterable, sortable table with a chart of
date against size that follows the filters. The filters live in the URL, so a view is
a link; /explore.json and /explore.csv give the same rows. The chart is drawn by
plotly.js, served by the site itself from the plotly package (no CDN: the site works
offline)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from datasette.utils.asgi import NotFound, Response

from kbuild.normalize.params import normalize_params

# one row per model, with what the filters and the columns need
SQL = """select c.model_id, c.name, c.date, cast(substr(c.date, 1, 4) as integer) as year,
  c.lab, c.architecture, c.license, c.access,
  (select max(value) from json_each(c.params)) as largest,
  (select group_concat(f.family, ', ') from families f where f.model_id = c.model_id)
    as family,
  coalesce(w.witnesses, 0) as witnesses, coalesce(k.disagreements, 0) as disagreements,
  s.in_scope
from cards c join model_scope s on s.model_id = c.model_id
left join (select model_id, count(distinct witness) as witnesses from evidence
           group by model_id) w on w.model_id = c.model_id
left join (select model_id, count(*) as disagreements from conflicts
           group by model_id) k on k.model_id = c.model_id"""
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

    def keep(self, row: dict) -> bool:
        """Whether a model passes every filter."""

        def has(value, wanted: str) -> bool:
            return wanted.lower() in (value or "").lower()

        year, largest = row["year"], row["largest"]
        return (
            (self.everything or row["in_scope"])
            and (not self.lab or has(row["lab"], self.lab))
            and (self.year_from is None or (year is not None and year >= self.year_from))
            and (self.year_to is None or (year is not None and year <= self.year_to))
            and (self.size_min is None or (largest is not None and largest >= self.size_min))
            and (self.size_max is None or (largest is not None and largest <= self.size_max))
            and (not self.architecture or row["architecture"] == self.architecture)
            and (not self.license or has(row["license"], self.license))
            and (not self.access or row["access"] == self.access)
            and (not self.family or has(row["family"], self.family))
            and (self.witnesses is None or row["witnesses"] >= self.witnesses)
            and (not self.disagreements or row["disagreements"] > 0)
        )

    def order(self, rows: list[dict]) -> list[dict]:
        """Rows sorted by the chosen column; empty values last either way."""
        present = [r for r in rows if r[self.sort] not in (None, "")]
        missing = [r for r in rows if r[self.sort] in (None, "")]
        present.sort(key=lambda r: (r[self.sort], r["name"].lower()), reverse=self.desc)
        return present + missing


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


async def rows(datasette, database: str) -> list[dict]:
    """Every model's explorer row (read per request: a few milliseconds for a thousand)."""
    results = await datasette.get_database(database).execute(SQL)
    return [dict(zip(results.columns, row, strict=True)) for row in results.rows]


def as_csv(found: list[dict]) -> str:
    """The rows as CSV, the columns the table shows plus the model's id."""
    out = io.StringIO()
    writer = csv.DictWriter(out, ["model_id", *COLUMNS], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(found)
    return out.getvalue()


def choices(all_rows: list[dict]) -> dict[str, list[str]]:
    """The values each list filter can take, from the knowledge base itself."""
    return {c: sorted({r[c] for r in all_rows if r[c]}) for c in CHOICES}


def respond(found: list[dict], filters: Filters, format: str | None) -> Response | None:
    """The JSON or CSV answer, or None for the page."""
    if format == "json":
        body = {"filters": filters.__dict__, "count": len(found), "rows": found}
        return Response.json(body, default=str)
    if format == "csv":
        return Response(
            as_csv(found),
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
