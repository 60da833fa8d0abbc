"""Every name a model goes by, and the one rule that turns a name someone typed into a
model: the rule `kbuild check` identifies cards with, also behind the website's search
and canned queries ("OpenAI GPT", "GPT2", "Mixtral 8x7B" all find their model)."""

from __future__ import annotations

import difflib
import heapq
import json
import re

import sqlite_utils

from kbuild.config import name_key
from kbuild.tables.names import shorter_names

ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")

# A run of letters and digits, as names are searched for in lower-cased text.
RUN = re.compile(r"[0-9a-z]+")

# The columns of ``models`` that name a model.
NAME_COLUMNS = ("id", "name", "aliases", "hf_doc_slug", "arxiv_id")


# the longest name and the most words a name is read for (resolve and closest do work
# bounded by these, whatever a page, a post or an SQL call passes)
MAX_NAME = 200
MAX_WORDS = 12


def model_row(values: tuple) -> dict:
    """The ``NAME_COLUMNS`` of a ``models`` row as a dict, aliases a list."""
    row = dict(zip(NAME_COLUMNS, values, strict=True))
    aliases = row["aliases"]
    row["aliases"] = json.loads(aliases) if aliases and aliases != "[]" else []
    return row


class ModelNames:
    """Names, aliases, HF slugs and arXiv ids → model ids."""

    def __init__(self, models: list[dict], extra: list[tuple[str, str]] = ()):
        """``models`` rows (id, name, aliases as a list, hf_doc_slug, arxiv_id);
        ``extra``: more (name, model id) pairs, e.g. the names table rows use."""
        self.by_key: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.by_arxiv: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self._by_name: dict[str, str] | None = None  # lower-case name → id, for closest()

        def add(name: str, model_id: str, kind: str) -> None:
            key = name_key(name)
            if key and key not in self.by_key:
                self.by_key[key] = model_id
                self.kinds[key] = kind

        for model in models:
            add(model["name"], model["id"], "name")
            self.names[model["id"]] = model["name"]
        # Aliases, slugs and table rows are weaker than names: none takes over a name.
        for model in models:
            for alias in model.get("aliases", []):
                add(alias, model["id"], "alias")
        for model in models:
            add(model["id"], model["id"], "id")
            if model.get("hf_doc_slug"):
                add(model["hf_doc_slug"], model["id"], "hf_doc_slug")
            if model.get("arxiv_id"):
                self.by_arxiv.setdefault(model["arxiv_id"], model["id"])
        for name, model_id in extra:
            add(name, model_id, "table_row")

    @classmethod
    def from_db(cls, db: sqlite_utils.Database, table_rows: bool = False) -> ModelNames:
        """The names in a knowledge base; ``table_rows`` adds the names the tables' rows
        give their models ("Mixtral 8x7B")."""
        models = [
            model_row(values)
            for values in db.execute(f"select {', '.join(NAME_COLUMNS)} from models")
        ]
        extra = []
        if table_rows and db["table_rows"].exists():
            extra = [
                (r["name"], r["model_id"])
                for r in db.query(
                    "select name, model_id from table_rows where model_id is not null "
                    "and name is not null and status in ('matched', 'added') order by source, row"
                )
            ]
        return cls(models, extra)

    def resolve(self, name: str | None) -> str | None:
        """The model id a name stands for: a name or alias, one with a size or variant
        taken off its end ("LLaMA-65B"), its leading words ("BERT (2018)"), or an arXiv
        id or abs URL."""
        if not name or not name.strip():
            return None
        # bounded work whatever is typed (a page or SQL call may pass 400 KB): no name is
        # longer than MAX_NAME characters or has more than MAX_WORDS words
        name = name[:MAX_NAME]
        found = self.by_key.get(name_key(name))
        for shorter, _, _ in shorter_names(name):
            if found is not None:
                break
            found = self.by_key.get(name_key(shorter))
        if found is None:
            words = re.split(r"[\s:(,]+", name.strip(), maxsplit=MAX_WORDS)[:MAX_WORDS]
            for count in range(len(words) - 1, 0, -1):
                found = self.by_key.get(name_key(" ".join(words[:count])))
                if found:
                    break
        if found is None and (match := ARXIV_ID.search(name)):
            found = self.by_arxiv.get(match.group(1))
        return found

    def closest(self, name: str, n: int = 5) -> list[str]:
        """Up to ``n`` model ids whose names are closest to ``name``."""
        if not name or not name.strip():
            return []
        name = name[:MAX_NAME]
        if self._by_name is None:
            self._by_name = {v.lower(): k for k, v in self.names.items()}
        by_name = self._by_name
        typed = name.strip().lower()
        starts = [by_name[n_] for n_ in sorted(by_name) if n_.startswith(typed)]
        close = [by_name[n_] for n_ in difflib.get_close_matches(typed, list(by_name), n, 0.6)]
        return list(dict.fromkeys([*starts, *close]))[:n]

    def rows(self) -> list[dict]:
        """The ``model_names`` rows: every key and the model it finds."""
        rows = [{"key": k, "model_id": v, "kind": self.kinds[k]} for k, v in self.by_key.items()]
        rows += [{"key": k, "model_id": v, "kind": "arxiv_id"} for k, v in self.by_arxiv.items()]
        return rows


