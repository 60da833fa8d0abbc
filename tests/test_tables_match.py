"""Rows of every table matched to the tracked models: by name or alias, by a size-named
name, by a paper whose names fit; ambiguous rows listed, never guessed; tables that add
models add each model once."""

from __future__ import annotations

from pathlib import Path

from kbuild.config import name_key
from kbuild.tables import spec as table_spec
from kbuild.tables.formats import read
from kbuild.tables.match import match_tables

from .table_fixtures import (
    BIGSCIENCE_YAML,
    ECOSYSTEM_COLUMNS,
    EPOCH_COLUMNS,
    EPOCH_CSV,
    MISTRAL_YAML,
)


def tracked(name, *aliases, arxiv=None, model_id=None):
    return {
        "id": model_id or name.lower().replace(" ", "-"),
        "name": name,
        "aliases": list(aliases),
        "arxiv_id": arxiv,
        "hf_doc_slug": None,
        "pdf": None,
        "origin": "sources.toml",
    }


MODELS = [
    tracked("BERT", arxiv="1810.04805"),
    tracked("LLaMA", "LLaMA 1", arxiv="2302.13971"),
    tracked("Mixtral", "Mixtral 8x7B", arxiv="2401.04088"),
    tracked("BLOOM", arxiv="2211.05100"),
    tracked("Alpaca", "Stanford Alpaca"),
]


def epoch(**keys):
    raw = {
        "location": "epoch.csv",
        "name_column": "Model",
        "columns": EPOCH_COLUMNS,
        "filter": {"Domain": "Language"},
        "adds_models": True,
        **keys,
    }
    return table_spec.parse("epoch", raw, None, Path("."))


def ecosystem(**keys):
    raw = {
        "location": "assets",
        "format": "yaml",
        "name_column": "name",
        "columns": ECOSYSTEM_COLUMNS,
        "filter": {"type": "model"},
        **keys,
    }
    return table_spec.parse("ecosystem", raw, None, Path("."))


def by_name(assignments):
    return {a.name: a for a in assignments}


def test_size_named_rows_belong_to_their_model_and_add_no_model():
    models, assignments = match_tables(MODELS, [(epoch(), [(1, read("csv", EPOCH_CSV))])])
    rows = by_name(assignments)
    assert (rows["BERT-Large"].model_id, rows["BERT-Large"].matched_by) == ("bert", "size-name")
    assert rows["LLaMA-65B"].model_id == rows["LLaMA-7B"].model_id == "llama"
    assert rows["LLaMA-65B"].size == "65B"
    assert rows["Mixtral 8x7B"].matched_by == "name"  # an alias of Mixtral
    assert not [
        m for m in models if m["name"] in ("LLaMA", "BERT") and m["origin"] != "sources.toml"
    ]


def test_a_variant_word_joins_a_model_only_when_the_paper_agrees():
    csv_text = (
        "Model,Link\n"
        "Yi-34B,https://arxiv.org/abs/2403.04652\n"
        "Yi-Large,https://www.01.ai/\n"
        "BERT-Large,https://arxiv.org/abs/1810.04805\n"
    )
    spec = table_spec.parse(
        "t",
        {"location": "t.csv", "name_column": "Model", "columns": {"Link": "link"},
         "adds_models": True},
        None,
        Path("."),
    )  # fmt: skip
    models, rows = match_tables(MODELS, [(spec, [(1, read("csv", csv_text))])])
    assert [(r.name, r.status, r.model_id) for r in rows] == [
        ("Yi-34B", "added", "yi"),
        ("Yi-Large", "added", "yi-large"),  # an API-only product, not a size of Yi
        ("BERT-Large", "matched", "bert"),
    ]


def test_a_table_that_adds_models_adds_each_unknown_model_once():
    models, assignments = match_tables(MODELS, [(epoch(), [(1, read("csv", EPOCH_CSV))])])
    falcon = by_name(assignments)["Falcon-180B"]
    assert (falcon.status, falcon.model_id) == ("added", "falcon")
    added = {m["id"]: m for m in models if m["origin"] == "epoch"}
    assert added["falcon"]["name"] == "Falcon"  # named without its size
    assert added["falcon"]["aliases"] == ["Falcon-180B"]
    assert len(models) == len(MODELS) + 1


def test_a_row_outside_the_filter_is_skipped_and_counted():
    _, assignments = match_tables(MODELS, [(epoch(), [(1, read("csv", EPOCH_CSV))])])
    resnet = by_name(assignments)["ResNet-50"]
    assert (resnet.status, resnet.model_id) == ("filtered", None)


def test_a_table_that_adds_no_models_leaves_unknown_rows_unmatched():
    _, assignments = match_tables(
        MODELS, [(epoch(adds_models=False), [(1, read("csv", EPOCH_CSV))])]
    )
    assert by_name(assignments)["Falcon-180B"].status == "unmatched"


