"""Judge one claim against the knowledge base, through the same normalizers as extract.

Verdicts: supported, contradicted, partially_supported, malformed, not_checkable,
no_evidence. A claim is judged against the most trusted source (the card's fact); when
sources disagree the explanation says so, and a claim is never 'supported' only by a
weaker source.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils

from kbuild.config import name_key
from kbuild.extract.facts import normalize
from kbuild.fields import FREE_TEXT_FIELDS, SET_FIELDS
from kbuild.normalize.dates import same_date
from kbuild.normalize.params import TOLERANCE, close, covers, human
from kbuild.normalize.result import Normalized, reference
from kbuild.store import PREFERENCE_ORDER
from kbuild.tables.links import link_ids

VERDICTS = (
    "supported",
    "partially_supported",
    "contradicted",
    "malformed",
    "not_checkable",
    "no_evidence",
)
PASTE_FIELDS = {"extension", "application", "corpus", "params"}
PASTE_RATIO = 0.9
PASTE_MIN_LENGTH = 12


@dataclass
class Verdict:
    verdict: str
    explanation: str
    fact: dict | None = None
    normalized: Normalized | None = None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`\\]", "", text or "")).strip().lower()


def _show(field: str, normalized: str | None) -> str:
    if normalized is None:
        return "—"
    if field == "params":
        return ", ".join(human(n) for n in json.loads(normalized))
    if normalized.startswith("["):
        return ", ".join(json.loads(normalized))
    return normalized


def _where(fact: dict) -> str:
    return f"{fact['source']} (fact {fact['id']})"


class KnowledgeBase:
    """What check needs from the database, loaded once."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.models = []
        self.by_key: dict[str, dict] = {}
        for row in db.query("select id, name, aliases, hf_doc_slug, arxiv_id from models"):
            row["aliases"] = json.loads(row["aliases"] or "[]")
            self.models.append(row)
            for name in [row["name"], *row["aliases"]]:
                self.by_key.setdefault(name_key(name), row)
        self.evidence: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for fact in db.query(
            # the same order as the cards, so a claim meets the fact its card shows
            f"select * from evidence e where normalized is not null order by {PREFERENCE_ORDER}"
        ):
            self.evidence[(fact["model_id"], fact["field"])].append(fact)
        self.catalog_cells: dict[str, list[dict]] = defaultdict(list)
        for fact in db.query(
            "select * from evidence where source = 'catalog' and field in "
            "('extension', 'application', 'corpus', 'params')"
        ):
            self.catalog_cells[fact["field"]].append(fact)

    def resolve(self, name: str | None) -> dict | None:
        """The model a post names, through names and aliases."""
        if not name:
            return None
        found = self.by_key.get(name_key(name))
        if found is None:
            # "BERT (2018)" or "GPT-3: the big one": try the name's leading words
            words = re.split(r"[\s:(,]+", name)
            for count in range(len(words) - 1, 0, -1):
                found = self.by_key.get(name_key(" ".join(words[:count])))
                if found:
                    break
        return found

    def closest(self, name: str, n: int = 3) -> list[str]:
        """Up to ``n`` known names or aliases closest to ``name``."""
        names = {m["name"] for m in self.models} | {a for m in self.models for a in m["aliases"]}
        return difflib.get_close_matches(name, sorted(names), n=n, cutoff=0.5)

    def own_catalog(self, model_id: str, field: str) -> dict | None:
        """This model's own catalog fact for ``field``, if any."""
        for fact in self.catalog_cells.get(field, []):
            if fact["model_id"] == model_id:
                return fact
        return None


