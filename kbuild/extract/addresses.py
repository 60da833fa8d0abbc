"""The public address of a fact's evidence, also when the document was read from a local
copy: the arXiv page (v1 for the v1 date), the PDF at its page, the doc page (its source
line at a revision), the table's row."""

from __future__ import annotations

import re

from kbuild.tables.spec import TableSpec

GITHUB_BLOB = re.compile(r"^https://github\.com/[^/]+/[^/]+/blob/")


def fact_url(
    document: dict, locator: dict, field: str, spec: TableSpec | None = None
) -> str | None:
    """Where a reader finds the fact: a URL, never a path of this machine."""
    base = document.get("final_url") or document.get("location")
    if not base or not base.startswith(("http://", "https://")):
        base = None
    source = document["source"]
    if source == "arxiv":
        arxiv_id = document.get("item")
        if not arxiv_id:
            return base
        version = "v1" if field == "date" else ""
        return f"https://arxiv.org/abs/{arxiv_id}{version}"
    if source == "pdf":
        return f"{base}#page={locator['page']}" if base and "page" in locator else base
    if source == "hf_doc":
        span = locator.get("span")
        if base and GITHUB_BLOB.match(base) and span and "element" not in locator:
            line = (document.get("body") or "")[: span[0]].count("\n") + 1
            return f"{base}#L{line}"
        return base
    if source == "hub":
        # the Hub's public API answer for the repository, where the quoted value stands
        # as written (the repository's page shows it in other words)
        item = document.get("item")
        return f"https://huggingface.co/api/models/{item}" if item else document.get("location")
    if source == "repo":
        if locator.get("commit") and locator.get("repo"):
            # a release witness: the commit that first added the file
            return f"https://github.com/{locator['repo']}/commit/{locator['commit']}"
        if base and GITHUB_BLOB.match(base) and locator.get("line"):
            return f"{base}#L{locator['line']}"
        return base
    if spec is not None and "row" in locator:
        values = {
            "row": locator["row"],
            "line": locator.get("line") or "",
            "file": locator.get("file") or document.get("item") or "",
        }
        if spec.row_url and (values["line"] or "{line}" not in spec.row_url):
            return spec.row_url.format(**values)
        if spec.file_url and values["file"]:
            return spec.file_url.format(**values)
    return base
