"""What every fetcher is handed: the config, the store, HTTP, the report and the options."""

from __future__ import annotations

from dataclasses import dataclass

from kbuild import __version__
from kbuild.config import Config, Source
from kbuild.fetch.http import HttpClient
from kbuild.fetch.report import Report
from kbuild.store import Store


@dataclass
class FetchContext:
    config: Config
    store: Store
    report: Report
    refresh: bool = False
    pdf: bool = False
    backoff: float = 1.0

    def http(self, source: Source) -> HttpClient:
        """An HTTP client with this source's timeout and retries."""
        return HttpClient(timeout=source.timeout, retries=source.retries, backoff=self.backoff)

    def conditional(self, source: str, location: str, item: str | None = None) -> dict:
        """The validators of the last stored copy, for If-None-Match / If-Modified-Since."""
        if self.refresh:
            return {}
        latest = self.store.latest_document(source, location, item)
        if not latest:
            return {}
        return {"etag": latest["etag"], "last_modified": latest["last_modified"]}

    def models(self) -> list[dict]:
        """Every tracked model, as stored (sources.toml entries and catalog rows)."""
        return list(self.store.db.query("select * from models order by id"))


def fetcher_name(module: str) -> str:
    """The ``fetcher`` column: which code fetched a document, name@version."""
    return f"kbuild.fetch.{module}@{__version__}"
