"""Run the extractors over the stored documents and write ``facts``.

Incremental: a document is extracted again only when its extractor version or what the
extraction depends on (the tracked models) changed. Documents are only read.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlite_utils

from kbuild import model_names, text_index
from kbuild.code_digest import code_digest
from kbuild.extract import extractors
from kbuild.fields import CARD_FIELDS
from kbuild.normalize.lab import org_rows
from kbuild.store import (
    EXPLORE_ROWS,
    ensure_indexes,
    ensure_schema,
    insert_rows,
    refresh_materialized,
    set_aside_indexes,
    utc_now,
)
from kbuild.tables.spec import TableSpec
from kbuild.trust import trust_rows

if TYPE_CHECKING:
    from kbuild.extract.facts import Fact
    from kbuild.extract.statements import Subject

# A run extracting at least this many documents, and at least half of them, rebuilds the
# facts' full-text index once at the end (kbuild/text_index.py): at 27,621 facts, 0.06 s
# against 1.3 s of triggers
BULK_DOCUMENTS = 1000

# The extractors, the cards and lineage are loaded when there is something to extract or
# build: a re-run that finds nothing changed is mostly the start of the process.


@dataclass
class ExtractReport:
    documents: int = 0
    extracted: int = 0
    skipped: int = 0
    facts_written: int = 0
    quotes_rejected: int = 0
    suspect: int = 0  # table facts the audit flags (all of them, not only this run's)
    failures: list[str] = field(default_factory=list)
    stale_posts: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)  # what build_derived built again


def _models(db: sqlite_utils.Database) -> list[dict]:
    models = []
    # (the arXiv id too: a doc page reads a quoted abstract as the model's only when it
    # cites the model's own paper)
    for row in db.query("select id, name, aliases, arxiv_id from models order by id"):
        row["aliases"] = json.loads(row["aliases"] or "[]")
        models.append(row)
    return models


# changing the extractor or normalizer code re-extracts
CODE = code_digest(
    "extract/*.py",
    "normalize/*.py",
    "normalize/data/*.toml",
    "tables/*.py",
    "catalog.py",
    "fields.py",
)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps([CODE, value], sort_keys=True).encode()).hexdigest()[:16]


def _replace(
    db: sqlite_utils.Database, table: str, rows: list[dict], pk, replace: bool = False
) -> None:
    """Make ``table`` hold exactly ``rows`` (written only when it does not already: a
    re-run that changes nothing writes nothing); ``replace``: later rows of the same key
    win, else a repeated key is an error."""
    columns = [c.name for c in db[table].columns]  # (ensure_schema made the table)
    stored = sorted(db.execute(f"select * from [{table}]").fetchall(), key=repr)
    wanted = sorted((tuple(row.get(c) for c in columns) for row in rows), key=repr)
    if stored == wanted and all(set(row) <= set(columns) for row in rows):
        return
    db.execute(f"delete from [{table}]")
    db[table].insert_all(rows, pk=pk, replace=replace)


def _table_specs(db: sqlite_utils.Database) -> dict[str, TableSpec]:
    """The table sources, as the last fetch stored them."""
    return {
        row["name"]: TableSpec.from_json(json.loads(row["spec"]))
        for row in db.query("select name, spec from sources where kind = 'table' order by name")
    }


@dataclass
class _Planner:
    """What deciding whether a document is to be extracted reads besides the document,
    read once per run: the models and their names' digest, each table's spec (and as
    stored, as JSON text) and which of a table document's rows is which model."""

    by_id: dict[str, dict]
    context: str
    specs: dict[str, TableSpec]
    spec_json: dict[str, str]
    assignments: dict[int, dict[int, dict]]

    @classmethod
    def of(cls, db: sqlite_utils.Database, models: list[dict], specs: dict) -> _Planner:
        assignments: dict[int, dict[int, dict]] = {}
        for row in db.query(
            "select t.document_id, t.row, t.model_id, t.name, t.size, t.status, "
            "m.name as model_name from table_rows t join models m on m.id = t.model_id "
            "where t.status in ('matched', 'added') order by t.document_id, t.row"
        ):
            assignments.setdefault(row.pop("document_id"), {})[row["row"]] = row
        return cls(
            by_id={m["id"]: m for m in models},
            context=_digest(models),
            specs=specs,
            spec_json={n: json.dumps(s.as_json(), sort_keys=True) for n, s in specs.items()},
            assignments=assignments,
        )

    def plan(
        self, document: dict
    ) -> tuple[str, Callable[[], tuple[list[Fact], list]] | None] | None:
        """(extractor@version:context, how to extract a table) for one document (no
        "how" for a paper, record or doc page: :class:`Primary` extracts those), or None.

        The context digests the extractor code and what the extraction reads besides
        the document: for a table, its spec and which row is which model; for prose,
        every tracked model's names."""
        source = document["source"]
        if source in self.specs:
            spec = self.specs[source]
            assigned = self.assignments.get(document["id"], {})
            table_context = _digest([self.spec_json[source], sorted(assigned.items())])

            def run_table() -> list[Fact]:
                from kbuild.extract import tables
                from kbuild.extract.audit import audit

                found = tables.extract(document, spec, assigned)
                names = {n: (a["model_id"], a["name"]) for n, a in assigned.items()}
                return found, audit(found, names)

            return f"{extractors.TABLES}:{table_context}", run_table
        if self.by_id.get(document["model_id"]) is None or source not in extractors.PRIMARY:
            return None
        return f"{extractors.PRIMARY[source]}:{self.context}", None


