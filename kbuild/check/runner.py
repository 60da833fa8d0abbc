"""Check a post: parse its cards, judge every claim, store ``claims`` and ``verdicts``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from kbuild.check.document import PostDocument, is_url, read_document
from kbuild.check.identify import identify
from kbuild.check.judge import Verdict, judge, normalize_claim
from kbuild.check.knowledge import KnowledgeBase
from kbuild.check.origin import find_origin
from kbuild.check.post import parse
from kbuild.check.prose import prose_claims
from kbuild.store import ensure_schema, utc_now


@dataclass
class Checked:
    """One claim with its verdict, as stored and printed."""

    claim: dict
    verdict: Verdict


# No post makes this many claims (the longest real ones make a few hundred): a file that
# does is a table dump, and checking its first claims says what checking all would.
MAX_CLAIMS = 10_000


class Results(list):
    """The checked claims; ``cut`` when the post makes more than MAX_CLAIMS."""

    def __init__(self, items=(), cut: bool = False):
        super().__init__(items)
        self.cut = cut


def check(db: sqlite_utils.Database, path: str | Path, only: str | None = None) -> list[Checked]:
    """Judge every claim of the post — its cards' and its prose's, or ``only`` one kind —
    up to MAX_CLAIMS of them (the cards' first); the post itself is only read. Claims of
    the kinds checked replace those stored."""
    doc = read_document(path)
    text = doc.text
    ensure_schema(db)
    kb = KnowledgeBase(db, text)
    post = Post.of(path)
    now = utc_now()
    cards = parse(text) if doc.kind != "html" else []
    results: list[Checked] = []
    if only in (None, "cards"):
        results += _card_results(kb, cards, post, now)
    if only in (None, "prose") and len(results) <= MAX_CLAIMS:
        # (one more than the cap asked for: whether the post went on past it)
        results += _prose_results(kb, doc, cards, post, now, MAX_CLAIMS + 1 - len(results))
    results = Results(results[:MAX_CLAIMS], cut=len(results) > MAX_CLAIMS)
    kinds = ["card", "prose"] if only is None else [only.rstrip("s")]
    with db.atomic():
        marks = ",".join("?" * len(kinds))
        # (rows of older versions are keyed by the path itself; a subquery, not a list
        # of ids: a post checked before may have more claims than SQLite takes variables)
        stored = (
            f"select id from claims where (post_key = ? or post = ?) "
            f"and coalesce(kind, 'card') in ({marks})"
        )
        where = [post.key, post.path, *kinds]
        db.execute(f"delete from verdicts where claim_id in ({stored})", where)
        db.execute(f"delete from claims where id in ({stored})", where)
        _insert(db, "claims", [r.claim for r in results])
        db["posts"].upsert(
            {"post_key": post.key, "post": post.name, "kind": doc.kind, "text": text,
             "checked_at": now},
            pk="post_key",
        )  # fmt: skip
        _insert(
            db,
            "verdicts",
            [
                {
                    "claim_id": r.claim["id"],
                    "verdict": r.verdict.verdict,
                    "fact_id": r.verdict.fact["id"] if r.verdict.fact else None,
                    "explanation": r.verdict.explanation,
                }
                for r in results
            ],
        )
    return results


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """Insert (or replace) rows in one statement: a long post has thousands."""
    columns = list(db[table].columns_dict)
    marks = ", ".join("?" * len(columns))
    db.conn.executemany(
        f"insert or replace into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"values ({marks})",
        [[row.get(c) for c in columns] for row in rows],
    )


@dataclass(frozen=True)
class Post:
    """A post as stored: its file name (shown; the database is published, so never the
    path of this machine) and a key from its resolved path ("post.md" and
    "/abs/post.md" are one post, and two posts of one name in two folders are two)."""

    name: str
    key: str
    path: str

    @classmethod
    def of(cls, path: str | Path) -> Post:
        if isinstance(path, str) and is_url(path):
            return cls(path, hashlib.sha256(path.encode()).hexdigest()[:12], path)
        resolved = str(Path(path).resolve())
        return cls(Path(path).name, hashlib.sha256(resolved.encode()).hexdigest()[:12], resolved)


def _claim_id(post: Post, line: int, field: str, kind: str, column: int | str = 0) -> str:
    key = f"{post.key}\0{line}\0{field}" + (f"\0{kind}\0{column}" if kind != "card" else "")
    return hashlib.sha256(key.encode()).hexdigest()[:16]


# what a release's verdict makes of a claim about its family: support by one release is
# support (with which); no release contradicts a family (another release may be meant)
_FAMILY_ORDER = ("supported", "partially_supported", "malformed", "not_checkable")


def judge_family(kb: KnowledgeBase, found, name: str | None, field: str, text: str) -> Verdict:
    """The verdict on a card's claim about a family (``found.family``): judged against
    each release; the best of :data:`_FAMILY_ORDER` any release gives, else unverified
    with what each release's evidence says."""
    verdicts = []
    for model_id in found.candidates:
        member = kb.by_id.get(model_id)
        if member is not None:
            verdicts.append((member, judge(kb, member, name, field, text)))
    for kind in _FAMILY_ORDER:
        for member, verdict in verdicts:
            if verdict.verdict == kind:
                return Verdict(
                    kind,
                    f"for {member['name']}, a release of the family {found.family}: "
                    f"{verdict.explanation}",
                    verdict.fact,
                    verdict.normalized,
                )
    said = "; ".join(f"{m['name']}: {v.verdict}" for m, v in verdicts)
    normalized = next((v.normalized for _, v in verdicts if v.normalized), None)
    return Verdict(
        "unverified",
        f"{found.family} is a family: no release's evidence supports it ({said}); a claim "
        "about a family is not contradicted by one release",
        None,
        normalized,
    )


def _card_results(kb: KnowledgeBase, cards: list, post: Post, now: str) -> list[Checked]:
    results = []
    for card in cards:
        if len(results) > MAX_CLAIMS:
            break
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
            if found.family is not None:
                verdict = judge_family(kb, found, card.model, claim.field, claim.text)
            else:
                verdict = judge(
                    kb,
                    model,
                    card.model,
                    claim.field,
                    claim.text,
                    origin,
                    unknown_reason=reason,
                    ambiguous=found.ambiguous,
                )
            row = {
                "id": _claim_id(post, claim.line, claim.field, "card"),
                "post": post.name,
                "post_key": post.key,
                "kind": "card",
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
    return results


def _prose_results(
    kb: KnowledgeBase, doc: PostDocument, cards: list, post: Post, now: str, limit: int
) -> list[Checked]:
    results = []
    for claim in prose_claims(kb, doc, cards, limit):
        model = kb.by_id.get(claim.model_id) if claim.model_id else None
        verdict = judge(
            kb,
            model,
            claim.model,
            claim.field,
            claim.normalized or claim.text,
            unknown_reason=f"the knowledge base has no model {claim.model!r}",
            prose=True,
            qualifier=claim.qualifier,
        )
        row = {
            "id": _claim_id(
                post,
                claim.line,
                claim.field,
                "prose",
                claim.span[0] if claim.span else f"{claim.sentence}\0{claim.text}",
            ),
            "post": post.name,
            "post_key": post.key,
            "kind": "prose",
            "model": claim.model,
            "model_id": claim.model_id,
            "field": claim.field,
            "key": None,
            "text": claim.text,
            "normalized": verdict.normalized.as_text() if verdict.normalized else None,
            "line": claim.line,
            "checked_at": now,
            "identified_by": claim.how,
            "origin": None,
            "span": json.dumps(list(claim.span)) if claim.span else None,
            "sentence": claim.sentence,
            "qualifier": claim.qualifier,
            "unpublished": claim.unpublished,
        }
        results.append(Checked(row, verdict))
    return results
