"""One regex for many words: a trie, so that matching a thousand names or aliases costs one
pass over the text rather than a thousand alternatives tried at every position."""

from __future__ import annotations

import re
from collections.abc import Iterable


def trie_pattern(words: Iterable[str], space: str = r"\s") -> str:
    """A regex (no flags, no anchors) matching any of ``words``, longest first. A space in
    a word matches ``space`` (e.g. any run of whitespace, for text broken across lines)."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [
            (space if char == " " else re.escape(char)) + build(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)
