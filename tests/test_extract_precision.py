"""One test per class of extraction error found by auditing a sample of facts: denied
statements, a baseline's size credited to the model, PDF words broken at a line end,
first pages with several labs, corpus lists, masked language modeling read as causal.
(Two models with one name: tests/test_tables_match.py.) The text is ours."""

from __future__ import annotations

import pytest

from kbuild.extract import hf_docs, pdf
from kbuild.extract.statements import NameIndex, Subject, params_phrase
from kbuild.normalize.task import objectives_in

from .extract_fixtures import KB, by_field, make_pdf, model, normalized

MODELS = [
    model("RoBERTa"),
    model("BERT"),
    model("InstructGPT"),
    model("GPT-3", "GPT3"),
    model("XLNet"),
    model("DistilBERT"),
]


@pytest.fixture
def kb(tmp_path):
    kb = KB(tmp_path / "kb.db")
    kb.add_models(*MODELS)
    return kb


def doc_facts(kb, name: str, text: str) -> dict[str, list]:
    subject_model = next(m for m in MODELS if m["name"] == name)
    document = kb.add_text(
        "hf_doc", f"{name}.md", f"# {name}\n\n## Overview\n\n{text}\n", model_id=subject_model["id"]
    )
    subject = Subject.of(subject_model, index=NameIndex(MODELS))
    return by_field(hf_docs.extract(document, subject_model, subject))


def test_a_denied_architecture_is_no_fact(kb):
    found = doc_facts(kb, "XLNet", "XLNet is not a traditional autoregressive model.")
    assert "architecture" not in found


def test_a_removed_objective_is_no_fact(kb):
    found = doc_facts(
        kb,
        "RoBERTa",
        "RoBERTa is pretrained with masked language modeling, removing the next sentence "
        "prediction objective.",
    )
    (task,) = found["task"]
    assert normalized(task) == ["MLM"]


def test_a_denied_size_is_no_fact():
    assert params_phrase("It is not a 175B parameter model.") is None


def test_a_baselines_size_in_the_same_sentence_is_not_the_models():
    others = Subject.of(MODELS[2], index=NameIndex(MODELS)).others  # InstructGPT's view
    phrase = params_phrase(
        "Outputs of the 1.3B parameter InstructGPT model are preferred to those of the 175B GPT-3.",
        others,
    )
    assert phrase == "1.3B parameter"


def test_a_size_right_after_another_models_name_is_that_models():
    others = Subject.of(MODELS[0], index=NameIndex(MODELS)).others  # RoBERTa's view
    assert params_phrase("We keep the BERT 340M parameter budget fixed.", others) is None


def test_pdf_words_broken_at_a_line_end_still_name_their_datasets(kb):
    blob = make_pdf(
        [
            ["RoBERTa: a test paper", "Facebook AI", "Abstract",
             "We pretrain RoBERTa on the Book-", "Corpus, English Wiki-", "pedia, CC-",
             "News and Open-", "WebText."],
        ]
    )  # fmt: skip
    roberta = MODELS[0]
    document = kb.add_pdf("roberta.pdf", blob, model_id="roberta")
    facts = by_field(
        pdf.extract(document, roberta, kb.pages(document["id"]), Subject.of(roberta, MODELS))
    )
    datasets = {name for fact in facts["corpus"] for name in normalized(fact)}
    assert {"BookCorpus", "English Wikipedia", "CC-News", "OpenWebText"} <= datasets
    for fact in facts["corpus"]:
        assert kb.holds(fact)


def test_a_first_page_with_several_labs_keeps_them_all(kb):
    blob = make_pdf(
        [["RoBERTa: a test paper", "Yinhan Liu", "Paul G. Allen School, University of Washington",
          "Facebook AI", "Abstract", "We study pretraining."]]
    )  # fmt: skip
    roberta = MODELS[0]
    document = kb.add_pdf("roberta2.pdf", blob, model_id="roberta")
    (lab,) = by_field(
        pdf.extract(document, roberta, kb.pages(document["id"]), Subject.of(roberta, MODELS))
    )["lab"]
    assert normalized(lab) == ["University of Washington", "Meta"]
    assert kb.holds(lab)


def test_a_corpus_list_keeps_every_item(kb):
    found = doc_facts(
        kb,
        "RoBERTa",
        "RoBERTa is pretrained on BookCorpus, English Wikipedia, CC-News, OpenWebText and Stories.",
    )
    (corpus,) = found["corpus"]
    assert normalized(corpus) == [
        "BookCorpus", "CC-News", "English Wikipedia", "OpenWebText", "Stories",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "objectives"),
    [
        ("pretrained with a masked language modeling objective", ["MLM"]),
        ("a masked-language modeling objective and next sentence prediction", ["MLM", "NSP"]),
        ("trained with a language modeling objective", ["CLM"]),
        ("a permutation language modeling objective", ["PLM"]),
    ],
)
def test_masked_language_modeling_is_not_causal(text, objectives):
    assert objectives_in(text) == objectives
