"""Judge one claim of a post's card against the knowledge base.

A verdict earns its word:
- ``supported`` — the claim matches the card's value (primary sources first, the first
  known publication for dates, every stated size for params) and a source independent
  of the card's origin says so;
- ``partially_supported`` — part of it matches (one of two labs, some of the sizes);
- ``unverified`` — it matches, but only the table the card was copied from (or a copy
  of that table) says so: the explanation says what evidence would settle it;
- ``contradicted`` — a primary source (the paper, its record, the official docs), or two
  independent witnesses, say otherwise; or the claim is another model's value (pasted
  from a neighbouring row), named with its evidence. One secondary table alone that
  disagrees makes a claim ``unverified``, never ``contradicted``;
- ``malformed`` — the text cannot be read as a value ("340MT");
- ``not_checkable`` — free text or a link kbuild has nothing to compare with;
- ``no_evidence`` — nothing in the knowledge base states it;
- ``unknown_model`` — the knowledge base has no such model: listed, not judged.

Organisations agree with their parent, their earlier or later name ("Google" or
"DeepMind" for a Google DeepMind model); a release date and a paper date are both first
publications; a sentence's sizes that are all among the model's are supported.
Suspect facts (see kbuild.extract.audit) never support a claim.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

from kbuild.cards import credible_dates
from kbuild.check.knowledge import KnowledgeBase, squash
from kbuild.check.origin import Origin
from kbuild.config import name_key
from kbuild.extract.facts import normalize
from kbuild.fields import FREE_TEXT_FIELDS, SET_FIELDS
from kbuild.normalize.access import CLOSED as CLOSED_ACCESS
from kbuild.normalize.dates import same_date
from kbuild.normalize.license import CLOSED, commercial_use
from kbuild.normalize.organisations import (
    AGREE,
    NOT_AGAINST,
    merged_into,
    orgs_named,
    relation,
)
from kbuild.normalize.params import TOLERANCE, close, human
from kbuild.normalize.result import Normalized
from kbuild.tables.links import link_ids

VERDICTS = (
    "supported",
    "partially_supported",
    "unverified",
    "contradicted",
    "malformed",
    "not_checkable",
    "no_evidence",
    "unknown_model",
)
PASTE_FIELDS = {"extension", "application", "corpus", "params"}
PASTE_RATIO = 0.9
PASTE_MIN_LENGTH = 12
# What evidence would settle a claim that only its origin supports.
SETTLE = {
    "date": "the paper's arXiv v1 date or a release announcement",
    "lab": "the paper's first page (its affiliations)",
    "params": "the paper's text or the model's docs stating its sizes",
    "license": "the model's docs, model card or repository licence",
    "architecture": "the paper's abstract or the model's docs",
    "task": "the paper's abstract or text",
    "corpus": "the paper's text on its training data",
    "family": "the paper, or a table independent of this one (Epoch, ecosystem-graphs)",
    "extension": "the paper, or a table independent of this one",
    "application": "the paper, or a table independent of this one",
    "arxiv_id": "the arXiv record or the model's docs",
    "link": "the model's docs",
}


@dataclass
class Verdict:
    """A verdict, why, and the fact it rests on."""

    verdict: str
    explanation: str
    fact: dict | None = None
    normalized: Normalized | None = None


def show(field: str, normalized: str | None) -> str:
    """A normalized value for people: sizes as '110M, 340M', lists joined."""
    if normalized is None:
        return "—"
    if field == "params":
        return ", ".join(human(n) for n in json.loads(normalized))
    if normalized.startswith("["):
        return ", ".join(json.loads(normalized))
    return normalized


def cite(fact: dict) -> str:
    """Which source, where, and in its own words."""
    locator = json.loads(fact["locator"]) if isinstance(fact["locator"], str) else fact["locator"]
    if "page" in locator:
        where = f"page {locator['page']}"
    elif "row" in locator:
        where = f"row {locator['row']}, {locator.get('column')}"
        if locator.get("file"):
            where = f"{locator['file']} " + where
    elif "element" in locator:
        where = str(locator["element"])
    else:
        where = f"section {locator.get('section') or 'top'}"
    quote = " ".join((fact["quote"] or "").split())
    if len(quote) > 160:
        quote = quote[:159] + "…"
    return f'{fact["source"]} ({where}): "{quote}"'


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
    """The verdict of a normalized claim against one value (a fact or a card value)."""
    found = fact["normalized"]
    if field == "date":
        return "supported" if same_date(claimed.value, found) else "contradicted"
    if field == "params":
        return _compare_params(claimed.value, json.loads(found), fact.get("qualifier") == "range")
    if field in SET_FIELDS:
        return _compare_sets(claimed.value, json.loads(found))
    return "supported" if str(claimed.value) == found else "contradicted"


def supports(field: str, claimed: Normalized, fact: dict) -> bool:
    """Whether a fact says (some of) what the claim says."""
    if field in SET_FIELDS:
        return bool(set(claimed.value) & set(json.loads(fact["normalized"])))
    if field == "params":
        sizes = json.loads(fact["normalized"])
        return any(close(c, s) for c in claimed.value for s in sizes)
    return compare(field, claimed, fact) == "supported"


def model_key_starts(model: dict, family: str) -> bool:
    """'LLaMA' is the family of LLaMA, 'T5' of T5: the model's name starts with it."""
    key = name_key(family)
    return bool(key) and any(
        name_key(n).startswith(key) for n in [model["name"], *model["aliases"]]
    )


