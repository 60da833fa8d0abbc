"""Pretraining / fine-tuning tasks → a sorted set of canonical objectives."""

from __future__ import annotations

import functools
import re

from kbuild.normalize.cues import AnyOf, Cued, fold
from kbuild.normalize.result import Normalized, reference

# canonical objective → patterns (matched case-insensitively, on word boundaries)
OBJECTIVES: dict[str, list[str]] = {
    "MLM": [r"MLM", r"masked[\s-]+(?:language[\s-]+model(?:l?ing)?|LM|token prediction)", r"cloze"],
    "NSP": [r"NSP", r"next[\s-]+sentence[\s-]+prediction"],
    "SOP": [r"SOP", r"sentence[\s-]+order(?:ing)?[\s-]+prediction"],
    "PLM": [
        r"PLM",
        r"permutation[\s-]+language[\s-]+model(?:l?ing)?",
        r"permutations of the factorization order",
    ],
    "CLM": [
        r"CLM",
        r"(?<![\w-])LM(?![\w-])",
        r"causal[\s-]+(?:language[\s-]+model(?:l?ing)?|LM)",
        r"next[\s-]+(?:token|word)[\s-]+prediction",
        r"predict the next (?:token|word)",
        r"autoregressive[\s-]+language[\s-]+model(?:l?ing)?",
        r"language modeling objective",
        r"left-to-right language model(?:l?ing)?",
    ],
    "prefix LM": [r"prefix[\s-]+LM", r"prefix[\s-]+language[\s-]+model(?:l?ing)?"],
    "DAE": [r"DAE", r"denoising[\s-]+auto-?encod(?:er|ing)", r"denoising"],
    "span corruption": [
        r"span[\s-]+corruption",
        r"span[\s-]+masking",
        r"corrupt(?:ed|ing)? spans?",
    ],
    "GSG": [r"GSG", r"gap[\s-]+sentences?(?:[\s-]+generation)?"],
    "RTD": [r"RTD", r"replaced[\s-]+token[\s-]+detection"],
    "blank infilling": [r"blank[\s-]+infilling"],
    "FIM": [r"FIM", r"fill[\s-]+in[\s-]+the[\s-]+middle"],
    "distillation": [r"distill(?:ation|ed)?"],
    "instruction tuning": [
        # "an instruction-tuned variant" describes a checkpoint, not the objective
        r"instruction[\s-]+(?:tuning|following|fine-?tuning)",
        r"human instructions",
        r"instructions for zero-shot",
    ],
    "RLHF": [r"RLHF", r"reinforcement learning from human feedback", r"RLHP"],
    "contrastive": [r"contrastive"],
    "mixture of denoisers": [r"mixture[\s-]+of[\s-]+denoisers"],
}
# "masked language modeling objective" is MLM, not a causal "language modeling objective"
_NOT_CAUSAL = r"(?<!masked )(?<!masked-)(?<!permutation )(?<!permuted )(?<!prefix )"


@functools.cache
def _compiled() -> dict[str, Cued]:
    # compiled when first needed: a run that normalizes nothing does not pay for it
    return {
        name: Cued(
            re.compile(
                "|".join(
                    f"(?<![A-Za-z]){_NOT_CAUSAL if name == 'CLM' else ''}(?:{p})(?![A-Za-z])"
                    for p in patterns
                ),
                re.I,
            )
        )
        for name, patterns in OBJECTIVES.items()
    }


@functools.cache
def _any_objective() -> AnyOf:
    return AnyOf(_compiled().values())


# Acronyms must be written in capitals to count ("lm" inside prose is not an objective).
_ACRONYMS = {"MLM", "NSP", "SOP", "PLM", "DAE", "GSG", "RTD", "RLHF", "FIM"}


def objectives_at(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical objective) of every objective the text names."""
    found = []
    folded = fold(text)
    if not _any_objective().possible(folded):
        return found
    for name, pattern in _compiled().items():
        for match in pattern.finditer(text, folded=folded):
            word = match.group(0)
            if word.upper() in _ACRONYMS | {"LM", "RLHP"} and word != word.upper():
                continue
            found.append((match.start(), match.end(), name))
    return sorted(found)


def objectives_in(text: str, skip=None) -> list[str]:
    """Every canonical objective the text names (``skip(start)`` says one is denied:
    "removing the next sentence prediction objective")."""
    found = {name for start, _, name in objectives_at(text) if not (skip and skip(start))}
    if "span corruption" in found:
        found.discard("DAE")  # T5's span corruption is a kind of denoising; keep the specific one
    if "prefix LM" in found:
        found.discard("CLM")
    return sorted(found)


def normalize_task(text: str | None) -> Normalized:
    """'MLM/NSP' → ['MLM', 'NSP']; 'LM' → ['CLM']; 'Same as base model' → None."""
    raw = (text or "").strip()
    if not raw:
        return Normalized(None, "empty")
    found = objectives_in(raw)
    if not found:
        return Normalized(None, "reference" if reference(raw) else "unrecognized")
    return Normalized(found)
