"""The queries a reader runs for one model read that model's rows through indexes: no
full scan of `facts` (a million rows in a large knowledge base), nor of the tables
computed from it, whatever the number of models."""

from __future__ import annotations

import sqlite_utils

from kbuild.check.knowledge import NAMED_MODELS_SQL, TABLE_FACTS_SQL
from kbuild.model_names import NAME_COLUMNS
from kbuild.publish.queries import QUERIES
from kbuild.publish.site.pages import MODEL_DOCUMENTS_SQL
from kbuild.store import ensure_schema


def plan(db: sqlite_utils.Database, sql: str, params=()) -> list[str]:
    return [row[3] for row in db.execute(f"explain query plan {sql}", params).fetchall()]


def scans(steps: list[str]) -> list[str]:
    """The steps that read a whole table (a SCAN not through an index)."""
    return [s for s in steps if s.startswith("SCAN") and " USING " not in s]


# The planner's statistics of a large knowledge base (ANALYZE of one with 1,000,106 facts,
# 83,922 models and 44,446 documents, made by benchmarks/generate_kb.py): with them the
# planner chooses as it would there, not as on an empty file.
LARGE = [
    ("models", "sqlite_autoindex_models_1", "83922 1"),
    ("documents", "documents_address", "44446 4939 3 1 1"),
    ("documents", "idx_documents_sha256", "44446 142"),
    ("documents", "idx_documents_model_id", "44446 4"),
    ("facts", "idx_facts_field_model_id", "1000106 62507 12"),
    ("facts", "idx_facts_document_id", "1000106 38"),
    ("facts", "idx_facts_model_id_field", "1000106 12 2"),
    ("facts", "sqlite_autoindex_facts_1", "1000106 1"),
    ("card_values", "sqlite_autoindex_card_values_1", "526962 7 1"),
    ("cards", "cards_by_name", "83922 1 1"),
    ("cards", "cards_by_date", "83922 30 1"),
    ("conflicts", "conflicts_by_model", "26128 3 1"),
    ("conflicts", "conflicts_by_field", "26128 2600 1"),
    ("lineage", "idx_lineage_model_id", "42701 3"),
    ("lineage", "idx_lineage_parent_id", "42701 701"),
    ("name_words", "idx_name_words_word", "302646 96"),
    ("name_words", "idx_name_words_head", "302646 1663"),
    ("name_words", "idx_name_words_model_id", "302646 3"),
]


def database() -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    ensure_schema(db)
    db.execute("analyze")
    db.conn.executemany("insert into sqlite_stat1 values (?, ?, ?)", LARGE)
    db.execute("analyze sqlite_schema")  # load the statistics
    # what Datasette's plugin registers: the names a reader types, resolved once per query
    db.conn.create_function("kbuild_model", 1, lambda name: name, deterministic=True)
    db.conn.create_function("kbuild_field", 1, lambda name: name, deterministic=True)
    return db


ONE_MODEL = {
    "a card row": "select * from cards where model_id = ?",
    "a model's conflicts": "select * from conflicts where model_id = ? order by field",
    "a model's evidence": "select * from evidence where model_id = ?",
    "a model's card values": "select * from card_values where model_id = ?",
    "a model's preferred facts": "select * from preferred_facts where model_id = ?",
    "a model's lineage": "select * from lineage where model_id = ? or parent_id = ?",
    "a model's documents (its page)": MODEL_DOCUMENTS_SQL.replace(":m", "?"),
}


def test_one_model_queries_read_no_table_whole():
    db = database()
    for label, sql in ONE_MODEL.items():
        params = ["bert"] * sql.count("?")
        steps = plan(db, sql, params)
        assert scans(steps) == [], (label, steps)


def test_the_model_card_query_reads_one_models_rows():
    db = database()
    sql = QUERIES["model_card"]["sql"].replace(":model", "?")
    steps = plan(db, sql, ["BERT"])
    assert scans(steps) == [], steps
    assert any("card_values" in s and "model_id=?" in s for s in steps), steps


def test_the_lists_walk_an_index_in_their_order():
    """The field, timeline and conflicts lists show their first rows without sorting every
    fact: the order comes from an index."""
    db = database()
    for name in ("field_across_models", "timeline", "conflicts_side_by_side"):
        sql = QUERIES[name]["sql"].replace(":field", "?").replace(":page", "'2'")
        steps = plan(db, sql, ["lab"] * sql.count("?"))
        assert scans(steps) == [], (name, steps)
        assert not any(s == "USE TEMP B-TREE FOR ORDER BY" for s in steps), (name, steps)


def test_check_finds_a_posts_models_and_the_tables_facts_through_indexes():
    db = database()
    named = NAMED_MODELS_SQL.format(columns=", ".join(NAME_COLUMNS))
    steps = plan(db, named, {"starts": '["", "b", "be", "ber", "bert"]'})
    # (json_each: the post's words and a name's, not tables)
    assert [s for s in scans(steps) if "VIRTUAL TABLE" not in s] == [], steps
    steps = plan(db, TABLE_FACTS_SQL)
    assert not any(s.startswith("SCAN f") or s.startswith("SCAN facts") for s in steps), steps