# --- "Same as X" --------------------------------------------------------------------------

SAME_AS = re.compile(r"^\s*same as\s+(?P<rest>.+?)\s*\.?\s*$", re.I)
# what follows the names: "for pretraining, but …", "except …"
QUALIFIED = re.compile(r"\s+(?:for|except|but|with|in|on)\b|[,;]", re.I)


def resolve_reference(kb: KnowledgeBase, field: str, text: str, model: dict) -> Normalized | None:
    """'Same as BERT', 'Same as GPT3 for pretraining, but …', 'Same as BERT + CC News',
    'Same as X/Y': the named models' card values (and what the claim adds), the way
    tables resolve such cells. None when the text is no reference."""
    match = SAME_AS.match(text)
    if not match:
        return None
    head, *extras = re.split(r"\s+\+\s+|\s*\+\s*(?=[A-Z])", match.group("rest"))
    names_part = QUALIFIED.split(head, maxsplit=1)[0]
    names = [n for n in re.split(r"\s*/\s*|\s+and\s+", names_part) if n.strip()]
    values: list = []
    referred = []
    for name in names:
        other = kb.resolve(name)
        card = kb.cards.get((other["id"], field)) if other else None
        if card is None:
            return Normalized(None, "reference", f"as {name}")
        referred.append(other["name"])
        value = (
            json.loads(card["normalized"])
            if card["normalized"].startswith("[")
            else card["normalized"]
        )
        if isinstance(value, list):
            values += [v for v in value if v not in values]
        elif not values:
            values = value
    for extra in extras:
        added = normalize(field, extra, model_name=model["name"]).value
        if isinstance(values, list) and isinstance(added, list):
            values += [v for v in added if v not in values]
    if isinstance(values, list) and field == "params":
        values = sorted(values)
    return Normalized(values, qualifier=f"as {'/'.join(referred)}" + (" + more" if extras else ""))


def normalize_claim(kb: KnowledgeBase, model: dict, field: str, text: str) -> Normalized:
    """A claim through the same normalizers as extract (and "Same as X" resolved)."""
    if field == "lab":
        # like extract: "DeepMind" for a model from after the 2023 merger is Google DeepMind
        card = kb.cards.get((model["id"], "date"))
        found = normalize("lab", text, date=card["normalized"] if card else None)
        if found.value is None and orgs_named(text):
            # an organisation only the registry knows ("TIIUAE", "LMSYS")
            return Normalized(orgs_named(text))
        return found
    if field == "date":
        return normalize("date", text)
    if field in FREE_TEXT_FIELDS:
        # text a source wrote word for word is that source's value, whatever it refers
        # to ("Same as GPT-2 with ...": ORKG keeps it as written, the catalog resolves it)
        card = kb.cards.get((model["id"], field))
        same = [
            f
            for f in kb.evidence.get((model["id"], field), [])
            if squash(f["value"]) == squash(text)
        ]
        same.sort(key=lambda f: not card or f["id"] != card["fact_id"])
        if same:
            return Normalized(same[0]["normalized"])
    referred = resolve_reference(kb, field, text, model)
    if referred is not None and referred.value is not None:
        return referred
    found = normalize(field, text, model_name=model["name"])
    if found.value is None and field == "corpus":
        # datasets kbuild has no pattern for, named as the model's evidence names them
        # ("RefinedWeb", "WikiText-103"): what a card kbuild wrote says
        known = {
            name.lower(): name
            for fact in kb.evidence.get((model["id"], field), [])
            for name in json.loads(fact["normalized"])
        }
        items = [i.strip() for i in text.split(",") if i.strip()]
        if items and all(i.lower() in known for i in items):
            return Normalized(sorted(known[i.lower()] for i in items))
    return found


# --- the verdict --------------------------------------------------------------------------


