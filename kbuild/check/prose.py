"""Claims in a post's prose: every sentence outside card blocks, code and tables that
states a model's size, date, lab, architecture, licence, corpus or objective.

The sentences are cut with the extract side's splitter, model names are found with its
name index, denials with its negation rule, and values with its normalizers (each tells
where in the text it found a value). The subject of a value is, in order: the model
whose name the size is part of ("LLaMA-65B"); the model the value sits beside — a
parenthesis ("OPT (175B parameters)"), a possessive ("ALBERT's 12M"), an apposition
("Gopher, a 280B model"), a name right after the value ("the 175B GPT-3"); the nearest
model named before it in the sentence that is not merely compared with ("than BERT",
"like GPT-3"); a model named after it; the section's model for "it", "the model", "we";
or an unknown model the sentence is about ("GPT-5 has …").

Text a reader never sees — an HTML comment, the front matter — is read too, and its
claims are marked unpublished.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from kbuild.check.knowledge import KnowledgeBase
from kbuild.check.post import HEADING, Card, clean_heading
from kbuild.extract.statements import SUBJECT, TRAINING, negated
from kbuild.extract.text import Region, sentences
from kbuild.normalize.architecture import architectures_at
from kbuild.normalize.corpus import datasets_at
from kbuild.normalize.lab import orgs_at
from kbuild.normalize.license import licenses_at
from kbuild.normalize.params import SIZE_RE
from kbuild.normalize.task import objectives_at

FENCE = re.compile(r'^\s*(```|~~~|""")')
MAX_SENTENCE = 1200  # longer is a flattened table or a wall of text, not a sentence


@dataclass
class ProseClaim:
    """One value a sentence states about a model."""

    field: str
    text: str  # the value as written
    line: int
    span: tuple[int, int]  # columns of the value in its line
    sentence: str
    model: str | None  # the model as the post names it
    model_id: str | None
    how: str  # how the subject was found
    qualifier: str | None = None  # range, up to
    unpublished: str | None = None  # why a reader does not see it


@dataclass
class _Hit:
    field: str
    start: int
    end: int
    qualifier: str | None = None


@dataclass
class _Mention:
    start: int
    end: int
    model: dict | None  # None: a model the knowledge base does not know
    name: str


# --- the parts of a post that are prose ----------------------------------------------------


FOOTNOTE = re.compile(r"^\s{0,3}\[\^[^\]\s]+\]:")