def _pasted(kb: KnowledgeBase, model: dict, field: str, text: str) -> dict | None:
    """Another model's catalog fact whose text this claim repeats, when this model's
    own evidence says something else."""
    if field not in PASTE_FIELDS or len(text.strip()) < PASTE_MIN_LENGTH:
        return None
    claim = _squash(text)
    own = kb.own_catalog(model["id"], field)
    if own and difflib.SequenceMatcher(None, claim, _squash(own["value"])).ratio() >= PASTE_RATIO:
        return None
    best, best_ratio = None, PASTE_RATIO
    for fact in kb.catalog_cells.get(field, []):
        if fact["model_id"] == model["id"]:
            continue
        other = _squash(fact["value"])
        if abs(len(other) - len(claim)) > 0.2 * max(len(other), len(claim)):
            continue
        ratio = difflib.SequenceMatcher(None, claim, other).ratio()
        if ratio >= best_ratio:
            best, best_ratio = fact, ratio
    return best


def _compare_sets(claimed: list, found: list) -> str:
    claimed_set, found_set = set(claimed), set(found)
    if claimed_set == found_set:
        return "supported"
    if claimed_set & found_set:
        return "partially_supported"
    return "contradicted"


def _compare_params(claimed: list[int], found: list[int], is_range: bool = False) -> str:
    """Sizes as sets, each within the tolerance; against a range ("7B to 65B"), every
    claimed size must lie in it and both ends must be claimed."""
    if is_range:
        low, high = found[0] * (1 - TOLERANCE), found[-1] * (1 + TOLERANCE)
        inside = [c for c in claimed if low <= c <= high]
        ends = all(any(close(f, c) for c in claimed) for f in found)
        if len(inside) == len(claimed) and ends:
            return "supported"
        return "partially_supported" if inside else "contradicted"
    hits = [c for c in claimed if any(close(c, f) for f in found)]
    covered = all(any(close(f, c) for c in claimed) for f in found)
    if len(hits) == len(claimed) and covered:
        return "supported"
    if hits:
        return "partially_supported"
    return "contradicted"


def compare(field: str, claimed: Normalized, fact: dict) -> str:
    """The verdict of a normalized claim against one fact."""
    found = fact["normalized"]
    if field == "date":
        return "supported" if same_date(claimed.value, found) else "contradicted"
    if field == "params":
        return _compare_params(claimed.value, json.loads(found), fact.get("qualifier") == "range")
    if field in SET_FIELDS:
        return _compare_sets(claimed.value, json.loads(found))
    return "supported" if str(claimed.value) == found else "contradicted"


def _normalize_claim(kb: KnowledgeBase, model: dict, field: str, text: str) -> Normalized:
    if field == "date":
        return normalize("date", text)
    if field == "lab":
        # like extract: "DeepMind" for a model from after the 2023 merger is Google DeepMind
        dates = kb.evidence.get((model["id"], "date"))
        return normalize("lab", text, date=dates[0]["normalized"] if dates else None)
    if field == "link":
        slug, arxiv_id = link_ids(text)
        return Normalized(slug or arxiv_id or text.strip() or None)
    claimed = normalize(field, text, model_name=model["name"])
    target = reference(text)
    if claimed.value is None and target:
        # "Same as BERT": the claim is BERT's card value
        other = kb.resolve(target)
        facts = kb.evidence.get((other["id"], field), []) if other else []
        if facts:
            value = facts[0]["normalized"]
            return Normalized(
                json.loads(value) if value.startswith("[") else value,
                qualifier=f"as {other['name']}",
            )
    return claimed


