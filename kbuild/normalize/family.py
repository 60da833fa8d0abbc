"""Model families → canonical family names."""

from __future__ import annotations

import functools
import re

from kbuild.normalize.result import Normalized

FAMILIES: dict[str, list[str]] = {
    "BERT": [r"BERT"],
    "RoBERTa": [r"RoBERTa"],
    "GPT": [r"GPT(?:-?\d(?:\.\d)?)?"],
    "T5": [r"T5"],
    "BART": [r"BART"],
    "LLaMA": [r"LLaMA", r"Llama"],
    "PaLM": [r"PaLM"],
    "Chinchilla": [r"Chinchilla"],
    "Transformer": [r"(?:vanilla\s+)?Transformer"],
    "Transformer-XL": [r"Transformer[\s-]XL"],
    "GLM": [r"GLM"],
    "ViT": [r"ViT"],
    "CLIP": [r"CLIP"],
    "GLIDE": [r"GLIDE"],
    "Diffusion": [r"Diffusion(?:\s+models?)?"],
    "HTLM": [r"HTLM"],
    "Pythia": [r"Pythia"],
    "SE(3) Transformer": [r"SE\(3\)[\s-]Transformer"],
    "Control Transformers": [r"Control Transformers"],
    "Mistral": [r"Mistral"],
    "Gemma": [r"Gemma"],
    "Qwen": [r"Qwen"],
    "DeepSeek": [r"DeepSeek"],
    "Mamba": [r"Mamba"],
}


@functools.cache
def _compiled() -> list[tuple[str, re.Pattern]]:
    # compiled when first needed, longest name first
    found = [
        (name, re.compile("|".join(rf"(?<![A-Za-z]){p}(?![A-Za-z])" for p in patterns), re.I))
        for name, patterns in FAMILIES.items()
    ]
    return sorted(found, key=lambda item: -len(item[0]))


def normalize_family(text: str | None) -> Normalized:
    """'BERT for encoder, GPT for Decoder' → ['BERT', 'GPT']; 'GPT/BERT/T5' → three."""
    raw = (text or "").strip()
    if not raw:
        return Normalized(None, "empty")
    found = []
    spans: list[tuple[int, int]] = []
    # longer names first, so "Transformer XL" is not also read as "Transformer"
    for name, pattern in _compiled():
        for match in pattern.finditer(raw):
            if any(s <= match.start() < e for s, e in spans):
                continue
            spans.append(match.span())
            if name not in found:
                found.append(name)
    if not found:
        return Normalized(None, "unrecognized")
    return Normalized(sorted(found))
