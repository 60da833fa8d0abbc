"""What every fetcher is handed: the config, the store, HTTP, the report and the options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbuild import __version__
from kbuild.config import Config, Source
from kbuild.fetch.report import Report
from kbuild.store import Store

if TYPE_CHECKING:
    from kbuild.fetch.http import HttpClient


@dataclass
class FetchContext:
    config: Config
    store: Store
    report: Report
    refresh: bool = False
    pdf: bool = False
    backoff: float = 1.0

    def http(self, source: Source) -> HttpClient:
        """An HTTP client with this source's timeout and retries (requests is loaded
        here: a run that reads only local copies never needs it)."""
        from kbuild.fetch.http import HttpClient

        return HttpClient(
            timeout=source.timeout,
            retries=source.retries,
            backoff=self.backoff,
            max_bytes=source.max_bytes,
        )

    def conditional(self, source: str, location: str, item: str | None = None) -> dict:
        """The validators of the last stored copy, for If-None-Match / If-Modified-Since."""
        if self.refresh:
            return {}
        latest = self.store.latest_document(source, location, item)
        if not latest:
            return {}
        return {"etag": latest["etag"], "last_modified": latest["last_modified"]}

    def guarded(self, source: str, section: str, model_id: str | None, location: str):
        """A context for fetching one item: an error of that item (a 5xx after retries, a
        timeout, a cap, a bad redirect, an unreadable file) is recorded as its failure in
        one line and the run goes on with the next item."""
        return _ItemGuard(self, source, section, model_id, location)

    def seen_unchanged(
        self,
        source: str,
        location: str,
        path,
        item: str | None = None,
        whole=None,
    ) -> bool:
        """When the local file is the one the current document was read from, unchanged
        (size and modification time), record it as unchanged without reading it again
        (``--refresh`` reads every file); ``whole`` checks that what was stored from it
        is all there (a PDF's pages)."""
        if self.refresh:
            return False
        document_id = self.store.unchanged_copy(source, location, path, item)
        if document_id is None or (whole is not None and not whole(document_id)):
            return False
        self.report.unchanged_file(source)
        return True

    def models(self, column: str, *more: str) -> list[tuple]:
        """These columns of every tracked model as stored (sources.toml entries and the
        tables' rows), in id order: tuples, not whole rows (thousands of models)."""
        wanted = ", ".join([column, *more])
        return self.store.db.execute(f"select {wanted} from models order by id").fetchall()

    def model(self, model_id: str) -> dict | None:
        """One tracked model, as stored (one lookup, not a pass over every model)."""
        found = self.store.db.query("select * from models where id = ?", [model_id])
        return next(iter(found), None)


class _ItemGuard:
    def __init__(self, ctx: FetchContext, source: str, section: str, model_id, location):
        self.ctx, self.source, self.section = ctx, source, section
        self.model_id, self.location = model_id, location

    def __enter__(self):
        return self

    def __exit__(self, kind, err, traceback) -> bool:
        if err is None:
            return False
        message = failure_message(err, self.section)
        if message is None:
            return False
        self.ctx.report.record(
            self.source, "failed", model_id=self.model_id, location=self.location, message=message
        )
        return True


class LocalSourceError(Exception):
    """A local source that is missing, or not the kind of thing it must be."""


def refusal(path: Path, root: Path) -> str | None:
    """Why a file found in a configured folder is not read, in one line naming it (None:
    read it): a link that leads out of the folder (a table must not copy a system file
    into the database, nor its lines into a message), a broken link, or no regular file
    (a FIFO would block the read for ever, a device such as /dev/zero fill the memory)."""
    import stat

    try:
        real = path.resolve(strict=True)
        mode = real.stat().st_mode
    except (OSError, RuntimeError):
        return f"{path}: a broken link, or it cannot be looked at; skipped"
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return f"{path}: not a regular file (a FIFO, device or socket); skipped"
    if not real.is_relative_to(root.resolve()):
        return f"{path}: a link to a file outside {root}; not read"
    return None  # (a folder named like a file: the caller says so)


def check_folder(path, section: str, what: str) -> None:
    """A local source that must be a folder: an error when it is missing or a file."""
    if not path.exists():
        raise LocalSourceError(f"[{section}] location {path} does not exist; it must be {what}")
    if not path.is_dir():
        raise LocalSourceError(f"[{section}] location {path} is a file; it must be {what}")


def fetcher_name(module: str) -> str:
    """The ``fetcher`` column: which code fetched a document, name@version."""
    return f"kbuild.fetch.{module}@{__version__}"


def failure_message(err: BaseException, section: str) -> str | None:
    """One line saying what went wrong with one item and what to do, for the errors an
    item can meet (None for the ones that are not an item's: a host that is down)."""
    import requests

    from kbuild.fetch.errors import (
        MAX_RETRY_AFTER,
        MalformedAnswer,
        RetryableStatus,
        TooLarge,
        TotalTimeout,
        Unreachable,
    )

    if isinstance(err, Unreachable):
        return None
    if isinstance(err, RetryableStatus):
        if err.retry_after is not None and err.retry_after > MAX_RETRY_AFTER:
            return (
                f"HTTP {err.status}: the server asks to wait {err.retry_after:.0f} s "
                "(Retry-After); kept what was fetched before, try again later"
            )
        return f"HTTP {err.status} after the retries; kept what was fetched before, try later"
    if isinstance(err, MalformedAnswer):
        return f"{err}; kept what was fetched before"
    if isinstance(err, TotalTimeout | requests.Timeout):
        return f"{_first_line(err)}; raise [{section}] timeout or try again later"
    if isinstance(err, TooLarge):
        return f"{err}; raise [{section}] max_bytes if it is right"
    if isinstance(err, requests.TooManyRedirects):
        return "a redirect loop; check the location"
    if isinstance(err, requests.exceptions.InvalidSchema | requests.exceptions.InvalidURL):
        return f"redirected to an address that is not http(s) ({_first_line(err)}); not followed"
    if isinstance(err, requests.RequestException):
        return f"{err.__class__.__name__}: {_first_line(err)}"
    if isinstance(err, UnicodeDecodeError):
        return f"not UTF-8 text (byte {err.start}); save it as UTF-8"
    if isinstance(err, IsADirectoryError):
        return f"{err.filename} is a folder, not a file"
    if isinstance(err, OSError):
        return f"cannot read {err.filename or 'it'}: {err.strerror or err}"
    return None


def _first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [err.__class__.__name__])[0][:200]
