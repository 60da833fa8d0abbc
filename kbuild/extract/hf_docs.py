"""Hugging Face model-doc pages (markdown sources or HTML) → arxiv_id from the paper link,
the 'released on' date, and the architecture, objectives, corpus and sizes the overview
or the quoted abstract states."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbuild.config import name_key
from kbuild.extract import extractors
from kbuild.extract.facts import Fact, normalize
from kbuild.extract.statements import Subject, facts_in
from kbuild.extract.text import Region, html_blocks, html_links, markdown_regions, sentences_of
from kbuild.normalize import Normalized
from kbuild.normalize.cues import Cued
from kbuild.normalize.lab import HUB_NAMESPACES, orgs_in

EXTRACTOR = extractors.HF_DOCS
PAPER_LINK = Cued(
    re.compile(
        r"(?:\[[^\]\n]*\]\()?https?://(?:www\.)?(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/"
        r"(\d{4}\.\d{4,5})(?:v\d+)?[^\s)]*\)?"
    )
)
RELEASED = re.compile(
    r"This model was released on (\d{4}-\d{2}-\d{2}|\{release_date\}) and added to Hugging "
    r"Face Transformers on (\d{4}-\d{2}-\d{2}|\{date\})\."
)
# A link followed by these words cites a dataset ("[RefinedWeb](…) corpus"), not the model.
DATA_AFTER = re.compile(r"^(?:\s|</?\w[^>]*>)*(?:corpus|corpora|dataset|data set)\b", re.I)
HREF_PAPER = re.compile(
    r"href\s*=\s*[\"']?https?://(?:www\.)?(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/"
    r"(\d{4}\.\d{4,5})",
    re.I,
)
# Sections whose prose describes the model itself (the rest is API reference and usage).
DESCRIPTIVE = re.compile(r"overview|usage tips|notes|architectur|^$", re.I)
# "The abstract from the paper is the following:", "The abstract from the Phi-3 paper is:"
ABSTRACT_LEAD = Cued(
    re.compile(r"\bThe abstract (?:from|of) the (?:(?P<named>[^\n:]*?)\s+)?paper\b[^\n:]*:", re.I)
)
# words of a lead-in that name no model ("the original paper")
LEAD_WORDS = {"original", "accompanying", "associated", "corresponding", "research", "same"}
ABSTRACT_CONFIDENCE = 0.7  # the paper's own words, above the page's prose (0.6)


@dataclass
class QuotedAbstract:
    """A paper's abstract that a page quotes: its paragraphs, and whose paper the lead-in
    says it is ("the Phi-3 paper"; None for "the paper", the one the page cites)."""

    regions: list[Region]
    named: str | None


def quoted_abstracts(regions: list[Region]) -> list[QuotedAbstract]:
    """The abstracts a page quotes after "The abstract from the paper is the following:":
    the rest of the lead-in's paragraph if it goes on, else the next paragraph, and those
    after it that are quoted the same way (each wrapped in *…* or a > blockquote). An
    italic paragraph ends where its emphasis closes (a credit line may follow it)."""
    found = []
    for index, region in enumerate(regions):
        lead = ABSTRACT_LEAD.search(region.text)
        if not lead:
            continue
        named = lead.group("named")
        rest = region.text[lead.end() :]
        if rest.strip():
            start = lead.end() + len(rest) - len(rest.lstrip())
            found.append(QuotedAbstract([_part(region, start, len(region.text))], named))
            continue
        paragraphs: list[Region] = []
        marker = None
        for following in regions[index + 1 : index + 6]:
            text = following.text
            first = text.lstrip()[:1]
            if paragraphs and (marker is None or first != marker):
                break
            marker = marker if paragraphs else (first if first in "*_>" else None)
            end = len(text)
            if marker in ("*", "_"):
                closing = re.search(rf"(?<=\S){re.escape(marker)}+(?=[ \t]*(?:\n|$))", text)
                end = closing.end() if closing else end
            paragraphs.append(_part(following, 0, end))
            if marker is None:
                break  # a plain paragraph: the abstract is that one
        if paragraphs:
            found.append(QuotedAbstract(paragraphs, named))
    return found


def _part(region: Region, start: int, end: int) -> Region:
    return Region(
        region.start + start, region.start + end, region.text[start:end], region.section,
        region.element,
    )  # fmt: skip


def own_abstract(quoted: QuotedAbstract, model: dict, page_paper: str | None) -> bool:
    """Whether a quoted abstract is the model's own paper's: the lead-in names no other
    model ("the Phi-3 paper" on the PhiMoE page is not), and the arXiv paper the page
    cites is the model's, or the page cites none on arXiv (its paper is linked at
    OpenReview, a blog, or is not online). A page of "DeBERTa-v2" quotes DeBERTa's paper;
    what it says is DeBERTa's."""
    if quoted.named:
        words = [w for w in re.findall(r"[\w.+-]+", quoted.named) if w.lower() not in LEAD_WORDS]
        own = {name_key(n) for n in [model["name"], *model["aliases"]]}
        if words and name_key(" ".join(words)) not in own:
            return False
    return page_paper is None or model.get("arxiv_id") == page_paper


