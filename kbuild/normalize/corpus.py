"""Training corpora → a sorted set of canonical dataset names (sizes stay in the value)."""

from __future__ import annotations

import functools
import re

from kbuild.normalize.cues import AnyOf, Cued, fold
from kbuild.normalize.result import Normalized, reference

DATASETS: dict[str, list[str]] = {
    "BookCorpus": [r"book[\s-]*corpus", r"toronto\s+book[\s-]*corpus", r"books[\s-]*corpus"],
    "English Wikipedia": [r"(?:english\s+)?wikipedia"],
    # C4 is matched case-sensitively (not "c4" in prose), but its long name in any case
    "C4": [r"\bC4\b", r"(?i:colossal\s+clean(?:ed)?\s+crawled\s+corpus)"],
    "mC4": [r"\bmC4\b"],
    "WebText": [r"(?<!open)(?<!open )webtext(?!2)"],
    "WebText2": [r"webtext2"],
    "OpenWebText": [r"open[\s-]*web[\s-]*text(?!2)"],
    "OpenWebText2": [r"openwebtext2"],
    "CC-News": [r"cc[\s-]*news"],
    "Stories": [r"\bstories\b", r"cc-stories"],
    "The Pile": [r"(?:the\s+)?\bpile\b"],
    "ROOTS": [r"\bROOTS\b"],
    "Common Crawl": [r"common[\s-]*crawl"],
    "Giga5": [r"giga5", r"gigaword\s*5?"],
    "ClueWeb 2012-B": [r"clueweb\s*2012-?b?"],
    "CC-100": [r"cc-?100"],
    "CC25": [r"\bcc25\b"],
    "RealNews": [r"realnews"],
    "HugeNews": [r"hugenews"],
    "MassiveText": [r"massive\s*text"],
    "GitHub": [r"\bgithub\b"],
    "arXiv": [r"(?<!on )(?<!in )\barxiv\b(?![:.]\s?\d)"],  # not "published on arXiv", not a stamp
    "Books1": [r"\bbooks1\b"],
    "Books2": [r"\bbooks2\b"],
    "Books3": [r"\bbooks3\b"],
    "Project Gutenberg": [r"gutenberg"],
    "Stack Exchange": [r"stack[\s-]*exchange"],
    "Reddit": [r"reddit"],
    "Wikidata": [r"wikidata"],
    "LAION": [r"laion"],
    "ImageNet": [r"imagenet"],
    "ShareGPT": [r"sharegpt"],
}
_COMPILED = {
    name: Cued(re.compile("|".join(patterns), re.I if name not in {"ROOTS", "C4", "mC4"} else 0))
    for name, patterns in DATASETS.items()
}
_ANY_DATASET = AnyOf(_COMPILED.values())
# "C4 --- cleaned up version of the Common Crawl", "LAION-5B, derived from Common Crawl",
# "crawling all links at Reddit": a dataset or site named only as the source of another
# corpus is not itself a training corpus.
SOURCE_OF = re.compile(
    r"\b(?:version\s+of|derived\s+from|links\s+(?:at|from|on|to|posted\s+to))\s+(?:the\s+)?$",
    re.I,
)
# "Arabic Wikipedia" is not English Wikipedia
OTHER_LANGUAGE = re.compile(r"\b(?!English\b)[A-Z][a-z]{3,12}\s+$")


def datasets_at(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) of every training dataset the text names — not one
    named only as the source of another ("a version of Common Crawl")."""
    return list(_datasets_at(text))


# `check` asks twice of a sentence that gives a value (what it names, which corpus)
@functools.lru_cache(maxsize=256)
def _datasets_at(text: str) -> tuple[tuple[int, int, str], ...]:
    found = []
    folded = fold(text)
    if not _ANY_DATASET.possible(folded):
        return ()
    for name, pattern in _COMPILED.items():
        for m in pattern.finditer(text, folded=folded):
            if SOURCE_OF.search(text[max(0, m.start() - 60) : m.start()]):
                continue
            if name == "English Wikipedia" and OTHER_LANGUAGE.search(text[: m.start()]):
                continue
            found.append((m.start(), m.end(), name))
    return tuple(sorted(found))


def datasets_in(text: str, skip=None) -> list[str]:
    """Every canonical dataset the text names (``skip(start)`` says one is denied)."""
    found = {name for start, _, name in datasets_at(text) if not (skip and skip(start))}
    if "OpenWebText2" in found:
        found.discard("OpenWebText")
    if "mC4" in found and not re.search(r"(?<!m)C4", text):
        found.discard("C4")
    return sorted(found)


# What a table writes when it does not know the data.
NO_DATA = re.compile(r"^(?:unspecified(?: unreleased)?|unknown|undisclosed|n/?a|none|-)$", re.I)


def normalize_corpus(text: str | None, split: str | None = None) -> Normalized:
    """'Toronto Book Corpus and Wikipedia (3.3B Tokens)' → ['BookCorpus', 'English Wikipedia'].
    With ``split`` the cell is a list of datasets ('COCO,VQAv2'); names kbuild does not
    know are kept as written."""
    raw = (text or "").strip()
    if not raw or NO_DATA.match(raw):
        return Normalized(None, "empty")
    if split:
        from kbuild.normalize.lab import listed

        items = [i for i in raw.split(split) if not NO_DATA.match(i.strip())]
        found = listed(split.join(items), split, datasets_in)
        return Normalized(sorted(found)) if found else Normalized(None, "empty")
    found = datasets_in(raw)
    if not found:
        return Normalized(None, "reference" if reference(raw) else "unrecognized")
    return Normalized(found)
