"""The words a regex cannot match without: a text that holds none of them is not searched.

Python's ``re`` tries every alternative of a pattern at every position of the text, and
most sentences state no objective and no architecture; a substring test over the
lower-cased sentence is two orders of magnitude cheaper. The cues are read from the
pattern itself (never written by hand, so a new alternative cannot forget its cue), and
only words a match must contain are kept, so skipping a text changes no result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

try:  # the parser re compiles with (Python 3.11 names it re._parser)
    from re import _constants as _sre
    from re import _parser
except ImportError:  # pragma: no cover - an interpreter without it searches every text
    _parser = _sre = None

# The characters other than ASCII letters that re.IGNORECASE matches to an ASCII letter
# (tests/test_cues.py checks every code point): folded first, so a match is always a
# substring of the folded text.
ASCII_TWINS = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


def fold(text: str) -> str:
    """The text as the cues are looked for in it: lower case, letters that match an
    ASCII letter when case is ignored spelled as that letter, and every other character
    beyond ASCII a "?" (cue words are ASCII: see :func:`_required`)."""
    if not text.isascii():
        # (str.replace, not str.translate: translating a long page char by char was
        # slower than the regex it saves)
        for twin, letter in ASCII_TWINS:
            if twin in text:
                text = text.replace(twin, letter)
        # lower() of a page with one emoji takes the slow path for every character, and
        # a substring test over it is slower too: an ASCII text is a third of the cost
        text = text.encode("ascii", "replace").decode("ascii")
    return text.lower()


# A pattern's cues: alternatives, each a set of strings a match holds all of.
Cues = frozenset[frozenset[str]]
# More alternatives than this and a part of a sequence is left out of its cues (fewer
# cues rule out fewer texts, never a text the pattern matches).
MOST_ALTERNATIVES = 32


def cues(pattern: re.Pattern) -> Cues | None:
    """Alternatives of lower-case strings, each of which every match of ``pattern``
    contains all of (one alternative at least), or None when the pattern has no such
    words (or they cannot be read)."""
    if _parser is None:
        return None
    try:
        return _simplest(_required(list(_parser.parse(pattern.pattern, pattern.flags)))) or None
    except Exception:  # noqa: BLE001 - a pattern (or a parse tree) it cannot read is searched
        return None


def _admits(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether every text that holds all of ``b`` holds all of ``a``."""
    return all(any(x in y for y in b) for x in a)


def _simplest(alternatives: Cues) -> Cues:
    """The alternatives without those another one already admits: {"causal", "lm"} goes
    when {"lm"} is there (a text with both has "lm"), {"clm"} too ("clm" holds "lm"). Of
    two that admit each other ({"ab"} and {"ab", "b"}) one stays, the first in sorted
    order: dropping both would skip texts only they let through."""

    def key(words: frozenset[str]) -> list[str]:
        return sorted(words)

    return frozenset(
        b
        for b in alternatives
        if not any(
            a != b and _admits(a, b) and (not _admits(b, a) or key(a) < key(b))
            for a in alternatives
        )
    )


def _required(items: list) -> Cues:
    """The cues of a sequence of parsed items: each run of ASCII literals, and what a
    group or alternation inside it must match (an empty set: nothing known)."""
    parts: list[Cues] = []
    run: list[str] = []
    for op, arg in items:
        if op is _sre.LITERAL and arg < 128:
            run.append(chr(arg).lower())
            continue
        if run:
            parts.append(frozenset([frozenset(["".join(run)])]))
            run = []
        inner = _inner(op, arg)
        if inner:
            parts.append(inner)
    if run:
        parts.append(frozenset([frozenset(["".join(run)])]))
    together: Cues = frozenset()
    for part in sorted(parts, key=len):
        if not together:
            together = part
        elif len(together) * len(part) <= MOST_ALTERNATIVES:
            together = frozenset(a | b for a in together for b in part)
    return together


def _inner(op, arg) -> Cues:
    """The cues of a group, a repeat that matches at least once, or an alternation."""
    if op is _sre.SUBPATTERN:
        return _required(list(arg[3]))
    if op is _sre.ATOMIC_GROUP:
        return _required(list(arg))
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and arg[0] >= 1:
        return _required(list(arg[2]))
    if op is _sre.BRANCH:
        branches = [_required(list(branch)) for branch in arg[1]]
        if all(branches):
            return frozenset().union(*branches)
    return frozenset()


class Cued:
    """A compiled pattern that skips a text holding none of its cues: ``search`` and
    ``finditer`` give what the pattern's own would."""

    __slots__ = ("regex", "alternatives", "_firsts")

    def __init__(self, regex: re.Pattern):
        self.regex = regex
        found = cues(regex)
        # the rarest-looking word of each alternative first: most texts fail on it
        self.alternatives = (
            None
            if found is None
            else tuple(tuple(sorted(c, key=len, reverse=True)) for c in sorted(found, key=len))
        )
        # every alternative needs its first word: a text with none of them is ruled out
        # by one pass in C (map over str.__contains__), no loop in Python
        self._firsts = tuple(together[0] for together in self.alternatives or ())

    @property
    def first_words(self) -> tuple[str, ...] | None:
        """The first cue word of each alternative: a match holds one of them (None: the
        pattern has no cues)."""
        return None if self.alternatives is None else self._firsts

    @property
    def pattern(self) -> str:
        """The regex's source, as ``re.Pattern.pattern``."""
        return self.regex.pattern

    def possible(self, folded: str) -> bool:
        """Whether the pattern can match a text whose :func:`fold` is ``folded``."""
        if self.alternatives is None:
            return True
        if not any(map(folded.__contains__, self._firsts)):
            return False
        for together in self.alternatives:
            for cue in together:
                if cue not in folded:
                    break
            else:
                return True
        return False

    def finditer(self, text: str, *, folded: str | None = None) -> Iterator[re.Match]:
        """The pattern's matches in ``text`` (``folded`` is ``fold(text)`` when the
        caller has it)."""
        if self.possible(fold(text) if folded is None else folded):
            return self.regex.finditer(text)
        return iter(())

    def search(self, text: str, *, folded: str | None = None) -> re.Match | None:
        """``pattern.search(text)``, None at once for a text without the cues."""
        if self.possible(fold(text) if folded is None else folded):
            return self.regex.search(text)
        return None


class AnyOf:
    """Several cued patterns asked of one text: a text that holds none of their first
    cue words matches none of them, found by one pass in C instead of one call per
    pattern (most sentences name no dataset, licence, objective or architecture)."""

    __slots__ = ("firsts",)

    def __init__(self, patterns: Iterable[Cued]):
        words: set[str] = set()
        for pattern in patterns:
            if pattern.alternatives is None:
                words = set()
                self.firsts = None  # a pattern without cues may match any text
                return
            words.update(pattern.first_words)
        # a word that holds another is there only if the other is: the other suffices
        self.firsts: tuple[str, ...] | None = tuple(
            sorted(w for w in words if not any(v != w and v in w for v in words))
        )

    def possible(self, folded: str) -> bool:
        """Whether one of the patterns can match a text whose :func:`fold` is ``folded``."""
        return self.firsts is None or any(map(folded.__contains__, self.firsts))