def test_rows_naming_one_model_in_different_tables_end_as_one_model():
    # Epoch "Mixtral 8x7B" and ecosystem-graphs "Mixtral": one model
    models, assignments = match_tables(
        [m for m in MODELS if m["name"] != "Mixtral"],
        [
            (epoch(), [(1, read("csv", EPOCH_CSV))]),
            (ecosystem(), [(2, read("yaml", MISTRAL_YAML))]),
        ],
    )
    rows = {(a.source, a.name): a for a in assignments}
    epoch_row, eco_row = rows[("epoch", "Mixtral 8x7B")], rows[("ecosystem", "Mixtral")]
    assert epoch_row.status == "added" and eco_row.status == "matched"
    assert epoch_row.model_id == eco_row.model_id == "mixtral"
    keys = [name_key(m["name"]) for m in models]
    assert len(keys) == len(set(keys))


def test_a_paper_ties_a_row_to_a_model_when_the_names_fit():
    models = [tracked("Llama 3", arxiv="2407.21783")]
    csv_text = "Model,Link\nLlama 3.1-405B,https://arxiv.org/abs/2407.21783\n"
    spec = table_spec.parse(
        "t",
        {"location": "t.csv", "name_column": "Model", "columns": {"Link": "link"}},
        None,
        Path("."),
    )
    _, (row,) = match_tables(models, [(spec, [(1, read("csv", csv_text))])])
    assert (row.status, row.model_id, row.matched_by) == ("matched", "llama-3", "arxiv")


def test_another_name_for_a_models_paper_is_a_model_of_its_own():
    # BLOOMZ and mT0 share arXiv 2211.01786; they are two models
    models = [tracked("mT0", arxiv="2211.01786")]
    csv_text = "Model,Link\nBLOOMZ,https://arxiv.org/abs/2211.01786\n"
    spec = table_spec.parse(
        "t",
        {"location": "t.csv", "name_column": "Model", "columns": {"Link": "link"},
         "adds_models": True},
        None,
        Path("."),
    )  # fmt: skip
    models, (row,) = match_tables(models, [(spec, [(1, read("csv", csv_text))])])
    assert (row.status, row.model_id) == ("added", "bloomz")
    assert "shares its paper" in row.note and "mT0" in row.note
    # one model per arXiv id: the paper stays mT0's
    assert [m["arxiv_id"] for m in models] == ["2211.01786", None]


def test_a_name_of_one_model_with_the_paper_of_another_is_ambiguous():
    # the catalog's ERNIE row links Tsinghua's ERNIE (1905.07129); the tracked ERNIE is
    # Baidu's (1904.09223)
    models = [tracked("ERNIE", arxiv="1904.09223")]
    csv_text = "Name,Lab,Link\nERNIE,Tsinghua,https://arxiv.org/abs/1905.07129\n"
    spec = table_spec.parse("catalog", {"location": "c.csv", "adds_models": True}, None, Path("."))
    models, (row,) = match_tables(models, [(spec, [(1, read("csv", csv_text))])])
    assert row.status == "ambiguous"
    assert row.model_id is None
    assert row.candidates == ["ernie"]
    assert "1905.07129" in row.note and "1904.09223" in row.note
    assert len(models) == 1


def test_names_match_ignoring_case_spaces_and_punctuation_but_not_plus_or_greek():
    models = [tracked("CodeT5+", model_id="codet5plus"), tracked("PanGu-Σ", model_id="pangu-sigma")]
    csv_text = "Model\nCodeT5\ncodet5 +\nPanGu-α\npangu Σ\n"
    spec = table_spec.parse("t", {"location": "t.csv", "adds_models": True}, None, Path("."))
    _, rows = match_tables(models, [(spec, [(1, read("csv", csv_text))])])
    assert [(r.name, r.status, r.model_id) for r in rows] == [
        ("CodeT5", "added", "codet5"),
        ("codet5 +", "matched", "codet5plus"),
        ("PanGu-α", "added", "pangu-alpha"),
        ("pangu Σ", "matched", "pangu-sigma"),
    ]


def test_the_catalog_keeps_its_row_on_the_model():
    spec = table_spec.parse("catalog", {"location": "c.csv", "adds_models": True}, None, Path("."))
    models, _ = match_tables(MODELS, [(spec, [(7, read("csv", "Name,Lab\nBLOOM,BigScience\n"))])])
    bloom = next(m for m in models if m["id"] == "bloom")
    assert (bloom["catalog_document_id"], bloom["catalog_row"]) == (7, 2)


def test_yaml_records_filtered_by_type():
    _, assignments = match_tables(MODELS, [(ecosystem(), [(3, read("yaml", BIGSCIENCE_YAML))])])
    rows = by_name(assignments)
    assert rows["ROOTS"].status == "filtered"
    assert (rows["BLOOM"].status, rows["BLOOM"].model_id) == ("matched", "bloom")
