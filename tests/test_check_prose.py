"""`kbuild check` reads the prose too: each sentence stating a size, date, lab,
architecture, licence or corpus of a known model is a claim with a verdict. The posts
are written for these tests; the facts in the knowledge base are true
(tests/check_fixtures.py)."""

from __future__ import annotations

import json

import pytest
import sqlite_utils
from click.testing import CliRunner

from kbuild.check.runner import check
from kbuild.cli import cli

from .check_fixtures import build_kb


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return build_kb(tmp_path_factory.mktemp("prose"))


def prose(kb, text: str) -> list[dict]:
    db, root = kb
    post = root / "post.md"
    post.write_text(text)
    return [
        {**r.claim, "verdict": r.verdict.verdict, "explanation": r.verdict.explanation}
        for r in check(db, post, only="prose")
    ]


def one(claims: list[dict], field: str) -> dict:
    (found,) = [c for c in claims if c["field"] == field]
    return found


@pytest.mark.parametrize(
    ("sentence", "model_id", "how"),
    [
        ("BLOOM has 176B parameters.", "bloom", "the model named before it"),
        ("Pythia's 1.4B model is small.", "pythia", "a possessive"),
        ("Pythia, a 12B parameter model, came next.", "pythia", "an apposition"),
        ("Then came BLOOM (176B parameters).", "bloom", "a parenthesis after its name"),
        ("Few used the 176B BLOOM at home.", "bloom", "the name after it"),
    ],
)
def test_the_subject_of_a_size_is_the_model_the_sentence_ties_it_to(kb, sentence, model_id, how):
    claim = one(prose(kb, f"# Models\n\n{sentence}\n"), "params")
    assert (claim["model_id"], claim["identified_by"]) == (model_id, how)
    assert claim["verdict"] == "supported", claim["explanation"]


def test_it_the_model_and_we_are_the_sections_model(kb):
    claims = prose(
        kb,
        "# History\n\n## BLOOM\n\nIt was released in July 2022.\n\n"
        "The model has 176B parameters.\n",
    )
    assert {(c["field"], c["model_id"], c["identified_by"]) for c in claims} == {
        ("date", "bloom", "the section's model"),
        ("params", "bloom", "the section's model"),
    }


def test_a_sentence_comparing_two_models_gives_each_its_own_value(kb):
    claims = prose(kb, "# Sizes\n\nBLOOM has 176B parameters while Pythia has 12B.\n")
    assert {(c["model_id"], c["text"]) for c in claims} == {("bloom", "176B"), ("pythia", "12B")}
    assert all(c["verdict"] == "supported" for c in claims)


def test_a_denied_size_is_no_claim(kb):
    claims = prose(kb, "# Sizes\n\nBLOOM is not a 175B model; it has 176B parameters.\n")
    assert [(c["field"], c["text"]) for c in claims] == [("params", "176B")]


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("XLNet was released in 2019.", "supported"),  # a year, checked at year precision
        ("XLNet was released in June 2019.", "supported"),
        ("XLNet was released in May 2019.", "contradicted"),  # the paper is 2019-06-19
        ("XLNet was released in 2018.", "contradicted"),
        ("BLOOM was released in July 2022.", "supported"),  # before its paper (11/2022)
        # the paper (11/2022) is a first publication too: the report says which event
        ("BLOOM was published in November 2022.", "supported"),
        ("BLOOM was published in March 2021.", "contradicted"),
    ],
)
def test_years_and_months_are_judged_at_their_precision(kb, text, verdict):
    claim = one(prose(kb, f"# Dates\n\n{text}\n"), "date")
    assert claim["verdict"] == verdict, claim["explanation"]


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("The Pythia family ranges from 70M to 12B parameters.", "supported"),
        # only the catalog states Pythia's sizes: one secondary table never contradicts
        ("Pythia comes in sizes from 1.8B to 14B parameters.", "unverified"),
        ("Pythia goes up to 12B parameters.", "supported"),
        ("Pythia goes up to 6.9B parameters.", "unverified"),  # not the largest
        ("Pythia has 2.8B parameters.", "supported"),  # one true size of several
        ("Pythia has 3B parameters.", "unverified"),
    ],
)
def test_ranges_up_to_and_one_of_several_sizes(kb, text, verdict):
    claim = one(prose(kb, f"# Sizes\n\n{text}\n"), "params")
    assert claim["verdict"] == verdict, claim["explanation"]
    if verdict == "unverified":
        assert "one table is not enough" in claim["explanation"]


@pytest.mark.parametrize(
    "sentence",
    [
        "BLOOM scored 41.2 BLEU on the test set.",
        "BLOOM was trained on 384 GPUs for months.",
        "BLOOM saw 366B tokens during training.",
        "BLOOM became 100x faster after the rewrite.",
        "BLOOM cost $7M to train.",
        "BLOOM was cited by Smith et al., 2023 and others.",
    ],
)
def test_numbers_that_are_not_sizes_or_dates_are_no_claims(kb, sentence):
    assert prose(kb, f"# Noise\n\n{sentence}\n") == []


