"""Conflicts that matter. For labs: one organisation under two names, a parent, a member
of a collaboration or a rename is agreement, not a conflict (the registry in
kbuild/normalize/data/organisations.toml); another organisation is. For dates: a release
and the paper are two events; two dates of one event that differ are a conflict."""

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


def _with_facts(tmp_path, field: str, values: list[tuple[str, str | None]]):
    """The small knowledge base with BERT facts of ``field`` added from other documents
    than its card's: (normalized, qualifier) each."""
    kb = small_kb(tmp_path / "kb.db")
    runner.run(kb.db)
    db = kb.db
    shown_id = next(db.query(f"select {field}_fact_id from cards where model_id = 'bert'"))
    shown = db["facts"].get(shown_id[f"{field}_fact_id"])
    others = [
        row["id"]
        for row in db.query(
            "select id from documents where id != ? order by id limit ?",
            [shown["document_id"], len(values)],
        )
    ]
    db["facts"].insert_all(
        {**shown, "id": f"test-{n}", "document_id": document, "normalized": value,
         "qualifier": qualifier}
        for n, (document, (value, qualifier)) in enumerate(zip(others, values, strict=True))
    )  # fmt: skip
    with db.atomic():
        refresh_materialized(db, ["bert"])
    return shown, db


def test_a_release_date_beside_the_papers_is_two_events_not_a_conflict(tmp_path):
    shown, db = _with_facts(
        tmp_path, "date", [("2018-11-02", "release"), ("2019-02", "publication")]
    )
    assert shown["qualifier"] == "paper_v1"
    found = [
        (r["other_value"], r["other_qualifier"])
        for r in db.query("select * from conflicts where model_id = 'bert' and field = 'date'")
    ]
    # BERT's code and checkpoints came out on 2018-11-02, after the paper (2018-10-11): two
    # events; a "publication" in February 2019 is the same event dated otherwise
    assert found == [("2019-02", "publication")]


def test_a_lab_named_another_way_is_no_conflict_and_another_lab_is(tmp_path):
    labs = [(json.dumps(["Google Research"]), None), (json.dumps(["OpenAI"]), None)]
    shown, db = _with_facts(tmp_path, "lab", labs)
    assert json.loads(shown["normalized"]) == ["Google"]
    found = [
        json.loads(r["other_value"])
        for r in db.query("select * from conflicts where model_id = 'bert' and field = 'lab'")
    ]
    # a lab inside Google is Google's; OpenAI is another organisation
    assert found == [["OpenAI"]]


def test_one_event_days_apart_and_a_release_before_the_paper_are_variants_not_conflicts(
    tmp_path,
):
    # BERT's paper: 11 October 2018. Our own other dates: two days later (one event in
    # another time zone), an earlier "publication" within a year (the release, then the
    # paper), one over a year earlier and one months later (disagreements).
    dates = [("2018-10-13", "publication"), ("2018-08-01", "publication"),
             ("2017-06-01", "publication"), ("2019-06-03", "publication")]  # fmt: skip
    shown, db = _with_facts(tmp_path, "date", dates)
    assert (shown["normalized"], shown["qualifier"]) == ("2018-10-11", "paper_v1")
    conflicts = {r["other_value"]: r for r in db.query(
        "select * from conflicts where model_id = 'bert' and field = 'date'")}  # fmt: skip
    variants = {r["other_value"]: r["rule"] for r in db.query(
        "select * from variants where model_id = 'bert' and field = 'date'")}  # fmt: skip
    assert set(conflicts) == {"2017-06-01", "2019-06-03"}
    assert variants == {
        "2018-10-13": "one event, days apart",
        "2018-08-01": "two events: a release and the paper",
    }
