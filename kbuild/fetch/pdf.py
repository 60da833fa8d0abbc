"""Fetch paper PDFs (remote only with ``--pdf``) and store the text of every page."""

from __future__ import annotations

import os
from pathlib import Path

from kbuild.fetch.context import FetchContext, check_folder, fetcher_name, refusal

SOURCE = "pdf"


class BadPdf(Exception):
    """Not a PDF, encrypted, or too damaged to read."""


def page_texts(content: bytes) -> list[str]:
    """The text of every page, through pymupdf; :class:`BadPdf` when it cannot be read."""
    import pymupdf  # imported when a PDF is read: it is slow to load

    if not content.startswith(b"%PDF-"):
        raise BadPdf(f"not a PDF (it starts with {content[:20]!r})")
    try:
        document = pymupdf.open(stream=content, filetype="pdf")
    except Exception as err:  # pymupdf raises several types for broken files
        raise BadPdf(f"damaged PDF: {err}") from None
    with document:
        repaired = document.is_repaired
        if document.needs_pass:
            raise BadPdf("encrypted PDF (needs a password)")
        try:
            texts = [page.get_text() for page in document]
        except Exception as err:
            raise BadPdf(f"damaged PDF: {err}") from None
    if not texts:
        raise BadPdf("the PDF has no pages")
    if repaired and not any(t.strip() for t in texts):
        raise BadPdf("damaged PDF: pymupdf had to repair it and found no text")
    return texts


def public_address(ctx: FetchContext, model_id: str, location: str) -> str:
    """The public address of a PDF read from a local copy: the model's own PDF URL (from
    the sources file the corpus file extends), or the arXiv PDF of its paper."""
    if location.startswith(("http://", "https://")):
        return location
    entry = ctx.config.model(model_id)
    if entry and entry.public_pdf:
        return entry.public_pdf
    model = ctx.model(model_id)
    source = ctx.config.sources[SOURCE]
    if model and model["arxiv_id"] and "{arxiv_id}" in source.public_location:
        return source.public_location.format(arxiv_id=model["arxiv_id"])
    return Path(location).name


def targets(ctx: FetchContext) -> list[tuple[str, str]]:
    """(model id, URL or path) of each model's paper PDF: the sources file's own ``pdf``
    (a local copy resolved against its file), else the model's PDF URL, else its arXiv
    paper in the [pdf] location."""
    source = ctx.config.sources[SOURCE]
    entries = {m.id: m for m in ctx.config.models}
    folder = None if source.is_remote else str(source.path)
    found = []
    for model_id, pdf, arxiv_id in ctx.models("id", "pdf", "arxiv_id"):
        entry = entries.get(model_id)
        location = (entry.pdf if entry else None) or pdf
        if location:
            if not location.startswith(("http://", "https://")) and entry and entry.base_dir:
                location = str((entry.base_dir / location).resolve())
            found.append((model_id, location))
        elif arxiv_id:
            if folder is None:
                found.append((model_id, source.location.format(arxiv_id=arxiv_id)))
            else:
                found.append((model_id, os.path.join(folder, f"{arxiv_id}.pdf")))
    return found


def fetch(ctx: FetchContext) -> None:
    """Fetch (or read) each tracked model's PDF and store the text of its pages."""
    source = ctx.config.sources[SOURCE]
    todo = targets(ctx)
    remote = [t for t in todo if t[1].startswith(("http://", "https://"))]
    if remote and not ctx.pdf:
        ctx.report.note(
            f"pdf: {len(remote)} remote PDFs not fetched (large downloads); "
            "run `kbuild fetch --pdf` to fetch them"
        )
        todo = [t for t in todo if t not in remote]
    if not source.is_remote and any(loc.startswith(str(source.path)) for _, loc in todo):
        check_folder(source.path, "pdf", "a folder of <arxiv_id>.pdf files")
    named_in_sources = {m.id for m in ctx.config.models if m.pdf}
    ctx.report.start(SOURCE, len(todo))
    for model_id, location in todo:
        with ctx.guarded(SOURCE, "pdf", model_id, location):
            if location.startswith(("http://", "https://")):
                answer = ctx.http(source).get(
                    location, **ctx.conditional(SOURCE, location), max_bytes=source.max_bytes
                )
                if answer.not_modified:
                    previous = ctx.store.latest_document(SOURCE, location)
                    if previous:
                        ctx.store.touch(previous["id"])
                        ctx.report.record(
                            SOURCE,
                            "unchanged",
                            model_id=model_id,
                            location=location,
                            document_id=previous["id"],
                        )
                        continue
                if answer.status != 200:
                    ctx.report.record(
                        SOURCE,
                        "failed",
                        model_id=model_id,
                        location=location,
                        message=f"HTTP {answer.status}",
                    )
                    continue
                store_pdf(ctx, model_id, location, answer.content, http=answer)
            else:
                path = Path(location)
                # a file of the [pdf] folder must be a regular file inside it; a file the
                # sources file names, a regular file
                mirrored = model_id not in named_in_sources and not source.is_remote
                refused = (
                    refusal(path, source.path if mirrored else path.resolve().parent)
                    if path.exists() or path.is_symlink()
                    else None
                )
                if refused:
                    ctx.report.record(
                        SOURCE, "failed", model_id=model_id, location=location, message=refused
                    )
                    continue
                if not path.is_file():
                    # a folder is a partial mirror; a file named in sources.toml must exist
                    named = model_id in named_in_sources
                    ctx.report.record(
                        SOURCE,
                        "failed" if named else "skipped",
                        model_id=model_id,
                        location=location,
                        message=f"no such file: {path}" if named else f"no local copy {path.name}",
                    )
                    continue
                if ctx.seen_unchanged(
                    SOURCE, public_address(ctx, model_id, location), path,
                    whole=ctx.store.has_pages,
                ):  # fmt: skip
                    continue  # not parsed again: PDFs are the slow part of a re-run
                if path.stat().st_size > source.max_bytes:
                    ctx.report.record(
                        SOURCE,
                        "failed",
                        model_id=model_id,
                        location=location,
                        message=f"{path.name} is over the {source.max_bytes}-byte cap",
                    )
                    continue
                store_pdf(ctx, model_id, location, path.read_bytes())


def store_pdf(ctx: FetchContext, model_id: str, location: str, content: bytes, http=None) -> None:
    """Check and store one PDF and its pages; a bad file is reported by name and skipped."""
    try:
        texts = page_texts(content)
    except BadPdf as err:
        ctx.report.record(
            SOURCE,
            "failed",
            model_id=model_id,
            location=location,
            message=f"{Path(location).name}: {err}",
        )
        return
    local = None if location.startswith(("http://", "https://")) else location
    location = public_address(ctx, model_id, location)
    # the document, its pages and the log line are one write: a kill leaves all or none
    with ctx.store.atomic():
        saved = ctx.store.save_document(
            source=SOURCE,
            location=location,
            local_path=local,
            model_id=model_id,
            content=content,
            binary=True,
            fetcher=fetcher_name("pdf"),
            final_url=http.final_url if http else None,
            http_status=http.status if http else None,
            etag=http.etag if http else None,
            last_modified=http.last_modified if http else None,
            content_type=(http.content_type if http else None) or "application/pdf",
        )
        if saved.new or not ctx.store.has_pages(saved.id):
            ctx.store.save_pages(saved.id, texts)
        ctx.report.record(
            SOURCE,
            "fetched" if saved.new else "unchanged",
            model_id=model_id,
            location=location,
            document_id=saved.id,
            message=f"{len(texts)} pages",
        )
