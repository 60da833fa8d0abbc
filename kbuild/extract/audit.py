"""Tables that audit themselves: cells a table seems to have pasted from another row or
shifted from another column. Such a fact is *suspect*: it never supports a claim and
never becomes a card value while unflagged evidence exists.

What is looked for, in the facts one table document gave:
- a long cell that repeats another row's cell in a different column (the catalog's
  AlphaFold "task" is ALBERT's extension, reworded);
- a cell that repeats another row's cell in the same column and names that row's model,
  not its own (a description pasted from the neighbour);
- a value of the wrong kind for its column: a date in Application, a licence inside
  Corpus, a size where a date or a lab belongs, a size prefix glued to a number
  ("b12M") — and, when such a cell repeats another row's, that row;
- an implausible value: a link with no address ("See blog post"), more parameters than
  any model published ("170T"), the model's own name as its lab ("ChatGLM"), a date well
  after the month of the paper the row links (a later version, not a first publication).
  These never become a card value, even alone;
- a shifted row: when SHIFTED_ROW cells of a row hold another column's kind of value
  (ORKG's Chinchilla: "AdamW" as its size, a shifted link, hardware as its extension),
  every cell of the row is implausible, the right-looking ones too — a row out of step
  says nothing about its model.
Repeated vocabulary ("Closed source", "Open, Apache-2.0") and siblings described alike
(Flan-T5 and Flan-PaLM, each cell naming its own model) are not anomalies.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from kbuild.config import name_key
from kbuild.extract.facts import Fact
from kbuild.fields import FREE_TEXT_FIELDS
from kbuild.normalize.architecture import normalize_architecture
from kbuild.normalize.dates import normalize_date
from kbuild.normalize.lab import orgs_in
from kbuild.normalize.license import normalize_license
from kbuild.normalize.params import garbled
from kbuild.tables.links import ARXIV_LINK
from kbuild.tables.match import after_the_paper
from kbuild.tables.names import split_size

LONG = 30  # characters: shorter cells repeat by nature ("Decoder", "Google")
# Columns whose long text can be pasted; links, labs, licences, dates and sizes repeat by
# nature and are checked for their kind instead.
PROSE_FIELDS = {"extension", "application", "task", "corpus", "family", "architecture"}
SIMILAR = 0.8
SAME_COLUMN_SIMILAR = 0.85
# "MIT" alone in an Organization column is the institute, not the licence
LICENCE_WORDS = re.compile(r"licen[cs]e|apache|creative commons|cc[\s-]by|\bgpl|\bbsd\b|rail", re.I)
SIZE_ONLY = re.compile(r"^\s*(?:[\w ]+=\s*)?\d+(?:\.\d+)?\s?[MBT]\b[\s,\w=.]*$")
DATE_ONLY = re.compile(r"^\s*(?:\d{1,2}/\d{4}|\d{4}-\d{2}(?:-\d{2})?|\d{4}/\d{1,2})\s*$")
# A link cell holds an address; "See blog post", "TPUv3" or a list of sizes is another value.
ADDRESS = re.compile(r"https?://|www\.|\b\d{4}\.\d{4,5}\b|\b[\w-]+\.(?:com|org|ai|io|net)\b", re.I)
# The largest models published are a few trillion parameters (Llama 4 Behemoth and Step-2
# 2T, Wu Dao 2.0 1.75T, Switch-C 1.6T): a cell beyond this is a rumour or a slip ("170T"
# for GPT-4), never a size.
MAX_PARAMS = 5_000_000_000_000
IMPLAUSIBLE = "implausible"
SHIFTED_ROW = 2
HARDWARE = re.compile(r"\b(?:TPU|GPU|A100|V100|H100)", re.I)
OPTIMISER = re.compile(r"^\s*(?:AdamW?|Adafactor|SGD|LAMB)\b")
SIZES = re.compile(r"\d+(?:\.\d+)?\s?[MBT]\b")


@dataclass
class Anomaly:
    """Why a fact is suspect, and the row it seems to come from."""

    fact_id: str
    document_id: int
    row: int
    column: str
    kind: str  # shifted, repeated, garbled, implausible
    reason: str
    like_row: int | None = None
    like_model_id: str | None = None

    def as_row(self) -> dict:
        """The ``anomalies`` row."""
        return dict(self.__dict__)


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[*_`\\\"]", "", text or "").lower().split())


def _similar(a: str, b: str) -> float:
    if min(len(a), len(b)) < SIMILAR / (2 - SIMILAR) * max(len(a), len(b)):
        return 0.0  # lengths too far apart for the ratio to reach SIMILAR
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _wrong_kind(fact: Fact, own_name: str = "") -> str | None:
    """What is wrong with a value for its column, if anything (``own_name``: the name
    the row gives its model)."""
    text = fact.quote.strip()
    column = fact.locator.get("column")
    if fact.field == "lab" and own_name and not orgs_in(text):
        # the row's name, or that name without its size ("ChatGLM" for ChatGLM-6B); a
        # company the model is named after ("LightOn" for LightOn Mini) is its lab
        if name_key(text) in {name_key(own_name), name_key(split_size(own_name)[0])}:
            return f"{IMPLAUSIBLE}: the model's own name in {column}"
    if fact.field != "date" and fact.field not in ("link",) and DATE_ONLY.match(text):
        if normalize_date(text).value:
            return f"a date in {column}"
    if fact.field in ("corpus", "task", "architecture", "family", "application", "lab"):
        licence = normalize_license(text).value
        if licence and licence != "proprietary" and LICENCE_WORDS.search(text):
            return f"a licence ({licence}) in {column}"
    if fact.field in ("date", "lab", "license") and SIZE_ONLY.match(text):
        return f"a parameter count in {column}"
    if fact.field == "params" and garbled(text) and re.search(r"(?:^|\s)[a-z]+\d", text):
        return f"a size prefix glued to a number in {column}"
    if fact.field == "link" and text and not ADDRESS.search(text):
        return f"{IMPLAUSIBLE}: no address in {column}"
    if fact.field == "params" and any(
        isinstance(v, int | float) and v > MAX_PARAMS for v in fact.normalized.value or []
    ):
        return f"{IMPLAUSIBLE}: more parameters than any model published, in {column}"
    return None


def _after_the_paper(facts: list[Fact]) -> list[tuple[Fact, str]]:
    """The row's dates that fall well after the month of the paper its link gives (an
    arXiv id is the month of version 1): a later version or venue, not the model's first
    publication (Epoch dates KEPLER, arXiv 1911.06136, to its 2020 journal version)."""
    paper = None
    for fact in facts:
        if fact.field == "link" and (found := ARXIV_LINK.search(fact.quote)):
            paper = found.group(1)
            break
    if paper is None or not re.match(r"\d{4}\.", paper):
        return []
    year, month = int(paper[:2]) + 2000, int(paper[2:4])
    found = []
    for fact in facts:
        value = fact.normalized.value if fact.field == "date" else None
        if not isinstance(value, str) or len(value) < 7:
            continue
        try:
            day = int(value[8:10]) if len(value) >= 10 else 1
            when = date(int(value[:4]), int(value[5:7]), day)
        except ValueError:
            continue
        if after_the_paper(when, paper):
            found.append((fact, (
                f"{IMPLAUSIBLE}: dated {value}, after the month of its paper (arXiv "
                f"{paper}, {year}-{month:02d}): a later version, not its first publication"
            )))  # fmt: skip
    return found


def _shift_sign(anomaly: Anomaly) -> bool:
    """Whether a flag says a cell holds another column's value: shifted, garbled, or a
    link with no address."""
    return anomaly.kind in ("shifted", "garbled") or "no address" in anomaly.reason


def _foreign(fact: Fact) -> str | None:
    """What another column's kind of value a cell holds, if it plainly does: an
    architecture as a task or size ("Decoder"), sizes as a link, hardware as an extension
    ("TPUv4, TPUv3"), an optimiser as a size ("AdamW"), a bare number as a licence, a
    sentence that names no architecture or licence as one."""
    text, column = fact.quote.strip(), fact.locator.get("column")
    if fact.field != "architecture" and len(text) <= 40:
        if normalize_architecture(text).value and not re.search(r"[a-z]{4,}\s+[a-z]{4,}", text):
            return f"an architecture in {column}"
    if fact.field in ("link", "license", "date", "lab", "task", "architecture") and (
        len(SIZES.findall(text)) >= 2 and len(text) <= 60
    ):
        return f"sizes in {column}"
    if fact.field in PROSE_FIELDS | {"link", "license"} and HARDWARE.search(text):
        if len(text) <= 40:
            return f"hardware in {column}"
    if fact.field == "params" and OPTIMISER.match(text):
        return f"an optimiser in {column}"
    if fact.field == "license" and re.fullmatch(r"\d+", text):
        return f"a number in {column}"
    # a sentence where a word or two belongs: another column's text
    if fact.field in ("architecture", "license") and fact.normalized.value is None:
        if len(text) > 30 and not LICENCE_WORDS.search(text) and not ADDRESS.search(text):
            if not re.search(r"(?i)encoder|decoder", text):
                return f"prose in {column}"
    return None


def audit(facts: list[Fact], names: dict[int, tuple[str, str]]) -> list[Anomaly]:
    """The suspect facts among one table document's ``facts``; ``names`` gives each row's
    (model id, name as the row writes it)."""
    cells = [f for f in facts if "row" in f.locator and "item" not in f.locator]
    by_row: dict[int, list[Fact]] = defaultdict(list)
    for fact in cells:
        by_row[fact.locator["row"]].append(fact)
    long_cells = sorted(
        (
            (f, _squash(f.quote))
            for f in cells
            if f.field in PROSE_FIELDS and "via" not in f.locator and len(_squash(f.quote)) >= LONG
        ),
        key=lambda pair: len(pair[1]),
    )
    found: dict[str, Anomaly] = {}

    def flag(fact: Fact, kind: str, reason: str, like: Fact | None = None) -> None:
        if fact.id in found:
            return
        like_row = like.locator["row"] if like else None
        found[fact.id] = Anomaly(
            fact.id,
            fact.document_id,
            fact.locator["row"],
            fact.locator.get("column"),
            kind,
            reason,
            like_row,
            like.model_id if like else None,
        )

    for index, (fact, text) in enumerate(long_cells):
        for other, other_text in long_cells[index + 1 :]:
            if len(text) < SIMILAR / (2 - SIMILAR) * len(other_text):
                break  # sorted by length: every later cell is longer still
            if other.locator["row"] == fact.locator["row"] or other.model_id == fact.model_id:
                continue
            same_column = fact.locator["column"] == other.locator["column"]
            score = _similar(text, other_text)
            if score < (SAME_COLUMN_SIMILAR if same_column else SIMILAR):
                continue
            if not same_column:
                # the copy is the one whose column it does not fit
                for copy, source in ((fact, other), (other, fact)):
                    if copy.field not in FREE_TEXT_FIELDS and copy.normalized.value is None:
                        flag(copy, "shifted", f"it {_repeats(source, names)}", source)
                continue
            for copy, source in ((fact, other), (other, fact)):
                own = names.get(copy.locator["row"], ("", ""))[1]
                theirs = names.get(source.locator["row"], ("", ""))[1]
                if _names(copy.quote, theirs) and not _names(copy.quote, own):
                    flag(copy, "repeated", f"it {_repeats(source, names)}", source)
    for fact in cells:
        problem = _wrong_kind(fact, names.get(fact.locator["row"], ("", ""))[1])
        if problem is None:
            continue
        like = _closest_elsewhere(fact, by_row)
        reason = problem + (f"; it {_repeats(like, names)}" if like else "")
        kind = "garbled" if "glued" in problem else "shifted"
        flag(fact, IMPLAUSIBLE if problem.startswith(IMPLAUSIBLE) else kind, reason, like)
    for facts in by_row.values():
        for fact, reason in _after_the_paper(facts):
            flag(fact, IMPLAUSIBLE, reason)
    for facts in by_row.values():
        # (a flag that says nothing of a shift — a late date, a lab naming the model —
        # is no sign that the row is out of step)
        flagged = [(f, found.get(f.id)) for f in facts]  # (an id is a hash: made once)
        odd = [(f, a.reason) for f, a in flagged if a is not None and _shift_sign(a)]
        odd += [(f, why) for f, a in flagged if a is None and (why := _foreign(f))]
        if len(odd) < SHIFTED_ROW:
            continue
        shown = "; ".join(f"{why} ({f.quote.strip()[:24]!r})" for f, why in odd[:3])
        reason = (
            f"{IMPLAUSIBLE}: its row looks shifted — {len(odd)} of its {len(facts)} cells "
            f"hold another column's kind of value: {shown}"
        )
        for fact in facts:
            found.pop(fact.id, None)
            flag(fact, IMPLAUSIBLE, reason)
    return list(found.values())


def _names(text: str, name: str) -> bool:
    return (
        bool(name)
        and re.search(r"(?<![A-Za-z0-9])" + re.escape(name) + r"(?![A-Za-z0-9])", text, re.I)
        is not None
    )


def _repeats(source: Fact, names: dict[int, tuple[str, str]]) -> str:
    row = source.locator["row"]
    name = names.get(row, (None, "?"))[1]
    return f"repeats {name}'s {source.locator.get('column')} (row {row})"


def _closest_elsewhere(fact: Fact, by_row: dict[int, list[Fact]]) -> Fact | None:
    """Another row's cell in the same column that this one nearly repeats."""
    text = _squash(fact.quote)
    best, best_score = None, SIMILAR
    for row, facts in by_row.items():
        if row == fact.locator["row"]:
            continue
        for other in facts:
            if (
                other.locator.get("column") != fact.locator.get("column")
                or other.model_id == fact.model_id
            ):
                continue
            score = _similar(text, _squash(other.quote))
            if score >= best_score:
                best, best_score = other, score
    return best
