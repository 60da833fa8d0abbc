"""Pretraining architecture → 'encoder' | 'decoder' | 'encoder-decoder' | 'state-space'.

A mixture of experts is no architecture of its own here (Mixtral is a decoder, Switch
Transformer an encoder-decoder): it qualifies the architecture a sentence states with it.
A hybrid of state-space and attention layers (Jamba, Zamba) is not a state-space model.
"""

from __future__ import annotations

import re

from kbuild.normalize.cues import AnyOf, Cued, fold
from kbuild.normalize.result import Normalized

ENC_DEC = Cued(
    re.compile(
        r"encoder\s*(?:/|-|–|and|&|\+)\s*decoder|seq(?:uence)?[\s-]*to[\s-]*seq(?:uence)?|seq2seq"
        r"|text-to-text",
        re.I,
    )
)
DEPENDS = re.compile(r"depend|\bor\b", re.I)
STATE_SPACE = Cued(re.compile(r"state[\s-]+space|(?-i:\bSSMs?\b)", re.I))
# "hybrid SSM-Transformer", "Transformer-Mamba", "attention and SSM layers"
HYBRID = Cued(re.compile(r"hybrid|transformer|attention", re.I))


def normalize_architecture(text: str | None) -> Normalized:
    """'Encoder/Decoder', 'sequence-to-sequence' → 'encoder-decoder'; 'Decoder' → 'decoder';
    'state space model' → 'state-space'."""
    raw = (text or "").strip()
    if not raw:
        return Normalized(None, "empty")
    both = re.search(r"encoder", raw, re.I) and re.search(r"dec\w*der", raw, re.I)
    if DEPENDS.search(raw) and both:
        return Normalized(None, "ambiguous")
    if re.search(r"\bu-?net\b|diffusion", raw, re.I):
        # Imagen's "frozen text encoder + U-net": not an encoder model
        return Normalized(None, "unrecognized")
    if STATE_SPACE.search(raw):
        if HYBRID.search(raw):
            return Normalized(None, "ambiguous")
        return Normalized("state-space")
    if ENC_DEC.search(raw):
        return Normalized("encoder-decoder")
    lowered = raw.lower()
    if re.search(r"\bdecoder(?:[\s-]only)?\b|\bcausal\b|\bautoregressive\b", lowered):
        if "encoder" not in lowered:
            return Normalized("decoder")
    if re.search(r"\bencoder(?:[\s-]only)?\b|\bbidirectional\b", lowered):
        if "decoder" not in lowered:
            return Normalized("encoder")
    return Normalized(None, "unrecognized")


# Phrases that state an architecture inside prose, in the order they are tried.
PHRASES: list[tuple[str, str]] = [
    (
        r"encoder[\s-]+decoder|encoder\s+and\s+(?:a\s+)?decoder|sequence[\s-]+to[\s-]+sequence"
        r"|seq2seq|text[\s-]+to[\s-]+text\s+(?:transformer|model|framework|format)",
        "encoder-decoder",
    ),
    (
        r"decoder[\s-]+only|transformer\s+decoder|causal\s+language\s+model|"
        r"autoregressive\s+(?:language\s+)?model|based\s+on\s+the\s+GPT\s+architecture|"
        r"left-to-right\s+language\s+model",
        "decoder",
    ),
    (
        r"encoder[\s-]+only|bidirectional\s+(?:transformer|encoder)|"
        r"bidirectional\s+encoder\s+representations",
        "encoder",
    ),
    (
        r"(?:selective\s+)?(?:structured\s+)?state[\s-]+space\s+(?:sequence\s+)?"
        r"(?:language\s+)?(?:models?|architecture|backbone)|(?-i:selective\s+SSMs?)|"
        r"(?-i:SSM)[\s-]+(?:language\s+)?(?:model|architecture|backbone)",
        "state-space",
    ),
]
_PHRASES = [(Cued(re.compile(p, re.I)), arch) for p, arch in PHRASES]
# A state-space phrase in a sentence about a hybrid, or joined to a Transformer or to
# attention ("SSM-Transformer", "attention and state space layers"), is a hybrid's.
_HYBRID = Cued(re.compile(r"\bhybrid\b|\binterleav", re.I))
_JOINED_BEFORE = re.compile(r"(?:transformer|attention)\s*(?:-|/|\+|&|\band\b)\s*$", re.I)
_JOINED_AFTER = re.compile(r"^\s*(?:-|/|\+|&|\band\b)\s*(?:transformer|attention)", re.I)
MIXTURE_OF_EXPERTS = Cued(
    re.compile(
        r"(?:sparse(?:ly[\s-]+(?:activated|gated))?\s+)?mixture[\s-]+of[\s-]+experts?"
        r"|(?-i:\bS?MoE\b)",
        re.I,
    )
)


_ANY_PHRASE = AnyOf(pattern for pattern, _ in _PHRASES)


def architectures_at(text: str) -> list[tuple[int, int, str]]:
    """(start, end, architecture) of every phrase in prose that states one."""
    folded = fold(text)
    if not _ANY_PHRASE.possible(folded):
        return []
    return sorted(
        (match.start(), match.end(), arch)
        for pattern, arch in _PHRASES
        for match in pattern.finditer(text, folded=folded)
        if not (arch == "state-space" and _hybrid(text, match.start(), match.end()))
    )


def _hybrid(text: str, start: int, end: int) -> bool:
    """Whether a state-space phrase at ``start:end`` speaks of a hybrid with attention."""
    return bool(
        _HYBRID.search(text)
        or _JOINED_BEFORE.search(text[max(0, start - 20) : start])
        or _JOINED_AFTER.match(text[end : end + 20])
    )


def mixtures_of_experts_at(text: str) -> list[tuple[int, int]]:
    """(start, end) of every phrase naming a (sparse) mixture of experts."""
    return [m.span() for m in MIXTURE_OF_EXPERTS.finditer(text)]


def architecture_in(text: str, skip=None) -> tuple[str, str] | None:
    """(phrase, architecture) when prose states exactly one architecture, else None.
    ``skip(start)`` says a phrase at ``start`` is denied ("not an autoregressive model")."""
    found = architecture_stated(text, (lambda start, end: skip(start)) if skip else None)
    return (found[0], found[1].value) if found else None


def architecture_stated(text: str, skip=None) -> tuple[str, Normalized] | None:
    """(phrase, architecture) when prose states exactly one architecture, qualified
    'mixture of experts' when the sentence also says it is one ("a decoder-only sparse
    mixture of experts"). ``skip(start, end)`` says a phrase is denied or not the
    model's."""
    found: dict[str, str] = {}
    for start, end, arch in architectures_at(text):
        if not (skip and skip(start, end)):
            found.setdefault(arch, text[start:end])
    if len(found) != 1:
        return None
    arch, phrase = next(iter(found.items()))
    # "an image Transformer encoder and an autoregressive text Transformer decoder": a
    # decoder named beside an encoder is one half of an encoder-decoder, no
    # decoder; and a causal objective listed beside a masked one is one of a model's
    # objectives ("supports causal, masked and translation language modeling": XLM)
    other = {
        "decoder": r"\bencoders?\b|masked\s+language\s+model",
        "encoder": r"\bdecoders?\b",
    }.get(arch)
    if other and re.search(other, text, re.I) and not re.search(r"only", phrase, re.I):
        return None
    experts = [span for span in mixtures_of_experts_at(text) if not (skip and skip(*span))]
    return phrase, Normalized(arch, qualifier="mixture of experts" if experts else None)