def judge(
    kb: KnowledgeBase,
    model: dict | None,
    model_name: str | None,
    field: str,
    text: str,
    origin: Origin | None = None,
    unknown_reason: str | None = None,
    prose: bool = False,
    qualifier: str | None = None,
    ambiguous: bool = False,
) -> Verdict:
    """The verdict on one claim of a card about ``model`` copied (maybe) from ``origin``;
    with ``prose``, a sentence's claim: one true size of a model with several is
    supported, and ``qualifier`` 'up to' makes a size a claim about the largest one."""
    if model is None and ambiguous:
        return Verdict("no_evidence", unknown_reason or "the card's model is ambiguous")
    if model is None:
        suggestions = kb.closest(model_name or "")
        hint = f"; closest known: {', '.join(suggestions)}" if suggestions else ""
        reason = unknown_reason or f"the knowledge base has no model {model_name!r}"
        return Verdict("unknown_model", reason + hint)
    pasted = None if prose else _pasted(kb, model, field, text)
    if pasted and field in ("params", "corpus"):
        # sizes and datasets are written alike ("Base = 110M", "Common Crawl"): a paste
        # only when they are not this model's own
        own = kb.cards.get((model["id"], field))
        claimed_value = normalize_claim(kb, model, field, text)
        # sizes: any that are not wrong; datasets: exactly this model's own
        fine = ("supported", "partially_supported") if field == "params" else ("supported",)
        if own is None or claimed_value.value is None or compare(field, claimed_value, own) in fine:
            pasted = None
    if pasted:
        own = kb.cards.get((model["id"], field))
        said = f"; {model['name']}'s own evidence: {show(field, own['normalized'])}" if own else ""
        return Verdict(
            "contradicted",
            f"this text is {kb.name_of(pasted['model_id'])}'s {field}, {cite(pasted)} "
            f"(pasted from the neighbouring model?){said}",
            pasted,
            normalize_claim(kb, model, field, text),
        )
    if field == "link":
        return _judge_link(kb, model, text, origin)
    if field == "license" and qualifier == "commercial use":
        return _judge_commercial(kb, model, text)
    claimed = normalize_claim(kb, model, field, text)
    facts = [f for f in kb.evidence.get((model["id"], field), []) if not f["suspect"]]
    if field == "license" and claimed.value == "proprietary":
        # "Closed source" is what an access level says: unreleased, API or hosted only
        facts += [
            {**f, "normalized": "proprietary"}
            for f in kb.evidence.get((model["id"], "access"), [])
            if not f["suspect"] and f["normalized"] in CLOSED_ACCESS
        ]
    if field == "params":
        # what a mixture of experts activates per token is no size of the model: it
        # neither supports nor contradicts a size, but a claim of it is half the story
        active = [f for f in facts if f.get("qualifier") == "active"]
        facts = [f for f in facts if f.get("qualifier") != "active"]
        hit = next(
            (
                f
                for f in active
                if claimed.value
                and any(close(c, n) for c in claimed.value for n in json.loads(f["normalized"]))
            ),
            None,
        )
        if hit is not None:
            return Verdict(
                "partially_supported",
                f"{text} is what {model['name']} activates per token, not its size ({cite(hit)})",
                hit,
                claimed,
            )
    if claimed.value is None:
        if claimed.flag in ("malformed", "unparseable"):
            return Verdict(
                "malformed",
                f"{text!r} cannot be read as a {field} value",
                facts[0] if facts else None,
                claimed,
            )
        if field in FREE_TEXT_FIELDS:
            return _judge_text(kb, model, field, text, facts, origin, claimed)
        if claimed.flag == "reference":
            return Verdict(
                "not_checkable",
                f"{text!r} refers to {claimed.qualifier}, which the knowledge base does not know",
                None,
                claimed,
            )
        return Verdict(
            "not_checkable", f"{text!r} states no {field} value kbuild can compare", None, claimed
        )
    if not facts and origin and origin.pasted_for(model["id"]) and field in origin.matched:
        return _pasted_card(kb, model, field, claimed, origin, facts)
    if not facts:
        return Verdict(
            "no_evidence",
            f"no source in the knowledge base states {model['name']}'s {field}; "
            f"{SETTLE.get(field, 'a primary source')} would settle it",
            None,
            claimed,
        )
    origin_sources = set(origin.sources(kb)) if origin else set()
    if field == "lab":
        relations = _lab_relations(kb, model, text, claimed, facts)
        supporters = [f for f in facts if relations[f["id"]] in AGREE]
    elif field == "license" and claimed.qualifier == "bespoke":
        # "Limited, non-commercial": a bespoke licence, named after the model — any bespoke
        # licence of the model's is the same claim
        supporters = [f for f in facts if str(f["normalized"]).startswith("LicenseRef-")]
        if re.search(r"non-?commercial", text, re.I):
            # "Limited, non-commercial bespoke license" for a CC BY-NC model: what matters
            # is said right (its repository's licence forbids commercial use)
            supporters += [f for f in facts if commercial_use(f["normalized"]) is False]
    elif field == "params" and qualifier in ("over", "under"):
        bound = max(claimed.value)
        supporters = [
            f for f in facts
            if (max(json.loads(f["normalized"]) or [0]) > bound if qualifier == "over"
                else min(json.loads(f["normalized"]) or [bound]) < bound)
        ]  # fmt: skip
    elif field == "params" and qualifier == "up to":
        # "up to 6.9B" says 6.9B is the largest: a fact supports it when its largest is
        supporters = [
            f for f in facts if close(max(claimed.value), max(json.loads(f["normalized"]) or [0]))
        ]
    else:
        supporters = [f for f in facts if supports(field, claimed, f)]
    independent = [f for f in supporters if f["source"] not in origin_sources]
    if field == "family" and any(model_key_starts(model, f) for f in claimed.value):
        return Verdict(
            "supported",
            f"{model['name']} heads its own family (its name is the family's)",
            facts[0],
            claimed,
        )
    if origin and origin.pasted_for(model["id"]) and field in origin.matched and not independent:
        return _pasted_card(kb, model, field, claimed, origin, facts)
    card = kb.cards.get((model["id"], field))
    if field == "license" and claimed.value != "proprietary":
        # "Unreleased", "API access" say how a model is reached, not its licence: a card
        # showing one is judged by the first licence a source names instead
        named = [f for f in facts if not _access_label(f)]
        if named and card and not any(f["id"] == card["fact_id"] for f in named):
            card = {
                **card,
                "normalized": named[0]["normalized"],
                "fact_id": named[0]["id"],
                "rule": f"the licence {named[0]['source']} names; the card shows an access label",
            }
        facts = named or facts
    if field == "date":
        verdict, explanation, basis = _judge_date(claimed, facts, qualifier, origin_sources)
        if verdict == "contradicted" and (qualifier or "").startswith("year from context"):
            # the year was read from the text around the month: never enough to call it wrong
            verdict = "unverified"
            year = qualifier.rsplit("(", 1)[-1].rstrip(")")
            explanation += (
                f"; the year {year} was read from the text before the month, not written with "
                "it, so kbuild does not call the claim wrong"
            )
        if verdict == "unverified":
            return Verdict(verdict, explanation, basis, claimed)
    elif field == "lab":
        verdict, explanation, basis = _judge_lab(
            kb, model, text, claimed, facts, card, origin_sources, relations
        )
        if verdict == "unverified":
            return Verdict(verdict, explanation, basis, claimed)
    else:
        if prose and field == "params" and card:
            verdict = _prose_params(claimed, card, qualifier)
        elif prose and field in SET_FIELDS and card:
            # a sentence naming one of a model's labs (or datasets) says something true
            named = set(json.loads(card["normalized"]))
            verdict = compare(field, claimed, card)
            if verdict == "partially_supported" and set(claimed.value) <= named:
                verdict = "supported"
        else:
            verdict = compare(field, claimed, card)
        basis = next(f for f in facts if f["id"] == card["fact_id"]) if card else facts[0]
        explanation = f"the card shows {show(field, card['normalized'])} ({card['rule']})"
        if qualifier == "up to":
            explanation = "'up to' names the largest size; " + explanation
        if prose and field == "params" and verdict == "supported" and card:
            others = [
                human(n)
                for n in json.loads(card["normalized"])
                if not any(close(n, c) for c in claimed.value)
            ]
            if others and qualifier != "up to":
                explanation += f"; its other sizes: {', '.join(others)}"
    if (
        verdict in ("supported", "partially_supported")
        and independent
        and origin
        and field != "lab"
    ):
        # every size or dataset the claim names needs an independent witness (a lab's,
        # related as organisations relate, _judge_lab has asked for)
        uncovered = _uncovered(field, claimed, independent)
        if uncovered:
            verdict = "partially_supported"
            explanation += f"; only this card's origin ({origin.source}) states {uncovered}"
    if verdict in ("supported", "partially_supported"):
        if origin and not independent:
            names = sorted({f["source"] for f in supporters})
            by = " and ".join(names) + (" say" if len(names) > 1 else " says")
            return Verdict(
                "unverified",
                f"only {by} so, and this card repeats {origin.describe(kb)}: no "
                f"independent source confirms it; {SETTLE.get(field, 'a primary source')} "
                "would settle it",
                supporters[0] if supporters else basis,
                claimed,
            )
        witness = (independent or supporters or [basis])[0]
        if field in SET_FIELDS or field == "params":
            witness = max(
                independent or [witness],
                key=lambda f: (len(json.loads(f["normalized"])), f["primary_source"]),
            )
        else:
            witness = next((f for f in independent if f["primary_source"]), witness)
        return Verdict(verdict, f"{explanation}; {cite(witness)}", witness, claimed)
    # contradicted: what the evidence says — in an independent source's words where one
    # says the same as the card — and whom the claim matches, if anyone
    if basis["source"] in origin_sources:
        basis = next(
            (
                f
                for f in facts
                if f["source"] not in origin_sources
                and f not in supporters
                and card is not None
                and _agrees_with_card(field, f, card)
            ),
            basis,
        )
    if supporters:
        by = ", ".join(sorted({f["source"] for f in supporters}))
        note = (
            " (this card's origin)"
            if {f["source"] for f in supporters} <= origin_sources and origin
            else ""
        )
        explanation += f"; the claim matches only {by}{note}, which the card's evidence outranks"
    earned = _earned(kb, model, field, claimed, facts, supporters, origin_sources, prose)
    if earned is not None:
        return Verdict("unverified", f"{explanation}; {earned}", basis, claimed)
    against = [f for f in facts if f not in supporters and f["source"] not in origin_sources]
    primary = next((f for f in against if f["primary_source"]), None)
    if primary is None:
        explanation += f"; {_witnesses(against)} say otherwise"
    return Verdict(
        "contradicted", f"{explanation}; {cite(primary or basis)}", primary or basis, claimed
    )