class Primary:
    """Extraction of an arXiv record, a doc page or a PDF: a pure function of the
    document and the tracked models, so it runs in this process or, with ``--jobs``, in
    others (each builds its name index once)."""

    def __init__(self, models: list[dict]):
        from kbuild.extract import arxiv, hf_docs, hub, pdf, repos
        from kbuild.extract.statements import NameIndex

        self.by_id = {m["id"]: m for m in models}
        self.names = NameIndex(models)
        self.subjects: dict[str, Subject] = {}
        self.modules = {"arxiv": arxiv, "hf_doc": hf_docs, "pdf": pdf, "repo": repos, "hub": hub}

    def subject(self, model_id: str) -> Subject:
        """The model's :class:`~kbuild.extract.statements.Subject`: one per model, shared
        by its record, doc page and PDF (compiling its name pattern is the dear part)."""
        from kbuild.extract.statements import Subject

        if model_id not in self.subjects:
            self.subjects[model_id] = Subject.of(self.by_id[model_id], index=self.names)
        return self.subjects[model_id]

    def __call__(self, task: tuple) -> list[Fact]:
        source, document, pages, full = task
        model = self.by_id[document["model_id"]]
        subject = self.subject(model["id"])
        if source == "pdf":
            return self.modules["pdf"].extract(full, model, pages, subject)
        return self.modules[source].extract(document, model, subject)


def primary_task(db: sqlite_utils.Database, document: dict) -> tuple:
    """What :class:`Primary` needs of a document: its body, and for a PDF its pages and
    stored file."""
    document["body"] = db.execute(
        "select body from documents where id = ?", [document["id"]]
    ).fetchone()[0]
    pages, full = None, None
    if document["source"] == "pdf":
        pages = list(
            db.query(
                "select page, text from pages where document_id = ? order by page",
                [document["id"]],
            )
        )
        full = db["documents"].get(document["id"])
    if document["source"] == "repo":
        document["siblings"] = repo_siblings(db, document)
    return (document["source"], document, pages, full)


