"""Behaviour found missing in review: bad sources files, named PDFs that are missing,
a mistyped --db, claims judged against the fact the card shows, sentences about
variants."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kbuild import config
from kbuild.cli import cli
from kbuild.config import SourcesError
from kbuild.extract.statements import Subject


def test_a_sources_file_that_is_not_utf8_is_one_clear_error(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_bytes(b"\xff\xfe[[models]]\n")
    with pytest.raises(SourcesError, match="not UTF-8"):
        config.load(path)


def test_a_missing_extends_file_names_the_extends_key(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('extends = "nope.toml"\n')
    with pytest.raises(SourcesError, match=r"sources.toml: extends: 'nope.toml' is not a file"):
        config.load(path)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[arxiv]\ntimeout = -1\n", "more than 0"),
        ("[arxiv]\nretries = -2\n", "negative"),
        ("[arxiv]\ndelay_seconds = -3\n", "negative"),
        ("[pdf]\nmax_bytes = 0\n", "more than 0"),
    ],
)
def test_numbers_out_of_range_are_rejected(tmp_path, table, message):
    path = tmp_path / "sources.toml"
    path.write_text(table)
    with pytest.raises(SourcesError, match=message):
        config.load(path)


def test_a_pdf_named_by_a_model_that_is_missing_is_a_failure(kb, tmp_path):
    kb.write([{"name": "GPT-1", "pdf": "missing.pdf"}], pdf={"location": str(tmp_path)})
    report = kb.fetch(only=["pdf"])
    assert report.failed
    assert "no such file" in kb.failures("pdf")[0]["message"]


@pytest.mark.parametrize("command", [["extract"], ["check", "post.md"]])
def test_a_mistyped_db_is_refused_and_not_created(tmp_path, command):
    (tmp_path / "post.md").write_text("# BERT\nFamily: BERT\nLab: Google\n")
    db = tmp_path / "typo" / "kb.db"
    result = CliRunner().invoke(
        cli, ["--db", str(db), *command[:1], *[str(tmp_path / c) for c in command[1:]]]
    )
    assert result.exit_code != 0
    assert "does not exist" in result.output
    assert not db.exists() and not db.parent.exists()


def test_sentences_about_a_variant_are_not_about_the_model():
    t5 = {"id": "t5", "name": "T5", "aliases": []}
    subject = Subject.of(t5, [t5, {"id": "mt5", "name": "mT5", "aliases": []}])
    assert not subject.about("UmT5 is a multilingual T5 model trained on a new corpus.")
    assert not subject.about("**mT5**: mT5 is a multilingual T5 model.")
    assert not subject.about("It is pre-trained on another corpus.", previous_about=False)
    assert subject.about("It is pre-trained on C4.", previous_about=True)
    assert subject.about("T5 is an encoder-decoder model.")


def test_a_claim_is_judged_against_the_fact_its_card_shows(corpus_kb, tmp_path):
    post = tmp_path / "llama2.md"
    post.write_text("### Llama 2\nFamily: LLaMA\nNum. Params: 7B, 13B, 34B and 70B\n")
    result = CliRunner().invoke(
        cli, ["--db", str(corpus_kb.db_path), "check", str(post), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (params,) = [r for r in json.loads(result.output) if r["field"] == "params"]
    (card,) = corpus_kb.db.query(
        "select * from card_values where model_id = 'llama-2' and field = 'params'"
    )
    # judged against every size the card shows; the evidence is an independent fact
    # stating them
    assert params["verdict"] == "supported", params["explanation"]
    assert json.loads(card["normalized"]) == [7e9, 13e9, 34e9, 70e9]
    assert params["evidence"]["model_id"] == "llama-2"
    assert set(json.loads(params["evidence"]["normalized"])) == {7e9, 13e9, 34e9, 70e9}


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("ranging from 7B to 65B parameters", [7e9, 65e9]),
        ("0.5B to 72B", [5e8, 72e9]),
        ("29M-197M", [29e6, 197e6]),
    ],
)
def test_a_range_of_sizes_is_marked_as_a_range(text, sizes):
    from kbuild.normalize.params import normalize_params

    parsed = normalize_params(text)
    assert parsed.value == [int(s) for s in sizes]
    assert parsed.qualifier == "range"
    assert normalize_params("7B, 13B, 33B and 65B").qualifier is None


@pytest.mark.parametrize(
    ("claimed", "verdict"),
    [
        ([5e8, 1.5e9, 7e9, 72e9], "supported"),
        ([5e8, 7e9], "partially_supported"),
        ([175e9], "contradicted"),
    ],
)
def test_sizes_are_judged_against_a_range(claimed, verdict):
    from kbuild.check.judge import compare
    from kbuild.normalize import Normalized

    fact = {"normalized": json.dumps([500_000_000, 72_000_000_000]), "qualifier": "range"}
    assert compare("params", Normalized([int(c) for c in claimed]), fact) == verdict


def test_ordinary_words_are_not_organisations():
    from kbuild.normalize.lab import normalize_lab

    assert normalize_lab("a meta-learning group").value is None
    assert normalize_lab("Meta AI").value == ["Meta"]
