"""Typed edges between models, each with its evidence: which model a model was fine-tuned
or distilled from, extends, succeeds, or shares a family with.

Read from what the sources already state — Epoch's "Base model" (fine_tuned_from),
ecosystem-graphs' dependencies that are models (extends), the catalog's Family
(same_family) and Extension text ("Compressed version of BERT using distillation"), a
Hub card's base models (fine-tune, adapter, quantized, merge: kbuild.extract.hub), and
the docs' "is based on RoBERTa" sentences — and rewritten by every extract from the
stored facts and documents, like ``card_values``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import sqlite_utils

from kbuild.extract.addresses import fact_url
from kbuild.model_names import ModelNames
from kbuild.normalize.cues import Cued, fold

if TYPE_CHECKING:
    from kbuild.extract.statements import NameIndex

# The fields whose facts name a parent (the docs' sentences aside).
FIELDS = ("base_model", "dependencies", "family", "extension")
KINDS = (
    "fine_tuned_from",
    "distilled_from",
    "extends",
    "same_family",
    "successor_of",
    # what a Hub card's base_model says besides a fine-tune (kbuild.extract.hub)
    "adapter_of",
    "quantized_from",
    "merged_from",
)
# a Hub base_model fact's qualifier (the card's base_model_relation) → the edge's kind
HUB_RELATIONS = {
    "finetune": "fine_tuned_from",
    "adapter": "adapter_of",
    "quantized": "quantized_from",
    "merge": "merged_from",
}
# What a sentence says of the model it names next, strongest first.
CUES = [
    ("distilled_from", re.compile(r"distill", re.I)),
    ("fine_tuned_from", re.compile(r"fine-?tun|finetun|instruction[- ]tun|\bRLHF\b", re.I)),
    ("successor_of", re.compile(r"\bsuccessor\b|\bimproves? (?:on|upon)\b", re.I)),
    (
        "extends",
        re.compile(
            r"\bextends?\b|\bextension of\b|\bbased on\b|\bbuilt (?:on|upon)\b|"
            r"\bversion of\b|\bvariant of\b|\badds?\b",
            re.I,
        ),
    ),
]
# A model named after these is a comparison or an example, not a parent.
NOT_A_PARENT = Cued(
    re.compile(
        r"(?:similar to|such as|\blike\b|\bthan\b|compared|\bvs\.?|versus|\ba la\b|"
        r"\bunlike\b|\be\.g\.)[^.;]{0,25}$",
        re.I,
    )
)
# ...nor is a name that is part of a method's or a style's name ("Flan Finetuning",
# "a BERT-style Transformer").
NOT_A_NAME = re.compile(
    r"^(?:\s*\"?\s*(?:fine-?tuning|finetuning|tuning)\b|-?(?:style|like)\b)", re.I
)
# Docs sentences about code or an architecture in general, not about the model's parent.
NOT_LINEAGE = Cued(re.compile(r"\bimplementation\b|\bcode\b|\bframework\b|\barchitecture\b", re.I))
DOC_CUES = [
    ("distilled_from", re.compile(r"\bdistilled version of\b", re.I)),
    ("fine_tuned_from", re.compile(r"\bfine-?tuned (?:version of|from)\b", re.I)),
    ("successor_of", re.compile(r"\bsuccessor (?:to|of)\b", re.I)),
    ("extends", re.compile(r"\bis based on\b|\bis an extension of\b|\bbuilt on top of\b", re.I)),
]
# (most sentences hold none of its words: a substring test rules them out)
ANY_DOC_CUE = Cued(re.compile("|".join(f"(?:{cue.pattern})" for _, cue in DOC_CUES), re.I))
SIZED = re.compile(r"\d(?:\.\d+)?\s*[KMBT]\b|\(\d")
# The base architecture every catalog family descends from: not a family of its own.
GENERIC_PARENTS = {"transformer"}


def edges(db: sqlite_utils.Database) -> list[dict]:
    """Every lineage edge the current evidence states, one row per edge and evidence."""
    from kbuild.extract.statements import NameIndex  # here: extract reads FIELDS only

    names = ModelNames.from_db(db, table_rows=True)
    models = []
    for row in db.query("select id, name, aliases from models"):
        row["aliases"] = json.loads(row["aliases"] or "[]")
        models.append(row)
    index = NameIndex(models)
    own_names = {model["id"]: model["name"] for model in models}
    # a Hub repository → the model the sources file lists it under
    hub_repos = {
        item.lower(): model_id
        for item, model_id in db.execute(
            "select item, model_id from current_documents where source = 'hub' "
            "and item is not null and model_id is not null"
        )
    }
    rows: list[dict] = []
    facts = db.query(
        "select e.*, d.location, d.final_url, d.item from evidence e "
        "join documents d on d.id = e.document_id "
        f"where e.field in ({', '.join(repr(f) for f in FIELDS)}) "
        "order by e.model_id, e.id"
    )
    for fact in facts:
        if fact["field"] == "base_model" and fact["source"] == "hub":
            # "owner/name": the model whose repository it is, else the model the
            # repository's name names ("Qwen/Qwen2-7B" → Qwen2)
            repo = fact["value"].strip()
            parent = hub_repos.get(repo.lower()) or _hub_name_parent(repo, names)
            if parent and parent != fact["model_id"]:
                kind = HUB_RELATIONS.get(fact["qualifier"] or "", "fine_tuned_from")
                rows.append(_from_fact(fact, parent, kind))
        elif fact["field"] in ("base_model", "dependencies"):
            kind = "fine_tuned_from" if fact["field"] == "base_model" else "extends"
            if fact["qualifier"] == "built_on":
                kind = "extends"  # a base model the table says was not fine-tuned
            for name in _names_in_cell(fact["value"]):
                # a dependency is often a dataset named after a model ("Alpaca dataset",
                # "Flan CoT"): only a model's own name, or its name with a size, counts
                exact = fact["field"] == "dependencies" and not SIZED.search(name)
                parent = names.by_key.get(_key(name)) if exact else names.resolve(name)
                if parent and parent != fact["model_id"]:
                    rows.append(_from_fact(fact, parent, kind))
        elif fact["field"] == "family":
            named = json.loads(fact["normalized"] or "[]")
            if len([n for n in named if names.by_key.get(_key(n))]) > 1:
                continue  # "T5, BERT, GPT" (Megatron): a framework for several families
            for name in named:
                parent = names.by_key.get(_key(name))
                # a family is named for a model only under that model's own name: the
                # catalog's "GPT" (decoder models) is not GPT-1, whose alias it is
                own = parent is not None and _key(own_names.get(parent, "")) == _key(name)
                if own and parent != fact["model_id"] and parent not in GENERIC_PARENTS:
                    rows.append(_from_fact(fact, parent, "same_family"))
        else:
            for parent, kind in _from_text(fact["value"], fact["model_id"], index):
                rows.append(_from_fact(fact, parent, kind))
    rows += _from_docs(db, index)
    unique = {row["id"]: row for row in rows}
    return sorted(unique.values(), key=lambda r: (r["model_id"], r["parent_id"], r["kind"]))


def _key(name: str) -> str:
    from kbuild.config import name_key

    return name_key(name)


# a repository name's release suffix: "Mixtral-8x7B-v0.1", "Llama-2-7b-hf"
HUB_SUFFIX = re.compile(r"[-_](?:v\d+(?:\.\d+)*|hf)$", re.I)


def _hub_name_parent(repo: str, names: ModelNames) -> str | None:
    """The model a Hub repository's name names, with or without its release suffix."""
    name = repo.rsplit("/", 1)[-1]
    return names.resolve(name) or names.resolve(HUB_SUFFIX.sub("", name))


