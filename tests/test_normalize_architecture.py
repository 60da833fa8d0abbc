"""Pretraining architecture → 'encoder' | 'decoder' | 'encoder-decoder'."""

from __future__ import annotations

import pytest

from kbuild.normalize.architecture import architecture_in, normalize_architecture

from .extract_fixtures import catalog_cell, need_corpus

CASES = [
    ("Encoder/Decoder", "encoder-decoder"),  # catalog, T5
    ("Encoder and decoder", "encoder-decoder"),  # catalog, GLM
    ("sequence-to-sequence", "encoder-decoder"),  # hf_docs bart.md
    ("seq2seq", "encoder-decoder"),
    ("Encoder-Decoder", "encoder-decoder"),
    ("Decoder", "decoder"),  # catalog, GPT-2
    ("decoder-only", "decoder"),
    ("Encoder", "encoder"),  # catalog, BERT
    ("encoder-only", "encoder"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_architecture_spellings_normalize(text, expected):
    result = normalize_architecture(text)
    assert result.value == expected
    assert result.flag is None


def test_an_architecture_that_depends_on_the_base_model_is_ambiguous():
    result = normalize_architecture("Encoder or Decorder, depending on the base model")
    assert result.value is None
    assert result.flag == "ambiguous"


@pytest.mark.parametrize(("text", "flag"), [("", "empty"), ("Diffusion", "unrecognized")])
def test_no_architecture(text, flag):
    result = normalize_architecture(text)
    assert result.value is None
    assert result.flag == flag


@pytest.mark.parametrize(
    ("sentence", "arch"),
    [
        ("BART is a sequence-to-sequence model pretrained by corrupting text.", "encoder-decoder"),
        ("OPT is a suite of decoder-only pre-trained transformers.", "decoder"),
        ("BERT is a bidirectional transformer pretrained on unlabeled text.", "encoder"),
    ],
)
def test_prose_that_states_one_architecture_gives_it(sentence, arch):
    phrase, found = architecture_in(sentence)
    assert found == arch
    assert phrase in sentence


def test_prose_that_names_two_architectures_gives_none():
    text = "It pairs a bidirectional encoder with a left-to-right language model decoder."
    assert architecture_in(text) is None


@pytest.mark.parametrize(
    ("model", "text"),
    [
        ("T5", "Encoder/Decoder"),
        ("GLM", "Encoder and decoder"),
        ("GPT-2", "Decoder"),
        ("BERT", "Encoder"),
        ("Megatron", "Encoder or Decorder, depending on the base model"),
    ],
)
def test_table_spellings_are_the_catalogs_own_cells(model, text):
    assert catalog_cell(model, "Pretraining Architecture") == text


def test_sequence_to_sequence_is_how_the_hf_docs_write_it():
    assert "sequence-to-sequence" in need_corpus("hf_docs", "bart.md").read_text(encoding="utf-8")