def _segments(text: str, cards: list[Card]) -> list[tuple[int, int, str | None]]:
    """(start, end, unpublished reason) of the post's prose lines (a line is cut where an
    HTML comment starts or ends), outside cards, code, tables and headings; HTML comments
    and front matter are prose a reader does not see."""
    hidden = [
        (m.start(1), m.end(1), "HTML comment") for m in re.finditer(r"<!--(.*?)-->", text, re.S)
    ]
    front = re.match(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", text, re.S)
    if front:
        hidden.append((front.start(1), front.end(1), "front matter"))
    card_lines = set()
    for card in cards:
        last = max([c.line for c in card.claims] + [card.line])
        card_lines.update(range(card.line, last + 1))
    segments = []
    offset, fence, footnote = 0, None, False
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        start, end = offset, offset + len(line.rstrip("\n"))
        offset += len(line)
        # A footnote ("[^3]: ...", and its indented lines) cites a source: its words are
        # the source's, not the post's claims.
        footnote = bool(FOOTNOTE.match(line)) or (footnote and line[:1] in (" ", "\t"))
        if footnote:
            continue
        opened = FENCE.match(line)
        if fence:
            if opened and opened.group(1) == fence:
                fence = None
            continue
        if opened and not front_or_comment(start, hidden):
            fence = opened.group(1)
            continue
        stripped = line.strip()
        if number in card_lines or not stripped or stripped.startswith("|") or HEADING.match(line):
            continue
        segments += _cut(start, end, hidden)
    return segments


def _cut(
    start: int, end: int, hidden: list[tuple[int, int, str]]
) -> list[tuple[int, int, str | None]]:
    """A line's pieces, each hidden from readers or not."""
    cuts = sorted({start, end, *(p for s, e, _ in hidden for p in (s, e) if start < p < end)})
    return [(a, b, front_or_comment(a, hidden)) for a, b in zip(cuts, cuts[1:], strict=False)]


def front_or_comment(position: int, hidden: list[tuple[int, int, str]]) -> str | None:
    """Why a position is hidden from readers, if it is."""
    return next((why for start, end, why in hidden if start <= position < end), None)


def _paragraphs(text: str, segments) -> list[tuple[Region, str | None]]:
    """Consecutive prose lines joined into paragraphs (a list item starts a new one)."""
    paragraphs: list[tuple[Region, str | None]] = []
    for start, end, hidden in segments:
        line = text[start:end]
        bullet = re.match(r"\s*(?:[-*+]|\d+\.)\s", line)
        if paragraphs and not bullet:
            region, why = paragraphs[-1]
            if text[region.end : start].count("\n") == 1 and why == hidden:
                paragraphs[-1] = (Region(region.start, end, text[region.start : end]), why)
                continue
        paragraphs.append((Region(start, end, line), hidden))
    return paragraphs


def _sections(text: str, kb: KnowledgeBase) -> list[tuple[int, dict | None]]:
    """(offset, the model the section is about) at every heading."""
    found: list[tuple[int, dict | None]] = []
    path: list[tuple[int, dict | None]] = []
    for match in re.finditer(r"^[^\n]*$", text, re.M):
        heading = HEADING.match(match.group(0))
        if not heading:
            continue
        level = len(match.group(0).lstrip()) - len(match.group(0).lstrip().lstrip("#"))
        named = kb.named_in(clean_heading(heading.group("title")))
        model = named[0] if len(named) == 1 else None
        path = [(lv, m) for lv, m in path if lv < level] + [(level, model)]
        found.append((match.start(), next((m for _, m in reversed(path) if m), None)))
    return found


# --- values --------------------------------------------------------------------------------

NOT_A_SIZE_AFTER = re.compile(
    r"^[\s-]*(?:tokens?|words?|images?|pairs?|examples?|documents?|pages?|sentences?|"
    r"characters?|bytes?|[KMGTP]i?B\b|hours?|steps?|GPUs?|TPUs?|chips?|FLOPs?|users?|"
    r"downloads?|rows?|lines?|dollars?|USD|EUR|times|queries|requests|samples|records|"
    r"videos|hours|people|views|visits|stars|lines|instructions|prompts|conversations)",
    re.I,
)
A_SIZE_AFTER = re.compile(
    r"^[\s-]*(?:active\s+)?(?:param(?:eter)?s?\b|model\b|models\b|LLM|language\s+model|"
    r"transformer|network|version|variant|checkpoint|dense|sparse|MoE)",
    re.I,
)
APPROXIMATE = re.compile(
    r"(?:over|more\s+than|less\s+than|fewer\s+than|under|about|approximately|around|nearly|"
    r"almost|roughly|some|~|>|<|≈)\s*$",
    re.I,
)
UP_TO = re.compile(r"up\s+to\s*$", re.I)
HAS_SIZE = re.compile(
    r"\b(?:has|have|had|with|contains?|comes?\s+(?:in|with)|weighs?(?:\s+in)?\s+at|is|was|"
    r"are|were)\s+(?:a\s+|an\s+|only\s+|just\s+|up\s+to\s+)?$",
    re.I,
)
SIZE_JOIN = re.compile(
    r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|to\s+|through\s+|-|–|—|/)\s*$", re.I
)
MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    rf"\b{MONTHS}\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d{{2}}\b"
    rf"|\b\d{{1,2}}\s+{MONTHS}\.?,?\s+(?:19|20)\d{{2}}\b"
    r"|\b(?:19|20)\d{2}-\d{2}(?:-\d{2})?\b"
    r"|(?<![\d.,-])\b(?:19[5-9]\d|20[0-4]\d)\b(?![\d%]|[.,-]\d|\s*(?:tokens|GPUs|parameters))"
)
RELEASE = re.compile(
    r"\b(?:releas|publish|introduc|announc|unveil|launch|present|propos|debut|appear|arriv|"
    r"open[\s-]?sourc|came\s+out|come\s+out|comes\s+out|made\s+(?:public|available)|"
    r"described|dates?\s+(?:from|to|back)|followed|succeeded|first\s+shown|shipped|"
    r"came\s+from|built)",
    re.I,
)
CITATION = re.compile(r"(?:et\s+al\.?,?|\band\s+[A-Z][a-z]+,?)\s*$")
NOT_A_RELEASE_DATE = re.compile(r"\b(?:as\s+of|until|through|by\s+the\s+end\s+of|since)\s*$", re.I)
LAB_VERB = re.compile(
    r"\b(?:releas|develop|train|built|build|creat|introduc|announc|unveil|launch|publish|"
    r"propos|design|came\s+out\s+of|come\s+out\s+of|open[\s-]?sourc|made|from|by|at)\w*",
    re.I,
)
LAB_JOIN = re.compile(r"^\s*(?:,|and|&|/|,\s*and)\s*(?:the\s+)?$", re.I)
LICENCE_CONTEXT = re.compile(r"licen[cs]e|\bunder\s+(?:the\s+|an?\s+)?$", re.I)


