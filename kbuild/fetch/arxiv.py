"""Fetch arXiv metadata and abstracts: the API through the ``arxiv`` package, or a local
file in the layout of the arXiv bulk metadata dump (JSON Lines)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import arxiv
    import requests

from kbuild.code_digest import code_digest
from kbuild.fetch.context import FetchContext, failure_message, fetcher_name
from kbuild.fetch.errors import (
    DEFAULT_MAX_BYTES,
    RETRY_STATUSES,
    RetryableStatus,
    Unreachable,
    connection_failure,
    parse_retry_after,
)
from kbuild.store import insert_rows, utc_now

SOURCE = "arxiv"
ATOM = "{http://www.w3.org/2005/Atom}"
VERSION_RE = re.compile(r"v(\d+)$")
DUMP_ID_RE = re.compile(rb'^\s*\{\s*"id"\s*:\s*"([^"]+)"')


def strip_version(arxiv_id: str) -> tuple[str, str | None]:
    """'1810.04805v2' → ('1810.04805', 'v2')."""
    match = VERSION_RE.search(arxiv_id)
    if not match:
        return arxiv_id, None
    return arxiv_id[: match.start()], match.group(0)


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def iso(dt) -> str | None:
    """A datetime as ISO 8601 UTC to the second."""
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def wanted_ids(ctx: FetchContext) -> dict[str, str]:
    """arXiv id → the model it belongs to, for every tracked model that has one."""
    wanted: dict[str, str] = {}
    for model_id, arxiv_id in ctx.models("id", "arxiv_id"):
        if arxiv_id:
            wanted.setdefault(arxiv_id, model_id)
    return wanted


def fetch(ctx: FetchContext) -> None:
    """Fetch every tracked model's arXiv record from the configured location."""
    source = ctx.config.sources[SOURCE]
    wanted = wanted_ids(ctx)
    ctx.report.start(SOURCE, len(wanted))
    if source.is_remote:
        fetch_api(ctx, wanted)
    else:
        fetch_dump(ctx, wanted, source.path)


# --- the API -----------------------------------------------------------------------------


def paper_from_result(result: arxiv.Result, document_id: int) -> dict:
    """A ``papers`` row from an ``arxiv.Result``."""
    arxiv_id, version = strip_version(result.get_short_id())
    return {
        "arxiv_id": arxiv_id,
        "version": version,
        "title": result.title,
        "authors": [a.name for a in result.authors],
        "published": iso(result.published),
        "updated": iso(result.updated),
        "primary_category": result.primary_category,
        "categories": result.categories,
        "abstract": (result.summary or "").strip(),
        "pdf_url": result.pdf_url,
        "doi": result.doi,
        "journal_ref": result.journal_ref,
        "comment": result.comment,
        "document_id": document_id,
    }


def _entries_by_id(content: bytes) -> dict[str, str]:
    """Each <entry> of an Atom response as XML text, by versionless arXiv id (none when
    the answer is not XML)."""
    from lxml import etree  # the API's answers only; a dump is JSON

    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return {}
    entries = {}
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if "/abs/" in entry_id:
            short = strip_version(entry_id.split("/abs/")[-1])[0]
            entries[short] = etree.tostring(entry, encoding="unicode")
    return entries


