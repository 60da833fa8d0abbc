"""What `kbuild check` needs from the database, loaded once per run: the models and their
names, what each card shows, the evidence by model and field, which sources are copies
of which, and an index of every table row for finding where a post's card came from."""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict

import sqlite_utils

from kbuild.cards import preference
from kbuild.config import name_key
from kbuild.extract.statements import NameIndex
from kbuild.model_names import (
    NAME_COLUMNS,
    RUN,
    ModelNames,
    close_names,
    model_row,
    refresh_words,
)


def squash(text: str | None) -> str:
    """Text as compared: no markup, one space, lower case."""
    return re.sub(r"\s+", " ", re.sub(r"[*_`\\]", "", text or "")).strip().lower()


def url_key(url: str) -> str:
    """A URL as compared: no scheme, no www, no trailing slash or fragment."""
    url = url.strip().lower().split("#")[0]
    url = re.sub(r"^https?://(?:www\.)?", "", url)
    return url.rstrip("/")


MAX_RUN = 64


def word_starts(text: str) -> set[str]:
    """Every beginning of every run of letters and digits in the text, lower-cased
    ("GPT-NeoX" gives g, gp, gpt, n, ne, neo, neox)."""
    starts: set[str] = set()
    for run in set(RUN.findall(text.lower())):
        # no name runs longer than this: a 100,000-letter word must not cost its square
        run = run[:MAX_RUN]
        starts.update(run[:i] for i in range(1, len(run) + 1))
    return starts


def contains_a_name(model: dict, lowered: str) -> bool:
    """Whether the lower-cased text contains one of the model's names (alias, arXiv id,
    doc slug) as it is written, lower-cased."""
    return any(
        name and name.lower() in lowered
        for name in (model["name"], *model["aliases"], model["arxiv_id"], model["hf_doc_slug"])
    )


def may_be_named(model: dict, starts: set[str]) -> bool:
    """Whether a text with these word beginnings can name the model: a name (alias, arXiv
    id, doc slug) is found as written, where a word begins, so each of its runs of letters
    and digits begins a run of the text ("GPT-Neo" in "GPT-NeoX": gpt, neo)."""
    for name in (model["name"], *model["aliases"], model["arxiv_id"], model["hf_doc_slug"]):
        if not name:
            continue
        for run in RUN.finditer(name.lower()):
            if run.group() not in starts:
                break  # most names stop at their first word
        else:
            return True
    return False


# The models a text can name (``:starts``, every beginning of every word of the text, and
# "" for names without words).
NAMED_MODELS_SQL = """select {columns} from models where id in (
  select model_id from name_words n
  where word in (select value from json_each(:starts))
    and not exists (select 1 from json_each(n.words) w
      where w.value not in (select value from json_each(:starts))))
order by rowid"""

# The tables' facts, not suspect, found by their documents (the facts of papers and docs
# are most of a large knowledge base), with the order they have in `facts`.
TABLE_FACTS_SQL = """select e.*, f.rowid as _order from evidence e
join facts f on f.id = e.id
where e.document_id in (
  select d.id from documents d left join sources s on s.name = d.source
  where not coalesce(s.primary_source, 0))
and e.normalized is not null and not e.primary_source and coalesce(e.suspect, '') = ''"""


def _models_in(db: sqlite_utils.Database, text: str | None) -> list[tuple]:
    """The models one of whose names (alias, doc slug, arXiv id) has every word begin a
    word of the text (a name without words: any), in the order of ``models``; every
    model when there is no text. Found by index (``name_words``: its longest word, then
    the rest), what :func:`may_be_named` accepts; :func:`contains_a_name` decides."""
    columns = ", ".join(NAME_COLUMNS)
    if text is None:
        return db.execute(f"select {columns} from models").fetchall()
    refresh_words(db)
    return db.execute(
        NAMED_MODELS_SQL.format(columns=columns),
        {"starts": json.dumps(["", *sorted(word_starts(text))])},
    ).fetchall()