def _witnesses(facts: list[dict]) -> str:
    """'epoch_notable and ecosystem_graphs (two independent witnesses)'."""
    names = sorted({f["witness"] for f in facts})
    count = {2: "two", 3: "three", 4: "four"}.get(len(names), str(len(names)))
    return f"{' and '.join(names)} ({count} independent witnesses)"


def _access_label(fact: dict) -> bool:
    """Whether a licence fact is an access label read as 'proprietary' ("API access")."""
    return fact["normalized"] == "proprietary" and bool(CLOSED.match(fact["value"].strip()))


def _earned(kb, model, field, claimed, facts, supporters, origin_sources, prose) -> str | None:
    """None when the evidence earns a ``contradicted``: a primary source, or two
    independent witnesses (copies count once; the card's origin not at all), state
    otherwise, no independent source says the same as the claim, and no sibling release
    has the claimed size. Else why it does not."""
    against = [f for f in facts if f not in supporters and f["source"] not in origin_sources]
    if field == "license" and claimed.value != "proprietary":
        # "API access", "Closed source", "Unreleased" say how a model is reached, not which
        # licence its weights have: no witness against a named licence
        against = [f for f in against if not _access_label(f)]
    agreeing = [f for f in supporters if f["source"] not in origin_sources]
    if prose and field == "corpus":
        return (
            "no source names it among the model's training data, but a list of datasets "
            "rarely names them all; the paper's text on its data would settle it"
        )
    if field == "task" and supporters:
        # a model is pretrained with one objective and tuned with others: a paper naming
        # its fine-tuning (InstructGPT's RLHF) does not deny its language modelling
        return (
            f"{supporters[0]['source']} names it; the other sources name other objectives, "
            "which a model can have besides it"
        )
    if agreeing and not any(f["primary_source"] for f in against):
        return (
            f"{agreeing[0]['source']} says the same as the claim: the sources disagree, and "
            f"no primary source settles it; {SETTLE.get(field, 'a primary source')} would"
        )
    if field == "params":
        sibling = _sibling_size(kb, model, claimed)
        if sibling:
            return f"{sibling} has that size: a sibling release, not a contradiction"
    if any(f["primary_source"] for f in against):
        return None
    witnesses = sorted({f["witness"] for f in against})
    if len(witnesses) >= 2:
        return None
    if not witnesses:
        return "no independent source says otherwise"
    return (
        f"only {witnesses[0]} (a secondary table) says otherwise — one table is not enough to "
        f"call the claim wrong; {SETTLE.get(field, 'a primary source')} would settle it"
    )