def paper_link(regions: list[Region], subject: Subject) -> tuple[Region, re.Match] | None:
    """The link to the model's own paper: one whose text names the model or that follows
    'proposed in'; failing that, a link in the page's first paragraph. Later links cite
    related work (a page's usage tips may link the GQA paper, say)."""
    first = None
    for index, region in enumerate(regions):
        for match in PAPER_LINK.finditer(region.text):
            before = region.text[max(0, match.start() - 30) : match.start()]
            if subject.names_model(match.group(0)) or "proposed in" in before:
                return region, match
            if first is None and index == _first_paragraph(regions):
                if not DATA_AFTER.match(region.text[match.end() :]):
                    first = (region, match)
    return first


def html_paper_link(
    body: str, links: list[Region], blocks: list[Region], subject: Subject
) -> tuple[Region, str] | None:
    """The same choice as :func:`paper_link` on an HTML page, whose links are <a> tags:
    (the raw <a …>…</a>, the arXiv id its href gives)."""
    first_block = _first_paragraph(blocks)
    first_element = blocks[first_block].element if first_block >= 0 else None
    first = None
    for link in links:
        href = HREF_PAPER.search(link.text)
        if not href:
            continue
        label = re.sub(r"<[^>]*>", "", link.text)
        before = " ".join(
            re.sub(r"<[^>]*>", " ", body[max(0, link.start - 200) : link.start]).split()
        )
        if subject.names_model(label) or "proposed in" in before[-30:]:
            return link, href.group(1)
        if first is None and link.element == first_element:
            if not DATA_AFTER.match(body[link.end :]):
                first = (link, href.group(1))
    return first


def _first_paragraph(regions: list[Region]) -> int:
    for index, region in enumerate(regions):
        if not RELEASED.search(region.text) and len(region.text.split()) > 5:
            return index
    return -1


def _descriptive(region: Region, title: str | None) -> bool:
    section = region.section or ""
    return section == title or DESCRIPTIVE.search(section) is not None


