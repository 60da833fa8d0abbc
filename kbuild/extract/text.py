"""Text regions with character spans in the raw document, so every quote is verbatim.

Markdown is read in place: code fences, HTML comments, tags and doc-builder lines are
masked, never rewritten, so a span always points into the stored body.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# a sentence ends before a capital, a digit, or a name that starts in lower case
# ("mT5", "o1-mini", "data2vec", "fastText"); the gap between two is group 1 (the stop
# itself is matched, not looked behind for, so that re skips to the next stop at once)
SENTENCE_END = re.compile(r"[.!?]([*_)\]]*\s+)(?=[*_(\[]*(?:[A-Z0-9]|[a-z]+[A-Z0-9]))")
ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "Fig.", "Eq.", "cf.", "approx.")


@dataclass
class Region:
    """A piece of a document's text: its span in the body and the heading it sits under."""

    start: int
    end: int
    text: str
    section: str | None = None
    element: int | None = None  # for HTML: the index of the block element
    # its sentences, once split (the page's prose rules and its lab rule read the same ones)
    split: list[Region] | None = field(default=None, repr=False, compare=False)


def sentences_of(region: Region) -> list[Region]:
    """The region's sentences (see :func:`sentences`), split once and kept on it."""
    if region.split is None:
        region.split = list(sentences(region))
    return region.split


def sentences(region: Region) -> Iterator[Region]:
    """The sentences of a region, each with its own span in the same coordinates."""
    text = region.text
    cursor = 0
    for match in SENTENCE_END.finditer(text):
        end = match.start(1)
        if text[:end].rstrip("*_)]").endswith(ABBREVIATIONS):
            continue
        piece = text[cursor:end]
        if piece.strip():
            yield _trimmed(region, cursor, end)
        cursor = match.end()
    if text[cursor:].strip():
        yield _trimmed(region, cursor, len(text))


def _trimmed(region: Region, start: int, end: int) -> Region:
    text = region.text
    while start < end and text[start] in " \t\r\n*_>-":
        start += 1
    while end > start and text[end - 1] in " \t\r\n*_":
        end -= 1
    return Region(
        region.start + start, region.start + end, text[start:end], region.section, region.element
    )


# --- markdown --------------------------------------------------------------------------------

_MASK = re.compile(
    r"<!--.*?-->"  # comments (the licence header)
    # (one ^ for the three that start a line: tried once at every other place, not thrice)
    # (a fence's and an autodoc block's lines are taken a line at a time: a lazy ".*?"
    # before "^" tried the rest of the pattern at every character)
    r"|^(?:[ \t]*```[^\n]*\n(?:[^\n]*\n)*?[ \t]*```[^\n]*$"  # code fences (in list items too)
    r"|\[\[autodoc\]\][^\n]*(?:\n(?=\s)[^\n]*)*(?:\n|\Z)"  # autodoc blocks, indented members
    r"|\s*</?[A-Za-z][^>\n]*>\s*$)",  # lines that are only a tag (<div>, <hfoption ...>)
    re.S | re.M,
)
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$", re.M)
BULLET = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+", re.M)


def markdown_regions(body: str) -> list[Region]:
    """Paragraphs and list items of a markdown document, outside code and markup."""
    masked = _MASK.sub(_blanked, body)
    headings = [(m.start(), m.group(2).strip("# ")) for m in _headings(masked)]
    positions = [position for position, _ in headings]
    regions = []
    for start, end in _blocks(masked):
        for item_start, item_end in _list_items(masked, start, end):
            text = body[item_start:item_end].rstrip()
            if not text.strip() or HEADING.match(text):
                continue
            # the last heading at or before the item (a scan of all of them per item made
            # a long page quadratic)
            at = bisect.bisect_right(positions, item_start)
            section = headings[at - 1][1] if at else None
            regions.append(Region(item_start, item_start + len(text), text, section))
    return regions


