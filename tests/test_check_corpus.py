"""`kbuild check` on a post written for the tests, against the knowledge base built from
../shared/corpus: the verdict of every claim."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from kbuild.cli import cli


@pytest.fixture(scope="module")
def verdicts(corpus_kb) -> dict[tuple[str, str], dict]:
    result = CliRunner().invoke(
        cli, ["--db", str(corpus_kb.db_path), "check", str(corpus_kb.post), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return {(r["model"], r["field"]): r for r in json.loads(result.output)}


EXPECTED = {
    # right claims
    ("BERT", "link"): "supported",
    ("BERT", "date"): "supported",  # 10/2018 vs arXiv v1 2018-10-11, at month precision
    ("BERT", "params"): "supported",  # [110M, 340M] against the paper's own sentence
    ("BERT", "license"): "supported",
    ("BERT", "lab"): "supported",
    ("BERT", "task"): "supported",
    ("ALBERT", "params"): "supported",  # bullet-style card
    ("GPT-1", "date"): "supported",  # indented card; HF's release date 2018-06-11
    ("GPT-3", "params"): "supported",  # "175 B"
    ("GPT-3", "license"): "supported",  # "Closed source" → proprietary
    ("Chinchilla", "params"): "supported",
    ("LLaMA", "params"): "supported",
    ("LLaMA", "corpus"): "supported",
    ("T5", "architecture"): "supported",
    # wrong claims
    ("DistilBERT", "date"): "contradicted",  # 10/2020: a year off
    ("LLaMA", "date"): "contradicted",  # 02/2022 for a 2023 paper
    ("BLOOM", "date"): "contradicted",  # the catalog's 07/2022 loses to arXiv v1
    ("Chinchilla", "lab"): "contradicted",  # Google Brain is not DeepMind in 2022
    ("ELECTRA", "params"): "malformed",  # "330MT"
    ("T5", "extension"): "contradicted",  # ALBERT's extension pasted
    ("GPT-2", "params"): "partially_supported",  # two of four sizes
    ("RoBERTa", "lab"): "partially_supported",  # one of the catalog's two labs
    ("Flibbertigibbet-9000", "lab"): "no_evidence",
    ("GPT-5", "family"): "no_evidence",
}


@pytest.mark.parametrize(("claim", "verdict"), sorted(EXPECTED.items()))
def test_verdict(verdicts, claim, verdict):
    assert verdicts[claim]["verdict"] == verdict, verdicts[claim]["explanation"]


def test_at_least_ten_models_are_checked(verdicts):
    assert len({model for model, _ in verdicts}) >= 10


def test_a_date_judged_against_the_most_trusted_source_says_the_sources_disagree(verdicts):
    bloom = verdicts[("BLOOM", "date")]
    assert "2022-11-09" in bloom["explanation"]
    assert "sources disagree" in bloom["explanation"]
    assert bloom["evidence"]["source"] == "arxiv"


def test_a_pasted_extension_names_the_model_it_came_from(verdicts):
    pasted = verdicts[("T5", "extension")]
    assert "ALBERT" in pasted["explanation"]
    assert pasted["evidence"]["model_id"] == "albert"


def test_an_unknown_model_gets_the_closest_known_names(verdicts):
    assert "GPT-3" in verdicts[("GPT-5", "family")]["explanation"]


def test_every_verdict_that_is_not_supported_carries_evidence_or_a_reason(verdicts):
    for verdict in verdicts.values():
        if verdict["verdict"] in ("contradicted", "partially_supported"):
            assert verdict["evidence"]["quote"], verdict
        assert verdict["explanation"]


def test_claims_and_verdicts_are_stored_and_a_recheck_replaces_them(corpus_kb, verdicts):
    db = corpus_kb.db
    post = str(corpus_kb.post)
    stored = db.execute("select count(*) from claims where post = ?", [post]).fetchone()[0]
    assert stored == len(verdicts)
    joined = db.execute(
        "select count(*) from claims c join verdicts v on v.claim_id = c.id where c.post = ?",
        [post],
    ).fetchone()[0]
    assert joined == stored


def test_the_table_shows_the_evidence_and_the_post_is_not_modified(corpus_kb):
    before = hashlib.sha256(corpus_kb.post.read_bytes()).hexdigest()
    result = CliRunner().invoke(cli, ["--db", str(corpus_kb.db_path), "check", str(corpus_kb.post)])
    assert result.exit_code == 0
    assert "Claims not supported, with the evidence" in result.output
    assert "Wed, 2 Oct 2019 00:00:00 GMT" in result.output
    assert hashlib.sha256(corpus_kb.post.read_bytes()).hexdigest() == before


def test_an_unreadable_post_exits_non_zero(corpus_kb, tmp_path):
    missing = CliRunner().invoke(
        cli, ["--db", str(corpus_kb.db_path), "check", str(tmp_path / "nope.md")]
    )
    assert missing.exit_code != 0 and "cannot read the post" in missing.output
    binary = tmp_path / "post.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    bad = CliRunner().invoke(cli, ["--db", str(corpus_kb.db_path), "check", str(binary)])
    assert bad.exit_code != 0 and "not UTF-8" in bad.output


def test_check_needs_a_knowledge_base(tmp_path):
    post = tmp_path / "p.md"
    post.write_text("# BERT\nFamily: BERT\nLab: Google\n")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "empty.db"), "check", str(post)])
    assert result.exit_code != 0 and "kbuild extract" in result.output
