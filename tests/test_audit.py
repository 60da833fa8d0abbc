"""Tables that audit themselves: pasted and shifted cells are suspect; repeated
vocabulary and siblings described alike are not. The rows are ours, written in the
catalog's layout with true values."""

from __future__ import annotations

from pathlib import Path

from kbuild.extract.audit import audit
from kbuild.extract.tables import extract
from kbuild.tables import spec as table_spec
from kbuild.tables.formats import read
from kbuild.tables.match import match_tables

from .table_fixtures import to_csv

HEADER = [
    "Name", "Family", "Pretraining Task", "Extension", "Application",
    "Date (of first known publication)", "Num. Params", "Corpus", "License", "Lab", "Link",
]  # fmt: skip
SHARING = "Shares one set of layer weights across all its layers, which keeps the model small"


def flagged(rows: list[list[str]]) -> dict[tuple[str, str], str]:
    text = to_csv(HEADER, rows)
    spec = table_spec.parse("catalog", {"location": "c.csv", "adds_models": True}, None, Path("."))
    table = read("csv", text)
    models, assignments = match_tables([], [(spec, [(1, table)])])
    assigned = {a.row: a.as_row() for a in assignments}
    document = {"id": 1, "body": text, "item": None}
    facts = extract(document, spec, assigned)
    names = {a.row: (a.model_id, a.name) for a in assignments}
    by_id = {f.id: f for f in facts}
    return {
        (names[a.row][1], by_id[a.fact_id].locator["column"]): a.reason for a in audit(facts, names)
    }


def test_a_cell_copied_into_another_column_of_another_row_is_suspect():
    found = flagged(
        [
            ["ALBERT", "BERT", "MLM/SOP", SHARING, "", "09/2019", "12M", "", "", "Google"],
            ["AlphaFold", "SE(3) Transformer", "Predicts protein structure and " + SHARING[7:],
             "Folds proteins", "", "07/2021", "21M", "", "", "DeepMind"],
        ]
    )  # fmt: skip
    assert list(found) == [("AlphaFold", "Pretraining Task")]
    assert "repeats ALBERT's Extension (row 2)" in found[("AlphaFold", "Pretraining Task")]


def test_a_description_naming_the_neighbouring_model_is_suspect():
    text = "GPT-2 is trained on WebText, 40 GB of text from outbound Reddit links"
    found = flagged(
        [
            ["GPT-2", "GPT", "LM", text, "", "02/2019", "1.5B", "WebText", "", "OpenAI"],
            ["GPT-Neo", "GPT", "LM", text, "", "03/2021", "2.7B", "The Pile", "", "EleutherAI"],
        ]
    )
    assert list(found) == [("GPT-Neo", "Extension")]
    assert "GPT-2's Extension" in found[("GPT-Neo", "Extension")]


def test_values_of_the_wrong_kind_for_their_column_are_suspect():
    found = flagged(
        [
            ["ELECTRA", "BERT", "RTD", "Replaced token detection", "03/2020", "2020",
             "Base = 110M, Large = 335M", "", "", "Stanford/Google"],
            ["OPT", "GPT", "LM", "Open replica of GPT-3", "", "05/2022", "175B",
             "Open, MIT license", "", "Meta"],
            ["ALBERT", "BERT", "MLM/SOP", "Parameter sharing", "", "09/2019",
             "Base = 12M, Large = 18M", "", "", "Google"],
            ["AlphaFold", "SE(3) Transformer", "", "Folds proteins", "", "07/2021",
             "b12M, Large = 18M", "", "", "DeepMind"],
        ]
    )  # fmt: skip
    assert found[("ELECTRA", "Application")] == "a date in Application"
    assert found[("OPT", "Corpus")].startswith("a licence (MIT) in Corpus")
    assert found[("AlphaFold", "Num. Params")].startswith("a size prefix glued to a number")
    assert "repeats ALBERT's Num. Params (row 4)" in found[("AlphaFold", "Num. Params")]
    assert ("ELECTRA", "Date (of first known publication)") not in found  # "2020" is a year


def test_repeated_vocabulary_and_siblings_described_alike_are_not_anomalies():
    found = flagged(
        [
            ["Flan-T5", "T5", "Instruction tuning", "Flan-T5 is T5 finetuned on 1,836 tasks "
             "with chain-of-thought data", "", "10/2022", "11B", "", "Open, Apache-2.0",
             "Google"],
            ["Flan-PaLM", "PaLM", "Instruction tuning", "Flan-PaLM is PaLM finetuned on 1,836 "
             "tasks with chain-of-thought data", "", "10/2022", "540B", "",
             "Closed source, Accessible through API", "Google"],
            ["PaLM", "PaLM", "LM", "Pathways", "", "04/2022", "540B", "",
             "Closed source, Accessible through API", "Google"],
            ["MIT model", "GPT", "LM", "A test row", "", "01/2020", "1B", "", "", "MIT"],
        ]
    )  # fmt: skip
    assert found == {}


def test_implausible_values_are_flagged_a_link_with_no_address_and_a_size_no_model_has():
    # GPT-4's size has never been published: "170T" is a rumour; Gopher's link cell holds
    # a note, not an address
    found = flagged(
        [
            ["GPT-4", "GPT", "CLM", "", "", "03/2023", "170T", "", "Closed source", "OpenAI",
             "https://arxiv.org/abs/2303.08774"],
            ["Gopher", "GPT", "CLM", "", "", "12/2021", "280B", "MassiveText", "Closed source",
             "DeepMind", "See blog post"],
            ["Switch", "T5", "MLM", "", "", "01/2021", "1.6T", "C4", "Open, Apache-2.0",
             "Google", "https://arxiv.org/abs/2101.03961"],
        ]
    )  # fmt: skip
    assert set(found) == {("GPT-4", "Num. Params"), ("Gopher", "Link")}
    assert found[("GPT-4", "Num. Params")].startswith("implausible")
