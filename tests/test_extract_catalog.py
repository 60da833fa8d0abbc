"""Catalog rows (a table with loose headers) → one fact per cell, quoted verbatim and
located by {row, column}; "Same as X" cells resolved through row X (method 'derived',
locator 'via')."""

from __future__ import annotations

import csv
import io

import pytest

from .extract_fixtures import KB, by_field, model, normalized

HEADER = (
    "Name,Family,Pretraining Architecture,Pretraining Task,Fine-tuning Task,Extension,"
    "Application,Date (of first known publication),Num. Params,Corpus,License,Lab,Link"
)
# Real models, true values; the row number (header = row 1) is in the comment.
ROWS = [
    # 2
    'BERT,BERT,Encoder,MLM/NSP,,,General language understanding,10/2018,"Base = 110M, '
    'Large = 340M",Toronto Book Corpus and Wikipedia (3.3B Tokens),"Open, Apache-2.0",'
    "Google,https://huggingface.co/docs/transformers/model_doc/bert",
    # 3
    "RoBERTa,BERT,Encoder,MLM (Dynamic),,Trains BERT longer on more data,Same as BERT,"
    "07/2019,356M,Same as BERT + CC News + OpenWebText + Stories ( 33B Tokens),"
    '"Open, MIT license",Facebook AI/UW,https://arxiv.org/abs/1907.11692',
    # 4
    "DistilBERT,BERT,Encoder,MLM,,A smaller BERT trained by distillation,Same as BERT,"
    '10/2019,66M,Same as BERT,"Open, Apache-2.0",Huggingface,https://arxiv.org/abs/1910.01108',
    # 5
    "Alpaca,LLaMA,Decoder,,human instructions,LLaMA 7B fine-tuned on instructions,"
    'Instruction following,03/2023,7B,,"Limited, Non-commercial bespoke license",Stanford,',
    # 6
    'Gemma,,Decoder,LM,,,,02/2024,"2B, 7B",,,Deepmind,https://arxiv.org/abs/2403.08295',
    # 7: not tracked
    'ELECTRA,BERT,Encoder,RTD,,,,03/2020,"Base = 110M, Large = 335M",,,Stanford/Google,',
]
CSV = "\n".join([HEADER, *ROWS]) + "\n"
MODELS = [
    model("BERT"),
    model("RoBERTa"),
    model("DistilBERT"),
    model("Alpaca"),
    model("Gemma"),
]


@pytest.fixture
def kb(tmp_path):
    kb = KB(tmp_path / "kb.db")
    kb.add_models(*MODELS)
    return kb


@pytest.fixture
def facts(kb):
    document = kb.add_text("catalog", "catalog.csv", CSV, content_type="text/csv")
    return kb.table_facts(document, MODELS)


def cells() -> dict[tuple[int, str], str]:
    rows = list(csv.reader(io.StringIO(CSV)))
    return {
        (number, header): value
        for number, row in enumerate(rows[1:], start=2)
        for header, value in zip(rows[0], row, strict=True)
    }


def facts_of(facts, model_id: str) -> dict[str, list]:
    return by_field(f for f in facts if f.model_id == model_id)


def test_every_fact_quotes_its_cell_verbatim_at_row_and_column(kb, facts):
    table = cells()
    assert facts
    for fact in facts:
        assert {"row", "column"} <= set(fact.locator)
        assert fact.quote == table[(fact.locator["row"], fact.locator["column"])]
        assert fact.quote.strip()
        assert kb.holds(fact), fact


def test_every_non_empty_cell_of_a_tracked_row_is_a_fact(facts):
    located = {(f.locator["row"], f.locator["column"]) for f in facts if f.field != "arxiv_id"}
    expected = {
        key for key, value in cells().items() if value.strip() and key[0] <= 6 and key[1] != "Name"
    }
    assert located == expected


def test_rows_of_models_not_tracked_give_no_facts(facts):
    # this spec adds no models (adds_models is off), so the ELECTRA row matches nothing
    assert not [f for f in facts if f.locator["row"] == 7]


