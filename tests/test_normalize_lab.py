"""Labs → canonical organisations, in the order the source names them."""

from __future__ import annotations

import pytest

from kbuild.normalize.lab import ORGS, normalize_lab, org_rows, orgs_in

from .extract_fixtures import catalog_cell, need_corpus

CASES = [
    ("Google", None, ["Google"]),
    ("Google AI Language", None, ["Google"]),  # BERT's affiliation line
    ("Google Research", None, ["Google"]),
    ("Google Brain", None, ["Google"]),
    ("Facebook", None, ["Meta"]),  # catalog, OPT
    ("Facebook AI", None, ["Meta"]),  # RoBERTa's affiliation line
    ("FAIR", None, ["Meta"]),
    ("Meta AI", None, ["Meta"]),
    ("Deepmind", None, ["DeepMind"]),  # catalog, Chinchilla (2022)
    ("Deepmind", "2022-03", ["DeepMind"]),
    ("Deepmind", "2024-02", ["Google DeepMind"]),  # after the April 2023 merger
    ("CMU/Google", None, ["Carnegie Mellon University", "Google"]),  # XLNet
    ("UW/Google", None, ["University of Washington", "Google"]),  # RoBERTa
    ("Big Science/Huggingface", None, ["BigScience", "Hugging Face"]),  # BLOOM
    ("Huggingface", None, ["Hugging Face"]),  # DistilBERT
    ("Stanford/Google", None, ["Stanford University", "Google"]),  # ELECTRA
    (
        "UC Berkeley, CMU, Stanford, UC San Diego, and MBZUAI",  # Vicuna
        None,
        [
            "UC Berkeley",
            "Carnegie Mellon University",
            "Stanford University",
            "UC San Diego",
            "MBZUAI",
        ],
    ),
]


@pytest.mark.parametrize(("text", "date", "expected"), CASES, ids=[f"{c[0]}@{c[1]}" for c in CASES])
def test_lab_spellings_normalize_to_organisations(text, date, expected):
    result = normalize_lab(text, date)
    assert result.value == expected
    assert result.flag is None


@pytest.mark.parametrize(("text", "flag"), [("N/A", "empty"), ("A university", "unrecognized")])
def test_no_lab(text, flag):
    result = normalize_lab(text)
    assert result.value is None
    assert result.flag == flag


def test_short_acronyms_only_count_in_capitals():
    assert orgs_in("a fair comparison with uw students") == []
    assert orgs_in("FAIR and UW") == ["Meta", "University of Washington"]


def test_an_affiliation_broken_across_pdf_lines_is_still_found():
    assert orgs_in("Google AI\nLanguage") == ["Google"]


def test_the_orgs_table_lists_every_alias_once():
    rows = org_rows()
    assert len({r["alias"] for r in rows}) == len(rows)
    assert {r["org"] for r in rows} == set(ORGS)


@pytest.mark.parametrize(
    ("model", "text"),
    [
        ("Chinchilla", "Deepmind"),
        ("XLNet", "CMU/Google"),
        ("RoBERTa", "UW/Google"),
        ("BLOOM", "Big Science/Huggingface"),
        ("Vicuna", "UC Berkeley, CMU, Stanford, UC San Diego, and MBZUAI"),
        ("OPT", "Facebook"),
    ],
)
def test_table_spellings_are_the_catalogs_own_cells(model, text):
    assert catalog_cell(model, "Lab") == text


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("hf_docs", "roberta.md"), "Facebook AI"),
        (("hf_docs", "llama@919220d.md"), "Meta AI"),
        (("hf_docs", "electra@919220d.md"), "Google Research"),
    ],
)
def test_table_spellings_occur_in_the_hf_docs(path, text):
    assert text in need_corpus(*path).read_text(encoding="utf-8")
