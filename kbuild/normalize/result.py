"""The common return type of the normalizers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Normalized:
    """A canonical value, or None with a ``flag`` saying why (e.g. 'unparseable')."""

    value: Any = None
    flag: str | None = None
    qualifier: str | None = None

    def as_text(self) -> str | None:
        """The value as stored in ``facts.normalized``: text, or JSON for lists."""
        if self.value is None:
            return None
        if isinstance(self.value, (list, tuple)):
            return json.dumps(list(self.value), ensure_ascii=False)
        return str(self.value)


def reference(text: str) -> str | None:
    """'Same as BERT' → 'BERT': the model a catalog cell defers to, if it only does that."""
    import re

    match = re.match(r"^\s*same as\s+([A-Za-z0-9][\w.\- ]*?)\s*[.)]?\s*$", text or "", re.I)
    return match.group(1) if match else None
