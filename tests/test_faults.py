"""Faults, one test each: a flaky or hostile server (on loopback), broken local files, a
bad post, a bad database. Each asserts the one-line message, the exit status (a fetch
that failed anything exits 1) and that what was stored before is unchanged."""

from __future__ import annotations

import gzip
import json
import os
import socketserver
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from werkzeug import Request, Response

from kbuild import config
from kbuild.cli import cli
from kbuild.publish import metadata

from .conftest import PAPERS, make_pdf

DOCS = "/docs/transformers/model_doc/"
MODELS = [
    {"name": "BERT", "arxiv": "1810.04805", "hf_doc": "bert"},
    {"name": "RoBERTa", "arxiv": "1907.11692", "hf_doc": "roberta"},
]


def page(title: str) -> bytes:
    return f"<!DOCTYPE html><html><body><h1>{title}</h1><p>A test page.</p></body></html>".encode()


def stored(kb) -> list[dict]:
    """What a failed run must leave alone."""
    return kb.rows(
        "select id, source, location, item, sha256, bytes, model_id from documents order by id"
    )


def message(report, source: str) -> str:
    return "\n".join(text for s, text in report.failures if s == source)


def docs_server(httpserver, bert_handler, roberta: bytes = page("RoBERTa")) -> str:
    httpserver.expect_request(DOCS + "bert").respond_with_handler(bert_handler)
    httpserver.expect_request(DOCS + "roberta").respond_with_data(roberta, content_type="text/html")
    return httpserver.url_for(DOCS) + "{slug}"


def good_then(kb, httpserver, bad_handler, **hf):
    """BERT's page is fetched once when good, then the server turns bad."""
    state = {"bad": False}

    def handler(request: Request) -> Response:
        if state["bad"]:
            return bad_handler(request)
        return Response(page("BERT"), content_type="text/html")

    location = docs_server(httpserver, handler)
    kb.write(MODELS, hf_docs={"location": location, "retries": 1, **hf})
    assert not kb.fetch().failed
    before = stored(kb)
    state["bad"] = True
    return before


# --- a server that fails ---------------------------------------------------------------------


def test_5xx_after_retries_fails_that_page_and_the_run_goes_on(kb, httpserver):
    before = good_then(kb, httpserver, lambda r: Response("down", status=503))
    report = kb.fetch(refresh=True)
    assert report.failed
    assert "bert: HTTP 503 after the retries; kept what was fetched before" in message(
        report, "hf_doc"
    )
    assert report.counts["hf_doc"]["unchanged"] == 1  # RoBERTa still fetched
    assert stored(kb) == before


def test_a_retry_after_far_in_the_future_is_not_waited_for(kb, httpserver):
    far = "Wed, 01 Jan 2098 00:00:00 GMT"
    before = good_then(
        kb, httpserver, lambda r: Response("slow down", status=429, headers={"Retry-After": far})
    )
    start = time.monotonic()
    report = kb.fetch(refresh=True)
    assert time.monotonic() - start < 10
    assert "the server asks to wait" in message(report, "hf_doc")
    assert stored(kb) == before


def test_a_stalled_server_times_out(kb, httpserver):
    def stall(request):
        time.sleep(3)
        return Response(page("BERT"), content_type="text/html")

    before = good_then(kb, httpserver, stall, timeout=0.5)
    start = time.monotonic()
    report = kb.fetch(refresh=True)
    assert time.monotonic() - start < 15
    assert "raise [hf_docs] timeout or try again later" in message(report, "hf_doc")
    assert stored(kb) == before


def test_a_body_trickled_a_byte_at_a_time_is_cut_at_the_total_timeout(kb, httpserver):
    def trickle(request):
        def body():
            for byte in page("BERT"):
                time.sleep(0.05)
                yield bytes([byte])

        return Response(body(), content_type="text/html")

    before = good_then(kb, httpserver, trickle, timeout=1)
    start = time.monotonic()
    report = kb.fetch(refresh=True)
    assert time.monotonic() - start < 10  # the page would take ~4 s a try
    assert "no whole answer within 1 s" in message(report, "hf_doc")
    assert stored(kb) == before


