"""The SQLite store: the schema, created in one place, and the writes fetch makes.

Documents are append-only: a fetch either adds a row (new or changed content) or
updates ``last_checked_at`` on the row whose content it saw again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from kbuild import build_lock
from kbuild.fields import CARD_FIELDS, FREE_TEXT_FIELDS, LIST_FIELDS

TABLES: dict[str, dict] = {
    "documents": {
        "columns": {
            "id": int,
            "source": str,
            "model_id": str,
            "location": str,
            "item": str,
            "final_url": str,
            "fetched_at": str,
            "last_checked_at": str,
            "http_status": int,
            "etag": str,
            "last_modified": str,
            "content_type": str,
            "sha256": str,
            "bytes": int,
            "body": str,
            "blob": bytes,
            "fetcher": str,
        },
        "pk": "id",
        "not_null": {"source", "location", "fetched_at", "last_checked_at", "sha256", "bytes"},
    },
    # Where a document was read from when it was a local copy: a path of the machine that
    # built the database, kept apart (hidden in Datasette; left out by `serve --public`).
    "local_copies": {
        "columns": {"document_id": int, "path": str, "size": int, "mtime_ns": int},
        "pk": "document_id",
        "not_null": {"path"},
    },
    "models": {
        "columns": {
            "id": str,
            "name": str,
            "aliases": str,
            "arxiv_id": str,
            "hf_doc_slug": str,
            "pdf": str,
            "repos": str,
            "origin": str,
            "catalog_document_id": int,
            "catalog_row": int,
            # the model a release of its own was named as a size of ("GLM-130B" → GLM)
            "family": str,
        },
        "pk": "id",
        "not_null": {"name", "origin"},
    },
    # Every name a model goes by (its name, aliases, id, HF slug, the names tables' rows
    # give it, its arXiv id), as the key kbuild matches names on (kbuild.model_names).
    "model_names": {
        "columns": {"key": str, "model_id": str, "kind": str},
        "pk": "key",
        "not_null": {"model_id", "kind"},
    },
    # Every name, alias, arXiv id and doc slug of every model with its words (runs of
    # letters and digits; the longest apart, to look up) and its first two characters:
    # how `check` finds the few models a post can name among a hundred thousand without
    # reading every name (kbuild.model_names.refresh_words keeps it current).
    "name_words": {
        "columns": {
            "model_id": str,
            "name": str,
            "kind": str,
            "word": str,
            "words": str,
            "head": str,
        },
        "pk": None,
        "not_null": {"model_id", "name", "kind", "word", "words"},
    },
    # Models whose names changed since `name_words` was last brought up to date (kept
    # by triggers on `models`, so that any writer of models leaves a mark).
    "name_words_stale": {
        "columns": {"model_id": str},
        "pk": None,
        "not_null": set(),
    },
    # Models whose cards are to be computed again: their facts, their facts' anomalies or
    # their names changed since (kept by triggers; kbuild.cards.write empties it).
    "cards_stale": {
        "columns": {"model_id": str},
        "pk": None,
        "not_null": set(),
    },
    # The documents that were current when `card_values` was last built: a document
    # that became current, or stopped being, changes the cards of its facts' models.
    "card_documents": {
        "columns": {"document_id": int},
        "pk": "document_id",
        "not_null": set(),
    },
    "papers": {
        "columns": {
            "arxiv_id": str,
            "version": str,
            "title": str,
            "authors": str,
            "published": str,
            "updated": str,
            "primary_category": str,
            "categories": str,
            "abstract": str,
            "pdf_url": str,
            "doi": str,
            "journal_ref": str,
            "comment": str,
            "document_id": int,
        },
        "pk": "arxiv_id",
        "not_null": {"document_id"},
    },
    "pages": {
        "columns": {"document_id": int, "page": int, "text": str},
        "pk": ("document_id", "page"),
        "not_null": {"text"},
    },
    "facts": {
        "columns": {
            "id": str,
            "model_id": str,
            "field": str,
            "value": str,
            "normalized": str,
            "qualifier": str,
            "flag": str,
            "document_id": int,
            "locator": str,
            "quote": str,
            "extractor": str,
            "method": str,
            "confidence": float,
            "context": str,
            "url": str,
        },
        "pk": "id",
        "not_null": {"model_id", "field", "document_id", "locator", "quote", "extractor"},
    },
    # Every source, primary or table, with what it was copied from: copies of one
    # original share a `witness`, so SQL can count independent witnesses.
    "sources": {
        "columns": {
            "name": str,
            "kind": str,
            "primary_source": int,
            "format": str,
            "location": str,
            "homepage": str,
            "licence": str,
            "description": str,
            "derived_from": str,
            "witness": str,
            "adds_models": int,
            "spec": str,
            "updated_at": str,
        },
        "pk": "name",
        "not_null": {"kind", "witness"},
    },
    # Facts a table seems to have pasted from another row or shifted from another column.
    "anomalies": {
        "columns": {
            "fact_id": str,
            "document_id": int,
            "row": int,
            "column": str,
            "kind": str,
            "reason": str,
            "like_row": int,
            "like_model_id": str,
        },
        "pk": "fact_id",
        "not_null": {"document_id", "kind", "reason"},
    },
    # What each card shows, per model and field, and why (kbuild.cards).
    "card_values": {
        "columns": {
            "model_id": str,
            "field": str,
            "value": str,
            "normalized": str,
            "qualifier": str,
            "fact_id": str,
            "fact_ids": str,
            "rule": str,
        },
        "pk": ("model_id", "field"),
        "not_null": {"fact_id"},
    },
    # Typed edges between models with their evidence (kbuild.lineage).
    "lineage": {
        "columns": {
            "id": str,
            "model_id": str,
            "parent_id": str,
            "kind": str,
            "via": str,
            "source": str,
            "document_id": int,
            "fact_id": str,
            "locator": str,
            "quote": str,
            "url": str,
        },
        "pk": "id",
        "not_null": {"model_id", "parent_id", "kind", "document_id", "locator", "quote"},
    },
    # What became of every row of every table: the model it was matched to or added as,
    # how, or why not (ambiguous, unmatched, filtered out).
    "table_rows": {
        "columns": {
            "document_id": int,
            "row": int,
            "source": str,
            "name": str,
            "base_name": str,
            "size": str,
            "status": str,
            "model_id": str,
            "matched_by": str,
            "arxiv_id": str,
            "candidates": str,
            "note": str,
        },
        "pk": ("document_id", "row"),
        "not_null": {"source", "status"},
    },
    "extractions": {
        "columns": {
            "document_id": int,
            "extractor": str,
            "context": str,
            "facts": int,
            "extracted_at": str,
        },
        "pk": "document_id",
        "not_null": {"extractor", "context", "extracted_at"},
    },
    # What the tables computed from the facts (card_values, model_names, lineage) were
    # last built from: a re-run whose inputs are unchanged does not build them again.
    # The text `kbuild check` read of each post (what its claims' lines and spans point
    # into), for the site's post view; never its path.
    "posts": {
        "columns": {"post_key": str, "post": str, "kind": str, "text": str, "checked_at": str},
        "pk": "post_key",
        "not_null": {"post", "text"},
    },
    # The releases a family groups (kbuild.families): one row per family and member.
    "families": {
        "columns": {"family": str, "family_key": str, "model_id": str, "how": str},
        "pk": None,
        "not_null": {"family", "family_key", "model_id"},
    },
    # the sources file's [scope]: since = the year models are in scope from
    "scope": {
        "columns": {"name": str, "value": str},
        "pk": "name",
        "not_null": {"value"},
    },
    # a full-text index whose triggers a large extract took away, to be rebuilt whole
    # (kbuild/text_index.py): their SQL, to put back
    "suspended_indexes": {
        "columns": {"name": str, "triggers": str},
        "pk": "name",
        "not_null": {"triggers"},
    },
    "derived": {
        "columns": {"name": str, "digest": str, "built_at": str},
        "pk": "name",
        "not_null": {"digest", "built_at"},
    },
    "orgs": {
        "columns": {"alias": str, "org": str},
        "pk": "alias",
        "not_null": {"org"},
    },
    "source_trust": {
        "columns": {"field": str, "source": str, "rank": int},
        "pk": ("field", "source"),
        "not_null": {"rank"},
    },
    "claims": {
        "columns": {
            "id": str,
            "post": str,
            "model": str,
            "model_id": str,
            "field": str,
            "key": str,
            "text": str,
            "normalized": str,
            "line": int,
            "checked_at": str,
            "post_key": str,
            "identified_by": str,
            "origin": str,
            "kind": str,
            "span": str,
            "sentence": str,
            "qualifier": str,
            "unpublished": str,
        },
        "pk": "id",
        "not_null": {"post", "field", "line", "checked_at"},
    },
    "verdicts": {
        "columns": {"claim_id": str, "verdict": str, "fact_id": str, "explanation": str},
        "pk": "claim_id",
        "not_null": {"verdict"},
    },
    "fetch_events": {
        "columns": {
            "id": int,
            "run_id": str,
            "at": str,
            "source": str,
            "model_id": str,
            "location": str,
            "outcome": str,
            "document_id": int,
            "message": str,
            "items": int,
        },
        "pk": "id",
        "not_null": {"run_id", "at", "source", "outcome", "items"},
        "defaults": {"items": 1},
    },
}

FOREIGN_KEYS = [
    ("documents", "model_id", "models", "id"),
    ("models", "catalog_document_id", "documents", "id"),
    ("papers", "document_id", "documents", "id"),
    ("pages", "document_id", "documents", "id"),
    ("fetch_events", "document_id", "documents", "id"),
    ("facts", "model_id", "models", "id"),
    ("facts", "document_id", "documents", "id"),
    ("extractions", "document_id", "documents", "id"),
    ("claims", "model_id", "models", "id"),
    ("verdicts", "claim_id", "claims", "id"),
    ("verdicts", "fact_id", "facts", "id"),
    ("table_rows", "document_id", "documents", "id"),
    ("local_copies", "document_id", "documents", "id"),
    ("anomalies", "document_id", "documents", "id"),
    ("card_values", "model_id", "models", "id"),
    ("model_names", "model_id", "models", "id"),
    ("lineage", "model_id", "models", "id"),
    ("lineage", "parent_id", "models", "id"),
    ("lineage", "document_id", "documents", "id"),
    ("table_rows", "model_id", "models", "id"),
]

INDEXES = [
    ("documents", ["source", "location", "item", "sha256"]),
    ("documents", ["sha256"]),
    ("documents", ["model_id"]),
    ("fetch_events", ["run_id"]),
    ("families", ["family_key", "model_id"]),
    ("families", ["model_id"]),
    ("facts", ["model_id", "field"]),
    ("facts", ["document_id"]),
    ("facts", ["field", "model_id"]),
    ("claims", ["post"]),
    ("claims", ["model_id"]),  # model_scope: a model a checked post names
    ("table_rows", ["model_id"]),
    ("model_names", ["model_id"]),
    ("lineage", ["model_id"]),
    ("lineage", ["parent_id"]),
    ("anomalies", ["document_id"]),
    ("table_rows", ["source", "status"]),
    ("name_words", ["word"]),
    ("name_words", ["head"]),
    ("name_words", ["model_id"]),
    ("name_words_stale", ["model_id"]),
    ("cards_stale", ["model_id"]),
]


# What a change marks for recomputing (no conflict clause: the outer statement's, an
# upsert's, would override it): a model whose names changed, for `name_words`; a model
# whose facts, facts' anomalies or name changed, for its card (`card_values`, `cards`,
# `conflicts`; kbuild.cards).
def _mark(table: str, model_id: str, source: str = "", where: str = "") -> str:
    """A trigger's statement: add ``model_id`` (an expression, over ``source`` — a from
    clause — filtered by ``where``) to ``table`` unless it is there."""
    unmarked = f"not exists (select 1 from {table} s where s.model_id = {model_id})"
    condition = f"{where} and {unmarked}" if where else unmarked
    return f"insert into {table} (model_id) select {model_id} {source} where {condition};"


def _fact_model(row: str) -> str:
    return _mark("cards_stale", "f.model_id", "from facts f", f"f.id = {row}.fact_id")


TRIGGERS = {
    "models_marks_ai": f"after insert on models begin {_mark('name_words_stale', 'new.id')} "
    f"{_mark('cards_stale', 'new.id')} end",
    "models_marks_au": "after update of id, name, aliases, arxiv_id, hf_doc_slug on models "
    f"begin {_mark('name_words_stale', 'old.id')} {_mark('name_words_stale', 'new.id')} "
    f"{_mark('cards_stale', 'old.id')} {_mark('cards_stale', 'new.id')} end",
    "models_marks_ad": f"after delete on models begin {_mark('name_words_stale', 'old.id')} "
    f"{_mark('cards_stale', 'old.id')} end",
    "facts_cards_ai": f"after insert on facts begin {_mark('cards_stale', 'new.model_id')} end",
    "facts_cards_au": "after update on facts begin "
    f"{_mark('cards_stale', 'old.model_id')} {_mark('cards_stale', 'new.model_id')} end",
    "facts_cards_ad": f"after delete on facts begin {_mark('cards_stale', 'old.model_id')} end",
    "anomalies_cards_ai": f"after insert on anomalies begin {_fact_model('new')} end",
    "anomalies_cards_au": "after update on anomalies begin "
    f"{_fact_model('old')} {_fact_model('new')} end",
    "anomalies_cards_ad": f"after delete on anomalies begin {_fact_model('old')} end",
}

# Indexes on expressions: the address of a document as `current_documents` compares it,
# so that finding whether a newer version exists is one probe (arXiv dump records share
# one location, which made it a scan of the whole dump per record).
EXPRESSION_INDEXES = {
    "documents_address": "documents (source, location, coalesce(item, ''), last_checked_at)",
}

# Full-text search, kept in sync by triggers.
FTS = {
    "papers": ["title", "abstract"],
    "documents": ["body"],
    "pages": ["text"],
    "facts": ["value", "quote"],
}


# Which fact a card prefers, as SQL over `evidence e`: the most trusted source, the
# highest confidence, stated before derived, then what the document says first.
PREFERENCE_ORDER = """e.trust_rank, e.confidence desc, e.method = 'derived',
  coalesce(json_extract(e.locator, '$.page'), 0),
  coalesce(json_extract(e.locator, '$.row'), 0),
  coalesce(json_extract(e.locator, '$.span[0]'), 0), e.id"""


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _card_columns() -> str:
    columns = []
    for key in CARD_FIELDS:
        columns.append(f"max(case when p.field = '{key}' then p.value end) as [{key}]")
        columns.append(f"max(case when p.field = '{key}' then p.fact_id end) as [{key}_fact_id]")
    return ",\n    ".join(columns)


def _subset(a: str, b: str) -> str:
    """SQL: every element of JSON list a has a match in JSON list b (sizes within 5%)."""
    return (
        f"not exists (select 1 from json_each({a}.normalized) x where not exists ("
        f"select 1 from json_each({b}.normalized) y where x.value = y.value or "
        f"({a}.field = 'params' and abs(x.value - y.value) <= 0.05 * max(x.value, y.value))))"
    )


def _disagree(a: str, b: str) -> str:
    """SQL: facts a and b disagree after normalization (dates at the coarser precision,
    lists when neither contains the other, sizes within 5%)."""
    return f"""case
      when {a}.field = 'date' then
        substr({a}.normalized, 1, min(length({a}.normalized), length({b}.normalized)))
        != substr({b}.normalized, 1, min(length({a}.normalized), length({b}.normalized)))
      when {a}.field in ({_quoted(LIST_FIELDS)}) then
        not ({_subset(a, b)}) and not ({_subset(b, a)})
      else {a}.normalized != {b}.normalized
    end"""


# Who stands behind a fact of ``facts f`` in ``current_documents d`` with its ``sources s``
# (copies share one witness; a doc page's quote of the abstract is the arXiv record's)
_WITNESS = """case when instr(f.locator, '"quoted_abstract": true') then 'arxiv'
    else coalesce(s.witness, d.source) end"""

VIEWS = {
    # The review list of identity: every row that names a model another way and was
    # left apart (another name for a model's paper; a release of its own named as a size)
    # or could not be placed (ambiguous), with why.
    "identity_review": """
