"""Links in table cells that identify a model: an HF model-doc page or an arXiv paper."""

from __future__ import annotations

import re

HF_DOC_LINK = re.compile(
    r"huggingface\.co/docs/transformers/(?:[^/\s]+/){0,2}model_doc/([A-Za-z0-9_.-]+)"
)
ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})")


def link_ids(link: str) -> tuple[str | None, str | None]:
    """The (hf_doc slug, arXiv id) a link points at, when it points at either."""
    hf = HF_DOC_LINK.search(link or "")
    arxiv = ARXIV_LINK.search(link or "")
    slug = hf.group(1) if hf else None
    if slug and ".." in slug:
        slug = None  # a slug must never climb out of a local docs folder
    return (slug, arxiv.group(1) if arxiv else None)
