"""Fetch Hugging Face transformers model-doc pages (HTML) or their markdown sources."""

from __future__ import annotations

import re

from kbuild.fetch.context import FetchContext, check_folder, fetcher_name, refusal
from kbuild.fetch.errors import TooLarge

SOURCE = "hf_doc"
CONFIG_KEY = "hf_docs"


def page_heading(html: str) -> str | None:
    """The page's first <h1>, which every model-doc page has; None if this is not one."""
    from bs4 import BeautifulSoup  # only for an HTML page: most copies are markdown

    heading = BeautifulSoup(html, "html.parser").find("h1")
    return heading.get_text(" ", strip=True) if heading else None


def fetch(ctx: FetchContext) -> None:
    """Fetch the doc page of every tracked model with an ``hf_doc_slug``."""
    source = ctx.config.sources[CONFIG_KEY]
    targets = [(m, slug) for m, slug in ctx.models("id", "hf_doc_slug") if slug]
    pages: dict[str, list] = {}
    if not source.is_remote:
        check_folder(source.path, CONFIG_KEY, "a folder of <slug>.md files")
        pages = local_pages(source.path)
    ctx.report.start(SOURCE, len(targets))
    for model_id, slug in targets:
        if source.is_remote:
            url = source.location.format(slug=slug)
            with ctx.guarded(SOURCE, CONFIG_KEY, model_id, url):
                fetch_page(ctx, model_id, url)
        else:
            read_local(ctx, model_id, slug, pages.get(slug, []))


LOCAL_PAGE = re.compile(r"^(?P<slug>[^@]+?)(?:@[0-9A-Za-z._-]+)?\.(?:md|html)$")


def local_pages(folder) -> dict[str, list]:
    """The folder's pages by slug (``<slug>.md``, ``<slug>.html``, ``<slug>@<rev>.md``),
    listed once: a glob per model made a folder of n pages cost n² to read."""
    found: dict[str, list] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):  # (names compare fastest)
        match = LOCAL_PAGE.match(path.name)
        if match:
            found.setdefault(match.group("slug"), []).append(path)
    return found


def page_problem(content: bytes, markdown: bool) -> str | None:
    """Why a doc page cannot be stored (empty, binary, not UTF-8, no heading), or None."""
    if not content.strip():
        return "the page is empty"
    if b"\x00" in content[:4096]:
        return "the page is binary, not text"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"not UTF-8 text (byte {err.start}); save it as UTF-8"
    if markdown:
        if not re.search(r"^\s{0,3}#{1,6}\s+\S|<h[12]", text, re.M):
            return "no heading: a model-doc page has a '# <Model>' heading"
    elif page_heading(text) is None:
        return "not a model-doc page (no <h1> heading)"
    return None


def fetch_page(ctx: FetchContext, model_id: str, url: str) -> None:
    """Fetch one doc page, conditionally when a copy is stored."""
    source = ctx.config.sources[CONFIG_KEY]
    answer = ctx.http(source).get(url, **ctx.conditional(SOURCE, url), accept="text/html")
    if answer.not_modified:
        previous = ctx.store.latest_document(SOURCE, url)
        if previous:
            ctx.store.touch(previous["id"])
            ctx.report.record(
                SOURCE, "unchanged", model_id=model_id, location=url, document_id=previous["id"]
            )
            return
    if answer.status != 200:
        ctx.report.record(
            SOURCE, "failed", model_id=model_id, location=url, message=f"HTTP {answer.status}"
        )
        return
    problem = page_problem(answer.content, markdown=False)
    if problem:
        ctx.report.record(
            SOURCE,
            "failed",
            model_id=model_id,
            location=url,
            message=f"{problem}; kept what was stored",
        )
        return
    saved = ctx.store.save_document(
        source=SOURCE,
        location=url,
        model_id=model_id,
        content=answer.content,
        fetcher=fetcher_name("hf_docs"),
        final_url=answer.final_url,
        http_status=answer.status,
        etag=answer.etag,
        last_modified=answer.last_modified,
        content_type=answer.content_type,
    )
    ctx.report.record(
        SOURCE,
        "fetched" if saved.new else "unchanged",
        model_id=model_id,
        location=url,
        document_id=saved.id,
    )


def read_local(ctx: FetchContext, model_id: str, slug: str, files: list) -> None:
    """Read ``<slug>.md`` / ``<slug>.html`` and older revisions saved as ``<slug>@<rev>.md``."""
    folder = ctx.config.sources[CONFIG_KEY].path
    if not files:
        ctx.report.record(
            SOURCE,
            "skipped",
            model_id=model_id,
            location=str(folder),
            message=f"no {slug}.md or {slug}.html in {folder}",
        )
        return
    source = ctx.config.sources[CONFIG_KEY]
    for path in files:
        public = public_page(source, slug, path.name)
        refused = refusal(path, folder)  # (a folder: the guard names it)
        if refused:
            ctx.report.record(
                SOURCE, "failed", model_id=model_id, location=str(path), message=refused
            )  # fmt: skip
            continue
        with ctx.guarded(SOURCE, CONFIG_KEY, model_id, str(path)):
            if ctx.seen_unchanged(SOURCE, public, path):
                continue
            if path.stat().st_size > source.max_bytes:
                raise TooLarge(f"{path.name} is over the {source.max_bytes}-byte cap")
            content = path.read_bytes()
            problem = page_problem(content, markdown=path.suffix != ".html")
            if problem:
                ctx.report.record(
                    SOURCE, "failed", model_id=model_id, location=str(path),
                    message=f"{path}: {problem}; kept what was stored",
                )  # fmt: skip
                continue
            with ctx.store.atomic():
                saved = ctx.store.save_document(
                    source=SOURCE,
                    location=public,
                    model_id=model_id,
                    content=content,
                    fetcher=fetcher_name("hf_docs"),
                    content_type="text/html" if path.suffix == ".html" else "text/markdown",
                    local_path=str(path),
                )
                ctx.report.record(
                    SOURCE,
                    "fetched" if saved.new else "unchanged",
                    model_id=model_id,
                    location=public,
                    document_id=saved.id,
                )


REVISION = re.compile(r"@([0-9a-f]{7,40})\.(?:md|mdx|html)$")
SOURCE_AT = (
    "https://github.com/huggingface/transformers/blob/{rev}/docs/source/en/model_doc/{slug}.md"
)


def public_page(source, slug: str, file_name: str) -> str:
    """The public address of a local doc page: the live page for ``<slug>.md``, the source
    file at its revision on GitHub for ``<slug>@<rev>.md``."""
    revision = REVISION.search(file_name)
    if revision:
        return SOURCE_AT.format(rev=revision.group(1), slug=slug)
    return source.public_location.format(slug=slug)
