"""Score `kbuild check` against a post's gold (tests/gold/<set>/<post>.claims.tsv and
.numbers.tsv, written by reading the post before running the tool).

A gold claim is *found* when the tool reports a claim on its line, for its field, whose
value overlaps the gold value; its *value is right* when the tool gives it to the gold's
model too; its *verdict is right* when the verdict agrees with the gold's truth (true:
supported or partially_supported; false: contradicted; partly: partially_supported or
contradicted). A `contradicted` is *false* when the gold says the claim is true, or when
the claim is not in the gold at all, or was given to another model; a `supported` is
*unsafe* when the gold says it is false, or the sentence denies it.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

GOLD = Path(__file__).parent / "gold"
GOOD = {
    "true": {"supported", "partially_supported"},
    "false": {"contradicted"},
    "partly": {"partially_supported", "contradicted"},
}


def squash(text: str) -> str:
    text = text.replace("✅", " yes ").replace("❌", " no ")
    return re.sub(r"[^a-z0-9.]", "", text.lower().replace("billion", "b").replace("million", "m"))


def name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", (name or "").lower())


def unsized(key: str) -> str:
    """A name without its sizes and a Hub upload's suffixes ("falcon40b" → "falcon",
    "codegen16bmono" → "codegenmono", "dromedary65blorahf" → "dromedary")."""
    key = re.sub(r"(?:lora|hf|delta)+$", "", key)
    return re.sub(r"(?<=[a-z])\d+(?:\.\d+)?[mbt](?=[a-z]|$)", "", key) or key


def read_gold(stem: Path) -> tuple[list[dict], list[dict]]:
    """(claims, numbers) of a post's gold."""

    def rows(path: Path) -> list[dict]:
        if not path.exists():
            return []
        with path.open(newline="", encoding="utf-8") as handle:
            found = list(csv.DictReader(handle, delimiter="\t"))
        for row in found:
            row["line"] = int(row["line"])
        return found

    return rows(stem.with_suffix(".claims.tsv")), rows(stem.with_suffix(".numbers.tsv"))


def _values_meet(gold: str, tool: str, field_: str) -> bool:
    g, t = squash(gold), squash(tool)
    if not g or not t:
        return False
    if field_ == "params":
        # "6" is not in "65B": sizes meet as whole numbers
        if re.search(rf"(?<![0-9.]){re.escape(g)}(?![0-9])", t) or re.search(
            rf"(?<![0-9.]){re.escape(t)}(?![0-9])", g
        ):
            return True
        from kbuild.normalize.params import close, normalize_params

        gv, tv = normalize_params(gold).value, normalize_params(tool).value
        return bool(gv and tv and any(close(a, b) for a in gv for b in tv))
    if g in t or t in g:
        return True
    words = set(re.findall(r"[a-z0-9]{3,}", gold.lower()))
    return bool(words & set(re.findall(r"[a-z0-9]{3,}", tool.lower())))


def _model_names(db, model_id: str | None) -> set[str]:
    if not model_id or db is None:
        return set()
    row = db.execute("select name, aliases from models where id = ?", [model_id]).fetchone()
    if row is None:
        return set()
    return {row[0], *json.loads(row[1] or "[]")}


def model_agrees(gold_model: str, claim: dict, db) -> bool:
    """Whether the tool gave the claim to the gold's model (a size at the end of either
    name aside: sizes released together are one model)."""
    gold = name_key(gold_model)
    # a chat or instruct variant is judged as its model where kbuild has no card of its own
    variant = re.sub(r"(?:chat|instruct|it|base)$", "", gold)
    names = {name_key(n) for n in _model_names(db, claim.get("model_id"))}
    names.add(name_key(claim.get("model") or ""))
    names.discard("")
    return any(
        n == gold or unsized(n) == unsized(gold) or (variant != gold and unsized(n) == variant)
        for n in names
    )


