"""Fetch table sources (``[tables.<name>]``): a CSV, YAML, JSON or HTML table at a URL, in a
local file, or a folder (or archive) of YAML files, one document per file.

A table is read before it is stored: a document that is not a table of its declared
format (an HTML sign-in page instead of CSV, a ragged CSV, broken YAML) is reported with
what is wrong and where, and never stored, so the last good copy stays current.
"""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kbuild.code_digest import code_digest
from kbuild.fetch.context import FetchContext, fetcher_name, refusal
from kbuild.fetch.errors import TooLarge
from kbuild.store import insert_rows, utc_now
from kbuild.tables.formats import Table, TableError, looks_like_html, read
from kbuild.tables.spec import SpecError, TableSpec, resolve_columns

ARCHIVES = (".tar.gz", ".tgz", ".tar", ".zip")
CONTENT_TYPES = {
    "csv": "text/csv",
    "yaml": "application/yaml",
    "json": "application/json",
    "html": "text/html",
}
SHARE_HELP = (
    "Google answers this way when the sheet is not shared publicly. Either share it "
    "(Share > General access > Anyone with the link > Viewer) or download it "
    "(File > Download > Comma-separated values) and set [tables.{name}] location = "
    '"path/to/{name}.csv" in {sources}.'
)


@dataclass
class Item:
    """One file of a table source, as fetched."""

    item: str | None  # the file within a folder or archive; None for a single file
    content: bytes | None  # None: a local file not read yet
    final_url: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    path: Path | None = None  # a local file
    refused: str | None = None  # why a local file is not read (a link out, a FIFO)


class Failed(Exception):
    """The whole table could not be fetched."""


def location_of(spec: TableSpec) -> str:
    """The ``documents.location`` of a table: its public address — its URL, or the URL of
    the live table a local copy stands for — else, failing one, its homepage or its name
    (never a path of this machine)."""
    return spec.public_location or spec.homepage or f"table:{spec.name}"