def repo_siblings(db: sqlite_utils.Database, document: dict) -> list[tuple[str, str]]:
    """The other files stored from the same repository for the same model, (path, text):
    whether a LICENSE is the code's depends on whether the weights have a licence file,
    and a commit dates a release only if the files do not say otherwise."""
    repo = "/".join((document.get("location") or "").split("/")[:5])  # https://github.com/o/n
    prefix = f"{document['model_id']}:"
    return [
        (item[len(prefix) :], body or "")
        for item, body in db.execute(
            "select item, body from current_documents where source = 'repo' and model_id = ? "
            "and substr(location, 1, ?) = ? and id != ? order by item",
            [document["model_id"], len(repo) + 1, repo + "/", document["id"]],
        )
        if item
        and item.startswith(prefix)
        and not item.endswith(("_history.tsv", "license.json"))
        and not item[len(prefix) :].startswith("commits:")
    ]


_WORKER: Primary | None = None


def _start_worker(models: list[dict], parent: int) -> None:
    global _WORKER
    _end_with_parent(parent)
    _WORKER = Primary(models)


def _end_with_parent(parent: int) -> None:
    """Have the kernel stop this worker when the extract that started it dies (even by
    ``kill -9``; Linux only): a worker must not go on with a long PDF nobody will
    store."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the call: nobody to work for
        os._exit(0)


def _work_chunk(tasks: list[tuple]) -> list:
    """A pool worker's share: each document's facts, or the error that stopped it."""
    from kbuild.extract.executors import extract_one

    return [extract_one(_WORKER, task) for task in tasks]


def run(
    db: sqlite_utils.Database,
    *,
    full: bool = False,
    progress=None,
    jobs: int = 1,
    executor: str | None = None,
) -> ExtractReport:
    """Extract facts from every document whose extraction is missing or out of date.

    Papers, records, doc pages and PDFs are extracted where ``executor`` says
    (:mod:`kbuild.extract.executors`: ``local``, ``processes``, ``dask`` or
    ``dask://HOST:PORT``; ``jobs`` processes or local Dask workers); tables, and every
    write, in this process."""
    with _fewer_collections():
        return _run(db, full=full, progress=progress, jobs=jobs, executor=executor)


@contextlib.contextmanager
def _fewer_collections(young: int = 10_000):
    """Python's cycle collector run every ``young`` new objects instead of every 700: a
    run makes millions of short-lived ones (regions, matches, facts) and few cycles, and
    the collections took 3 % of its time (1 % after)."""
    before = gc.get_threshold()
    if before[0] == 0:  # collection turned off by the caller: left off
        yield
        return
    gc.set_threshold(max(young, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _run(
    db: sqlite_utils.Database,
    *,
    full: bool,
    progress,
    jobs: int,
    executor: str | None,
) -> ExtractReport:
    from kbuild.extract import executors

    kind, address = executors.parse(executor, jobs)
    ensure_schema(db)
    # an extract killed while the facts' index was suspended: rebuilt before anything
    text_index.resume(db)
    specs = _table_specs(db)
    with db.atomic():
        _replace(db, "orgs", org_rows(), pk="alias", replace=True)
        _replace(db, "source_trust", trust_rows(list(specs.values())), pk=("field", "source"))
    models = _models(db)
    planner = _Planner.of(db, models, specs)
    report = ExtractReport()

    def plans() -> Iterator[tuple[dict, tuple | None, bool]]:
        """Each document (without its body: bodies are read one at a time, when a
        document is extracted), its plan, and whether it is to be extracted: read from
        the database as they go, so that memory does not hold every document."""
        for document in db.query(
            "select d.id, d.source, d.model_id, d.location, d.final_url, d.item, d.sha256, "
            "d.content_type, x.context as done from documents d "
            "left join extractions x on x.document_id = d.id order by d.id"
        ):
            done = document.pop("done")
            planned = planner.plan(document)
            yield document, planned, planned is not None and (full or done != planned[0])

    batch = _Batch(db)

    def keep(document: dict, planned_context: str, found) -> None:
        """Check and store what was extracted from one document."""
        from kbuild.extract.addresses import fact_url
        from kbuild.extract.verify import quote_holds

        if isinstance(found, Exception):
            report.failures.append(f"document {document['id']} ({document['location']}): {found}")
            return
        facts, anomalies = found if isinstance(found, tuple) else (found, [])
        rows, seen = [], set()
        for fact in facts:
            row = fact.row()
            row["url"] = fact_url(document, fact.locator, fact.field, specs.get(document["source"]))
            if row["id"] in seen:
                continue
            seen.add(row["id"])
            if not quote_holds(
                db,
                row,
                document if document["source"] != "pdf" else None,
                specs.get(document["source"]),
                # (a span read as it was made; a table's cell from its stored form)
                fact.locator if "row" not in fact.locator else None,
            ):
                report.quotes_rejected += 1
                continue
            rows.append(row)
        kept = {row["id"] for row in rows}
        batch.add(
            document["id"],
            rows,
            [a.as_row() for a in anomalies if a.fact_id in kept],
            {
                "document_id": document["id"],
                "extractor": planned_context.split(":")[0],
                "context": planned_context,
                "facts": len(rows),
                "extracted_at": utc_now(),
            },
        )
        report.extracted += 1
        report.facts_written += len(rows)
        document.pop("body", None)

    # started when a paper, record, doc page or PDF is to be extracted: a run that finds
    # nothing to do need not build its name index nor start workers
    pool: executors.Executor | None = None
    window: list[tuple[dict, str, tuple]] = []
    in_flight: list[tuple[list, object]] = []

    def start() -> executors.Executor:
        if kind == "local":
            return executors.Executor(models)
        if kind == "processes":
            return executors.Processes(models, jobs if jobs > 1 else os.cpu_count() or 1)
        return executors.Dask(
            models, planner.context, address, jobs if jobs > 1 else os.cpu_count() or 1
        )

    def send() -> None:
        """Give the window to the workers; keep what came back of the one before (two
        in flight: they extract while this process writes)."""
        in_flight.append((list(window), pool.submit([task for _, _, task in window])))
        window.clear()
        while len(in_flight) > (1 if pool.kind != "local" else 0):
            receive()

    def receive() -> None:
        entries, pending = in_flight.pop(0)
        for (document, planned_context, _), found in zip(
            entries, pool.gather(pending), strict=True
        ):
            keep(document, planned_context, found)

    # what is to be extracted, decided first: a run that rewrites most facts writes
    # their full-text index once at the end instead of a row at a time
    # (counted in a first pass, the documents read again in the second)
    todo = primaries = 0
    for _, planned, to_extract in plans():
        report.documents += 1
        if to_extract:
            todo += 1
            primaries += planned[1] is None
            continue
        report.skipped += planned is not None
        if progress:
            progress()
    try:
        # the workers first: an executor that cannot start stops the run before any write
        if primaries:
            pool = start()
        if todo >= BULK_DOCUMENTS and 2 * todo >= report.documents:
            text_index.suspend(db, "facts")
            text_index.suspend_marks(db)
            set_aside_indexes(db, "facts", keep=["document_id"])
        for document, planned, to_extract in plans() if todo else ():
            if not to_extract:
                continue
            planned_context, extract_table = planned
            if progress:
                progress()
            if extract_table is not None:
                # the documents before it are written first: the facts' order is the
                # documents' whatever the window of the executor
                if window:
                    send()
                while in_flight:
                    receive()
                try:
                    document["body"] = db.execute(
                        "select body from documents where id = ?", [document["id"]]
                    ).fetchone()[0]
                    found = extract_table()
                except Exception as err:  # one bad document must not stop the run
                    found = RuntimeError(str(err))
                keep(document, planned_context, found)
                continue
            window.append((document, planned_context, primary_task(db, document)))
            if len(window) >= pool.window():
                send()
        if window:
            send()
        while in_flight:
            receive()
    except BaseException:
        # what was extracted whole is written, a re-run starts after it, and the facts'
        # index is whole again (a flush or rebuild that fails too rolls back, the note
        # in suspended_indexes has the next extract rebuild: the error to show is the
        # first)
        with contextlib.suppress(Exception):
            batch.flush()
        with contextlib.suppress(Exception):
            text_index.resume(db)
        with contextlib.suppress(Exception):
            ensure_indexes(db)
        raise
    finally:
        if pool is not None:
            pool.close()
    batch.flush()
    text_index.resume(db)
    ensure_indexes(db)
    report.built = build_derived(db, full)
    report.suspect = db["anomalies"].count
    # Verdicts of `kbuild check` point at facts; a fact that changed leaves them behind.
    report.stale_posts = [
        row["post"]
        for row in db.query(
            "select distinct c.post from verdicts v join claims c on c.id = v.claim_id "
            "where v.fact_id is not null and v.fact_id not in (select id from facts)"
        )
    ]
    return report


# (store.py: the views the cards are computed from and the SQL of `cards` and `conflicts`)
DERIVED_CODE = code_digest(
    "cards.py",
    "compare.py",
    "lineage.py",
    "model_names.py",
    "trust.py",
    "store.py",
    "families.py",
    "normalize/data/*.toml",
)


def _derived_digest(db: sqlite_utils.Database, current: list[int], names_state: list) -> str:
    """What ``card_values``, ``model_names`` and ``lineage`` are computed from: the code,
    the models' names and the tables' rows (``names_state``), the sources, which
    documents are ``current`` and the facts (their count and largest rowid; a fact
    written again in the place it had leaves a mark in ``cards_stale`` instead). Equal
    to the last build's and nothing marked: they need not be rebuilt."""
    state = [
        CODE,
        DERIVED_CODE,
        names_state,
        list(db.execute("select name, kind, spec, witness, primary_source from sources")),
        list(db.execute("select count(*), max(rowid) from facts")),
        list(db.execute("select count(*), max(rowid) from anomalies")),
        current,
    ]
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:16]


