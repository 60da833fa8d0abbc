"""What the Hugging Face Hub says of a model repository (an answer stored by
:mod:`kbuild.fetch.hub`) → licence, base models, the parameter count of its safetensors
files and the date the repository was created.

- ``license`` is the card's own metadata: the owner's statement. Hub licence ids
  ("apache-2.0", "llama2", "gemma") are read as the licences they name; "other" is read
  from ``license_name``.
- ``params`` is ``safetensors.total``, *counted* from the weight files, kept with the
  qualifier "safetensors total": it counts every stored tensor (embeddings, heads, a
  multi-token-prediction module) and so differs from a paper's round figure. Packed
  integer weights (GPTQ, AWQ, bitsandbytes) count storage words, not parameters: such a
  count is not read.
- ``date`` is when the repository was created on the Hub (qualifier ``hub_created``), a
  weak witness: a repository is often created before the release, and one older than
  March 2022 carries the date the Hub began recording creation dates instead (the
  library's documented floor, 2022-03-02T23:29:04Z), which is not read at all.
- ``base_model`` names the repositories the model derives from, with the kind of
  derivation as its qualifier (the card's ``base_model_relation``, else what the
  repository shows: a PEFT adapter, quantized weights, several parents merged, else a
  fine-tune); :mod:`kbuild.lineage` turns them into edges.

Each fact's locator is the JSON path of its value and its span in the stored body; the
quote is the value's literal JSON text there.
"""

from __future__ import annotations

import json
from json.decoder import scanstring

from kbuild.extract import extractors
from kbuild.extract.facts import Fact, normalize
from kbuild.normalize import Normalized
from kbuild.normalize.license import LICENCES

EXTRACTOR = extractors.HUB
LICENSE_CONFIDENCE = 0.9
PARAMS_CONFIDENCE = 0.8
CREATED_CONFIDENCE = 0.4
BASE_MODEL_CONFIDENCE = 0.9
PARAMS_KIND = "safetensors total"
DATE_KIND = "hub_created"
# huggingface_hub's ModelInfo: "the lowest value is 2022-03-02T23:29:04.000Z,
# corresponding to the date when we began to store creation dates"
CREATION_FLOOR = "2022-03-02T23:29:04"
# The Hub's licence ids (licences.toml names each licence's), and the ids that name no
# one licence
HUB_LICENSES: dict[str, str | None] = {
    **{hub_id: licence.id for licence in LICENCES for hub_id in licence.hub},
    "openrail": None,  # the family (OpenRAIL-M, -S, ...), not one licence
    "openrail++": None,  # CreativeML's OpenRAIL++-M, not the generic OpenRAIL-M
    "bsd-3-clause-clear": None,  # not BSD-3-Clause
    "unknown": None,
}
# The card's base_model_relation values (the Hub's own vocabulary).
RELATIONS = ("finetune", "adapter", "quantized", "merge")
# Floating-point dtypes of safetensors: their counts are parameters.
FLOAT_DTYPES = {"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4"}
QUANTIZED_TAGS = {"gguf", "gptq", "awq", "4-bit", "8-bit", "exl2", "bitsandbytes"}


def json_spans(body: str) -> dict[str, tuple[int, int]]:
    """Every value of a JSON text by its path ("card_data.license", "tags[0]") → its
    (start, end) in the text: the literal JSON of the value is ``body[start:end]``."""
    decoder = json.JSONDecoder()
    spans: dict[str, tuple[int, int]] = {}

    def skip(i: int) -> int:
        while i < len(body) and body[i] in " \t\r\n":
            i += 1
        return i

    def value(i: int, path: str) -> int:
        i = skip(i)
        start = i
        if body[i] == "{":
            i = skip(i + 1)
            while body[i] != "}":
                key, i = scanstring(body, i + 1)
                i = skip(skip(i) + 1)  # past the ':'
                i = skip(value(i, f"{path}.{key}" if path else key))
                if body[i] == ",":
                    i = skip(i + 1)
            end = i + 1
        elif body[i] == "[":
            i = skip(i + 1)
            index = 0
            while body[i] != "]":
                i = skip(value(i, f"{path}[{index}]"))
                index += 1
                if body[i] == ",":
                    i = skip(i + 1)
            end = i + 1
        else:
            _, end = decoder.raw_decode(body, i)
        spans[path] = (start, end)
        return end

    value(0, "")
    return spans


