"""`kbuild check` on a long post about the history of LLMs: cards and prose, timed.

SYNTHETIC data: the post is generated from the knowledge base's own cards (models, dates,
sizes, labs, licences, architectures) with sentence patterns a history post uses — an
apposition, a possessive, a parenthesis, "it" under the model's heading, comparisons of
two models — about a fifth of the values made wrong on purpose (a year off, a size
doubled, another model's lab), and sentences with numbers that are no sizes (BLEU
scores, GPU counts, token counts, "100x faster"), denials, citations, code blocks,
tables, HTML comments and card blocks in between.

    .venv/bin/python benchmarks/long_post.py [--db db/kb.db] [--size 400] [--out post.md]

Prints the post's size, the time of the whole check (cards and prose) next to a bare
baseline (reading the post and splitting it into sentences), and the claims per field
and verdict. Writes the post (for the hand-judged sample) with --out.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import sqlite_utils

from kbuild.check.runner import check
from kbuild.extract.text import Region, sentences
from kbuild.normalize.params import human

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
FILLER = [
    "Benchmarks of the time were small, and every new model moved them a little.",
    "The community argued about evaluation more than about architecture.",
    "Tokenizers changed less than people expected, and data changed more.",
    "Researchers kept asking whether scale alone explained the gains.",
]
DISTRACTORS = [
    "{m} scored 41.2 BLEU on WMT14 and was trained on 512 GPUs for three weeks.",
    "{m} saw 300B tokens during training, and its context window held 2048 tokens.",
    "Inference with {m} became 100x faster once the kernels were rewritten.",
    "As Smith et al. (2021) showed, {m} was cited more than 5,000 times.",
    "{m} is not a 900B model, whatever the rumours said.",
    "People compared {m} with larger systems and found it held up.",
]


def load_models(db: sqlite_utils.Database) -> list[dict]:
    """Models whose card has a name, a date and at least one other field."""
    models = []
    for card in db.query("select * from cards where date is not null"):
        params = json.loads(card["params"]) if card["params"] else []
        lab = json.loads(card["lab"]) if card["lab"] else []
        if params or lab:
            models.append({**card, "sizes": params, "labs": lab})
    return models


def date_words(date: str, wrong: bool, rng: random.Random) -> str:
    year, month = int(date[:4]), int(date[5:7]) if len(date) >= 7 else None
    if wrong:
        year += rng.choice([-1, 1])
    if month and rng.random() < 0.6:
        return f"{MONTHS[month - 1]} {year}"
    return str(year)


def paragraph(model: dict, other: dict, rng: random.Random) -> list[str]:
    """A few sentences about one model (one of them may compare it with another)."""
    name = model["name"]
    wrong = rng.random() < 0.2
    out = []
    size = human(rng.choice(model["sizes"]) * (2 if wrong else 1)) if model["sizes"] else None
    lab = (other["labs"] if wrong and other["labs"] else model["labs"])[:1]
    lab = lab[0] if lab else None
    when = date_words(model["date"], wrong and rng.random() < 0.5, rng)
    patterns = []
    if size and lab:
        patterns.append(f"{name}, a {size} parameter model from {lab}, arrived in {when}.")
        patterns.append(f"{lab} released {name} in {when}; it has {size} parameters.")
    if size:
        patterns.append(f"{name} ({size} parameters) was a turning point.")
        patterns.append(f"{name}'s {size} variant became the default choice.")
        patterns.append(f"The {size} {name} model was the one most people used.")
        if len(model["sizes"]) > 1:
            low, high = human(min(model["sizes"])), human(max(model["sizes"]))
            patterns.append(f"The {name} family ranges from {low} to {high} parameters.")
            patterns.append(f"{name} goes up to {high} parameters.")
    if lab:
        patterns.append(f"{name} came out of {lab} in {when}.")
    else:
        patterns.append(f"{name} was released in {when}.")
    if model["architecture"]:
        article = "an" if model["architecture"][0] == "e" else "a"
        patterns.append(f"{name} is {article} {model['architecture']} model.")
    if model["license"] and model["license"] in ("Apache-2.0", "MIT"):
        patterns.append(f"{name} is available under the {model['license']} license.")
    rng.shuffle(patterns)
    out += patterns[: rng.randint(1, 3)]
    if other["sizes"] and size and rng.random() < 0.3:
        out.append(f"{name} has {size} parameters while {other['name']} has "
                   f"{human(max(other['sizes']))}.")  # fmt: skip
    if rng.random() < 0.5:
        out.append(rng.choice(DISTRACTORS).format(m=name))
    out.append(rng.choice(FILLER))
    return out


def build_post(models: list[dict], size_kb: int, seed: int = 4) -> str:
    rng = random.Random(seed)
    parts = ["---", "title: A long history of language models (synthetic)", "---", "",
             "# A long history of language models", ""]  # fmt: skip
    number = 0
    while sum(len(p) + 1 for p in parts) < size_kb * 1024:
        model = models[number % len(models)]
        other = models[(number * 7 + 3) % len(models)]
        number += 1
        parts += [f"## {model['name']}", ""]
        parts.append(" ".join(paragraph(model, other, rng)))
        parts.append("")
        if rng.random() < 0.3:
            parts.append(f"It was released in {date_words(model['date'], False, rng)}.")
            parts.append("")
        if number % 9 == 0:
            parts += ['"""', f"Family: {model['family'] or 'GPT'}",
                      f"Date (of first known publication): {model['date'][5:7] or '01'}/"
                      f"{model['date'][:4]}", f"Lab: {', '.join(model['labs']) or 'unknown'}",
                      '"""', ""]  # fmt: skip
        if number % 11 == 0:
            parts += ["```python", f"model = load('{model['name']}', params='7B')", "```", ""]
        if number % 13 == 0:
            parts += ["| model | params |", "|---|---|", f"| {model['name']} | 175B |", ""]
        if number % 17 == 0:
            parts += [f"<!-- note to self: {model['name']} was released in 1999 -->", ""]
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="db/kb.db")
    parser.add_argument("--size", type=int, default=400, help="KB of post")
    parser.add_argument("--out", help="write the post here too")
    args = parser.parse_args()
    db = sqlite_utils.Database(args.db)
    post = build_post(load_models(db), args.size)
    path = Path(args.out) if args.out else Path(tempfile.mkdtemp()) / "long_post.md"
    path.write_text(post, encoding="utf-8")

    started = time.perf_counter()
    text = path.read_text(encoding="utf-8")
    count = sum(1 for _ in sentences(Region(0, len(text), text)))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    results = check(db, path)
    elapsed = time.perf_counter() - started

    print(f"post (synthetic):            {len(post) / 1024:.0f} KB, {post.count(chr(10))} lines")
    print(f"baseline (read + sentences): {baseline:.2f} s ({count} sentences)")
    print(f"kbuild check (cards+prose):  {elapsed:.2f} s ({elapsed / baseline:.0f}x the baseline)")
    for kind in ("card", "prose"):
        group = [r for r in results if r.claim["kind"] == kind]
        print(f"\n{kind} claims: {len(group)}")
        by_field = Counter((r.claim["field"], r.verdict.verdict) for r in group)
        for field in sorted({f for f, _ in by_field}):
            verdicts = {v: n for (f, v), n in by_field.items() if f == field}
            print(f"  {field:<12} {sum(verdicts.values()):>5}  " + ", ".join(
                f"{v} {n}" for v, n in sorted(verdicts.items(), key=lambda x: -x[1])))  # fmt: skip


if __name__ == "__main__":
    main()
