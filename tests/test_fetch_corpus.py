"""Integration: the real ``kbuild fetch`` over the shared corpus (../shared/corpus).

Skips when the corpus is absent, except when CI is set: then it fails.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlite_utils

from kbuild import config
from kbuild.tables.formats import read_csv

from .conftest import REPO, need_corpus

SOURCES = REPO / "corpus.sources.toml"


def kbuild_fetch(db_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kbuild", "--sources", str(SOURCES), "--db", str(db_path),
         "fetch", "--quiet"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip


@dataclass
class Runs:
    db_path: Path
    first: subprocess.CompletedProcess
    documents_after_first: list[dict]
    second: subprocess.CompletedProcess | None = None

    def rows(self, sql: str, params=()) -> list[dict]:
        db = sqlite_utils.Database(self.db_path)
        try:
            return list(db.query(sql, params))
        finally:
            db.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    need_corpus()
    db_path = tmp_path_factory.mktemp("corpus") / "kb.db"
    first = kbuild_fetch(db_path)
    assert first.returncode == 0, first.stderr
    db = sqlite_utils.Database(db_path)
    documents = list(db.query("select id, source, location, item, sha256 from documents"))
    db.close()
    result = Runs(db_path, first, documents)
    result.second = kbuild_fetch(db_path)
    return result


def test_documents_per_source(runs):
    counts = {
        r["source"]: r["n"]
        for r in runs.rows("select source, count(*) n from documents group by source")
    }
    assert counts["catalog"] == 1
    assert counts["arxiv"] >= 35
    assert counts["hf_doc"] >= 80
    assert counts["pdf"] >= 12


def test_every_catalog_row_is_a_model_with_its_row(runs):
    csv_path = need_corpus("catalog", "transformer_catalog.csv")
    rows = read_csv(csv_path.read_text(encoding="utf-8")).rows
    assert len(rows) == 77
    catalog_doc = runs.rows("select id from documents where source = 'catalog'")[0]["id"]
    found = {
        r["row"]: r
        for r in runs.rows("select * from table_rows where document_id = ?", [catalog_doc])
    }
    assert sorted(found) == [row.number for row in rows]
    models = {m["id"]: m for m in runs.rows("select * from models")}
    for number, row in found.items():
        if row["status"] == "ambiguous":
            continue
        assert row["status"] in ("matched", "added"), row
        model = models[row["model_id"]]
        assert model["catalog_row"] == number, (row["name"], model["id"])
        assert model["catalog_document_id"] == catalog_doc
    # Tsinghua's ERNIE (1905.07129) is not Baidu's (1904.09223): listed, never merged
    (ernie,) = [r for r in found.values() if r["status"] == "ambiguous"]
    assert ernie["name"] == "ERNIE" and "1905.07129" in ernie["note"]
    assert [r["model_id"] for r in found.values() if r["name"] == "GPT"] == ["gpt-1"]


def test_every_sources_toml_model_is_stored(runs):
    wanted = config.load(REPO / "sources.toml").models
    stored = {m["id"]: m for m in runs.rows("select * from models")}
    for entry in wanted:
        assert entry.id in stored, entry.name
        assert stored[entry.id]["name"] == entry.name
        if entry.arxiv:
            assert stored[entry.id]["arxiv_id"] == entry.arxiv


def test_bert_paper_row(runs):
    (bert,) = runs.rows("select * from papers where arxiv_id = '1810.04805'")
    assert bert["title"].startswith("BERT: Pre-training")
    assert bert["published"].startswith("2018-10-11")
    doc = runs.rows("select * from documents where id = ?", [bert["document_id"]])[0]
    assert (doc["source"], doc["item"]) == ("arxiv", "1810.04805")


def test_every_pdf_document_has_pages(runs):
    pdfs = runs.rows(
        "select d.id, d.location, count(p.page) pages, max(p.page) last from documents d "
        "left join pages p on p.document_id = d.id where d.source = 'pdf' group by d.id"
    )
    assert pdfs
    for pdf in pdfs:
        assert pdf["pages"] > 0, pdf["location"]
        assert pdf["last"] == pdf["pages"], pdf["location"]  # numbered 1..n
    (page1,) = runs.rows(
        "select p.text from pages p join documents d on d.id = p.document_id "
        "where d.source = 'pdf' and d.location = 'https://arxiv.org/pdf/1810.04805' "
        "and p.page = 1"
    )
    assert "BERT" in page1["text"]
    # GPT-1's report is not on arXiv: its public address is OpenAI's, from sources.toml
    gpt1 = runs.rows(
        "select d.location, l.path from documents d join local_copies l on l.document_id = d.id "
        "where d.source = 'pdf' and d.model_id = 'gpt-1'"
    )
    assert [g["location"] for g in gpt1] == [
        "https://cdn.openai.com/research-covers/language-unsupervised/"
        "language_understanding_paper.pdf"
    ]
    assert [Path(g["path"]).name for g in gpt1] == ["gpt1-improving-language-understanding.pdf"]


def test_every_document_has_provenance_and_a_true_hash(runs):
    documents = runs.rows("select * from documents")
    for doc in documents:
        content = doc["blob"] if doc["blob"] is not None else doc["body"].encode("utf-8")
        assert doc["sha256"] == hashlib.sha256(content).hexdigest(), doc["location"]
        assert doc["bytes"] == len(content)
        assert doc["fetched_at"] and doc["last_checked_at"]
        assert doc["fetcher"].startswith("kbuild.fetch.")
        # Every document says where its evidence is public, never where this machine
        # keeps its copy; the copy's path is kept apart, and holds the stored bytes.
        assert doc["location"].startswith("https://"), doc["location"]
        assert doc["final_url"].startswith("https://"), doc
        path = runs.rows("select path from local_copies where document_id = ?", [doc["id"]])
        if doc["source"] in ("hf_doc", "pdf", "catalog"):
            assert Path(path[0]["path"]).read_bytes() == content, doc["location"]
    arxiv = [d for d in documents if d["source"] == "arxiv"]
    assert len({d["location"] for d in arxiv}) == len(arxiv)  # one record, one address
    assert all(d["location"] == f"https://arxiv.org/abs/{d['item']}" for d in arxiv)


def test_second_run_adds_no_documents(runs):
    assert runs.second.returncode == 0, runs.second.stderr
    after = runs.rows("select id, source, location, item, sha256 from documents")
    assert after == runs.documents_after_first
    # every file unchanged: one log line per source counts them
    lines = runs.rows(
        "select source, outcome, items from fetch_events "
        "where run_id = (select max(run_id) from fetch_events) and outcome != 'skipped'"
    )
    assert {line["outcome"] for line in lines} == {"unchanged"}
    assert sorted(line["source"] for line in lines) == sorted({d["source"] for d in after})
    assert sum(line["items"] for line in lines) == len(after)


def test_quiet_runs_print_nothing(runs):
    assert runs.first.stdout == "" and runs.first.stderr == ""


def test_missing_corpus_fails_under_ci_and_skips_otherwise(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        need_corpus("no-such-folder")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        need_corpus("no-such-folder")
    assert "CI" not in os.environ
