"""Paper PDFs → the lab from the first page's affiliation lines, and the sizes and corpus
the paper states about its own model; locators give page, span in pages.text, and bbox."""

from __future__ import annotations

import pytest

from kbuild.extract import pdf
from kbuild.extract.statements import Subject

from .extract_fixtures import KB, by_field, make_pdf, model, need_corpus, normalized

BERT = model("BERT")
GPT1 = model("GPT-1", "OpenAI GPT", "GPT")
ROBERTA = model("RoBERTa")
MODELS = [BERT, GPT1, ROBERTA]

# BERT's first page (title, authors, affiliation and e-mail line are true); the abstract
# and the page-2 sentences are written for this test.
BERT_PAGES = [
    [
        "BERT: Pre-training of Deep Bidirectional Transformers for",
        "Language Understanding",
        "Jacob Devlin   Ming-Wei Chang   Kenton Lee   Kristina Toutanova",
        "Google AI Language",
        "{jacobdevlin,mingweichang,kentonl,kristout}@google.com",
        "Abstract",
        "BERT-Base has 110M parameters and BERT-Large has 340M parameters.",
        "We pre-train BERT on BooksCorpus and English Wikipedia.",
    ],
    [
        "1 Related Work",
        "OpenAI GPT has 117M parameters and reads text left to right.",
        "A model with 1.5B parameters is larger still.",
    ],
]


@pytest.fixture
def kb(tmp_path):
    kb = KB(tmp_path / "kb.db")
    kb.add_models(*MODELS)
    return kb


@pytest.fixture
def bert(kb):
    document = kb.add_pdf("1810.04805.pdf", make_pdf(BERT_PAGES), model_id="bert")
    facts = pdf.extract(document, BERT, kb.pages(document["id"]), Subject.of(BERT, MODELS))
    return kb, document, facts


def test_every_fact_has_page_span_and_a_quote_that_holds(bert):
    kb, document, facts = bert
    pages = {p["page"]: p["text"] for p in kb.pages(document["id"])}
    assert facts
    for fact in facts:
        start, end = fact.locator["span"]
        assert pages[fact.locator["page"]][start:end] == fact.quote
        assert kb.holds(fact), fact


def test_the_affiliation_line_gives_the_lab(bert):
    _, _, facts = bert
    (lab,) = by_field(facts)["lab"]  # the e-mail line's google.com is not a second lab
    assert normalized(lab) == ["Google"]
    assert lab.quote == "Google AI Language"
    assert lab.locator["page"] == 1
    assert lab.confidence == pdf.AFFILIATION_CONFIDENCE


def test_a_size_the_paper_states_about_its_model_is_a_params_fact(bert):
    _, _, facts = bert
    (params,) = by_field(facts)["params"]
    assert normalized(params) == [110_000_000, 340_000_000]
    assert params.quote == "BERT-Base has 110M parameters and BERT-Large has 340M parameters."
    assert params.locator["page"] == 1


def test_facts_carry_the_bounding_box_of_their_text(bert):
    _, _, facts = bert
    found = by_field(facts)
    for fact in (found["lab"][0], found["params"][0]):
        x0, y0, x1, y1 = fact.locator["bbox"]
        assert 0 <= x0 < x1 <= 612 and 0 <= y0 < y1 <= 792
    # the lab line is above the abstract's sentence
    assert found["lab"][0].locator["bbox"][1] < found["params"][0].locator["bbox"][1]


def test_the_corpus_the_paper_trains_on(bert):
    _, _, facts = bert
    (corpus,) = by_field(facts)["corpus"]
    assert normalized(corpus) == ["BookCorpus", "English Wikipedia"]


def test_sizes_of_other_models_or_of_no_named_model_are_not_facts(bert):
    _, _, facts = bert
    assert all(f.locator["page"] == 1 for f in by_field(facts)["params"])


def test_a_pdf_without_stored_pages_gives_no_facts(kb):
    document = kb.add_pdf("empty.pdf", make_pdf([["Abstract"]]), model_id="bert")
    assert pdf.extract(document, BERT, [], Subject.of(BERT, MODELS)) == []


def test_the_real_roberta_paper_names_both_its_labs(kb):
    # a first page with two affiliations gives one fact naming both, not one of them
    blob = need_corpus("pdfs", "1907.11692.pdf").read_bytes()
    document = kb.add_pdf("1907.11692.pdf", blob, model_id="roberta")
    facts = pdf.extract(document, ROBERTA, kb.pages(document["id"]), Subject.of(ROBERTA, MODELS))
    (lab,) = by_field(facts)["lab"]
    assert normalized(lab) == ["University of Washington", "Meta"]
    assert "Facebook AI" in lab.quote and "University of Washington" in lab.quote
    for fact in facts:
        assert kb.holds(fact), fact