class AllModels(dict):
    """Every model by id: those indexed for the post, and any other read from the
    database when first asked for (a name in evidence, a table's link)."""

    def __init__(self, db: sqlite_utils.Database):
        super().__init__()
        self.db = db

    def _load(self, model_id) -> dict | None:
        if model_id is None:
            return None
        found = self.db.execute(
            f"select {', '.join(NAME_COLUMNS)} from models where id = ?", [model_id]
        ).fetchone()
        if found is None:
            return None
        row = self[model_id] = model_row(found)
        return row

    def __missing__(self, model_id):
        row = self._load(model_id)
        if row is None:
            raise KeyError(model_id)
        return row

    def __contains__(self, model_id) -> bool:
        return dict.__contains__(self, model_id) or self._load(model_id) is not None

    def get(self, model_id, default=None):
        if dict.__contains__(self, model_id):
            return dict.__getitem__(self, model_id)
        return self._load(model_id) or default


class PerModel:
    """(model id, field) → what the database holds for it, read a model at a time on
    first use (``get`` as on a dict)."""

    def __init__(self, load):
        self._load = load
        self._models: dict[str, dict] = {}

    def get(self, key: tuple[str, str], default=None):
        model_id, field = key
        if model_id not in self._models:
            self._models[model_id] = self._load(model_id)
        return self._models[model_id].get(field, default)


