"""A post as people have it — a markdown file (front matter and all), a saved HTML page,
plain text, or a URL — read into the text `check` works on, with every offset mapped
back to the line the writer sees.

Markdown and plain text are checked as written, so a line is a line of the file. An HTML
page is cut down to its article (trafilatura: the main text, not menus and footers) and
written out as markdown; each of those lines remembers the line of the page's source
where its text begins.
"""

from __future__ import annotations

import bisect
import html as html_module
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class PostError(Exception):
    """The post cannot be read."""


MAX_POST_BYTES = 20_000_000
HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdx", ".mkd", ".mdown", ".rmd", ".qmd"}
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


@dataclass
class PostDocument:
    """What `check` reads: ``text`` (markdown, or plain text), its kind, and for a page
    converted from HTML the source line of each of its lines."""

    name: str  # the file name or URL, as shown
    text: str
    kind: str  # "markdown", "text" (from a .txt file) or "html" (converted to markdown)
    source_lines: list[int] | None = None  # HTML: line of the page for each text line
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [0, *(m.end() for m in re.finditer("\n", self.text))]

    def line_of(self, offset: int) -> int:
        """The line (1-based) the writer sees for an offset in ``text``."""
        line = bisect.bisect_right(self._starts, offset)
        if self.source_lines:
            return self.source_lines[min(line, len(self.source_lines)) - 1]
        return line

    def column_of(self, offset: int) -> int:
        """The column (0-based) of an offset in its line of ``text``."""
        line = bisect.bisect_right(self._starts, offset)
        return offset - self._starts[line - 1]


def is_url(target: str) -> bool:
    """Whether the post is given as an http(s) address."""
    return urlsplit(target).scheme in ("http", "https") and bool(urlsplit(target).netloc)


def read_document(target: str | Path, *, timeout: float = 30.0) -> PostDocument:
    """The post at a path or http(s) URL; :class:`PostError` (one line: which post, what
    is wrong, what to do) when it cannot be read."""
    if isinstance(target, str) and is_url(target):
        return _from_url(target, timeout)
    path = Path(target)
    data = _read_file(path)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES or (
        suffix not in MARKDOWN_SUFFIXES | TEXT_SUFFIXES and HTML_START.match(data[:4096])
    ):
        return from_html(path.name, _decode(path, data))
    kind = "text" if suffix in TEXT_SUFFIXES else "markdown"
    return PostDocument(path.name, _decode(path, data), kind)


def _read_file(path: Path) -> bytes:
    try:
        if not path.is_file():
            # a FIFO would block forever, /dev/zero would never end
            what = "a folder" if path.is_dir() else "not a regular file"
            if not path.exists():
                raise FileNotFoundError(2, "No such file or directory")
            raise PostError(
                f"{path}: cannot read the post ({what}); give a markdown, HTML or text file"
            )
        if path.stat().st_size > MAX_POST_BYTES:
            raise PostError(
                f"{path}: the post is over {MAX_POST_BYTES // 1_000_000} MB; is it really a post?"
            )
        return path.read_bytes()
    except OSError as err:
        raise PostError(f"{path}: cannot read the post ({err.strerror})") from None


META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w-]+)", re.I)


def _decode(where, data: bytes, charset: str | None = None) -> str:
    """The text, in the charset the answer or the page itself declares, else UTF-8."""
    declared = META_CHARSET.search(data[:4096])
    candidates = [charset, declared.group(1).decode("ascii") if declared else None, "utf-8-sig"]
    for encoding in [c for c in candidates if c]:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as err:
            last = err
    start = getattr(last, "start", 0)
    raise PostError(f"{where}: not UTF-8 text (byte {start}); save the post as UTF-8") from None