select t.source, t.row, t.name, t.status, t.model_id, m.family, t.candidates, t.note
from table_rows t left join models m on m.id = t.model_id
where t.status = 'ambiguous' or t.note like 'shares its paper%' or t.note like 'its own release%'
order by t.status, t.source, t.row""",
    # Whether lists and charts show a model by default: the sources file lists it, a
    # checked post names it, or it is first published in or after [scope] since (an
    # undated model stays in: nothing says it is older). The rest are kept, marked.
    "model_scope": """
select m.id as model_id, m.name, c.date,
  case
    when m.origin = 'sources.toml' then 1
    when exists (select 1 from claims cl where cl.model_id = m.id) then 1
    when c.date is not null and cast(substr(c.date, 1, 4) as integer)
      < coalesce((select cast(value as integer) from scope where name = 'since'), 2017)
      then 0
    else 1
  end as in_scope,
  case
    when m.origin = 'sources.toml' then 'the sources file lists it'
    when exists (select 1 from claims cl where cl.model_id = m.id) then 'a checked post names it'
    when c.date is null then 'undated'
    else 'first published ' || substr(c.date, 1, 4) || (
      case when cast(substr(c.date, 1, 4) as integer)
        < coalesce((select cast(value as integer) from scope where name = 'since'), 2017)
      then ', before' else ', in or after' end
    ) || ' ' || coalesce((select value from scope where name = 'since'), '2017')
  end as why