def _sibling_size(kb, model: dict, claimed: Normalized) -> str | None:
    """Another release of the model's family whose size the claim names ("180B" for
    Falcon: Falcon 180B)."""
    key = name_key(model["name"])
    if len(key) < 3:
        return None
    rows = kb.db.execute(
        "select m.id, m.name, c.normalized from models m join card_values c on c.model_id = m.id "
        "and c.field = 'params' where m.id != ? and m.name like ?",
        [model["id"], model["name"].split()[0].split("-")[0] + "%"],
    ).fetchall()
    for _, name, normalized in rows:
        if not name_key(name).startswith(key):
            continue
        sizes = json.loads(normalized)
        if any(close(c, s) for c in claimed.value for s in sizes):
            return name
    return None


def _lab_relation(
    text: str, claimed: Normalized, fact: dict, era: list[str] = (), date: str | None = None
) -> str:
    """How the claim's organisations relate to a fact's: the closest relation any
    claimed one has to any of the fact's. A later name that merged several ("Google
    DeepMind") is read as the one the card shows for the model's era (``era``)."""
    claimed_orgs = orgs_named(text) or list(claimed.value)
    fact_orgs = orgs_named(fact["value"]) or json.loads(fact["normalized"])
    fact_orgs = [next((e for e in era if merged_into(e, org)), org) for org in fact_orgs]
    order = ["same", "renamed", "parent", "narrower", "member", "other"]
    found = [relation(c, f, date) for c in claimed_orgs for f in fact_orgs]
    return min(found, key=order.index) if found else "other"


def _lab_relations(kb, model: dict, text: str, claimed: Normalized, facts: list[dict]) -> dict:
    """Each lab fact's relation to the claim, read for the model's era: the card's lab
    disambiguates a merged later name, the card's date an earlier one."""
    card = kb.cards.get((model["id"], "lab"))
    era = orgs_named(card["value"]) if card else []
    dated = kb.cards.get((model["id"], "date"))
    date = dated["normalized"] if dated else None
    return {f["id"]: _lab_relation(text, claimed, f, era, date) for f in facts}


