"""Find the card blocks in a post (markdown or plain text) and read their claims.

A card block is a run of ``Key: value`` lines whose keys are card fields ("Family",
"Num. Params", "Date (of first known publication)", ...), fenced with triple quotes or
backticks or not fenced, plain or as bullets (``- **Family:** BERT``), indented or not.
The model is the ``Name``/``Model`` key of the block, else the nearest heading above it.
Anything else — prose, quotes, code, tables — is passed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kbuild.catalog import field_for_header

KEY_LINE = re.compile(
    r"^\s*(?:(?:[-*+]|\d+\.)\s+|>\s*)*"  # bullet or quote marks
    r"[*_]{0,3}\s*(?P<key>[A-Za-z][A-Za-z0-9 .()/&-]{0,60}?)\s*[*_]{0,3}\s*:\s*[*_]{0,3}"
    r"(?P<value>.*?)\s*$"
)
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
FENCE = re.compile(r'^\s*(?:```|~~~|""")')
NAME_KEYS = {"name"}
# The keys a card uses, normalized (letters and digits only); prose that merely starts
# with a field word ("Family matters: ...") is not a key.
CARD_KEYS = {
    "name",
    "model",
    "modelname",
    "link",
    "url",
    "family",
    "pretrainingarchitecture",
    "architecture",
    "pretrainingtask",
    "pretrainingorfinetuningtask",
    "finetuningtask",
    "finetuningtasks",
    "task",
    "tasks",
    "extension",
    "application",
    "applications",
    "date",
    "dateoffirstknownpublication",
    "dateoffirstpublication",
    "publicationdate",
    "numparams",
    "numberofparameters",
    "numparameters",
    "nparams",
    "params",
    "parameters",
    "corpus",
    "trainingcorpus",
    "trainingdata",
    "license",
    "licence",
    "lab",
    "labs",
    "organization",
    "organisation",
}
MIN_FIELDS = 2


@dataclass
class Claim:
    """One field of one card as the post writes it."""

    field: str
    key: str
    text: str
    line: int


@dataclass
class Card:
    """A card block: the model it names (its Name key, else its heading), its claims and
    the headings it sits under (nearest first)."""

    model: str | None
    line: int
    claims: list[Claim] = field(default_factory=list)
    name: str | None = None  # the block's own Name/Model key
    headings: list[str] = field(default_factory=list)


def clean_heading(title: str) -> str:
    """'<a name="bert"></a>[BERT](https://…)' → 'BERT'."""
    title = re.sub(r"<[^>]+>", "", title)
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    title = re.sub(r"[*_`]", "", title)
    return title.strip(" :")


def clean_value(value: str) -> str:
    """Strip the emphasis marks that wrap a value (``*Google*``, ``**BERT**``)."""
    value = value.strip()
    # a markdown footnote reference is the post citing the value, not part of it
    value = re.sub(r"\s*\[\^[^\]\s]+\]", "", value)
    value = re.sub(r"^[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}$", "", value)
    return value.strip()


def _key_field(line: str) -> tuple[str, str, str] | None:
    """(field, key as written, value) when the line is ``Key: value`` for a card key."""
    if "://" in line.split(":", 1)[0]:
        return None
    match = KEY_LINE.match(line)
    if not match:
        return None
    key = match.group("key").strip()
    if re.sub(r"[^a-z0-9]", "", key.lower()) not in CARD_KEYS:
        return None
    field_key = field_for_header(key)
    if field_key == "finetuning_task":
        field_key = "task"
    return field_key, key, clean_value(match.group("value"))


def parse(text: str) -> list[Card]:
    """Every card block in ``text``, in order."""
    cards: list[Card] = []
    heading: str | None = None
    path: list[tuple[int, str]] = []  # (level, title) of the headings above
    current: list[tuple[str, str, str, int]] = []
    start_line = 0
    gap = 0

    def close() -> None:
        nonlocal current
        fields = {f for f, *_ in current if f not in NAME_KEYS}
        if len(fields) >= MIN_FIELDS:
            names = [v for f, _, v, _ in current if f in NAME_KEYS and v]
            enclosing = [title for _, title in reversed(path)]
            if heading and (not enclosing or enclosing[0] != heading):
                enclosing.insert(0, heading)  # a bold line standing in for a heading
            card = Card(
                model=names[0] if names else heading,
                line=start_line,
                name=names[0] if names else None,
                headings=enclosing,
            )
            card.claims = [
                Claim(field=f, key=k, text=v, line=n)
                for f, k, v, n in current
                if f not in NAME_KEYS
            ]
            cards.append(card)
        current = []

    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            close()
            gap = 0
            continue
        heading_match = HEADING.match(line)
        if heading_match:
            close()
            heading = clean_heading(heading_match.group("title"))
            level = len(line.lstrip()) - len(line.lstrip().lstrip("#"))
            path = [(lv, title) for lv, title in path if lv < level] + [(level, heading)]
            continue
        parsed = _key_field(line)
        if parsed:
            if not current:
                start_line = number
            current.append((*parsed, number))
            gap = 0
            continue
        if not line.strip():
            gap += 1
            if gap > 1:
                close()
            continue
        if current and line[:1].isspace() and gap == 0:
            field_key, key, value, n = current[-1]  # an indented continuation line
            current[-1] = (field_key, key, f"{value} {line.strip()}".strip(), n)
            continue
        close()
        gap = 0
        if not line.startswith(("<", "[")):
            # a line of prose can name the model for the card that follows (bold title)
            bold = re.fullmatch(r"\s*\*\*(.+?)\*\*\s*", line)
            if bold:
                heading = clean_heading(bold.group(1))
    close()
    return cards
