"""How a model can be reached — not its licence: Epoch's "Model accessibility" and the
like → 'unreleased', 'api', 'hosted', 'open weights (restricted)', 'open weights', or
'open source' (weights and code).

"Unreleased" says nobody outside the lab has the model; it says nothing of the licence
an academic model's code is under. So access is a field of its own, and a licence claim
of "closed source" is what access levels confirm.
"""

from __future__ import annotations

import re

from kbuild.normalize.result import Normalized

# (pattern, level), first match wins: restricted before unrestricted
LEVELS: list[tuple[str, str]] = [
    (r"\bunreleased\b|not\s+released|no\s+access", "unreleased"),
    (r"\bhosted\b", "hosted"),  # before "API": "Hosted access (no API)"
    (r"\bapi\b", "api"),
    (
        r"open\s+weights?\s*\((?:restricted|non-?commercial)[^)]*\)|restricted\s+use",
        "open weights (restricted)",
    ),
    (r"open\s+weights?", "open weights"),
    (r"open[\s-]+source|open\s+access", "open source"),
]
_COMPILED = [(re.compile(p, re.I), level) for p, level in LEVELS]
# the levels that are no licence to use the weights at all
CLOSED = frozenset({"unreleased", "api", "hosted"})


def normalize_access(text: str | None) -> Normalized:
    """'API access' → 'api'; 'Open weights (restricted use)' → 'open weights (restricted)'."""
    raw = (text or "").strip()
    if not raw:
        return Normalized(None, "empty")
    for pattern, level in _COMPILED:
        if pattern.search(raw):
            return Normalized(level)
    return Normalized(None, "unrecognized")
