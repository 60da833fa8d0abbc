"""The shipped tables on the shared corpus: hundreds of models, one model per name and per
paper, rows matched across tables, and values with more than one independent witness."""

from __future__ import annotations

import json

import pytest

from kbuild import config
from kbuild.config import name_key
from kbuild.fields import CARD_FIELDS

from .conftest import REPO

TABLES = ("catalog", "epoch_notable", "epoch_large_scale", "ecosystem_graphs", "llmsurvey", "orkg")


@pytest.fixture(scope="module")
def db(corpus_kb):
    return corpus_kb.db


def test_several_hundred_models_have_a_card(db):
    with_value = " or ".join(f"[{f}] is not null" for f in CARD_FIELDS if f != "link")
    count = db.execute(f"select count(*) from cards where {with_value}").fetchone()[0]
    assert count >= 400


def test_no_two_models_share_a_name_or_a_paper(db):
    models = list(db.query("select id, name, aliases, arxiv_id from models"))
    keys = [name_key(n) for m in models for n in [m["name"], *json.loads(m["aliases"])]]
    owners = {}
    for model in models:
        for name in [model["name"], *json.loads(model["aliases"])]:
            owners.setdefault(name_key(name), set()).add(model["id"])
    assert not {k: v for k, v in owners.items() if len(v) > 1}
    papers = [m["arxiv_id"] for m in models if m["arxiv_id"]]
    assert len(papers) == len(set(papers))
    assert len(keys) >= len(models)


def test_every_table_was_read_and_its_rows_accounted_for(db):
    counts = {
        (r["source"], r["status"]): r["n"]
        for r in db.query("select source, status, count(*) n from table_rows group by 1, 2")
    }
    for table in TABLES:
        assert sum(n for (s, _), n in counts.items() if s == table) > 0, table
    assert counts[("epoch_notable", "added")] >= 300
    assert counts[("epoch_notable", "filtered")] >= 400  # not language models
    assert counts[("ecosystem_graphs", "filtered")] >= 100  # datasets and applications
    assert ("orkg", "added") not in counts  # a copy of the catalog adds nothing
    for row in db.query("select * from table_rows where status = 'ambiguous'"):
        assert row["note"] and json.loads(row["candidates"]), row


def test_size_named_rows_add_their_sizes_to_one_model(db):
    rows = {
        r["name"]: r["model_id"]
        for r in db.query("select name, model_id from table_rows where source like 'epoch%'")
    }
    assert rows["LLaMA-65B"] == rows["LLaMA-33B"] == "llama"
    assert rows["Llama 2-70B"] == rows["Llama 2-7B"] == "llama-2"
    assert rows["GPT-2 (1.5B)"] == "gpt-2"
    assert rows["BLOOM-176B"] == "bloom"
    sizes = {
        n for (sizes,) in db.execute(
            "select normalized from evidence where model_id = 'llama-2' and field = 'params'"
        ) for n in json.loads(sizes)
    }  # fmt: skip
    assert {7_000_000_000, 13_000_000_000, 70_000_000_000} <= sizes


def test_one_model_named_differently_by_the_tables_is_one_model(db):
    names = {}
    for r in db.query("select model_id, source, name from table_rows where model_id is not null"):
        names.setdefault(r["model_id"], {})[r["source"]] = r["name"]
    assert names["gpt-3"]["epoch_notable"] == "GPT-3 175B (davinci)"
    assert names["gpt-3"]["ecosystem_graphs"] == names["gpt-3"]["catalog"] == "GPT-3"
    assert names["bloom"]["epoch_notable"] == "BLOOM-176B"
    assert names["mixtral"]["epoch_notable"] == "Mixtral 8x7B"  # an alias in sources.toml
    assert names["falcon"]["ecosystem_graphs"] in ("Falcon-40B", "Falcon-180B")


def test_a_copy_of_a_table_is_never_a_second_witness(db):
    for row in db.query("select agreeing_witnesses, disagreeing_witnesses from corroboration"):
        witnesses = json.loads(row["agreeing_witnesses"]) + json.loads(row["disagreeing_witnesses"])
        assert "orkg" not in witnesses and "epoch_large_scale" not in witnesses
        assert len(witnesses) == len(set(witnesses))


@pytest.mark.parametrize(
    ("model_id", "field", "witnesses"),
    [
        ("bert", "lab", {"catalog", "epoch_notable", "pdf"}),
        ("bert", "date", {"arxiv", "catalog", "epoch_notable"}),
        ("bloom", "params", {"catalog", "ecosystem_graphs", "epoch_notable", "llmsurvey"}),
        ("bloom", "license", {"catalog", "ecosystem_graphs"}),
        # closed source: the catalog and the survey (Epoch's "Unreleased" is access)
        ("chinchilla", "license", {"catalog", "llmsurvey"}),
        ("falcon", "lab", {"ecosystem_graphs", "epoch_notable", "hf_doc"}),
        ("llama", "params", {"epoch_notable"}),
    ],
)
def test_values_have_independent_witnesses(db, model_id, field, witnesses):
    (row,) = db.query(
        "select * from corroboration where model_id = ? and field = ?", [model_id, field]
    )
    assert witnesses <= set(json.loads(row["agreeing_witnesses"]))


def test_most_tracked_models_have_two_witnesses_for_lab_date_and_params(db):
    tracked = [m.id for m in config.load(REPO / "sources.toml").models]
    marks = ",".join("?" * len(tracked))
    for field in ("lab", "date", "params"):
        (count,) = db.execute(
            f"select count(*) from corroboration where field = ? and agreeing >= 2 "
            f"and model_id in ({marks})",
            [field, *tracked],
        ).fetchone()
        assert count >= 0.6 * len(tracked), field