def build_derived(db: sqlite_utils.Database, full: bool = False) -> list[str]:
    """Bring what is computed from the facts up to date with them: ``name_words``, the
    cards (``card_values``, ``cards``, ``conflicts``: for every model with ``full`` or a
    changed rule, else only for the models that changed), ``model_names`` and ``lineage``
    (when what they read changed). Returns what was built."""
    built = []
    model_names.refresh_words(db)
    # read once: at a million facts each of these is a second
    current = sorted(r[0] for r in db.execute("select id from current_documents"))
    names_state = _names_state(db)
    derived = _derived_digest(db, current, names_state)
    stored = db.execute("select digest from derived where name = 'cards'").fetchone()
    # (a fact written again can take the rowid it had, so a mark counts too)
    marked = db.execute("select 1 from cards_stale limit 1").fetchone()
    if not full and stored and stored[0] == derived and not marked:
        return built
    # cards are computed a model at a time: when only facts and documents changed,
    # only the models they concern are computed again
    rules = _rules_digest(db)
    ruled = db.execute("select digest from derived where name = 'card_rules'").fetchone()
    changed_only = not full and bool(ruled) and ruled[0] == rules
    from kbuild import cards, lineage

    # names and lineage read a few of the facts: built again when those changed
    names = _digest([DERIVED_CODE, *names_state])
    names_stale = _stale(db, "model_names", names, full)
    if names_stale:
        # the explorer's rows of every model are made again with the names, not with the
        # cards too: until they are, the digests of both are gone, so that a run killed
        # in between leaves the next one to build them
        with db.atomic():
            db.execute("delete from derived where name in ('cards', 'model_names')")
    models = cards.write(db, changed_only, current=set(current), explore=not names_stale)
    built.append("cards of every model" if models is None else f"cards of {len(models)} models")
    if names_stale:
        from kbuild import families

        # (one transaction: the explorer's rows read the families)
        with db.atomic():
            model_names.write(db)
            families.write(db)
            refresh_materialized(db, None, tables=EXPLORE_ROWS)
        built.append("model_names")
    edges = _digest([CODE, DERIVED_CODE, *names_state, *_lineage_state(db, set(current))])
    if _stale(db, "lineage", edges, full):
        lineage.write(db)
        built.append("lineage")
    with db.atomic():
        now = utc_now()
        rows = [
            {"name": "cards", "digest": derived, "built_at": now},
            {"name": "card_rules", "digest": rules, "built_at": now},
            {"name": "model_names", "digest": names, "built_at": now},
            {"name": "lineage", "digest": edges, "built_at": now},
        ]
        insert_rows(db, "derived", rows)
    return built


