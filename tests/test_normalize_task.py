"""Pretraining / fine-tuning tasks → a sorted list of canonical objectives."""

from __future__ import annotations

import pytest

from kbuild.normalize.task import normalize_task, objectives_in

from .extract_fixtures import catalog_cell

CASES = [
    ("MLM/NSP", ["MLM", "NSP"]),  # BERT
    ("LM", ["CLM"]),  # GPT-2
    ("MLM (Dynamic)", ["MLM"]),  # RoBERTa
    ("DAE (more concretely GSG) and MLM", ["DAE", "GSG", "MLM"]),  # Pegasus
    ("PLM", ["PLM"]),  # XLNet
    ("RTD", ["RTD"]),  # ELECTRA
    ("DAE", ["DAE"]),  # BART, T5
    ("human instructions", ["instruction tuning"]),  # Alpaca, Vicuna (fine-tuning task)
    ("Optimizes denoising (80%) and Prefix LM (20%)", ["DAE", "prefix LM"]),  # AlexaTM 20B
    ("Auto regressive blank infilling", ["blank infilling"]),  # GLM
    ("masked language modeling and next sentence prediction", ["MLM", "NSP"]),
    ("span corruption", ["span corruption"]),
    ("reinforcement learning from human feedback", ["RLHF"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_task_spellings_normalize_to_canonical_objectives(text, expected):
    result = normalize_task(text)
    assert result.value == expected
    assert result.flag is None


def test_a_reference_to_another_model_is_flagged_not_guessed():
    result = normalize_task("Same as BERT")
    assert result.value is None
    assert result.flag == "reference"


@pytest.mark.parametrize(("text", "flag"), [("", "empty"), ("Protein folding", "unrecognized")])
def test_no_objective(text, flag):
    result = normalize_task(text)
    assert result.value is None
    assert result.flag == flag


def test_lower_case_acronyms_inside_words_or_prose_are_not_objectives():
    assert objectives_in("the plm package and an lm head") == []


def test_span_corruption_is_kept_instead_of_generic_denoising():
    assert objectives_in("a denoising objective based on span corruption") == ["span corruption"]


@pytest.mark.parametrize(
    ("model", "column", "text"),
    [
        ("BERT", "Pretraining Task", "MLM/NSP"),
        ("GPT-2", "Pretraining Task", "LM"),
        ("Pegasus", "Pretraining Task", "DAE (more concretely GSG) and MLM"),
        ("XLNet", "Pretraining Task", "PLM"),
        ("ELECTRA", "Pretraining Task", "RTD"),
        ("Alpaca", "Fine-tuning Task", "human instructions"),
        ("AlexaTM 20B", "Pretraining Task", "Optimizes denoising (80%) and Prefix LM (20%)"),
    ],
)
def test_table_spellings_are_the_catalogs_own_cells(model, column, text):
    assert catalog_cell(model, column) == text
