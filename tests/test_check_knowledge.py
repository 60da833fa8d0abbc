"""What `kbuild check` reads of the knowledge base: only the models a post can name are
indexed (a post names a few of thousands), every other one still known by id."""

from __future__ import annotations

import json

import sqlite_utils

from kbuild.check.knowledge import KnowledgeBase
from kbuild.store import ensure_schema

MODELS = [
    ("bert", "BERT", [], "bert", "1810.04805"),
    ("roberta", "RoBERTa", [], "roberta", "1907.11692"),
    ("gpt-neo", "GPT-Neo", [], "gpt_neo", None),
    ("llama", "LLaMA", ["LLaMA-1"], "llama", "2302.13971"),
    ("pangu-alpha", "PanGu-α", [], None, "2104.12369"),
    ("bert-syn5", "BERT Syn5", [], None, None),
]


def database() -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    ensure_schema(db)
    db["models"].insert_all(
        [
            {
                "id": i,
                "name": n,
                "aliases": json.dumps(a),
                "hf_doc_slug": s,
                "arxiv_id": x,
                "origin": "sources",
            }
            for i, n, a, s, x in MODELS
        ],
        pk="id",
    )
    return db


def indexed(kb: KnowledgeBase) -> set[str]:
    return {m["id"] for m in kb.models}


def test_only_the_models_a_post_can_name_are_indexed():
    text = "GPT-NeoX came after BERTBASE; see arXiv:2302.13971 and PanGu-α."
    kb = KnowledgeBase(database(), text)
    # GPT-Neo is named inside GPT-NeoX (the regex allows a capital after it), BERT inside
    # BERTBASE, LLaMA by its arXiv id, PanGu-α by a name SQLite cannot lower-case
    assert indexed(kb) == {"gpt-neo", "bert", "llama", "pangu-alpha"}
    assert [m["id"] for m in kb.named_in(text)] == ["gpt-neo", "bert", "pangu-alpha"]


def test_every_other_model_is_still_known_by_id():
    kb = KnowledgeBase(database(), "Nothing about any model.")
    assert indexed(kb) == set()
    assert "roberta" in kb.by_id
    assert kb.by_id["roberta"]["name"] == "RoBERTa"
    assert kb.name_of("bert-syn5") == "BERT Syn5"
    assert kb.by_id.get("no-such-model") is None
    assert "no-such-model" not in kb.by_id


def test_without_a_post_every_model_is_indexed():
    kb = KnowledgeBase(database())
    assert indexed(kb) == {m[0] for m in MODELS}


def test_close_names_come_from_every_model():
    kb = KnowledgeBase(database(), "A post about nothing.")
    assert kb.closest("RoBERTta") == ["RoBERTa"]
    assert kb.closest("LLaMA-2")[:1] == ["LLaMA-1"]