from models m left join cards c on c.model_id = m.id""",
    # The version of each address seen last (a file put back as it was makes its old
    # version current again); the others stay in `documents`.
    "current_documents": """
select * from documents d where not exists (
  select 1 from documents n
  where n.source = d.source and n.location = d.location
    and coalesce(n.item, '') = coalesce(d.item, '')
    and (n.last_checked_at > d.last_checked_at
      or (n.last_checked_at = d.last_checked_at and (n.fetched_at > d.fetched_at
        or (n.fetched_at = d.fetched_at and n.id > d.id))))
)""",
    # Every fact of a current document, with its source, the source's trust rank and
    # witness (copies share one), and why the fact is suspect, if it is.
    "evidence": f"""
select f.id, f.model_id, f.field, f.value, f.normalized, f.qualifier, f.flag,
  f.document_id, d.source, f.locator, f.quote, f.extractor, f.method, f.confidence,
  coalesce(t.rank, 99) as trust_rank, coalesce(f.url, d.final_url, d.location) as url,
  f.context,
  -- a doc page's quote of the paper's abstract is the paper's words: ranked as the
  -- paper's abstract is, and the same witness as its arXiv record (not a second one)
  {_WITNESS} as witness,
  coalesce(s.primary_source, 0) as primary_source, a.reason as suspect
from facts f
join current_documents d on d.id = f.document_id
left join source_trust t on t.field = f.field and t.source = (
  case when instr(f.locator, '"quoted_abstract": true') then 'arxiv' else d.source end)
left join sources s on s.name = d.source
left join anomalies a on a.fact_id = f.id""",
    # The fact each card shows, with the card's value (for params, every stated size).
    "preferred_facts": """
select e.id, c.model_id, c.field, e.value, c.normalized, c.qualifier, e.flag,
  e.document_id, e.source, e.locator, e.quote, e.extractor, e.method, e.confidence,
  e.trust_rank, e.url, e.context, e.witness, e.primary_source, e.suspect,
  c.value as shown, c.rule, 1 as pick
from card_values c join evidence e on e.id = c.fact_id""",
    # The facts the tables' own audit flags, with the row they seem to come from.
    "table_anomalies": """
