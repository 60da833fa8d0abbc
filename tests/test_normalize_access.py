"""Access is not a licence: how a model can be reached, as tables write it."""

from __future__ import annotations

import pytest

from kbuild.normalize.access import normalize_access


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Unreleased", "unreleased"),
        ("API access", "api"),
        ("Hosted access (no API)", "hosted"),
        ("Open weights (restricted use)", "open weights (restricted)"),
        ("Open weights (non-commercial)", "open weights (restricted)"),
        ("Open weights (unrestricted)", "open weights"),
        ("Open source", "open source"),
    ],
)
def test_access_levels(text, level):
    assert normalize_access(text).value == level


def test_a_licence_is_no_access_level():
    assert normalize_access("Apache-2.0").value is None


def test_an_unreleased_model_has_no_licence_on_its_card(corpus_kb):
    # Epoch calls many academic models "Unreleased": how they are reached, not a licence
    db = corpus_kb.db
    unreleased = {
        row["model_id"]
        for row in db.query(
            "select model_id from facts where field = 'access' and normalized = 'unreleased'"
        )
    }
    assert len(unreleased) > 100
    proprietary = {
        row["model_id"]
        for row in db.query(
            "select model_id from card_values "
            "where field = 'license' and normalized = 'proprietary'"
        )
    }
    # a few are closed by their own catalog or survey entry; most have no licence at all
    assert len(unreleased & proprietary) < len(unreleased) / 4
