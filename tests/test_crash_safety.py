"""Nothing lost to a kill -9: `fetch` and `extract` killed at 24 points (spread over
their writes, and in the two windows that once lost data for good — after a PDF's
document row and before its pages; between a document's old facts and its new ones),
then a plain re-run: the database passes PRAGMA integrity_check and equals one built
without interruption, row for row."""

from __future__ import annotations

import shutil

import pytest

from . import crash_harness as harness
from .conftest import CORPUS, need_corpus


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    need_corpus("pdfs", "1810.04805.pdf")
    work = tmp_path_factory.mktemp("crash")
    sources = work / "sources.toml"
    sources.write_text(
        f"""
[arxiv]
location = "{CORPUS.resolve() / "arxiv" / "papers.jsonl"}"
[hf_docs]
location = "{CORPUS.resolve() / "hf_docs"}"
[pdf]
location = "{CORPUS.resolve() / "pdfs"}"
[tables.catalog]
location = "{CORPUS.resolve() / "catalog" / "transformer_catalog.csv"}"

[[models]]
name = "BERT"
arxiv = "1810.04805"
hf_doc = "bert"
[[models]]
name = "RoBERTa"
arxiv = "1907.11692"
hf_doc = "roberta"
[[models]]
name = "DistilBERT"
arxiv = "1910.01108"
hf_doc = "distilbert"
"""
    )
    fetched = work / "fetched.db"
    fetch_writes, fetch_sql = harness.count_writes("fetch", sources, fetched)
    complete = work / "complete.db"
    shutil.copy(fetched, complete)
    extract_writes, extract_sql = harness.count_writes("extract", sources, complete)
    return {
        "work": work,
        "sources": sources,
        "fetched": fetched,
        "reference": harness.snapshot(complete),
        "fetch": (fetch_writes, fetch_sql),
        "extract": (extract_writes, extract_sql),
    }


def points(setup) -> list[tuple[str, int]]:
    fetch_total, fetch_sql = setup["fetch"]
    extract_total, extract_sql = setup["extract"]
    chosen = [("fetch", n) for n in harness.crash_points(fetch_total, 11)]
    chosen += [("extract", n) for n in harness.crash_points(extract_total, 11)]
    # the two windows: a PDF's pages, and a document's new facts after its old ones went
    pages = harness.first_write(fetch_sql, r'insert\s+(or \w+\s+)?into\s+["\[]?pages')
    facts = harness.first_write(extract_sql, r'insert\s+(or \w+\s+)?into\s+["\[]?facts')
    assert pages and facts
    chosen += [("fetch", pages), ("extract", facts)]
    return chosen


def test_a_kill_anywhere_loses_nothing(setup):
    assert setup["fetch"][0] > 50 and setup["extract"][0] > 50
    results = [
        harness.trial(
            step,
            n,
            setup["sources"],
            setup["work"],
            setup["fetched"] if step == "extract" else None,
            setup["reference"],
        )
        for step, n in points(setup)
    ]
    assert len(results) >= 20
    assert all(r["killed"] for r in results), [r for r in results if not r["killed"]]
    assert [r for r in results if r["integrity"] != "ok"] == []
    assert [r for r in results if not r["equal"]] == []