select a.fact_id, d.source, d.item as file, a.row, a.column, f.model_id, f.field, f.value,
  a.kind, a.reason, a.like_row, a.like_model_id, a.document_id
from anomalies a
join facts f on f.id = a.fact_id
join documents d on d.id = a.document_id
order by d.source, a.row, a.column""",
    # Per model and field, the card's value and how many independent witnesses agree
    # with it and how many disagree. A table and its copies (derived_from) are one
    # witness; a witness agrees when any of its facts agrees with the card's value.
    "corroboration": f"""
select model_id, field, value, source, fact_id,
  sum(agrees) as agreeing, sum(1 - agrees) as disagreeing,
  json_group_array(witness) filter (where agrees) as agreeing_witnesses,
  json_group_array(witness) filter (where not agrees) as disagreeing_witnesses
from (
  select a.model_id, a.field, a.shown as value, a.source, a.id as fact_id, b.witness,
    max(not ({_disagree("a", "b")})) as agrees
  from preferred_facts a
  join (
    select e.*, coalesce(s.witness, e.source) as witness
    from evidence e left join sources s on s.name = e.source
    where e.normalized is not null
  ) b on b.model_id = a.model_id and b.field = a.field
  where a.field not in ({_quoted(FREE_TEXT_FIELDS)})
  group by a.model_id, a.field, b.witness
)
group by model_id, field""",
}


# Tables computed by `extract` from the views (kbuild.cards.write, in the transaction
# that writes card_values): a reader's page reads a model's rows through an index
# instead of recomputing every card and every disagreement from all the facts.
# Days between the card's date and the other (NULL unless both are days).
_DAYS_APART = """(case when length(a.normalized) = 10 and length(b.normalized) = 10
  then abs(julianday(a.normalized) - julianday(b.normalized)) end)"""
# An earlier table or repository date than the paper's (v1 or the docs' release line),
# within a year: the release, then the paper.
_RELEASE_THEN_PAPER = """(coalesce({x}.qualifier, '') in ('paper_v1', 'docs')
  and coalesce({y}.qualifier, '') in ('publication', 'release')
  and length({x}.normalized) = 10 and length({y}.normalized) = 10
  and julianday({y}.normalized) < julianday({x}.normalized)
  and julianday({x}.normalized) - julianday({y}.normalized) <= 365)"""
# Values that differ but do not disagree (the `variants`, never `conflicts`): a value
# the table audit flags (table_anomalies); what a mixture of experts activates per token
# is no other size; a fine-tuning task beside a pretraining one; "Transformer" as a
# family beside a narrower one; a table's bespoke licence beside the model's licence
# (kbuild.normalize.license.licences_agree); one organisation under two
# names, a parent, a member; a release and the paper are two events, each on its own
# date; one event dated days apart (time zones, an announcement and its upload).
_SET_ASIDE = f"""(
    b.suspect is not null
    or (b.field = 'params' and coalesce(b.qualifier, '') = 'active')
    or (a.field = 'task' and coalesce(a.qualifier, '') != coalesce(b.qualifier, ''))
    or (a.field = 'family' and (a.normalized like '%"Transformer"%'
      or b.normalized like '%"Transformer"%'))
    or (a.field = 'lab' and coalesce(kbuild_labs_agree(a.normalized, b.normalized, null), 0))
    or (a.field = 'license' and coalesce(
      kbuild_licences_agree(a.normalized, a.qualifier, b.normalized, b.qualifier), 0))
    or (a.field = 'date' and (
      -- (coalesce: a NULL qualifier or date would make the whole rule NULL, and `not`
      -- of NULL drops the pair from conflicts and variants both)
      (coalesce(a.qualifier, '') = 'paper_v1' and coalesce(b.qualifier, '') in ('release', 'docs'))
      or (coalesce(b.qualifier, '') = 'paper_v1'
        and coalesce(a.qualifier, '') in ('release', 'docs'))
      -- (coalesce: NULL for a month or year, which `not` would turn into no row)
      or coalesce({_DAYS_APART} <= 7, 0)
      or {_RELEASE_THEN_PAPER.format(x="a", y="b")}
      or {_RELEASE_THEN_PAPER.format(x="b", y="a")})))"""
# Every other document's value of a card's field that differs from the card's, one row
# per document and value (its strongest fact), kept by `rules`: conflicts keep those no
# rule sets aside, variants those one does. ({{only}} stays for the materializer.)
_AGAINST_CARD = f"""row_number() over (
      partition by a.model_id, a.field, b.document_id, b.normalized
      order by b.confidence desc, b.id
    ) as nth
  from preferred_facts a
  join evidence b on a.model_id = b.model_id and a.field = b.field
    and a.document_id != b.document_id
  where b.normalized is not null {{{{only}}}}
    and a.field not in ({_quoted(FREE_TEXT_FIELDS)})
    and {{rules}}
    and {_disagree("a", "b")}
) where nth = 1"""
MATERIALIZED: dict[str, dict] = {
    "cards": {
        "pk": "model_id",
        "only": "where m.id in (select value from json_each(:models))",
        "indexes": {
            "cards_by_name": "(name, model_id)",
            "cards_by_date": "(date, name collate nocase)",
            # the cards page's facets count these
            "cards_by_architecture": "(architecture)",
            "cards_by_license": "(license)",
        },
        "sql": f"""
select m.id as model_id, m.name,
    {_card_columns()}
from models m
left join card_values p on p.model_id = m.id
{{only}}
group by m.id
order by m.name collate nocase""",
    },
    # Values that disagree, after normalization, with the value the card shows: dates at
    # the coarser precision, lists when neither contains the other (sizes within 5%).
    # One row per disagreeing document and value, its strongest fact, side by side with
    # the card's fact: what each says, where (public URL) and in its own words.
    "conflicts": {
        "pk": None,
        "only": "and a.model_id in (select value from json_each(:models))",
        "indexes": {
            "conflicts_by_model": "(model_id, field)",
            "conflicts_by_field": "(field, model_id)",
            "conflicts_by_severity": "(severity, model_id, field)",
        },
        "sql": f"""
select model_id, field, severity,
  case severity
    when 1 then 'a primary source disagrees with the card'
    when 2 then 'two tables disagree'
    else 'a table disagrees with a card a primary source states'
  end as ranked,
  card_value, card_source, card_quote, card_qualifier, card_url, card_fact_id,
  other_value, other_source, other_quote, other_qualifier, other_url, other_fact_id
