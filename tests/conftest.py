"""Shared fixtures: a fake arXiv API, sources files written to tmp_path, a fake clock.

Paper facts used below (ids, titles, v1 dates, first authors, primary categories) are true;
abstracts and page texts are written for these tests. The arXiv v1 time of day is not
known here, so published stamps carry the v1 day at 00:00:00Z.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pymupdf
import pytest
from werkzeug import Request, Response

import kbuild.store
from kbuild import config
from kbuild.fetch import runner
from kbuild.fetch.report import Report
from kbuild.store import open_db

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / ".." / "shared" / "corpus"


def need_corpus(*parts: str) -> Path:
    """A path in the shared corpus; skip when it is absent, but fail when CI is set."""
    path = CORPUS.joinpath(*parts).resolve()
    if not path.exists():
        message = f"the shared corpus is not at {path}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so corpus tests must run")
        pytest.skip(message)
    return path


# --- arXiv facts and the Atom feed ---------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    arxiv_id: str
    title: str
    v1_date: str  # YYYY-MM-DD
    authors: tuple[str, ...]
    primary_category: str
    abstract: str = "An abstract written for the kbuild test suite."
    categories: tuple[str, ...] = ()
    published: str | None = None  # full ISO stamp when known, else the v1 day at midnight

    @property
    def published_stamp(self) -> str:
        return self.published or f"{self.v1_date}T00:00:00Z"


PAPERS = {
    p.arxiv_id: p
    for p in [
        Paper(
            "1706.03762",
            "Attention Is All You Need",
            "2017-06-12",
            ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar"),
            "cs.CL",
            "This test abstract says the model relies on attention alone.",
            ("cs.CL", "cs.LG"),
        ),
        Paper(
            "1810.04805",
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "2018-10-11",
            ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"),
            "cs.CL",
            "This test abstract describes a bidirectional encoder pre-trained on plain text.",
            ("cs.CL",),
        ),
        Paper(
            "1907.11692",
            "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
            "2019-07-26",
            ("Yinhan Liu", "Myle Ott", "Naman Goyal"),
            "cs.CL",
            "This test abstract talks about training an encoder for longer.",
            ("cs.CL",),
        ),
        Paper(
            "1910.10683",
            "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer",
            "2019-10-23",
            ("Colin Raffel", "Noam Shazeer", "Adam Roberts"),
            "cs.LG",
            "This test abstract casts every task as text in, text out.",
            ("cs.LG", "cs.CL", "stat.ML"),
        ),
        Paper(
            "2005.14165",
            "Language Models are Few-Shot Learners",
            "2020-05-28",
            ("Tom B. Brown", "Benjamin Mann", "Nick Ryder"),
            "cs.CL",
            "This test abstract mentions learning from a few examples in the prompt.",
            ("cs.CL",),
        ),
        Paper(
            "2302.13971",
            "LLaMA: Open and Efficient Foundation Language Models",
            "2023-02-27",
            ("Hugo Touvron", "Thibaut Lavril", "Gautier Izacard"),
            "cs.CL",
            "This test abstract mentions models trained on public data only.",
            ("cs.CL",),
        ),
    ]
}

ATOM_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" '
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
)


def atom_entry(paper: Paper, version: int = 1) -> str:
    """One <entry> as the arXiv API writes it (version 1: updated == published)."""
    abs_url = f"http://arxiv.org/abs/{paper.arxiv_id}v{version}"
    pdf_url = f"http://arxiv.org/pdf/{paper.arxiv_id}v{version}"
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in paper.authors)
    categories = "".join(
        f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>'
        for c in (paper.categories or (paper.primary_category,))
    )
    return (
        "<entry>"
        f"<id>{abs_url}</id>"
        f"<updated>{paper.published_stamp}</updated>"
        f"<published>{paper.published_stamp}</published>"
        f"<title>{escape(paper.title)}</title>"
        f"<summary>{escape(paper.abstract)}</summary>"
        f"{authors}"
        f'<link href="{abs_url}" rel="alternate" type="text/html"/>'
        f'<link title="pdf" href="{pdf_url}" rel="related" type="application/pdf"/>'
        f'<arxiv:primary_category term="{paper.primary_category}" '
        'scheme="http://arxiv.org/schemas/atom"/>'
        f"{categories}"
        "</entry>\n"
    )


def atom_feed(papers: list[Paper], total: int, start: int = 0) -> bytes:
    """An API answer: opensearch counts, then one entry per paper."""
    return (
        ATOM_HEAD
        + "<title>arXiv Query</title><id>http://arxiv.org/api/test</id>"
        + "<updated>2025-01-01T00:00:00-05:00</updated>\n"
        + f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        + f"<opensearch:startIndex>{start}</opensearch:startIndex>"
        + f"<opensearch:itemsPerPage>{len(papers)}</opensearch:itemsPerPage>\n"
        + "".join(atom_entry(p) for p in papers)
        + "</feed>\n"
    ).encode("utf-8")


@dataclass
class FakeArxiv:
    """The arXiv query API on the test server; it answers from ``papers`` by id_list.

    ``script`` holds (status, headers) answers given, in order, before normal ones.
    """

    papers: dict[str, Paper]
    url: str
    script: list[tuple[int, dict]] = field(default_factory=list)
    requests: list[list[str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def handle(self, request: Request) -> Response:
        import time

        ids = [i for i in request.args.get("id_list", "").split(",") if i]
        self.requests.append(ids)
        self.times.append(time.monotonic())
        if self.script:
            status, headers = self.script.pop(0)
            return Response("try again later", status=status, headers=headers)
        start = int(request.args.get("start", "0"))
        max_results = int(request.args.get("max_results", "10"))
        found = [self.papers[i] for i in ids if i in self.papers]
        page = found[start : start + max_results]
        return Response(
            atom_feed(page, total=len(found), start=start),
            content_type="application/atom+xml; charset=utf-8",
        )


@pytest.fixture
def fake_arxiv(httpserver) -> FakeArxiv:
    api = FakeArxiv(papers=dict(PAPERS), url=httpserver.url_for("/api/query"))
    httpserver.expect_request("/api/query").respond_with_handler(api.handle)
    return api


# --- sources files and runs -----------------------------------------------------------------


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(value)


def sources_toml(
    models: list[dict] = (),
    *,
    arxiv: dict | None = None,
    hf_docs: dict | None = None,
    catalog: dict | None = None,
    pdf: dict | None = None,
    extends: str | None = None,
    tables: dict[str, dict] | None = None,
    repos: dict | None = None,
    hub: dict | None = None,
) -> str:
    """A sources file; a source left as None is disabled, so nothing reaches the internet.
    ``tables`` are [tables.<name>] sections."""
    lines = []
    if extends:
        lines.append(f"extends = {toml_value(extends)}")
    sections = (
        ("arxiv", arxiv), ("hf_docs", hf_docs), ("catalog", catalog), ("pdf", pdf),
        ("repos", repos), ("hub", hub),
    )  # fmt: skip
    for name, table in sections:
        lines.append(f"[{name}]")
        table = {"enabled": False} if table is None else table
        if name == "arxiv" and table.get("enabled", True):
            table = {"delay_seconds": 0, **table}
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
        lines.append("")
    for name, table in (tables or {}).items():
        lines.append(f"[tables.{name}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
        lines.append("")
    for model in models:
        lines.append("[[models]]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in model.items())
        lines.append("")
    return "\n".join(lines)


@dataclass
class Kb:
    """A sources file and a database in tmp_path, and fetch runs over them."""

    sources: Path
    db_path: Path

    def write(self, *args, **kwargs) -> Kb:
        self.sources.write_text(sources_toml(*args, **kwargs), encoding="utf-8")
        return self

    def fetch(self, **kwargs) -> Report:
        kwargs.setdefault("backoff", 0.01)
        kwargs.setdefault("quiet", True)
        db = open_db(self.db_path)
        try:
            return runner.run(config.load(self.sources), db, **kwargs)
        finally:
            db.close()

    def rows(self, sql: str, params=()) -> list[dict]:
        db = open_db(self.db_path)
        try:
            return list(db.query(sql, params))
        finally:
            db.close()

    def documents(self, source: str | None = None) -> list[dict]:
        if source is None:
            return self.rows("select * from documents order by id")
        return self.rows("select * from documents where source = ? order by id", [source])

    def local_path(self, document_id: int) -> str | None:
        """The file a document was read from, when it was a local copy."""
        rows = self.rows("select path from local_copies where document_id = ?", [document_id])
        return rows[0]["path"] if rows else None

    def failures(self, source: str | None = None) -> list[dict]:
        sql = "select * from fetch_events where outcome = 'failed'"
        if source:
            return self.rows(sql + " and source = ? order by id", [source])
        return self.rows(sql + " order by id")


@pytest.fixture
def kb(tmp_path) -> Kb:
    return Kb(sources=tmp_path / "sources.toml", db_path=tmp_path / "kb.db")


@pytest.fixture
def clock(monkeypatch):
    """Replace the store's clock: each call returns the current fake time; tick() moves it."""

    class Clock:
        def __init__(self):
            self.now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)

        def __call__(self) -> str:
            return self.now.isoformat().replace("+00:00", "Z")

        def tick(self, seconds: int = 60) -> str:
            self.now += timedelta(seconds=seconds)
            return self()

    fake = Clock()
    monkeypatch.setattr(kbuild.store, "utc_now", fake)
    return fake