def _stale(db: sqlite_utils.Database, name: str, digest: str, full: bool) -> bool:
    """Whether ``name`` is to be built again: ``--full``, or its inputs' digest is not
    the one it was last built from."""
    stored = db.execute("select digest from derived where name = ?", [name]).fetchone()
    return full or not stored or stored[0] != digest


def _names_state(db: sqlite_utils.Database) -> list:
    """What ``model_names`` is built from: the models' names and the tables' rows."""
    return [
        list(db.execute(f"select {', '.join(model_names.NAME_COLUMNS)} from models order by id")),
        list(
            db.execute(
                "select source, row, name, model_id, status from table_rows order by source, row"
            )
        ),
    ]


def _lineage_state(db: sqlite_utils.Database, current: set[int]) -> list:
    """What ``lineage`` reads besides the names: the current facts of the fields that
    name parents (a fact's id follows its content), the current doc pages and Hub answers
    (a Hub base model is found by the model whose repository it is) (found by field and
    by source through indexes, then kept when current)."""
    from kbuild.lineage import FIELDS

    marks = ", ".join("?" * len(FIELDS))
    facts = db.execute(
        f"select id, document_id, qualifier from facts where field in ({marks})", FIELDS
    )
    pages = db.execute(
        "select id from documents where source in ('hf_doc', 'hub') "
        "and model_id is not null and body is not null"
    )
    return [
        # (a base model's qualifier says fine-tuned or built on: not in a fact's id)
        sorted([i, q or ""] for i, document, q in facts if document in current),
        sorted(doc for (doc,) in pages if doc in current),
    ]


