"""Conflicts that matter, for labs: one organisation under two names, a parent, a member
of a collaboration or a rename is agreement, not a conflict (the registry in
kbuild/normalize/data/organisations.toml); another organisation is."""

from __future__ import annotations

import json

import pytest

from kbuild.extract import runner
from kbuild.normalize.organisations import labs_agree
from kbuild.store import refresh_materialized

from .extract_fixtures import small_kb


@pytest.mark.parametrize(
    ("card", "other"),
    [
        (["DeepMind"], ["Google DeepMind"]),  # renamed in 2023
        (["Reka AI"], ["Reka"]),  # an alias
        (["Google DeepMind"], ["Google"]),  # the parent
        (["Hugging Face"], ["BigScience"]),  # a member of the collaboration
        (["UC Berkeley", "Stanford University"], ["LMSYS"]),  # the members
        (["Meta", "Toyota Technological Institute at Chicago"], ["TTI-Chicago", "Meta"]),
    ],
)
def test_names_of_one_organisation_agree(card, other):
    assert labs_agree(json.dumps(card), json.dumps(other))


@pytest.mark.parametrize(
    ("card", "other"),
    [
        (["University of Washington", "Meta"], ["University of Washington", "Google"]),
        (["DeepMind"], ["OpenAI"]),
    ],
)
def test_other_organisations_disagree(card, other):
    assert not labs_agree(json.dumps(card), json.dumps(other))


def test_a_lab_named_another_way_is_no_conflict_and_another_lab_is(tmp_path):
    kb = small_kb(tmp_path / "kb.db")
    runner.run(kb.db)
    db = kb.db
    shown = db["facts"].get(
        next(db.query("select lab_fact_id from cards where model_id = 'bert'"))["lab_fact_id"]
    )
    assert json.loads(shown["normalized"]) == ["Google"]
    # two facts of other documents than the card's: a lab inside Google, and OpenAI
    others = [
        row["id"]
        for row in db.query(
            "select id from documents where id != ? order by id limit 2", [shown["document_id"]]
        )
    ]
    db["facts"].insert_all(
        {**shown, "id": f"lab-test-{n}", "document_id": document, "normalized": json.dumps(labs)}
        for n, (document, labs) in enumerate(
            zip(others, (["Google Research"], ["OpenAI"]), strict=True)
        )
    )
    with db.atomic():
        refresh_materialized(db, ["bert"])
    found = [
        json.loads(r["other_value"])
        for r in db.query("select * from conflicts where model_id = 'bert' and field = 'lab'")
    ]
    assert found == [["OpenAI"]]
