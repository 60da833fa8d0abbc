"""The rules a verdict must earn, on a small knowledge base built with `kbuild fetch` and
`kbuild extract` (tests/check_fixtures.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from kbuild.check.runner import check

from .check_fixtures import build_kb


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> tuple[sqlite_utils.Database, Path]:
    return build_kb(tmp_path_factory.mktemp("rules"))


def checked(kb, text: str) -> dict[tuple[int, str], dict]:
    db, root = kb
    post = root / "post.md"
    post.write_text(text)
    results = check(db, post)
    return {
        (r.claim["line"], r.claim["field"]): {**r.claim, "verdict": r.verdict.verdict,
                                              "explanation": r.verdict.explanation,
                                              "fact": r.verdict.fact}
        for r in results
    }  # fmt: skip


def first(results: dict, field: str) -> dict:
    return next(r for (_, f), r in sorted(results.items()) if f == field)


# --- which model a card is about ----------------------------------------------------------


def test_a_phrase_heading_names_the_model_among_its_words(kb):
    found = checked(kb, "## How RoBERTa trained longer\n\nFamily: BERT\nLab: Facebook AI\n")
    lab = first(found, "lab")
    assert lab["model_id"] == "roberta"
    assert lab["identified_by"] == "the model named in its heading"


def test_a_link_names_the_model_before_the_heading(kb):
    found = checked(
        kb,
        "## The first open suite of models\n\nFamily: Pythia\nLab: EleutherAI\n"
        "Link: https://github.com/EleutherAI/pythia\n",
    )
    lab = first(found, "lab")
    assert lab["model_id"] == "pythia"
    assert lab["identified_by"].startswith("its Link (https://github.com/EleutherAI/pythia")


def test_the_headings_above_a_card_name_its_model_when_its_own_does_not(kb):
    found = checked(kb, "## BLOOM\n\n### What it was trained on\n\nFamily: GPT\nLab: BigScience\n")
    lab = first(found, "lab")
    assert lab["model_id"] == "bloom"
    assert lab["identified_by"] == "the heading above it ('BLOOM')"


def test_a_heading_naming_two_models_is_ambiguous_not_guessed(kb):
    found = checked(kb, "## From XLNet to ALBERT\n\nFamily: BERT\nLab: Google\n")
    lab = first(found, "lab")
    assert lab["model_id"] is None and lab["verdict"] == "no_evidence"
    assert lab["identified_by"].startswith("ambiguous: its heading names XLNet, ALBERT")


# --- verdicts that earn their word ----------------------------------------------------------

ALBERT_CARD = """## ALBERT

