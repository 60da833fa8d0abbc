"""Paper PDFs → the lab from the first page's affiliations, parameter counts the paper
states about its model, and the corpus it says it trains on.

Locators give the page, the character span in that page's stored text (``pages.text``)
and the bounding box of the pymupdf text block the quote starts in.
"""

from __future__ import annotations

import re

from kbuild.extract import extractors
from kbuild.extract.facts import Fact
from kbuild.extract.statements import Subject, facts_in
from kbuild.extract.text import Region
from kbuild.normalize import Normalized
from kbuild.normalize.lab import orgs_in

EXTRACTOR = extractors.PDF
AFFILIATION_CONFIDENCE = 0.7
CORPUS_PAGES = 6


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class BlockBoxes:
    """page → [(bbox, squashed text)] for every text block, to place quotes on the page;
    a page's blocks are read the first time a quote on it needs them."""

    def __init__(self, blob: bytes | None):
        self.blob = blob
        self.pages: dict[int, list] = {}

    def get(self, number: int, default=None) -> list:
        if not self.blob:
            return default or []
        if number not in self.pages:
            import pymupdf  # imported when a PDF is read: it is slow to load

            with pymupdf.open(stream=self.blob, filetype="pdf") as document:
                if not 1 <= number <= document.page_count:
                    return default or []
                self.pages[number] = [
                    ([round(v, 1) for v in block[:4]], _squash(block[4]))
                    for block in document[number - 1].get_text("blocks")
                    if block[6] == 0
                ]
        return self.pages[number]


def block_boxes(blob: bytes) -> BlockBoxes:
    """The text blocks of every page of a PDF, read lazily (see :class:`BlockBoxes`)."""
    return BlockBoxes(blob)


def bbox_of(boxes: list, quote: str) -> list[float] | None:
    """The bounding box of the text block the quote starts in."""
    head = _squash(quote)[:40]
    for bbox, text in boxes:
        if head and head in text:
            return bbox
    return None


HEADER_LINE = re.compile(
    r"\n(?=((?:abstract|a\s?b\s?s\s?t\s?r\s?a\s?c\s?t|\d+(?:\.\d+)*\s+[A-Z][^\n]{0,60}))\n)", re.I
)


def page_regions(text: str, number: int) -> list[Region]:
    """A page cut before and after its 'Abstract' and numbered section headings, so that
    a sentence never runs on from the title and author lines, or from a heading, into
    the text."""
    cuts = [0, *(p for m in HEADER_LINE.finditer(text) for p in m.span(1)), len(text)]
    return [Region(a, b, text[a:b], f"page {number}") for a, b in zip(cuts, cuts[1:], strict=False)]


def extract(
    document: dict, model: dict, pages: list[dict], subject: Subject | None = None
) -> list[Fact]:
    """Facts from one paper PDF, read from its stored pages."""
    base = {"model_id": model["id"], "document_id": document["id"], "extractor": EXTRACTOR}
    boxes = block_boxes(document.get("blob"))
    texts = {p["page"]: p["text"] for p in pages}
    facts: list[Fact] = []

    def locator(page: int, start: int, end: int) -> dict:
        found = {"page": page, "span": [start, end]}
        bbox = bbox_of(boxes.get(page, []), texts[page][start:end])
        if bbox:
            found["bbox"] = bbox
        return found

    first = texts.get(1, "")
    header_end = re.search(r"^\s*(?:abstract|a\s*b\s*s\s*t\s*r\s*a\s*c\s*t)\b", first, re.I | re.M)
    header = first[: header_end.start() if header_end else 1500]
    # every affiliation on the first page, in order, as one fact: a paper written at
    # Facebook AI and the University of Washington has both labs
    orgs: list[str] = []
    lines: list[re.Match] = []
    for line in re.finditer(r"[^\n]+", header):
        if "@" in line.group(0):
            continue  # e-mail lines name domains, not affiliations
        found = [org for org in orgs_in(line.group(0)) if org not in orgs]
        if found:
            orgs += found
            lines.append(line)
    if orgs:
        start, end = lines[0].start(), lines[-1].end()
        facts.append(
            Fact(
                field="lab",
                value="; ".join(line.group(0).strip() for line in lines),
                normalized=Normalized(orgs),
                locator=locator(1, start, end),
                quote=first[start:end],
                confidence=AFFILIATION_CONFIDENCE,
                **base,
            )
        )

    subject = subject or Subject.of(model)
    for number, text in sorted(texts.items()):
        facts += facts_in(
            page_regions(text, number),
            quote_of=lambda s, text=text: text[s.start : s.end],
            locator_for=lambda s, n=number: locator(n, s.start, s.end),
            fact_args=base,
            subject=subject,
            fields={"params"} | ({"corpus"} if number <= CORPUS_PAGES else set()),
            confidence=0.5 if number <= 2 else 0.4,
            require_name_for=frozenset({"params"}),
        )
    return facts