def make_client(
    api_url: str,
    delay_seconds: float,
    page_size: int,
    timeout: float = 30.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[arxiv.Client, list]:
    """An ``arxiv.Client`` aimed at ``api_url``; the list it returns collects raw responses.

    The package parses feeds but does not hand back the HTTP response, which we store
    as the document; a requests response hook on its session keeps each one.
    """
    import arxiv  # only the API needs the package: a local dump is read without it

    from kbuild.fetch.http import BoundedSession

    # Retries are ours (tenacity, honouring Retry-After); the package's are flat 3 s.
    client = arxiv.Client(page_size=page_size, delay_seconds=delay_seconds, num_retries=0)
    client.query_url_format = api_url + ("&{}" if "?" in api_url else "?{}")
    # The package's session has no timeout and no size cap: a stalled server would hang
    # the run, a huge answer fill the memory.
    client._session = BoundedSession(timeout, max_bytes)
    responses: list[requests.Response] = []
    client._session.hooks["response"].append(lambda r, *args, **kwargs: responses.append(r))
    return client, responses


def query_batch(
    client: arxiv.Client, responses: list, batch: list[str], retries: int, backoff: float
) -> tuple[list[arxiv.Result], list[requests.Response]]:
    """One API request for up to 100 ids, retried on 429/5xx; the results and the pages."""
    import arxiv
    import requests

    from kbuild.fetch.http import retrying

    search = arxiv.Search(id_list=batch, max_results=len(batch))
    for attempt in retrying(retries, backoff):
        with attempt:
            responses.clear()
            results = []
            try:
                for result in client.results(search):
                    results.append(result)
            except arxiv.UnexpectedEmptyPageError:
                # arXiv counts ids it does not have in totalResults (lukasschwab/arxiv.py#82),
                # so the client asks for a page past the last entry and finds it empty.
                pass
            except arxiv.HTTPError as err:
                last = responses[-1] if responses else None
                if err.status in RETRY_STATUSES:
                    # Not `if last`: a requests Response is falsy when its status is 4xx/5xx.
                    retry_after = (
                        parse_retry_after(last.headers.get("Retry-After"))
                        if last is not None
                        else None
                    )
                    raise RetryableStatus(err.status, retry_after, err.url) from err
                raise
            except requests.ConnectionError as err:
                raise connection_failure(client.query_url_format.split("?")[0], err) from err
            return results, [r for r in responses if r.status_code == 200]
    raise AssertionError("unreachable")  # pragma: no cover


def fetch_api(ctx: FetchContext, wanted: dict[str, str]) -> None:
    """Query the API in batches of at most ``batch_size`` ids, checking every id came back."""
    source = ctx.config.sources[SOURCE]
    api_url = source.location
    client, responses = make_client(
        api_url, source.delay_seconds, source.batch_size, source.timeout, source.max_bytes
    )
    ids = sorted(wanted)
    for batch in chunks(ids, source.batch_size):
        try:
            results, pages = query_batch(client, responses, batch, source.retries, ctx.backoff)
        except Unreachable:
            raise
        except Exception as err:  # noqa: BLE001 - one batch failing leaves the others
            why = failure_message(err, "arxiv") or f"{err.__class__.__name__}: {err}"
            for arxiv_id in batch:
                ctx.report.record(
                    SOURCE,
                    "failed",
                    model_id=wanted[arxiv_id],
                    location=api_url,
                    message=f"{arxiv_id}: {why}",
                )
            continue
        entries = {}  # id → (its <entry>, the page it came in)
        for page in pages:
            entries.update((i, (e, page)) for i, e in _entries_by_id(page.content).items())
        returned = set()
        for result in results:
            arxiv_id, _ = strip_version(result.get_short_id())
            if arxiv_id not in wanted or arxiv_id not in entries:
                continue
            returned.add(arxiv_id)
            entry, response = entries[arxiv_id]
            with ctx.store.atomic():  # the record, its paper row and its log line
                saved = ctx.store.save_document(
                    source=SOURCE,
                    location=f"{api_url}?id_list={arxiv_id}",
                    item=arxiv_id,
                    model_id=wanted[arxiv_id],
                    content=entry.encode("utf-8"),
                    fetcher=fetcher_name("arxiv"),
                    final_url=response.url,
                    http_status=response.status_code,
                    content_type=response.headers.get("Content-Type"),
                )
                ctx.store.save_paper(paper_from_result(result, saved.id))
                if result.comment and "withdrawn" in result.comment.lower():
                    ctx.report.note(
                        f"arxiv {arxiv_id}: withdrawn by its authors ({result.comment})"
                    )
                ctx.report.record(
                    SOURCE,
                    "fetched" if saved.new else "unchanged",
                    model_id=wanted[arxiv_id],
                    location=response.url,
                    document_id=saved.id,
                )
        for arxiv_id in batch:
            if arxiv_id not in returned:
                ctx.report.record(
                    SOURCE,
                    "failed",
                    model_id=wanted[arxiv_id],
                    location=api_url,
                    message=f"{arxiv_id}: not returned by arXiv (missing, withdrawn or mistyped)",
                )


# --- the bulk metadata dump ---------------------------------------------------------------


def dump_date(created: str) -> str:
    """'Thu, 11 Oct 2018 00:00:00 GMT' → '2018-10-11T00:00:00Z'."""
    from email.utils import parsedate_to_datetime  # here: only records read again need it

    return parsedate_to_datetime(created).strftime("%Y-%m-%dT%H:%M:%SZ")


def paper_from_dump(record: dict, document_id: int) -> dict:
    """A ``papers`` row from one record of the bulk metadata dump."""
    versions = record.get("versions") or []
    if not isinstance(versions, list) or not all(
        isinstance(v, dict) and isinstance(v.get("created"), str) for v in versions
    ):
        raise ValueError("versions must be a list of {version, created}")
    parsed = record.get("authors_parsed") or []
    if not isinstance(record.get("id"), str):
        raise ValueError("id must be a string")
    if not isinstance(parsed, list) or not all(
        isinstance(p, list) and len(p) >= 2 and all(isinstance(n, str) for n in p) for p in parsed
    ):
        raise ValueError("authors_parsed must be a list of [last, first, ...] lists")
    if parsed:
        authors = [" ".join(p for p in (first, last, *rest) if p) for last, first, *rest in parsed]
    else:
        authors = [a.strip() for a in (record.get("authors") or "").split(",") if a.strip()]
    categories = (record.get("categories") or "").split()
    latest = versions[-1]["version"] if versions else None
    return {
        "arxiv_id": record["id"],
        "version": latest,
        "title": " ".join((record.get("title") or "").split()),
        "authors": authors,
        "published": dump_date(versions[0]["created"]) if versions else None,
        "updated": dump_date(versions[-1]["created"]) if versions else None,
        "primary_category": categories[0] if categories else None,
        "categories": categories,
        "abstract": (record.get("abstract") or "").strip(),
        "pdf_url": f"https://arxiv.org/pdf/{record['id']}{latest or ''}",
        "doi": record.get("doi"),
        "journal_ref": record.get("journal-ref"),
        "comment": record.get("comments"),
        "document_id": document_id,
    }


class DumpError(Exception):
    """A line of the local dump file is not a JSON record."""


def iter_dump(path: Path, wanted: Iterable[str]) -> Iterator[tuple[int, bytes, dict | DumpError]]:
    """(line number, raw line, record) for each wanted id; skips others without parsing.
    A wanted line that is not JSON comes with a :class:`DumpError` instead of a record."""
    wanted = set(wanted)
    with path.open("rb") as handle:
        for number, line, whole in _lines(handle):
            match = DUMP_ID_RE.match(line)
            if not match or match.group(1).decode() not in wanted:
                continue
            if not whole:
                yield (
                    number,
                    line[:200],
                    DumpError(
                        f"{path}, line {number}: a record over {MAX_RECORD:,} bytes (no "
                        "arXiv record is near that); not read"
                    ),
                )
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise json.JSONDecodeError("not an object", line.decode(errors="replace"), 0)
            except UnicodeDecodeError as err:
                yield (
                    number,
                    line,
                    DumpError(f"{path}, line {number}: not UTF-8 (byte {err.start})"),
                )
                continue
            except json.JSONDecodeError as err:
                yield (
                    number,
                    line,
                    DumpError(
                        f"{path}, line {number}: not a JSON record ({err.msg}); "
                        "expected the arXiv metadata dump's JSON Lines"
                    ),
                )
                continue
            yield number, line.rstrip(b"\r\n"), record


# A dump record is a few kilobytes; a longer line is read no further than this (a file
# of one endless line must not be read into memory whole).
MAX_RECORD = 1_000_000


def _lines(handle) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line, whether it is whole) for each line, at most MAX_RECORD bytes
    of each: the rest of a longer one is skipped a piece at a time."""
    number = 0
    while line := handle.readline(MAX_RECORD + 1):
        number += 1
        if len(line) <= MAX_RECORD or line.endswith(b"\n"):
            yield number, line, True
            continue
        head = line
        while line and not line.endswith(b"\n"):
            line = handle.readline(MAX_RECORD + 1)
        yield number, head, False


def dump_problem(path: Path) -> str | None:
    """Why a file is not an arXiv dump (empty, binary, not JSON Lines), or None."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        return "the file is empty; expected the arXiv metadata dump's JSON Lines"
    if b"\x00" in head:
        return "a binary file, not the arXiv metadata dump's JSON Lines"
    if not head.lstrip().startswith(b"{"):
        return "not JSON Lines (a dump line is one JSON record starting with '{')"
    return None