def _judge_lab(
    kb, model, text, claimed, facts, card, origin_sources, relations: dict
) -> tuple[str, str, dict]:
    """A claimed lab against the evidence, organisations related as the registry says
    (``relations``, by fact): the same one, a parent or another name of it agrees; a lab
    inside the evidence's organisation or a member of its collaboration is not confirmed,
    not contradicted."""
    shown = show("lab", card["normalized"]) if card else show("lab", facts[0]["normalized"])
    dated = kb.cards.get((model["id"], "date"))
    date = dated["normalized"] if dated else None
    own = [f for f in facts if f["source"] not in origin_sources]
    # primary before secondary: where the paper or the docs name the labs, a lab only a
    # table adds is not confirmed
    # (a lab derived from where the checkpoints live names one organisation, not all)
    primaries = [f for f in own if f["primary_source"] and f["method"] != "derived"]
    agreeing = [f for f in (primaries or own) if relations[f["id"]] in AGREE]
    if primaries and not agreeing and any(relations[f["id"]] == "other" for f in primaries):
        agreeing = []
    elif not agreeing:
        agreeing = [f for f in own if relations[f["id"]] in AGREE]
    basis = next((f for f in facts if card and f["id"] == card["fact_id"]), facts[0])
    explanation = f"the card shows {shown}" + (f" ({card['rule']})" if card else "")
    if agreeing:
        best = min(agreeing, key=lambda f: ["same", "renamed", "parent"].index(relations[f["id"]]))
        how = relations[best["id"]]
        if how == "parent":
            theirs = ", ".join(orgs_named(best["value"])) or show("lab", best["normalized"])
            explanation += f"; {text.strip()} is the parent of {theirs}"
        elif how == "renamed":
            theirs = ", ".join(orgs_named(best["value"])) or show("lab", best["normalized"])
            explanation += f"; {text.strip()} is another name of {theirs}"
        claimed_orgs = orgs_named(text) or list(claimed.value)
        unmatched = [
            c
            for c in claimed_orgs
            if not any(
                relation(c, o, date) in AGREE
                for f in agreeing
                for o in (orgs_named(f["value"]) or json.loads(f["normalized"]))
            )
        ]
        return ("partially_supported" if unmatched else "supported"), explanation, best
    against = [f for f in own if relations[f["id"]] == "other"]
    primary = next((f for f in against if f["primary_source"]), None)
    if primary or len({f["witness"] for f in against}) >= 2:
        return "contradicted", explanation, primary or basis
    near = [f for f in own if relations[f["id"]] in NOT_AGAINST]
    if near:
        how = relations[near[0]["id"]]
        what = "a lab within" if how == "narrower" else "a member or collaborator of"
        return (
            "unverified",
            f"{explanation}; {text.strip()} is {what} {show('lab', near[0]['normalized'])}: "
            f"consistent, not confirmed; {SETTLE['lab']} would settle it",
            near[0],
        )
    origin_agrees = [f for f in facts if f not in own and relations[f["id"]] in AGREE]
    if origin_agrees:
        return (
            "unverified",
            f"only {origin_agrees[0]['source']} says so, and this card repeats it: no "
            f"independent source confirms it; {SETTLE['lab']} would settle it",
            origin_agrees[0],
        )
    return "contradicted", explanation, basis


def _judge_commercial(kb: KnowledgeBase, model: dict, text: str) -> Verdict:
    """ "Available for commercial use", "non-commercial", a table's ✅/❌: against whether
    the licences the evidence names allow commercial use (access labels — "API access",
    "Unreleased" — name no licence)."""
    allowed = text.strip().lower() != "non-commercial"
    claimed = Normalized("commercial use" if allowed else "non-commercial", qualifier="licence")
    facts = [
        f
        for f in kb.evidence.get((model["id"], "license"), [])
        if not f["suspect"] and not _access_label(f)
    ]
    says = {f["id"]: commercial_use(f["normalized"]) for f in facts}
    known = [f for f in facts if says[f["id"]] is not None]
    if not known:
        if not facts:
            return Verdict(
                "no_evidence",
                f"no source states {model['name']}'s licence; {SETTLE['license']} would settle "
                "whether commercial use is allowed",
                None,
                claimed,
            )
        named = ", ".join(sorted({show("license", f["normalized"]) for f in facts}))
        return Verdict(
            "unverified",
            f"kbuild does not know whether {named} allows commercial use; "
            f"{SETTLE['license']} would settle it",
            facts[0],
            claimed,
        )
    agreeing = [f for f in known if says[f["id"]] == allowed]
    against = [f for f in known if says[f["id"]] != allowed]
    word = "allows" if allowed else "does not allow"
    if agreeing and not any(f["primary_source"] for f in against):
        basis = next((f for f in agreeing if f["primary_source"]), agreeing[0])
        licence = show("license", basis["normalized"])
        return Verdict(
            "supported", f"{licence} {word} commercial use; {cite(basis)}", basis, claimed
        )
    primary = next((f for f in against if f["primary_source"]), None)
    basis = primary or against[0]
    licence = show("license", basis["normalized"])
    other = "does not allow" if allowed else "allows"
    if not agreeing and (primary or len({f["witness"] for f in against}) >= 2):
        return Verdict(
            "contradicted", f"{licence} {other} commercial use; {cite(basis)}", basis, claimed
        )
    return Verdict(
        "unverified",
        f"{licence} ({basis['source']}) {other} commercial use"
        + (f", {agreeing[0]['source']} says otherwise" if agreeing else "")
        + f"; {SETTLE['license']} would settle it",
        basis,
        claimed,
    )


