"""Pretraining architecture → 'encoder' | 'decoder' | 'encoder-decoder'."""

from __future__ import annotations

import re

from kbuild.normalize.result import Normalized

ENC_DEC = re.compile(
    r"encoder\s*(?:/|-|–|and|&|\+)\s*decoder|seq(?:uence)?[\s-]*to[\s-]*seq(?:uence)?|seq2seq"
    r"|text-to-text",
    re.I,
)
DEPENDS = re.compile(r"depend|\bor\b", re.I)


def normalize_architecture(text: str | None) -> Normalized:
    """'Encoder/Decoder', 'sequence-to-sequence' → 'encoder-decoder'; 'Decoder' → 'decoder'."""
    raw = (text or "").strip()
    if not raw:
        return Normalized(None, "empty")
    both = re.search(r"encoder", raw, re.I) and re.search(r"dec\w*der", raw, re.I)
    if DEPENDS.search(raw) and both:
        return Normalized(None, "ambiguous")
    if re.search(r"\bu-?net\b|diffusion", raw, re.I):
        # Imagen's "frozen text encoder + U-net": not an encoder model
        return Normalized(None, "unrecognized")
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
]
_PHRASES = [(re.compile(p, re.I), arch) for p, arch in PHRASES]


def architectures_at(text: str) -> list[tuple[int, int, str]]:
    """(start, end, architecture) of every phrase in prose that states one."""
    return sorted(
        (match.start(), match.end(), arch)
        for pattern, arch in _PHRASES
        for match in pattern.finditer(text)
    )


def architecture_in(text: str, skip=None) -> tuple[str, str] | None:
    """(phrase, architecture) when prose states exactly one architecture, else None.
    ``skip(start)`` says a phrase at ``start`` is denied ("not an autoregressive model")."""
    found = {}
    for start, end, arch in architectures_at(text):
        if not (skip and skip(start)):
            found.setdefault(arch, text[start:end])
    if len(found) != 1:
        return None
    arch, phrase = next(iter(found.items()))
    return phrase, arch