def test_the_bert_row_normalizes_every_field(facts):
    bert = facts_of(facts, "bert")
    assert normalized(bert["params"][0]) == [110_000_000, 340_000_000]
    assert normalized(bert["architecture"][0]) == "encoder"
    assert normalized(bert["task"][0]) == ["MLM", "NSP"]
    assert normalized(bert["corpus"][0]) == ["BookCorpus", "English Wikipedia"]
    assert normalized(bert["license"][0]) == "Apache-2.0"
    assert normalized(bert["lab"][0]) == ["Google"]
    assert normalized(bert["family"][0]) == ["BERT"]
    assert bert["date"][0].normalized.value == "2018-10"
    assert bert["date"][0].normalized.qualifier == "publication"
    assert bert["link"][0].value == "https://huggingface.co/docs/transformers/model_doc/bert"
    assert all(f.method == "stated" for fs in bert.values() for f in fs)
    assert "arxiv_id" not in bert  # an HF doc link names no paper


def test_a_same_as_cell_is_resolved_through_the_named_row(facts):
    corpus = facts_of(facts, "distilbert")["corpus"][0]
    assert corpus.quote == "Same as BERT"
    assert normalized(corpus) == ["BookCorpus", "English Wikipedia"]
    assert corpus.method == "derived"
    assert corpus.locator == {"row": 4, "column": "Corpus", "via": {"row": 2, "column": "Corpus"}}
    assert corpus.confidence < facts_of(facts, "bert")["corpus"][0].confidence


def test_what_a_same_as_cell_adds_is_merged_with_the_named_rows_value(facts):
    corpus = facts_of(facts, "roberta")["corpus"][0]
    assert corpus.method == "derived"
    assert normalized(corpus) == [
        "BookCorpus",
        "CC-News",
        "English Wikipedia",
        "OpenWebText",
        "Stories",
    ]


def test_a_same_as_in_a_free_text_field_keeps_the_cells_words(facts):
    application = facts_of(facts, "roberta")["application"][0]
    assert application.value == application.quote == "Same as BERT"


def test_an_arxiv_link_gives_an_arxiv_id_fact_quoting_the_link(facts):
    arxiv_id = facts_of(facts, "roberta")["arxiv_id"][0]
    assert arxiv_id.normalized.value == "1907.11692"
    assert arxiv_id.quote == "https://arxiv.org/abs/1907.11692"
    assert arxiv_id.locator == {"row": 3, "column": "Link"}


def test_a_fine_tuning_task_is_a_task_qualified_fine_tuning(facts):
    task = facts_of(facts, "alpaca")["task"]
    assert [(normalized(t), t.normalized.qualifier) for t in task] == [
        (["instruction tuning"], "fine-tuning")
    ]


def test_a_bespoke_licence_is_named_after_the_row(facts):
    assert normalized(facts_of(facts, "alpaca")["license"][0]) == "LicenseRef-Alpaca-License"


def test_the_lab_is_read_at_the_rows_date(facts):
    # "Deepmind" in 02/2024 is Google DeepMind (the merger was in April 2023)
    assert normalized(facts_of(facts, "gemma")["lab"][0]) == ["Google DeepMind"]
    assert normalized(facts_of(facts, "roberta")["lab"][0]) == ["Meta", "University of Washington"]


def test_models_are_matched_by_alias_ignoring_case_and_punctuation(kb):
    csv_text = HEADER + "\nSwitch,T5,Encoder/Decoder,DAE,,,,01/2021,1.6T,,,Google,\n"
    document = kb.add_text("catalog", "switch.csv", csv_text)
    switch = model("Switch Transformers", "switch", model_id="switch-transformers")
    facts = kb.table_facts(document, [switch])
    assert {f.model_id for f in facts} == {"switch-transformers"}
    assert normalized(by_field(facts)["params"][0]) == [1_600_000_000_000]


def test_loosely_named_headers_are_understood(kb):
    csv_text = (
        "Model Name,Date,Number of Parameters,Organisation,Licence\n"
        'GPT-2,02/2019,"124M, 355M, 774M, 1.5B",OpenAI,"Open, Modified MIT license"\n'
    )
    document = kb.add_text("catalog", "loose.csv", csv_text)
    facts = by_field(kb.table_facts(document, [model("GPT-2")]))
    assert normalized(facts["params"][0]) == [124_000_000, 355_000_000, 774_000_000, 1_500_000_000]
    assert facts["params"][0].locator == {"row": 2, "column": "Number of Parameters"}
    assert normalized(facts["lab"][0]) == ["OpenAI"]
    assert normalized(facts["license"][0]) == "LicenseRef-Modified-MIT"
    assert facts["date"][0].normalized.value == "2019-02"
    for fact in (f for fs in facts.values() for f in fs):
        assert kb.holds(fact)


def test_a_wrong_quote_does_not_hold(kb, facts):
    row = facts[0].row()
    row["quote"] = row["quote"] + " (edited)"
    assert not kb.holds(row)