class _Trickler(socketserver.BaseRequestHandler):
    """Answers BERT's page in full the first time, then declares its length and sends
    it a byte every 0.2 s; RoBERTa's page in full. A thread per connection, unlike the
    test server, so a stalled answer does not hold up the next request."""

    served: dict[str, int] = {}
    connection = "close"

    def handle(self) -> None:
        request = self.request.recv(65536).decode("latin-1")
        slug = request.split(" ", 2)[1].rsplit("/", 1)[-1]
        count = self.served[slug] = self.served.get(slug, 0) + 1
        body = page(slug.upper() if slug == "bert" else "RoBERTa")
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
            f"Connection: {self.connection}\r\n\r\n"
        ).encode()
        try:
            if slug != "bert" or count == 1:
                self.request.sendall(head + body)
                return
            self.request.sendall(head)
            for byte in body:
                time.sleep(0.2)
                self.request.sendall(bytes([byte]))
        except OSError:
            pass


@pytest.mark.parametrize("connection", ["close", "keep-alive"])
def test_a_declared_length_body_trickled_is_cut_at_the_total_timeout(kb, connection):
    # one read of a declared length blocks until all of it came: ~20 s at this pace
    handler = type("Trickler", (_Trickler,), {"served": {}, "connection": connection})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        location = f"http://127.0.0.1:{server.server_address[1]}{DOCS}{{slug}}"
        kb.write(MODELS, hf_docs={"location": location, "retries": 1, "timeout": 1})
        assert not kb.fetch().failed
        before = stored(kb)
        start = time.monotonic()
        report = kb.fetch(refresh=True)
        assert time.monotonic() - start < 8
        assert "no whole answer within 1 s" in message(report, "hf_doc")
        assert stored(kb) == before
    finally:
        server.shutdown()
        server.server_close()


def test_a_gzip_bomb_stops_at_the_byte_cap(kb, httpserver):
    bomb = gzip.compress(b"<h1>BERT</h1>" + b" " * 200_000_000, compresslevel=9)
    assert len(bomb) < 300_000
    before = good_then(
        kb,
        httpserver,
        lambda r: Response(bomb, headers={"Content-Encoding": "gzip"}, content_type="text/html"),
        max_bytes=1_000_000,
    )
    report = kb.fetch(refresh=True)
    assert "more than the 1000000-byte cap; raise [hf_docs] max_bytes" in message(report, "hf_doc")
    assert stored(kb) == before


def test_an_answer_declared_too_large_is_not_read(kb, httpserver):
    def huge(request):
        response = Response(iter([b"<h1>x</h1>"]), content_type="text/html")
        response.headers["Content-Length"] = str(300_000_000)
        return response

    before = good_then(kb, httpserver, huge, max_bytes=1_000_000)
    report = kb.fetch(refresh=True)
    assert "300000000 bytes is over the 1000000-byte cap" in message(report, "hf_doc")
    assert stored(kb) == before


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.org/x", "javascript:x"])
def test_a_redirect_off_http_is_not_followed(kb, httpserver, target):
    before = good_then(kb, httpserver, lambda r: Response(status=302, headers={"Location": target}))
    report = kb.fetch(refresh=True)
    assert "not http(s)" in message(report, "hf_doc") or "redirect" in message(report, "hf_doc")
    assert stored(kb) == before


def test_a_redirect_loop_is_a_failure(kb, httpserver):
    before = good_then(
        kb, httpserver, lambda r: Response(status=302, headers={"Location": DOCS + "bert"})
    )
    report = kb.fetch(refresh=True)
    assert "a redirect loop; check the location" in message(report, "hf_doc")
    assert stored(kb) == before


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_a_timeout_that_is_no_number_is_refused(kb, value):
    kb.sources.write_text(f'[hf_docs]\nlocation = "x"\ntimeout = {value}\n')
    with pytest.raises(config.SourcesError, match=r"\[hf_docs\] timeout.*must be a number"):
        config.load(kb.sources)