def _runs(text: str) -> list[tuple[int, int, list[re.Match]]]:
    """Sizes next to each other ("7B, 13B and 65B", "125M to 175B") as one run."""
    runs: list[tuple[int, int, list[re.Match]]] = []
    for match in SIZE_RE.finditer(text):
        if match["sep"] and len(match["unit"]) == 1 and match["unit"] in "mbt":
            continue  # "3 b" is a word
        if runs and SIZE_JOIN.match(text[runs[-1][1] : match.start()]):
            start, _, matches = runs[-1]
            runs[-1] = (start, match.end(), [*matches, match])
        else:
            runs.append((match.start(), match.end(), [match]))
    return runs


def _size_hits(text: str, mentions: list[_Mention]) -> list[_Hit]:
    hits = []
    for start, end, matches in _runs(text):
        before, after = text[max(0, start - 40) : start], text[end : end + 40]
        glued = start > 0 and text[start - 1] in "-" and any(m.end == start - 1 for m in mentions)
        if NOT_A_SIZE_AFTER.match(after) or before.rstrip().endswith("$"):
            continue
        if APPROXIMATE.search(before):
            continue
        inside = _in_parenthesis_after(text, start, mentions)
        possessive = re.search(r"(?:'s|’s)\s+(?:\w+\s+){0,2}$", before) is not None
        # "BERT has 340M", "T5 comes with 11B": a size the model's own verb gives it
        stated = HAS_SIZE.search(before) and any(
            0 <= start - m.end <= 30 for m in mentions if m.model is not None or m.name
        )
        # "the 175B GPT-3", "a 175B-parameter GPT-3"
        named_after = any(
            re.fullmatch(r"[\s-]*(?:param(?:eter)?s?[\s-]+)?", text[end : m.start], re.I)
            for m in mentions
            if m.start >= end and m.model
        )
        if not (
            glued or inside or possessive or stated or named_after or A_SIZE_AFTER.match(after)
        ):
            continue
        qualifier = None
        if UP_TO.search(before):
            qualifier = "up to"
        elif len(matches) == 2 and re.search(
            r"to|-|–|—", text[matches[0].end() : matches[1].start()]
        ):
            qualifier = "range"
        hits.append(_Hit("params", start, end, qualifier))
    return hits


def _in_parenthesis_after(text: str, position: int, mentions: list[_Mention]) -> bool:
    """Whether position lies in a parenthesis that follows a model's name: "OPT (175B)"."""
    opened = text.rfind("(", 0, position)
    if opened < 0 or ")" in text[opened:position]:
        return False
    return any(0 <= opened - m.end <= 8 for m in mentions if m.model)


def _date_hits(text: str, mentions: list[_Mention]) -> list[_Hit]:
    hits = []
    for match in DATE_RE.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if CITATION.search(before) or NOT_A_RELEASE_DATE.search(before):
            continue
        clause = re.split(r"[;:]", text[: match.start()])[-1]
        if not (RELEASE.search(clause) or _in_parenthesis_after(text, match.start(), mentions)):
            continue
        hits.append(_Hit("date", match.start(), match.end()))
    return hits


