"""Check a post: parse its cards, judge every claim, store ``claims`` and ``verdicts``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from kbuild.check.identify import identify
from kbuild.check.judge import Verdict, judge, normalize_claim
from kbuild.check.knowledge import KnowledgeBase
from kbuild.check.origin import find_origin
from kbuild.check.post import parse
from kbuild.store import ensure_schema, utc_now


class PostError(Exception):
    """The post cannot be read."""


@dataclass
class Checked:
    """One claim with its verdict, as stored and printed."""

    claim: dict
    verdict: Verdict


def read_post(path: str | Path) -> str:
    """The post's text; :class:`PostError` when it cannot be read as UTF-8."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PostError(f"{path}: cannot read the post ({err.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PostError(
            f"{path}: not UTF-8 text (byte {err.start}); save the post as UTF-8 markdown"
        ) from None


def check(db: sqlite_utils.Database, path: str | Path) -> list[Checked]:
    """Judge every claim of every card in the post; the post itself is only read."""
    text = read_post(path)
    ensure_schema(db)
    kb = KnowledgeBase(db)
    # the resolved path, so "post.md" and "/abs/post.md" are the same post
    post = str(Path(path).resolve())
    now = utc_now()
    results: list[Checked] = []
    for card in parse(text):
        found = identify(kb, card)
        model = found.model
        claims = [c for c in card.claims if c.text.strip()]  # an empty value claims nothing
        origin = None
        if claims:
            keyed = []
            for claim in claims:
                normalized = (
                    normalize_claim(kb, model, claim.field, claim.text).as_text() if model else None
                )
                keyed.append((claim.field, claim.text, normalized))
            origin = find_origin(kb, keyed, model["id"] if model else None)
        reason = None
        if model is None:
            reason = f"the card's model is unknown: {found.how}"
            if origin:
                reason += f"; the card repeats {origin.describe(kb)}"
        for claim in claims:
            verdict = judge(
                kb, model, card.model, claim.field, claim.text, origin, unknown_reason=reason
            )
            key = f"{post}\0{claim.line}\0{claim.field}"
            row = {
                "id": hashlib.sha256(key.encode()).hexdigest()[:16],
                "post": post,
                "model": card.model,
                "model_id": model["id"] if model else None,
                "field": claim.field,
                "key": claim.key,
                "text": claim.text,
                "normalized": verdict.normalized.as_text() if verdict.normalized else None,
                "line": claim.line,
                "checked_at": now,
                "identified_by": found.how,
                "origin": origin.describe(kb) if origin else None,
            }
            results.append(Checked(row, verdict))
    with db.conn:
        old = [r["id"] for r in db.query("select id from claims where post = ?", [post])]
        if old:
            marks = ",".join("?" * len(old))
            db.execute(f"delete from verdicts where claim_id in ({marks})", old)
            db.execute(f"delete from claims where id in ({marks})", old)
        db["claims"].insert_all([r.claim for r in results], pk="id", replace=True)
        db["verdicts"].insert_all(
            [
                {
                    "claim_id": r.claim["id"],
                    "verdict": r.verdict.verdict,
                    "fact_id": r.verdict.fact["id"] if r.verdict.fact else None,
                    "explanation": r.verdict.explanation,
                }
                for r in results
            ],
            pk="claim_id",
            replace=True,
        )
    return results