def judge(
    kb: KnowledgeBase, model: dict | None, model_name: str | None, field: str, text: str
) -> Verdict:
    """The verdict on one claim."""
    if model is None:
        suggestions = kb.closest(model_name or "")
        hint = f"; closest known: {', '.join(suggestions)}" if suggestions else ""
        return Verdict("no_evidence", f"the knowledge base has no model {model_name!r}{hint}")
    pasted = _pasted(kb, model, field, text)
    if pasted:
        other = next((m["name"] for m in kb.models if m["id"] == pasted["model_id"]), "?")
        own = kb.evidence.get((model["id"], field))
        said = f"; {model['name']}'s own evidence: {own[0]['value']!r}" if own else ""
        return Verdict(
            "contradicted",
            f"this text is {other}'s {field} in the catalog (pasted from the neighbouring "
            f"model?){said}",
            pasted,
        )
    if field == "link":
        return _judge_link(kb, model, text)
    claimed = _normalize_claim(kb, model, field, text)
    facts = kb.evidence.get((model["id"], field), [])
    if claimed.value is None:
        if claimed.flag in ("malformed", "unparseable"):
            return Verdict(
                "malformed",
                f"{text!r} cannot be read as a {field} value",
                facts[0] if facts else None,
                claimed,
            )
        if field in FREE_TEXT_FIELDS:
            own = kb.own_catalog(model["id"], field)
            if own and _squash(own["value"]) == _squash(text):
                return Verdict("supported", "the catalog states the same text", own, claimed)
            return Verdict("not_checkable", "free text, not a checkable value", None, claimed)
        return Verdict(
            "not_checkable", f"{text!r} states no {field} value kbuild can compare", None, claimed
        )
    if not facts:
        return Verdict(
            "no_evidence",
            f"no source in the knowledge base states {model['name']}'s {field}",
            None,
            claimed,
        )
    best = facts[0]
    if (
        field == "family"
        and any(model_key_starts(model, family) for family in claimed.value)
        and compare(field, claimed, best) == "contradicted"
    ):
        return Verdict(
            "supported",
            f"{model['name']} heads its own family; {_where(best)} "
            f"groups it under {_show(field, best['normalized'])}",
            best,
            claimed,
        )
    verdict = compare(field, claimed, best)
    explanation = f"{_where(best)} says {_show(field, best['normalized'])}" + (
        f" ({best['qualifier']})" if best.get("qualifier") else ""
    )
    if field == "params":
        explanation += f"; sizes match within {TOLERANCE:.0%}"
    others = [
        f
        for f in facts[1:]
        if f["document_id"] != best["document_id"] and not agree(field, f, best)
    ]
    if others:
        agreeing = [f for f in others if compare(field, claimed, f) == "supported"]
        explanation += "; sources disagree: " + "; ".join(
            f"{_where(f)} says {_show(field, f['normalized'])}" for f in others[:3]
        )
        if agreeing and verdict != "supported":
            explanation += f" — the claim matches {agreeing[0]['source']}, a less trusted source"
    return Verdict(verdict, explanation, best, claimed)


def agree(field: str, a: dict, b: dict) -> bool:
    """Whether two facts are compatible, as the conflicts view counts it: dates at the
    coarser precision, lists when one contains the other, other values equal."""
    if field == "date":
        return same_date(a["normalized"], b["normalized"])
    if field == "params":
        x, y = json.loads(a["normalized"]), json.loads(b["normalized"])
        return covers(x, y) or covers(y, x)
    if field in SET_FIELDS:
        x, y = set(json.loads(a["normalized"])), set(json.loads(b["normalized"]))
        return x <= y or y <= x
    return a["normalized"] == b["normalized"]


def model_key_starts(model: dict, family: str) -> bool:
    """'LLaMA' is the family of LLaMA, 'T5' of T5: the model's name starts with it."""
    key = name_key(family)
    return bool(key) and any(
        name_key(n).startswith(key) for n in [model["name"], *model["aliases"]]
    )


def _judge_link(kb: KnowledgeBase, model: dict, text: str) -> Verdict:
    """A link to an HF doc page or an arXiv paper is checked against the model's own."""
    slug, arxiv_id = link_ids(text)
    if slug and model.get("hf_doc_slug"):
        ok = slug == model["hf_doc_slug"]
        return Verdict(
            "supported" if ok else "contradicted",
            f"{model['name']}'s HF doc page is model_doc/{model['hf_doc_slug']}",
            (kb.evidence.get((model["id"], "link")) or [None])[0],
        )
    facts = kb.evidence.get((model["id"], "arxiv_id"), [])
    if arxiv_id and facts:
        ok = arxiv_id == facts[0]["normalized"]
        return Verdict(
            "supported" if ok else "contradicted",
            f"{_where(facts[0])} gives arXiv id {facts[0]['normalized']}",
            facts[0],
        )
    return Verdict("not_checkable", "a link kbuild has no record to compare with")
