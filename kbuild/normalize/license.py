"""Licences → an SPDX id, 'LicenseRef-<name>' for bespoke licences, or 'proprietary'.

The openness words of the source ("Open", "Limited, non-commercial") stay in the fact's
value; only the licence itself is normalized.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files

from kbuild.normalize.cues import AnyOf, Cued, fold
from kbuild.normalize.result import Normalized


@dataclass(frozen=True)
class Licence:
    """A licence kbuild names (one entry of ``data/licences.toml``)."""

    id: str
    name: str
    patterns: tuple[str, ...]
    commercial: bool | None = None
    weights: bool = False
    models: tuple[str, ...] = ()
    hub: tuple[str, ...] = ()


def _load() -> list[Licence]:
    data = tomllib.loads(files("kbuild.normalize").joinpath("data/licences.toml").read_text())
    return [
        Licence(
            id=entry["id"],
            name=entry["name"],
            patterns=tuple(entry["patterns"]),
            commercial=entry.get("commercial"),
            weights=entry.get("weights", False),
            models=tuple(entry.get("models", ())),
            hub=tuple(entry.get("hub", ())),
        )
        for entry in data["licence"]
    ]


LICENCES: list[Licence] = _load()
BY_ID: dict[str, Licence] = {licence.id: licence for licence in LICENCES}
# (pattern, licence id), first match wins; specific before general.
LICENSES: list[tuple[str, str]] = [(p, lic.id) for lic in LICENCES for p in lic.patterns]
_COMPILED = [(Cued(re.compile(p, re.I)), spdx) for p, spdx in LICENSES]
_ANY_LICENCE = AnyOf(pattern for pattern, _ in _COMPILED)
# A table's licence cell that says only how a model is reached (LLMSurvey's category;
# Epoch's accessibility is the fact `access`, kbuild.normalize.access): closed models are
# proprietary;
# open weights say how open, not which licence.
CLOSED = re.compile(r"^(?:api access|unreleased|hosted access\b.*|closed(?: source)?)$", re.I)
OPENNESS = re.compile(
    r"^(?:open weights\b.*|open(?:ly)? (?:source|access\w*)|publicly accessi?b\w*)$", re.I
)
BESPOKE = Cued(re.compile(r"bespoke|non-?commercial|research only|custom licen[cs]e", re.I))


def applies(licence: Licence, names: list[str]) -> bool:
    """Whether a licence can be this model's: a bespoke licence written for named models
    is only theirs ("Llama 2" fits Llama 2 and Llama 2-Chat, not LLaMA or Llama 3.1)."""
    from kbuild.config import name_key

    if not licence.models:
        return True
    for name in names:
        key = name_key(name)
        for model in licence.models:
            wanted = name_key(model)
            rest = key[len(wanted) :]
            if key.startswith(wanted) and not rest[:1].isdigit():
                return True
    return False


def bespoke_for(model_name: str, non_commercial: bool) -> Licence | None:
    """The one bespoke licence kbuild knows was written for this model ("Limited,
    non-commercial" for OPT is the OPT-175B License), if there is exactly one (among the
    non-commercial ones when the text says non-commercial)."""
    found = [lic for lic in LICENCES if lic.models and applies(lic, [model_name])]
    if non_commercial:
        found = [lic for lic in found if lic.commercial is False] or found
    return found[0] if len(found) == 1 else None


def licenses_at(text: str) -> list[tuple[int, int, str]]:
    """(start, end, licence id) of every named licence in prose ("under the Apache 2.0
    license"); closed models and bespoke licences are left to the table readers."""
    found = []
    folded = fold(text)
    if not _ANY_LICENCE.possible(folded):
        return found
    for pattern, spdx in _COMPILED:
        if spdx == "proprietary":
            continue
        for match in pattern.finditer(text, folded=folded):
            if not any(s <= match.start() < e for s, e, _ in found):
                found.append((match.start(), match.end(), spdx))
    return sorted(found)


def normalize_license(text: str | None, model_name: str | None = None) -> Normalized:
    """'Open, Apache-2.0' → 'Apache-2.0'; 'Closed source' → 'proprietary'; a bespoke,
    unnamed licence → 'LicenseRef-<model>-License' when the model is known."""
    raw = (text or "").strip()
    if not raw or raw.lower() in {"n/a", "na", "unknown", "-"}:
        return Normalized(None, "empty")
    if re.fullmatch(r"LicenseRef-[A-Za-z0-9.+-]+", raw):
        return Normalized(raw)  # already canonical (a card kbuild wrote)
    folded = fold(raw)
    for pattern, spdx in _COMPILED if _ANY_LICENCE.possible(folded) else ():
        if pattern.search(raw, folded=folded):
            return Normalized(spdx)
    if CLOSED.match(raw):
        return Normalized("proprietary")
    if OPENNESS.match(raw):
        return Normalized(None, "openness_only")
    if BESPOKE.search(raw):
        known = (
            bespoke_for(model_name, bool(re.search(r"non-?commercial", raw, re.I)))
            if model_name
            else None
        )
        if known is not None:
            # the licence written for the model, under its stable id
            return Normalized(known.id, qualifier="bespoke")
        if model_name:
            name = re.sub(r"[^A-Za-z0-9.]+", "-", model_name).strip("-")
            return Normalized(f"LicenseRef-{name}-License", qualifier="bespoke")
        return Normalized(None, "unnamed_bespoke")
    return Normalized(None, "unrecognized")


# Whether a licence allows commercial use (True), forbids it (False), or says nothing
# that settles it (None: a closed model is no licence to use it at all).
COMMERCIAL_USE = {lic.id: lic.commercial for lic in LICENCES if lic.commercial is not None}


def licence_name(licence: str | None) -> str | None:
    """The name to show for a licence id ("LicenseRef-Llama-2-Community-License" → "Llama 2
    Community License Agreement"); an id kbuild does not know is shown as it is."""
    if not licence:
        return None
    known = BY_ID.get(licence)
    return known.name if known else licence


def title_licence(text: str) -> Licence | None:
    """The licence a licence file's title names (its first lines), if kbuild knows it."""
    head = " ".join(line.strip(" #*<>/\t") for line in text.strip().splitlines()[:3])
    head = re.sub(r"<[^>]+>", " ", head)
    folded = fold(head)
    for pattern, licence_id in _COMPILED:
        if licence_id != "proprietary" and pattern.search(head, folded=folded):
            return BY_ID[licence_id]
    return None


def commercial_use(licence: str | None) -> bool | None:
    """Whether the licence (a normalized id) allows commercial use, when kbuild knows."""
    if not licence:
        return None
    if licence in COMMERCIAL_USE:
        return COMMERCIAL_USE[licence]
    if re.search(r"non-?commercial|research", licence, re.I):
        return False
    return None


def licences_agree(a: str, a_qualifier: str | None, b: str, b_qualifier: str | None) -> bool:
    """Whether two normalized licences are one claim, as ``kbuild check`` reads them: a
    table's bespoke licence (named after the model: "Limited, non-commercial") beside any
    licence written for the model or one that forbids commercial use (Alpaca's CC BY-NC),
    and a licence beside the same licence adopted by a project ("OpenRAIL-M" and the
    "BigCode OpenRAIL-M")."""
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    if a == b:
        return True
    for other, qualifier in ((b, a_qualifier), (a, b_qualifier)):
        if qualifier == "bespoke" and (
            other.startswith("LicenseRef-") or commercial_use(other) is False
        ):
            return True
    if a.startswith("LicenseRef-") and b.startswith("LicenseRef-"):
        short, long = sorted((a[len("LicenseRef-") :], b[len("LicenseRef-") :]), key=len)
        return long.endswith("-" + short)
    return False