Family: BERT
Pretraining Architecture: Encoder
Pretraining Task: MLM/NSP
Date (of first known publication): 09/2019
Num. Params: Base = 12M, Large = 18M, XLarge = 60M
License: Open, Apache-2.0
Lab: Google
"""


def test_a_card_copied_from_a_table_names_its_row_and_that_table_supports_nothing(kb):
    found = checked(kb, ALBERT_CARD)
    licence = first(found, "license")
    assert licence["origin"] == "catalog row 5 (ALBERT) in 7 of 7 fields"
    # the catalog and its copy say so; nothing independent does
    assert licence["verdict"] == "unverified"
    assert "only catalog and copy say so" in licence["explanation"]
    assert "would settle it" in licence["explanation"]


def test_an_independent_source_makes_a_copied_claim_supported(kb):
    found = checked(
        kb,
        "## BLOOM\n\nFamily: GPT\nPretraining Architecture: Decoder\nPretraining Task: LM\n"
        "Date (of first known publication): 07/2022\nNum. Params: 176B\n",
    )
    date = first(found, "date")
    assert date["origin"].startswith("catalog row 6 (BLOOM)")
    assert date["verdict"] == "supported"
    assert date["fact"]["source"] == "epoch"  # not the catalog the card repeats
    assert 'epoch (row 2, Publication date): "2022-07-11"' in date["explanation"]


def test_a_release_before_the_paper_is_the_first_known_publication(kb):
    found = checked(kb, "## BLOOM\n\nDate (of first known publication): 07/2022\nLab: BigScience\n")
    assert first(found, "date")["verdict"] == "supported"
    # the paper is a first publication too: the report says which event matched
    later = checked(kb, "## BLOOM\n\nDate (of first known publication): 11/2022\nLab: BigScience\n")
    date = first(later, "date")
    assert date["verdict"] == "supported"
    assert "also a first publication 2022-11-09" in date["explanation"]
    assert "arXiv v1" in date["explanation"]
    wrong = checked(kb, "## BLOOM\n\nDate (of first known publication): 03/2021\nLab: BigScience\n")
    date = first(wrong, "date")
    assert date["verdict"] == "contradicted"
    assert "first known publication 2022-07-11" in date["explanation"]


def test_a_year_is_checked_at_year_precision(kb):
    found = checked(kb, "## RoBERTa\n\nDate (of first known publication): 2019\nLab: Facebook\n")
    assert first(found, "date")["verdict"] == "supported"


def test_a_table_date_no_independent_witness_confirms_loses_to_the_paper(kb):
    found = checked(
        kb, "## XLNet\n\nFamily: Transformer XL\nDate (of first known publication): 05/2019\n"
    )
    date = first(found, "date")
    assert date["verdict"] == "contradicted"
    assert (
        "first known publication 2019-06-19 (the paper's first version (arXiv v1), arxiv)"
        in (date["explanation"])
    )


def test_the_lab_on_the_papers_first_page_beats_the_catalog(kb):
    found = checked(kb, "## RoBERTa\n\nFamily: BERT\nLab: UW/Google\n")
    lab = first(found, "lab")
    assert lab["verdict"] == "partially_supported"
    assert lab["fact"]["source"] == "pdf" and "Facebook AI" in lab["fact"]["quote"]
    wrong = first(checked(kb, "## RoBERTa\n\nFamily: BERT\nLab: Google\n"), "lab")
    assert wrong["verdict"] == "contradicted"


def test_a_card_pasted_from_the_neighbouring_row_is_contradicted_naming_that_model(kb):
    # Pythia's row under Pegasus's name and link
    found = checked(
        kb,
        "## Summaries from gap sentences\n\nFamily: Pythia\nPretraining Architecture: Decoder\n"
        "Date (of first known publication): 04/2023\n"
        "Num. Params: 70M, 160M, 410M, 1B, 1.4B, 2.8B, 6.9B, 12B\nCorpus: Pile\n"
        "License: Open, Apache-2.0\nLab: Eleuther AI\n"
        "Link: https://huggingface.co/docs/transformers/model_doc/pegasus\n",
    )
    claims = [r for r in found.values() if r["field"] != "link"]
    assert {r["model_id"] for r in claims} == {"pegasus"}
    # contradicted where Pegasus's own evidence says otherwise; nothing states its licence
    verdicts = {r["field"]: r["verdict"] for r in claims}
    assert verdicts.pop("license") == "unverified"
    assert set(verdicts.values()) == {"contradicted"}, verdicts
    assert all("Pythia" in r["explanation"] for r in claims)
    assert claims[0]["origin"].startswith("catalog row 8 (Pythia)")


@pytest.mark.parametrize(
    ("corpus", "verdict", "names"),
    [
        ("Same as BERT", "supported", {"BookCorpus", "English Wikipedia"}),
        ("Same as BERT for pretraining, but filtered by our team", "supported",
         {"BookCorpus", "English Wikipedia"}),
        ("Same as BERT + CC News", "partially_supported",
         {"BookCorpus", "English Wikipedia", "CC-News"}),
        ("Same as BERT/RoBERTa", "partially_supported",
         {"BookCorpus", "English Wikipedia", "CC-News", "OpenWebText", "Stories"}),
    ],
)  # fmt: skip
def test_same_as_another_model_is_resolved_like_the_tables_resolve_it(kb, corpus, verdict, names):
    # ALBERT's corpus is BERT's ("Same as BERT" in the catalog); what a claim adds to it
    # is more than the evidence says
    found = checked(kb, f"## ALBERT\n\nLab: Google\nCorpus: {corpus}\n")
    claim = first(found, "corpus")
    assert set(json.loads(claim["normalized"])) == names
    assert claim["verdict"] in (verdict, "unverified"), claim["explanation"]


def test_another_models_table_text_in_a_claim_is_contradicted_naming_that_model(kb):
    found = checked(
        kb, "## ALBERT\n\nLab: Google\nCorpus: Same as BERT + CC News + OpenWebText + Stories\n"
    )
    corpus = first(found, "corpus")
    assert corpus["verdict"] == "contradicted"
    assert "RoBERTa's corpus" in corpus["explanation"]
    assert corpus["normalized"]  # the claim is still read