def test_a_stalled_arxiv_api_times_out(kb, httpserver):
    def stall(request):
        time.sleep(3)
        return Response("", content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(stall)
    kb.write(
        [{"name": "BERT", "arxiv": "1810.04805"}],
        arxiv={"location": httpserver.url_for("/api/query"), "timeout": 0.5, "retries": 0},
    )
    start = time.monotonic()
    report = kb.fetch()
    assert time.monotonic() - start < 10
    assert "1810.04805: " in message(report, "arxiv") and "timeout" in message(report, "arxiv")


def test_an_arxiv_answer_over_the_cap_is_refused(kb, fake_arxiv):
    kb.write(
        [{"name": "BERT", "arxiv": "1810.04805"}],
        arxiv={"location": fake_arxiv.url, "max_bytes": 500},
    )
    report = kb.fetch()
    assert "500-byte cap; raise [arxiv] max_bytes" in message(report, "arxiv")
    assert kb.documents("arxiv") == []


# --- a local arXiv dump ------------------------------------------------------------------------


def dump_line(arxiv_id: str, **fields) -> str:
    paper = PAPERS[arxiv_id]
    record = {
        "id": arxiv_id,
        "title": paper.title,
        "authors": ", ".join(paper.authors),
        "abstract": "An abstract written for the fault tests.",
        "categories": "cs.CL",
        "versions": [{"version": "v1", "created": "Thu, 11 Oct 2018 00:00:00 GMT"}],
        "authors_parsed": [[a.split()[-1], a.split()[0], ""] for a in paper.authors],
    }
    record.update(fields)
    return json.dumps(record)


@pytest.mark.parametrize(
    "bad",
    [
        {"versions": [{"version": "v1"}]},  # no created
        {"versions": [{"version": "v1", "created": "the eleventh of October"}]},
        {"authors_parsed": ["Devlin, Jacob"]},
        {"versions": "v1"},
        {"title": ["not", "a", "string"]},
    ],
    ids=["no-created", "bad-date", "authors-parsed", "versions-type", "title-type"],
)
def test_a_dump_record_not_in_the_dumps_layout_fails_alone(kb, tmp_path, bad):
    dump = tmp_path / "dump.jsonl"
    dump.write_text(dump_line("1907.11692") + "\n" + dump_line("1810.04805", **bad) + "\n")
    kb.write(
        [{"name": "BERT", "arxiv": "1810.04805"}, {"name": "RoBERTa", "arxiv": "1907.11692"}],
        arxiv={"location": str(dump)},
    )
    report = kb.fetch()
    assert report.failed
    text = message(report, "arxiv")
    assert f"{dump}, line 2: record 1810.04805 is not in the dump's layout" in text
    assert [d["item"] for d in kb.documents("arxiv")] == ["1907.11692"]


def test_a_dump_record_that_is_not_utf8_fails_alone(kb, tmp_path):
    dump = tmp_path / "dump.jsonl"
    line = dump_line("1810.04805").replace("An abstract", "An \udcff abstract")
    dump.write_bytes(
        (dump_line("1907.11692") + "\n").encode() + line.encode("utf-8", "surrogateescape") + b"\n"
    )
    kb.write(
        [{"name": "BERT", "arxiv": "1810.04805"}, {"name": "RoBERTa", "arxiv": "1907.11692"}],
        arxiv={"location": str(dump)},
    )
    report = kb.fetch()
    assert f"{dump}, line 2: not UTF-8" in message(report, "arxiv")
    assert [d["item"] for d in kb.documents("arxiv")] == ["1907.11692"]


@pytest.mark.parametrize(
    ("content", "says"),
    [(b"", "the file is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "a binary file")],
)
def test_an_arxiv_location_that_is_no_dump_is_an_error(kb, tmp_path, content, says):
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(content)
    kb.write([{"name": "BERT", "arxiv": "1810.04805"}], arxiv={"location": str(dump)})
    report = kb.fetch()
    assert report.failed and says in message(report, "arxiv")


# --- local doc pages and PDFs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "the page is empty"),
        (b"\x00\x01\x02binary", "the page is binary"),
        ("# BERT\n\nCaf\u00e9".encode("latin-1"), "not UTF-8 text"),
        (b"Just a line, no heading.\n", "no heading"),
    ],
    ids=["empty", "binary", "latin-1", "no-heading"],
)
def test_a_bad_local_doc_page_never_replaces_the_good_one(kb, tmp_path, content, says):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bert.md").write_text("# BERT\n\nA test page.\n")
    kb.write(MODELS[:1], hf_docs={"location": str(folder)})
    assert not kb.fetch().failed
    before = stored(kb)
    (folder / "bert.md").write_bytes(content)
    report = kb.fetch()
    assert report.failed
    assert f"{folder / 'bert.md'}: {says}" in message(report, "hf_doc")
    assert stored(kb) == before


def test_a_folder_named_like_a_doc_page_is_a_failure(kb, tmp_path):
    folder = tmp_path / "docs"
    (folder / "bert.md").mkdir(parents=True)
    kb.write(MODELS[:1], hf_docs={"location": str(folder)})
    report = kb.fetch()
    assert f"{folder / 'bert.md'} is a folder, not a file" in message(report, "hf_doc")


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_an_hf_docs_location_that_is_no_folder_is_an_error(kb, tmp_path, kind):
    location = tmp_path / "docs"
    if kind == "a file":
        location.write_text("# not a folder\n")
    kb.write(MODELS[:1], hf_docs={"location": str(location)})
    report = kb.fetch()
    assert report.failed
    said = "does not exist" if kind == "missing" else "is a file"
    assert f"[hf_docs] location {location} {said}; it must be a folder" in message(report, "hf_doc")


def test_a_pdf_location_that_is_a_file_is_an_error(kb, tmp_path):
    location = tmp_path / "pdfs"
    location.write_bytes(make_pdf("a test page"))
    kb.write(MODELS[:1], pdf={"location": str(location)})
    report = kb.fetch()
    assert f"[pdf] location {location} is a file" in message(report, "pdf")


def test_a_pdf_whose_pages_went_missing_gets_them_back(kb, tmp_path):
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "1810.04805.pdf").write_bytes(make_pdf("page one", "page two"))
    kb.write(MODELS[:1], pdf={"location": str(tmp_path / "pdfs")})
    kb.fetch()
    db = sqlite_utils.Database(kb.db_path)
    db.execute("delete from pages")
    db.conn.commit()
    kb.fetch()
    assert [r["page"] for r in kb.rows("select page from pages order by page")] == [1, 2]