def write(db: sqlite_utils.Database) -> int:
    """Replace ``model_names`` and its substring index, in one transaction; return its
    row count."""
    rows = ModelNames.from_db(db, table_rows=True).rows()
    with db.atomic():
        db.execute("delete from model_names")
        db["model_names"].insert_all(rows, pk="key")
        index_keys(db)
    return len(rows)


# Every key's three-letter runs (FTS5's trigram tokenizer): the site's search finds the
# models whose names hold what was typed without reading every name (a like '%q%' over
# a hundred thousand names took 200 ms a search).
KEYS_INDEX = "model_names_fts"


def index_keys(db: sqlite_utils.Database) -> None:
    """(Re)build ``model_names_fts`` from ``model_names`` (inside the caller's
    transaction)."""
    db.execute(
        f"create virtual table if not exists {KEYS_INDEX} "
        "using fts5(key, model_id unindexed, tokenize = 'trigram')"
    )
    db.execute(f"delete from {KEYS_INDEX}")
    db.execute(f"insert into {KEYS_INDEX} (key, model_id) select key, model_id from model_names")


def close_names(word: str, names: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """What ``difflib.get_close_matches`` returns for ``n`` ≥ 1 (the same names, in the
    same order; empty names are left out), without scoring every name: names are taken
    by the bound their length sets on the score, best first; the letters they share
    bound it again; scoring stops when no bound left can beat the ``n``-th best score
    found (a hundred thousand names hold thousands that begin alike)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    size = len(word)
    by_length = sorted(
        ((2.0 * min(size, len(name)) / (size + len(name)), name) for name in names if name),
        key=lambda pair: pair[0],
        reverse=True,
    )
    best: list[tuple[float, str]] = []  # a heap of the n best (score, name)
    for bound, name in by_length:
        floor = best[0][0] if len(best) == n else cutoff
        if bound < floor:
            break
        matcher.set_seq1(name)
        if matcher.quick_ratio() < floor:
            continue
        score = matcher.ratio()
        if score < cutoff:
            continue
        if len(best) < n:
            heapq.heappush(best, (score, name))
        elif (score, name) > best[0]:
            heapq.heapreplace(best, (score, name))
    return [name for _, name in sorted(best, reverse=True)]


def word_rows(model: dict) -> list[dict]:
    """The ``name_words`` rows of a model (aliases as a list): one per name, alias,
    arXiv id and doc slug, with its words (runs of letters and digits, lower-cased)."""
    named = [(model["name"], "name"), *((a, "alias") for a in model["aliases"])]
    named += [(model["arxiv_id"], "arxiv_id"), (model["hf_doc_slug"], "hf_doc_slug")]
    rows = []
    for name, kind in dict.fromkeys((n, k) for n, k in named if n):
        words = list(dict.fromkeys(RUN.findall(name.lower())))
        rows.append(
            {
                "model_id": model["id"],
                "name": name,
                "kind": kind,
                "word": max(words, key=len, default=""),
                "words": json.dumps(words),
                "head": name[:2].lower() if kind in ("name", "alias") else None,
            }
        )
    return rows


def refresh_words(db: sqlite_utils.Database) -> int:
    """Bring ``name_words`` up to date with the models marked as changed (every model
    of a database that had no such table); return how many models were indexed again."""
    stale = [r[0] for r in db.execute("select distinct model_id from name_words_stale")]
    if not stale:
        return 0
    with db.atomic():
        for start in range(0, len(stale), 500):
            ids = stale[start : start + 500]
            marks = ",".join("?" * len(ids))
            db.execute(f"delete from name_words where model_id in ({marks})", ids)
            rows = []
            for values in db.execute(
                f"select {', '.join(NAME_COLUMNS)} from models where id in ({marks})",
                ids,
            ):
                rows += word_rows(model_row(values))
            db.conn.executemany(
                "insert into name_words (model_id, name, kind, word, words, head) "
                "values (:model_id, :name, :kind, :word, :words, :head)",
                rows,
            )
            db.execute(f"delete from name_words_stale where model_id in ({marks})", ids)
    return len(stale)
