"""A full-text index written once after a large batch instead of a row at a time.

The ``*_fts`` tables follow their tables through sqlite-utils' triggers: every fact
inserted or deleted is a write to the index too (twice the cost of writing the facts).
An extract that rewrites most facts takes the triggers away (:func:`suspend`), writes,
and rebuilds the index from the table in one pass (:func:`resume`). What it took away
is recorded in ``suspended_indexes`` in the same transaction, so that an extract killed
in between leaves a note the next one acts on (:func:`resume` at its start): the index
is never left behind its table for good.

The same batch takes away the triggers that mark a model's card to be computed again
when its facts or their anomalies change (:func:`suspend_marks`: a trigger program per
row written, a fifth of the writing); when they are put back every model is marked, as
which ones the batch changed is not known.
"""

from __future__ import annotations

import json
import re

import sqlite_utils

from kbuild.store import TRIGGERS

# sqlite-utils' names for the triggers that keep ``<table>_fts``
SUFFIXES = ("_ai", "_ad", "_au")


# the triggers that mark cards stale (kbuild.store.TRIGGERS), and their note's name
MARKS = "cards_stale"
MARK_TRIGGERS = tuple(
    name for name in TRIGGERS if name.startswith(("facts_cards", "anomalies_cards"))
)


def suspend(db: sqlite_utils.Database, table: str) -> None:
    """Take away the triggers that keep ``<table>_fts`` (noted, to be put back)."""
    _set_aside(db, table, [table + suffix for suffix in SUFFIXES])


def suspend_marks(db: sqlite_utils.Database) -> None:
    """Take away the triggers that mark cards stale (noted: :func:`resume` puts them
    back and marks every model)."""
    _set_aside(db, MARKS, list(MARK_TRIGGERS))


def _set_aside(db: sqlite_utils.Database, name: str, triggers: list[str]) -> None:
    marks = ", ".join("?" * len(triggers))
    with db.atomic():
        found = db.execute(
            f"select name, sql from sqlite_master where type = 'trigger' and name in ({marks})",
            triggers,
        ).fetchall()
        if not found:
            return  # suspended already (a note exists) or no index
        db.execute(
            "insert or replace into suspended_indexes (name, triggers) values (?, ?)",
            [name, json.dumps([sql for _, sql in found])],
        )
        for trigger, _ in found:
            db.execute(f"drop trigger [{trigger}]")


def resume(db: sqlite_utils.Database) -> list[str]:
    """Rebuild every suspended index from its table and put its triggers back, each in
    one transaction (for the stale marks: every model marked); returns the tables whose
    index was rebuilt."""
    rebuilt = []
    for name, triggers in db.execute("select name, triggers from suspended_indexes").fetchall():
        with db.atomic():
            if name == MARKS:
                db.execute(
                    "insert into cards_stale (model_id) select id from models m "
                    "where not exists (select 1 from cards_stale s where s.model_id = m.id)"
                )
            else:
                db.execute(f"insert into [{name}_fts] ([{name}_fts]) values ('rebuild')")
            for sql in json.loads(triggers):
                # (opening the database makes kbuild's own triggers again if missing)
                db.execute(_IF_MISSING.sub("CREATE TRIGGER IF NOT EXISTS ", sql, count=1))
            db.execute("delete from suspended_indexes where name = ?", [name])
        if name != MARKS:
            rebuilt.append(name)
    return rebuilt


_IF_MISSING = re.compile(r"^\s*create\s+trigger\s+(?!if\s+not\s+exists\b)", re.I)