def _prose_params(claimed: Normalized, card: dict, qualifier: str | None) -> str:
    """A sentence's sizes against every size the card shows: one true size of several is
    supported; "up to X" claims X is the largest; "from X to Y" claims the ends."""
    sizes = json.loads(card["normalized"])
    if qualifier == "up to":
        return "supported" if close(max(claimed.value), max(sizes)) else "contradicted"
    if qualifier == "over":  # "with over 100B parameters": its largest is bigger
        return "supported" if max(sizes) > max(claimed.value) else "contradicted"
    if qualifier == "under":
        return "supported" if min(sizes) < min(claimed.value) else "contradicted"
    if claimed.qualifier == "range" and len(claimed.value) == 2:
        low, high = claimed.value
        ends = [any(close(end, s) for s in sizes) for end in (low, high)]
        inside = all(low * (1 - TOLERANCE) <= s <= high * (1 + TOLERANCE) for s in sizes)
        if all(ends) and inside:
            return "supported"
        return "partially_supported" if any(ends) else "contradicted"
    hits = [c for c in claimed.value if any(close(c, s) for s in sizes)]
    if len(hits) == len(claimed.value):
        return "supported"
    return "partially_supported" if hits else "contradicted"


def _uncovered(field: str, claimed: Normalized, facts: list[dict]) -> str | None:
    """What of a list claim (labs, sizes, datasets) no fact in ``facts`` states."""
    if field == "params":
        sizes = [s for f in facts for s in json.loads(f["normalized"])]
        missing = [c for c in claimed.value if not any(close(c, s) for s in sizes)]
        return ", ".join(human(m) for m in missing) or None
    if field in SET_FIELDS:
        named = {n for f in facts for n in json.loads(f["normalized"])}
        missing = [c for c in claimed.value if c not in named]
        return ", ".join(missing) or None
    return None


def _agrees_with_card(field: str, fact: dict, card: dict) -> bool:
    from kbuild.compare import agree

    return agree(field, fact["normalized"], card["normalized"])


EVENT = {
    "paper_v1": "the paper's first version (arXiv v1)",
    "docs": "the release date the official docs give",
    "release": "a release",
    "publication": "the first publication",
}


def _judge_date(
    claimed: Normalized, facts: list[dict], qualifier: str | None, origin_sources: set[str]
) -> tuple[str, str, dict]:
    """A date against every first publication the evidence knows — the paper's first
    version and the release are both first publications; the report says which matched.
    A citation year ("Devlin et al., 2019") is a venue year: the year of the paper or the
    one after it (the venue kbuild does not know) is not wrong. Contradicted only when a
    primary source or two witnesses say otherwise and no independent source gives the
    claimed date; else unverified."""
    credible = credible_dates(facts) or [(facts[0]["normalized"], facts[0])]
    first_value, first = credible[0]
    value = claimed.value
    for event_value, fact in credible:
        if same_date(value, event_value):
            kind = EVENT.get(fact["qualifier"] or "", "a date")
            lead = "first known publication" if fact is first else "also a first publication"
            return (
                "supported",
                f"{lead} {event_value} ({kind}, {fact['source']})",
                fact,
            )
    explanation = (
        f"first known publication {first_value} "
        f"({EVENT.get(first['qualifier'] or '', 'a date')}, {first['source']})"
    )
    later = next(((v, f) for v, f in credible[1:] if same_date(value, v) and v > first_value), None)
    if later:
        explanation += f"; {value} is {later[1]['source']}'s date ({later[0]}), which came later"
    if qualifier == "citation" and len(value) == 4:
        years = {v[:4] for v, _ in credible}
        if str(int(min(years)) + 1) == value:
            return (
                "unverified",
                f"{explanation}; {value} may be the venue's year (a citation names the venue); "
                "kbuild knows no venue for this paper",
                first,
            )
    against = [f for f in facts if f["source"] not in origin_sources]
    primary = any(f["primary_source"] for f in against)
    witnesses = {f["witness"] for f in against}
    agreeing = [f for f in against if same_date(value, f["normalized"])]
    papers = [f["normalized"] for f in against if f["primary_source"] and f not in agreeing]
    # (unless another independent table dates it with the paper: then it is disputed)
    with_paper = [
        f for f in against
        if not f["primary_source"] and f not in agreeing
        and any(same_date(f["normalized"], p) for p in papers)
    ]  # fmt: skip
    earlier = [f for f in against if f not in agreeing and f["normalized"][: len(value)] < value]
    if (
        agreeing
        and papers
        and not with_paper
        and not earlier  # (a date before it makes it no first publication)
        and all(value < p[: len(value)] for p in papers)
    ):
        # an independent source dates it before the paper: a release, which is a first
        # publication too (the paper came later)
        return (
            "supported",
            f"released {agreeing[0]['normalized']} ({agreeing[0]['source']}), before the "
            f"paper ({min(papers)}): a first publication too",
            agreeing[0],
        )
    if agreeing and not any(f["primary_source"] for f in against if f not in agreeing):
        return (
            "unverified",
            f"{explanation}; {agreeing[0]['source']} gives {agreeing[0]['normalized']}: the "
            f"sources disagree and no primary source settles it; {SETTLE['date']} would",
            first,
        )
    if not primary and len(witnesses) < 2:
        return (
            "unverified",
            f"{explanation}; only {first['source']} (a secondary table) dates it — one table "
            f"is not enough to call the claim wrong; {SETTLE['date']} would settle it",
            first,
        )
    if not primary:
        explanation += f"; {_witnesses(against)} date it otherwise"
    return "contradicted", explanation, first


