"""Run the fetchers in order: models, catalog (it adds models), arXiv, HF docs, PDFs."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from kbuild import models as model_rows
from kbuild.config import Config
from kbuild.fetch import arxiv, catalog, hf_docs, pdf
from kbuild.fetch.context import FetchContext
from kbuild.fetch.http import Unreachable
from kbuild.fetch.report import Report
from kbuild.store import Store

# sources.toml table → (module, the `source` value its documents carry)
FETCHERS = {
    "catalog": (catalog, catalog.SOURCE),
    "arxiv": (arxiv, arxiv.SOURCE),
    "hf_docs": (hf_docs, hf_docs.SOURCE),
    "pdf": (pdf, pdf.SOURCE),
}

LOCAL_HINTS = {
    "arxiv": "a JSON Lines file in the arXiv metadata dump layout",
    "hf_docs": "a folder of <slug>.md files (docs/source/en/model_doc in huggingface/transformers)",
    "catalog": "a .csv file downloaded from the sheet",
    "pdf": "a folder of <arxiv_id>.pdf files",
}


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
    store.save_models(model_rows.from_sources(config.models))
    selected = set(only) or set(FETCHERS)
    with report.progress():
        for name, (module, source) in FETCHERS.items():
            if name not in selected or not config.sources[name].enabled:
                continue
            try:
                module.fetch(ctx)
            except Unreachable as err:
                report.record(
                    source,
                    "failed",
                    location=err.url,
                    message=(
                        f"could not reach {err.host}; kept what was fetched before. To work "
                        f"offline set [{name}] location in {config.path.name} to "
                        f"{LOCAL_HINTS[name]}"
                    ),
                )
    return report