# --- PDFs ---------------------------------------------------------------------------------


def make_pdf(*page_texts: str) -> bytes:
    """A PDF with one page per text, written by pymupdf."""
    doc = pymupdf.open()
    for text in page_texts:
        page = doc.new_page()
        page.insert_text((72, 72), text)
    data = doc.tobytes()
    doc.close()
    return data


def make_encrypted_pdf(path: Path, text: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u")
    doc.close()
    return path.read_bytes()


# --- a knowledge base built from the shared corpus, once per test session ----------------


@dataclass
class CorpusKb:
    """kb.db built with `kbuild fetch` + `kbuild extract` + `kbuild check` on the corpus."""

    db_path: Path
    post: Path

    @property
    def db(self):
        import sqlite_utils

        return sqlite_utils.Database(self.db_path)


@pytest.fixture(scope="session")
def corpus_kb(tmp_path_factory) -> CorpusKb:
    from click.testing import CliRunner

    from kbuild.cli import cli

    need_corpus("catalog", "transformer_catalog.csv")
    db_path = tmp_path_factory.mktemp("corpus_kb") / "kb.db"
    post = REPO / "tests" / "posts" / "evolution_of_llms.md"
    runner_ = CliRunner()
    base = ["--sources", str(REPO / "corpus.sources.toml"), "--db", str(db_path)]
    for args in (["fetch", "-q"], ["extract", "-q"], ["check", str(post)]):
        result = runner_.invoke(cli, [*base, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return CorpusKb(db_path=db_path, post=post)
