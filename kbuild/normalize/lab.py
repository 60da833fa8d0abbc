"""Labs → canonical organisations through the registry's aliases
(data/organisations.toml; also stored as ``orgs``)."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from kbuild.normalize.alternation import trie_pattern
from kbuild.normalize.result import Normalized


@functools.cache
def _registry() -> list[dict]:
    """The organisations of data/organisations.toml, as written."""
    with (Path(__file__).parent / "data" / "organisations.toml").open("rb") as handle:
        return tomllib.load(handle)["org"]


def _orgs() -> dict[str, list[str]]:
    """Canonical organisation → aliases: every organisation of the registry that makes
    models, under the name a card shows it by (``shown_as``, else its own)."""
    found: dict[str, list[str]] = {}
    for org in _registry():
        if org.get("lab", True):
            found.setdefault(org.get("shown_as", org["name"]), []).extend(org["aliases"])
    return found


# canonical organisation → aliases (case-insensitive, matched on word boundaries)
ORGS: dict[str, list[str]] = _orgs()
# an organisation named before it existed → the name of that era ("Google DeepMind" for a
# 2014 model is DeepMind); one named after a rename → its later name
_FORMED = {o["name"]: (o["formed_on"], o["before"]) for o in _registry() if "formed_on" in o}
_RENAMED = {
    o["name"]: (o["renamed_on"], o["renamed"])
    for o in _registry()
    if "renamed" in o and o.get("shown_as", o["name"]) == o["name"]
}
# Hugging Face Hub namespaces of the labs that publish their own checkpoints there.
HUB_NAMESPACES = {
    "google": "Google",
    "google-bert": "Google",
    "google-t5": "Google",
    "facebook": "Meta",
    "meta-llama": "Meta",
    "openai": "OpenAI",
    "openai-community": "OpenAI",
    "microsoft": "Microsoft",
    "mistralai": "Mistral AI",
    "Qwen": "Alibaba",
    "deepseek-ai": "DeepSeek",
    "tiiuae": "Technology Innovation Institute",
    "EleutherAI": "EleutherAI",
    "bigscience": "BigScience",
    "allenai": "Allen Institute for AI",
    "Salesforce": "Salesforce",
    "nvidia": "NVIDIA",
    "baidu": "Baidu",
    "distilbert": "Hugging Face",
    "stanford-crfm": "Stanford University",
    "databricks": "Databricks",
    "CohereForAI": "Cohere",
}

_ALIASES = sorted(
    ((alias, org) for org, aliases in ORGS.items() for alias in aliases),
    key=lambda pair: -len(pair[0]),
)


# spaces in an alias match any run of whitespace (PDF lines break anywhere)
@functools.cache
def _pattern() -> re.Pattern:
    # compiled when first needed: a run that normalizes nothing does not pay for it
    return re.compile(
        r"(?<![A-Za-z])(?:"
        + trie_pattern({" ".join(alias.lower().split()) for alias, _ in _ALIASES}, space=r"\s+")
        + r")(?![A-Za-z])",
        re.I,
    )


# Aliases that are also ordinary words count only when written with a capital.
_PROPER_WORDS = {
    "meta", "apple", "cohere", "mila", "inflection", "princeton", "intel", "moonshot",
    "mosaic", "deci", "berkeley", "reka", "konan", "inception", "zhipu",
}  # fmt: skip
_CASE_SENSITIVE = {
    "UW", "LMU", "TII", "AI2", "FAIR", "MSR", "AWS", "HKU", "UCL", "CMU", "BAAI", "MIT", "NYU",
    "KAIST", "UCLA", "NAVER", "INRIA", "THUDM", "KT", "TTIC", "BAIR", "TIIUAE", "GCP",
}  # fmt: skip
_LOOKUP = {re.sub(r"\s+", " ", alias.lower()): org for alias, org in _ALIASES}


def org_rows() -> list[dict]:
    """Rows of the ``orgs`` table: one per alias, with its canonical organisation."""
    return [{"alias": alias, "org": org} for org, aliases in ORGS.items() for alias in aliases]


def orgs_at(text: str, date: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, canonical organisation) of every organisation the text names."""
    found = []
    for match in _pattern().finditer(text):
        word = re.sub(r"\s+", " ", match.group(0))
        if word.upper() in _CASE_SENSITIVE and word != word.upper():
            continue
        if word.lower() in _PROPER_WORDS and not word[0].isupper():
            continue  # "meta-learning" is not Meta
        org = era_name(_LOOKUP[word.lower()], date)
        found.append((match.start(), match.end(), org))
    return found


def era_name(org: str, date: str | None) -> str:
    """The organisation's name at ``date`` (a model's): 'DeepMind' in 2024 is 'Google
    DeepMind', 'Google DeepMind' in 2014 'DeepMind' (see data/organisations.toml)."""
    if not date:
        return org
    for table, later in ((_RENAMED, True), (_FORMED, False)):
        if org not in table:
            continue
        boundary, other = table[org]
        if len(date) < len(boundary) and boundary.startswith(date):
            return org  # "2023" for an April 2023 rename: before or after, nobody says
        if (date >= boundary) == later:
            return other
    return org


def orgs_in(text: str, date: str | None = None) -> list[str]:
    """Every organisation the text names, in order of appearance."""
    found: list[str] = []
    for _, _, org in orgs_at(text, date):
        if org not in found:
            found.append(org)
    return found


# Cell text that names nobody.
NOBODY = {"n/a", "na", "unknown", "-", "none", "unspecified", "various", "inc.", "inc", "ltd"}


def listed(text: str, split: str, canonical) -> list[str]:
    """The names of a list cell ('Hugging Face,BigScience'): each item through
    ``canonical`` (which returns the canonical names it finds), or kept as written when
    it finds none — a table's list of organisations or datasets is an open vocabulary."""
    found: list[str] = []
    for item in text.split(split):
        item = " ".join(item.split()).strip(" .;")
        if not item or item.lower() in NOBODY or not re.search(r"[A-Za-z]", item):
            continue
        for name in canonical(item) or [item]:
            if name not in found:
                found.append(name)
    return found


def normalize_lab(
    text: str | None, date: str | None = None, split: str | None = None
) -> Normalized:
    """'Google AI Language' → ['Google']; 'CMU/Google' → ['Carnegie Mellon University',
    'Google']; 'Deepmind' for a 2024 model → ['Google DeepMind']. With ``split`` the cell
    is a list of organisations, and names kbuild does not know are kept as written."""
    raw = (text or "").strip()
    if not raw or raw.lower() in NOBODY:
        return Normalized(None, "empty")
    if split:
        found = listed(raw, split, lambda item: orgs_in(item, date))
        return Normalized(found) if found else Normalized(None, "empty")
    found = orgs_in(raw, date)
    if not found:
        return Normalized(None, "unrecognized")
    return Normalized(found)
