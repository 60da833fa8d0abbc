"""Parameter counts as the sources write them → a sorted list of integers, or None with a
flag saying why ('malformed' text is never guessed at)."""

from __future__ import annotations

import pytest

from kbuild.normalize.params import close, covers, human, normalize_params

from .extract_fixtures import catalog_cell

B, M, T = 10**9, 10**6, 10**12

# (spelling, sizes); the catalog row each spelling comes from is in the comment
SIZES = [
    ("Base = 110M, Large = 340M", [110 * M, 340 * M]),  # BERT's cell without its typo
    ("175B", [175 * B]),
    ("175 B", [175 * B]),  # GPT-3
    ("1.5 billion", [1500 * M]),  # GPT-2's largest size, in prose
    ("11 B (up to)", [11 * B]),  # T5
    ("7B, 13B, 33B and 65B", [7 * B, 13 * B, 33 * B, 65 * B]),  # LLaMA
    ("124M, 355M, 774M, 1.5B", [124 * M, 355 * M, 774 * M, 1500 * M]),  # GPT-2
    ("T0-3B: 3 billion, T0, T0p, T0pp: 11 billion", [3 * B, 11 * B]),  # T0
    ("Base=117M, Large=360M", [117 * M, 360 * M]),  # XLNet
    ("134M (base), 384M (large), 750M (xlarge)", [134 * M, 384 * M, 750 * M]),  # DeBERTa
    ("175B (and other smaller versions)", [175 * B]),  # OPT
    (
        "80M(small), 250M(base), 780M(large), 3B(xl), 11B(xxl)",
        [80 * M, 250 * M, 780 * M, 3 * B, 11 * B],
    ),
    ("178B (Jumbo), 17B (Grande), 7.5B (Large)", [7500 * M, 17 * B, 178 * B]),  # Jurassic-1
    ("V1: 6B, V2: 12B", [6 * B, 12 * B]),  # Dolly
    ("8.3B (GPT-like), 3.9B (BERT-like)", [3900 * M, 8300 * M]),  # Megatron
    ("29M-197M", [29 * M, 197 * M]),  # Swin Transformer: a range, both ends are sizes
    ("80B (largest)", [80 * B]),  # Flamingo
    ("1T", [1 * T]),  # Switch
    ("1.6 trillion", [1600 * B]),
]


@pytest.mark.parametrize(("text", "expected"), SIZES, ids=[s[0] for s in SIZES])
def test_size_spellings_give_every_released_size(text, expected):
    result = normalize_params(text)
    assert result.value == expected
    assert result.flag is None


NO_VALUE = [
    ("Base = 110M, Large = 340MT", "malformed"),  # BERT: a unit with a stray letter
    ("b12M, Large = 18M, XLarge = 60M\\*", "malformed"),  # letters glued before a size
    ("Same as GPT3", "reference"),  # InstructGPT
    ("Same as BERT", "reference"),
    ("Depends on the overall architecture", "no_count"),  # Big Bird
    ("N/A", "empty"),
    ("", "empty"),
]


@pytest.mark.parametrize(("text", "flag"), NO_VALUE, ids=[n[0] or "blank" for n in NO_VALUE])
def test_cells_without_a_usable_size_give_none_and_say_why(text, flag):
    result = normalize_params(text)
    assert result.value is None
    assert result.flag == flag


@pytest.mark.parametrize(
    "text",
    [
        "trained on 3 b tokens",  # a lone lower-case letter after a space is a word
        "an 8x faster model with 40GB of memory",
        "T0pp",
    ],
)
def test_words_that_only_look_like_sizes_are_not_sizes(text):
    assert normalize_params(text).value is None


def test_a_size_glued_to_a_model_name_belongs_to_the_name():
    # "LLaMA-13B" names a checkpoint; the sentence's own count is the size
    assert normalize_params("LLaMA-13B outperforms it with 175B").value == [175 * B]


def test_sizes_agree_within_five_percent():
    assert close(340 * M, 335 * M)
    assert not close(340 * M, 300 * M)
    assert covers([110 * M, 340 * M], [336 * M])
    assert not covers([110 * M], [110 * M, 340 * M])


def test_human_readable_sizes():
    assert [human(n) for n in (110 * M, 1500 * M, 1600 * B, 500)] == ["110M", "1.5B", "1.6T", "500"]


@pytest.mark.parametrize(
    ("model", "text"),
    [
        ("BERT", "Base = 110M, Large = 340MT"),
        ("AlphaFold", "b12M, Large = 18M, XLarge = 60M\\*"),
        ("GPT-3", "175 B"),
        ("T5", "11 B (up to)"),
        ("LLaMA", "7B, 13B, 33B and 65B"),
        ("GPT-2", "124M, 355M, 774M, 1.5B"),
        ("InstructGPT", "Same as GPT3"),
        ("T0", "T0-3B: 3 billion, T0, T0p, T0pp: 11 billion"),
        ("Swin Transformer", "29M-197M"),
    ],
)
def test_table_spellings_are_the_catalogs_own_cells(model, text):
    assert catalog_cell(model, "Num. Params") == text
