"""Parameter counts → a sorted JSON list of integers, one per released size.

Text that looks like a size but is not one ("340MT", "b12M") is flagged 'malformed' and
never guessed; text with no count at all ("Same as GPT3", "N/A") is flagged 'no_count'.
"""

from __future__ import annotations

import re

from kbuild.normalize.result import Normalized, reference

UNITS = {
    "m": 10**6,
    "mn": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "billions": 10**9,
    "t": 10**12,
    "trillion": 10**12,
    "trillions": 10**12,
}
# Thousands are left out on purpose: "100K" in a paper is steps or tokens, not parameters.
_UNIT = r"(?:millions?|billions?|trillions?|mn|bn|[MmBbTt])"
SIZE_RE = re.compile(
    r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)(?P<sep>[\s\u2013\u2014-]?)(?P<unit>"
    + _UNIT
    + r")(?![A-Za-z])"
)
NUMBER_WITH_SUFFIX = re.compile(r"^\d+(?:\.\d+)?([A-Za-z]+)$")
LETTERS_BEFORE_SIZE = re.compile(r"^[A-Za-z]+\d+(?:\.\d+)?[MBTmbt]$")
TOLERANCE = 0.05
RANGE_RE = re.compile(r"\d(?:\.\d+)?\s*(?:[MBT]|[mb]illion|trillion)\w*\s*(?:to|-|–|—)\s*\d", re.I)


def unit_trusted(size: re.Match) -> bool:
    """Whether a size match's unit is one: a lone lower-case 'm', 'b' or 't' after a space
    is a word ("3 b"), not a unit."""
    return not (size["sep"] and len(size["unit"]) == 1 and size["unit"] in "mbt")


def size_value(match: re.Match) -> int:
    """The count a :data:`SIZE_RE` match gives: '1.4T' → 1400000000000."""
    return round(float(match["num"]) * UNITS[match["unit"].lower()])


def garbled(text: str) -> bool:
    """A size with stray letters: '340MT' (a unit then more letters) or 'b12M' (letters
    glued in front). '30x', '40GB' or 'T0pp' are not sizes and are left alone."""
    for token in re.split(r"[^\w.]+", text):
        token = token.strip(".")
        suffix = NUMBER_WITH_SUFFIX.match(token)
        if suffix:
            letters = suffix.group(1)
            if letters.lower() not in UNITS and letters[0] in "MBTmbt" and len(letters) <= 3:
                return True
        elif LETTERS_BEFORE_SIZE.match(token) and token[0].islower():
            return True
    return False


def _is_name_part(text: str, start: int) -> bool:
    """'T0-3B', 'LLaMA-13B': a size glued by '-' to a name belongs to the name... unless
    the name part is itself a size, as in the range '29M-197M'."""
    if start == 0 or text[start - 1] != "-":
        return False
    before = re.search(r"([\w.]+)$", text[: start - 1])
    return bool(before) and not SIZE_RE.fullmatch(before.group(1))


BARE_COUNT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:e\+?\d+)?", re.I)


def normalize_params(text: str | None, unit: str | None = None) -> Normalized:
    """'Base = 110M, Large = 340M' → [110000000, 340000000]; '340MT' → None, 'malformed'.
    A cell that is only a number is a count ('1500000000.0', '1.5e9'), or a count of
    ``unit`` when the table says so ('11' in a 'Size(B)' column)."""
    raw = (text or "").strip()
    if not raw or raw.lower() in {"n/a", "na", "unknown", "-", "–", "—"}:
        return Normalized(None, "empty")
    if BARE_COUNT.fullmatch(raw):
        count = float(raw.replace(",", "")) * (UNITS[unit.lower()] if unit else 1)
        if count < 10_000:
            # "12" or "2020" with no unit is no parameter count (a year, a score)
            return Normalized(None, "no_count")
        return Normalized([round(count)])
    if garbled(raw):
        return Normalized(None, "malformed")
    sizes = set()
    for match in SIZE_RE.finditer(raw):
        unit = match["unit"]
        # A lone lower-case 'm'/'b' after a space is a word ("3 b"), not a unit; 'T' for
        # trillion is only trusted glued to the number ("1.2T", not "2 T")
        if not unit_trusted(match):
            continue
        if _is_name_part(raw, match.start()):
            continue
        sizes.add(size_value(match))
    if not sizes:
        return Normalized(None, "reference" if reference(raw) else "no_count")
    if len(sizes) == 2 and RANGE_RE.search(raw):
        # "from 7B to 65B", "0.5B to 72B", "29M-197M": the ends of a range, not the sizes
        return Normalized(sorted(sizes), qualifier="range")
    return Normalized(sorted(sizes))


def close(a: int, b: int, tolerance: float = TOLERANCE) -> bool:
    """Two sizes agree when they differ by at most ``tolerance`` of the larger."""
    return abs(a - b) <= tolerance * max(a, b)


def covers(big: list[int], small: list[int], tolerance: float = TOLERANCE) -> bool:
    """Every size of ``small`` is close to some size of ``big``."""
    return all(any(close(s, b, tolerance) for b in big) for s in small)


def human(n: int) -> str:
    """110000000 → '110M'."""
    for unit, size in (("T", 10**12), ("B", 10**9), ("M", 10**6)):
        if n >= size:
            return f"{n / size:g}{unit}"
    return str(n)
