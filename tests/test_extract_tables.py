"""Table rows → facts: one per mapped cell, quoted verbatim at {row, column} (and the file
of a YAML folder); notes become context; a row's confidence; sizes from names; lineage;
and corroboration that counts a table and its copies as one witness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from kbuild import config
from kbuild.extract import runner as extract_runner
from kbuild.extract.verify import quote_holds
from kbuild.fetch import runner as fetch_runner
from kbuild.store import open_db

from .conftest import sources_toml
from .table_fixtures import (
    BIGSCIENCE_YAML,
    ECOSYSTEM_COLUMNS,
    EPOCH_COLUMNS,
    EPOCH_CSV,
    MISTRAL_YAML,
    ORKG_COLUMNS,
    ORKG_JSON,
    SURVEY_COLUMNS,
    SURVEY_MD,
    to_csv,
)

MODELS = [
    {"name": "BERT", "arxiv": "1810.04805"},
    {"name": "LLaMA", "arxiv": "2302.13971"},
    {"name": "Alpaca", "aliases": ["Stanford Alpaca"]},
    {"name": "BLOOM", "arxiv": "2211.05100"},
    {"name": "T5", "arxiv": "1910.10683"},
    {"name": "GPT-3", "arxiv": "2005.14165"},
    {"name": "GPT-1", "aliases": ["GPT"]},
    {"name": "DeBERTa", "arxiv": "2006.03654"},
]
CATALOG = (
    "Name,Date (of first known publication),Num. Params,License,Lab\n"
    'BERT,10/2018,"Base = 110M, Large = 340M","Open, Apache-2.0",Google\n'
    "GPT,06/2018,117M,N/A,OpenAI\n"
    'DeBERTa,06/2020,"Base = 134M, Large = 384M, XLarge = 750M","Open, MIT",Microsoft\n'
)
# Epoch's DeBERTa row: the 1.5B model, dated from its later version
DEBERTA = to_csv(["DeBERTa", "Language", "Microsoft", "2021-06-10", "1500000000.0", "", "",
                  "Open weights (unrestricted)", "", "https://arxiv.org/abs/2006.03654",
                  "Confident"], [])  # one line, no header  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> sqlite_utils.Database:
    root: Path = tmp_path_factory.mktemp("tables")
    (root / "catalog.csv").write_text(CATALOG)
    (root / "notable.csv").write_text(EPOCH_CSV + DEBERTA)
    (root / "assets").mkdir()
    (root / "assets" / "mistral.yaml").write_text(MISTRAL_YAML)
    (root / "assets" / "bigscience.yaml").write_text(BIGSCIENCE_YAML)
    (root / "orkg.json").write_text(ORKG_JSON)
    (root / "survey.md").write_text(SURVEY_MD)
    tables = {
        "epoch": {"location": "notable.csv", "name_column": "Model", "columns": EPOCH_COLUMNS,
                  "filter": {"Domain": "Language"}, "adds_models": True,
                  "confidence_column": "Confidence", "trust": 50},
        "eco": {"location": "assets", "format": "yaml", "name_column": "name",
                "columns": ECOSYSTEM_COLUMNS, "filter": {"type": "model"}, "trust": 55},
        "orkg": {"location": "orkg.json", "format": "json", "records": "extraction_data",
                 "name_column": "model_name", "columns": ORKG_COLUMNS,
                 "derived_from": ["catalog"], "trust": 70},
        "survey": {"location": "survey.md", "format": "html", "name_column": "model",
                   "columns": SURVEY_COLUMNS, "trust": 60},
    }  # fmt: skip
    sources = root / "sources.toml"
    sources.write_text(sources_toml(MODELS, catalog={"location": "catalog.csv"}, tables=tables))
    database = open_db(root / "kb.db")
    report = fetch_runner.run(config.load(sources), database, quiet=True)
    assert not report.failed, report.failures
    extract_runner.run(database)
    return database


def facts(db, source: str, model_id: str | None = None, field: str | None = None) -> list[dict]:
    sql = "select f.* from facts f join documents d on d.id = f.document_id where d.source = ?"
    params = [source]
    if model_id:
        sql, params = sql + " and f.model_id = ?", [*params, model_id]
    if field:
        sql, params = sql + " and f.field = ?", [*params, field]
    found = list(db.query(sql + " order by f.id", params))
    for fact in found:
        fact["locator"] = json.loads(fact["locator"])
        if fact["normalized"] and fact["normalized"].startswith("["):
            fact["normalized"] = json.loads(fact["normalized"])
    return found


def test_every_table_fact_quotes_its_cell_verbatim(db):
    every = list(db.query("select * from facts"))
    assert len(every) > 40
    for fact in every:
        assert quote_holds(db, fact), fact


def test_a_csv_cell_is_located_by_row_and_column_with_its_note(db):
    (bert,) = facts(db, "epoch", "bert", "params")
    assert bert["locator"] == {"row": 2, "column": "Parameters"}
    assert bert["quote"] == "340000000.0"
    assert bert["normalized"] == [340_000_000]
    assert bert["context"] == "Our note: the large size."


def test_a_rows_confidence_column_sets_the_facts_confidence(db):
    assert facts(db, "epoch", "bert", "params")[0]["confidence"] == 0.7  # Confident
    (mixtral,) = facts(db, "epoch", "mixtral", "params")
    assert mixtral["confidence"] == 0.4  # Speculative


def test_a_size_named_row_without_a_size_cell_states_the_size_in_its_name(db):
    sizes = {tuple(f["normalized"]): f for f in facts(db, "epoch", "llama", "params")}
    assert set(sizes) == {(65_200_000_000,), (7_000_000_000,)}
    from_name = sizes[(7_000_000_000,)]
    assert from_name["locator"] == {"row": 4, "column": "Model"}
    assert from_name["quote"] == "LLaMA-7B"


def test_a_list_cell_keeps_names_kbuild_does_not_know(db):
    (bloom,) = facts(db, "eco", "bloom", "lab")
    assert bloom["normalized"] == ["BigScience", "Hugging Face"]
    (alpaca,) = facts(db, "epoch", "alpaca", "lab")
    assert alpaca["normalized"] == ["Stanford University"]


def test_a_yaml_value_brings_its_explanation_and_file(db):
    (licence,) = facts(db, "eco", "bloom", "license")
    assert licence["normalized"] == "LicenseRef-BigScience-RAIL-1.0"
    assert licence["context"] == "Our note on where the licence is given."
    assert licence["locator"]["file"] == "bigscience.yaml"
    assert licence["locator"]["row"] == 2 and licence["locator"]["column"] == "license"


def test_lineage_columns_are_kept_one_fact_per_name(db):
    (dependency,) = facts(db, "eco", "bloom", "dependencies")
    assert (dependency["value"], dependency["locator"]["item"]) == ("ROOTS", 0)
    (base,) = facts(db, "epoch", "alpaca", "base_model")
    assert base["normalized"] == "LLaMA-7B"


def test_a_date_stored_finer_than_known_keeps_its_known_precision(db):
    (date,) = facts(db, "orkg", "bert", "date")
    assert (date["quote"], date["normalized"]) == ("2018-10-01", "2018-10")


def test_a_bare_number_takes_the_columns_unit(db):
    (t5,) = facts(db, "survey", "t5", "params")
    assert (t5["quote"], t5["normalized"]) == ("11", [11_000_000_000])


def test_an_html_link_cell_quotes_its_target_and_gives_the_arxiv_id(db):
    (link,) = facts(db, "survey", "gpt-3", "link")
    assert link["quote"] == "https://arxiv.org/abs/2005.14165"
    # line: where the row's <tr> starts in the file, for a link to the line
    assert link["locator"] == {"row": 3, "column": "Link", "part": "links", "line": 31}
    (arxiv_id,) = facts(db, "survey", "gpt-3", "arxiv_id")
    assert arxiv_id["normalized"] == "2005.14165"


def test_access_is_its_own_field_and_a_licence_only_when_a_cell_names_one(db):
    (gpt3,) = facts(db, "survey", "gpt-3", "license")
    assert (gpt3["quote"], gpt3["normalized"]) == ("Closed Source", "proprietary")
    # Epoch's "Model accessibility" says how a model is reached: no licence
    assert facts(db, "epoch", "llama", "license") == []
    (llama,) = facts(db, "epoch", "llama", "access")[:1]
    assert llama["normalized"] == "open weights (restricted)"


def test_every_source_has_a_trust_rank_per_field(db):
    ranks = {(r["field"], r["source"]): r["rank"] for r in db.query("select * from source_trust")}
    assert ranks[("params", "epoch")] == 50
    assert ranks[("lab", "orkg")] == 70


def test_a_table_and_its_copy_count_as_one_witness(db):
    rows = {(r["model_id"], r["field"]): r for r in db.query("select * from corroboration")}
    # BERT's lab: the catalog, ORKG (a copy of the catalog) and Epoch say Google
    lab = rows[("bert", "lab")]
    assert json.loads(lab["agreeing_witnesses"]) == ["catalog", "epoch"]
    assert (lab["agreeing"], lab["disagreeing"]) == (2, 0)
    # GPT-1's licence: the catalog says nothing (N/A); ORKG alone says closed source
    assert rows[("gpt-1", "license")]["agreeing"] == 1


def test_witnesses_that_agree_at_the_coarser_precision_agree(db):
    # BLOOM's date: ecosystem-graphs 2022-07-12, the survey 2022/07
    bloom = {
        r["field"]: r for r in db.query("select * from corroboration where model_id = 'bloom'")
    }
    assert (bloom["date"]["agreeing"], bloom["date"]["disagreeing"]) == (2, 0)
    assert bloom["params"]["agreeing"] == 2 and bloom["params"]["disagreeing"] == 0


def test_disagreeing_witnesses_are_counted_and_named(db):
    # the catalog's DeBERTa date (06/2020) against Epoch's row of 2021-06-10; the card
    # lists every stated size, the catalog's three and Epoch's 1.5B
    deberta = {
        r["field"]: r for r in db.query("select * from corroboration where model_id = 'deberta'")
    }
    assert (deberta["date"]["agreeing"], deberta["date"]["disagreeing"]) == (1, 1)
    assert json.loads(deberta["date"]["disagreeing_witnesses"]) == ["epoch"]
    assert json.loads(deberta["params"]["value"]) == [134e6, 384e6, 750e6, 1.5e9]
    assert (deberta["params"]["agreeing"], deberta["params"]["disagreeing"]) == (2, 0)
