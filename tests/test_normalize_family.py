"""Model families → canonical family names."""

from __future__ import annotations

import pytest

from kbuild.normalize.family import normalize_family

from .extract_fixtures import catalog_cell

CASES = [
    ("BERT for encoder, GPT for Decoder", ["BERT", "GPT"]),  # BART
    ("GPT/BERT/T5", ["BERT", "GPT", "T5"]),  # Megatron
    ("Transformer XL", ["Transformer-XL"]),  # XLNet: not also read as "Transformer"
    ("Transformer", ["Transformer"]),  # T5, LLaMA
    ("GPT", ["GPT"]),
    ("BERT", ["BERT"]),
    ("CLIP, GLIDE", ["CLIP", "GLIDE"]),  # DALL-E 2
    ("GLM (General Language Model)", ["GLM"]),  # GLM
    ("LLaMA", ["LLaMA"]),  # Alpaca
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_family_spellings_normalize(text, expected):
    result = normalize_family(text)
    assert result.value == expected
    assert result.flag is None


@pytest.mark.parametrize(("text", "flag"), [("", "empty"), ("Protein folding", "unrecognized")])
def test_no_family(text, flag):
    result = normalize_family(text)
    assert result.value is None
    assert result.flag == flag


@pytest.mark.parametrize(
    ("model", "text"),
    [
        ("BART", "BERT for encoder, GPT for Decoder"),
        ("Megatron", "GPT/BERT/T5"),
        ("XLNet", "Transformer XL"),
        ("DALL-E 2", "CLIP, GLIDE"),
        ("GLM", "GLM (General Language Model)"),
    ],
)
def test_table_spellings_are_the_catalogs_own_cells(model, text):
    assert catalog_cell(model, "Family") == text
