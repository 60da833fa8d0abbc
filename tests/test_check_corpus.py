"""`kbuild check` on a post written for the tests, against the knowledge base built from
../shared/corpus: the verdict of every claim."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbuild.check.runner import Post
from kbuild.cli import cli


@pytest.fixture(scope="module")
def verdicts(corpus_kb) -> dict[tuple[str, str], dict]:
    result = CliRunner().invoke(
        cli, ["--db", str(corpus_kb.db_path), "check", str(corpus_kb.post), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    # the cards' claims (the post's own table restates one of them in a row)
    return {(r["model"], r["field"]): r for r in json.loads(result.output) if r["kind"] == "card"}


EXPECTED = {
    # right claims, confirmed by a source independent of the catalog the cards repeat
    ("BERT", "link"): "supported",
    ("BERT", "date"): "supported",  # 10/2018 vs arXiv v1 2018-10-11, at month precision
    ("BERT", "params"): "supported",  # [110M, 340M] against the paper's own sentence
    ("BERT", "lab"): "supported",  # the paper's first page: Google AI Language
    ("BERT", "task"): "supported",  # the HF docs: masked language modeling and NSP
    ("BERT", "family"): "supported",  # BERT heads its own family
    ("GPT-1", "date"): "supported",  # indented card; HF's release date 2018-06-11
    ("GPT-3", "license"): "supported",  # "Closed source" → proprietary; Epoch: API access
    ("Chinchilla", "params"): "supported",  # 70B: Epoch too
    ("T5", "architecture"): "supported",  # the abstract's text-to-text transformer
    ("BLOOM", "date"): "supported",  # released 07/2022; the paper (11/2022) came later
    ("ELECTRA", "lab"): "supported",  # Epoch: Stanford University, Google
    ("BERT", "license"): "supported",  # the official repository: code and models Apache-2.0
    # right only as far as the catalog the cards were copied from says so
    ("ALBERT", "task"): "unverified",  # MLM/NSP: only the catalog (the paper says SOP)
    ("GPT-3", "architecture"): "unverified",
    # partly right
    ("ALBERT", "params"): "partially_supported",  # Epoch confirms 18M; 12M, 60M only the catalog
    ("GPT-3", "params"): "partially_supported",  # one of eight sizes
    ("GPT-2", "params"): "partially_supported",  # two of four sizes
    ("LLaMA", "corpus"): "partially_supported",
    # wrong claims
    ("DistilBERT", "date"): "contradicted",  # 10/2020: a year off
    ("LLaMA", "date"): "contradicted",  # 02/2022 for a 2023 model
    ("Chinchilla", "lab"): "contradicted",  # Google Brain is not DeepMind in 2022
    ("RoBERTa", "lab"): "contradicted",  # the paper's first page: Facebook AI and UW
    ("ELECTRA", "params"): "malformed",  # "330MT"
    ("T5", "extension"): "contradicted",  # ALBERT's extension pasted
    # models the knowledge base does not know: listed, not judged
    ("Flibbertigibbet-9000", "lab"): "unknown_model",
    ("GPT-5", "family"): "unknown_model",
}


@pytest.mark.parametrize(("claim", "verdict"), sorted(EXPECTED.items()))
def test_verdict(verdicts, claim, verdict):
    assert verdicts[claim]["verdict"] == verdict, verdicts[claim]["explanation"]


def test_at_least_ten_models_are_checked(verdicts):
    assert len({model for model, _ in verdicts}) >= 10


def test_a_release_date_before_the_paper_is_the_first_known_publication(verdicts):
    bloom = verdicts[("BLOOM", "date")]
    assert "first known publication 2022-07" in bloom["explanation"]
    assert bloom["evidence"]["source"] != "catalog"  # an independent witness, not the origin
    llama = verdicts[("LLaMA", "date")]
    assert "2023-02" in llama["explanation"]


def test_a_value_only_the_cards_origin_states_is_unverified_and_says_what_would_settle_it(
    verdicts,
):
    architecture = verdicts[("GPT-3", "architecture")]
    assert "catalog row" in architecture["explanation"]
    assert "GPT-3" in architecture["explanation"]
    assert "would settle it" in architecture["explanation"]
    assert architecture["origin"].startswith("catalog row")


def test_a_lab_the_papers_first_page_contradicts_cites_the_page(verdicts):
    roberta = verdicts[("RoBERTa", "lab")]
    assert roberta["evidence"]["source"] == "pdf"
    assert "pdf (page 1)" in roberta["explanation"]


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
    key = Post.of(corpus_kb.post).key  # (a post of the same name elsewhere is another post)
    stored = db.execute(
        "select count(*) from claims where post_key = ? and kind = 'card'", [key]
    ).fetchone()[0]
    assert stored == len(verdicts)
    joined = db.execute(
        "select count(*) from claims c join verdicts v on v.claim_id = c.id "
        "where c.post_key = ? and c.kind = 'card'",
        [key],
    ).fetchone()[0]
    assert joined == stored
    paths = db.execute(
        "select count(*) from claims where post like '%/%' or sentence like ?",
        [f"%{corpus_kb.post.parent}%"],
    ).fetchone()[0]
    assert paths == 0


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


# --- a post whose cards were copied from the catalog's rows ------------------------------

FAMILY_TREE = Path(__file__).parent / "posts" / "transformer_family_tree.md"


@pytest.fixture(scope="module")
def tree(corpus_kb) -> dict[int, dict]:
    result = CliRunner().invoke(
        cli, ["--db", str(corpus_kb.db_path), "check", str(FAMILY_TREE), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return {r["line"]: r for r in json.loads(result.output)}


@pytest.mark.parametrize(
    ("line", "model_id", "how"),
    [
        (17, "roberta", "its Link (HF doc page roberta)"),  # "How RoBERTa trained longer"
        (102, "gpt-neo", "its Link"),  # "The first open GPT-3 replica": GitHub, not GPT-3
        (117, "gopher", "the model named in its heading"),  # "Gopher: scaling up"
        (131, "instructgpt", "its Link (https://github.com/openai/"),  # a table's link
        (156, "gpt-3", "its Link (arXiv 2005.14165)"),  # "From GPT-2 to GPT-3"
    ],
)
def test_a_cards_model_is_found_under_any_heading(tree, line, model_id, how):
    assert tree[line]["model_id"] == model_id
    assert tree[line]["identified_by"].startswith(how)


def test_a_card_whose_model_nothing_names_says_so_and_where_it_came_from(tree):
    unknown = tree[145]  # "Bigger and bigger at Microsoft", copied from Turing-NLG's row
    assert unknown["model_id"] is None and unknown["verdict"] == "unknown_model"
    assert "no model is named" in unknown["explanation"]
    assert "catalog row" in unknown["explanation"] and "Turing-NLG" in unknown["explanation"]


def test_each_card_names_the_row_it_was_copied_from(tree):
    assert tree[17]["origin"] == "catalog row 62 (RoBERTa) in 8 of 8 fields"
    assert tree[46]["origin"].startswith("catalog row 61 (Pythia)")


def test_a_card_pasted_from_the_neighbouring_row_is_contradicted_field_by_field(tree):
    pasted = [tree[n] for n in range(46, 53)]
    assert {r["model_id"] for r in pasted} == {"pegasus"}  # found by its Link
    # contradicted where Pegasus's own evidence says otherwise; its licence nothing states
    # (the pasted "Apache-2.0" is Pythia's, and may be Pegasus's too)
    assert [r["verdict"] for r in pasted if r["field"] != "license"] == ["contradicted"] * 6
    assert tree[51]["verdict"] == "unverified"
    assert all("Pythia" in r["explanation"] for r in pasted)


def test_a_wrong_lab_copied_from_the_catalog_is_not_supported_by_the_catalog(tree):
    lab = tree[23]  # RoBERTa, "UW/Google": the paper says Facebook AI and UW
    assert lab["verdict"] == "partially_supported"
    assert lab["evidence"]["source"] == "pdf"


def test_the_release_date_is_supported_though_the_paper_came_later(tree):
    bloom = tree[36]
    assert bloom["field"] == "date" and bloom["verdict"] == "supported"
    assert bloom["evidence"]["source"] in ("epoch_notable", "ecosystem_graphs")
    xlnet = tree[90]  # 05/2019: only the catalog; the paper is 2019-06-19
    assert xlnet["verdict"] == "contradicted" and "2019-06-19" in xlnet["explanation"]


def test_same_as_another_model_is_resolved_like_the_tables_resolve_it(tree):
    corpus = tree[22]  # RoBERTa: "Same as BERT + CC News + OpenWebText + Stories"
    assert corpus["field"] == "corpus"
    assert set(json.loads(corpus["normalized"])) >= {
        "BookCorpus", "English Wikipedia", "CC-News", "OpenWebText", "Stories",
    }  # fmt: skip
    params = tree[135]  # InstructGPT: "Same as GPT3"
    assert params["verdict"] in ("supported", "partially_supported")
    assert 175_000_000_000 in json.loads(params["normalized"])


def test_a_licence_only_the_catalog_states_is_unverified(tree):
    albert = tree[65]
    assert albert["field"] == "license" and albert["verdict"] == "unverified"


# --- a post that states its facts in sentences -------------------------------------------

SHORT_HISTORY = Path(__file__).parent / "posts" / "a_short_history.md"


@pytest.fixture(scope="module")
def history(corpus_kb) -> list[dict]:
    result = CliRunner().invoke(
        cli, ["--db", str(corpus_kb.db_path), "check", str(SHORT_HISTORY), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return [r for r in json.loads(result.output) if r["kind"] == "prose"]


def find(history, model_id, field):
    return [r for r in history if r["model_id"] == model_id and r["field"] == field]


@pytest.mark.parametrize(
    ("model_id", "field", "text", "verdict"),
    [
        ("bert", "date", "October 2018", "supported"),
        ("roberta", "lab", "Facebook AI", "supported"),  # one of the paper's two labs
        ("albert", "params", "12M", "supported"),  # "ALBERT's 12M base model"
        ("distilbert", "date", "2020", "contradicted"),  # arXiv v1 2019-10-02
        ("t5", "params", "11 billion", "supported"),  # "T5, an encoder-decoder model with …"
        ("instructgpt", "params", "1.3B", "supported"),  # not the 175B GPT-3 beside it
        ("gpt-3", "params", "175B", "supported"),
        ("bloom", "date", "July 2022", "supported"),  # released before its paper
        ("opt", "params", "125M to 175B", "supported"),  # the family's range
        ("llama-2", "params", "70B", "supported"),  # "up to 70B": the largest
        ("mistral-7b", "lab", "Mistral AI", "supported"),
        ("gopher", "params", "280B", "supported"),  # not the 300B tokens
    ],
)
def test_the_prose_of_a_history_post_is_checked(history, model_id, field, text, verdict):
    claims = [r for r in find(history, model_id, field) if r["text"].replace("\n", " ") == text]
    assert claims, [r["text"] for r in find(history, model_id, field)]
    assert claims[0]["verdict"] == verdict, claims[0]["explanation"]


def test_denied_values_and_token_counts_are_not_claims(history):
    assert not [r for r in history if r["text"] in ("175B", "300B") and r["model_id"] == "t5"]
    assert not [r for r in history if r["text"] == "300B"]


def test_an_unknown_model_and_a_hidden_draft_note(history):
    (gpt5,) = [r for r in history if r["model"] == "GPT-5"]
    assert gpt5["verdict"] == "unknown_model"
    hidden = [r for r in history if r["unpublished"] == "HTML comment"]
    assert {(r["model_id"], r["field"], r["verdict"]) for r in hidden} == {
        ("xlnet", "date", "contradicted"),
        ("xlnet", "lab", "supported"),
    }
    assert [r["unpublished"] for r in history if r["line"] == 3] == ["front matter"]
