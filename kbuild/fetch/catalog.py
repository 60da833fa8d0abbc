"""Fetch the Transformer catalog (a Google Sheet's CSV export, or a local .csv)."""

from __future__ import annotations

from kbuild import models as model_rows
from kbuild.catalog import CatalogError, read_rows
from kbuild.fetch.context import FetchContext, fetcher_name

SOURCE = "catalog"
SHARE_HELP = (
    "Google answers this way when the sheet is not shared publicly. Either share it "
    "(Share > General access > Anyone with the link > Viewer) or download it "
    "(File > Download > Comma-separated values) and set [catalog] location = "
    '"path/to/catalog.csv" in {sources}.'
)


def check_csv(content: bytes, content_type: str | None, sources: str) -> str:
    """The CSV text, or a :class:`CatalogError` saying why this is not CSV and what to do."""
    head = content[:512].lstrip().lower()
    if (content_type and "html" in content_type.lower()) or head.startswith(
        (b"<!doctype", b"<html")
    ):
        raise CatalogError(
            "the catalog location answered with an HTML page, not CSV. "
            + SHARE_HELP.format(sources=sources)
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CatalogError(f"the catalog is not UTF-8 text ({err})") from None


def fetch(ctx: FetchContext) -> None:
    """Store the catalog as a document and merge its rows into ``models``."""
    source = ctx.config.sources[SOURCE]
    report = ctx.report
    report.start(SOURCE, 1)
    location = source.location if source.is_remote else str(source.path)
    previous = ctx.store.latest_document(SOURCE, location)
    if source.is_remote:
        answer = ctx.http(source).get(location, **ctx.conditional(SOURCE, location))
        if answer.not_modified and previous:
            ctx.store.touch(previous["id"])
            doc_id, outcome = previous["id"], "unchanged"
        elif answer.status != 200:
            report.record(SOURCE, "failed", location=location, message=f"HTTP {answer.status}")
            return
        else:
            try:
                check_csv(answer.content, answer.content_type, str(ctx.config.path))
            except CatalogError as err:
                report.record(SOURCE, "failed", location=location, message=str(err))
                return
            saved = ctx.store.save_document(
                source=SOURCE,
                location=location,
                content=answer.content,
                fetcher=fetcher_name("catalog"),
                final_url=answer.final_url,
                http_status=answer.status,
                etag=answer.etag,
                last_modified=answer.last_modified,
                content_type=answer.content_type,
            )
            doc_id, outcome = saved.id, "fetched" if saved.new else "unchanged"
    else:
        path = source.path
        if not path.is_file():
            report.record(SOURCE, "failed", location=location, message=f"no such file: {path}")
            return
        content = path.read_bytes()
        try:
            check_csv(content, None, str(ctx.config.path))
        except CatalogError as err:
            report.record(SOURCE, "failed", location=location, message=str(err))
            return
        saved = ctx.store.save_document(
            source=SOURCE,
            location=location,
            content=content,
            fetcher=fetcher_name("catalog"),
            content_type="text/csv",
        )
        doc_id, outcome = saved.id, "fetched" if saved.new else "unchanged"

    body = ctx.store.db["documents"].get(doc_id)["body"]
    try:
        rows = read_rows(body)
    except CatalogError as err:
        report.record(SOURCE, "failed", location=location, document_id=doc_id, message=str(err))
        return
    merged = model_rows.merge_catalog(model_rows.from_sources(ctx.config.models), rows, doc_id)
    ctx.store.save_models(merged)
    report.record(
        SOURCE,
        outcome,
        location=location,
        document_id=doc_id,
        message=f"{len(rows)} catalog rows",
    )
