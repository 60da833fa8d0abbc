"""The model-doc index as a source of models: every Hugging Face transformers model-doc
page names a model (or a family) by its title, often with the paper it comes from.

Online the index is the docs' ``_toctree.yml`` (the "Text models" and "Multimodal models"
sections under "Models"), fetched and stored as a document of its own; offline it is the
folder of pages itself: each ``<slug>.md`` is an entry, titled by its first heading and
linked to its paper by the link the page's prose gives. Matching the entries to models
happens with the tables' (:func:`kbuild.fetch.tables.match_all`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kbuild.fetch.context import FetchContext, fetcher_name, refusal

SOURCE = "hf_doc_index"
CONFIG_KEY = "hf_docs"
TOCTREE = (
    "https://raw.githubusercontent.com/huggingface/transformers/main/docs/source/en/_toctree.yml"
)
TRANSFORMERS_DOCS = "https://huggingface.co/docs/transformers/"
# the sections of the index that hold language models (vision, audio, video and
# time-series models are not tracked)
SECTIONS = ("Text models", "Multimodal models")


@dataclass(frozen=True)
class PageEntry:
    """One model-doc page: its slug, the names its title gives, its paper if linked."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    arxiv_id: str | None = None

    @property
    def names(self) -> list[str]:
        """The title's name, then its aliases."""
        return [self.name, *self.aliases]


# --- titles ----------------------------------------------------------------------------

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>\n]*>")
# "Byte Latent Transformer (BLT)": a name and, in parentheses, another name for it
_PARENTHESIS = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<alias>[^()]+)\)$")


def title_names(title: str) -> tuple[str, tuple[str, ...]] | None:
    """(name, aliases) from a page title, markup and badges stripped: 'Byte Latent
    Transformer (BLT)' → ('Byte Latent Transformer', ('BLT',)); None when nothing is left."""
    text = _LINK.sub(r"\1", _IMAGE.sub("", title))
    text = _TAG.sub("", text).replace("`", "")
    text = re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", text)  # emphasis, not "qwen2_moe"
    text = " ".join(text.split()).strip(" :-")
    if not re.search(r"[A-Za-z0-9]", text):
        return None
    both = _PARENTHESIS.match(text)
    if both:
        return both.group("name"), (both.group("alias").strip(),)
    return text, ()


# --- the local folder ----------------------------------------------------------------

_HIDDEN = re.compile(r"<!--.*?-->|^```.*?^```[^\n]*$", re.S | re.M)
_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$", re.M)
# second-level headings that are a section of the page, not its model's name
_SECTION = re.compile(
    r"^(?:overview|summary|usage(?: tips| examples?)?|notes?|resources?|introduction|abstract|"
    r"model details|quantization|contents?)$",
    re.I,
)


def page_title(body: str) -> str | None:
    """The page's title: its first '# ' heading outside comments and code (a code
    comment is no heading), else the page's first '## ' heading unless it names a
    section (a few rewritten pages open with '## GPT-Neo'; later ones are the API's)."""
    visible = _HIDDEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    headings = [(len(m.group(1)), m.group(2)) for m in _HEADING.finditer(visible)]
    for level, text in headings:
        if level == 1:
            return text
    if headings and not _SECTION.match(headings[0][1].strip()):
        return headings[0][1]
    return None


def page_paper(body: str, names: list[str]) -> str | None:
    """The arXiv id of the page's own paper, chosen as the page extractor chooses it."""
    from kbuild.extract.hf_docs import paper_link  # (the statements' patterns load here)
    from kbuild.extract.statements import OwnNames, Subject
    from kbuild.extract.text import markdown_regions

    found = paper_link(markdown_regions(body), Subject(OwnNames(names)))
    return found[1].group(1) if found else None


def page_entry(slug: str, bodies: list[str]) -> PageEntry | None:
    """The entry of one slug from its pages, newest first: the title of the first page
    that has one, the paper of the first that links one."""
    names = None
    for body in bodies:
        title = page_title(body)
        names = title_names(title) if title else None
        if names:
            break
    if names is None:
        return None
    name, aliases = names
    arxiv_id = next((a for body in bodies if (a := page_paper(body, [name, *aliases]))), None)
    return PageEntry(slug, name, aliases, arxiv_id)


def local_index(folder: Path) -> tuple[list[PageEntry], list[str]]:
    """Every page slug in ``folder`` as an entry (``<slug>.md`` before its older
    ``<slug>@<rev>.md``), and the slugs whose pages give no title."""
    from kbuild.fetch.hf_docs import local_pages

    entries, untitled = [], []
    for slug, paths in sorted(local_pages(folder).items()):
        newest_first = sorted(paths, key=lambda p: ("@" in p.name, p.name))
        bodies = []
        for path in newest_first:
            if not path.is_file() or refusal(path, folder):
                continue  # a FIFO, a device, a link out: the fetcher reports it, never reads it
            try:
                bodies.append(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue  # a folder named like a page, an unreadable file: the fetcher says so
        entry = page_entry(slug, bodies)
        if entry is None:
            untitled.append(slug)
        else:
            entries.append(entry)
    return entries, untitled


# --- the online index ----------------------------------------------------------------


def toctree_entries(text: str) -> list[PageEntry]:
    """The model-doc pages the ``_toctree.yml`` lists under Models → Text models and
    Multimodal models (titles only: the index links no papers)."""
    import yaml

    entries: dict[str, PageEntry] = {}

    def pages(node) -> None:
        if isinstance(node, list):
            for child in node:
                pages(child)
        elif isinstance(node, dict):
            local = str(node.get("local") or "")
            names = title_names(str(node.get("title") or ""))
            if local.startswith("model_doc/") and names:
                slug = local.removeprefix("model_doc/")
                entries.setdefault(slug, PageEntry(slug, names[0], names[1]))
            pages(node.get("sections"))

    def walk(node, in_models: bool) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child, in_models)
        elif isinstance(node, dict):
            title = str(node.get("title") or "").strip()
            if in_models and title in SECTIONS:
                pages(node.get("sections"))
            else:
                walk(node.get("sections"), in_models or title == "Models")

    walk(yaml.safe_load(text), False)
    return list(entries.values())


