"""The parts of a markdown post that are prose, found with a CommonMark parser
(markdown-it-py, with its front-matter, footnote and table rules) and its source line
maps: paragraphs, list items, headings and table rows, each with the span of its text in
the post. Code, HTML that is no text, footnotes, reference lists and the link targets,
images, Liquid tags and markup inside a line are masked — blanked, never removed — so an
offset in a block is an offset in the post.

HTML comments and the front matter's title and description are kept as blocks a reader
does not see (their claims are marked unpublished).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Headings whose sections cite sources: their entries are the sources' words.
REFERENCES = re.compile(
    r"^\W*(?:references?|bibliography|citations?|works\s+cited|footnotes|notes\s+and\s+"
    r"references|acknowledge?ments?|cite\s+this|how\s+to\s+cite|further\s+reading|"
    r"reading\s+list|related\s+work|sources)\W*$",
    re.I,
)
# A bibliography entry outside such a section: "[3] A. Author, B. Author (2019). Title. arXiv
# preprint …" — authors first, then a year and a venue
ENTRY_START = re.compile(
    r"^\s*(?:\[\d+\]\s*|\d+\.\s+)?(?:[A-Z][\w'-]+,\s+(?:[A-Z]\.\s*)+|(?:[A-Z]\.\s*)+[A-Z][\w'-]+"
    r"[,.]|[A-Z][\w'-]+\s+et\s+al\.?)"
)
ENTRY_VENUE = re.compile(
    r"arXiv|preprint|Proceedings|Conference|Journal|Transactions|doi:|In\s+Advances", re.I
)
FRONT_KEYS = re.compile(r"^(?:title|subtitle|description|summary|excerpt)\s*:\s*", re.I)


@dataclass(slots=True)
class Block:
    """A run of prose: a paragraph, list item, heading or table row."""

    kind: str  # "paragraph", "item", "heading", "row", "header", "title" (the front matter's)
    start: int
    end: int
    masked: str  # the block's text with what is no prose blanked (same length)
    level: int = 0  # a heading's level
    hidden: str | None = None  # why a reader does not see it
    cells: list[tuple[int, int]] | tuple = ()  # a row's cells (offsets)


def blank(text: str) -> str:
    """Text of the same length with everything but line breaks blanked."""
    return re.sub(r"[^\n]", " ", text)


# --- inside a line -------------------------------------------------------------------------

LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
IMAGE = re.compile(
    r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)"
    r"|!\[[^\]]*\]\[[^\]]*\]"
)
LINK_TARGET = re.compile(r"(?<=\])\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)|(?<=\])\[[^\]]*\]")
AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^>\s]*>|\b(?:https?://|www\.)[^\s)>\]]+")
COMMENT = re.compile(r"<!--.*?-->", re.S)
TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s+[^<>]*)?/?>")
FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
CODE = re.compile(r"(`+)(.+?)\1", re.S)
# inline code that is a name ("`llama-7b`", "`tiiuae/falcon-40b`"), not a line of code
NAME_CODE = re.compile(r"[A-Za-z][\w.]*(?:[-/][\w.]+)*")
EMPHASIS = re.compile(r"\*{1,3}|~~|(?<!\w)_{1,3}|_{1,3}(?!\w)|\\(?=[^\w\s])")


def mask_inline(text: str) -> str:
    """A line's prose: Liquid tags, images (with their alt text), link targets, URLs,
    HTML tags and comments, footnote marks, emphasis marks and inline code blanked; the
    words of links and of code that is a model's name (`llama-7b`) kept."""
    text = LIQUID.sub(lambda m: blank(m.group(0)), text)
    text = COMMENT.sub(lambda m: blank(m.group(0)), text)

    def code(m: re.Match) -> str:
        inner = m.group(2).strip()
        if NAME_CODE.fullmatch(inner) and re.search(r"\d|[A-Z]", inner) and len(inner) < 60:
            return " " * len(m.group(1)) + m.group(2) + " " * len(m.group(1))
        return blank(m.group(0))

    text = CODE.sub(code, text)
    text = IMAGE.sub(lambda m: blank(m.group(0)), text)
    text = LINK_TARGET.sub(lambda m: blank(m.group(0)), text)
    text = AUTOLINK.sub(lambda m: blank(m.group(0)), text)
    text = TAG.sub(lambda m: blank(m.group(0)), text)
    text = FOOTNOTE_REF.sub(lambda m: blank(m.group(0)), text)
    text = re.sub(r"[\[\]]", " ", text)
    return EMPHASIS.sub(lambda m: blank(m.group(0)), text)


