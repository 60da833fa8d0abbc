"""Sentences that release a model under a licence: "Our models are released under the
Apache 2.0 license", "We make the weights available under CC-BY-NC 4.0".

A licence only counts when the thing released is the paper's own model, its weights or
checkpoints (or its code, kept apart as ``code_license``): a licence of a dataset, of
the projects a corpus keeps, or of a tool the authors use is not the model's; nor is the
licence of the paper itself ("License: CC-BY 4.0"), which releases nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbuild.normalize.cues import Cued, fold
from kbuild.normalize.license import licenses_at

# "released", "licensed", "made publicly available", "open-sourced", "distributed"
RELEASE = Cued(
    re.compile(
        r"\b(?:releas(?:e|es|ed|ing)|licen[cs]ed|(?:publicly\s+|freely\s+|openly\s+)?available|"
        r"open[\s-]?sourc(?:e|es|ed|ing)|distribut(?:e|es|ed|ing)|publish(?:es|ed|ing)?|"
        r"shar(?:e|es|ed|ing))\b",
        re.I,
    )
)
# "under the", "under an open-source", "under the terms of the"
UNDER = Cued(
    re.compile(
        r"\bunder\s+(?:the\s+|an?\s+|their\s+|its\s+)?(?:terms\s+of\s+(?:the\s+)?)?"
        r"(?:(?:permissive|open[\s-]source|custom|commercially[\s-]permissive)\s+)?\[?$",
        re.I,
    )
)
MODEL_WORDS = re.compile(
    r"\b(?:models?|weights|checkpoints?|parameters|LLMs?|variants?|versions?)\b", re.I
)
CODE_WORDS = Cued(
    re.compile(r"\b(?:code|codebase|source\s+code|implementation|library|software|toolkit)\b", re.I)
)
# What a paper releases or keeps that is not its model: data, corpora, other projects.
NOT_THE_MODEL = Cued(
    re.compile(
        r"\b(?:data(?:sets?)?|corpus|corpora|benchmarks?|projects?|repositor(?:y|ies)|"
        r"documents?|images?|annotations?|prompts?|responses?|samples?|articles?|books?|"
        r"files?)\b",
        re.I,
    )
)
# "we use X released under MIT", "built on a tokenizer distributed under …"
USED = Cued(
    re.compile(
        r"\b(?:use[ds]?|using|adopt(?:s|ed|ing)?|built\s+(?:on|upon|with)|based\s+on|"
        r"derived\s+from|borrow(?:s|ed)?|from\s+the)\b",
        re.I,
    )
)
RELEASE_WINDOW = 120


@dataclass(frozen=True)
class LicenceStatement:
    """Where a sentence names the licence it releases something under, and what."""

    start: int
    end: int
    licence: str  # the normalized id
    field: str  # 'license' (the model, its weights) or 'code_license' (code only)


def licence_released(text: str, own_named: bool, own_voice: bool) -> LicenceStatement | None:
    """The licence a sentence releases the paper's model (or code) under, if it does.

    ``own_named``: the sentence names the model; ``own_voice``: it speaks as the authors
    or, in the abstract, of the released models. One licence per sentence: two licences
    ("weights under CC-BY-NC, code under Apache 2.0") are left alone.
    """
    if not UNDER.possible(fold(text)):  # (UNDER must match before the licence)
        return None
    found = licenses_at(text)
    if len({licence for _, _, licence in found}) != 1:
        return None
    start, end, licence = found[0]
    under = UNDER.search(text[max(0, start - 50) : start])
    if not under:
        return None
    under_start = max(0, start - 50) + under.start()
    released = text[:under_start]
    clause = re.split(r"[;:]", released)[-1]
    if not RELEASE.search(clause[-RELEASE_WINDOW:]):
        return None
    if NOT_THE_MODEL.search(released) or USED.search(released):
        return None
    model = MODEL_WORDS.search(released)
    code = CODE_WORDS.search(released)
    if not (own_named or (own_voice and (model or code))):
        return None
    field = "code_license" if code and not model else "license"
    return LicenceStatement(start, end, licence, field)