def abs_url(arxiv_id: str) -> str:
    """The public page of an arXiv record."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def fetch_dump(ctx: FetchContext, wanted: dict[str, str], path: Path) -> None:
    """Read the wanted records from a local dump file; each record is one document."""
    if not path.is_file():
        what = (
            "a folder"
            if path.is_dir()
            else "not a regular file (a FIFO, device or socket)"
            if path.exists()
            else "no such file"
        )
        ctx.report.record(
            SOURCE,
            "failed",
            location=str(path),
            message=f"{path}: {what}; [arxiv] location must be a JSON Lines file in the "
            "arXiv metadata dump layout",
        )
        return
    problem = dump_problem(path)
    if problem:
        ctx.report.record(SOURCE, "failed", location=str(path), message=f"{path}: {problem}")
        return
    # records stored from this very file, unchanged since: the file (the real dump is
    # gigabytes) is read only for the others
    found = {a for a in wanted if ctx.seen_unchanged(SOURCE, abs_url(a), path, a)}
    todo = set(wanted) - found
    state = _file_state(path)  # before the pass: a change during it makes the next run read it
    last = ctx.store.db.execute("select digest from derived where name = ?", [ABSENT]).fetchone()
    # the very ids the last pass over this unchanged file did not find: not looked for again
    known_absent = bool(todo) and not ctx.refresh and last == (_absent_digest(state, todo),)
    if todo and not known_absent:
        for number, raw, record in iter_dump(path, todo):
            arxiv_id = DUMP_ID_RE.match(raw).group(1).decode()
            found.add(arxiv_id)
            _store_record(ctx, path, number, raw, record, arxiv_id, wanted[arxiv_id])
        digest = _absent_digest(state, set(wanted) - found)
        insert_rows(
            ctx.store.db, "derived", [{"name": ABSENT, "digest": digest, "built_at": utc_now()}]
        )
    for arxiv_id in sorted(set(wanted) - found):
        ctx.report.record(
            SOURCE,
            "skipped",
            model_id=wanted[arxiv_id],
            location=str(path),
            message=f"{arxiv_id}: not in the local file",
        )


# the `derived` row of the dump's last pass: the code that read it, the file (path, size,
# times, inode: a copy made with `cp -p` keeps size and mtime, not ctime or inode) and the
# wanted ids it did not hold, as a digest (the database keeps no local path)
ABSENT = "arxiv_dump_absent"
READING_CODE = code_digest("fetch/arxiv.py")


def _file_state(path: Path) -> list:
    info = path.stat()
    return [READING_CODE, str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _absent_digest(state: list, ids: set[str]) -> str:
    return hashlib.sha256(json.dumps([*state, sorted(ids)]).encode()).hexdigest()


def _store_record(
    ctx: FetchContext,
    path: Path,
    number: int,
    raw: bytes,
    record: dict | DumpError,
    arxiv_id: str,
    model_id: str,
) -> None:
    """Store one record read from the dump with its paper row, or record why it failed."""
    if isinstance(record, DumpError):
        # one bad line fails its own record; the rest of the file is still read
        ctx.report.record(
            SOURCE, "failed", model_id=model_id, location=str(path), message=str(record)
        )
        return
    try:
        paper_from_dump(record, 0)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        ctx.report.record(
            SOURCE,
            "failed",
            model_id=model_id,
            location=str(path),
            message=f"{path}, line {number}: record {arxiv_id} is not in the dump's "
            f"layout ({err.__class__.__name__}: {err}); kept what was stored",
        )
        return
    with ctx.store.atomic():  # the record, its paper row and its log line
        saved = ctx.store.save_document(
            source=SOURCE,
            location=abs_url(arxiv_id),  # the record's public page; the dump is a copy
            item=arxiv_id,
            model_id=model_id,
            content=raw,
            fetcher=fetcher_name("arxiv"),
            content_type="application/json",
            local_path=str(path),
        )
        ctx.store.save_paper(paper_from_dump(record, saved.id))
        ctx.report.record(
            SOURCE,
            "fetched" if saved.new else "unchanged",
            model_id=model_id,
            location=str(path),
            document_id=saved.id,
        )
