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


def test_a_model_added_or_renamed_after_the_index_was_built_is_found():
    db = database()
    KnowledgeBase(db, "BERT")  # builds the name index
    assert db.execute("select count(*) from name_words_stale").fetchone()[0] == 0
    # any writer of models (fetch, a table's new rows, a user's SQL) leaves a mark
    db["models"].insert({"id": "t5", "name": "T5", "aliases": "[]", "origin": "sources"})
    db["models"].update("roberta", {"aliases": json.dumps(["RoBERTa-large"])})
    db["models"].delete("bert-syn5")
    text = "T5 and RoBERTa-large and BERT Syn5."
    assert indexed(KnowledgeBase(db, text)) == {"t5", "roberta", "bert"}
    assert (
        db.execute("select count(*) from name_words where model_id = 'bert-syn5'").fetchone()[0]
        == 0
    )


def test_every_word_of_a_name_must_begin_a_word_of_the_post():
    # "Syn5" is BERT Syn5's longest word, "BERT" its first: either missing is no match
    assert "bert-syn5" not in indexed(KnowledgeBase(database(), "BERT, not its copy"))
    assert "bert-syn5" not in indexed(KnowledgeBase(database(), "Syn5 alone"))
    assert "bert-syn5" in indexed(KnowledgeBase(database(), "then BERT Syn5 came"))


def test_a_name_without_letters_or_digits_is_looked_for_as_written():
    db = database()
    db["models"].insert({"id": "kanji", "name": "文心", "aliases": "[]", "origin": "sources"})
    assert "kanji" in indexed(KnowledgeBase(db, "The model 文心 was released."))
    assert "kanji" not in indexed(KnowledgeBase(db, "The model ERNIE was released."))


def test_close_names_are_those_difflib_finds_in_the_same_order():
    import difflib

    from kbuild.model_names import close_names

    names = [
        "GPT-2",
        "GPT-3",
        "GPT-3.5",
        "GPT-4",
        "GPT-4.5",
        "GPT-J",
        "GPT-Neo",
        "GPT-NeoX",
        "GPT-4 Syn12",
        "GPT-3 Syn7",
        "Gopher",
        "GLaM",
        "GLM-130B",
        "Galactica",
        "Gemma",
        "BERT",
        "BERT Syn5",
        "RoBERTa",
        "ALBERT",
        "DistilBERT",
        "T5",
        "mT5",
        "ByT5",
        "",
    ]
    for word in ["GPT-5", "GPT4", "Gophr", "BERTT", "T-5", "xyz", "G", "", "Gemma 2"]:
        for cutoff in (0.5, 0.6, 0.8):
            for n in (1, 3, 5):
                assert close_names(word, names, n, cutoff) == difflib.get_close_matches(
                    word, [x for x in names if x], n, cutoff
                ), (word, cutoff, n)


def test_close_names_without_a_post_read_the_current_names():
    db = database()
    KnowledgeBase(db, "BERT")  # the index is built
    db["models"].insert({"id": "t5", "name": "T5-XXL", "aliases": "[]", "origin": "sources"})
    assert KnowledgeBase(db).closest("T5-XXXL") == ["T5-XXL"]


def test_an_index_whose_first_build_was_cut_short_is_built_again():
    db = database()
    # what a kill between creating `name_words` and marking every model would leave
    db.execute("delete from name_words")
    db.execute("delete from name_words_stale")
    ensure_schema(db)
    assert indexed(KnowledgeBase(db, "RoBERTa")) == {"roberta"}


def test_the_tables_facts_come_in_the_order_of_the_evidence():
    from kbuild.store import insert_rows

    db = database()
    db["sources"].insert_all(
        [
            {"name": "catalog", "kind": "table", "witness": "catalog", "primary_source": 0},
            {"name": "arxiv", "kind": "paper metadata", "witness": "arxiv", "primary_source": 1},
        ]
    )
    insert_rows(
        db,
        "documents",
        [
            {"id": 1, "source": "catalog", "location": "c.csv", "fetched_at": "2026-01-01",
             "last_checked_at": "2026-01-01", "sha256": "a", "bytes": 1},
            {"id": 2, "source": "arxiv", "location": "x", "fetched_at": "2026-01-01",
             "last_checked_at": "2026-01-01", "sha256": "b", "bytes": 1},
            {"id": 3, "source": "catalog", "location": "d.csv", "fetched_at": "2026-01-01",
             "last_checked_at": "2026-01-01", "sha256": "c", "bytes": 1},
        ],
    )  # fmt: skip
    # ids that sort otherwise than the rows were written, two tables' documents in turn
    # and a primary fact between
    facts = [("z", 1), ("p", 2), ("a", 3), ("m", 1)]
    insert_rows(
        db,
        "facts",
        [
            {"id": i, "model_id": "bert", "field": "lab", "value": "Google",
             "normalized": "Google", "document_id": d, "locator": "{}", "quote": "Google",
             "extractor": "test"}
            for i, d in facts
        ],
    )  # fmt: skip
    kb = KnowledgeBase(db, "BERT")
    assert [f["id"] for f in kb.table_facts()] == ["z", "a", "m"]
