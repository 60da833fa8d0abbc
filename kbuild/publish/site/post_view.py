"""A checked post shown as its writer wrote it, each claim marked where it stands: the
spans of prose claims and the value of each card line, coloured by verdict, with the
verdict, its reason and the evidence in the mark's tooltip and a link to the claim's row
of the report."""

from __future__ import annotations

import json
import re

from markupsafe import Markup, escape

# how bad a verdict is for the writer: the worst wins where marks overlap
SEVERITY = {
    "contradicted": 0, "malformed": 1, "unknown_model": 2, "no_evidence": 3,
    "unverified": 4, "partially_supported": 5, "not_checkable": 6, "supported": 7,
}  # fmt: skip


def _marks(text: str, claims: list[dict]) -> list[tuple[int, int, dict]]:
    """(start, end, claim) of every claim in ``text``: a prose claim at its span (columns
    in its line), a card claim at its value on its line (the whole line when the value
    is not found there; for a page converted from HTML the lines are the page's, so only
    what is found is marked)."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    found = []
    for claim in claims:
        line = claim.get("line")
        if not line or line > len(starts):
            continue
        begin = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(text)
        # a prose claim's span is the columns of its value in its line
        span = json.loads(claim["span"]) if claim.get("span") else None
        if span and 0 <= span[0] < span[1] and begin + span[1] <= end:
            found.append((begin + span[0], begin + span[1], claim))
            continue
        where = text.find(claim.get("text") or "\0", begin, end) if claim.get("text") else -1
        if where >= 0:
            found.append((where, where + len(claim["text"]), claim))
        else:
            found.append((begin, end, claim))
    return found


def highlighted(text: str, claims: list[dict]) -> Markup:
    """The text as HTML with a <mark> per claim; where marks overlap the first to start
    holds the place and names the others in its tooltip."""
    marks = sorted(_marks(text, claims), key=lambda m: (m[0], SEVERITY.get(m[2]["verdict"], 9)))
    out, at = [], 0
    for start, end, _ in marks:
        if start < at:
            continue  # inside an earlier mark
        same = [c for s, e, c in marks if s < end and e > start]
        worst = min(same, key=lambda c: SEVERITY.get(c["verdict"], 9))
        tip = "\n".join(
            f"{c['field']}: {c['verdict'].replace('_', ' ')} — {c.get('explanation') or ''}"
            + (f"\n“{c['evidence']}” <{c['evidence_url']}>" if c.get("evidence") else "")
            for c in same
        )
        out.append(escape(text[at:start]))
        out.append(
            Markup(
                '<a class="claim-mark verdict-{v}" href="#claim-{id}" title="{tip}">{body}</a>'
            ).format(v=worst["verdict"], id=worst["id"], tip=tip, body=text[start:end])
        )
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)
