"""How two organisations relate, for a claimed lab against the evidence: the same one,
a parent, an earlier or later name, a lab inside it, a member of a collaboration, or
another organisation. The relations are data (data/organisations.toml)."""

from __future__ import annotations

import functools
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kbuild.normalize.lab import orgs_in

DATA = Path(__file__).parent / "data" / "organisations.toml"


@dataclass
class Org:
    name: str
    aliases: list[str] = field(default_factory=list)
    parent: str | None = None
    renamed: str | None = None
    renamed_on: str | None = None
    members: list[str] = field(default_factory=list)
    host: bool = False  # hosts or serves others' models (the Hub, a cloud)
    shown_as: str | None = None  # the organisation a card shows it as
    lab: bool = True  # False: serves models, never makes them (see lab.py)
    formed_on: str | None = None
    before: str | None = None  # its name before formed_on


@functools.cache
def registry() -> dict[str, Org]:
    """Every organisation of the data file, by name."""
    with DATA.open("rb") as handle:
        rows = tomllib.load(handle)["org"]
    return {row["name"]: Org(**row) for row in rows}


@functools.cache
def _alias_pattern() -> tuple[re.Pattern, dict[str, str]]:
    lookup = {a.lower(): org.name for org in registry().values() for a in org.aliases}
    names = sorted(lookup, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![A-Za-z])(?:"
        + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
        + r")(?![A-Za-z])",
        re.I,
    )
    return pattern, lookup


def orgs_named(text: str | None) -> list[str]:
    """The organisations a text names, as finely as the registry knows them ("Google
    Brain", not "Google"), else as kbuild's lab normalizer names them."""
    if not text:
        return []
    pattern, lookup = _alias_pattern()
    found: list[str] = []
    for match in pattern.finditer(text):
        name = lookup[re.sub(r"\s+", " ", match.group(0).lower())]
        if name not in found:
            found.append(name)
    rest = pattern.sub(" ", text)
    for name in orgs_in(rest):
        if name not in found:
            found.append(name)
    return found


def orgs_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, organisation) of every organisation the text names: the registry's
    names first, then kbuild's lab normalizer's for the rest."""
    return list(_orgs_spans(text))


# `check` asks twice of each sentence (who it mentions, then which lab it gives a model)
@functools.lru_cache(maxsize=256)
def _orgs_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    from kbuild.normalize.lab import orgs_at

    pattern, lookup = _alias_pattern()
    found = []
    for match in pattern.finditer(text):
        word = re.sub(r"\s+", " ", match.group(0))
        if word.lower() in ("meta", "mosaic", "deci", "berkeley") and not word[0].isupper():
            continue
        if word.isupper() is False and word.upper() in ("FAIR", "AWS", "MSR", "TII", "BAIR"):
            continue
        found.append((match.start(), match.end(), lookup[word.lower()]))
    for start, end, org in orgs_at(text):
        if not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, org))
    return tuple(sorted(found))


def _chain(name: str, link: str) -> list[str]:
    """The organisations reached from ``name`` by following ``link`` ("parent": its
    parent, that one's parent …; "renamed": the names it took later)."""
    chain, seen = [], {name}
    org = registry().get(name)
    while org and getattr(org, link) and getattr(org, link) not in seen:
        chain.append(getattr(org, link))
        seen.add(getattr(org, link))
        org = registry().get(getattr(org, link))
    return chain


def relation(claimed: str, evidence: str, date: str | None = None) -> str:
    """'same', 'renamed', 'parent' (the claim names the evidence's parent), 'narrower'
    (a lab inside the evidence's organisation), 'member' (of the evidence's
    collaboration, or the other way round) or 'other'. ``date``: the model's, so an earlier
    name used after the rename means the renamed organisation ("DeepMind" for a 2024
    model is Google DeepMind)."""
    if claimed == evidence:
        return "same"
    if claimed in _chain(evidence, "renamed"):
        return "renamed"  # the later name of the evidence's organisation
    if evidence in _chain(claimed, "renamed"):
        # an earlier name: the same organisation, unless the later one merged several
        # ("Google Brain" and "DeepMind" became Google DeepMind)
        merged = [o for o in registry().values() if o.renamed == evidence]
        renamed_on = registry()[claimed].renamed_on
        after = bool(date and renamed_on and date[: len(renamed_on)] >= renamed_on)
        return "renamed" if len(merged) <= 1 or after else "narrower"
    if claimed in _chain(evidence, "parent"):
        return "parent"
    if evidence in _chain(claimed, "parent"):
        return "narrower"
    registry_ = registry()
    if claimed in getattr(registry_.get(evidence), "members", []) or evidence in getattr(
        registry_.get(claimed), "members", []
    ):
        return "member"
    return "other"


AGREE = {"same", "renamed", "parent"}
NOT_AGAINST = {"narrower", "member"}


def is_host(text: str) -> bool:
    """Whether the text names an organisation that hosts or serves others' models (the
    Hub, a cloud): "from Hugging Face" says where a model is, not who made it."""
    return any(getattr(registry().get(name), "host", False) for name in orgs_named(text))


def merged_into(earlier: str, later: str) -> bool:
    """Whether ``later`` is the name several organisations took together, one of them
    ``earlier`` (Google Brain and DeepMind became Google DeepMind)."""
    merged = [o.name for o in registry().values() if o.renamed == later]
    return len(merged) > 1 and earlier in merged


def _canonical(name: str) -> str:
    """A lab as the registry names it ("Reka" → "Reka AI"); else as written."""
    if name in registry():
        return name
    _, lookup = _alias_pattern()
    return lookup.get(" ".join(name.lower().split()), name)


def labs_agree(card: str | None, other: str | None, date: str | None = None) -> bool:
    """Whether two lists of labs (JSON, as facts store them) say the same as far as the
    registry knows: every lab of one is the same as, a later or earlier name of, the
    parent of, a lab inside, or a member of, a lab of the other ("DeepMind" and "Google
    DeepMind"; "Google" for a Google DeepMind model; BigScience and Hugging Face). Used
    as the SQL function ``kbuild_labs_agree`` when conflicts are built."""
    try:
        ours = [_canonical(n) for n in json.loads(card or "[]") if isinstance(n, str)]
        theirs = [_canonical(n) for n in json.loads(other or "[]") if isinstance(n, str)]
    except (ValueError, TypeError):  # not a JSON list of names: no lab value at all
        return False
    if not ours or not theirs:
        return False
    related = AGREE | NOT_AGAINST

    def covered(names: list[str], by: list[str]) -> bool:
        return all(
            any(relation(n, m, date) in related or relation(m, n, date) in related for m in by)
            for n in names
        )

    return covered(theirs, ours) or covered(ours, theirs)