def _judge_text(kb, model, field, text, facts, origin, claimed) -> Verdict:
    """Free text (extension, application): the same words in a table about this model."""
    same = [f for f in facts if squash(f["value"]) == squash(text)]
    if not same:
        return Verdict("not_checkable", "free text, not a checkable value", None, claimed)
    origin_sources = set(origin.sources(kb)) if origin else set()
    independent = [f for f in same if f["source"] not in origin_sources]
    if origin and not independent:
        return Verdict(
            "unverified",
            f"only {same[0]['source']} states the same text, and this card repeats "
            f"{origin.describe(kb)}; {SETTLE[field]} would settle it",
            same[0],
            claimed,
        )
    return Verdict("supported", f"the same text: {cite(independent[0])}", independent[0], claimed)


def _pasted_card(kb, model, field, claimed, origin: Origin, facts) -> Verdict:
    """A claim of a card that repeats another model's row: that model's value."""
    cells = kb.rows()["cells"].get(
        (origin.source, origin.document_id, origin.row, origin.model_id), {}
    )
    theirs = (cells.get(field) or [None])[0]
    own = kb.cards.get((model["id"], field))
    said = (
        f"{model['name']}'s own evidence: {show(field, own['normalized'])}"
        if own
        else f"nothing independent states {model['name']}'s {field}"
    )
    # another model's value is no evidence against this one's: with nothing stating this
    # model's own, the claim may still be true (both models under one licence)
    return Verdict(
        "contradicted" if own else "unverified",
        f"this is {kb.name_of(origin.model_id)}'s {field} — the card repeats "
        f"{origin.describe(kb)} (pasted from the neighbouring model?); {said}",
        theirs or (facts[0] if facts else None),
        claimed,
    )


def _pasted(kb: KnowledgeBase, model: dict, field: str, text: str) -> dict | None:
    """Another model's table cell whose text this claim repeats, when this model's own
    evidence says something else."""
    if field not in PASTE_FIELDS or len(text.strip()) < PASTE_MIN_LENGTH:
        return None
    claim = squash(text)
    own = [f for f in kb.evidence.get((model["id"], field), []) if not f["primary_source"]]
    for fact in own:
        if difflib.SequenceMatcher(None, claim, squash(fact["value"])).ratio() >= PASTE_RATIO:
            return None
    best, best_ratio = None, PASTE_RATIO
    for fact in kb.table_cells.get(field, []):
        if fact["model_id"] == model["id"]:
            continue
        other = squash(fact["value"])
        if abs(len(other) - len(claim)) > 0.2 * max(len(other), len(claim)):
            continue
        ratio = difflib.SequenceMatcher(None, claim, other).ratio()
        if ratio >= best_ratio:
            best, best_ratio = fact, ratio
    return best


def _judge_link(kb: KnowledgeBase, model: dict, text: str, origin: Origin | None) -> Verdict:
    """A link to an HF doc page, an arXiv paper, or a page a table links for the model."""
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
            f"{model['name']}'s paper is arXiv {facts[0]['normalized']}: {cite(facts[0])}",
            facts[0],
        )
    links = kb.evidence.get((model["id"], "link"), [])
    same = [f for f in links if squash(f["value"]).rstrip("/") == squash(text).rstrip("/")]
    if same:
        origin_sources = set(origin.sources(kb)) if origin else set()
        independent = [f for f in same if f["source"] not in origin_sources]
        if origin and not independent:
            return Verdict(
                "unverified",
                f"only {same[0]['source']} gives this link, and this card repeats "
                f"{origin.describe(kb)}",
                same[0],
            )
        return Verdict("supported", f"the same link: {cite((independent or same)[0])}", same[0])
    return Verdict("not_checkable", "a link kbuild has no record to compare with")