QUOTE_MARKS = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)
ITEM_MARK = re.compile(r"^[ \t]*(?:>[ \t]?)*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)(?:\[[ xX]\][ \t]+)?")


def _strip_marks(text: str, item: bool) -> str:
    """Quote marks at the start of lines, and a list item's bullet (on its first line
    only: "2019. It was …" further down is prose), blanked."""
    text = QUOTE_MARKS.sub(lambda m: blank(m.group(0)), text)
    if item:
        text = ITEM_MARK.sub(lambda m: blank(m.group(0)), text, count=1)
    return text


# --- the post ---------------------------------------------------------------------------------


def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    return (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .use(front_matter_plugin)
        .use(footnote_plugin)
    )


# A post longer than this many lines is parsed a piece at a time (see _pieces): the
# parser's tokens cost a few hundred bytes each, six to a list item, so a million-line
# post at once took 2.4 GB.
PIECE_LINES = 2000
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# CommonMark's HTML blocks that run past blank lines: raw text elements and comments,
# opened at the start of a line
RAW_OPEN = re.compile(r" {0,3}(?:<(script|pre|style|textarea)(?=[\s>]|$)|<!--)", re.I)
LIST_START = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
DELIMITER_ROW = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")


def _pieces(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """A long post as pieces of about PIECE_LINES lines, each (its first line, how many
    lines it repeats before that, its text). A piece begins at a line at the left margin
    outside fenced code, comments and raw HTML: after a blank line, at a list item after
    another (a list goes on as another), at a row of a table after another (its header
    and delimiter rows repeated first, so the rows stay a table's), or, when no such line
    came in twice PIECE_LINES, at any such line that is not in a block quote (a
    paragraph of thousands of lines is then read as two)."""
    begin, blank_before = 0, False
    fence: tuple[str, int] | None = None  # the open fence's character and length
    raw = ""  # what ends the open raw HTML block
    header: list[str] = []  # the current table's header and delimiter rows
    repeated: list[str] = []  # what the current piece repeats first
    for number, line in enumerate(lines):
        if fence:
            closing = FENCE.fullmatch(line.rstrip())
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= fence[1]:
                fence = None
            continue
        if raw:
            if raw in line.lower():
                raw = ""
            continue
        if not line.strip():
            header = []
        in_table = bool(header) and "|" in line and number and "|" in lines[number - 1]
        if (
            number - begin >= PIECE_LINES
            and line[:1] not in ("", " ", "\t", ">")
            and not DELIMITER_ROW.fullmatch(line)
            and not re.fullmatch(r"=+\s*", line)
            and (
                blank_before
                or in_table
                or (LIST_START.match(line) and LIST_START.match(lines[number - 1]))
                or (number - begin >= 2 * PIECE_LINES and not header)
            )
        ):
            yield begin, len(repeated), "\n".join([*repeated, *lines[begin:number]])
            begin, repeated = number, (list(header) if in_table else [])
        if DELIMITER_ROW.fullmatch(line) and number and "|" in lines[number - 1] + line:
            header = [lines[number - 1], line]
        opened = FENCE.match(line)
        if opened:
            fence = (opened.group(1)[0], len(opened.group(1)))
        else:
            found = RAW_OPEN.match(line)
            if found:
                end = f"</{found.group(1).lower()}" if found.group(1) else "-->"
                if end not in line[found.end() :].lower():
                    raw = end
        blank_before = not line.strip()
    yield begin, len(repeated), "\n".join([*repeated, *lines[begin:]])


def blocks(text: str, skip_lines: set[int] | None = None) -> list[Block]:
    """The prose blocks of a markdown post, in order; ``skip_lines`` (1-based) are lines
    read otherwise (a card's lines)."""
    return list(iter_blocks(text, skip_lines))


def iter_blocks(text: str, skip_lines: set[int] | None = None) -> Iterator[Block]:
    """:func:`blocks` one piece of the post at a time (a long post's blocks are never all
    in memory at once)."""
    skip_lines = skip_lines or set()
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    starts.append(len(text) + 1)

    def span(first: int, last: int) -> tuple[int, int]:
        """Offsets of lines [first, last) (0-based), without the final line break."""
        a = starts[min(first, len(starts) - 1)]
        b = min(starts[min(last, len(starts) - 1)] - 1, len(text))
        return a, max(a, b)

    parser = _parser()
    found: list[Block] = []
    reference_level: int | None = None
    lines = text.split("\n")
    pieces = [(0, 0, text)] if len(lines) <= 2 * PIECE_LINES else _pieces(lines)
    for first_line, repeated, piece in pieces:
        tokens = parser.parse(piece)
        for token in tokens:
            if token.map:
                token.map = [n + first_line - repeated for n in token.map]
        reference_level = _read(tokens, text, span, skip_lines, reference_level, found, first_line)
        del tokens
        yield from (b for b in found if b.masked.strip())
        found.clear()


def _read(tokens, text, span, skip_lines, reference_level, found, first_line) -> int | None:
    """The blocks of one piece's tokens added to ``found``; the level of the references
    section it ends in (a piece may begin inside one)."""
    lists = 0
    in_item: list[int] = []
    in_table_head = False
    footnotes = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if token.map and token.map[0] < first_line:
            index += 1  # a table's header repeated from the piece before
            continue
        if kind == "footnote_block_open":
            footnotes += 1
        elif kind == "footnote_block_close":
            footnotes -= 1
        elif footnotes:
            pass
        elif kind == "front_matter" and token.map:
            found += _front_matter(text, *span(*token.map))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "list_item_open":
            in_item.append(lists)
        elif kind == "list_item_close":
            in_item.pop()
        elif kind == "heading_open" and token.map:
            level = int(token.tag[1])
            a, b = span(*token.map)
            title = tokens[index + 1].content if index + 1 < len(tokens) else ""
            if reference_level is not None and level <= reference_level:
                reference_level = None
            if REFERENCES.match(re.sub(r"[*_`#]", "", title)):
                reference_level = level
            raw = text[a:b]
            if raw.lstrip().startswith("#"):
                masked = mask_inline(re.sub(r"^\s*#+|#+\s*$", lambda m: blank(m.group(0)), raw))
            else:  # a setext heading: its text, then a line of = or -
                masked = re.sub(
                    r"^[=-]+\s*$", lambda m: blank(m.group(0)), mask_inline(raw), flags=re.M
                )
            found.append(Block("heading", a, b, masked, level=level))
        elif reference_level is not None:
            pass
        elif kind == "paragraph_open" and token.map:
            first, last = token.map
            if any(n + 1 in skip_lines for n in range(first, last)):
                # a card's lines are the card's; the prose lines around it stay
                keep = [n for n in range(first, last) if n + 1 not in skip_lines]
                for n in keep:
                    found += _paragraph(text, *span(n, n + 1), in_item, lists)
            else:
                found += _paragraph(text, *span(first, last), in_item, lists)
        elif kind == "html_block" and token.map:
            found += _html_block(text, *span(*token.map))
        elif kind == "tr_open" and token.map:
            a, b = span(*token.map)
            if token.map[0] + 1 not in skip_lines:
                found.append(_row(text, a, b, in_table_head))
        elif kind == "thead_open":
            in_table_head = True
        elif kind == "thead_close":
            in_table_head = False
        index += 1
    return reference_level


def _paragraph(text: str, a: int, b: int, in_item: list[int], lists: int) -> list[Block]:
    raw = text[a:b]
    item = bool(in_item) and in_item[-1] == lists
    masked = mask_inline(_strip_marks(raw, item))
    hidden_parts = [
        Block(
            "paragraph",
            a + m.start() + 4,
            a + m.end() - 3,
            mask_inline(raw[m.start() + 4 : m.end() - 3]),
            hidden="HTML comment",
        )
        for m in COMMENT.finditer(raw)
    ]
    if (
        len(masked) < 600
        and ENTRY_START.match(masked)
        and ENTRY_VENUE.search(masked)
        and re.search(r"\b(?:19|20)\d\d\b", masked)
    ):
        return hidden_parts  # a bibliography entry: the source's words
    kind = "item" if item else "paragraph"
    return [Block(kind, a, b, masked), *hidden_parts]


def _html_block(text: str, a: int, b: int) -> list[Block]:
    """An HTML block: a comment is text a reader does not see; other HTML gives the text
    between its tags (not scripts, styles, code, media or SVG)."""
    raw = text[a:b]
    found = []
    for m in COMMENT.finditer(raw):
        inner = raw[m.start() + 4 : m.end() - 3]
        if re.search(r"[A-Za-z]{2}", LIQUID.sub("", inner)) and not re.fullmatch(
            r"\s*\{[\w ]+\}\s*", inner
        ):
            found.append(
                Block(
                    "paragraph",
                    a + m.start() + 4,
                    a + m.end() - 3,
                    mask_inline(inner),
                    hidden="HTML comment",
                )
            )
    rest = COMMENT.sub(lambda m: blank(m.group(0)), raw)
    rest = re.sub(
        r"<(script|style|pre|code|svg|video|audio|object|iframe|math)\b.*?</\1\s*>",
        lambda m: blank(m.group(0)),
        rest,
        flags=re.S | re.I,
    )
    masked = mask_inline(rest)
    if re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}", masked):
        found.append(Block("paragraph", a, b, masked))
    return found


