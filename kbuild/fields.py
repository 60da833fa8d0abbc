"""The card fields, defined once: their order and how their values are compared."""

from __future__ import annotations

# The fields of a model card, in the order cards show them.
CARD_FIELDS = (
    "link",
    "family",
    "architecture",
    "task",
    "extension",
    "application",
    "date",
    "params",
    "corpus",
    "license",
    # who can use the weights (unreleased, API, open weights, with restrictions): not a
    # licence, its own field (kbuild.normalize.access)
    "access",
    "lab",
    "arxiv_id",
)
# Fields whose value is free text: the card shows it as written; nothing to compare.
FREE_TEXT_FIELDS = ("link", "extension", "application", "title", "authors")
# Fields normalized to a JSON list; two values agree when one contains the other.
# (tokens: the token counts a paper says its models were trained on; kept in facts, no
# card field.)
LIST_FIELDS = ("params", "task", "corpus", "lab", "family", "tokens")
# List fields of names (params is a list of sizes).
SET_FIELDS = ("task", "corpus", "lab", "family")
