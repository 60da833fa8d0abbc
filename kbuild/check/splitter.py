"""pysbd, the sentence splitter, with its two costs that grow with a post's length cut.

- Finding each sentence's offsets: pysbd compiles a regular expression of every
  sentence it found (``re.escape(sentence)``) and searches the text with it; here it is
  ``str.find`` with the same rule (the first occurrence ending after the previous
  sentence, spaces after it included).
- Its abbreviation rules build their patterns from ~200 abbreviations at every call
  (``re.sub(r"(?<=\\s{abbr})…", …)``): more distinct patterns than the 512 ``re`` keeps
  compiled, so on a long post every call compiled them again (a quarter of `check`'s
  time on a 5 MB post). pysbd's modules get a ``re`` whose compiled patterns are kept.

The sentences are pysbd's own, offset for offset (``tests/test_check_splitter.py``).
"""

from __future__ import annotations

import functools
import re

SPACES = re.compile(r"\s*")
# patterns kept compiled for pysbd (its own are ~1,000; a text's are few more)
KEPT = 20_000


class _KeptPatterns:
    """``re`` for pysbd: the same functions, over patterns compiled once."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, int], re.Pattern] = {}

    def _get(self, pattern, flags: int = 0) -> re.Pattern:
        if isinstance(pattern, re.Pattern):
            return pattern
        key = (pattern, int(flags))
        found = self._compiled.get(key)
        if found is None:
            if len(self._compiled) >= KEPT:
                self._compiled.clear()
            found = self._compiled[key] = re.compile(pattern, flags)
        return found

    def compile(self, pattern, flags=0):
        return self._get(pattern, flags)

    def search(self, pattern, string, flags=0):
        return self._get(pattern, flags).search(string)

    def match(self, pattern, string, flags=0):
        return self._get(pattern, flags).match(string)

    def fullmatch(self, pattern, string, flags=0):
        return self._get(pattern, flags).fullmatch(string)

    def findall(self, pattern, string, flags=0):
        return self._get(pattern, flags).findall(string)

    def finditer(self, pattern, string, flags=0):
        return self._get(pattern, flags).finditer(string)

    def split(self, pattern, string, maxsplit=0, flags=0):
        return self._get(pattern, flags).split(string, maxsplit)

    def sub(self, pattern, repl, string, count=0, flags=0):
        return self._get(pattern, flags).sub(repl, string, count)

    def subn(self, pattern, repl, string, count=0, flags=0):
        return self._get(pattern, flags).subn(repl, string, count)

    def __getattr__(self, name):  # escape, IGNORECASE, Pattern, …
        return getattr(re, name)


@functools.cache
def segmenter():
    """An English pysbd segmenter with character offsets (made once)."""
    import importlib
    import pkgutil

    import pysbd
    from pysbd.utils import TextSpan

    kept = _KeptPatterns()
    for module in pkgutil.walk_packages(pysbd.__path__, "pysbd."):
        loaded = importlib.import_module(module.name)
        if getattr(loaded, "re", None) is re:
            loaded.re = kept

    class Segmenter(pysbd.Segmenter):
        def sentences_with_char_spans(self, sentences):
            # pysbd's rule: a sentence is where it first occurs (spaces after it
            # included) ending after the one before
            text, spans, prior = self.original_text, [], 0
            for sentence in sentences:
                at = 0
                while (start := text.find(sentence, at)) >= 0:
                    end = SPACES.match(text, start + len(sentence)).end()
                    if end > prior:
                        spans.append(TextSpan(text[start:end], start, end))
                        prior = end
                        break
                    at = end if end > start else start + 1
            return spans

    return Segmenter(language="en", clean=False, char_span=True)