# --- tables ----------------------------------------------------------------------------------

HEADER = "Name,Family,Lab,Date,Num. Params\n"
CATALOG = HEADER + "BERT,BERT,Google,10/2018,340M\nRoBERTa,BERT,Meta,07/2019,355M\n"
OPEN_QUOTE = HEADER + 'BERT,"BERT,Google,10/2018,340M\nRoBERTa,BERT,Meta,07/2019,355M\n'


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("", "the CSV is empty"),
        ("Name,Family,Lab,Date,Num. Params\n", "a header but no rows"),
        ("<html><body>Sign in</body></html>", "HTML page, not CSV"),
        ("Name,Family,Lab,Date,Num. Params\nBERT,BERT,Google,10/2018," + "9" * 1_000_000 + "\n",
         "field larger than field limit"),
        (OPEN_QUOTE, "never closed"),
        (OPEN_QUOTE + 'T5,T5,Google,10/2019,11B\nGPT,GPT",OpenAI,06/2018,117M\n',
         "an unbalanced quote"),
    ],
    ids=["0-bytes", "header-only", "html-no-doctype", "1mb-cell", "quote-never-closed",
         "quote-swallows-rows"],
)  # fmt: skip
def test_a_rejected_catalog_never_shadows_the_good_one(kb, tmp_path, bad, says):
    csv_path = tmp_path / "catalog.csv"
    csv_path.write_text(CATALOG)
    kb.write([], catalog={"location": str(csv_path)})
    assert not kb.fetch().failed
    before = stored(kb)
    csv_path.write_text(bad)
    report = kb.fetch()
    assert report.failed and says in message(report, "catalog")
    assert stored(kb) == before
    assert len(kb.rows("select * from current_documents where source = 'catalog'")) == 1


def test_a_file_put_back_as_it_was_is_current_again(kb, tmp_path, clock):
    csv_path = tmp_path / "catalog.csv"
    csv_path.write_text(CATALOG)
    kb.write([], catalog={"location": str(csv_path)})
    kb.fetch()
    (first,) = kb.documents("catalog")
    clock.tick()
    csv_path.write_text(CATALOG.replace("Meta", "Facebook"))
    kb.fetch()
    clock.tick()
    csv_path.write_text(CATALOG)
    kb.fetch()
    (current,) = kb.rows("select id from current_documents where source = 'catalog'")
    assert current["id"] == first["id"]
    assert len(kb.documents("catalog")) == 2


# --- a post, a database, the site ----------------------------------------------------------


