"""Families: the releases a writer names together ("Claude 3", "Code Llama", "Falcon").

A model is one release; a family groups releases, from what the names and the matching
already say:
- a release of its own that a table named as a size of another model (``models.family``:
  "Falcon-40B" beside Falcon, "GLM-130B" beside GLM) belongs to that model's family, and
  so does the model itself;
- models whose names are one stem and a tier word ("Claude 3 Opus", "Claude 3 Sonnet",
  "Claude 3 Haiku"; "Llama 4 Scout", "Llama 4 Maverick") form the stem's family, when no
  model goes by the stem itself.

Rewritten by every extract (``families``), like ``lineage``; ``kbuild check`` reads it to
tell a family named in a post from a model it does not know.
"""

from __future__ import annotations

import re

import sqlite_utils

from kbuild.config import name_key

# the words that name one tier of a release, after the family's name
TIERS = re.compile(
    r"\s+(?:Opus|Sonnet|Haiku|Instant|Scout|Maverick|Behemoth|Ultra|Pro|Nano(?:-\d)?|Flash"
    r"(?:-Lite)?|Lite|Mini|Small|Medium|Large|Max|Plus|Turbo|Base|Chat|Instruct)$",
    re.I,
)


SIZE = re.compile(r"[\s-]+\d+(?:\.\d+)?[MB]$", re.I)


def stem(name: str) -> str | None:
    """'Claude 3 Opus' → 'Claude 3'; 'Gemini 1.0 Ultra' → 'Gemini 1.0'; 'Gemma 1.1 7B
    Instruct' → 'Gemma 1.1' (a size is no part of a family's name); 'GPT-4' → None. Only
    a stem with a version number: "Mistral Large" is a model of Mistral AI, not of a
    family "Mistral"."""
    match = TIERS.search(name)
    if match is None:
        return None
    found = SIZE.sub("", name[: match.start()]).strip()
    return found if re.search(r"\d", found) else None


def rows(models: list[dict]) -> list[dict]:
    """One row per family and member: (family, family_key, model_id, how)."""
    by_key = {name_key(m["name"]): m for m in models}
    found: dict[str, dict] = {}

    def add(family: str, model_id: str, how: str) -> None:
        key = name_key(family)
        found.setdefault(f"{key}\0{model_id}", {
            "family": family, "family_key": key, "model_id": model_id, "how": how,
        })  # fmt: skip

    for model in models:
        if model.get("family"):
            add(model["family"], model["id"], "a release of its own, named as a size")
            base = by_key.get(name_key(model["family"]))
            if base is not None:
                add(model["family"], base["id"], "the model the family is named for")
    stems: dict[str, list[dict]] = {}
    for model in models:
        found_stem = stem(model["name"])
        if found_stem and name_key(found_stem) not in by_key:
            stems.setdefault(found_stem, []).append(model)
    for family, members in stems.items():
        for model in members:
            add(family, model["id"], f"its name is {family} and a tier")
    return sorted(found.values(), key=lambda r: (r["family_key"], r["model_id"]))


def write(db: sqlite_utils.Database) -> int:
    """Replace ``families`` in one transaction; return how many rows it holds."""
    models = list(db.query("select id, name, family from models"))
    found = rows(models)
    with db.atomic():
        db.execute("delete from families")
        if found:
            db["families"].insert_all(found)
    return len(found)


def members(db: sqlite_utils.Database, name: str) -> tuple[str, list[str]] | None:
    """(the family's name, its members' ids) for a family name, else None."""
    found = list(
        db.execute(
            "select family, model_id from families where family_key = ? order by model_id",
            [name_key(name)],
        )
    )
    return (found[0][0], [model_id for _, model_id in found]) if found else None