def index_url(ctx: FetchContext) -> str | None:
    """Where the online index is: the ``index`` of [hf_docs], else the transformers
    toctree when the pages are the transformers docs; pages elsewhere have none unless
    ``index`` names it (then only the tracked models' pages are read)."""
    source = ctx.config.sources[CONFIG_KEY]
    if source.index:
        return source.index
    return TOCTREE if source.location.startswith(TRANSFORMERS_DOCS) else None


def fetch(ctx: FetchContext) -> None:
    """Fetch the online index (conditionally when a copy is stored) and store it when it
    reads as a toctree with model pages; a local [hf_docs] folder is its own index."""
    source = ctx.config.sources[CONFIG_KEY]
    if not source.is_remote:
        return
    url = index_url(ctx)
    if url is None:
        return
    ctx.report.start(SOURCE, 1)
    with ctx.guarded(SOURCE, CONFIG_KEY, None, url):
        answer = ctx.http(source).get(url, **ctx.conditional(SOURCE, url))
        if answer.not_modified:
            previous = ctx.store.latest_document(SOURCE, url)
            if previous:
                ctx.store.touch(previous["id"])
                ctx.report.record(SOURCE, "unchanged", location=url, document_id=previous["id"])
                return
        if answer.status != 200:
            ctx.report.record(SOURCE, "failed", location=url, message=f"HTTP {answer.status}")
            return
        problem = toctree_problem(answer.content)
        if problem:
            ctx.report.record(
                SOURCE, "failed", location=url, message=f"{problem}; kept what was stored"
            )
            return
        saved = ctx.store.save_document(
            source=SOURCE,
            location=url,
            content=answer.content,
            fetcher=fetcher_name("hf_doc_index"),
            final_url=answer.final_url,
            http_status=answer.status,
            etag=answer.etag,
            last_modified=answer.last_modified,
            content_type=answer.content_type or "application/yaml",
        )
        ctx.report.record(
            SOURCE, "fetched" if saved.new else "unchanged", location=url, document_id=saved.id
        )


def toctree_problem(content: bytes) -> str | None:
    """Why an answer is not the docs' toctree (not UTF-8, not YAML, no model pages)."""
    import yaml

    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"not UTF-8 text (byte {err.start})"
    try:
        found = toctree_entries(text)
    except yaml.YAMLError as err:
        return f"not YAML ({str(err).splitlines()[0]})"
    if not found:
        return "no model_doc page under Models → Text models or Multimodal models"
    return None


# --- what matching reads -------------------------------------------------------------


def state(ctx: FetchContext) -> list | None:
    """What the index is read from, cheaply, for the matching digest: the current index
    document online; the name, size and modification time of every page offline."""
    source = ctx.config.sources[CONFIG_KEY]
    if not source.enabled:
        return None
    if source.is_remote:
        current = ctx.store.db.execute(
            "select id from current_documents where source = ? and location = ?",
            [SOURCE, index_url(ctx)],
        ).fetchone()
        return ["remote", current[0] if current else None]
    folder = source.path
    if not folder.is_dir():
        return ["local", None]
    files = sorted(folder.iterdir(), key=lambda p: p.name)
    return ["local", [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]]


def entries(ctx: FetchContext) -> list[PageEntry]:
    """The index's entries: the stored toctree online, the pages offline (none when the
    source is disabled, or its folder missing: the hf_docs fetcher reports that)."""
    source = ctx.config.sources[CONFIG_KEY]
    if not source.enabled:
        return []
    if source.is_remote:
        current = ctx.store.db.execute(
            "select body from current_documents where source = ? and location = ?",
            [SOURCE, index_url(ctx)],
        ).fetchone()
        return toctree_entries(current[0]) if current and current[0] else []
    if not source.path.is_dir():
        return []
    found, untitled = local_index(source.path)
    if untitled:
        ctx.report.note(
            f"hf_docs index: no title in the pages of {', '.join(untitled)}; "
            "they add no model (a model that names them in sources.toml still reads them)"
        )
    return found


def outcomes(report, pages: list) -> Counter:
    """Count what became of each page (:class:`kbuild.tables.match.PageMatch`) for the
    summary, and note in one line the pages no model reads: ambiguous ones, and those
    whose model kept another page (the first to claim a slug or a model wins)."""
    counts: Counter = Counter(rows=len(pages))
    unread = []
    for page in pages:
        counts[page.status] += 1
        kept_elsewhere = page.note and ("already has" in page.note or "stays" in page.note)
        if page.status == "ambiguous" or kept_elsewhere:
            unread.append(f"{page.slug} ({page.note})")
    if unread:
        shown = "; ".join(unread[:5]) + (f"; and {len(unread) - 5} more" if len(unread) > 5 else "")
        report.note(
            f"hf_docs index: {len(unread)} page(s) not read as the model they name: {shown}"
        )
    return counts