def _from_url(url: str, timeout: float) -> PostDocument:
    """Fetch a post with the limits `fetch` uses: a total time limit, a size cap, retries
    of 429/5xx, and a one-line error."""
    import requests

    from kbuild.fetch.errors import RetryableStatus, TooLarge, TotalTimeout, Unreachable
    from kbuild.fetch.http import HttpClient

    client = HttpClient(timeout=timeout, retries=2, max_bytes=MAX_POST_BYTES)
    try:
        answer = client.get(url, accept="text/html, text/markdown, text/plain;q=0.9, */*;q=0.5")
    except Unreachable as err:
        message = f"{err}; check the address, or save the page and check the file"
    except RetryableStatus as err:
        message = f"HTTP {err.status} after {client.retries} retries; try again later"
    except (TotalTimeout, requests.Timeout):
        message = f"no whole answer within {timeout:g} s; try again later, or save the page"
    except TooLarge:
        message = f"the page is over {MAX_POST_BYTES // 1_000_000} MB; is it really a post?"
    except requests.exceptions.InvalidSchema:
        message = "redirected to an address that is not http(s); not followed"
    except requests.TooManyRedirects:
        message = "a redirect loop; check the address"
    except (requests.RequestException, OSError) as err:
        first = (str(err).splitlines() or [""])[0][:200]
        message = f"{err.__class__.__name__}: {first}"
    else:
        message = None
    if message:
        raise PostError(f"{url}: {message}")
    if answer.status >= 400:
        raise PostError(f"{url}: HTTP {answer.status}; check the address")
    content_type = (answer.content_type or "").lower()
    if content_type and not re.match(r"text/|application/(?:xhtml|xml|markdown)", content_type):
        raise PostError(
            f"{url}: the answer is {content_type.split(';')[0]}, not a page or text; "
            "give a post's address"
        )
    charset = re.search(r"charset=([\w-]+)", content_type)
    text = _decode(url, answer.content, charset.group(1) if charset else None)
    path = urlsplit(answer.final_url).path.lower()
    if "html" in content_type or (not content_type and HTML_START.match(answer.content[:4096])):
        doc = from_html(url, text)
    elif path.endswith(tuple(TEXT_SUFFIXES)):
        doc = PostDocument(url, text, "text")
    elif "text/" in content_type or path.endswith(tuple(MARKDOWN_SUFFIXES)) or not content_type:
        doc = PostDocument(url, text, "markdown")
    else:
        raise PostError(
            f"{url}: the answer is {content_type}, not a page or text; give a post's address"
        )
    return doc


def from_html(name: str, page: str) -> PostDocument:
    """An HTML page's article as markdown (trafilatura), each line mapped to the line of
    the page where its text begins."""
    import trafilatura

    text = (
        trafilatura.extract(
            page,
            output_format="markdown",
            include_tables=True,
            include_formatting=True,
            include_links=False,
            include_images=False,
            include_comments=False,
        )
        or ""
    )
    metadata = trafilatura.extract_metadata(page)
    title = getattr(metadata, "title", None) if metadata else None
    if title and text.strip() and not text.lstrip().startswith("#"):
        text = f"# {title}\n\n{text}"
    if not text.strip():
        raise PostError(f"{name}: no article text found in the page; save the post as markdown")
    return PostDocument(name, text, "html", _source_lines(page, text))


TAG = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)


def _source_lines(page: str, text: str) -> list[int]:
    """For each line of the converted text, the line of the page where its words are
    found (searching forward from the previous line's; a line not found keeps the
    previous one's)."""
    plain: list[str] = []
    where: list[int] = []  # offset in the page of each character of `plain`
    position = 0
    for match in TAG.finditer(page + "<end>"):
        piece = page[position : match.start()]
        # entities decoded per piece; a decoded character keeps its entity's offset
        for chunk in re.finditer(r"&[#\w]+;|[^&]+|&", piece):
            decoded = html_module.unescape(chunk.group(0))
            plain.append(decoded)
            where.extend([position + chunk.start()] * len(decoded))
        plain.append(" ")
        where.append(match.start())
        position = match.end()
    flat = "".join(plain)
    # both sides compared as words: letters and digits, lower case, one space between
    squeezed, index = [], []
    previous_space = True
    for offset, char in enumerate(flat):
        if not char.isalnum():
            if previous_space:
                continue
            char, previous_space = " ", True
        else:
            previous_space = False
        squeezed.append(char.lower())
        index.append(where[offset] if offset < len(where) else len(page))
    haystack = "".join(squeezed)
    page_starts = [0, *(m.end() for m in re.finditer("\n", page))]
    lines, cursor, last = [], 0, 1
    for line in text.split("\n"):
        words = re.sub(r"^\s*(?:[-+]|\d+\.)\s+|[^\w]|_", " ", line).lower().split()
        probe = " ".join(words[:8])
        if len(probe) >= 3:
            found = haystack.find(probe, cursor)
            if found < 0 and len(words) > 3:
                found = haystack.find(" ".join(words[:3]), cursor)
            if found >= 0:
                cursor = found + 1
                last = bisect.bisect_right(page_starts, index[found])
        lines.append(last)
    return lines