def _headings(masked: str) -> Iterator[re.Match]:
    """``HEADING.finditer(masked)``, tried only at the lines that start with "#" (re
    tries a pattern that opens with ``^`` at every character of the page)."""
    done = 0
    place = 0 if masked.startswith("#") else masked.find("\n#")
    while place != -1:
        if masked[place] == "\n":
            place += 1
        if place >= done and (match := HEADING.match(masked, place)):
            yield match
            done = match.end()
        place = masked.find("\n#", place)


def _blanked(match: re.Match) -> str:
    """The match with every character but its line breaks made a space."""
    text = match.group(0)
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(line) for line in text.split("\n"))


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of lines that are not blank, the end after its last
    newline. A line loop: a regex for it backtracks over the long blank lines a masked
    code block leaves, quadratic in their length."""
    start, position = None, 0
    for line in text.split("\n"):
        end = position + len(line) + 1
        if not line.isspace() and line:
            if start is None:
                start = position
        elif start is not None:
            yield start, position
            start = None
        position = end
    if start is not None:
        yield start, min(position, len(text))


def _list_items(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split a block at list bullets, so each item is its own region."""
    cuts = [start]
    for match in _bullets(text, start, end):
        if match.start() > start:
            cuts.append(match.start())
    cuts.append(end)
    yield from zip(cuts, cuts[1:], strict=False)


def _bullets(text: str, start: int, end: int) -> Iterator[re.Match]:
    """``BULLET.finditer(text, start, end)`` for a block that starts a line, tried only
    at its lines' starts (re tries a pattern that opens with ``^`` at every character)."""
    done, place = start, start
    while place != -1:
        if place >= done and (match := BULLET.match(text, place, end)):
            yield match
            done = match.end()
        place = text.find("\n", place, end)
        if place != -1:
            place += 1
            if place >= end:
                break


# --- HTML ------------------------------------------------------------------------------------

BLOCK_TAGS = ("h1", "h2", "h3", "h4", "p", "li", "blockquote", "td", "th")


def _soup(body: str):
    """The parsed page, script, style, code and navigation taken out (beautifulsoup4
    imported here: most documents are markdown, and `check` reads none)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    for hidden in soup(["script", "style", "pre", "code", "nav", "noscript", "template"]):
        hidden.decompose()
    return soup


def html_blocks(body: str) -> list[Region]:
    """Text of each block element (in document order); spans are within that text."""
    soup = _soup(body)
    regions, section = [], None
    for index, element in enumerate(soup.find_all(BLOCK_TAGS)):
        if element.find(BLOCK_TAGS):
            continue  # the inner blocks carry the text
        text = element.get_text(" ", strip=False)
        text = re.sub(r"\s+", " ", text).strip()
        if element.name in ("h1", "h2", "h3", "h4"):
            section = text
        if text:
            regions.append(Region(0, len(text), text, section, element=index))
    return regions


HTML_ANCHOR = re.compile(r"<a\s[^>]*>.*?</a\s*>", re.S | re.I)


def html_links(body: str) -> list[Region]:
    """Every <a …>…</a> inside a block element, as raw markup: its span in the body itself
    (so the quote keeps the href), the heading it sits under and the block's index (as
    numbered by :func:`html_blocks`)."""
    soup = _soup(body)
    line_starts = [0, *(m.end() for m in re.finditer("\n", body))]
    regions, section = [], None
    for index, element in enumerate(soup.find_all(BLOCK_TAGS)):
        if element.find(BLOCK_TAGS):
            continue
        if element.name in ("h1", "h2", "h3", "h4"):
            section = re.sub(r"\s+", " ", element.get_text(" ")).strip()
        for anchor in element.find_all("a"):
            if anchor.sourceline is None:
                continue
            start = line_starts[anchor.sourceline - 1] + anchor.sourcepos
            match = HTML_ANCHOR.match(body, start)
            if match:
                regions.append(Region(start, match.end(), match.group(0), section, index))
    return regions


def html_block_text(body: str, element: int) -> str | None:
    """The text of the block element numbered ``element`` (see :func:`html_blocks`)."""
    for region in html_blocks(body):
        if region.element == element:
            return region.text
    return None
