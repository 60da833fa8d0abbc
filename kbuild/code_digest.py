"""A digest of kbuild's own source files: what was computed with other code is computed
again (extraction, table matching, the cards built from the facts)."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def code_digest(*patterns: str) -> str:
    """Twelve hex digits over the files matching ``patterns`` (globs under ``kbuild/``)."""
    digest = hashlib.sha256()
    for path in sorted({p for pattern in patterns for p in ROOT.glob(pattern)}):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
