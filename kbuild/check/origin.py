"""Where a post's card was copied from: the table row it repeats most, field by field
(verbatim or after normalization). A card copied from the catalog must not count the
catalog — or a copy of it — as a second witness to itself."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kbuild.check.knowledge import KnowledgeBase, squash

MIN_FIELDS = 3  # fewer equal fields is chance ("Decoder", "GPT", "Google")
MIN_SHARE = 0.5


@dataclass
class Origin:
    """A table row a card repeats."""

    source: str
    document_id: int
    row: int
    model_id: str
    matched: list[str]  # the card's fields equal to the row's
    compared: int  # the card's fields
    witness: str
    own_matched: int = 0  # how many fields the best row of the card's own model repeats

    def pasted_for(self, model_id: str) -> bool:
        """Whether the card repeats another model's row clearly more than its own
        model's (by two fields or more): pasted from the neighbour."""
        return self.model_id != model_id and len(self.matched) >= self.own_matched + 2

    def describe(self, kb: KnowledgeBase) -> str:
        """'catalog row 8 (RoBERTa) in 7 of 8 fields'."""
        return (
            f"{self.source} row {self.row} ({kb.name_of(self.model_id)}) in "
            f"{len(self.matched)} of {self.compared} fields"
        )

    def sources(self, kb: KnowledgeBase) -> list[str]:
        """The origin's table and its copies: none of them is a witness independent of
        the card."""
        return kb.copies_of(self.witness)


def find_origin(
    kb: KnowledgeBase, claims: list[tuple[str, str, str | None]], model_id: str | None = None
) -> Origin | None:
    """The row a card's claims — (field, text, normalized) — repeat most, when it repeats
    at least three fields and half of the card. Among rows that repeat as many fields, a
    row of the card's own model wins; rows of several other models tie, and a tie names
    no origin (three generic fields — "GPT", "Decoder", "OpenAI" — fit many rows)."""
    index = kb.rows()["index"]
    fields = {field for field, text, _ in claims if text.strip()}
    if not fields:
        return None
    votes: dict[tuple, set[str]] = {}
    for field, text, normalized in claims:
        keys = index.get((field, "text", squash(text)), set())
        if normalized is not None:
            keys = keys | index.get((field, "value", normalized), set())
        for key in keys:
            votes.setdefault(key, set()).add(field)
    if not votes:
        return None
    ranked = Counter({key: len(matched) for key, matched in votes.items()})
    # the most fields; the card's own model; an original before its copies (catalog, ORKG)
    ordered = sorted(
        ranked.items(),
        key=lambda item: (
            -item[1],
            item[0][3] != model_id,
            kb.witness(item[0][0]) != item[0][0],
            item[0][:3],
        ),
    )
    best, count = ordered[0]
    if count < MIN_FIELDS or count < MIN_SHARE * len(fields):
        return None
    rivals = {key[3] for key, n in ordered if n == count}
    if best[3] != model_id and len(rivals) > 1:
        return None
    source, document_id, row, row_model = best
    own = max((n for key, n in ordered if key[3] == model_id), default=0)
    return Origin(
        source,
        document_id,
        row,
        row_model,
        sorted(votes[best]),
        len(fields),
        kb.witness(source),
        own,
    )
