"""Match every table row to a tracked model, or add a model for it.

A row belongs to a model when its name is one of the model's names or aliases (case,
spaces and punctuation ignored), when its name is a size of the model ("LLaMA-65B",
"GPT-2 (1.5B)", "BERT-Large"), or when its link gives the model's arXiv id or HF doc page
and the names agree. A row that a name and a paper pull towards different models, or
whose paper is another model's under a different name, is *ambiguous*: it is listed,
never guessed. A table with ``adds_models`` adds a model for each row nothing matches.
Tables are matched in the order the sources file declares them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from kbuild.config import name_key, slugify
from kbuild.normalize.dates import normalize_date
from kbuild.tables.formats import Row, Table
from kbuild.tables.links import ARXIV_LINK, link_ids
from kbuild.tables.names import added_name, shorter_names, split_size
from kbuild.tables.spec import TableSpec, resolve_columns

STATUSES = ("matched", "added", "ambiguous", "unmatched", "filtered")
# A size-named row dated further than this from the first release of the model it names
# is a release of its own ("GLM-130B", 2022-08, beside GLM, 2022-03; Qwen-72B, 119 days
# after Qwen-7B); two tables date one release up to three months apart (ecosystem-graphs
# and Epoch put Falcon-40B 91 days apart), which is why it is not shorter.
RELEASE_WINDOW_DAYS = 100
# days after the end of the month of a row's arXiv paper a date may still be (a release
# may follow its preprint by weeks)
LATE_DAYS = 45


@dataclass
class Assignment:
    """What became of one table row (a row of the ``table_rows`` table)."""

    source: str
    document_id: int
    row: int
    name: str
    base_name: str
    size: str | None
    status: str
    model_id: str | None = None
    matched_by: str | None = None
    arxiv_id: str | None = None
    candidates: list[str] = field(default_factory=list)
    note: str | None = None
    released: date | None = None  # the row's date, when it gives one to the day or month

    def as_row(self) -> dict:
        """The ``table_rows`` row."""
        return {
            "source": self.source,
            "document_id": self.document_id,
            "row": self.row,
            "name": self.name,
            "base_name": self.base_name,
            "size": self.size,
            "status": self.status,
            "model_id": self.model_id,
            "matched_by": self.matched_by,
            "arxiv_id": self.arxiv_id,
            "candidates": self.candidates or None,
            "note": self.note,
        }


@dataclass
class PageMatch:
    """What became of one page of the model-doc index (see :meth:`Matcher.match_page`)."""

    slug: str
    name: str
    status: str  # matched, added, ambiguous or unmatched
    model_id: str | None = None
    matched_by: str | None = None  # hf_doc (its slug), name, arxiv or added
    note: str | None = None


def kept(spec: TableSpec, row: Row) -> bool:
    """Whether the row passes the table's filter: each filter column holds one of the
    wanted values as one of its comma-separated items (case ignored)."""
    for column, wanted in spec.filter.items():
        cell = row.cells.get(column)
        items = cell.items if cell and cell.items else (cell.text.split(",") if cell else [])
        have = {i.strip().lower() for i in items}
        if not have & {w.strip().lower() for w in wanted}:
            return False
    return True


def row_links(row: Row, link_columns: list[str]) -> tuple[str | None, str | None]:
    """(arXiv id, HF doc slug) from the row's link columns (the first of each)."""
    arxiv_id = slug = None
    for column in link_columns:
        cell = row.cells.get(column)
        if cell is None:
            continue
        for text in [*cell.links, cell.text]:
            found_slug, _ = link_ids(text)
            found_arxiv = ARXIV_LINK.search(text)
            slug = slug or found_slug
            arxiv_id = arxiv_id or (found_arxiv.group(1) if found_arxiv else None)
    return arxiv_id, slug


