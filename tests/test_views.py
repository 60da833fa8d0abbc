"""The views over facts: evidence, preferred_facts, cards (one row per model, a value and
its fact id per field), conflicts (both sides with their quotes), and full-text search."""

from __future__ import annotations

import json

import pytest

from kbuild.extract import runner
from kbuild.store import CARD_FIELDS

from .extract_fixtures import small_kb


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    kb = small_kb(tmp_path_factory.mktemp("views") / "kb.db")
    runner.run(kb.db)
    return kb.db


def card(db, model_id: str) -> dict:
    return next(db.query("select * from cards where model_id = ?", [model_id]))


def test_cards_have_one_row_per_model(db):
    rows = list(db.query("select model_id from cards"))
    assert sorted(r["model_id"] for r in rows) == sorted(
        r["id"] for r in db.query("select id from models")
    )


def test_cards_have_a_value_and_a_fact_id_column_per_field(db):
    columns = set(db["cards"].columns_dict)
    for field in CARD_FIELDS:
        assert {field, f"{field}_fact_id"} <= columns


def test_each_card_value_is_its_facts_value(db):
    for row in db.query("select * from cards"):
        for field in CARD_FIELDS:
            if row[field] is None:
                assert row[f"{field}_fact_id"] is None
                continue
            fact = db["facts"].get(row[f"{field}_fact_id"])
            assert fact["model_id"] == row["model_id"]
            assert fact["field"] == field
            shown = fact["value"] if field == "link" else fact["normalized"]
            assert shown == row[field]


def test_the_cards_show_the_true_values(db):
    bert = card(db, "bert")
    assert bert["arxiv_id"] == "1810.04805"
    assert bert["date"] == "2018-10-11"
    assert json.loads(bert["params"]) == [110_000_000, 340_000_000]
    assert bert["architecture"] == "encoder"
    assert json.loads(bert["lab"]) == ["Google"]
    assert bert["license"] == "Apache-2.0"
    roberta = card(db, "roberta")
    assert roberta["arxiv_id"] == "1907.11692"
    assert roberta["date"] == "2019-07-26"
    bloom = card(db, "bloom")
    assert json.loads(bloom["params"]) == [176_000_000_000]
    assert bloom["architecture"] == "decoder"


def test_the_primary_source_is_shown_before_the_table(db):
    # dates: arXiv v1 (no other witness confirms the catalog's 07/2022); sizes: the
    # paper's abstract before the catalog
    date = db["facts"].get(card(db, "bloom")["date_fact_id"])
    assert (date["qualifier"], date["quote"]) == ("paper_v1", "Wed, 9 Nov 2022 00:00:00 GMT")
    params = db["facts"].get(card(db, "roberta")["params_fact_id"])
    assert params["quote"] == "RoBERTa-large has 355M parameters."


def test_evidence_joins_each_fact_to_its_source_and_trust_rank(db):
    rows = list(db.query("select * from evidence where model_id = 'bloom' and field = 'date'"))
    ranks = {r["source"]: r["trust_rank"] for r in rows}
    assert ranks["arxiv"] < ranks["catalog"]
    assert all(r["url"] for r in rows)


def test_a_catalog_date_that_differs_from_arxiv_v1_is_a_conflict_with_both_quotes(db):
    rows = list(db.query("select * from conflicts where model_id = 'bloom' and field = 'date'"))
    assert len(rows) == 1
    (row,) = rows
    assert (row["card_source"], row["card_value"], row["card_qualifier"]) == (
        "arxiv",
        "2022-11-09",
        "paper_v1",
    )
    assert row["card_quote"] == "Wed, 9 Nov 2022 00:00:00 GMT"
    assert (row["other_source"], row["other_value"], row["other_qualifier"]) == (
        "catalog",
        "2022-07",
        "publication",
    )
    assert row["other_quote"] == "07/2022"
    other = db["facts"].get(row["other_fact_id"])
    assert json.loads(other["locator"]) == {"row": 4, "column": "Date (of first known publication)"}
    assert db["facts"].get(row["card_fact_id"])["quote"] == row["card_quote"]
    assert other["quote"] == row["other_quote"]
    assert row["card_url"].startswith("https://arxiv.org/abs/2211.05100")


def test_dates_that_agree_at_the_coarser_precision_are_no_conflict(db):
    # BERT: catalog 10/2018, arXiv 2018-10-11; RoBERTa: 07/2019, 2019-07-26 and HF 2019-07-26
    assert not list(
        db.query("select * from conflicts where field = 'date' and model_id != 'bloom'")
    )


def test_sizes_within_five_percent_are_no_conflict(db):
    # RoBERTa: catalog 356M, its abstract 355M
    assert not list(db.query("select * from conflicts where field = 'params'"))


def test_full_text_search_finds_papers_and_facts(db):
    papers = list(db["papers"].search("multilingual"))
    assert [p["arxiv_id"] for p in papers] == ["2211.05100"]
    facts = list(db["facts"].search("Toronto"))
    assert facts and all("Toronto" in f["quote"] for f in facts)
    assert {f["model_id"] for f in facts} == {"bert"}
    hits = db.execute(
        "select rowid from facts_fts where facts_fts match ?", ['"Google AI Language"']
    ).fetchall()
    assert hits
    pages = list(db["pages"].search("parameters"))
    assert pages