def extract(document: dict, model: dict, subject=None) -> list[Fact]:
    """Facts from one stored Hub answer."""
    body = document["body"] or ""
    try:
        answer = json.loads(body)
        spans = json_spans(body)
    except (ValueError, IndexError):
        return []
    if not isinstance(answer, dict):
        return []
    card = answer.get("card_data") if isinstance(answer.get("card_data"), dict) else {}
    base = {"model_id": model["id"], "document_id": document["id"], "extractor": EXTRACTOR}
    facts: list[Fact] = []

    def add(
        field_key: str,
        path: str,
        normalized: Normalized,
        confidence: float,
        method: str = "stated",
    ) -> None:
        start, end = spans[path]
        quote = body[start:end]
        value = json.loads(quote)
        facts.append(
            Fact(
                field=field_key,
                value=value if isinstance(value, str) else quote,
                normalized=normalized,
                locator={"json_path": path, "span": [start, end]},
                quote=quote,
                confidence=confidence,
                method=method,
                **base,
            )
        )

    for path, licence in _licences(card):
        add("license", path, license_of(licence, model["name"]), LICENSE_CONFIDENCE)
    total = params_total(answer.get("safetensors"))
    if total is not None:
        normalized = Normalized([total], qualifier=PARAMS_KIND)
        # counted from the weights (embeddings and all), not stated: no size of its own
        # on a card that has a stated one
        add("params", "safetensors.total", normalized, PARAMS_CONFIDENCE, method="derived")
    created = answer.get("created_at")
    if isinstance(created, str) and not created.startswith(CREATION_FLOOR):
        add(
            "date",
            "created_at",
            normalize("date", created, date_kind=DATE_KIND),
            CREATED_CONFIDENCE,
        )
    relation = relation_of(card, answer)
    for path, parent in _base_models(card):
        add("base_model", path, Normalized(parent, qualifier=relation), BASE_MODEL_CONFIDENCE)
    return facts


def license_of(hub_id: str, model_name: str | None = None) -> Normalized:
    """A Hub licence id (or an "other" licence's name) → the licence it names."""
    key = hub_id.strip().lower()
    if key in HUB_LICENSES:
        known = HUB_LICENSES[key]
        return Normalized(known) if known else Normalized(None, "unrecognized")
    found = normalize("license", hub_id, model_name=model_name)
    if found.value is None and "-" in key:
        # ids and names are slugs: "tongyi-qianwen-license-agreement"
        found = normalize("license", key.replace("-", " "), model_name=model_name)
    return found


def _licences(card: dict) -> list[tuple[str, str]]:
    """(JSON path, licence) of the card: ``license``, or ``license_name`` when the
    licence is "other" (a bespoke one)."""
    licence = card.get("license")
    if licence == "other":
        name = card.get("license_name")
        return [("card_data.license_name", name)] if isinstance(name, str) and name else []
    if isinstance(licence, str) and licence:
        return [("card_data.license", licence)]
    if isinstance(licence, list):
        return [
            (f"card_data.license[{i}]", one)
            for i, one in enumerate(licence)
            if isinstance(one, str) and one and one != "other"
        ]
    return []


def params_total(safetensors) -> int | None:
    """``safetensors.total`` when every tensor is floating point (else None)."""
    if not isinstance(safetensors, dict):
        return None
    total, by_dtype = safetensors.get("total"), safetensors.get("parameters")
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        return None
    if not isinstance(by_dtype, dict) or not by_dtype or set(by_dtype) - FLOAT_DTYPES:
        return None
    return total


def relation_of(card: dict, answer: dict) -> str:
    """How the model derives from its base models: the card's ``base_model_relation``,
    else a PEFT adapter, quantized weights, several parents (a merge), or a fine-tune."""
    stated = card.get("base_model_relation")
    if isinstance(stated, str) and stated.lower() in RELATIONS:
        return stated.lower()
    tags = {t.lower() for t in answer.get("tags") or [] if isinstance(t, str)}
    if answer.get("library_name") == "peft" or "peft" in tags:
        return "adapter"
    if tags & QUANTIZED_TAGS:
        return "quantized"
    parents = card.get("base_model")
    if isinstance(parents, list) and len([p for p in parents if isinstance(p, str)]) > 1:
        return "merge"
    return "finetune"


def _base_models(card: dict) -> list[tuple[str, str]]:
    """(JSON path, repository id) of every base model the card names."""
    parents = card.get("base_model")
    if isinstance(parents, str) and parents:
        return [("card_data.base_model", parents)]
    if isinstance(parents, list):
        return [
            (f"card_data.base_model[{i}]", p) for i, p in enumerate(parents) if isinstance(p, str)
        ]
    return []