def row_date(row: Row, columns: dict, arxiv_id: str | None = None) -> date | None:
    """The day the row's date column gives (a month's middle for a month), or None for
    no date, only a year (too coarse to tell two releases apart), or a date well after
    the month of the paper the row links (a later version: the table audit flags it)."""
    for column, column_spec in columns.items():
        if column_spec.field != "date":
            continue
        found = normalize_date(row.text(column)).value
        if found and len(found) >= 7:
            year, month, *day = (int(part) for part in found.split("-"))
            try:
                found = date(year, month, day[0] if day else 15)
            except ValueError:
                return None
            return None if arxiv_id and after_the_paper(found, arxiv_id) else found
    return None


def after_the_paper(when: date, arxiv_id: str) -> bool:
    """Whether a date falls more than LATE_DAYS after the month of an arXiv paper (a new
    id's YYMM is the month of its version 1): a later version or venue."""
    if not re.match(r"\d{4}\.", arxiv_id):
        return False
    year, month = 2000 + int(arxiv_id[:2]), int(arxiv_id[2:4])
    if not 1 <= month <= 12:
        return False
    end = date(year + month // 12, month % 12 + 1, 1)  # the day after the paper's month
    return (when - end).days > LATE_DAYS


def spelled_out(name: str) -> str | None:
    """The parenthesis of a name when it spells out the initials the name is, or is the
    initials of the name: 'MT-NLG (Megatron TuringNLG)' → 'Megatron TuringNLG',
    'Computer-Using Agent (CUA)' → 'CUA'; 'GPT-3 175B (davinci)' → None."""
    match = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", name)
    if not match:
        return None
    outside, inside = match.groups()

    def capitals(text: str) -> str:
        return "".join(re.findall(r"[A-Z]", text)).lower()

    if len(name_key(inside)) < 2 or len(name_key(outside)) < 2:
        return None
    if capitals(inside) == name_key(outside) or capitals(outside) == name_key(inside):
        return inside.strip()
    return None


def _misspelt(a: str, b: str) -> bool:
    """Whether two names are one word apart and those words, of five letters or more,
    one letter apart ("Galatica" and "Galactica"; not "Gemini Nano-1" and "Nano-2", nor
    "Flan-U-PaLM" and "Flan-PaLM")."""
    words_a, words_b = re.split(r"[\s_-]+", a.lower()), re.split(r"[\s_-]+", b.lower())
    if len(words_a) != len(words_b):
        return False
    differ = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    if len(differ) != 1:
        return False
    x, y = differ[0]
    if min(len(x), len(y)) < 5 or not (x + y).isalpha() or abs(len(x) - len(y)) > 1:
        return False
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y, strict=True)) == 1
    short, long = sorted((x, y), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def link_columns(spec: TableSpec, columns: dict) -> list[str]:
    """The columns a table's links are read from: those mapped to `link`, then any the
    table names in ``link_columns``."""
    return [c for c, s in columns.items() if s.field == "link"] + [
        c for c in spec.link_columns if c not in columns
    ]


def _compatible(name: str, model: dict) -> bool:
    """Whether a row's name fits a model it shares a paper with ("Llama 3.1" and
    "Llama 3", "RoBERTa Large" and "RoBERTa", "Megatron-Turing NLG" and "MT-NLG (Megatron
    TuringNLG)"): one name starts with the other, or contains it when that is at least five
    characters long, case and punctuation ignored. "Flan-PaLM" and "Flan-T5", "mT0" and
    "T0" do not fit. A misspelling fits (:func:`_misspelt`)."""
    key = name_key(name)
    for other in [model["name"], *model["aliases"]]:
        other_key = name_key(other)
        short, long = sorted((key, other_key), key=len)
        if len(short) < 2:
            continue
        if long.startswith(short) or (len(short) >= 5 and short in long):
            return True
        if _misspelt(name, other):
            return True  # a misspelling of the name of the model whose paper it is ("Galatica")
    return False


def _page_fits(names: list[str], model: dict) -> bool:
    """Whether a model whose paper a doc page links is what the page's title names: one
    size of it (the page "GPT-NeoX" and the model "GPT-NeoX-20B", "Mistral" and "Mistral
    7B") or its initials ("RAG", "Retrieval-Augmented Generator"). Looser fits are not
    enough for a page even with a shared paper: "DeBERTa-v2" is not DeBERTa, "Qwen2MoE"
    not Qwen2, "XLM-RoBERTa-XL" not XLM-RoBERTa (:func:`_compatible` would take each)."""
    keys = {name_key(n) for n in names}
    for name in [model["name"], *model["aliases"]]:
        if any(name_key(shorter) in keys for shorter, _, _ in shorter_names(name)):
            return True
        words = re.findall(r"[A-Za-z]+", name)
        if len(words) >= 2 and "".join(w[0] for w in words).lower() in keys:
            return True
    return False


# titles of pages about a way of combining models ("Encoder Decoder Models"), not a model
_NOT_A_MODEL = re.compile(r"\bmodels$", re.I)


class Matcher:
    """The tracked models with indexes by name, arXiv id and doc slug, growing as tables
    add models."""

    def __init__(self, models: list[dict]):
        self.models: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.by_key: dict[str, dict] = {}
        self.by_arxiv: dict[str, dict] = {}
        self.by_slug: dict[str, dict] = {}
        # name key → the first day a row under that name, or a size of it, gives: a
        # size-named row far from it is another release (see RELEASE_WINDOW_DAYS)
        self.first: dict[str, date] = {}
        self.papers: dict[str, set[str]] = {}  # name key → the arXiv ids its rows cite
        for model in models:
            self._add(dict(model, aliases=list(model.get("aliases") or [])))

    def note_release(self, name: str, when: date | None, arxiv_id: str | None = None) -> None:
        """A row's date, under its name and under each shorter name that is a size of it
        off ("Falcon-40B" dates "Falcon" too). Read for every row before any is matched,
        so neither the order of the tables nor of their rows decides which release a size
        belongs to: a model is its first release ("Falcon" the 40B of spring 2023, not the
        180B of September), whether a table added it or the sources file lists it."""
        keys = {name_key(name)}
        keys |= {name_key(shorter) for shorter, _, variant in shorter_names(name) if not variant}
        for key in keys:
            if arxiv_id:
                self.papers.setdefault(key, set()).add(arxiv_id)
            if when is not None and (key not in self.first or when < self.first[key]):
                self.first[key] = when

    def _first_release(self, names: list[str]) -> date | None:
        """The first date any row gives under one of ``names`` or a size of it."""
        found = [self.first[key] for key in map(name_key, names) if key in self.first]
        return min(found) if found else None

    def _other_release(self, model: dict, assignment: Assignment) -> str | None:
        """Why a row named as a size or version of ``model`` is a release of its own
        (None when it is one of the model's sizes): its date is more than
        RELEASE_WINDOW_DAYS from the first release of the model's name."""
        return self._far(assignment, [model["name"], *model["aliases"]], model["name"])

    def _far(self, assignment: Assignment, names: list[str], family: str) -> str | None:
        when, first = assignment.released, self._first_release(names)
        if when is None or first is None:
            return None
        cited = {p for key in map(name_key, names) for p in self.papers.get(key, ())}
        if assignment.arxiv_id and len(cited) == 1 and assignment.arxiv_id in cited:
            return None  # the one paper every row of the name cites: one release
        days = abs((when - first).days)
        if days <= RELEASE_WINDOW_DAYS:
            return None
        return (
            f"its own release: dated {when.isoformat()}, {days} days from "
            f"{family} ({first.isoformat()}); family {family}"
        )

    def _add(self, model: dict) -> None:
        self.models.append(model)
        self.by_id[model["id"]] = model
        for name in [model["name"], *model["aliases"]]:
            self.by_key.setdefault(name_key(name), model)
        if model.get("arxiv_id"):
            self.by_arxiv.setdefault(model["arxiv_id"], model)
        if model.get("hf_doc_slug"):
            self.by_slug.setdefault(model["hf_doc_slug"], model)

    def _claim_ids(self, model: dict, arxiv_id: str | None, slug: str | None) -> None:
        """Give a model the row's paper and doc page where it has none and no other model
        holds them (one model per arXiv id and per doc page)."""
        if arxiv_id and not model.get("arxiv_id") and arxiv_id not in self.by_arxiv:
            model["arxiv_id"] = arxiv_id
            self.by_arxiv[arxiv_id] = model
        if slug and not model.get("hf_doc_slug") and slug not in self.by_slug:
            model["hf_doc_slug"] = slug
            self.by_slug[slug] = model

    def match_row(self, spec: TableSpec, assignment: Assignment, slug: str | None) -> None:
        """Fill in the assignment's status and model (adding a model when the table may).

        A name beats a paper: papers are shared (BLOOMZ and mT0 have one), names are
        not. But a row whose name is one model's while its link is another paper is
        ambiguous: two models with one name (the two ERNIEs), or a mislabelled row."""
        name, base, arxiv_id = assignment.name, assignment.base_name, assignment.arxiv_id
        by_name, how = self.by_key.get(name_key(name)), "name"
        sized_by_word = False
        for shorter, size, variant in shorter_names(name):
            if by_name is not None:
                break
            found = self.by_key.get(name_key(shorter))
            # "BERT-Large" linking BERT's paper is BERT; "Yi-Large" with no paper is not Yi
            if found is not None and (
                not variant or (arxiv_id and arxiv_id == found.get("arxiv_id"))
            ):
                by_name, how = found, "size-name"
                assignment.base_name, assignment.size = shorter, size
                sized_by_word = variant
        by_paper = self.by_arxiv.get(arxiv_id) if arxiv_id else None
        by_page = self.by_slug.get(slug) if slug else None
        same_paper = bool(arxiv_id) and arxiv_id == by_name.get("arxiv_id") if by_name else False
        if by_name is not None and how == "size-name" and not sized_by_word and not same_paper:
            # a size word ("BERT-Large", "ALBERT-xxlarge") or the model's own paper
            # (HyperCLOVA 82B and 204B, one paper) is a size of the release; else a date
            # far from its first release makes the row a release of its own
            why = self._other_release(by_name, assignment)
            if why is not None:
                assignment.base_name, assignment.size = name, None
                assignment.note = why
                if spec.adds_models:
                    self._add_model(spec, assignment, arxiv_id, slug, family=by_name["name"])
                else:
                    assignment.status = "unmatched"
                return
        if by_name is not None:
            paper = by_name.get("arxiv_id")
            if arxiv_id and paper and arxiv_id != paper:
                others = [by_paper["id"]] if by_paper and by_paper is not by_name else []
                assignment.status, assignment.candidates = "ambiguous", [by_name["id"], *others]
                assignment.note = (
                    f"the name is {by_name['name']}'s, but the row links arXiv {arxiv_id}"
                    + (f" ({by_paper['name']}'s paper)" if others else "")
                    + f" and {by_name['name']}'s paper is {paper}"
                )
                return
            self._matched(assignment, by_name, how, spec, arxiv_id, slug)
            return
        for model, via in ((by_paper, "arxiv"), (by_page, "hf_doc")):
            if model is not None and _compatible(base, model):
                self._matched(assignment, model, via, spec, arxiv_id, slug)
                return
        shared = by_paper or by_page
        if shared is not None:
            # another name for the same paper: a model of its own (BLOOMZ beside mT0)
            assignment.note = f"shares its paper or doc page with {shared['name']}"
        if not spec.adds_models:
            assignment.status = "unmatched"
            return
        self._add_model(spec, assignment, arxiv_id, slug)

    def match_page(self, page) -> PageMatch:
        """Match one model-doc page (a :class:`kbuild.fetch.hf_doc_index.PageEntry`) to a
        model, or add one (origin ``hf_docs``); run after every table.

        The model that already has the page's slug keeps it (sources.toml or a table's
        link chose it first). Else a model one of the title's names is; a model with
        another paper is *ambiguous*, never guessed. Else the model whose paper the page
        links, when it is a size of what the title names. Else the page is a model of
        its own. A matched model gets the page's slug, and its paper, when it has none."""
        result = PageMatch(page.slug, page.name, "matched")
        names = page.names
        by_name = next((self.by_key[k] for n in names if (k := name_key(n)) in self.by_key), None)
        holder = self.by_slug.get(page.slug)
        if holder is not None:
            result.model_id, result.matched_by = holder["id"], "hf_doc"
            if by_name is not None and by_name is not holder:
                result.note = (
                    f"the title names {by_name['name']}; the page stays {holder['name']}'s"
                )
            else:
                self._claim_ids(holder, page.arxiv_id, None)  # its own page's paper
            return result
        if _NOT_A_MODEL.search(page.name):
            result.status, result.note = "unmatched", "a page about combining models, no model"
            return result
        by_paper = self.by_arxiv.get(page.arxiv_id) if page.arxiv_id else None
        if by_name is not None:
            paper = by_name.get("arxiv_id")
            if page.arxiv_id and paper and paper != page.arxiv_id:
                owner = f" ({by_paper['name']}'s paper)" if by_paper else ""
                result.status, result.note = (
                    "ambiguous",
                    (
                        f"the title is {by_name['name']}'s, but the page links arXiv "
                        f"{page.arxiv_id}{owner} and {by_name['name']}'s paper is {paper}"
                    ),
                )
                return result
            return self._page_of(by_name, page, result, "name")
        if by_paper is not None and _page_fits(names, by_paper):
            return self._page_of(by_paper, page, result, "arxiv")
        model_id = base_id = slugify(page.name)
        number = 1
        while model_id in self.by_id:
            number += 1
            model_id = f"{base_id}-{number}"
        model = {
            "id": model_id,
            "name": page.name,
            "aliases": [a for a in page.aliases if name_key(a) not in self.by_key],
            "arxiv_id": None,
            "hf_doc_slug": None,
            "pdf": None,
            "origin": "hf_docs",
            "catalog_document_id": None,
            "catalog_row": None,
            "family": None,
        }
        self._add(model)
        self._claim_ids(model, page.arxiv_id, page.slug)
        result.status, result.model_id, result.matched_by = "added", model_id, "added"
        if by_paper is not None:
            result.note = f"shares its paper with {by_paper['name']}"
        return result

    def _page_of(self, model: dict, page, result: PageMatch, how: str) -> PageMatch:
        result.model_id, result.matched_by = model["id"], how
        if model.get("hf_doc_slug"):
            result.note = f"{model['name']} already has the page {model['hf_doc_slug']}"
            return result
        for name in page.names:
            # another spelling ("CodeLlama"), or the title's other name ("BLT"), unless
            # another model goes by it
            key = name_key(name)
            new = name != model["name"] and name not in model["aliases"]
            if new and self.by_key.get(key, model) is model:
                model["aliases"].append(name)
                self.by_key[key] = model
        self._claim_ids(model, page.arxiv_id, page.slug)
        return result

    def _matched(self, assignment, model, how, spec, arxiv_id, slug) -> None:
        assignment.status, assignment.model_id, assignment.matched_by = "matched", model["id"], how
        self._spelled_out(model, assignment.name)
        if how == "name" and assignment.name not in [model["name"], *model["aliases"]]:
            model["aliases"].append(assignment.name)  # same key, another spelling
        if how == "name":
            # only a row under the model's own name lends it a paper: "ViT-22B" is a size
            # of ViT by its name, but its paper is another model's
            self._claim_ids(model, arxiv_id, slug)
        self._mark_catalog(spec, model, assignment)

    def _spelled_out(self, model: dict, name: str) -> None:
        alias = spelled_out(name)
        if alias and name_key(alias) not in self.by_key:
            model["aliases"].append(alias)
            self.by_key[name_key(alias)] = model

    def _add_model(self, spec, assignment, arxiv_id, slug, family: str | None = None) -> None:
        name = assignment.base_name = added_name(assignment.name)
        if family is None and name != assignment.name:
            # a size row far from the first release of its name adds a release of its
            # own ("Nemotron-4 340B", June 2024, after Nemotron-4 15B of February)
            why = self._far(assignment, [name], name)
            if why is not None:
                family, assignment.note = name, why
        if family is not None or name_key(name) in self.by_key:
            # "Yi-Large" beside Yi; "GLM-130B", a release of its own beside GLM
            name = assignment.base_name = re.sub(
                r"\s*\((\d[^()]*)\)\s*$", r" \1", assignment.name
            ).strip()
        model_id = base_id = slugify(name)
        number = 1
        while model_id in self.by_id:
            number += 1
            model_id = f"{base_id}-{number}"
        aliases = []
        if assignment.name != name and name_key(assignment.name) not in self.by_key:
            aliases.append(assignment.name)
        model = {
            "id": model_id,
            "name": name,
            "aliases": aliases,
            "arxiv_id": None,
            "hf_doc_slug": None,
            "pdf": None,
            "origin": spec.name,
            "catalog_document_id": None,
            "catalog_row": None,
            "family": family,
        }
        self._add(model)
        self._spelled_out(model, assignment.name)
        self._claim_ids(model, arxiv_id, slug)
        self._mark_catalog(spec, model, assignment)
        assignment.status, assignment.model_id, assignment.matched_by = "added", model_id, "added"

    @staticmethod
    def _mark_catalog(spec: TableSpec, model: dict, assignment: Assignment) -> None:
        # models keep their catalog row (the sheet is where the cards come from)
        if spec.name == "catalog" and model.get("catalog_row") is None:
            model["catalog_document_id"] = assignment.document_id
            model["catalog_row"] = assignment.row


def match_tables(
    models: list[dict], tables: list[tuple[TableSpec, list[tuple[int, Table]]]]
) -> tuple[list[dict], list[Assignment]]:
    """Match the rows of every table (in order) to ``models``; returns the models (with
    those the tables added) and one assignment per row."""
    found, assignments, _ = match_sources(models, tables, [])
    return found, assignments


def match_sources(
    models: list[dict], tables: list[tuple[TableSpec, list[tuple[int, Table]]]], pages: list
) -> tuple[list[dict], list[Assignment], list[PageMatch]]:
    """:func:`match_tables`, then the model-doc index's ``pages``
    (:class:`kbuild.fetch.hf_doc_index.PageEntry`): a page adds a model only where no
    table's does. Returns the models, one assignment per row and one match per page."""
    matcher = Matcher([{**m, "catalog_document_id": None, "catalog_row": None} for m in models])
    assignments: list[Assignment] = []
    work = []
    for spec, documents in tables:
        for document_id, table in documents:
            name_column, columns = resolve_columns(spec, table.columns)
            links = link_columns(spec, columns)
            for row in table.rows:
                name = " ".join(row.text(name_column).split())
                if not name:
                    continue
                base, size = split_size(name)
                arxiv_id, slug = row_links(row, links)
                assignment = Assignment(
                    spec.name, document_id, row.number, name, base, size, "filtered",
                    arxiv_id=arxiv_id, released=row_date(row, columns, arxiv_id),
                )  # fmt: skip
                assignments.append(assignment)
                if kept(spec, row):
                    work.append((spec, assignment, slug))
                    matcher.note_release(name, assignment.released, arxiv_id)
    for spec, assignment, slug in work:
        matcher.match_row(spec, assignment, slug)
    pages = [matcher.match_page(page) for page in pages]
    for spec, assignment, slug in work:
        if assignment.status == "unmatched" and assignment.note is None:
            # a row no table's model had may be a model a doc page added ("Code LLaMA")
            matcher.match_row(replace(spec, adds_models=False), assignment, slug)
            continue
        exact = matcher.by_key.get(name_key(assignment.name))
        unplaced = assignment.status == "unmatched" or assignment.matched_by == "size-name"
        if exact is not None and unplaced and exact["id"] != assignment.model_id:
            # a release of its own that a later table added under this very name
            # ("GLM-130B"): the row is that model's, not a size of another or of none
            assignment.status, assignment.model_id, assignment.matched_by = (
                "matched", exact["id"], "name",
            )  # fmt: skip
            assignment.base_name, assignment.size = assignment.name, None
    return matcher.models, assignments, pages