def _lab_hits(text: str, mentions: list[_Mention]) -> list[_Hit]:
    orgs = orgs_at(text)
    groups: list[list[tuple[int, int, str]]] = []
    for org in orgs:
        if groups and LAB_JOIN.match(text[groups[-1][-1][1] : org[0]]):
            groups[-1].append(org)
        else:
            groups.append([org])
    hits = []
    for group in groups:
        start, end = group[0][0], group[-1][1]
        before, after = text[max(0, start - 30) : start], text[end : end + 40]
        owner = re.match(r"^(?:'s|’s)\s+", after) and any(
            0 < m.start - end <= 8 for m in mentions if m.model
        )
        made = LAB_VERB.search(before) or re.match(
            r"^\s+(?:has\s+|have\s+)?(?:releas|introduc|develop|train|built|unveil|announc|"
            r"launch|publish|open[\s-]?sourc|creat|propos)",
            after,
            re.I,
        )
        if owner or (made and mentions):
            hits.append(_Hit("lab", start, end))
    return hits


def _list_hits(field: str, found: list[tuple[int, int, str]], text: str) -> list[_Hit]:
    """Names listed together ("BookCorpus, Wikipedia and CC-News") as one hit."""
    hits: list[_Hit] = []
    for start, end, _ in found:
        if hits and re.match(
            r"^[\s,+]*(?:and|&|\+|,|plus)?[\s,+]*(?:the\s+)?$", text[hits[-1].end : start], re.I
        ):
            hits[-1].end = max(hits[-1].end, end)
        elif not hits or start >= hits[-1].end:
            hits.append(_Hit(field, start, end))
    return hits


def _value_hits(text: str, mentions: list[_Mention]) -> list[_Hit]:
    hits = _size_hits(text, mentions) + _date_hits(text, mentions) + _lab_hits(text, mentions)
    hits += [_Hit("architecture", s, e) for s, e, _ in architectures_at(text)]
    hits += [
        _Hit("license", s, e)
        for s, e, _ in licenses_at(text)
        if LICENCE_CONTEXT.search(text[max(0, s - 30) : s])
        or LICENCE_CONTEXT.search(text[e : e + 12])
    ]
    if TRAINING.search(text):
        hits += _list_hits("corpus", datasets_at(text), text)
        hits += _list_hits("task", objectives_at(text), text)
    return [h for h in hits if not negated(text, h.start)]


def _outside_names(hits: list[_Hit], mentions: list[_Mention]) -> list[_Hit]:
    """Values that are not part of a model's name ("LM" in "Anthropic LM"); a size joined
    to a name ("LLaMA-65B") starts after it and stays."""
    return [h for h in hits if not any(m.start <= h.start < m.end for m in mentions)]


# --- subjects ------------------------------------------------------------------------------

OBJECT_BEFORE = re.compile(
    r"(?:than|like|as|unlike|versus|vs\.?|over|outperform\w*|beat\w*|surpass\w*|such\s+as|"
    r"compared\s+(?:to|with)|on|upon|from|based\s+on|built\s+on|instead\s+of|out\s+of|of|by)"
    r"\s+(?:the\s+)?$",
    re.I,
)
PRONOUN = re.compile(
    r"^\W*(?:it|its|this\s+model|the\s+model|we|our)\b|\b(?:we|our|the\s+model)\b", re.I
)
VERSION_AFTER = re.compile(r"^[\s-]?\d+(?:\.\d+)?(?![\d.]*\s?(?:[MBT]\b|[mb]illion|trillion))")


def _mentions(kb: KnowledgeBase, text: str) -> list[_Mention]:
    """Known models the sentence names (a name followed by a version that makes it
    another model — "Llama 4" — is not Llama; "Mistral" in "Mistral AI" is the lab),
    and the unknown model it is about."""
    found = []
    labs = [(s, e) for s, e, _ in orgs_at(text)]
    if kb.names.pattern is not None:
        for match in kb.names.pattern.finditer(text):
            if VERSION_AFTER.match(text[match.end() : match.end() + 8]):
                continue
            if any(s <= match.start() and match.end() < e for s, e in labs):
                continue
            owners = kb.names.owners.get(match.group(0).lower(), set())
            if len(owners) == 1:
                (owner,) = owners
                found.append(_Mention(match.start(), match.end(), kb.by_id[owner], match.group(0)))
    subject = SUBJECT.match(text)
    if subject and not any(m.start <= subject.start(1) < m.end for m in found):
        name = subject.group(1)
        if name.lower() not in ("it", "this model", "the model") and not kb.resolve(name):
            found.append(_Mention(subject.start(1), subject.end(1), None, name))
    return sorted(found, key=lambda m: m.start)