def parse(spec: TableSpec, content: bytes, sources: str = "sources.toml") -> Table:
    """The table in ``content``, checked to have the columns the spec names;
    :class:`TableError` says what is wrong."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise TableError(f"not UTF-8 text (byte {err.start}); save it as UTF-8") from None
    if spec.format != "html" and looks_like_html(text):
        message = f"the location answered with an HTML page, not {spec.format.upper()}."
        if spec.name == "catalog" or "docs.google.com" in spec.location:
            message += " " + SHARE_HELP.format(name=spec.name, sources=sources)
        raise TableError(message)
    table = read(spec.format, text, records=spec.records, html_table=spec.html_table)
    try:
        resolve_columns(spec, table.columns)
    except SpecError as err:
        raise TableError(str(err)) from None
    return table


def fetch(ctx: FetchContext, spec: TableSpec) -> None:
    """Fetch one table source and store each of its files that reads as a table."""
    report = ctx.report
    location = location_of(spec)
    report.start(spec.name, None)
    try:
        items = _remote(ctx, spec) if spec.is_remote else _local(spec)
    except Failed as err:
        report.record(spec.name, "failed", location=location, message=str(err))
        return
    sources = str(ctx.config.path)
    for item in items:
        # what the user reads: the file on this machine, or the URL (and archive member)
        where = str(item.path) if item.path else location
        if item.item and not item.path:
            where = f"{where} ({item.item})"
        if item.refused:
            report.record(spec.name, "failed", location=where, message=item.refused)
            continue
        if item.path and ctx.seen_unchanged(spec.name, location, item.path, item.item):
            continue  # unchanged by size and modification time: not read
        if item.content is None:
            try:
                item.content = _read_local(item.path, spec)
            except Failed as err:
                report.record(spec.name, "failed", location=where, message=str(err))
                continue
        if item.http_status == 304:
            previous = ctx.store.latest_document(spec.name, location, item.item)
            if previous:
                ctx.store.touch(previous["id"])
                report.record(spec.name, "unchanged", location=where, document_id=previous["id"])
                continue
        try:
            parse(spec, item.content, sources)
        except TableError as err:
            report.record(
                spec.name, "failed", location=where, message=f"{where}: {err}; kept what was stored"
            )
            continue
        saved = ctx.store.save_document(
            source=spec.name,
            location=location,
            item=item.item,
            content=item.content,
            fetcher=fetcher_name("tables"),
            local_path=str(item.path) if item.path else None,
            final_url=item.final_url or _file_url(spec, item.item, location),
            http_status=item.http_status,
            etag=item.etag,
            last_modified=item.last_modified,
            content_type=item.content_type
            or _content_type(spec, item.item or (item.path.name if item.path else location)),
        )
        report.record(
            spec.name,
            "fetched" if saved.new else "unchanged",
            location=where,
            document_id=saved.id,
        )


def _file_url(spec: TableSpec, item: str | None, location: str) -> str | None:
    """The public address of one file of a folder or archive table."""
    if item and spec.file_url:
        return spec.file_url.format(file=Path(item).name)
    return None if item else (location if location.startswith(("http://", "https://")) else None)


def _content_type(spec: TableSpec, name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    if name.endswith((".md", ".markdown")):
        return "text/markdown"
    return guessed if guessed and "html" not in guessed else CONTENT_TYPES[spec.format]


def _remote(ctx: FetchContext, spec: TableSpec) -> list[Item]:
    is_archive = spec.location.split("?")[0].endswith(ARCHIVES)
    conditional = {} if is_archive else ctx.conditional(spec.name, spec.location)
    try:
        answer = ctx.http(spec).get(spec.location, max_bytes=spec.max_bytes, **conditional)
    except TooLarge as err:
        raise Failed(f"{spec.location}: {err}; raise [tables.{spec.name}] max_bytes") from None
    if answer.status not in (200, 304):
        raise Failed(f"HTTP {answer.status}")
    meta = {
        "final_url": answer.final_url,
        "http_status": answer.status,
        "etag": answer.etag,
        "last_modified": answer.last_modified,
    }
    if not is_archive:
        return [Item(None, answer.content, content_type=answer.content_type, **meta)]
    return [Item(name, data, **meta) for name, data in _members(answer.content, spec)]


def _members(content: bytes, spec: TableSpec) -> list[tuple[str, bytes]]:
    """The files of an archive that match ``files`` (sizes checked before reading)."""
    import tarfile  # here: most runs read no archive
    import zipfile

    found = []
    total = 0
    try:
        if content[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                for info in archive.infolist():
                    if not info.is_dir() and PurePosixPath(info.filename).match(spec.files):
                        _check_count(found, spec)
                        total += info.file_size
                        _check_size(info.filename, info.file_size, total, spec)
                        found.append((info.filename, archive.read(info)))
        else:
            with tarfile.open(fileobj=io.BytesIO(content), mode="r:*") as archive:
                for member in archive.getmembers():
                    if member.isfile() and PurePosixPath(member.name).match(spec.files):
                        _check_count(found, spec)
                        total += member.size
                        _check_size(member.name, member.size, total, spec)
                        found.append((member.name, archive.extractfile(member).read()))
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as err:
        raise Failed(f"{spec.location}: not a readable archive ({err})") from None
    if not found:
        raise Failed(f"{spec.location}: the archive holds no file matching {spec.files!r}")
    return sorted(found)


# More files than this in one table source is no table (an archive bomb of empty files).
MAX_FILES = 10_000


def _check_count(found: list, spec: TableSpec) -> None:
    if len(found) >= MAX_FILES:
        raise Failed(
            f"{spec.location}: more than {MAX_FILES:,} files match {spec.files!r}; "
            f"make [tables.{spec.name}] files narrower"
        )


def _check_size(name: str, size: int, total: int, spec: TableSpec) -> None:
    if size > spec.max_bytes or total > 4 * spec.max_bytes:
        raise Failed(f"{name}: {size} bytes unpacked is over the {spec.max_bytes}-byte cap")


def _local(spec: TableSpec) -> list[Item]:
    path = spec.path
    if path.is_dir():
        items = []
        for found in sorted(path.glob(spec.files)):
            refused = refusal(found, path)
            if refused or found.is_file():
                _check_count(items, spec)
                items.append(Item(str(found.relative_to(path)), None, path=found, refused=refused))
        if not items:
            raise Failed(f"{path}: no file matching {spec.files!r} in this folder")
        return items
    if not path.exists():
        raise Failed(f"no such file or folder: {path}")
    if not path.is_file():
        raise Failed(f"{path} is not a regular file")
    return [Item(None, None, path=path)]


def _read_local(path: Path, spec: TableSpec) -> bytes:
    size = path.stat().st_size
    if size > spec.max_bytes:
        raise Failed(f"{path}: {size} bytes is over the {spec.max_bytes}-byte cap (max_bytes)")
    try:
        return path.read_bytes()
    except OSError as err:
        raise Failed(f"{path}: cannot read it ({err.strerror})") from None


def match_all(ctx: FetchContext) -> dict[str, dict[str, int]]:
    """Match the rows of every enabled table's stored documents to the tracked models
    (adding models where a table may), then store the models, ``table_rows`` and the
    ``sources`` rows in one transaction. Returns row counts per table and status."""
    from collections import Counter

    from kbuild import models as model_rows
    from kbuild.fetch import hf_doc_index
    from kbuild.tables.match import match_sources

    db = ctx.store.db
    specs = [s for s in ctx.config.tables.values() if s.enabled]
    sources_models = model_rows.from_sources(ctx.config.models)
    inputs = _matching_inputs(db, specs, sources_models, hf_doc_index.state(ctx))
    built = db.execute("select digest from derived where name = 'table_rows'").fetchone()
    if built and built[0] == inputs and not ctx.refresh:
        # nothing the matching reads has changed since it last ran: its rows stand
        ctx.report.tables_matched_now = False
        with ctx.store.atomic():
            ctx.store.save_sources(ctx.config)
        counts = {spec.name: Counter() for spec in specs}
        for row in db.query(
            "select source, status, count(*) as n from table_rows group by source, status"
        ):
            if row["source"] in counts:
                counts[row["source"]]["rows"] += row["n"]
                counts[row["source"]][row["status"]] += row["n"]
        return counts
    tables = []
    for spec in specs:
        documents = []
        for document in db.query(
            "select id, body from current_documents where source = ? and location = ? "
            "order by coalesce(item, ''), id",
            [spec.name, location_of(spec)],
        ):
            try:
                documents.append((document["id"], parse(spec, (document["body"] or "").encode())))
            except TableError:
                continue  # stored before the spec changed; fetch reported it
        tables.append((spec, documents))
    # the model-doc index last: a page adds a model only where no table's matches
    models, assignments, pages = match_sources(sources_models, tables, hf_doc_index.entries(ctx))
    with ctx.store.atomic():
        ctx.store.save_models(models)
        names = [spec.name for spec in specs]
        if names:
            marks = ",".join("?" * len(names))
            db.execute(f"delete from table_rows where source in ({marks})", names)
        db["table_rows"].insert_all(
            [a.as_row() for a in assignments], pk=("document_id", "row"), replace=True
        )
        ctx.store.save_sources(ctx.config)
        insert_rows(
            db, "derived", [{"name": "table_rows", "digest": inputs, "built_at": utc_now()}]
        )
    counts: dict[str, Counter] = {spec.name: Counter() for spec in specs}
    for assignment in assignments:
        counts[assignment.source]["rows"] += 1
        counts[assignment.source][assignment.status] += 1
    if pages:
        counts[hf_doc_index.SOURCE] = hf_doc_index.outcomes(ctx.report, pages)
    return counts


MATCHING_CODE = code_digest(
    "tables/*.py", "models.py", "catalog.py", "fetch/tables.py", "fetch/hf_doc_index.py",
    "normalize/dates.py",  # a row's date decides whether a size is a release of its own
    # the index finds a page's paper as the page extractor does
    "extract/hf_docs.py", "extract/text.py", "extract/statements.py",
)  # fmt: skip


def _matching_inputs(db, specs: list, models: list[dict], index: list | None = None) -> str:
    """A digest of what matching table rows to models reads: its code, the tracked
    models, the table specs, which of each table's documents are current, and the
    model-doc index (:func:`kbuild.fetch.hf_doc_index.state`)."""
    current = [
        [r[0] for r in db.execute(
            "select id from current_documents where source = ? order by id", [spec.name]
        )]
        for spec in specs
    ]  # fmt: skip
    state = [MATCHING_CODE, models, [spec.as_json() for spec in specs], current, index]
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:16]