def _names_in_cell(value: str) -> list[str]:
    """'Qwen2-72B,InternViT-6B' → both names."""
    return [n.strip() for n in re.split(r"[,;]", value or "") if n.strip()]


def _from_text(text: str, model_id: str, index: NameIndex) -> list[tuple[str, str]]:
    """(parent, kind) pairs a catalog Extension states: the cue decides the kind, the
    models named outside comparisons are the parents."""
    kind = next((k for k, cue in CUES if cue.search(text or "")), None)
    if kind is None or index.pattern is None:
        return []
    found: list[tuple[str, str]] = []
    for match in index.pattern.finditer(text):
        if NOT_A_PARENT.search(text[: match.start()]) or NOT_A_NAME.match(text[match.end() :]):
            continue
        for owner in sorted(index.owners.get(match.group(0).lower(), ())):
            if owner != model_id and owner not in GENERIC_PARENTS and owner not in dict(found):
                found.append((owner, kind))
        if len(found) >= 3:
            break
    return found


def _from_docs(db: sqlite_utils.Database, index: NameIndex) -> list[dict]:
    """Edges a model's doc page states in a sentence about the model ("Longformer is
    based on RoBERTa", "It is an extension of Transformer-XL")."""
    rows = []
    documents = db.query(
        "select id, source, model_id, location, final_url, item, body from current_documents "
        "where source = 'hf_doc' and model_id is not null and body is not null"
    )
    for doc in documents:
        body = doc["body"]
        # the cue words looked for in the page first: seven pages in eight state no
        # parent, and cutting them into sentences was most of the time lineage took
        folded = fold(body)
        if not ANY_DOC_CUE.possible(folded):
            continue
        for start, end in _cue_sentences(body, folded):
            sentence = body[start:end]
            if not ANY_DOC_CUE.search(sentence, folded=folded[start:end]):
                continue
            if NOT_LINEAGE.search(sentence):
                continue
            for kind, cue in DOC_CUES:
                cue_match = cue.search(sentence)
                if not cue_match:
                    continue
                after = sentence[cue_match.end() : cue_match.end() + 60]
                parent = _first_other(after, doc["model_id"], index)
                if parent:
                    locator = {"span": [start, end]}
                    rows.append(
                        _row(doc["model_id"], parent, kind, doc, locator, sentence, None, "text")
                    )
                break
    return rows