def _subject(text: str, hit: _Hit, mentions: list[_Mention], section: dict | None):
    """(mention or section model, how) for a value; None when nothing fits."""
    for m in mentions:  # the value is part of the name: "LLaMA-65B"
        if m.end == hit.start - 1 and text[m.end] == "-":
            return m, "its name"
    for m in mentions:
        between = text[m.end : hit.start]
        if m.end <= hit.start and re.fullmatch(r"\s*\((?:[^()]*)", between):
            return m, "a parenthesis after its name"
        if m.end <= hit.start and re.fullmatch(r"(?:'s|’s)\s+(?:\w+\s+){0,3}", between):
            return m, "a possessive"
        if m.end <= hit.start and re.fullmatch(r",\s+(?:an?|the)\s+(?:[\w-]+\s+){0,4}", between):
            return m, "an apposition"
    for m in mentions:  # "the 175B GPT-3", "a 175B-parameter GPT-3 model"
        between = text[hit.end : m.start]
        if m.start >= hit.end and re.fullmatch(r"[\s-]*(?:param(?:eter)?s?[\s-]+)?", between, re.I):
            return m, "the name after it"
    before = [m for m in mentions if m.end <= hit.start]
    main = [m for m in before if not OBJECT_BEFORE.search(text[max(0, m.start - 30) : m.start])]
    if main:
        return main[-1], "the model named before it"
    if before:  # only compared-with names before it: "the release of GPT-3 in May 2020"
        return before[-1], "the model named before it"
    after = [
        m for m in mentions
        if m.start >= hit.end and not OBJECT_BEFORE.search(text[max(0, m.start - 30) : m.start])
    ]  # fmt: skip
    if after and not before:
        return after[0], "the model named after it"
    if not mentions and section and PRONOUN.search(text):
        return _Mention(0, 0, section, section["name"]), "the section's model"
    return None, None


# --- the post ----------------------------------------------------------------------------


def prose_claims(kb: KnowledgeBase, text: str, cards: list[Card]) -> list[ProseClaim]:
    """Every claim the post's prose makes about a model."""
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    sections = _sections(text, kb)
    offsets = [offset for offset, _ in sections]
    claims: list[ProseClaim] = []
    for paragraph, hidden in _paragraphs(text, _segments(text, cards)):
        at = bisect.bisect_right(offsets, paragraph.start) - 1
        section = sections[at][1] if at >= 0 else None
        for sentence in sentences(paragraph):
            if len(sentence.text) > MAX_SENTENCE:
                continue
            masked = _masked(sentence.text)
            mentions = _mentions(kb, masked)
            for hit in _outside_names(_value_hits(masked, mentions), mentions):
                mention, how = _subject(masked, hit, mentions, section)
                if mention is None:
                    continue
                start = sentence.start + hit.start
                line = _line_of(line_starts, start)
                column = start - line_starts[line - 1]
                claims.append(
                    ProseClaim(
                        field=hit.field,
                        text=sentence.text[hit.start : hit.end],
                        line=line,
                        span=(column, column + hit.end - hit.start),
                        sentence=" ".join(sentence.text.split()),
                        model=mention.name,
                        model_id=mention.model["id"] if mention.model else None,
                        how=how,
                        qualifier=hit.qualifier,
                        unpublished=hidden,
                    )
                )
    return claims


def _masked(text: str) -> str:
    """Link targets and inline code blanked (same length), so "arxiv.org/abs/2005.14165"
    and `config = 7B` state nothing."""
    text = re.sub(r"\]\([^)\s]*\)", lambda m: "]" + " " * (len(m.group(0)) - 1), text)
    text = re.sub(r"https?://\S+", lambda m: " " * len(m.group(0)), text)
    return re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group(0)), text)


def _line_of(line_starts: list[int], offset: int) -> int:
    low, high = 0, len(line_starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if line_starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1
