"""The website's pages: home, search, a page per model, a report per checked post, the
charts, and Datasette's introspection pages without the builder's paths. Each handler
reads the (immutable) knowledge base and renders a template of ./templates."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlencode

from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from datasette.views.index import IndexView
from markupsafe import Markup

from kbuild.fields import CARD_FIELDS
from kbuild.model_names import MAX_NAME, ModelNames
from kbuild.publish import charts
from kbuild.publish.site.values import VERDICTS, short_url

# Tables in the order a newcomer needs them; the rest are kbuild's bookkeeping.
MAIN_TABLES = (
    "cards", "models", "conflicts", "facts", "evidence", "papers", "documents", "sources",
    "table_rows", "claims", "verdicts", "corroboration", "table_anomalies",
)  # fmt: skip
EXAMPLE_MODELS = ("bert", "gpt-3", "llama", "t5", "mistral-7b", "bloom")


@dataclass
class Site:
    """What the pages need of the knowledge base, read once: it is served immutable."""

    database: str | None = None
    names: ModelNames | None = None
    model_names: dict[str, str] = field(default_factory=dict)
    facts: dict[str, str | None] = field(default_factory=dict)
    svgs: dict[str, str] = field(default_factory=dict)
    documents: dict[int, str | None] = field(default_factory=dict)
    keys_indexed: bool = False  # model_names_fts is there (built by extract since issue 25)

    @classmethod
    async def load(cls, datasette) -> Site:
        for name, db in datasette.databases.items():
            if name == "_internal" or not await db.table_exists("card_values"):
                continue

            def read(conn):
                import sqlite_utils

                return ModelNames.from_db(
                    sqlite_utils.Database(conn, execute_plugins=False), table_rows=True
                )

            names = await db.execute_fn(read)
            return cls(
                database=name,
                names=names,
                model_names=dict(names.names),
                keys_indexed=await db.table_exists("model_names_fts"),
            )
        return cls()

    def resolve(self, name: str) -> str | None:
        return self.names.resolve(name) if self.names else None

    async def fact_label(self, datasette, database: str, fact_id: str) -> str | None:
        """How a link to a fact reads: its source and value ('arxiv: 2018-10-11')."""
        if fact_id not in self.facts:
            rows = await datasette.get_database(database).execute(
                "select d.source, f.value from facts f join documents d on d.id = f.document_id "
                "where f.id = ?",
                [fact_id],
            )
            row = rows.first()
            value = row["value"] if row else None
            if value and len(value) > 40:
                value = value[:39] + "…"
            self.facts[fact_id] = f"{row['source']}: {value}" if row else None
        return self.facts[fact_id]

    async def document_label(self, datasette, database: str, document_id: int) -> str | None:
        """How a link to a document reads: its source and public address."""
        if document_id not in self.documents:
            rows = await datasette.get_database(database).execute(
                "select source, location, item from documents where id = ?", [document_id]
            )
            row = rows.first()
            label = None
            if row:
                where = short_url(row["location"], 50)
                label = f"{row['source']}: {where}" + (f" ({row['item']})" if row["item"] else "")
            self.documents[document_id] = label
        return self.documents[document_id]


def _site(datasette) -> Site:
    site = getattr(datasette, "_kbuild", None)
    if site is None or site.database is None:
        raise NotFound("No knowledge base here: serve a database kbuild built")
    return site


def _json_value(value):
    """What JSON makes of the values the pages hold: a dataclass as its fields (the
    explorer's filters), a JSON text cell as what it holds, the rest as text."""
    if hasattr(value, "__dataclass_fields__"):
        return dict(value.__dict__)
    return str(value)


async def _rows(datasette, sql: str, params=()) -> list[dict]:
    site = _site(datasette)
    results = await datasette.get_database(site.database).execute(sql, params)
    return [dict(zip(results.columns, row, strict=True)) for row in results.rows]


async def _render(datasette, request, template: str, context: dict) -> Response:
    """The page, or with ``.json`` in its address the same fields as JSON."""
    if request.url_vars.get("format") == "json":
        return Response.json(
            # (not the HTML a page makes of its values: the values themselves)
            {k: v for k, v in context.items() if not callable(v) and not isinstance(v, Markup)},
            default=_json_value,
        )
    site = _site(datasette)
    route = datasette.get_database(site.database).route
    html = await datasette.render_template(
        template, {**context, "db": route, "site": site}, request=request
    )
    return Response.html(html)


# --- home --------------------------------------------------------------------------


async def home(datasette, request, send):
    """The home page: search, the posts' reports, conflicts, charts, then the tables."""
    site = getattr(datasette, "_kbuild", None)
    if site is None or site.database is None:
        return await IndexView.as_view(datasette)(request, send)
    counts = (
        await _rows(
            datasette,
            """select (select count(*) from models) as models,
              (select count(*) from documents) as documents,
              (select count(*) from facts) as facts,
              (select count(*) from sources) as sources,
              (select count(distinct model_id) from card_values) as cards""",
        )
    )[0]
    conflicts = await _rows(
        datasette,
        "select field, count(*) as n, count(distinct model_id) as models from conflicts "
        "group by field order by n desc",
    )
    examples = [
        {"id": m, "name": site.model_names[m]} for m in EXAMPLE_MODELS if m in site.model_names
    ]
    metadata = datasette.metadata(database=site.database) or {}
    queries = await datasette.get_canned_queries(site.database, request.actor)
    return await _render(
        datasette,
        request,
        "kbuild_home.html",
        {
            "counts": counts,
            "posts": await _posts(datasette),
            "conflicts": conflicts,
            "conflict_total": sum(c["n"] for c in conflicts),
            "examples": examples,
            "queries": [
                {"name": name, "title": q.get("title", name), "description": q.get("description")}
                for name, q in queries.items()
            ],
            "tables": await _tables(datasette, site, metadata),
            "about": datasette.metadata("description_html") or "",
            "charts": [
                ("timeline", "Timeline of first publications, by architecture"),
                ("params", "Parameters against date, log scale, by architecture"),
                ("lineage", "Family tree: which model was made from which"),
            ],
        },
    )


async def _posts(datasette) -> list[dict]:
    posts = await _rows(
        datasette,
        """select c.post, c.post_key, max(c.checked_at) as checked_at, count(*) as claims,
          json_group_object(v.verdict, 1) as seen
        from claims c join verdicts v on v.claim_id = c.id
        group by c.post_key order by checked_at desc""",
    )
    verdicts = await _rows(
        datasette,
        "select c.post_key, v.verdict, count(*) as n from claims c "
        "join verdicts v on v.claim_id = c.id group by c.post_key, v.verdict",
    )
    by_post: dict[str, dict[str, int]] = defaultdict(dict)
    for row in verdicts:
        by_post[row["post_key"]][row["verdict"]] = row["n"]
    for post in posts:
        post["verdicts"] = [(v, by_post[post["post_key"]].get(v, 0)) for v in VERDICTS]
    return posts


async def _tables(datasette, site: Site, metadata: dict) -> list[dict]:
    described = metadata.get("tables", {})
    db = datasette.get_database(site.database)
    names = [*await db.table_names(), *await db.view_names()]
    hidden = set(await db.hidden_table_names())
    shown = [n for n in names if n not in hidden and not described.get(n, {}).get("hidden")]
    order = {n: i for i, n in enumerate(MAIN_TABLES)}
    tables = []
    for name in sorted(shown, key=lambda n: (order.get(n, len(order)), n)):
        tables.append(
            {
                "name": name,
                "description": described.get(name, {}).get("description", ""),
                "main": name in order,
                "view": name in await db.view_names(),
            }
        )
    return tables


# --- search ------------------------------------------------------------------------


async def search(datasette, request, send):
    """Models whose names match what was typed, the one ``kbuild check`` would pick
    first; a link to search the evidence for the words."""
    site = _site(datasette)
    # (a search is for a name: what is past the longest name any model has is not read)
    q = (request.args.get("q") or "")[:MAX_NAME].strip()
    found: list[dict] = []
    if q:
        best = site.resolve(q)
        key = _key(q)
        if not site.keys_indexed:
            # (a knowledge base built before the index: every key read)
            named = "select model_id from model_names where key like '%' || :key || '%'"
        elif len(key) >= 3:
            # names holding the key, through the trigram index (a phrase: its letters in
            # a row)
            named = "select model_id from model_names_fts where model_names_fts match :phrase"
        else:
            # too short for trigrams: names that begin with it, through the key's index
            named = (
                "select model_id from model_names where key >= :key and key < :key || char(1114111)"
            )
        rows = await _rows(
            datasette,
            f"""select c.model_id, c.name, c.date, c.params, c.lab, c.architecture
            from cards c join models m on m.id = c.model_id
            where c.model_id = :best or c.model_id in ({named})
            order by c.model_id != :best, m.name not like :like, length(c.name),
              c.name collate nocase
            limit 100""",
            {
                "best": best or "",
                "like": f"%{q}%",
                "key": key,
                "phrase": '"' + key.replace('"', '""') + '"',
            },
        )
        found = rows
    return await _render(
        datasette,
        request,
        "kbuild_search.html",
        {
            "q": q,
            "found": found,
            "closest": [] if found or not q else site.names.closest(q),
            "evidence_url": "?".join(
                [
                    f"/{datasette.get_database(site.database).route}/search_evidence",
                    urlencode({"phrase": q}),
                ]
            ),  # fmt: skip
        },
    )


def _key(text: str) -> str:
    from kbuild.config import name_key

    return name_key(text)


# --- a model's page ------------------------------------------------------------------


# A model's current documents: its own and those that state a fact about it (a union of
# two index lookups; an OR read every document).
MODEL_DOCUMENTS_SQL = """select d.id, d.source, d.location, d.item, d.final_url, d.fetched_at,
  (select count(*) from facts f where f.document_id = d.id and f.model_id = :m) as facts
from current_documents d
where d.id in (
  select id from documents where model_id = :m
  union select document_id from facts where model_id = :m)
order by d.source, d.id"""


async def model(datasette, request, send):
    """A model's card with a citation per value, its conflicts side by side, every fact
    by field, its papers and documents, its lineage, the tables that name it and what
    checked posts claim about it."""
    site = _site(datasette)
    model_id = unquote(tilde_decode(request.url_vars["model_id"]))
    rows = await _rows(datasette, "select * from models where id = ?", [model_id])
    if not rows:
        found = site.resolve(model_id)
        if found:
            return Response.redirect(f"/model/{quote(found)}")
        # a dead end offers the closest names, as `kbuild card` does
        closest = site.names.closest(model_id.replace("-", " ")) if site.names else []
        if request.url_vars.get("format") == "json":
            return Response.json(
                {"error": f"no model {model_id!r}", "closest": closest}, status=404
            )
        html = await datasette.render_template(
            "kbuild_search.html",
            {"q": model_id, "found": [], "closest": closest, "missing": True, "site": site,
             "evidence_url": "/" + datasette.get_database(site.database).route
             + "/search_evidence?" + urlencode({"q": model_id}),
             "db": datasette.get_database(site.database).route},
            request=request,
        )  # fmt: skip
        return Response.html(html, status=404)
    row = rows[0]
    row["aliases"] = json.loads(row["aliases"] or "[]")
    card = await _rows(
        datasette,
        "select * from preferred_facts where model_id = ?",
        [model_id],
    )
    order = {k: i for i, k in enumerate(CARD_FIELDS)}
    card.sort(key=lambda r: order.get(r["field"], len(order)))
    conflicts = await _rows(
        datasette,
        "select * from conflicts where model_id = ? order by field, other_fact_id",
        [model_id],
    )
    variants = await _rows(
        datasette,
        "select * from variants where model_id = ? order by field, other_fact_id",
        [model_id],
    )
    disagreeing = defaultdict(int)
    for conflict in conflicts:
        disagreeing[conflict["field"]] += 1
    facts = await _rows(
        datasette,
        """select e.*, e.id in (select fact_id from card_values where model_id = :m) as on_card
        from evidence e where e.model_id = :m
        order by e.field, e.trust_rank, e.confidence desc, e.id""",
        {"m": model_id},
    )
    by_field: dict[str, list[dict]] = defaultdict(list)
    for fact in facts:
        by_field[fact["field"]].append(fact)
    fields = sorted(by_field, key=lambda f: (order.get(f, len(order)), f))
    papers = await _rows(
        datasette,
        """select arxiv_id, title, published, version, pdf_url from papers
        where arxiv_id = :a or arxiv_id in (
          select normalized from facts where model_id = :m and field = 'arxiv_id')""",
        {"a": row["arxiv_id"] or "", "m": model_id},
    )
    documents = await _rows(datasette, MODEL_DOCUMENTS_SQL, {"m": model_id})
    table_rows = await _rows(
        datasette,
        """select t.source, t.row, t.name, t.status, t.matched_by, t.document_id,
          (select f.url from facts f where f.document_id = t.document_id
             and json_extract(f.locator, '$.row') = t.row limit 1) as url
        from table_rows t where t.model_id = ? order by t.source, t.row""",
        [model_id],
    )
    claims = await _rows(
        datasette,
        """select c.post, c.post_key, c.line, c.kind, c.field, c.text, v.verdict
        from claims c join verdicts v on v.claim_id = c.id
        where c.model_id = ? order by c.post, c.line""",
        [model_id],
    )
    return await _render(
        datasette,
        request,
        "kbuild_model.html",
        {
            "model": row,
            "card": card,
            "disagreeing": disagreeing,
            "conflicts": conflicts,
            "variants": variants,
            "fields": [(f, by_field[f]) for f in fields],
            "papers": papers,
            "documents": documents,
            "lineage": await _lineage(datasette, site, model_id),
            "table_rows": table_rows,
            "claims": claims,
        },
    )


async def _lineage(datasette, site: Site, model_id: str) -> dict:
    """The lineage edges from and to the model, one per (model, kind) with every
    source that states it."""
    edges = await _rows(
        datasette,
        "select * from lineage where model_id = :m or parent_id = :m order by kind, source, id",
        {"m": model_id},
    )
    grouped: dict[tuple, dict] = {}
    for edge in edges:
        other = edge["parent_id"] if edge["model_id"] == model_id else edge["model_id"]
        side = "built_on" if edge["model_id"] == model_id else "children"
        entry = grouped.setdefault(
            (side, other, edge["kind"]),
            {"side": side, "other": other, "name": site.model_names.get(other, other),
             "kind": edge["kind"], "evidence": []},
        )  # fmt: skip
        entry["evidence"].append(edge)
    return {
        side: [e for e in grouped.values() if e["side"] == side]
        for side in ("built_on", "children")
    }


# --- a post's report -----------------------------------------------------------------


async def post(datasette, request, send):
    """A checked post's report: verdict counts, then every claim with its verdict and
    evidence, grouped by model."""
    post_key = request.url_vars["post_key"]
    claims = await _rows(
        datasette,
        """select c.*, v.verdict, v.explanation, v.fact_id, f.quote as evidence,
          f.value as evidence_value, d.source as evidence_source,
          coalesce(f.url, d.final_url, d.location) as evidence_url, m.name as model_name
        from claims c join verdicts v on v.claim_id = c.id
        left join facts f on f.id = v.fact_id
        left join documents d on d.id = f.document_id
        left join models m on m.id = c.model_id
        where c.post_key = ?
        order by c.model_id is null, m.name collate nocase, c.model, c.kind, c.line""",
        [post_key],
    )
    if not claims:
        raise NotFound(f"No checked post {post_key!r}: the home page lists the posts checked")
    from kbuild.publish.site.post_view import highlighted

    stored = await _rows(datasette, "select text, kind from posts where post_key = ?", [post_key])
    first = sorted(
        (c for c in claims if c["verdict"] in ("contradicted", "unknown_model")),
        key=lambda c: (c["line"], c["field"]),
    )
    counts = defaultdict(int)
    groups: dict[tuple, list[dict]] = {}
    for claim in claims:
        counts[claim["verdict"]] += 1
        key = (claim["model_id"], claim["model_name"] or claim["model"] or "(no model)")
        groups.setdefault(key, []).append(claim)
    return await _render(
        datasette,
        request,
        "kbuild_post.html",
        {
            "post": claims[0]["post"],
            "checked_at": max(c["checked_at"] for c in claims),
            "total": len(claims),
            "counts": [(v, counts.get(v, 0)) for v in VERDICTS if counts.get(v)],
            "groups": [
                {"model_id": k[0], "name": k[1], "claims": v, "verdicts": _verdicts(v)}
                for k, v in groups.items()
            ],
            "first": first,
            "text": stored[0]["text"] if stored else None,
            "marked": highlighted(stored[0]["text"], claims) if stored else None,
        },
    )


def _verdicts(claims: list[dict]) -> list[tuple[str, int]]:
    counts = defaultdict(int)
    for claim in claims:
        counts[claim["verdict"]] += 1
    return [(v, counts[v]) for v in VERDICTS if counts.get(v)]


# --- charts ---------------------------------------------------------------------------


async def _chart_rows(datasette) -> list[dict]:
    return await _rows(datasette, charts.SQL)


async def chart(datasette, request, send):
    """A chart as an SVG file (drawn once: the database is immutable)."""
    site = _site(datasette)
    name = request.url_vars["name"]
    model_id = request.url_vars.get("model_id")
    key = f"{name}/{model_id}" if model_id else name
    if key not in site.svgs:
        edges = await _rows(datasette, "select * from lineage") if name == "lineage" else None
        found = charts.points(await _chart_rows(datasette), everything=bool(model_id))
        if model_id:
            # one family tree, readable: the models joined to this one by any edge
            edges = charts.tree_of(model_id, edges or [])
            found = [{**p, "tracked": p["id"] == model_id} for p in found]
        site.svgs[key] = charts.render(name, found, lambda i: f"/model/{i}", edges)
    return Response(site.svgs[key], content_type="image/svg+xml; charset=utf-8")


# --- query pages -----------------------------------------------------------------------


async def query_examples(datasette, database: str, request) -> dict | None:
    """For a canned query: links that give rows (close names for a name that found
    none, the query's examples)."""
    canned = request.url_vars.get("table") if request else None
    if not canned:
        return None
    queries = await datasette.get_canned_queries(database, request.actor)
    query = queries.get(canned)
    if not query or not query.get("examples"):
        return None
    site = _site(datasette)
    route = datasette.get_database(database).route
    typed = {k: request.args.get(k) for k in request.args if not k.startswith("_")}
    typed = {k: v for k, v in typed.items() if v}
    links = []
    # close names only for a name that found nothing: difflib over every name is dear
    model = typed.get("model")
    closest = site.names.closest(model) if model and not site.names.resolve(model) else []
    for model_id in closest:
        links.append(
            {"href": f"/{route}/{canned}?{urlencode({'model': model_id})}",
             "label": site.model_names[model_id]}
        )  # fmt: skip
    for example in query["examples"]:
        links.append(
            {"href": f"/{route}/{canned}?{urlencode(example)}",
             "label": ", ".join(f"{k} = {v}" for k, v in example.items())}
        )  # fmt: skip
    if typed:
        message = "Nothing matched " + ", ".join(f"{k} = “{v}”" for k, v in typed.items())
        message += ". Close names and examples that give rows:" if closest else ". Try:"
    else:
        message = "Fill in the form, or start from one of these:"
    return {"message": message, "links": links}


# --- Datasette's introspection, without paths ----------------------------------------


async def databases(datasette, request, send):
    """/-/databases without each database file's path."""
    data = [{k: v for k, v in d.items() if k != "path"} for d in datasette._connected_databases()]
    return await _json_page(datasette, request, "databases.json", data)


async def plugins(datasette, request, send):
    """/-/plugins without the folders plugins live in."""
    data = [
        {k: v for k, v in p.items() if k not in ("static_path", "templates_path")}
        for p in datasette._plugins(request)
    ]
    return await _json_page(datasette, request, "plugins.json", data)


async def threads(datasette, request, send):
    """/-/threads without the tasks' descriptions (they hold the code's folders)."""
    data = {k: v for k, v in datasette._threads().items() if k != "tasks"}
    return await _json_page(datasette, request, "threads.json", data)


async def _json_page(datasette, request, filename: str, data) -> Response:
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    if request.url_vars.get("format"):
        return Response.json(data)
    html = await datasette.render_template(
        "show_json.html",
        {"filename": filename, "data_json": json.dumps(data, indent=4)},
        request=request,
    )
    return Response.html(html)


# --- explorer ------------------------------------------------------------------------


async def explore(datasette, request, send):
    """/explore (and .json, .csv): the models that pass the URL's filters, sorted, with
    the chart of date against size (see :mod:`kbuild.publish.site.explore`)."""
    from kbuild.publish.site import explore as explorer

    site = _site(datasette)
    if not await datasette.get_database(site.database).table_exists("explore_rows"):
        # a knowledge base built by an older kbuild, not extracted since
        return Response.text(
            "This knowledge base has no explore_rows table yet: run `kbuild extract` once "
            "with this kbuild, then reload.",
            status=503,
        )
    filters = explorer.Filters.of(request.args)
    format_ = request.url_vars.get("format")
    try:
        offset = max(0, int(request.args.get("offset") or 0))
    except ValueError:
        offset = 0
    # CSV is the export: every row that passes
    limit = None if format_ == "csv" else explorer.PAGE
    found = await explorer.find(datasette, site.database, filters, offset, limit)
    given = {key: request.args.get(key) for key in request.args.keys()}
    query = urlencode({k: v for k, v in given.items() if v and k != "offset"})
    answer = explorer.respond(
        found, filters, format_, "/explore.json" + (f"?{query}" if query else "")
    )
    if answer is not None:
        return answer
    args = {k: v for k, v in given.items() if v and k not in ("sort", "desc", "offset")}

    def sort_url(column: str) -> str:
        desc = filters.sort == column and not filters.desc
        return "/explore?" + urlencode({**args, "sort": column, **({"desc": "1"} if desc else {})})

    def page_url(at: int) -> str:
        return "/explore?" + urlencode({**{k: v for k, v in given.items() if v}, "offset": at})

    end = offset + len(found.rows)
    return await _render(
        datasette,
        request,
        "kbuild_explore.html",
        {
            "filters": filters,
            "rows": found.rows,
            "count": found.count,
            "page": explorer.PAGE,
            "first": offset + 1,
            "last": end,
            "previous_url": page_url(max(0, offset - explorer.PAGE)) if offset else None,
            "next_url": page_url(end) if end < found.count else None,
            "total": found.total,
            # (the chart's rows stop at CHART_POINTS: say so)
            "chart_cut": len(found.chart) if len(found.chart) >= explorer.CHART_POINTS else 0,
            "choices": await explorer.choices(datasette, site.database),
            "columns": explorer.COLUMNS,
            "sort_url": sort_url,
            "traces": explorer.chart_json(found.chart),
            "json_url": "/explore.json" + (f"?{query}" if query else ""),
            "csv_url": "/explore.csv" + (f"?{query}" if query else ""),
        },
    )


async def plotly_js(datasette, request, send):
    from kbuild.publish.site import explore as explorer

    return explorer.plotly_js()