class KnowledgeBase:
    """The knowledge base as `kbuild check` reads it."""

    def __init__(self, db: sqlite_utils.Database, text: str | None = None):
        """``text``: the post, when only the models it can name are to be indexed (of
        thousands of models, a post names a few; indexing every name costs seconds)."""
        self.db = db
        self.models: list[dict] = []
        self.by_id: dict[str, dict] = AllModels(db)
        self.by_key: dict[str, dict] = {}
        self.by_slug: dict[str, dict] = {}
        self.by_arxiv: dict[str, dict] = {}
        starts = word_starts(text) if text is not None else None
        # a name is found as written: a short post is searched for each candidate's
        # names (a long one would make that a pass over the post per model)
        lowered = text.lower() if text is not None and len(text) <= 200_000 else None
        for values in _models_in(db, text):
            row = model_row(values)
            self.by_id[row["id"]] = row
            if lowered is not None and not contains_a_name(row, lowered):
                continue
            if starts is not None and not may_be_named(row, starts):
                continue
            self.models.append(row)
            for name in [row["name"], *row["aliases"]]:
                self.by_key.setdefault(name_key(name), row)
            if row["hf_doc_slug"]:
                self.by_slug.setdefault(row["hf_doc_slug"], row)
            if row["arxiv_id"]:
                self.by_arxiv.setdefault(row["arxiv_id"], row)
        self.names = NameIndex(self.models)
        # the one rule for names, shared with the site's search and canned queries
        self.model_names = ModelNames(self.models)
        # a post names a few of the models: their cards and evidence are read when first
        # asked for, a model at a time (all of it at once is the whole knowledge base)
        self.cards = PerModel(self._cards_of)
        self.evidence = PerModel(self._evidence_of)
        self._table_facts: list[dict] | None = None
        self._link_owners: dict[str, set[str]] | None = None
        self._table_cells: dict[str, list[dict]] | None = None
        self.sources = {r["name"]: r for r in db.query("select * from sources")}
        self._rows: dict | None = None

    def _cards_of(self, model_id: str) -> dict[str, dict]:
        return {
            r["field"]: r
            for r in self.db.query("select * from card_values where model_id = ?", [model_id])
        }

    def _evidence_of(self, model_id: str) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = defaultdict(list)
        for fact in self.db.query(
            "select * from evidence where model_id = ? and normalized is not null", [model_id]
        ):
            found[fact["field"]].append(fact)
        for facts in found.values():
            facts.sort(key=preference)
        return dict(found)

    def table_facts(self) -> list[dict]:
        """Every table's facts (not suspect), read once when first needed: a card's
        origin and a cell pasted from another model are looked for among them. Tables
        have as many rows as they have, however many models have papers."""
        if self._table_facts is None:
            # in the order of `facts`, as the evidence comes (a tie between two pasted
            # cells goes to the later one)
            found = list(self.db.query(TABLE_FACTS_SQL))
            found.sort(key=lambda fact: fact["_order"])
            for fact in found:
                del fact["_order"]
            self._table_facts = found
        return self._table_facts

    @property
    def link_owners(self) -> dict[str, set[str]]:
        """A table's link (as compared) → the models whose rows give it."""
        if self._link_owners is None:
            self._link_owners = defaultdict(set)
            for fact in self.db.query(
                "select model_id, value from evidence where field = 'link' "
                "and normalized is not null and not primary_source"
            ):
                self._link_owners[url_key(fact["value"])].add(fact["model_id"])
        return self._link_owners

    @property
    def table_cells(self) -> dict[str, list[dict]]:
        """Per free-text field, the table cells another model's card may have pasted."""
        if self._table_cells is None:
            self._table_cells = defaultdict(list)
            for fact in self.table_facts():
                if fact["field"] in ("extension", "application", "corpus", "params", "task"):
                    self._table_cells[fact["field"]].append(fact)
        return self._table_cells

    # --- models -------------------------------------------------------------------------

    @functools.cached_property
    def spelled(self):
        """Every indexed name in every spelling ("Llama 2", "Llama-2", "Llama2") as one
        pattern, and each spelling's models: what a post's sentences are searched with."""
        from kbuild.check.mentions import spelled_names

        return spelled_names(self.names.owners)

    def resolve(self, name: str | None) -> dict | None:
        """The model a name stands for: a name or alias, or one with a size or variant
        taken off ("LLaMA-65B"), or the name's leading words ("BERT (2018)")."""
        return self.by_id.get(self.model_names.resolve(name))

    def named_in(self, text: str) -> list[dict]:
        """The models whose names the text contains, in order, each once."""
        found: list[dict] = []
        if self.names.pattern is None:
            return found
        for match in self.names.pattern.finditer(text):
            for model_id in sorted(self.names.owners.get(match.group(0).lower(), ())):
                model = self.by_id[model_id]
                if model not in found:
                    found.append(model)
        return found

    def closest(self, name: str, n: int = 3) -> list[str]:
        """Up to ``n`` known names or aliases closest to ``name`` (among every model's, not
        only those the post names; those that begin like it first, when there are any)."""
        refresh_words(self.db)
        head = name.strip()[:2].lower()
        alike = self._names("and head = :head", head)
        if not alike:
            alike = self._names("", head)
        return close_names(name, alike, n=n, cutoff=0.6)

    def _names(self, where: str, head: str) -> list[str]:
        """Names and aliases of the models, each once, sorted."""
        return sorted(
            {
                row[0]
                for row in self.db.execute(
                    f"select name from name_words where kind in ('name', 'alias') {where}",
                    {"head": head},
                )
            }
        )

    def name_of(self, model_id: str | None) -> str:
        """A model's name."""
        return self.by_id[model_id]["name"] if model_id in self.by_id else str(model_id)

    # --- sources --------------------------------------------------------------------------

    def witness(self, source: str) -> str:
        """The original a source goes back to (copies share one)."""
        row = self.sources.get(source)
        return row["witness"] if row else source

    def copies_of(self, witness: str) -> list[str]:
        """The sources that share a witness: a table and its copies."""
        return sorted(n for n, r in self.sources.items() if r["witness"] == witness)

    def is_primary(self, source: str) -> bool:
        """Whether a source is primary (the paper, its record, the docs)."""
        row = self.sources.get(source)
        return bool(row and row["primary_source"])

    # --- table rows, for finding a card's origin ----------------------------------------

    def rows(self) -> dict:
        """Every table row's facts, and an index from (field, value) to rows."""
        if self._rows is None:
            cells: dict[tuple, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
            index: dict[tuple, set] = defaultdict(set)
            ordered = sorted(
                self.table_facts(), key=lambda f: (f["model_id"], f["field"], preference(f))
            )
            for fact in ordered:
                field = fact["field"]
                row = json.loads(fact["locator"]).get("row")
                if row is None:
                    continue
                key = (fact["source"], fact["document_id"], row, fact["model_id"])
                cells[key][field].append(fact)
                index[(field, "text", squash(fact["value"]))].add(key)
                index[(field, "value", fact["normalized"])].add(key)
            self._rows = {"cells": cells, "index": index}
        return self._rows
