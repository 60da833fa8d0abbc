"""A model's card to paste into a post: the catalog's block format, every value followed
by a footnote that cites its evidence (the source, where in it, its words, its public
address), and the values other sources give where they disagree. The inverse of
``kbuild check``: a card written here and checked comes out supported wherever a source
independent of it states the value."""

from __future__ import annotations

import json
import re

import sqlite_utils

from kbuild.extract.statements import dehyphenate
from kbuild.model_names import ModelNames
from kbuild.normalize.license import licence_name
from kbuild.normalize.params import human
from kbuild.publish.site.values import locator_text, readable, source_label

# The catalog's keys, in its order, and the fields they hold.
KEYS = [
    ("Link", "link"),
    ("Family", "family"),
    ("Pretraining Architecture", "architecture"),
    ("Pretraining Task", "task"),
    ("Extension", "extension"),
    ("Application", "application"),
    ("Date (of first known publication)", "date"),
    ("Num. Params", "params"),
    ("Corpus", "corpus"),
    ("License", "license"),
    ("Lab", "lab"),
]


class UnknownModel(LookupError):
    """No model goes by the name; ``closest`` holds names that do."""

    def __init__(self, name: str, closest: list[str]):
        super().__init__(name)
        self.name = name
        self.closest = closest


def sourced_card(db: sqlite_utils.Database, name: str) -> dict:
    """The card of the model ``name`` stands for (any name, alias or arXiv id), each
    field with the fact it rests on and the values that disagree with it."""
    names = ModelNames.from_db(db, table_rows=True)
    model_id = names.resolve(name)
    if model_id is None:
        raise UnknownModel(name, [names.names[m] for m in names.closest(name)])
    model = db["models"].get(model_id)
    shown = {
        r["field"]: r
        for r in db.query("select * from preferred_facts where model_id = ?", [model_id])
    }
    conflicts: dict[str, list[dict]] = {}
    for row in db.query(
        "select * from conflicts where model_id = ? order by field, other_fact_id", [model_id]
    ):
        conflicts.setdefault(row["field"], []).append(
            {
                "value": readable(row["other_value"], row["field"]) or row["other_value"],
                "source": row["other_source"],
                "quote": row["other_quote"],
                "url": row["other_url"],
                "fact_id": row["other_fact_id"],
            }
        )
    fields, left_out = [], []
    for key, field in KEYS:
        fact = shown.get(field)
        if fact is None:
            continue
        reason = fact["suspect"]  # a cell the table's own audit flags is no value to paste
        if field == "link" and not fact["shown"].startswith(("http://", "https://")):
            reason = "not a URL"
        if reason:
            left_out.append({"key": key, "field": field, "value": fact["value"],
                             "source": fact["source"], "reason": reason})  # fmt: skip
            continue
        fields.append(
            {
                "key": key,
                "field": field,
                "value": _value(fact),
                "qualifier": fact["qualifier"],
                "rule": fact["rule"],
                "evidence": {
                    "source": fact["source"],
                    "primary": bool(fact["primary_source"]),
                    "url": fact["url"],
                    "where": locator_text(fact["locator"]),
                    "quote": fact["quote"],
                    "fact_id": fact["id"],
                },
                "disagreeing": conflicts.get(field, []),
            }
        )
    return {"model": model["name"], "model_id": model_id, "fields": fields, "left_out": left_out}


def _value(fact: dict) -> str:
    """The value as a card writes it: sizes "110M, 340M", lists joined, the date as
    known (2018-10-11, 2022-07), free text as the source wrote it."""
    shown = fact["shown"]
    if fact["field"] == "date":
        return shown
    if fact["field"] == "architecture":
        return shown.capitalize()
    if fact["field"] == "license":
        # a reader expects "Llama 2 Community License Agreement", not its LicenseRef id
        return licence_name(shown) or shown
    # one line: a value with a line break would end the block when pasted into a post
    return " ".join((readable(shown, fact["field"]) or shown).split())


def markdown(card: dict) -> str:
    """The card as a post carries it: a heading, the block, then the footnotes."""
    lines = [f"### {card['model']}", '"""', f"Name: {card['model']}"]
    notes = []
    for number, entry in enumerate(card["fields"], start=1):
        lines.append(f"{entry['key']}: {entry['value']}[^{number}]")
        evidence = entry["evidence"]
        label = source_label(evidence["source"], evidence["url"])
        where = evidence["where"]
        if evidence["source"] == "pdf":
            where = ""  # the label names the page
        where = f", {where}" if where else ""
        # shown with the line-break hyphens of a PDF joined ("con-\ntains" → "contains");
        # the stored quote stays as the document has it
        quote = " ".join(dehyphenate(evidence["quote"]).split())
        if entry["field"] == "params" and re.fullmatch(r"\d+(?:\.\d+)?", quote):
            # a table's bare number ("46700000000.0") as a reader writes it, then the cell
            quote = f"{human(int(float(quote)))}”, the cell reads “{quote}"
        note = f"[^{number}]: {label}{where}: “{_cut(quote)}” <{evidence['url']}>"
        if entry["disagreeing"]:
            others = "; ".join(
                f"{d['source']} says {d['value']} (“{_cut(' '.join(d['quote'].split()), 60)}”"
                f" <{d['url']}>)"
                for d in entry["disagreeing"]
            )
            note += f" ⚠ Sources disagree: {others}."
        notes.append(note)
    lines.append('"""')
    disputed = [e["key"] for e in card["fields"] if e["disagreeing"]]
    if disputed:
        lines += ["", f"⚠ Sources disagree on: {', '.join(disputed)} (see the notes)."]
    for entry in card["left_out"]:
        lines += [
            "",
            f"Left out: {entry['key']} “{entry['value']}” ({entry['source']}): {entry['reason']}.",
        ]
    return "\n".join([*lines, "", *notes, ""])


def as_json(card: dict) -> str:
    """The card with its evidence as JSON."""
    return json.dumps(card, indent=2, ensure_ascii=False)


def _cut(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