from (
  select a.model_id, a.field,
    -- most severe first: a primary source against the card, then tables against a
    -- table's card value, then a table against a primary card value
    case
      when b.primary_source = 1 then 1
      when coalesce(a.primary_source, 0) = 0 then 2
      else 3
    end as severity,
    a.normalized as card_value, a.source as card_source, a.quote as card_quote,
    a.qualifier as card_qualifier, a.url as card_url, a.id as card_fact_id,
    b.normalized as other_value, b.source as other_source, b.quote as other_quote,
    b.qualifier as other_qualifier, b.url as other_url, b.id as other_fact_id,
    {_AGAINST_CARD.format(rules="not " + _SET_ASIDE)}""",
    },
    # The disagreements the rules above set aside, listed as variants with the rule:
    # one organisation under another name, a release beside the paper, active params.
    "variants": {
        "pk": None,
        "only": "and a.model_id in (select value from json_each(:models))",
        "indexes": {"variants_by_model": "(model_id, field)"},
        "sql": f"""
select model_id, field, rule, card_value, card_source, card_qualifier, card_fact_id,
  other_value, other_source, other_quote, other_qualifier, other_url, other_fact_id
from (
select a.model_id, a.field,
  case
    when b.suspect is not null then 'the other value is suspect (see table_anomalies)'
    when a.field = 'lab' then 'one organisation: an alias, a parent, a rename or a member'
    when a.field = 'license' then 'one licence: a table\'\'s bespoke licence, or one adopted'
    when a.field = 'date' and {_DAYS_APART} <= 7 then 'one event, days apart'
    when a.field = 'date' then 'two events: a release and the paper'
    when a.field = 'task' then 'two stages: pretraining and fine-tuning'
    when a.field = 'family' then 'one family named more broadly (Transformer)'
    else 'what a mixture of experts activates per token'
  end as rule,
  a.normalized as card_value, a.source as card_source, a.qualifier as card_qualifier,
  a.id as card_fact_id,
  b.normalized as other_value, b.source as other_source, b.quote as other_quote,
  b.qualifier as other_qualifier, b.url as other_url, b.id as other_fact_id,
  {_AGAINST_CARD.format(rules=_SET_ASIDE)}""",
    },
}

# The explorer's row of each model (kbuild/publish/site/explore.py): what its filters and
# columns read, one indexed row a model, so that a page at a million facts reads a
# narrow table instead of grouping every fact. Refreshed after the cards and the
# families, in their transactions (kbuild.cards.write, kbuild.extract.runner.build_derived),
# for the models whose cards changed. Whether a model is in scope is not kept here: a
# checked post or the sources file changes it.
EXPLORE_ROWS: dict[str, dict] = {
    "explore_rows": {
        "pk": "model_id",
        "only": "where c.model_id in (select value from json_each(:models))",
        # a page of the explorer reads the index of the column it is sorted by
        "indexes": {
            f"explore_rows_by_{column}": f"({column}, name collate nocase, model_id)"
            for column in (
                "name",
                "date",
                "lab",
                "largest",
                "architecture",
                "license",
                "access",
                "family",
                "witnesses",
                "disagreements",
            )
        },  # fmt: skip
        "sql": f"""
select c.model_id, c.name, c.date, cast(substr(c.date, 1, 4) as integer) as year,
  c.lab, c.architecture, c.license, c.access,
  (select max(value) from json_each(c.params)) as largest,
  (select group_concat(f.family, ', ') from families f where f.model_id = c.model_id)
    as family,
  (select count(distinct {_WITNESS}) from facts f
    join current_documents d on d.id = f.document_id
    left join sources s on s.name = d.source
    where f.model_id = c.model_id)
    as witnesses,
  (select count(*) from conflicts k where k.model_id = c.model_id) as disagreements
from cards c
{{only}}""",
    },
}

LOCAL_PATH = re.compile(r"(?<![\w:/.~-])(?:~|\.{1,2})?(?:/[\w.@+ -]+)+/(?=[\w.@+-])")


def redact(text: str | None) -> str | None:
    """Text with the folders of local paths taken out ("/home/me/corpus/bert.md" →
    "bert.md"); URLs are left alone."""
    return LOCAL_PATH.sub("", text) if text else text


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """Insert (or replace) rows of a kbuild table in one statement, inside whatever
    transaction is open: no per-call schema lookups, no commit."""
    if not rows:
        return
    columns = list(TABLES[table]["columns"])
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" * len(columns))
    db.conn.executemany(
        f"insert or replace into [{table}] ({names}) values ({marks})",
        [[row.get(c) for c in columns] for row in rows],
    )


_NOW: list = [None, ""]


@contextlib.contextmanager
def write_lock(db: sqlite_utils.Database):
    """A transaction that holds the write lock from its first statement (BEGIN
    IMMEDIATE): what it reads cannot change under it before it writes. Inside an open
    transaction, a savepoint of it."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def utc_now() -> str:
    """The current time, UTC, ISO 8601 to the second (formatted once a second: a re-run
    stamps tens of thousands of rows)."""
    second = int(time.time())
    if second != _NOW[0]:
        stamp = datetime.fromtimestamp(second, UTC).isoformat().replace("+00:00", "Z")
        _NOW[:] = [second, stamp]
    return _NOW[1]


# How long to wait for another program writing the database before saying it is locked.
BUSY_TIMEOUT_MS = 10_000

# the message of a run's one log line for the local files of a source it found unchanged
UNCHANGED_COPIES = (
    "local files with the size and modification time of their stored copies, not read "
    "again (items: how many)"
)


class KnowledgeBase(sqlite_utils.Database):
    """The database a command writes: it holds the build lock until closed (or the
    process ends), so `kbuild serve` never copies a knowledge base halfway built."""

    def __init__(self, path: Path):
        # No sqlite-utils plugins: what the knowledge base holds must not depend on which
        # plugins happen to be installed (and finding them scans every installed package).
        super().__init__(path, execute_plugins=False)
        self.build_lock = build_lock.hold_shared(path)

    def close(self) -> None:
        super().close()
        if self.build_lock is not None:
            self.build_lock.close()


def open_db(path: str | Path) -> KnowledgeBase:
    """Open (creating folders as needed) the database and make sure its schema exists."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = KnowledgeBase(path)
    # Another kbuild writing the same file: wait for it a while rather than fail at once.
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # A rollback journal, not WAL: `kbuild serve` copies the file and serves the copy
    # immutable (-i); one file is the whole database.
    db.execute("PRAGMA journal_mode=DELETE")
    ensure_schema(db)
    return db


def database_error(path: str | Path, err: Exception) -> str:
    """What a SQLite error means for the user, in one line naming the file."""
    text = str(err).lower()
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a kbuild database (not SQLite, or damaged); use another --db"
    if "readonly" in text or "read-only" in text:
        return (
            f"{path} is read-only: kbuild writes to it; check its permissions or use another --db"
        )
    if "locked" in text or "busy" in text:
        return f"{path} is locked by another program (another kbuild?); try again when it is done"
    if "full" in text:
        return f"the disk holding {path} is full; nothing half-written was kept, free some space"
    if "unable to open" in text:
        return f"cannot open {path}: check that its folder exists and is writable"
    return f"{path}: SQLite error: {err}"


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table, index and foreign key that is missing; never drops anything."""
    for name, spec in TABLES.items():
        table = db.table(name)
        if not table.exists():
            table.create(
                spec["columns"],
                pk=spec["pk"],
                not_null=spec["not_null"],
                defaults=spec.get("defaults"),
            )
        else:
            have = table.columns_dict
            for column, kind in spec["columns"].items():
                if column not in have:
                    table.add_column(
                        column, kind, not_null_default=spec.get("defaults", {}).get(column)
                    )
    existing_fks = {(fk.table, fk.column) for t in TABLES for fk in db.table(t).foreign_keys}
    wanted = [fk for fk in FOREIGN_KEYS if (fk[0], fk[1]) not in existing_fks]
    if wanted:
        db.add_foreign_keys(wanted)
    ensure_indexes(db)
    for name, on in EXPRESSION_INDEXES.items():
        db.execute(f"create index if not exists [{name}] on {on}")
    for name, sql in TRIGGERS.items():
        wanted = f"CREATE TRIGGER [{name}] {sql}"
        found = db.execute(
            "select sql from sqlite_master where type = 'trigger' and name = ?", [name]
        ).fetchone()
        if found and found[0] != wanted:
            db.execute(f"drop trigger [{name}]")  # what it marks has changed
        if not found or found[0] != wanted:
            db.execute(wanted)
    # a database from before `name_words` (or whose first indexing was cut short):
    # every model's names are to be indexed
    if (
        not db.execute("select 1 from name_words limit 1").fetchone()
        and not db.execute("select 1 from name_words_stale limit 1").fetchone()
    ):
        with db.atomic():
            db.execute("insert into name_words_stale (model_id) select id from models")
    for table, columns in FTS.items():
        if not db[table].detect_fts():
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
        _index_only_text_updates(db, table, columns)
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
    for name, spec in {**MATERIALIZED, **EXPLORE_ROWS}.items():
        _ensure_materialized(db, name, spec)


def ensure_indexes(db: sqlite_utils.Database) -> None:
    """Make the indexes of ``INDEXES`` that are missing (a large extract drops some of
    the facts' while it writes: :func:`set_aside_indexes`)."""
    for table, columns in INDEXES:
        db.table(table).create_index(columns, if_not_exists=True)


def set_aside_indexes(db: sqlite_utils.Database, table: str, keep: list[str]) -> None:
    """Drop ``table``'s indexes of ``INDEXES`` but the one on ``keep`` (what the write
    itself looks rows up by): a large batch then writes its rows into fewer b-trees,
    and :func:`ensure_indexes` makes them again, sorted once. An extract killed in
    between leaves nothing to note: opening the database makes them."""
    wanted = [columns for name, columns in INDEXES if name == table and columns != keep]
    for index in db[table].indexes:
        if index.columns in wanted:
            db.execute(f"drop index [{index.name}]")


def _index_only_text_updates(db: sqlite_utils.Database, table: str, columns: list[str]) -> None:
    """Make the full-text index follow updates of its own columns only: sqlite-utils'
    trigger re-indexes the row on every update, so marking a document checked
    (``last_checked_at``) re-indexed its whole body."""
    name = f"{table}_au"
    row = db.execute(
        "select sql from sqlite_master where type = 'trigger' and name = ?", [name]
    ).fetchone()
    if not row or " UPDATE OF " in row[0].upper():
        return
    of = ", ".join(f'"{c}"' for c in columns)
    sql = re.sub(r"AFTER UPDATE ON", f"AFTER UPDATE OF {of} ON", row[0], count=1, flags=re.I)
    with db.atomic():
        db.execute(f'drop trigger "{name}"')
        db.execute(sql)


def _materialized_functions(db: sqlite_utils.Database) -> None:
    """The Python functions the materialized tables' queries call: the conflicts' lab
    rule asks the registry of organisations, the licence rule kbuild's licences (only
    kbuild builds these tables; no view Datasette reads calls them)."""
    from kbuild.normalize.organisations import labs_agree

    def licences_agree(*args) -> bool:
        # imported when first called: the licences' module reads its data through
        # importlib.resources, which a fetch that finds nothing changed does not need
        from kbuild.normalize.license import licences_agree

        return licences_agree(*args)

    db.conn.create_function("kbuild_labs_agree", 3, labs_agree, deterministic=True)
    db.conn.create_function("kbuild_licences_agree", 4, licences_agree, deterministic=True)


def _ensure_materialized(db: sqlite_utils.Database, name: str, spec: dict) -> None:
    """Create a materialized table (replacing the view of older databases, or a table
    whose columns the code no longer computes) and fill it once; then its indexes."""
    _materialized_functions(db)
    sql = materialized_sql(spec)
    columns = [d[0] for d in db.execute(f"select * from ({sql}) limit 0").description]
    kind = db.execute("select type from sqlite_master where name = ?", [name]).fetchone()
    if kind and (kind[0] == "view" or list(db[name].columns_dict) != columns):
        db.execute(f"drop {kind[0]} [{name}]")
        kind = None
    if not kind:
        with db.atomic():
            defined = ", ".join(
                f"[{c}]" + (" primary key" if c == spec["pk"] else "") for c in columns
            )
            db.execute(f"create table [{name}] ({defined})")
            db.execute(f"insert into [{name}] {sql}")
    for index, on in spec["indexes"].items():
        db.execute(f"create index if not exists [{index}] on [{name}] {on}")


def json_chunks(values: list, size: int = 5000) -> Iterator[str]:
    """``values`` as JSON lists of at most ``size``, for ``in (select value from
    json_each(?))``: a statement per chunk, however many there are."""
    for start in range(0, len(values), size):
        yield json.dumps(values[start : start + size])


def materialized_sql(spec: dict, only: bool = False) -> str:
    """A materialized table's query: for every model, or with ``only`` for the models
    of the ``:models`` parameter (a JSON list)."""
    return spec["sql"].strip().replace("{only}", spec["only"] if only else "")


def refresh_materialized(
    db: sqlite_utils.Database, models: list[str] | None = None, tables: dict | None = None
) -> None:
    """Recompute the materialized tables (``tables``, by default ``MATERIALIZED``) from
    their queries, for every model or only for ``models`` (inside the caller's
    transaction)."""
    _materialized_functions(db)
    for name, spec in (MATERIALIZED if tables is None else tables).items():
        if models is None:
            db.execute(f"delete from [{name}]")
            db.execute(f"insert into [{name}] {materialized_sql(spec)}")
            continue
        for chunk in ({"models": ids} for ids in json_chunks(models)):
            db.execute(
                f"delete from [{name}] where model_id in (select value from json_each(:models))",
                chunk,
            )
            db.execute(f"insert into [{name}] {materialized_sql(spec, only=True)}", chunk)


@dataclass
class Saved:
    """The outcome of saving a document."""

    id: int
    new: bool


class Store:
    """Writes fetch makes: documents, models, papers, pages and the fetch log."""

    def __init__(self, db: sqlite_utils.Database, run_id: str | None = None):
        self.db = db
        self.run_id = run_id or datetime.now(UTC).isoformat(timespec="microseconds")
        self._every = 0
        self._since_commit = 0
        self._depth = 0
        # per source, (location, item) → {path: (document id, size, mtime_ns)} of the
        # current documents read from local files: one query per source, not per file
        self._copies: dict[str, dict[tuple[str, str], dict[str, tuple]]] = {}
        self._stats: dict[str, os.stat_result] = {}
        # inside a batch, log lines of items that wrote nothing else wait for the commit
        self._events: list[dict] = []
        # local files found unchanged, per source: one log line per source and run
        # (the row id once written) rather than one per file
        self._unchanged_copies: Counter[str] = Counter()
        self._summary_ids: dict[str, int] = {}

    @contextlib.contextmanager
    def atomic(self):
        """One item's writes, all or none (a savepoint inside a batch)."""
        self._depth += 1
        try:
            with self.db.atomic():
                yield
        finally:
            self._depth -= 1
        self._tick(0)

    @contextlib.contextmanager
    def batched(self, every: int = 200):
        """Group the items of a run into transactions of ``every`` logged outcomes: a
        commit is an fsync, and one per item made a re-run as slow as the first. Each
        item's own writes stay atomic (a savepoint inside the batch); a kill loses at
        most the last batch, which the next run fetches again."""
        self.db.conn.execute("BEGIN")
        self._every, self._since_commit = every, 0
        try:
            yield self
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            self._summary_ids.clear()  # rolled back with the rest
            raise
        else:
            self._flush()
            if self.db.conn.in_transaction:
                self.db.conn.execute("COMMIT")
        finally:
            self._every = 0
            self._events.clear()
            self._unchanged_copies.clear()

    def _flush(self) -> None:
        """Write the waiting log lines (inside the open transaction)."""
        if self._events:
            insert_rows(self.db, "fetch_events", self._events)
            self._events.clear()
        for source, count in self._unchanged_copies.items():
            now = utc_now()
            if source in self._summary_ids:
                self.db.execute(
                    "update fetch_events set items = items + ?, at = ? where id = ?",
                    [count, now, self._summary_ids[source]],
                )
            else:
                self._summary_ids[source] = self.db.execute(
                    "insert into fetch_events (run_id, at, source, outcome, items, message) "
                    "values (?, ?, ?, 'unchanged', ?, ?)",
                    [self.run_id, now, source, count, UNCHANGED_COPIES],
                ).lastrowid
        self._unchanged_copies.clear()

    def _tick(self, count: float = 1) -> None:
        if not self._every:
            return
        self._since_commit += count
        # never inside an item's savepoint: a commit there would end it half-way
        if self._depth == 0 and self._since_commit >= self._every and self.db.conn.in_transaction:
            self._flush()
            self.db.conn.execute("COMMIT")
            self.db.conn.execute("BEGIN")
            self._since_commit = 0

    def latest_document(self, source: str, location: str, item: str | None = None) -> dict | None:
        """The most recently fetched document for this address, if any."""
        rows = list(
            self.db.query(
                "select id, etag, last_modified, sha256 from documents where source = ? "
                "and location = ? and coalesce(item, '') = ? "
                "order by last_checked_at desc, fetched_at desc, id desc limit 1",
                [source, location, item or ""],
            )
        )
        return rows[0] if rows else None

    def save_document(
        self,
        *,
        source: str,
        location: str,
        content: bytes,
        fetcher: str,
        model_id: str | None = None,
        item: str | None = None,
        final_url: str | None = None,
        http_status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        content_type: str | None = None,
        binary: bool = False,
        local_path: str | None = None,
    ) -> Saved:
        """Add the document unless the same content is already stored for this address.

        ``location`` is the public address; ``local_path`` the file a local copy was read
        from, kept in ``local_copies``."""
        # a local copy's public address is also its final URL
        public = location if local_path and "://" in location else None
        self._copies.get(source, {}).pop((location, item or ""), None)
        saved = self._save_document(
            source=source, location=location, content=content, fetcher=fetcher,
            model_id=model_id, item=item, final_url=final_url or public,
            http_status=http_status, etag=etag, last_modified=last_modified,
            content_type=content_type, binary=binary,
        )  # fmt: skip
        if local_path:
            try:
                info = Path(local_path).stat()
                size, mtime = info.st_size, info.st_mtime_ns
            except OSError:
                size = mtime = None
            insert_rows(
                self.db,
                "local_copies",
                [{"document_id": saved.id, "path": local_path, "size": size, "mtime_ns": mtime}],
            )
        return saved

    def has_pages(self, doc_id: int) -> bool:
        """Whether a PDF's pages are stored (a kill between a PDF and its pages, in an
        older kbuild, left one without them)."""
        return bool(
            self.db.execute(
                "select 1 from pages where document_id = ? limit 1", [doc_id]
            ).fetchone()
        )

    def unchanged_copy(
        self, source: str, location: str, path: str | Path, item: str | None = None
    ) -> int | None:
        """The current document of this address when it was read from this very file and
        the file's size and modification time are as they were then: a re-run need not
        read (or parse) it again."""
        path = str(path)
        try:
            # one look per file and run: an arXiv dump holds thousands of records
            info = self._stats.get(path) or self._stats.setdefault(path, os.stat(path))
        except OSError:
            return None
        if source not in self._copies:
            copies: dict[tuple[str, str], dict[str, tuple]] = {}
            for row in self.db.execute(
                "select d.location, coalesce(d.item, ''), d.id, l.path, l.size, l.mtime_ns "
                "from current_documents d join local_copies l on l.document_id = d.id "
                "where d.source = ?",
                [source],
            ):
                copies.setdefault((row[0], row[1]), {})[row[3]] = (row[2], row[4], row[5])
            self._copies[source] = copies
        found = self._copies[source].get((location, item or ""), {}).get(path)
        if found and found[1:] == (info.st_size, info.st_mtime_ns):
            return found[0]
        return None

    def _save_document(
        self,
        *,
        source: str,
        location: str,
        content: bytes,
        fetcher: str,
        model_id: str | None,
        item: str | None,
        final_url: str | None,
        http_status: int | None,
        etag: str | None,
        last_modified: str | None,
        content_type: str | None,
        binary: bool,
    ) -> Saved:
        digest = hashlib.sha256(content).hexdigest()
        now = utc_now()
        existing = list(
            self.db.query(
                "select id from documents where source = ? and location = ? "
                "and coalesce(item, '') = ? and sha256 = ?",
                [source, location, item or "", digest],
            )
        )
        if existing:
            doc_id = existing[0]["id"]
            updates = {"last_checked_at": now}
            if etag or last_modified:
                updates.update(etag=etag, last_modified=last_modified)
            self.db["documents"].update(doc_id, updates)
            return Saved(doc_id, new=False)
        row = {
            "source": source,
            "model_id": model_id,
            "location": location,
            "item": item,
            "final_url": final_url,
            "fetched_at": now,
            "last_checked_at": now,
            "http_status": http_status,
            "etag": etag,
            "last_modified": last_modified,
            "content_type": content_type,
            "sha256": digest,
            "bytes": len(content),
            "body": None if binary else content.decode("utf-8", errors="replace"),
            "blob": content if binary else None,
            "fetcher": fetcher,
        }
        doc_id = self.db["documents"].insert(row).last_pk
        return Saved(doc_id, new=True)

    def touch(self, doc_id: int) -> None:
        """Record that a document's address was checked and still serves it (HTTP 304)."""
        self.db.execute(
            "update documents set last_checked_at = ? where id = ?", [utc_now(), doc_id]
        )

    def unchanged_copy_seen(self, source: str) -> None:
        """Count a local file that is unchanged (size and modification time) since its
        copy was stored into the run's one log line of such files for ``source``
        (``items``): a line per file made a re-run of 5,000 models write 10,000 lines,
        and the log grow by as many per run. Its document is left as it is: the file
        was not read, and nothing was asked of the document's public address (marking
        each one checked rewrote a row per file, the rows that hold the bodies)."""
        self._unchanged_copies[source] += 1
        if self._every:
            self._tick(0.1)
        else:
            self._flush()  # outside a batch: at once (execute commits what it opens)

    def save_models(self, rows: list[dict], new_only: bool = False) -> None:
        """Insert or update ``models`` rows (aliases stored as JSON); rows stored as they
        are already are not written again, and with ``new_only`` none that exists."""
        if new_only:  # (every fetch: only the ids are read, and only new rows prepared)
            have = {model_id for (model_id,) in self.db.execute("select id from models")}
            rows = [row for row in rows if row["id"] not in have]
        rows = [
            {
                **row,
                "aliases": json.dumps(row.get("aliases") or [], ensure_ascii=False),
                **({"repos": json.dumps(row["repos"])} if row.get("repos") else {}),
            }
            for row in rows
        ]
        changed = rows
        if not new_only:
            stored = {r["id"]: r for r in self.db.query("select * from models")}
            changed = [
                row
                for row in rows
                if row["id"] not in stored
                or any(stored[row["id"]].get(k) != v for k, v in row.items())
            ]
        if changed:
            self.db["models"].upsert_all(changed, pk="id")

    def save_sources(self, config) -> None:
        """Write the ``sources`` rows: the primary sources, and every table with its spec
        and lineage (extract reads the specs from here, never from the sources file)."""
        from kbuild.tables.spec import witness
        from kbuild.trust import PRIMARY_SOURCES

        now = utc_now()
        rows = [
            {
                "name": name,
                "kind": kind,
                "primary_source": 1,
                "derived_from": "[]",
                "witness": name,
                "adds_models": 0,
                "description": description,
                "updated_at": now,
            }
            for name, kind, description in zip(
                PRIMARY_SOURCES,
                ("paper metadata", "official docs", "paper", "official repository", "model card"),
                (
                    "arXiv records: the paper's own metadata and abstract",
                    "Hugging Face transformers model-doc pages",
                    "The papers' PDFs",
                    "Official model repositories: README, model card, licence files, "
                    "the commits that first added them",
                    "The Hugging Face Hub's model information: card data, safetensors "
                    "counts, the repository's creation date",
                ),
                strict=True,
            )
        ]
        for spec in config.tables.values():
            rows.append(
                {
                    "name": spec.name,
                    "kind": "table",
                    "primary_source": 0,
                    "format": spec.format,
                    # Never a path of this machine: the database is published.
                    "location": spec.public_location or spec.homepage,
                    "homepage": spec.homepage,
                    "licence": spec.licence,
                    "description": spec.description,
                    "derived_from": json.dumps(spec.derived_from),
                    "witness": witness(spec.name, config.tables),
                    "adds_models": int(spec.adds_models),
                    "spec": json.dumps(spec.as_json(), sort_keys=True),
                    "updated_at": now,
                }
            )
        self.db["sources"].upsert_all(rows, pk="name")
        self.db["scope"].upsert({"name": "since", "value": str(config.since)}, pk="name")

    def save_paper(self, row: dict) -> None:
        """Insert or update a ``papers`` row (authors, categories as JSON)."""
        row = dict(row)
        for key in ("authors", "categories"):
            row[key] = json.dumps(row.get(key) or [], ensure_ascii=False)
        self.db["papers"].upsert(row, pk="arxiv_id")

    def save_pages(self, document_id: int, texts: list[str]) -> None:
        """Store the text of every page of a PDF document."""
        self.db["pages"].upsert_all(
            [{"document_id": document_id, "page": i, "text": t} for i, t in enumerate(texts, 1)],
            pk=("document_id", "page"),
        )

    def log(
        self,
        source: str,
        outcome: str,
        *,
        model_id: str | None = None,
        location: str | None = None,
        document_id: int | None = None,
        message: str | None = None,
    ) -> None:
        """Add a ``fetch_events`` row for this run (paths of this machine cut to file names:
        the database is published)."""
        event = {
            "run_id": self.run_id,
            "at": utc_now(),
            "source": source,
            "model_id": model_id,
            "location": redact(location),
            "outcome": outcome,
            "document_id": document_id,
            "message": redact(message),
            "items": 1,
        }
        if self._every and self._depth == 0:
            self._events.append(event)  # nothing else of its item to keep it with
        else:
            with self.db.atomic():  # with its item's writes, or committed at once
                insert_rows(self.db, "fetch_events", [event])
        # an unchanged or skipped item wrote its log line at most and is cheap to redo:
        # ten of them weigh one
        self._tick(0.1 if outcome in ("unchanged", "skipped") else 1)