def _rules_digest(db: sqlite_utils.Database) -> str:
    """What every card is computed with, whatever the model: the code, the sources and
    their trust. Equal to the last build's: only the models whose facts, documents or
    names changed need computing again (kbuild.cards.changed_models)."""
    state = [
        DERIVED_CODE,
        list(db.execute("select name, kind, spec, witness, primary_source from sources")),
        list(db.execute("select field, source, rank from source_trust order by field, source")),
    ]
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:16]


class _Batch:
    """Documents' new facts, written a batch at a time: per document, its old facts and
    anomalies go, its new ones come and its "done" mark is set in the same transaction
    (one commit per batch, not per document: a commit is an fsync)."""

    SIZE = 200

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.pending: list[tuple[int, list[dict], list[dict], dict]] = []

    def add(self, document_id: int, facts: list[dict], anomalies: list[dict], done: dict):
        self.pending.append((document_id, facts, anomalies, done))
        if len(self.pending) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        ids = json.dumps([p[0] for p in self.pending])
        with self.db.atomic():
            for table in ("anomalies", "facts"):
                self.db.execute(
                    f"delete from {table} where document_id in (select value from json_each(?))",
                    [ids],
                )
            insert_rows(self.db, "facts", [f for p in self.pending for f in p[1]])
            insert_rows(self.db, "anomalies", [a for p in self.pending for a in p[2]])
            insert_rows(self.db, "extractions", [p[3] for p in self.pending])
        self.pending.clear()


def coverage(db: sqlite_utils.Database) -> list[dict]:
    """Per card field: how many models have a value, and how many have conflicts."""
    total = db["models"].count
    rows = []
    for key in CARD_FIELDS:
        with_value = db.execute(f"select count(*) from cards where [{key}] is not null").fetchone()[
            0
        ]
        conflicts = db.execute(
            "select count(distinct model_id) from conflicts where field = ?", [key]
        ).fetchone()[0]
        rows.append({"field": key, "models": with_value, "of": total, "conflicts": conflicts})
    return rows
