"""arXiv records → arxiv_id, the v1 date, title and authors from the metadata; parameter
counts (a mixture of experts' total and active counts apart), corpora, objectives,
architecture, training tokens and the licence the model is released under, where the
abstract states them.

A record is either an Atom <entry> from the API or one line of the bulk metadata dump;
locators name the element (or JSON key) and the character span in the stored body.
"""

from __future__ import annotations

import functools
import re

from kbuild.extract import extractors
from kbuild.extract.facts import Fact, normalize
from kbuild.extract.statements import Subject, facts_in
from kbuild.extract.text import Region
from kbuild.normalize import Normalized

EXTRACTOR = extractors.ARXIV
METADATA_CONFIDENCE = 0.95
ABSTRACT_CONFIDENCE = 0.7
ID_IN_URL = re.compile(r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")


@functools.cache
def _element_pattern(name: str) -> re.Pattern:
    return re.compile(rf"<(?:\w+:)?{name}(?:\s[^>]*)?>(.*?)</(?:\w+:)?{name}>", re.S)


def _xml_element(body: str, name: str) -> list[tuple[int, int]]:
    """Spans of the text of every <name> element (namespace prefix ignored)."""
    return [m.span(1) for m in _element_pattern(name).finditer(body)]


@functools.cache
def _string_pattern(key: str) -> re.Pattern:
    # a run of plain characters between escapes ("unrolled"): re takes a run at once,
    # where an alternation of one character or an escape went a character at a time
    return re.compile(rf'"{re.escape(key)}"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')


def _json_string(body: str, key: str) -> list[tuple[int, int]]:
    """Spans of the raw (still escaped) string values of ``key`` in a JSON line."""
    return [m.span(1) for m in _string_pattern(key).finditer(body)]


def _analysis_text(raw: str) -> str:
    """The raw text with JSON escapes blanked to spaces of equal length (spans still hold)."""
    return re.sub(r"\\[nrt]", "  ", raw)


def extract(document: dict, model: dict, subject: Subject | None = None) -> list[Fact]:
    """Facts from one arXiv record (an Atom <entry> or a dump line)."""
    body = document["body"] or ""
    is_xml = body.lstrip().startswith("<")
    spans = _xml_element if is_xml else _json_string
    names = {
        "id": "id",
        "date": "published" if is_xml else "created",
        "title": "title",
        "abstract": "summary" if is_xml else "abstract",
    }

    def element(key: str) -> str:
        if key == "date" and not is_xml:
            return "versions[0].created"
        return names.get(key, key)

    base = {"model_id": model["id"], "document_id": document["id"], "extractor": EXTRACTOR}
    facts: list[Fact] = []

    def stated(
        field_key: str,
        key: str,
        span: tuple[int, int],
        normalized: Normalized,
        value: str | None = None,
    ) -> None:
        quote = body[span[0] : span[1]]
        facts.append(
            Fact(
                field=field_key,
                value=value or quote,
                normalized=normalized,
                locator={"element": element(key), "span": list(span)},
                quote=quote,
                confidence=METADATA_CONFIDENCE,
                **base,
            )
        )

    id_spans = spans(body, names["id"])
    if id_spans:
        raw_id = body[id_spans[0][0] : id_spans[0][1]]
        match = ID_IN_URL.search(raw_id)
        if match:
            stated("arxiv_id", "id", id_spans[0], Normalized(match.group(1)))
    date_spans = spans(body, names["date"])
    if date_spans:
        raw_date = body[date_spans[0][0] : date_spans[0][1]]
        stated("date", "date", date_spans[0], normalize("date", raw_date, date_kind="paper_v1"))
    title_spans = spans(body, "title")
    if title_spans:
        title = " ".join(_analysis_text(body[slice(*title_spans[0])]).split())
        stated("title", "title", title_spans[0], Normalized(title))
    if is_xml:
        for position, span in enumerate(spans(body, "name"), start=1):
            stated(
                "authors",
                "name",
                span,
                Normalized(body[slice(*span)].strip(), qualifier=f"author {position}"),
            )
    else:
        for span in spans(body, "authors")[:1]:
            stated("authors", "authors", span, Normalized(body[slice(*span)].strip()))
    abstract_key = element("abstract")
    for span in spans(body, names["abstract"])[:1]:
        region = Region(span[0], span[1], _analysis_text(body[slice(*span)]), "abstract")
        facts += facts_in(
            [region],
            quote_of=lambda s: body[s.start : s.end],
            locator_for=lambda s: {
                "element": abstract_key,
                "span": [s.start, s.end],
            },
            fact_args=base,
            subject=subject or Subject.of(model),
            fields={"params", "corpus", "task", "architecture", "tokens", "license"},
            confidence=ABSTRACT_CONFIDENCE,
        )
    return facts
