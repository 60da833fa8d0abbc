"""Run the fetchers in order: the tables (they add models), the matching of every table's
rows to models, then arXiv, HF docs and PDFs for every tracked model."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from kbuild import models as model_rows
from kbuild.config import Config
from kbuild.fetch import arxiv, hf_doc_index, hf_docs, hub, pdf, repos, tables
from kbuild.fetch.context import FetchContext, LocalSourceError, failure_message
from kbuild.fetch.errors import Unreachable
from kbuild.fetch.report import Report
from kbuild.store import Store

# sources.toml table → (module, the `source` value its documents carry)
FETCHERS = {
    "arxiv": (arxiv, arxiv.SOURCE),
    "hf_docs": (hf_docs, hf_docs.SOURCE),
    # after the doc pages: a page's "original code" link names a repository
    "repos": (repos, repos.SOURCE),
    "pdf": (pdf, pdf.SOURCE),
    # the Hugging Face Hub: skipped in one line when offline (hub.fetch says so itself)
    "hub": (hub, hub.SOURCE),
}

LOCAL_HINTS = {
    "arxiv": "a JSON Lines file in the arXiv metadata dump layout",
    "hf_docs": "a folder of <slug>.md files (docs/source/en/model_doc in huggingface/transformers)",
    "pdf": "a folder of <arxiv_id>.pdf files",
    "repos": "a folder of <owner>__<name> repository copies (see ../shared/corpus/repos)",
    "hub": "nothing: the Hub has no local copy (set offline = true instead)",
}


def _table_hint(fmt: str) -> str:
    if fmt == "yaml":
        return "a downloaded .yaml file, or a folder of them"
    return f"a downloaded .{fmt} file"


def selectable(config: Config) -> list[str]:
    """The names `kbuild fetch` takes: the primary sources, every table, and 'tables'."""
    return [*FETCHERS, "tables", *config.tables]


def run(
    config: Config,
    db: sqlite_utils.Database,
    *,
    only: Iterable[str] = (),
    refresh: bool = False,
    pdf: bool = False,
    quiet: bool = False,
    backoff: float = 1.0,
) -> Report:
    """Fetch every enabled source (or only those named) into ``db``; returns the report."""
    store = Store(db)
    report = Report(store=store, quiet=quiet)
    ctx = FetchContext(
        config=config, store=store, report=report, refresh=refresh, pdf=pdf, backoff=backoff
    )
    # models new in sources.toml, for the fetchers; what the tables add to every model is
    # written by matching (tables.match_all), which runs whenever sources.toml changed
    store.save_models(model_rows.from_sources(config.models), new_only=True)
    selected = set(only) or {*FETCHERS, "tables"}
    if "tables" in selected:
        selected |= set(config.tables)
    with report.progress(), store.batched():
        for name, spec in config.tables.items():
            if name in selected and spec.enabled:
                _guarded(
                    report, config, name, f"tables.{name}", _table_hint(spec.format),
                    lambda s=spec: tables.fetch(ctx, s),
                )  # fmt: skip
        if "hf_docs" in selected and config.sources["hf_docs"].enabled:
            # the model-doc index (online: the toctree) adds models as the tables do
            _guarded(
                report, config, hf_doc_index.SOURCE, "hf_docs", LOCAL_HINTS["hf_docs"],
                lambda: hf_doc_index.fetch(ctx),
            )  # fmt: skip
        # every run: a table fetched now, or a sources.toml edited since, changes the models
        report.tables = tables.match_all(ctx)
        for name, (module, source) in FETCHERS.items():
            if name in selected and config.sources[name].enabled:
                _guarded(
                    report, config, source, name, LOCAL_HINTS[name], lambda m=module: m.fetch(ctx)
                )
    return report


def _guarded(report: Report, config: Config, source: str, section: str, hint: str, run) -> None:
    """Run one fetcher; an unreachable host is one line saying how to work offline."""
    try:
        run()
    except LocalSourceError as err:
        report.record(source, "failed", message=str(err))
    except Unreachable as err:
        report.record(
            source,
            "failed",
            location=err.url,
            message=(
                f"could not reach {err.host} ({err.reason}); kept what was fetched before. To work "
                f"offline set [{section}] location in {config.path.name} to "
                f"{hint}"
            ),
        )
    except Exception as err:  # noqa: BLE001 - one failing source must not stop the others
        known = failure_message(err, section)
        report.record(
            source,
            "failed",
            message=known
            or f"stopped by {err.__class__.__name__}: {err}; kept what was fetched before",
        )