# a stop and the space after it (the stop matched, not looked behind for: re then skips
# to the next stop or line break at once), or a blank line
_SENTENCE_GAP = re.compile(r"[.!?]\s+(?=[A-Z(\[])|\n\s*\n")


def _cue_sentences(body: str, folded: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the sentences of ``body``, as :func:`_sentences` cuts them, that
    hold the first word of one of the cues' alternatives: no other can state a parent.
    ``folded`` is ``fold(body)``, as long as the body: a word's place in it is its place
    in the body. A page that holds a cue word holds it in a few sentences: only theirs
    are looked for, from the nearest place before that no gap between sentences can
    cover (there a scan finds the gaps a scan of the whole page finds)."""
    words = ANY_DOC_CUE.first_words
    if words is None:
        yield from _sentences(body)
        return
    places = sorted({place for word in words for place in _places(folded, word)})
    if not all(_outside_gaps(body[place]) for place in places):
        # (a cue word that opens with a space or a stop: the whole page is cut)
        yield from (
            span for span in _sentences(body) if any(span[0] <= p < span[1] for p in places)
        )
        return
    done = -1
    for place in places:
        if place < done:
            continue  # in the sentence given last
        start = _sentence_start(body, place)
        gap = _SENTENCE_GAP.search(body, place)
        end = gap.start() + (body[gap.start()] != "\n") if gap else len(body)
        yield start, end
        done = end


def _outside_gaps(char: str) -> bool:
    """Whether no gap between sentences can cover this character."""
    return not char.isspace() and char not in ".!?"


def _sentence_start(body: str, place: int) -> int:
    """Where the sentence that holds ``place`` (a character no gap covers) starts: the
    end of the last gap before it, found from a little before it (further back if
    there is none), from a character no gap covers."""
    for back in (400, 4000, len(body)):
        origin = max(0, place - back)
        # (the page's start is where the scan of the whole page starts: no need)
        while 0 < origin < place and not _outside_gaps(body[origin]):
            origin += 1
        start = None
        for gap in _SENTENCE_GAP.finditer(body, origin):
            if gap.start() >= place:
                break
            start = gap.end()
        if start is not None or origin == 0:
            return start or 0
    return 0


def _places(text: str, word: str) -> Iterator[int]:
    place = text.find(word)
    while place != -1:
        yield place
        place = text.find(word, place + 1)


def _sentences(body: str):
    """(start, end) of each sentence of a markdown body: split at '. ' and blank lines."""
    start = 0
    for match in _SENTENCE_GAP.finditer(body):
        gap = match.start()
        yield start, gap if body[gap] == "\n" else gap + 1
        start = match.end()
    yield start, len(body)


def _first_other(text: str, model_id: str, index: NameIndex) -> str | None:
    if index.pattern is None:
        return None
    # a markdown link's text is the name: "[RoBERTa](https://...)"
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    match = index.pattern.search(plain)
    if not match or match.start() > 25:
        return None
    owners = sorted(index.owners.get(match.group(0).lower(), ()) - {model_id})
    return owners[0] if owners and owners[0] not in GENERIC_PARENTS else None


def _from_fact(fact: dict, parent: str, kind: str) -> dict:
    locator = json.loads(fact["locator"])
    return _row(fact["model_id"], parent, kind, fact, locator, fact["quote"], fact, fact["field"])


def _row(
    model_id: str,
    parent: str,
    kind: str,
    document: dict,
    locator: dict,
    quote: str,
    fact: dict | None,
    via: str,
) -> dict:
    document_id = fact["document_id"] if fact else document["id"]
    source = document["source"]
    key = f"{model_id}\0{parent}\0{kind}\0{document_id}\0{json.dumps(locator, sort_keys=True)}"
    url = fact["url"] if fact else fact_url(document, locator, "lineage")
    return {
        "id": hashlib.sha256(key.encode()).hexdigest()[:16],
        "model_id": model_id,
        "parent_id": parent,
        "kind": kind,
        "via": via,
        "source": source,
        "document_id": document_id,
        "fact_id": fact["id"] if fact else None,
        "locator": json.dumps(locator, sort_keys=True),
        "quote": quote,
        "url": url,
    }


def write(db: sqlite_utils.Database) -> int:
    """Replace ``lineage`` in one transaction; return how many edges it holds."""
    rows = edges(db)
    with db.atomic():
        db.execute("delete from lineage")
        db["lineage"].insert_all(rows, pk="id")
    return len(rows)
