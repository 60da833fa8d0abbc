"""Training corpora → a sorted list of canonical dataset names (sizes stay in the value)."""

from __future__ import annotations

import pytest

from kbuild.normalize.corpus import datasets_in, normalize_corpus

from .extract_fixtures import catalog_cell

CASES = [
    ("Toronto Book Corpus and Wikipedia (3.3B Tokens)", ["BookCorpus", "English Wikipedia"]),
    # Big Bird: a bare "Books" is not assumed to be BookCorpus (Gopher's "Books" is not)
    ("Books, CC-News, Stories and Wikipedia)", ["CC-News", "English Wikipedia", "Stories"]),
    (
        "Colossal Clean Crawled Corpus (C4) --- Cleaned up version of the Common Crawl dataset"
        " --- 750 GB",
        ["C4"],  # T5 trains on C4; Common Crawl is named only as what C4 was made from
    ),
    ("Colossal Clean Crawled Corpus", ["C4"]),  # Switch
    ("Pile corpus, a large-scale curated dataset created by EleutherAI.", ["The Pile"]),
    ("180B tokens = RoBERTa + the Pile + PushShift.io Reddit", ["Reddit", "The Pile"]),  # OPT
    ("Massive Text", ["MassiveText"]),  # Chinchilla
    ("LAION-5B, a publicly available dataset derived from Common Crawl", ["LAION"]),
    (
        "Highest quality subset from The Pile + 2 CC snapshots (339B tokens)",
        ["The Pile"],  # Turing-NLG: a subset of the Pile is still the Pile
    ),
    (
        "500B tokens including CommonCrawl (410B), WebText2 (19B), Books1 (12B), Books2 (55B),"
        " and Wikipedia (3B)",
        ["Books1", "Books2", "Common Crawl", "English Wikipedia", "WebText2"],  # GPT-3
    ),
    (
        "English CommonCrawl + C4 + Github + Wikipedia + Gutenberg and Books3 + ArXiv + Stack"
        " Exchange",
        [
            "Books3",
            "C4",
            "Common Crawl",
            "English Wikipedia",
            "GitHub",
            "Project Gutenberg",
            "Stack Exchange",
            "arXiv",
        ],  # LLaMA
    ),
    ("It is pre-trained on the mC4 corpus, which includes 101 languages.", ["mC4"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_corpus_spellings_normalize_to_canonical_datasets(text, expected):
    result = normalize_corpus(text)
    assert result.value == expected
    assert result.flag is None


def test_an_arxiv_stamp_is_not_the_arxiv_corpus():
    assert datasets_in("arXiv:1907.11692v1 [cs.CL] 26 Jul 2019") == []
    assert normalize_corpus("arXiv:1907.11692v1").value is None


def test_a_reference_to_another_models_corpus_is_flagged():
    result = normalize_corpus("Same as BERT")
    assert result.value is None
    assert result.flag == "reference"


def test_unnamed_data_is_unrecognized():
    result = normalize_corpus("366B tokens (1.5 TB of text data) multilingual dataset")  # BLOOM
    assert result.value is None
    assert result.flag == "unrecognized"


@pytest.mark.parametrize(
    ("model", "text"),
    [
        ("BERT", "Toronto Book Corpus and Wikipedia (3.3B Tokens)"),
        ("Big Bird", "Books, CC-News, Stories and Wikipedia)"),
        (
            "T5",
            "Colossal Clean Crawled Corpus (C4) --- Cleaned up version of the Common Crawl dataset"
            " --- 750 GB",
        ),
        ("GPT-J", "Pile corpus, a large-scale curated dataset created by EleutherAI."),
        ("Chinchilla", "Massive Text"),
        ("StableDiffusion", "LAION-5B, a publicly available dataset derived from Common Crawl"),
    ],
)
def test_table_spellings_are_the_catalogs_own_cells(model, text):
    assert catalog_cell(model, "Corpus") == text
