"""Which value a card shows, per model and field, computed from the evidence and stored
as ``card_values`` (the ``cards`` view pivots it).

- Primary before secondary: the most trusted source wins (``source_trust``: the paper,
  its arXiv record, the official docs, then the tables).
- ``date`` is the *first known publication*: the earliest credible date — a primary
  source's (paper v1, docs), or a table's whose month an independent witness confirms.
  A table's date on the 1st of a month that no witness confirms to the day is read as
  its month (tables store "07/2019" as 2019-07-01). A paper that came after the
  release does not move the date.
- ``params`` is every size the evidence states, smallest to largest, near-equal sizes
  (within 5%) once; sizes only inherited through "Same as X" count when nothing states
  sizes itself.
  What a mixture of experts activates per token (qualifier ``active``) is no size of
  the model: the card shows its total.
- A suspect fact (see :mod:`kbuild.extract.audit`) is used only when nothing else states
  the field.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import sqlite_utils

from kbuild.compare import agree, date_key, values
from kbuild.extract.audit import IMPLAUSIBLE
from kbuild.fields import FREE_TEXT_FIELDS
from kbuild.normalize.dates import precision
from kbuild.normalize.params import close, human
from kbuild.store import (
    EXPLORE_ROWS,
    MATERIALIZED,
    insert_rows,
    json_chunks,
    refresh_materialized,
    write_lock,
)


def preference(fact: dict) -> tuple:
    """The order the card prefers facts in: stated before derived (a lab read from where
    a model's checkpoints live, a "Same as X" cell), then trust, confidence, and what the
    document says first."""
    locator = json.loads(fact["locator"]) if isinstance(fact["locator"], str) else fact["locator"]
    span = locator.get("span") or [0]
    return (
        fact["method"] == "derived",
        fact["trust_rank"],
        -(fact["confidence"] or 0),
        locator.get("page") or 0,
        locator.get("row") or 0,
        span[0] if isinstance(span, list) else 0,
        fact["id"],
    )


def corroborated(fact: dict, pool: list[dict]) -> list[dict]:
    """The facts of other witnesses that agree with ``fact`` (a date only when both are
    at least as precise as a month: one year agrees with too much)."""
    found = []
    for other in pool:
        if other["witness"] == fact["witness"]:
            continue
        if (
            fact["field"] == "date"
            and min(precision(fact["normalized"]), precision(other["normalized"])) < 2
        ):
            continue
        if agree(fact["field"], fact["normalized"], other["normalized"]):
            found.append(other)
    return found


def credible_dates(pool: list[dict]) -> list[tuple[str, dict]]:
    """(date as far as it is credible, fact) for every credible date fact, earliest first."""
    found = []
    for fact in pool:
        value = fact["normalized"]
        # a Hub repository is often made before the release: its creation date needs a
        # witness like a table's
        if not fact["primary_source"] or fact["qualifier"] == "hub_created":
            confirming = corroborated(fact, pool)
            if not confirming:
                continue
            to_the_day = any(g["normalized"] == value for g in confirming)
            if precision(value) == 3 and value.endswith("-01") and not to_the_day:
                value = value[:7]  # a placeholder day
        found.append((value, fact))
    return sorted(found, key=lambda pair: (date_key(pair[0]), preference(pair[1])))


def _date(pool: list[dict]) -> tuple[dict, list[dict], str, str]:
    """The earliest credible date: (fact, the facts that confirm it, value, why)."""
    credible = credible_dates(pool)
    if not credible:
        best = pool[0]
        return best, [best], best["normalized"], f"only {best['source']} states a date"
    value, first = credible[0]
    later = [(v, f) for v, f in credible if f["primary_source"] and not agree("date", v, value)]
    rule = f"earliest credible date ({first['qualifier'] or 'date'}, {first['source']})"
    if later:
        rule += "; " + ", ".join(
            f"{f['source']} ({f['qualifier'] or 'date'}) came later: {v}" for v, f in later[:2]
        )
    return first, [first, *corroborated(first, pool)], value, rule


def _params(pool: list[dict]) -> tuple[dict, list[dict], list[int], str | None, str]:
    """Every stated size, once."""
    sizes: list[int] = []
    used: list[dict] = []
    stated = [f for f in pool if f["method"] != "derived"] or pool
    for fact in stated:
        added = False
        for size in values(fact["normalized"]):
            if not any(close(size, s) for s in sizes):
                sizes.append(size)
                added = True
        if added:
            used.append(fact)
    qualifier = "range" if all(f["qualifier"] == "range" for f in used) else None
    sources = sorted({f["source"] for f in used})
    stated = ", ".join(human(s) for s in sorted(sizes))
    rule = f"every stated size ({stated}) from {', '.join(sources)}"
    return used[0], used, sorted(sizes), qualifier, rule


def _corpus(pool: list[dict]) -> tuple[dict, list[dict], list[str], str]:
    """Every dataset the most trusted source names (a paper lists its data over several
    sentences)."""
    best = pool[0]
    used = [f for f in pool if f["source"] == best["source"] and f["method"] == best["method"]]
    names = sorted({name for f in used for name in values(f["normalized"])})
    return best, used, names, f"every dataset {best['source']} names"


# What the card rules read of a fact (not its quote, context or address: reading them for
# every fact was a third of the time the cards took)
_CARD_COLUMNS = (
    "id, model_id, field, value, normalized, qualifier, method, confidence, locator, "
    "trust_rank, source, suspect, primary_source, witness"
)


def card_values(db: sqlite_utils.Database, models: list[str] | None = None) -> Iterator[dict]:
    """One row per model and field with a value: what the card shows and why (for every
    model, or only for ``models``), a model and field at a time: the evidence is read in
    that order, so memory holds one group's facts, not a million facts."""
    if models is None:
        facts = db.query(
            f"select {_CARD_COLUMNS} from evidence where normalized is not null "
            "order by model_id, field"
        )
    else:
        facts = (
            fact
            for ids in json_chunks(models)
            for fact in db.query(
                f"select {_CARD_COLUMNS} from evidence where normalized is not null "
                "and model_id in (select value from json_each(?)) order by model_id, field",
                [ids],
            )
        )
    for (model_id, field), group in itertools.groupby(
        facts, key=lambda f: (f["model_id"], f["field"])
    ):
        facts = list(group)
        if field == "params":
            facts = [f for f in facts if f["qualifier"] != "active"]
            if not facts:
                continue
        facts.sort(key=preference)
        clean = [f for f in facts if not f["suspect"]]
        # a suspect value stands when nothing else is said — an implausible one never
        pool = clean or [f for f in facts if not str(f["suspect"]).startswith(IMPLAUSIBLE)]
        if not pool:
            continue
        normalized, qualifier = None, None
        if field == "date":
            fact, used, normalized, rule = _date(pool)
        elif field == "params":
            fact, used, sizes, qualifier, rule = _params(pool)
            normalized = json.dumps(sizes)
        elif field == "corpus":
            fact, used, names, rule = _corpus(pool)
            normalized = json.dumps(names)
        else:
            fact, used, rule = pool[0], [pool[0]], f"most trusted source ({pool[0]['source']})"
        if not clean:
            rule += "; every fact is suspect (see table_anomalies)"
        normalized = normalized or fact["normalized"]
        yield {
            "model_id": model_id,
            "field": field,
            "value": fact["value"] if field in FREE_TEXT_FIELDS else normalized,
            "normalized": normalized,
            "qualifier": qualifier if field == "params" else fact["qualifier"],
            "fact_id": fact["id"],
            "fact_ids": json.dumps([f["id"] for f in used]),
            "rule": rule,
        }


def changed_models(db: sqlite_utils.Database, current: set[int], before: set[int]) -> list[str]:
    """The models whose cards may have changed since they were last built: those marked
    in ``cards_stale`` (their facts, anomalies or names changed) and those with facts in
    a document that has become current or stopped being (``current``: the documents
    current now; ``before``: then, as ``card_documents`` holds them)."""
    moved = sorted(current ^ before)
    found = {r[0] for r in db.execute("select model_id from cards_stale")}
    for ids in json_chunks(moved):
        found.update(
            r[0]
            for r in db.execute(
                "select distinct model_id from facts "
                "where document_id in (select value from json_each(?))",
                [ids],
            )
        )
    return sorted(m for m in found if m is not None)


def write(
    db: sqlite_utils.Database,
    changed_only: bool = False,
    current: set[int] | None = None,
    explore: bool = True,
) -> list[str] | None:
    """Recompute ``card_values`` and the ``cards`` and ``conflicts`` tables for every
    model, or with ``changed_only`` for the models :func:`changed_models` names; returns
    those models (None: every one). ``current``: the current documents, when the caller
    has read them (what is stored as ``card_documents``: a document whose currency
    changes after they were read is seen by the next build). ``explore``: the
    explorer's rows too (False when the caller makes every one of them next). One
    transaction that holds the write lock from its start: a model marked meanwhile is
    not cleared unseen."""
    with write_lock(db):
        if current is None:
            current = {r[0] for r in db.execute("select id from current_documents")}
        before = {r[0] for r in db.execute("select document_id from card_documents")}
        models = changed_models(db, current, before) if changed_only else None
        # the new values are read from the facts, not from card_values: deleting first
        # is safe, and the rows go in as they are computed, a batch at a time
        if models is None:
            db.execute("delete from card_values")
        else:
            for ids in json_chunks(models):
                db.execute(
                    "delete from card_values where model_id in (select value from json_each(?))",
                    [ids],
                )
        rows = card_values(db, models)
        while batch := list(itertools.islice(rows, 5000)):
            insert_rows(db, "card_values", batch)
        # `cards`, `conflicts` and the explorer's rows follow card_values
        refresh_materialized(db, models, {**MATERIALIZED, **(EXPLORE_ROWS if explore else {})})
        db.execute("delete from cards_stale")
        db.conn.executemany(
            "delete from card_documents where document_id = ?", [(d,) for d in before - current]
        )
        db.conn.executemany(
            "insert into card_documents (document_id) values (?)", [(d,) for d in current - before]
        )
    return models
