"""A full-text index written once after a large batch instead of a row at a time.

The ``*_fts`` tables follow their tables through sqlite-utils' triggers: every fact
inserted or deleted is a write to the index too (twice the cost of writing the facts).
An extract that rewrites most facts takes the triggers away (:func:`suspend`), writes,
and rebuilds the index from the table in one pass (:func:`resume`). What it took away
is recorded in ``suspended_indexes`` in the same transaction, so that an extract killed
in between leaves a note the next one acts on (:func:`resume` at its start): the index
is never left behind its table for good.
"""

from __future__ import annotations

import json

import sqlite_utils

# sqlite-utils' names for the triggers that keep ``<table>_fts``
SUFFIXES = ("_ai", "_ad", "_au")


def suspend(db: sqlite_utils.Database, table: str) -> None:
    """Take away the triggers that keep ``<table>_fts`` (noted, to be put back)."""
    names = [table + suffix for suffix in SUFFIXES]
    marks = ", ".join("?" * len(names))
    with db.atomic():
        found = db.execute(
            f"select name, sql from sqlite_master where type = 'trigger' and name in ({marks})",
            names,
        ).fetchall()
        if not found:
            return  # suspended already (a note exists) or no index
        db.execute(
            "insert or replace into suspended_indexes (name, triggers) values (?, ?)",
            [table, json.dumps([sql for _, sql in found])],
        )
        for name, _ in found:
            db.execute(f"drop trigger [{name}]")


def resume(db: sqlite_utils.Database) -> list[str]:
    """Rebuild every suspended index from its table and put its triggers back, each in
    one transaction; returns the tables whose index was rebuilt."""
    rebuilt = []
    for name, triggers in db.execute("select name, triggers from suspended_indexes").fetchall():
        with db.atomic():
            db.execute(f"insert into [{name}_fts] ([{name}_fts]) values ('rebuild')")
            for sql in json.loads(triggers):
                db.execute(sql)
            db.execute("delete from suspended_indexes where name = ?", [name])
        rebuilt.append(name)
    return rebuilt