def test_markup_in_a_posts_heading_is_printed_as_written(corpus_kb, tmp_path):
    post = tmp_path / "markup.md"
    post.write_text('## [/bold] BERT [red]\n\n"""\nFamily: BERT\nLab: Google\n"""\n')
    result = CliRunner().invoke(cli, ["--db", str(corpus_kb.db_path), "check", str(post)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_post_that_is_no_file_is_refused_without_hanging(corpus_kb, tmp_path, kind):
    if kind == "fifo":
        post = tmp_path / "post.md"
        os.mkfifo(post)
    else:
        post = Path("/dev/zero")
    result = CliRunner().invoke(cli, ["--db", str(corpus_kb.db_path), "check", str(post)])
    assert result.exit_code == 1
    assert (
        "cannot read the post (not a regular file); give a markdown, HTML or text file"
        in result.output
    )


def test_a_db_that_is_not_sqlite_is_named(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n" * 100)
    result = CliRunner().invoke(cli, ["--db", str(db), "extract"])
    assert result.exit_code == 1
    assert f"{db} is not a kbuild database (not SQLite, or damaged)" in result.output
    assert "Traceback" not in result.output


def test_a_read_only_db_is_named(tmp_path, monkeypatch):
    db_path = tmp_path / "kb.db"
    sqlite_utils.Database(db_path)["t"].insert({"a": 1})
    # as root, chmod does not stop writes: open the file read-only the way a mount would
    from kbuild.store import ensure_schema

    def read_only(path):
        db = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
        ensure_schema(db)
        return db

    monkeypatch.setattr("kbuild.cli.open_db", read_only)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "extract"])
    assert result.exit_code == 1 and f"{db_path} is read-only" in result.output


def test_a_full_disk_is_one_line_and_keeps_nothing_half_written(tmp_path, monkeypatch):
    from kbuild import store

    real = store.open_db

    def small_disk(path):
        db = real(path)
        pages = db.execute("pragma page_count").fetchone()[0]
        db.execute(f"pragma max_page_count = {pages + 2}")
        return db

    monkeypatch.setattr("kbuild.cli.open_db", small_disk)
    kb_path = tmp_path / "kb.db"
    sources = tmp_path / "sources.toml"
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "1810.04805.pdf").write_bytes(make_pdf(*(["many words"] * 50)))
    sources.write_text(
        '[pdf]\nlocation = "pdfs"\n[arxiv]\nenabled = false\n[hf_docs]\nenabled = false\n'
        '[[models]]\nname = "BERT"\narxiv = "1810.04805"\n'
    )
    result = CliRunner().invoke(cli, ["--sources", str(sources), "--db", str(kb_path), "fetch"])
    assert result.exit_code == 1
    assert "is full" in result.output and "Traceback" not in result.output
    db = sqlite_utils.Database(kb_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db["pages"].count == 0 or db["documents"].count_where("source = 'pdf'") == 1


def test_a_locked_db_is_named(tmp_path, monkeypatch):
    db_path = tmp_path / "kb.db"
    from kbuild.store import open_db

    open_db(db_path).close()
    holder = sqlite3.connect(db_path)
    holder.execute("begin exclusive")
    monkeypatch.setattr("kbuild.store.BUSY_TIMEOUT_MS", 200)
    try:
        result = CliRunner().invoke(cli, ["--db", str(db_path), "extract"])
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1 and "is locked by another program" in result.output


def test_a_truncated_metadata_file_is_written_again(tmp_path):
    db_path = tmp_path / "kb.db"
    sqlite_utils.Database(db_path)["t"].insert({"a": 1})
    path = metadata.write(db_path)
    path.write_text(path.read_text()[:200])
    assert metadata.usable(db_path) == path
    assert "kb" in yaml.safe_load(path.read_text())["databases"]


def test_the_metadata_file_is_written_only_when_it_differs(tmp_path):
    db_path = tmp_path / "kb.db"
    sqlite_utils.Database(db_path)["t"].insert({"a": 1})
    path = metadata.write(db_path)
    written = path.stat().st_mtime_ns
    os.utime(path, ns=(written - 10**9, written - 10**9))
    assert metadata.write(db_path) == path
    assert path.stat().st_mtime_ns == written - 10**9  # the same metadata: not touched
    stamp, _, text = path.read_text().partition("\n")
    path.write_text(f"{stamp}\n{text.replace('kbuild', 'kbuilt')}")  # edited by hand
    metadata.write(db_path)
    assert "kbuilt" not in path.read_text()
    assert yaml.safe_load(path.read_text())["databases"]["kb"]


def test_two_databases_in_one_folder_keep_their_own_metadata(tmp_path):
    for name in ("kb", "other"):
        sqlite_utils.Database(tmp_path / f"{name}.db")["t"].insert({"a": 1})
        metadata.write(tmp_path / f"{name}.db")
    assert "kb" in yaml.safe_load((tmp_path / "metadata.yml").read_text())["databases"]
    other = yaml.safe_load((tmp_path / "other.metadata.yml").read_text())
    assert "other" in other["databases"]


async def test_one_expensive_sql_call_cannot_build_a_huge_value(corpus_kb):
    from datasette.app import Datasette

    ds = Datasette(immutables=[str(corpus_kb.db_path)])
    await ds.invoke_startup()
    response = await ds.client.get("/kb.json?sql=select+length(zeroblob(100000000))&_shape=array")
    assert response.status_code == 400 and "too big" in response.text


def test_extraction_contexts_do_not_grow_with_the_corpus(corpus_kb):
    longest = corpus_kb.db.execute("select max(length(context)) from extractions").fetchone()[0]
    assert longest < 200
