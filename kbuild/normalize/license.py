"""Licences → an SPDX id, 'LicenseRef-<name>' for bespoke licences, or 'proprietary'.

The openness words of the source ("Open", "Limited, non-commercial") stay in the fact's
value; only the licence itself is normalized.
"""

from __future__ import annotations

import re

from kbuild.normalize.result import Normalized

# (pattern, licence id), first match wins; specific before general.
LICENSES: list[tuple[str, str]] = [
    (r"llama\s*3(?:\.\d)?\s+community", "LicenseRef-Llama-3-Community-License"),
    (r"llama\s*2\s+community", "LicenseRef-Llama-2-Community-License"),
    (r"llama[\s-]*2\s+licen[cs]e", "LicenseRef-Llama-2-Community-License"),
    (r"\bllama\s+licen[cs]e", "LicenseRef-LLaMA-License"),
    (r"gemma\s+(?:terms|licen[cs]e)", "LicenseRef-Gemma-Terms-of-Use"),
    (r"bigscience\s+(?:open\s*)?rail[\s-]*(?:license\s*)?v?1\.0", "LicenseRef-BigScience-RAIL-1.0"),
    (r"bigscience\s+(?:open\s*)?rail", "LicenseRef-BigScience-RAIL-1.0"),
    (r"bigcode\s+open\s*rail(?:[\s-]*m)?", "LicenseRef-BigCode-OpenRAIL-M"),
    (r"creativeml\s+open\s*rail\+\+-m", "LicenseRef-CreativeML-OpenRAIL++-M"),
    (r"creativeml\s+open\s*rail-?m", "CreativeML-OpenRAIL-M"),
    (r"modified\s+mit", "LicenseRef-Modified-MIT"),
    (r"\bopen\s*rail(?:[\s-]*m)?\b", "LicenseRef-OpenRAIL-M"),
    (r"apache[\s-]*(?:license[\s,]*)?(?:version\s*)?2(?:\.0)?", "Apache-2.0"),
    (r"\bmit\b", "MIT"),
    (r"bsd[\s-]*3[\s-]*clause", "BSD-3-Clause"),
    (r"bsd[\s-]*2[\s-]*clause", "BSD-2-Clause"),
    (r"cc[\s-]*by[\s-]*nc[\s-]*sa[\s-]*4\.0", "CC-BY-NC-SA-4.0"),
    (r"cc[\s-]*by[\s-]*nc[\s-]*4\.0", "CC-BY-NC-4.0"),
    (r"cc[\s-]*by[\s-]*sa[\s-]*4\.0", "CC-BY-SA-4.0"),
    (r"cc[\s-]*by[\s-]*4\.0", "CC-BY-4.0"),
    (r"\bgpl[\s-]*3|gnu general public license v3", "GPL-3.0-only"),
    (
        r"closed[\s-]*source|proprietary|not released|api only|only through (?:an )?api",
        "proprietary",
    ),
]
_COMPILED = [(re.compile(p, re.I), spdx) for p, spdx in LICENSES]
# Epoch's "Model accessibility" and LLMSurvey's category: closed models are proprietary;
# open weights say how open, not which licence.
CLOSED = re.compile(r"^(?:api access|unreleased|hosted access\b.*|closed(?: source)?)$", re.I)
OPENNESS = re.compile(
    r"^(?:open weights\b.*|open(?:ly)? (?:source|access\w*)|publicly accessi?b\w*)$", re.I
)
BESPOKE = re.compile(r"bespoke|non-?commercial|research only|custom licen[cs]e", re.I)


def licenses_at(text: str) -> list[tuple[int, int, str]]:
    """(start, end, licence id) of every named licence in prose ("under the Apache 2.0
    license"); closed models and bespoke licences are left to the table readers."""
    found = []
    for pattern, spdx in _COMPILED:
        if spdx == "proprietary":
            continue
        for match in pattern.finditer(text):
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
    for pattern, spdx in _COMPILED:
        if pattern.search(raw):
            return Normalized(spdx)
    if CLOSED.match(raw):
        return Normalized("proprietary")
    if OPENNESS.match(raw):
        return Normalized(None, "openness_only")
    if BESPOKE.search(raw):
        if model_name:
            name = re.sub(r"[^A-Za-z0-9.]+", "-", model_name).strip("-")
            return Normalized(f"LicenseRef-{name}-License", qualifier="bespoke")
        return Normalized(None, "unnamed_bespoke")
    return Normalized(None, "unrecognized")


# Whether a licence allows commercial use (True), forbids it (False), or says nothing
# that settles it (None: a closed model is no licence to use it at all).
COMMERCIAL_USE = {
    "Apache-2.0": True,
    "MIT": True,
    "BSD-3-Clause": True,
    "BSD-2-Clause": True,
    "CC-BY-4.0": True,
    "CC-BY-SA-4.0": True,
    "GPL-3.0-only": True,
    "CreativeML-OpenRAIL-M": True,
    "LicenseRef-CreativeML-OpenRAIL++-M": True,
    "LicenseRef-BigScience-RAIL-1.0": True,
    "LicenseRef-Modified-MIT": True,
    "LicenseRef-Llama-2-Community-License": True,
    "LicenseRef-Llama-3-Community-License": True,
    "LicenseRef-Gemma-Terms-of-Use": True,
    "LicenseRef-BigCode-OpenRAIL-M": True,
    "LicenseRef-OpenRAIL-M": True,
    "CC-BY-NC-4.0": False,
    "CC-BY-NC-SA-4.0": False,
    "LicenseRef-LLaMA-License": False,
}


def commercial_use(licence: str | None) -> bool | None:
    """Whether the licence (a normalized id) allows commercial use, when kbuild knows."""
    if not licence:
        return None
    if licence in COMMERCIAL_USE:
        return COMMERCIAL_USE[licence]
    if re.search(r"non-?commercial|research", licence, re.I):
        return False
    return None
