"""Which model a card in a post is about, and how that was found.

In order: the card's own Name/Model line; its Link (an HF doc page, an arXiv paper, or a
page a table gives as the model's link, such as its GitHub repository); its heading as a
whole ("LLaMA-65B"); the model names among the heading's words ("Inside BLOOM", "How
RoBERTa trained longer", "Gopher: scaling up"), the card's Family breaking a tie; then
the headings above it. A heading that names two models, with nothing to choose between
them, makes the card ambiguous: it is reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kbuild import families
from kbuild.check.knowledge import KnowledgeBase, url_key
from kbuild.check.post import Card
from kbuild.config import name_key
from kbuild.normalize.family import normalize_family
from kbuild.tables.links import link_ids


@dataclass
class Identified:
    """The card's model (None when unknown or ambiguous), how it was found, and the
    candidates of an ambiguous card."""

    model: dict | None
    how: str
    candidates: list[str] = field(default_factory=list)
    family: str | None = None  # the card is about a family; candidates are its releases

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1 and self.family is None


def identify(kb: KnowledgeBase, card: Card) -> Identified:
    """The model a card is about (see the module docstring). A card whose Link names an
    arXiv paper other than the model's is about another model of that name (two ERNIEs):
    unknown, never judged against the wrong one's evidence."""
    found = _identify(kb, card)
    link = next((c.text for c in card.claims if c.field == "link" and c.text.strip()), None)
    if found.model and link:
        _, arxiv_id = link_ids(link)
        own = found.model.get("arxiv_id")
        if arxiv_id and own and arxiv_id != own and arxiv_id not in kb.by_arxiv:
            return Identified(
                None,
                f"its Link names arXiv {arxiv_id}, not {found.model['name']}'s paper ({own}): "
                f"another model named like it, which the knowledge base does not know",
            )
    return found


def _identify(kb: KnowledgeBase, card: Card) -> Identified:
    # the card's own Name line first; a family's name ("Claude 3") before a model's
    # leading words ("Claude"); the heading only for a card with no Name line
    if card.name:
        family = _family(kb, card.name)
        if family is not None:
            return family
        found = kb.resolve(card.name)
        if found:
            return Identified(found, f"its Name line ({card.name!r})")
    elif card.headings and (family := _family(kb, card.headings[0])) is not None:
        return family
    link = next((c.text for c in card.claims if c.field == "link" and c.text.strip()), None)
    if link:
        found = _by_link(kb, link)
        if found:
            return found
    family = next((c.text for c in card.claims if c.field == "family"), "")
    for depth, heading in enumerate(card.headings):
        where = "its heading" if depth == 0 else f"the heading above it ({heading!r})"
        found = kb.resolve(heading) if name_key(heading) in kb.by_key else None
        if found:
            return Identified(found, where)
        named = kb.named_in(heading)
        if len(named) > 1:
            named = _by_family(named, family) or named
        if len(named) == 1:
            return Identified(named[0], f"the model named in {where}")
        if len(named) > 1:
            names = ", ".join(m["name"] for m in named)
            return Identified(
                None,
                f"ambiguous: {where} names {names}; add a Name: or Link: line",
                [m["id"] for m in named],
            )
        if depth == 0 and card.name is None:
            found = kb.resolve(heading)
            if found:
                return Identified(found, where)
    label = card.name or (card.headings[0] if card.headings else None)
    return Identified(
        None,
        "no model is named by the card's Name or Link line or by the headings above it"
        + (f" ({label!r})" if label else ""),
    )


def _family(kb: KnowledgeBase, name: str) -> Identified | None:
    """The family a name is, when no model goes by that name exactly."""
    found = families.members(kb.db, name) if name_key(name) not in kb.by_key else None
    if found is None:
        return None
    family, members = found
    releases = ", ".join(kb.by_id[m]["name"] for m in members if m in kb.by_id)
    return Identified(
        None,
        f"{family} is a family of releases ({releases}), not one model: each claim is "
        "judged against its releases (see the families table)",
        members,
        family=family,
    )


def _by_link(kb: KnowledgeBase, link: str) -> Identified | None:
    slug, arxiv_id = link_ids(link)
    if slug and slug in kb.by_slug:
        return Identified(kb.by_slug[slug], f"its Link (HF doc page {slug})")
    if arxiv_id and arxiv_id in kb.by_arxiv:
        return Identified(kb.by_arxiv[arxiv_id], f"its Link (arXiv {arxiv_id})")
    owners = kb.link_owners.get(url_key(link), set())
    if len(owners) == 1:
        (owner,) = owners
        return Identified(kb.by_id[owner], f"its Link ({link.strip()}, a table's link for it)")
    return None


def _by_family(models: list[dict], family: str) -> list[dict]:
    """Of several models a heading names, those the card's Family names."""
    families = normalize_family(family).value or []
    keys = {name_key(f) for f in families}
    return [m for m in models if any(name_key(n) in keys for n in [m["name"], *m["aliases"]])]
