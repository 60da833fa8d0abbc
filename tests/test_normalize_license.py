"""Licences → an SPDX id, 'LicenseRef-…' for bespoke licences, or 'proprietary'."""

from __future__ import annotations

import pytest

from kbuild.normalize.license import normalize_license

from .extract_fixtures import catalog_cell

CASES = [
    ("Open, Apache-2.0", None, "Apache-2.0"),  # BERT
    ("Open, MIT license", None, "MIT"),  # XLNet
    ("Open, Modified MIT license", None, "LicenseRef-Modified-MIT"),  # GPT-2
    ("Limited, non-commerical CC BY-NC 4.0 license", None, "CC-BY-NC-4.0"),  # Galactica
    ("Closed source, accessible through API", None, "proprietary"),  # DALL-E 2
    ("Closed source", None, "proprietary"),  # GPT-3
    (
        "Open, but need to follow restrictions in Attachment A, BigScience RAIL License v1.0",
        None,
        "LicenseRef-BigScience-RAIL-1.0",
    ),  # BLOOM
    ("Limited, Non-commercial bespoke license", "LLaMA", "LicenseRef-LLaMA-License"),  # LLaMA
    (
        "Limited, non-commercial license",
        "GLaM",
        "LicenseRef-GLaM-License",
    ),  # no licence known for it
    ("Apache License 2.0", None, "Apache-2.0"),
]


@pytest.mark.parametrize(("text", "model", "expected"), CASES, ids=[c[0][:48] for c in CASES])
def test_licence_spellings_normalize(text, model, expected):
    assert normalize_license(text, model).value == expected


def test_a_bespoke_licence_is_named_after_its_model_and_marked_bespoke():
    result = normalize_license("Limited, Non-commercial bespoke license", "LLaMA")
    assert result.qualifier == "bespoke"


def test_a_bespoke_licence_without_a_model_is_not_guessed():
    result = normalize_license("Limited, Non-commercial bespoke license")
    assert result.value is None
    assert result.flag == "unnamed_bespoke"


@pytest.mark.parametrize(
    ("text", "flag"), [("N/A", "empty"), ("", "empty"), ("Open", "unrecognized")]
)
def test_no_licence(text, flag):
    result = normalize_license(text)
    assert result.value is None
    assert result.flag == flag


@pytest.mark.parametrize(
    ("model", "text"),
    [
        ("BERT", "Open, Apache-2.0"),
        ("XLNet", "Open, MIT license"),
        ("Galactica", "Limited, non-commerical CC BY-NC 4.0 license"),
        ("DALL-E 2", "Closed source, accessible through API"),
        (
            "BLOOM",
            "Open, but need to follow restrictions in Attachment A, BigScience RAIL License v1.0",
        ),
        ("LLaMA", "Limited, Non-commercial bespoke license"),
        ("RoBERTa", "N/A"),
    ],
)
def test_table_spellings_are_the_catalogs_own_cells(model, text):
    assert catalog_cell(model, "License") == text


def test_a_bespoke_licence_known_for_the_model_keeps_its_stable_id():
    # the catalog's "Limited, non-commercial license" for OPT is the OPT-175B License
    # the repository holds: one id, so the two agree
    found = normalize_license("Limited, non-commercial license", "OPT")
    assert (found.value, found.qualifier) == ("LicenseRef-OPT-175B-License", "bespoke")
    # no licence written for the model: an id from its name, as before
    assert normalize_license("Limited, non-commercial", "Alpaca").value == (
        "LicenseRef-Alpaca-License"
    )
