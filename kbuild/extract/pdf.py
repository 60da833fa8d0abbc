"""Paper PDFs → the lab from the first page's affiliations (the lines under the title, or
an ICML-style footnote after "Equal contribution"), parameter counts the paper states
about its model (a mixture of experts' total and active counts apart), the corpus it says
it trains on and the tokens it was trained on; from the first pages (the abstract and
introduction), also the architecture, the pretraining objective and the licence the
model is released under.

Locators give the page, the character span in that page's stored text (``pages.text``)
and the bounding box of the pymupdf text block the quote starts in.
"""

from __future__ import annotations

import re
import unicodedata

from kbuild.extract import extractors
from kbuild.extract.facts import Fact
from kbuild.extract.statements import Subject, facts_in
from kbuild.extract.text import Region
from kbuild.normalize import Normalized
from kbuild.normalize.lab import orgs_in

EXTRACTOR = extractors.PDF
AFFILIATION_CONFIDENCE = 0.7
CORPUS_PAGES = 6
# The pages a paper introduces its model on: what it says there of the model's design,
# objective and licence is its own claim, not a related-work aside or an experiment
# ("we evaluate on autoregressive language modeling" on page 5 of an encoder's paper).
FIRST_PAGES = 2
FIRST_PAGE_FIELDS = {"architecture", "task", "license"}
# Where a paper describes its training data: the corpus and the tokens trained on.
DATA_FIELDS = {"corpus", "tokens"}


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
    r"\n(?=((?:abstract|a\s?b\s?s\s?t\s?r\s?a\s?c\s?t|\d+(?:\.\d+)*\s+[A-Z][^\n]{0,60}"
    # a section number on a line of its own: "1\nIntroduction"
    r"|\d+(?:\.\d+)*\n(?-i:[A-Z][a-z][^\n]{0,60})))\n)",
    re.I,
)
ABSTRACT_HEADER = re.compile(r"\s*(?:abstract|a\s?b\s?s\s?t\s?r\s?a\s?c\s?t)\s*", re.I)


def page_regions(text: str, number: int) -> list[Region]:
    """A page cut before and after its 'Abstract' and numbered section headings, so that
    a sentence never runs on from the title and author lines, or from a heading, into
    the text. The text under 'Abstract' is the region of section 'abstract'."""
    cuts = [0, *(p for m in HEADER_LINE.finditer(text) for p in m.span(1)), len(text)]
    regions: list[Region] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        after_abstract = bool(regions) and ABSTRACT_HEADER.fullmatch(regions[-1].text)
        section = "abstract" if after_abstract else f"page {number}"
        regions.append(Region(a, b, text[a:b], section))
    return regions


# Footnote lines that name where an author went or interned, not the paper's lab.
NOT_AFFILIATION = re.compile(
    r"work\s+(?:was\s+)?done|intern(?:ship)?\b|while\s+at|now\s+at|visiting|currently\s+at",
    re.I,
)
# ICML-style first pages put affiliations in a footnote: "*Equal contribution
# 1OpenAI, San Francisco, …  Correspondence to: …"
FOOTNOTE = re.compile(r"^[^\n]*equal\s+contribution[^\n]*\n((?:[^\n]*\n){1,6})", re.I | re.M)
LINE = re.compile(r"[^\n]+")


def affiliation_lines(first: str, header: str) -> tuple[list[str], list[re.Match]]:
    """The organisations of the first page's affiliation lines, in order, and the lines:
    the lines above the abstract, else a footnote after "Equal contribution"."""
    orgs: list[str] = []
    lines: list[re.Match] = []

    def read(line: re.Match) -> None:
        text = line.group(0)
        if "@" in text or NOT_AFFILIATION.search(text):
            return  # e-mail lines name domains, not affiliations
        # PDF ligatures ("Artiﬁcial") would hide the name from the alias table
        found = [org for org in orgs_in(unicodedata.normalize("NFKC", text)) if org not in orgs]
        if found:
            orgs.extend(found)
            lines.append(line)

    for line in LINE.finditer(header):
        read(line)
    if not orgs:
        footnote = FOOTNOTE.search(first)
        if footnote:
            block = footnote.group(1).split("Correspondence")[0]
            start = footnote.start(1)
            for line in LINE.finditer(first, start, start + len(block)):
                read(line)
    return orgs, lines


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
    orgs, lines = affiliation_lines(first, header)
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
        regions = page_regions(text, number)
        if number == 1 and any(r.section == "abstract" for r in regions):
            # the title and author lines: no sentence, and "Deep Bidirectional
            # Transformers" in a title is no statement to quote with the authors' names
            regions = regions[next(i for i, r in enumerate(regions) if r.section == "abstract") :]
        facts += facts_in(
            regions,
            quote_of=lambda s, text=text: text[s.start : s.end],
            locator_for=lambda s, n=number: locator(n, s.start, s.end),
            fact_args=base,
            subject=subject,
            fields={"params"}
            | (DATA_FIELDS if number <= CORPUS_PAGES else set())
            | (FIRST_PAGE_FIELDS if number <= FIRST_PAGES else set()),
            confidence=0.5 if number <= FIRST_PAGES else 0.4,
            # "we train a 1.5B baseline on 100B tokens": sizes and tokens need the name
            require_name_for=frozenset({"params", "tokens"}),
        )
    return facts
