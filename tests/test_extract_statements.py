"""Prose shared by the arXiv, HF-doc and PDF extractors: which sentences speak about the
model, and which sizes in them are the model's parameter counts."""

from __future__ import annotations

import pytest

from kbuild.extract.statements import Subject, facts_in, params_phrase
from kbuild.extract.text import Region, markdown_regions, sentences
from kbuild.normalize.params import normalize_params

from .extract_fixtures import model

LLAMA = model("LLaMA", "Llama")
BERT = model("BERT")
MIXTRAL = model("Mixtral", "Mixtral-8x7B")
DEEPSEEK = model("DeepSeek-V3")


@pytest.mark.parametrize(
    ("sentence", "sizes"),
    [
        ("Llama is a family of models ranging from 7B to 65B parameters.", [7e9, 65e9]),
        ("We train a model with Parameters = 340M on 3.3B words.", [340e6]),
        ("It has 1.5 billion parameters and reads 40GB of text.", [1.5e9]),
        # a mixture of experts: the size is the total, not what one token activates
        ("Mixtral has 47B parameters but uses only 13B active parameters per token.", [47e9]),
        ("DeepSeek-V3 has 671B total parameters with 37B activated for each token.", [671e9]),
    ],
)
def test_the_sizes_a_sentence_gives_as_parameter_counts(sentence, sizes):
    phrase = params_phrase(sentence)
    assert phrase in sentence
    assert normalize_params(phrase).value == [int(s) for s in sizes]


@pytest.mark.parametrize(
    "sentence",
    [
        "We train on 1.4T tokens.",
        "Mixtral only uses 13B active parameters for each token.",
    ],
)
def test_sentences_with_no_model_size_give_none(sentence):
    assert params_phrase(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "about"),
    [
        ("LLaMA-13B has 13B parameters.", True),  # names the model
        ("We train our models on public data only.", True),  # the authors speak
        ("It uses rotary embeddings in every layer.", True),
        ("BERT has 340M parameters.", False),  # another tracked model
        ("Methods such as LLaMA mask the input.", False),  # a comparison
        ("LLaMA outperforms GPT-3 on most benchmarks.", False),
        ("The weather was fine that day.", False),
    ],
)
def test_which_sentences_are_about_the_model(sentence, about):
    assert Subject.of(LLAMA, [LLAMA, BERT]).about(sentence) is about


def test_a_name_inside_a_longer_word_does_not_name_the_model():
    subject = Subject.of(BERT)
    assert subject.names_model("BERTBASE has 110M parameters")
    assert not subject.names_model("Bertrand wrote it")


def test_sentences_keep_spans_and_skip_abbreviations():
    text = "We use e.g. BooksCorpus here. It has 7B parameters. Done now."
    region = Region(10, 10 + len(text), text)
    found = list(sentences(region))
    assert [s.text for s in found] == [
        "We use e.g. BooksCorpus here.",
        "It has 7B parameters.",
        "Done now.",
    ]
    for sentence in found:
        assert text[sentence.start - 10 : sentence.end - 10] == sentence.text


def test_markdown_regions_point_into_the_raw_body():
    body = "<!-- header -->\n# Title\n\nFirst paragraph here.\n\n- item one\n- item two\n"
    regions = markdown_regions(body)
    assert [r.text for r in regions] == ["First paragraph here.", "- item one", "- item two"]
    for region in regions:
        assert body[region.start : region.end] == region.text
        assert region.section == "Title"


def test_facts_in_reads_only_the_fields_asked_for():
    text = "We pretrain LLaMA on C4 and GitHub; LLaMA has 65B parameters."
    facts = facts_in(
        [Region(0, len(text), text)],
        quote_of=lambda s: text[s.start : s.end],
        locator_for=lambda s: {"span": [s.start, s.end]},
        fact_args={"model_id": "llama", "document_id": 1, "extractor": "test"},
        subject=Subject.of(LLAMA),
        fields={"corpus"},
        confidence=0.5,
    )
    assert [(f.field, f.normalized.value) for f in facts] == [("corpus", ["C4", "GitHub"])]


def _subject(name: str, *others: str) -> Subject:
    from kbuild.extract.statements import NameIndex

    models = [{"id": n.lower(), "name": n, "aliases": []} for n in (name, *others)]
    return Subject.of(models[0], index=NameIndex(models))


def test_a_size_given_to_a_linked_model_in_apposition_is_not_this_models():
    # BLIP-2 is compared with Flamingo (80B); the link stands between name and size
    subject = _subject("BLIP-2", "Flamingo")
    text = "On VQA our BLIP-2 beats [Flamingo](https://arxiv.org/abs/2204.14198), an 80B model."
    assert params_phrase(text, subject.others) is None


def test_bytes_and_tokens_beside_a_size_are_not_parameters():
    subject = _subject("BLT")
    text = "BLT is scaled to 8B parameters and 4T training bytes."
    assert normalize_params(params_phrase(text, subject.others)).value == [8_000_000_000]


def test_parameters_used_per_token_are_the_active_ones():
    from kbuild.extract.statements import expert_sizes

    subject = _subject("OLMoE")
    text = "OLMoE has 7B parameters, but only 1B parameters are used per input token."
    total, active = expert_sizes(text, subject.others)
    assert [m.group(0) for m in total] == ["7B"] and [m.group(0) for m in active] == ["1B"]
