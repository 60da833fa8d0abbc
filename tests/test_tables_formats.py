"""Every table format reads into numbered rows of cells, exactly as written; a document
that is not a table of its format is an error saying what is wrong and where."""

from __future__ import annotations

import re

import pytest

from kbuild.tables.formats import TableError, read
from kbuild.tables.names import added_name, shorter_names, size_count, split_size

from .table_fixtures import BIGSCIENCE_YAML, EPOCH_CSV, MISTRAL_YAML, ORKG_JSON, SURVEY_MD


def test_csv_rows_are_numbered_as_the_spreadsheet_numbers_them():
    table = read("csv", EPOCH_CSV)
    assert table.columns[:3] == ["Model", "Domain", "Organization"]
    first = table.rows[0]
    assert first.number == 2
    assert first.text("Model") == "BERT-Large"
    assert first.text("Parameters") == "340000000.0"
    assert table.rows[-1].number == 8


def test_yaml_cells_are_text_as_written_with_explanations_and_lists():
    table = read("yaml", BIGSCIENCE_YAML)
    roots, bloom = table.rows
    assert (roots.number, bloom.number) == (1, 2)
    assert bloom.line == 9
    assert bloom.text("created_date") == "2022-07-12"  # text, not a date object
    licence = bloom.cells["license"]
    assert licence.text == "BigScience RAIL License v1.0"
    assert licence.note == "Our note on where the licence is given."
    assert bloom.cells["dependencies"].items == ["ROOTS"]
    assert read("yaml", MISTRAL_YAML).rows[0].cells["created_date"].note.startswith("Our note")


def test_json_records_under_a_key():
    table = read("json", ORKG_JSON, records="extraction_data")
    assert [r.text("model_name") for r in table.rows] == ["BERT", "GPT-1"]
    assert table.rows[0].text("blog_post") == ""


def test_html_table_spreads_rowspans_and_keeps_link_targets():
    table = read("html", SURVEY_MD)
    assert table.columns == ["Category", "model", "Release Time", "Size(B)", "Link"]
    t5, bloom, gpt3 = table.rows
    assert (t5.number, bloom.number, gpt3.number) == (1, 2, 3)
    assert bloom.text("Category") == "Publicly Accessible"  # spanned from the row above
    assert gpt3.text("Category") == "Closed Source"
    assert t5.cells["Link"].text == "Paper"
    assert t5.cells["Link"].links == ["https://arxiv.org/abs/1910.10683"]


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        (
            "csv",
            "Model,Date\nBERT,2018-10-11,Google,extra\n",
            "row 2 has 4 cells but the header has 2",
        ),
        ("csv", "", "empty"),
        ("csv", "Model,Date\n", "header but no rows"),
        ("csv", "<!DOCTYPE html><html><body>Sign in</body></html>", "HTML page, not CSV"),
        ("csv", "<html><head><title>x</title></head></html>", "HTML page"),
        ("yaml", "- name: BERT\n  size: [110M\n- name: GPT\n", "broken YAML: line 3"),
        ("yaml", "name: BERT\n", "records"),
        ("yaml", "- just a string\n", "record 1 (line 1) is not a mapping"),
        ("json", '[{"model": "BERT",}]', "broken JSON: line 1"),
        ("json", '{"rows": []}', "records"),
        ("html", "<p>no table here</p>", "0 <table>"),
        ("html", "<table><tr><td>BERT</td></tr></table>", "no header row"),
    ],
)
def test_a_malformed_table_says_what_is_wrong_and_where(fmt, text, message):
    with pytest.raises(TableError, match=re.escape(message)):
        read(fmt, text)


def test_a_short_csv_row_has_empty_trailing_cells():
    table = read("csv", "Model,Date,Lab\nBERT,10/2018\n")
    assert table.rows[0].text("Lab") == ""


@pytest.mark.parametrize(
    ("name", "base", "size"),
    [
        ("GPT-2 (1.5B)", "GPT-2", "1.5B"),
        ("LLaMA-65B", "LLaMA", "65B"),
        ("Llama 2-70B", "Llama 2", "70B"),
        ("BLOOM-176B", "BLOOM", "176B"),
        ("BERT-Large", "BERT", None),
        ("ALBERT-xxlarge", "ALBERT", None),
        ("mT5-XXL", "mT5", None),
        ("GPT-3 175B (davinci)", "GPT-3", "175B"),
        ("PaLM (540B)", "PaLM", "540B"),
        ("Mixtral 8x7B", "Mixtral", "8x7B"),
        ("Llama 3.1-405B", "Llama 3.1", "405B"),
        ("T5", "T5", None),
        ("Phi-3", "Phi-3", None),
        ("Mamba-2", "Mamba-2", None),
        ("Transformer XL", "Transformer XL", None),
        ("Mistral Large", "Mistral Large", None),
        ("GPT-4o mini", "GPT-4o mini", None),
    ],
)
def test_a_size_named_row_names_its_model_and_size(name, base, size):
    assert split_size(name) == (base, size)


def test_each_shorter_name_is_tried_in_turn():
    # "Transformer-XL" is a model; "Transformer" only if no model has the longer name
    assert shorter_names("Transformer-XL (257M)") == [
        ("Transformer-XL", "257M", False),
        ("Transformer", "257M", True),  # a variant word: needs the paper to agree
    ]


@pytest.mark.parametrize(
    ("name", "added"),
    [("Falcon-180B", "Falcon"), ("Yi-Large", "Yi-Large"), ("PaLM (540B)", "PaLM"),
     ("ALBERT-xxlarge", "ALBERT-xxlarge")],
)  # fmt: skip
def test_a_model_is_added_without_its_size_but_with_its_variant_word(name, added):
    assert added_name(name) == added


def test_a_mixtures_name_is_no_parameter_count():
    assert size_count("65B") == 65_000_000_000
    assert size_count("1.5B") == 1_500_000_000
    assert size_count("8x7B") is None