def extract(document: dict, model: dict, subject: Subject | None = None) -> list[Fact]:
    """Facts from one model-doc page (markdown source or HTML)."""
    body = document["body"] or ""
    is_html = "html" in (document.get("content_type") or "") or body.lstrip()[
        :9
    ].lower().startswith(("<!doctype", "<html"))
    regions = html_blocks(body) if is_html else markdown_regions(body)
    base = {"model_id": model["id"], "document_id": document["id"], "extractor": EXTRACTOR}
    subject = subject or Subject.of(model)

    def locator_for(region: Region) -> dict:
        locator = {"span": [region.start, region.end], "section": region.section}
        if region.element is not None:
            locator["element"] = region.element
        return locator

    def quote_of(span: Region) -> str:
        # markdown spans index the body; HTML spans index the text of their block
        if not is_html:
            return body[span.start : span.end]
        return next(r.text for r in regions if r.element == span.element)[span.start : span.end]

    def sub_region(region: Region, match: re.Match) -> Region:
        return Region(
            region.start + match.start(),
            region.start + match.end(),
            match.group(0),
            region.section,
            region.element,
        )

    facts: list[Fact] = []
    for region in regions:
        for match in RELEASED.finditer(region.text):
            if match.group(1).startswith("{"):
                continue  # the generator's placeholder, not a date
            span = sub_region(region, match)
            facts.append(
                Fact(
                    field="date",
                    value=match.group(1),
                    normalized=normalize("date", match.group(1), date_kind="docs"),
                    locator=locator_for(span),
                    quote=quote_of(span),
                    confidence=0.8,
                    **base,
                )
            )
    if is_html:
        # the href is only in the markup: quote the raw <a> tag (a span of the body)
        found = html_paper_link(body, html_links(body), regions, subject)
        link = (found[0], found[1], {"span": [found[0].start, found[0].end]}) if found else None
    else:
        found = paper_link(regions, subject)
        span = sub_region(*found) if found else None
        link = (span, found[1].group(1), locator_for(span)) if found else None
    if link:
        span, arxiv_id, locator = link
        locator["section"] = span.section
        facts.append(
            Fact(
                field="arxiv_id",
                value=span.text,
                normalized=Normalized(arxiv_id),
                locator=locator,
                quote=body[span.start : span.end] if is_html else quote_of(span),
                confidence=0.9,
                **base,
            )
        )

    title = next((r.section for r in regions if r.section), None)
    abstracts = quoted_abstracts(regions)
    # a quoted abstract is read as the paper's, or not at all: never as the page's prose
    quoted = {(r.element, r.start) for a in abstracts for r in a.regions}
    quoted |= {(r.element, r.start) for r in regions if ABSTRACT_LEAD.search(r.text)}
    own = [
        r for a in abstracts if own_abstract(a, model, link[1] if link else None) for r in a.regions
    ]
    describing = [
        r
        for r in regions
        if _descriptive(r, title)
        and not RELEASED.search(r.text)
        and not _overlaps(r, quoted, abstracts)
    ]
    fields = {"params", "corpus", "task", "architecture", "license", "tokens"}
    facts += facts_in(
        describing,
        quote_of=quote_of,
        locator_for=locator_for,
        fact_args=base,
        subject=subject,
        fields=fields,
        confidence=0.6,
    )
    # the paper's own abstract: statements.facts_in reads an abstract's sentences as the
    # model's unless they name another model
    own = [Region(r.start, r.end, r.text, "abstract", r.element) for r in own]
    facts += facts_in(
        own,
        quote_of=quote_of,
        locator_for=lambda r: {**locator_for(r), "quoted_abstract": True},
        fact_args=base,
        subject=subject,
        fields=fields,
        confidence=ABSTRACT_CONFIDENCE,
    )
    facts += lab_facts(describing + own, subject, quote_of, locator_for, base)
    return facts


def _overlaps(region: Region, quoted: set, abstracts: list[QuotedAbstract]) -> bool:
    """Whether a region is (or holds) a quoted abstract or its lead-in."""
    if (region.element, region.start) in quoted:
        return True
    return any(
        r.element == region.element and region.start <= r.start < region.end
        for a in abstracts
        for r in a.regions
    )


RELEASED_BY = Cued(
    re.compile(
        r"(?:released|developed|created|proposed|introduced|published|trained) by"
        r"\s+\[?([^\].,;(]+)",
        re.I,
    )
)
CHECKPOINTS = re.compile(
    r"checkpoints?\b[^.]*?\]\(https://huggingface\.co/(?:collections/)?"
    r"([A-Za-z0-9_.-]+)[/)]"
)


def _org_words(text: str) -> str:
    """'baidu can be found at …' → 'baidu': the words up to where the sentence goes on."""
    return re.split(r"\s+(?:can|and|is|are|was|were|which|that|in|on)\b", text.strip())[0]


def lab_facts(regions, subject, quote_of, locator_for, base) -> list[Fact]:
    """The lab, where the page says who released the model ("released by mistral.ai"),
    or, derived, from the Hub organisation its original checkpoints live under."""
    facts: list[Fact] = []
    for region in regions:
        for sentence in sentences_of(region):
            stated = RELEASED_BY.search(sentence.text)
            orgs = orgs_in(stated.group(1)) if stated else []
            if orgs and subject.names_model(sentence.text):
                facts.append(
                    Fact(
                        field="lab",
                        value=_org_words(stated.group(1)),
                        normalized=Normalized(orgs),
                        locator=locator_for(sentence),
                        quote=quote_of(sentence),
                        confidence=0.6,
                        **base,
                    )
                )
            hub = CHECKPOINTS.search(sentence.text)
            if hub and hub.group(1) in HUB_NAMESPACES:
                facts.append(
                    Fact(
                        field="lab",
                        value=hub.group(1),
                        normalized=Normalized([HUB_NAMESPACES[hub.group(1)]]),
                        locator=locator_for(sentence),
                        quote=quote_of(sentence),
                        method="derived",
                        confidence=0.45,
                        **base,
                    )
                )
    return facts
