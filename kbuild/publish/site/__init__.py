"""The knowledge base as a website: kbuild's Datasette plugin.

Datasette alone shows tables; a newcomer needs pages that lead somewhere. This plugin
adds a home page, a page per model and a report per checked post (register_routes),
shows values as a reader reads them and ids as links (render_cell), and lets the canned
queries match model and field names the way ``kbuild check`` does (prepare_connection:
``kbuild_model()``, ``kbuild_field()``). It acts only on databases kbuild built (those
with a ``card_values`` table) and hides the paths of the machine that built them.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from kbuild.catalog import field_for_header
from kbuild.fields import CARD_FIELDS
from kbuild.model_names import ModelNames
from kbuild.publish import live
from kbuild.publish.site import pages
from kbuild.publish.site.values import locator_text, readable, short_url, source_label

MAX_VALUE_BYTES = 64_000_000  # above the 50 MB cap on a stored document
# Columns whose value is a fact id, a model id, a URL.
FACT_COLUMNS = {"fact_id", "card_fact_id", "other_fact_id"} | {f"{k}_fact_id" for k in CARD_FIELDS}
MODEL_COLUMNS = {"model_id", "like_model_id"}
DOCUMENT_COLUMNS = {"document_id", "catalog_document_id"}
URL_COLUMNS = {"url", "card_url", "other_url", "final_url", "location", "homepage", "pdf_url"}
# Columns that hold a card value, read with the row's field.
VALUE_COLUMNS = {
    "value", "normalized", "shown", "card_value", "other_value", "text",
    "params", "lab", "corpus", "task", "family", "date", "largest", "smallest",
}  # fmt: skip


@hookimpl
def startup(datasette):
    async def inner():
        datasette._kbuild_live = live.attach(datasette)
        datasette._kbuild = await pages.Site.load(datasette)

    return inner


@hookimpl
def asgi_wrapper(datasette):
    # `kbuild serve` serves a copy; the server's own event loop watches the database
    # and serves a new copy after each build (kbuild.publish.live).
    def wrap(app):
        async def watched(scope, receive, send):
            watcher = getattr(datasette, "_kbuild_live", None)
            if watcher is not None and scope["type"] == "http":
                watcher.start()
            await app(scope, receive, send)

        return watched

    return wrap


@hookimpl
def prepare_connection(conn, database, datasette):
    names = _names(conn)
    if names is None:
        return
    # Datasette's time limit cannot stop one call that builds a huge value
    # (printf('%.*c', 900000000, 'x')): no value may outgrow the largest stored document.
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.create_function("kbuild_model", 1, names.resolve, deterministic=True)
    conn.create_function("kbuild_field", 1, field_key, deterministic=True)


def field_key(text: str | None) -> str | None:
    """A field as a reader may type it ("Num. Params", "Lab") → its card key."""
    if not text or not text.strip():
        return None
    key = text.strip().lower()
    if key in CARD_FIELDS:
        return key
    found = field_for_header(text)
    return found if found in CARD_FIELDS else key


def _names(conn) -> ModelNames | None:
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False)
    if not {"card_values", "models"} <= set(db.table_names()):
        return None
    return ModelNames.from_db(db, table_rows=True)


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["readable"] = lambda value, field=None: readable(value, field) or value
    env.filters["locator"] = locator_text
    env.filters["short_url"] = short_url
    env.filters["source_label"] = source_label
    env.filters["verdict_label"] = lambda v: (v or "").replace("_", " ")


@hookimpl
def extra_css_urls(datasette):
    return ["/-/static-plugins/kbuild/kbuild.css"]


@hookimpl
def extra_js_urls(datasette):
    # (it waits for the page: it labels the cells of the tables drawn)
    return [{"url": "/-/static-plugins/kbuild/kbuild.js", "module": False}]


@hookimpl
def register_routes(datasette):
    return [
        (pattern, within_deadline(page))
        for pattern, page in [
            (r"^/$", pages.home),
            (r"^/search(\.(?P<format>json))?$", pages.search),
            (r"^/explore(\.(?P<format>json|csv))?$", pages.explore),
            (r"^/-/kbuild/plotly\.min\.js$", pages.plotly_js),
            # (ids hold dots, "llama-3.1": the id is the shortest that leaves ".json" or nothing)
            (r"^/model/(?P<model_id>[^/]+?)(\.(?P<format>json))?$", pages.model),
            (r"^/post/(?P<post_key>[^/]+?)(\.(?P<format>json))?$", pages.post),
            (r"^/charts/(?P<name>timeline|params|lineage)\.svg$", pages.chart),
            (r"^/charts/(?P<name>lineage)/(?P<model_id>[^/]+)\.svg$", pages.chart),
            # Datasette's own pages would show where the database and the code live.
            (r"^/-/databases(\.(?P<format>json))?$", pages.databases),
            (r"^/-/plugins(\.(?P<format>json))?$", pages.plugins),
            (r"^/-/threads(\.(?P<format>json))?$", pages.threads),
        ]
    ]


# A page of kbuild's that takes longer than this answers 503 and says so; its queries
# stop at Datasette's SQL time limit (sql_time_limit_ms) on their own, and a page whose
# query was stopped answers 503 in one line too.
PAGE_DEADLINE_SECONDS = 10.0


def within_deadline(page):
    """The page handler, answering 503 with one line when it runs past the deadline
    (Datasette passes a handler, in order, the arguments its signature names: the
    signature is kept by wraps)."""

    @functools.wraps(page)
    async def bounded(*arguments):
        try:
            return await asyncio.wait_for(page(*arguments), PAGE_DEADLINE_SECONDS)
        except TimeoutError:
            return Response.text(
                f"This page took longer than {PAGE_DEADLINE_SECONDS:g} s and was stopped; "
                "try again, or a narrower search",
                status=503,
            )
        except QueryInterrupted:
            # (a knowledge base too large for the page's query: /explore of 228,000 models)
            return Response.text(
                "This page's query ran past the SQL time limit (sql_time_limit_ms) on a "
                "knowledge base this large and was stopped; the tables' own pages (/kb/cards) "
                "page through it, or raise the limit",
                status=503,
            )

    return bounded


@hookimpl
def extra_template_vars(template, database, request, datasette, view_name):
    if template != "query.html" or not _is_kb(datasette, database):
        return {}

    async def inner():
        return {"kbuild_examples": await pages.query_examples(datasette, database, request)}

    return inner


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value is None or not _is_kb(datasette, database):
        return None
    site = datasette._kbuild
    keys = row.keys() if hasattr(row, "keys") else []

    def cell(key: str):
        # a table page hands foreign keys over as {"value": ..., "label": ...}
        found = row[key] if key in keys else None
        return found.get("value") if isinstance(found, dict) else found

    field = cell("field")
    if column == "verdict" and isinstance(value, str):
        return Markup(f'<span class="verdict verdict-{escape(value)}">{escape(value)}</span>')
    if column in MODEL_COLUMNS and isinstance(value, str):
        return _model_link(site, value, value)
    if column in ("name", "model") and isinstance(value, str):
        model_id = cell("model_id")
        if table == "models":
            model_id = cell("id")
        if model_id or column == "model":
            return _model_link(site, model_id or site.resolve(value), value)
    if column == "post" and cell("post_key"):
        return Markup(f'<a href="/post/{escape(cell("post_key"))}">{escape(value)}</a>')
    if column in FACT_COLUMNS and isinstance(value, str):
        return _fact_link(datasette, database, value)
    if column in DOCUMENT_COLUMNS and isinstance(value, int):
        return _document_link(datasette, database, value)
    if column in URL_COLUMNS and isinstance(value, str) and value.startswith("http"):
        return Markup(
            f'<a href="{escape(value)}" title="{escape(value)}">{escape(short_url(value))}</a>'
        )
    if column == "locator" and isinstance(value, str) and value.startswith("{"):
        return Markup(f'<span title="{escape(value)}">{escape(locator_text(value))}</span>')
    if column in ("aliases", "authors", "categories", "candidates", "derived_from") or (
        column in VALUE_COLUMNS
    ):
        text = readable(value, field or (column if column in CARD_FIELDS else None))
        if column in ("largest", "smallest"):
            text = readable(value, "params")
        if text is not None and text != value:
            return Markup(f'<span title="{escape(str(value))}">{escape(text)}</span>')
    return None


def _model_link(site: pages.Site, model_id: str | None, label: str) -> Markup | None:
    name = site.model_names.get(model_id) if model_id else None
    if name is None:
        return None
    return Markup(f'<a href="/model/{escape(model_id)}" title="{escape(name)}">{escape(label)}</a>')


def _fact_link(datasette, database: str, fact_id: str):
    return _row_link(datasette, database, "facts", fact_id, "fact_label")


def _document_link(datasette, database: str, document_id: int):
    return _row_link(datasette, database, "documents", document_id, "document_label")


def _row_link(datasette, database: str, table: str, key, labeller: str):
    """A link to a row of ``table``, labelled by the site's ``labeller`` (looked up once
    per row: the database is immutable)."""

    async def inner():
        label = await getattr(datasette._kbuild, labeller)(datasette, database, key)
        if label is None:
            return None
        route = datasette.get_database(database).route
        return Markup(
            f'<a href="/{escape(route)}/{table}/{escape(str(key))}" '
            f'title="{table[:-1]} {escape(str(key))}">{escape(label)}</a>'
        )

    return inner


def _is_kb(datasette, database: str | None) -> bool:
    site = getattr(datasette, "_kbuild", None)
    return bool(site and database and database == site.database)
