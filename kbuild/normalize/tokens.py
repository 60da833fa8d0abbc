"""Training tokens stated in prose ("trained on 1.4T tokens") → the token counts.

Only a count a training verb governs counts: a batch of 4M tokens, a context of 32k tokens,
or the tokens another paper recommends are not what the model was trained on.
"""

from __future__ import annotations

import re

from kbuild.normalize.cues import Cued
from kbuild.normalize.params import SIZE_RE, size_value, unit_trusted
from kbuild.normalize.result import Normalized

# "1.4T tokens", "14.8 trillion diverse and high-quality tokens" (a few words between,
# none of them "parameters")
TOKENS_AFTER = re.compile(r"^[\s-]*(?:(?!param)[A-Za-z][\w-]*,?\s+){0,4}?tokens\b", re.I)
TRAINED = re.compile(r"\b(?:pre-?)?train(?:ed|ing|s)?\b", re.I)
# what may stand between the verb and the count: "on", "for", "with up to" …
GOVERNS = re.compile(r"\b(?:on|for|over|with|using|through)\b", re.I)
# … but not a batch, a context window, a number of steps or a recommendation
NOT_TRAINED_ON = Cued(
    re.compile(
        r"\b(?:batch\w*|context|sequences?|window|length|steps?|warm-?up|vocab\w*|per|each|every|"
        r"after|until|first|last|recommend\w*|suggest\w*)\b",
        re.I,
    )
)
CITATION = re.compile(r"et al\.|\(\d{4}[a-z]?\)|\[\d+(?:[,–-]\s*\d+)*\]")
# "our training dataset contains roughly 1.4T tokens", "we pretrain it on a corpus
# consisting of 8.1T tokens" (with a training word in the clause)
DATA_OF = Cued(
    re.compile(
        r"\b(?:data(?:set)?|corpus|corpora|set|mixture)\s+(?:that\s+)?"
        r"(?:contains?|containing|consists?\s+of|consisting\s+of|compris(?:es|ing)|has|totals?|"
        r"totaling|of)\s+"
        r"(?:roughly\s+|about\s+|approximately\s+|around\s+|over\s+|more\s+than\s+|nearly\s+)?$",
        re.I,
    )
)
CONTINUED = re.compile(r"\b(?:continu\w+|further)\s+(?:pre-?)?$", re.I)
TRAINING_WORD = Cued(re.compile(r"\b(?:pre-?)?train\w*", re.I))
# "1 trillion tokens … for four epochs": the data's size, not the tokens seen
EPOCHS = re.compile(r"\bepochs?\b", re.I)
PER = re.compile(r"^\s*(?:per|each|every|a|/)\b|^\s*/", re.I)
CLAUSE = re.compile(r"[;:]|\b(?:but|while|whereas|although|though)\b", re.I)


def training_tokens_at(text: str) -> list[tuple[int, int, int]]:
    """(start, end, count) of every token count the text says a model was trained on."""
    found = []
    for match in SIZE_RE.finditer(text):
        if not unit_trusted(match):
            continue
        tail = TOKENS_AFTER.match(text[match.end() :])
        if not tail:
            continue
        end = match.end() + tail.end()
        if PER.match(text[end : end + 12]) or EPOCHS.search(text[end : end + 60]):
            continue  # "4M tokens per batch", "tokens per second", "for four epochs"
        clause = CLAUSE.split(text[max(0, match.start() - 100) : match.start()])[-1]
        if CITATION.search(clause):
            continue
        verbs = list(TRAINED.finditer(clause))
        if verbs and CONTINUED.search(clause[: verbs[-1].start()][-25:]):
            continue  # "continued training with 512B tokens": a later model's, not the base's
        if not (DATA_OF.search(clause) and TRAINING_WORD.search(clause)):
            if not verbs:
                continue
            between = clause[verbs[-1].end() :]
            if len(between) > 60 or not GOVERNS.search(between):
                continue
            if NOT_TRAINED_ON.search(between):
                continue
        found.append((match.start(), end, size_value(match)))
    return found


def normalize_tokens(text: str | None) -> Normalized:
    """'1.4T tokens' → [1400000000000]: every token count the text gives."""
    raw = (text or "").strip()
    if not raw:
        return Normalized(None, "empty")
    counts = sorted({size_value(m) for m in SIZE_RE.finditer(raw) if unit_trusted(m)})
    return Normalized(counts) if counts else Normalized(None, "no_count")