def test_labs_and_licences_and_architectures_in_prose(kb):
    claims = prose(
        kb,
        "# Labs\n\nRoBERTa came out of Facebook AI in 2019.\n\n"
        "Pythia is available under the Apache 2.0 license.\n\n"
        "Pegasus, an encoder-decoder model, summarises text.\n",
    )
    by_field = {c["field"]: c for c in claims}
    assert by_field["lab"]["model_id"] == "roberta"
    assert by_field["lab"]["verdict"] == "supported"  # one of its two labs
    assert by_field["date"]["verdict"] == "supported"
    # a sentence has no origin row: the catalog is a witness like any other
    assert (by_field["license"]["model_id"], by_field["license"]["verdict"]) == (
        "pythia",
        "supported",
    )
    assert by_field["architecture"]["model_id"] == "pegasus"
    assert by_field["architecture"]["verdict"] == "supported"


def test_an_unknown_model_is_a_claim_without_evidence(kb):
    claim = one(prose(kb, "# Rumours\n\nGPT-5 has 5T parameters.\n"), "params")
    assert claim["model_id"] is None and claim["verdict"] == "unknown_model"
    assert "GPT-5" in claim["explanation"]


def test_a_name_with_another_version_is_another_model(kb):
    # "Pythia 2" is not Pythia: no claim about Pythia
    assert all(
        c["model_id"] != "pythia" for c in prose(kb, "# Next\n\nPythia 2 has 30B parameters.\n")
    )


def test_text_readers_never_see_is_checked_and_marked_unpublished(kb):
    claims = prose(
        kb,
        "---\ndescription: BLOOM has 180B parameters.\n---\n\n# Drafts\n\n"
        "BLOOM has 176B parameters. <!-- BLOOM was released in 2019. -->\n",
    )
    marks = {(c["field"], c["text"]): c["unpublished"] for c in claims}
    assert marks == {
        ("params", "180B"): "front matter",
        ("params", "176B"): None,
        ("date", "2019"): "HTML comment",
    }


def test_a_prose_claim_keeps_its_line_span_and_sentence(kb):
    (claim,) = prose(kb, "# Sizes\n\nAs we saw, BLOOM has 176B parameters.\n")
    assert claim["kind"] == "prose" and claim["line"] == 3
    column = "As we saw, BLOOM has 176B parameters.".index("176B")
    assert json.loads(claim["span"]) == [column, column + 4]
    assert claim["sentence"] == "As we saw, BLOOM has 176B parameters."


def test_cards_and_code_are_not_prose_and_a_posts_own_table_row_is_a_claim(kb):
    text = (
        "# BLOOM\n\n"
        '"""\nFamily: GPT\nNum. Params: 175B\nLab: BigScience\n"""\n\n'
        "```python\nmodel = load('BLOOM', params='175B')\n```\n\n"
        "| model | params |\n|---|---|\n| BLOOM | 176B |\n"
    )
    (row,) = prose(kb, text)
    assert (row["line"], row["model_id"], row["field"], row["text"]) == (
        15,
        "bloom",
        "params",
        "176B",
    )
    assert row["identified_by"] == "a table row"


def test_only_cards_or_only_prose(kb):
    db, root = kb
    post = root / "both.md"
    post.write_text(
        '# BLOOM\n\nBLOOM has 176B parameters.\n\n"""\nFamily: GPT\nLab: BigScience\n"""\n'
    )
    base = ["--db", str(root / "kb.db"), "check", str(post), "--format", "json"]
    for only, kinds in ((None, {"card", "prose"}), ("cards", {"card"}), ("prose", {"prose"})):
        args = base + (["--only", only] if only else [])
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert {r["kind"] for r in json.loads(result.output)} == kinds
    stored = (
        sqlite_utils.Database(root / "kb.db")
        .execute("select kind, count(*) from claims where post = ? group by kind", [post.name])
        .fetchall()
    )
    assert dict(stored) == {"card": 2, "prose": 1}  # --only prose kept the card claims


def test_the_table_shows_the_prose_grid_and_each_unsupported_sentence(kb):
    db, root = kb
    post = root / "table.md"
    post.write_text("# Sizes\n\nPythia has 3B parameters, and BLOOM has 176B parameters.\n")
    result = CliRunner().invoke(cli, ["--db", str(root / "kb.db"), "check", str(post)])
    assert result.exit_code == 0, result.output
    squashed = "".join(result.output.split())
    assert "table.md:prose" in squashed and "supported/claimspermodelandfield" in squashed
    assert "line 3:" in result.output and "“Pythia has 3B parameters" in result.output
    assert "prose claims: 1 supported, 1 unverified" in result.output


def test_a_post_is_stored_by_file_name_and_keyed_by_its_place(kb, tmp_path, monkeypatch):
    db, _ = kb
    one, two = tmp_path / "a" / "same.md", tmp_path / "b" / "same.md"
    for post, size in ((one, "176B"), (two, "7B")):
        post.parent.mkdir()
        post.write_text(f"BLOOM has {size} parameters.\n")
    check(db, one)
    monkeypatch.chdir(tmp_path / "a")
    check(db, "same.md")  # the same post by a relative path: replaces, adds nothing
    check(db, two)
    rows = list(db.query("select post, post_key, text from claims where post = 'same.md'"))
    assert sorted(r["text"] for r in rows) == ["176B", "7B"]
    assert len({r["post_key"] for r in rows}) == 2