def _row(text: str, a: int, b: int, header: bool) -> Block:
    """A table row: its cells' spans, split at the pipes outside code and links."""
    raw = text[a:b]
    masked = mask_inline(raw)
    # a row may leave out its outer pipes ("BERT | 340M | Apache 2.0")
    cells, start = [], (None if raw.lstrip().startswith("|") else 0)
    depth = 0
    for i, char in enumerate(raw):
        if char == "`":
            depth ^= 1
        if char == "|" and not depth and (i == 0 or raw[i - 1] != "\\"):
            if start is not None:
                cells.append((a + start, a + i))
            start = i + 1
    if start is None:
        cells.append((a, b))
    elif start < len(raw) and raw[start:].strip():
        cells.append((a + start, b))
    masked = masked.replace("|", " ")
    return Block("header" if header else "row", a, b, masked, cells=cells)


def _front_matter(text: str, a: int, b: int) -> list[Block]:
    """The front matter's title and description: what a page shows as its heading and
    summary, but the post's text does not (read from the post's own lines, whatever their
    line endings)."""
    found = []
    for line in re.finditer(r"[^\r\n]*", text[a:b]):
        key = FRONT_KEYS.match(line.group(0))
        if not key:
            continue
        value = line.group(0)[key.end() :]
        start = a + line.start() + key.end()
        masked = re.sub(r"^\s*[\"']|[\"']\s*$", lambda m: blank(m.group(0)), value)
        kind = "title" if key.group(0).lower().startswith("title") else "paragraph"
        found.append(
            Block(kind, start, start + len(value), mask_inline(masked), hidden="front matter")
        )
    return found


def plain_blocks(text: str) -> Iterator[Block]:
    """A plain-text post: its paragraphs (runs of lines between blank lines)."""
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        a, b = m.start(), m.end()
        body = text[a:b].rstrip("\n")
        yield Block("paragraph", a, a + len(body), AUTOLINK.sub(lambda x: blank(x.group(0)), body))
