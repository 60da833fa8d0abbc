"""The rules a verdict must earn, on a small knowledge base built with `kbuild fetch` and
`kbuild extract`: arXiv records, a paper's first page, the catalog, a copy of the catalog
and an independent table. Ids, dates, sizes and labs are true; the prose is ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from kbuild import config
from kbuild.check.runner import check
from kbuild.extract import runner as extract_runner
from kbuild.fetch import runner as fetch_runner
from kbuild.store import open_db

from .conftest import sources_toml
from .extract_fixtures import dump_line, make_pdf
from .table_fixtures import to_csv

MODELS = [
    {"name": "BERT", "arxiv": "1810.04805"},
    {"name": "RoBERTa", "arxiv": "1907.11692"},
    {"name": "XLNet", "arxiv": "1906.08237"},
    {"name": "ALBERT", "arxiv": "1909.11942"},
    {"name": "BLOOM", "arxiv": "2211.05100"},
    {"name": "Pegasus", "arxiv": "1912.08777"},
    {"name": "Pythia", "arxiv": "2304.01373"},
]
ARXIV = [
    dump_line(id="1907.11692", title="RoBERTa: A Robustly Optimized BERT Pretraining Approach",
              authors="Yinhan Liu, Myle Ott, Naman Goyal",
              abstract="  We revisit how BERT is pretrained.\n",
              versions=[{"version": "v1", "created": "Fri, 26 Jul 2019 00:00:00 GMT"}]),
    dump_line(id="1906.08237", title="XLNet: Generalized Autoregressive Pretraining for "
              "Language Understanding", authors="Zhilin Yang, Zihang Dai, Yiming Yang",
              abstract="  XLNet is pretrained with permutation language modeling.\n",
              versions=[{"version": "v1", "created": "Wed, 19 Jun 2019 00:00:00 GMT"}]),
    dump_line(id="2211.05100", title="BLOOM: A 176B-Parameter Open-Access Multilingual "
              "Language Model", authors="BigScience Workshop, Teven Le Scao, Angela Fan",
              abstract="  BLOOM is a decoder-only language model with 176B parameters.\n",
              versions=[{"version": "v1", "created": "Wed, 9 Nov 2022 00:00:00 GMT"}]),
]  # fmt: skip
ROBERTA_PAGE = [
    [
        "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        "Yinhan Liu   Myle Ott   Naman Goyal",
        "Paul G. Allen School of Computer Science & Engineering,",
        "University of Washington, Seattle, WA",
        "Facebook AI",
        "Abstract",
        "We revisit how BERT is pretrained and train it for longer.",
    ]
]
CATALOG_HEADER = ["Name", "Family", "Pretraining Architecture", "Pretraining Task",
                  "Date (of first known publication)", "Num. Params", "Corpus", "License",
                  "Lab", "Link"]  # fmt: skip
CATALOG_ROWS = [
    ["BERT", "BERT", "Encoder", "MLM/NSP", "10/2018", "Base = 110M, Large = 340M",
     "Toronto Book Corpus and Wikipedia", "Open, Apache-2.0", "Google",
     "https://huggingface.co/docs/transformers/model_doc/bert"],
    ["RoBERTa", "BERT", "Encoder", "MLM (Dynamic)", "07/2019", "356M",
     "Same as BERT + CC News + OpenWebText + Stories", "N/A", "UW/Google",
     "https://huggingface.co/docs/transformers/model_doc/roberta"],
    ["XLNet", "Transformer XL", "Decoder", "PLM", "05/2019", "Base=117M, Large=360M",
     "Same as BERT + Giga5 + ClueWeb 2012-B + Common Crawl", "Open, MIT license", "CMU/Google",
     "https://huggingface.co/docs/transformers/model_doc/xlnet"],
    ["ALBERT", "BERT", "Encoder", "MLM/NSP", "09/2019", "Base = 12M, Large = 18M, XLarge = 60M",
     "Same as BERT", "Open, Apache-2.0", "Google",
     "https://huggingface.co/docs/transformers/model_doc/albert"],
    ["BLOOM", "GPT", "Decoder", "LM", "07/2022", "176B", "ROOTS", "Open, BigScience RAIL v1.0",
     "Big Science/Huggingface", "https://huggingface.co/docs/transformers/model_doc/bloom"],
    ["Pegasus", "Transformer", "Encoder/Decoder", "DAE (more concretely GSG) and MLM", "12/2019",
     "Base = 223M, Large = 568M", "C4 (750GB) + HugeNews (3.8 TB)", "N/A", "UCL/Google",
     "https://huggingface.co/docs/transformers/model_doc/pegasus"],
    ["Pythia", "Pythia", "Decoder", "", "04/2023", "70M, 160M, 410M, 1B, 1.4B, 2.8B, 6.9B, 12B",
     "Pile", "Open, Apache-2.0", "Eleuther AI", "https://github.com/EleutherAI/pythia"],
]  # fmt: skip
EPOCH_HEADER = ["Model", "Organization", "Publication date", "Parameters", "Link"]
EPOCH_ROWS = [
    ["BLOOM-176B", "Hugging Face,BigScience", "2022-07-11", "176247271424.0",
     "https://arxiv.org/abs/2211.05100"],
    ["RoBERTa Large", "Facebook AI,University of Washington", "2019-07-26", "355000000.0",
     "https://arxiv.org/abs/1907.11692"],
]  # fmt: skip


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> tuple[sqlite_utils.Database, Path]:
    root = tmp_path_factory.mktemp("rules")
    (root / "papers.jsonl").write_text("\n".join(ARXIV) + "\n")
    (root / "pdfs").mkdir()
    (root / "pdfs" / "1907.11692.pdf").write_bytes(make_pdf(ROBERTA_PAGE))
    (root / "catalog.csv").write_text(to_csv(CATALOG_HEADER, CATALOG_ROWS))
    (root / "copy.csv").write_text(to_csv(CATALOG_HEADER, CATALOG_ROWS))
    (root / "epoch.csv").write_text(to_csv(EPOCH_HEADER, EPOCH_ROWS))
    tables = {
        "copy": {"location": "copy.csv", "derived_from": ["catalog"], "trust": 60},
        "epoch": {"location": "epoch.csv", "name_column": "Model", "trust": 30,
                  "columns": {"Organization": {"field": "lab", "split": ","},
                              "Publication date": "date", "Parameters": "params",
                              "Link": "link"}},
    }  # fmt: skip
    sources = root / "sources.toml"
    sources.write_text(
        sources_toml(
            MODELS,
            arxiv={"location": "papers.jsonl"},
            pdf={"location": "pdfs"},
            catalog={"location": "catalog.csv"},
            tables=tables,
        )
    )
    db = open_db(root / "kb.db")
    report = fetch_runner.run(config.load(sources), db, quiet=True)
    assert not report.failed, report.failures
    extract_runner.run(db)
    return db, root


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
    later = checked(kb, "## BLOOM\n\nDate (of first known publication): 11/2022\nLab: BigScience\n")
    date = first(later, "date")
    assert date["verdict"] == "contradicted"
    assert "first known publication 2022-07-11" in date["explanation"]
    assert "paper_v1 (2022-11-09), which came later" in date["explanation"]


def test_a_year_is_checked_at_year_precision(kb):
    found = checked(kb, "## RoBERTa\n\nDate (of first known publication): 2019\nLab: Facebook\n")
    assert first(found, "date")["verdict"] == "supported"


def test_a_table_date_no_independent_witness_confirms_loses_to_the_paper(kb):
    found = checked(
        kb, "## XLNet\n\nFamily: Transformer XL\nDate (of first known publication): 05/2019\n"
    )
    date = first(found, "date")
    assert date["verdict"] == "contradicted"
    assert "first known publication 2019-06-19 (paper_v1, arxiv)" in date["explanation"]


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
    assert all(r["verdict"] == "contradicted" for r in claims), [r["verdict"] for r in claims]
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