@dataclass
class Score:
    post: str
    gold: int = 0  # asserted gold claims
    found: int = 0
    value_right: int = 0
    verdict_right: int = 0
    unverified: int = 0  # found, right model, verdict unverified / no evidence / unknown
    denied_read: int = 0  # denied gold claims the tool reads as asserted
    tool: int = 0  # tool claims
    spurious: int = 0  # tool claims in no gold row
    numbers_read: int = 0  # tool claims on a gold numbers row (a number that is no claim)
    false_contradicted: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    wrong_model: list[str] = field(default_factory=list)
    spurious_list: list[str] = field(default_factory=list)

    def pct(self, part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f} %" if whole else "—"

    def row(self) -> list[str]:
        return [
            self.post,
            str(self.gold),
            self.pct(self.found, self.gold),
            self.pct(self.value_right, self.found),
            self.pct(self.verdict_right, self.value_right),
            str(len(self.false_contradicted)),
            str(len(self.unsafe)),
            f"{self.spurious} ({self.numbers_read} numbers)",
        ]


HEADER = ["post", "gold", "found", "value right", "verdict right", "false contra.", "unsafe",
          "spurious"]  # fmt: skip


def score(post: str, claims: list[dict], numbers: list[dict], results: list[dict], db) -> Score:
    """Compare the tool's claims (check --format json) with the gold."""
    s = Score(post)
    for g in claims:
        # a licence cell "Commercial use? ❌" denies commercial use: a claim of
        # "non-commercial", as kbuild reads it
        if g["polarity"] == "denied" and g["field"] == "license" and "❌" in g["value"]:
            g["polarity"] = "asserted"
    asserted = [g for g in claims if g["polarity"] != "denied"]
    s.gold = len(asserted)
    by_line: dict[int, list[dict]] = {}
    for r in results:
        by_line.setdefault(r["line"], []).append(r)
    for g in claims:
        near = [
            r
            for r in by_line.get(g["line"], [])
            if r["field"] == g["field"] and _values_meet(g["value"], r["text"], g["field"])
        ]
        label = f"{g['line']} {g['model']} {g['field']} {g['value']!r}"
        if g["polarity"] == "denied":
            if any(r["verdict"] == "supported" for r in near):
                s.unsafe.append(label + " (denied, read as asserted)")
            if near:
                s.denied_read += 1
            continue
        if not near:
            s.missed.append(label)
            continue
        s.found += 1
        mine = [r for r in near if model_agrees(g["model"], r, db)]
        if not mine:
            s.wrong_model.append(label + f" → {near[0]['model']}")
            continue
        s.value_right += 1
        verdicts = {r["verdict"] for r in mine}
        if verdicts & GOOD.get(g["truth"], set()):
            s.verdict_right += 1
        elif verdicts <= {"unverified", "no_evidence", "unknown_model", "not_checkable"}:
            s.unverified += 1
    gold_at = {}
    for g in claims:
        gold_at.setdefault((g["line"], g["field"]), []).append(g)
    number_lines = {n["line"] for n in numbers}
    for r in results:
        s.tool += 1
        rows = [
            g
            for g in gold_at.get((r["line"], r["field"]), [])
            if _values_meet(g["value"], r["text"], r["field"])
        ]
        label = f"{r['line']} {r['model']} {r['field']} {r['text']!r}"
        if not rows:
            s.spurious += 1
            s.spurious_list.append(label + f" → {r['verdict']}")
            if r["line"] in number_lines:
                s.numbers_read += 1
            if r["verdict"] == "contradicted":
                s.false_contradicted.append(label + " (no such claim)")
            continue
        right = [g for g in rows if model_agrees(g["model"], r, db)]
        if r["verdict"] == "contradicted":
            if not right:
                s.false_contradicted.append(label + f" (the claim is {rows[0]['model']}'s)")
            elif all(g["truth"] == "true" for g in right):
                s.false_contradicted.append(label + " (true)")
        if r["verdict"] == "supported" and any(g["truth"] == "false" for g in right):
            s.unsafe.append(label + " (false)")
    return s
