"""`kbuild fetch` then `kbuild extract` on the real documents of ../shared/corpus: the
cards hold true values for well-known models, every fact is quoted verbatim at its
locator, and the known disagreements between sources show up as conflicts."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlite_utils
from click.testing import CliRunner

from kbuild import config
from kbuild.cli import cli
from kbuild.extract.verify import quote_holds

from .extract_fixtures import REPO, need_corpus

SOURCES = REPO / "corpus.sources.toml"


def kbuild(db_path, *args: str) -> None:
    result = CliRunner().invoke(
        cli, ["--sources", str(SOURCES), "--db", str(db_path), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    need_corpus("catalog", "transformer_catalog.csv")
    need_corpus("hf_docs")
    need_corpus("arxiv", "papers.jsonl")
    need_corpus("pdfs")
    path = tmp_path_factory.mktemp("corpus") / "kb.db"
    kbuild(path, "fetch", "-q")
    kbuild(path, "extract", "-q")
    return path


@pytest.fixture(scope="module")
def db(kb):
    return sqlite_utils.Database(kb)


@pytest.fixture(scope="module")
def cards(db):
    return {row["model_id"]: row for row in db.query("select * from cards")}


def value(cards, model_id: str, field: str):
    text = cards[model_id][field]
    return json.loads(text) if text and text.startswith("[") else text


B, M = 10**9, 10**6

# model id → field → the true value (a date: its prefix; a list: values it must include)
TRUE = {
    "bert": {
        "arxiv_id": "1810.04805",
        "date": "2018-10",
        "params": [110 * M, 340 * M],
        "architecture": "encoder",
        "lab": ["Google"],
        "license": "Apache-2.0",
    },
    "gpt-2": {"date": "2019-02", "lab": ["OpenAI"], "architecture": "decoder"},
    "roberta": {"arxiv_id": "1907.11692", "date": "2019-07", "architecture": "encoder"},
    "t5": {
        "arxiv_id": "1910.10683",
        "architecture": "encoder-decoder",
        "lab": ["Google"],
        "corpus": ["C4"],
    },
    "llama": {
        "arxiv_id": "2302.13971",
        "date": "2023-02",
        "params": [7 * B, 65 * B],
        "lab": ["Meta"],
        "architecture": "decoder",
    },
    "gpt-3": {"arxiv_id": "2005.14165", "params": [175 * B], "lab": ["OpenAI"]},
    "xlnet": {"arxiv_id": "1906.08237", "date": "2019-06"},
    "albert": {"arxiv_id": "1909.11942", "lab": ["Google"], "architecture": "encoder"},
    "distilbert": {"arxiv_id": "1910.01108", "params": [66 * M], "lab": ["Hugging Face"]},
    "bart": {"arxiv_id": "1910.13461", "architecture": "encoder-decoder", "lab": ["Meta"]},
    "electra": {"arxiv_id": "2003.10555", "date": "2020-03", "task": ["RTD"]},
    "deberta": {"arxiv_id": "2006.03654", "lab": ["Microsoft"], "architecture": "encoder"},
    "opt": {"arxiv_id": "2205.01068", "date": "2022-05", "params": [175 * B], "lab": ["Meta"]},
    # first known publication: the release, before the paper (2022-11-09)
    "bloom": {"arxiv_id": "2211.05100", "params": [176 * B], "date": "2022-07"},
    "chinchilla": {"params": [70 * B], "lab": ["DeepMind"], "arxiv_id": "2203.15556"},
    # announced 2023-09-27; the paper is 2023-10-10
    "mistral-7b": {"arxiv_id": "2310.06825", "params": [7 * B], "date": "2023-09"},
    "switch-transformers": {"arxiv_id": "2101.03961", "architecture": "encoder-decoder"},
    "palm": {"params": [540 * B], "lab": ["Google"], "arxiv_id": "2204.02311"},
    "pegasus": {"arxiv_id": "1912.08777", "architecture": "encoder-decoder"},
    "gpt-1": {"lab": ["OpenAI"], "architecture": "decoder", "params": [117 * M]},
    "transformer-xl": {"arxiv_id": "1901.02860", "date": "2019-01"},
}


@pytest.mark.parametrize(
    ("model_id", "field", "expected"),
    [(m, f, v) for m, fields in TRUE.items() for f, v in fields.items()],
    ids=[f"{m}.{f}" for m, fields in TRUE.items() for f in fields],
)
def test_cards_hold_the_true_value(cards, model_id, field, expected):
    found = value(cards, model_id, field)
    assert found is not None, f"{model_id} has no {field}"
    if field == "date":
        assert found.startswith(expected)
    elif isinstance(expected, list) and field == "params":
        assert set(expected) <= set(found)
    else:
        assert found == expected


def test_every_catalog_row_has_a_card(db, cards):
    path = need_corpus("catalog", "transformer_catalog.csv")
    names = [r["Name"] for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))]
    assert len(names) == 77
    rows = {
        r["catalog_row"]: r["id"]
        for r in db.query("select id, catalog_row from models where catalog_row is not null")
    }
    # every row but ERNIE's, which names Baidu's model and links Tsinghua's paper
    (ernie,) = db.query(
        "select row from table_rows where source = 'catalog' and status = 'ambiguous'"
    )
    assert sorted(rows) == [n for n in range(2, 79) if n != ernie["row"]]
    assert set(rows.values()) <= set(cards)


def test_every_sources_toml_model_has_a_card(cards):
    entries = config.load(SOURCES).models
    assert entries
    assert {m.id for m in entries} <= set(cards)


def test_every_fact_is_quoted_verbatim_at_its_locator(db):
    documents = {d["id"]: d for d in db.query("select id, body from documents")}
    facts = list(db.query("select * from facts"))
    assert len(facts) > 1000
    for fact in facts:
        assert fact["document_id"] in documents, fact
        assert json.loads(fact["locator"]), fact
        assert fact["quote"], fact
        assert quote_holds(db, fact), fact


def test_bloom_paper_came_after_its_first_known_publication(db):
    (card,) = db.query("select * from card_values where model_id = 'bloom' and field = 'date'")
    assert card["normalized"].startswith("2022-07")
    assert "arxiv (paper_v1) came later: 2022-11-09" in card["rule"]
    # the release (July) and the paper (November): two events, a variant, not a conflict
    rows = list(db.query("select * from variants where model_id = 'bloom' and field = 'date'"))
    row = next(r for r in rows if r["other_source"] == "arxiv")
    assert row["other_quote"] == "Wed, 9 Nov 2022 00:00:00 GMT"
    assert row["rule"] == "two events: a release and the paper"
    assert not list(
        db.query("select * from conflicts where model_id = 'bloom' and other_source = 'arxiv'")
    )


def test_the_papers_first_page_beats_the_catalogs_lab(db):
    # RoBERTa: the catalog says UW/Google; the paper's first page, UW and Facebook AI
    rows = list(db.query("select * from conflicts where model_id = 'roberta' and field = 'lab'"))
    row = next(r for r in rows if r["other_source"] == "catalog")
    assert row["card_source"] == "pdf"
    assert json.loads(row["card_value"]) == ["University of Washington", "Meta"]
    assert "Facebook AI" in row["card_quote"]
    assert row["other_quote"] == "UW/Google"


def test_affiliations_come_from_the_real_first_pages(db):
    quotes = [
        r["quote"]
        for r in db.query(
            "select quote from evidence where model_id = 'bert' and field = 'lab' "
            "and source = 'pdf'"
        )
    ]
    assert any("Google AI Language" in q for q in quotes)


def test_a_second_extract_changes_no_fact_ids(kb, db):
    before = {r["id"] for r in db.query("select id from facts")}
    result = CliRunner().invoke(cli, ["--db", str(kb), "extract"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert " 0 documents extracted" in " " + result.output
    assert {r["id"] for r in db.query("select id from facts")} == before
