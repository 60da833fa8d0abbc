"""The fault suite for bounded work (issue 24; tests/test_faults.py holds the earlier
faults): one test per fault found by adversarial probing — huge names and searches, a
rebuild while the site serves, long words and million-line posts, servers that trickle
headers or answer garbage, FIFOs, devices and links out of a folder, script links and
runaway numbers in the sources file, a damaged database, a full disk, killed extracts,
slow queries, archive bombs and endless dump lines. Each asserts the message a user
sees, the time bound and that nothing stored was lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbuild import config
from kbuild.cli import cli
from kbuild.model_names import MAX_NAME, ModelNames

from .conftest import sources_toml
from .extract_fixtures import small_kb
from .serving import free_port, wait_for

MODELS = [{"name": "BERT", "arxiv": "1810.04805", "hf_doc": "bert"}]


@pytest.fixture
def built_kb(tmp_path) -> Path:
    """A small knowledge base, fetched and extracted, closed: its path."""
    from kbuild.extract import runner

    db_path = tmp_path / "kb.db"
    kb = small_kb(db_path)
    runner.run(kb.db)
    kb.db.close()
    return db_path


@contextlib.contextmanager
def serving(db_path: Path, folder: Path):
    """`kbuild serve` on the database, on a free port: its address and its log file."""
    port = free_port()
    log = (folder / "serve.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "kbuild", "--db", str(db_path), "serve", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/-/versions.json", process, log, "kbuild serve")
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    "name",
    ["word " * 20_000, "x" * 400_000, "BERT (2018) " + "and more " * 10_000],
    ids=["many words", "one long word", "a name and many words"],
)
def test_resolving_a_huge_name_is_bounded_work(tmp_path, name):
    kb = small_kb(tmp_path / "kb.db")
    names = ModelNames.from_db(kb.db, table_rows=True)
    start = time.monotonic()
    found = names.resolve(name)
    closest = names.closest(name)
    assert time.monotonic() - start < 1.0
    assert found == ("bert" if name.startswith("BERT") else None)
    assert isinstance(closest, list)
    assert MAX_NAME <= 300


async def test_the_site_answers_a_search_for_ten_thousand_words_at_once(tmp_path):
    from datasette.app import Datasette

    from kbuild.extract import runner

    kb = small_kb(tmp_path / "kb.db")
    runner.run(kb.db)
    kb.db.close()
    ds = Datasette(immutables=[str(tmp_path / "kb.db")])
    await ds.invoke_startup()
    start = time.monotonic()
    response = await ds.client.get("/search", params={"q": "bert " * 10_000})
    assert response.status_code == 200
    sql = "select kbuild_model(:n) as m"
    route = ds.get_database("kb").route
    # (an address carries at most 64 KB; resolve itself is tested with 400 KB above)
    answer = await ds.client.get(f"/{route}.json", params={"sql": sql, "n": "x" * 60_000})
    assert answer.status_code == 200
    assert time.monotonic() - start < 5.0


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_doc_page_that_is_no_file_is_refused_without_hanging(kb, tmp_path, kind):
    folder = tmp_path / "model_doc"
    folder.mkdir()
    page = folder / "bert.md"
    if kind == "fifo":
        os.mkfifo(page)
    else:
        page.symlink_to("/dev/zero")
    kb.write(MODELS, hf_docs={"location": str(folder)})
    start = time.monotonic()
    report = kb.fetch(only=("hf_docs",))
    assert time.monotonic() - start < 10
    failed = [e for e in kb.failures("hf_doc")]
    assert (
        failed
        and "bert.md: not a regular file (a FIFO, device or socket); skipped"
        in (failed[0]["message"])
    )
    assert not kb.documents("hf_doc")  # nothing read, nothing stored
    assert report is not None


@pytest.mark.parametrize("key", ["homepage", "row_url", "file_url", "public_url"])
def test_a_link_a_page_shows_must_be_a_web_address(tmp_path, key):
    path = tmp_path / "sources.toml"
    table = {"location": "t.csv", "name_column": "Model", key: "javascript:alert(1)"}
    path.write_text(sources_toml(tables={"t": table}))
    with pytest.raises(config.SourcesError, match=rf"{key}: 'javascript:alert\(1\)' is not an"):
        config.load(path)


@pytest.mark.parametrize(
    "section, value, message",
    [
        ({"hf_docs": {"location": "docs", "retries": 100_000_000}}, None,
         r"\[hf_docs\] retries: must be at most 20"),
        ({"hf_docs": {"location": "docs", "timeout": 100_000}}, None,
         r"\[hf_docs\] timeout: must be at most 600 seconds"),
        ({"tables": {"t": {"location": "t.csv", "retries": 100_000_000}}}, None,
         r"retries: 100000000 is not between 0 and 20"),
    ],
)  # fmt: skip
def test_a_number_in_the_sources_file_is_bounded(tmp_path, section, value, message):
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml(**section))
    with pytest.raises(config.SourcesError, match=message):
        config.load(path)


def test_a_chain_of_thousands_of_extends_is_refused_with_one_line(tmp_path):
    (tmp_path / "s0.toml").write_text(sources_toml())
    for n in range(1, 3000):
        (tmp_path / f"s{n}.toml").write_text(f'extends = "s{n - 1}.toml"\n')
    result = CliRunner().invoke(
        cli, ["--sources", str(tmp_path / "s2999.toml"), "--db", str(tmp_path / "kb.db"), "fetch"]
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "more than 20 files deep in 'extends'" in result.output
    assert not Path(tmp_path / "kb.db").exists() or Path(tmp_path / "kb.db").stat().st_size >= 0


class _SlowHeaders(socketserver.BaseRequestHandler):
    """BERT's page answered in full the first time, then its status line and headers a
    byte every 0.3 s (each read well within a per-read timeout); RoBERTa's page in full."""

    served: dict[str, int] = {}
    always = False  # every answer trickled

    def handle(self) -> None:
        request = self.request.recv(65536).decode("latin-1")
        slug = request.split(" ", 2)[1].rsplit("/", 1)[-1]
        count = self.served[slug] = self.served.get(slug, 0) + 1
        title = "BERT" if slug == "bert" else "RoBERTa"
        body = f"<html><body><h1>{title}</h1><p>A test page.</p></body></html>".encode()
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        try:
            if not self.always and (slug != "bert" or count == 1):
                self.request.sendall(head + body)
                return
            for byte in head + body:
                time.sleep(0.3)
                self.request.sendall(bytes([byte]))
        except OSError:
            pass


def test_a_server_that_trickles_its_headers_is_cut_at_the_total_timeout(kb):
    handler = type("SlowHeaders", (_SlowHeaders,), {"served": {}})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    models = [*MODELS, {"name": "RoBERTa", "arxiv": "1907.11692", "hf_doc": "roberta"}]
    try:
        docs = f"http://127.0.0.1:{server.server_address[1]}/docs/transformers/model_doc/"
        kb.write(models, hf_docs={"location": docs + "{slug}", "retries": 0, "timeout": 1})
        assert not kb.fetch().failed
        before = kb.documents("hf_doc")
        start = time.monotonic()
        report = kb.fetch(refresh=True)
        assert time.monotonic() - start < 6  # the headers alone would take ~30 s
        failed = kb.failures("hf_doc")
        assert [e["model_id"] for e in failed] == ["bert"]  # RoBERTa's page still asked
        assert "no status line and headers within 1 s" in failed[0]["message"]
        assert [d["id"] for d in kb.documents("hf_doc")] == [d["id"] for d in before]
        assert report is not None
    finally:
        server.shutdown()
        server.server_close()


def _served_facts(base: str) -> int:
    answer = urllib.request.urlopen(
        f"{base}/kb.json?sql=select+count(*)+as+n+from+facts&_shape=array", timeout=10
    )
    return json.loads(answer.read())[0]["n"]


def _within(seconds: float, condition) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - start


def test_the_site_keeps_answering_while_the_knowledge_base_is_rebuilt(built_kb, tmp_path):
    from kbuild.store import open_db

    db_path = built_kb
    statuses: Counter = Counter()
    stop = threading.Event()

    def ask_pages(base: str):
        while not stop.is_set():
            for path in ("/", "/model/bert", "/kb/facts", "/search?q=bert", "/explore"):
                try:
                    statuses[urllib.request.urlopen(base + path, timeout=10).status] += 1
                except urllib.error.HTTPError as err:
                    statuses[err.code] += 1
                except Exception as err:  # noqa: BLE001 - a dropped connection is a failure too
                    statuses[err.__class__.__name__] += 1

    with serving(db_path, tmp_path) as (base, log):
        before = _served_facts(base)
        asking = threading.Thread(target=ask_pages, args=(base,))
        asking.start()
        try:
            # A command halfway through (it holds the database): the last whole copy is served.
            writer = open_db(db_path)
            with writer.conn:
                writer.execute("delete from facts where model_id = 'roberta'")
            time.sleep(2.5)
            assert _served_facts(base) == before
            writer.close()
            assert _within(5, lambda: _served_facts(base) < before) < 5
            # The natural update, a full extraction, while the pages are asked for.
            subprocess.run(
                [sys.executable, "-m", "kbuild", "--db", str(db_path), "extract", "--full",
                 "-q"],
                check=True, timeout=300,
            )  # fmt: skip
            assert _within(5, lambda: _served_facts(base) == before) < 5
        finally:
            stop.set()
            asking.join(timeout=30)
        log.seek(0)
        said = log.read()
    assert sum(statuses.values()) > 10
    assert set(statuses) == {200}, statuses
    # the copy served and the one before it, each in its own file, and kb.db to publish
    assert len(list((tmp_path / "served").glob(".kb.db.*"))) <= 2
    assert (tmp_path / "served" / "kb.db").is_file()
    assert "is being written (a kbuild command runs); serving the last complete copy" in said
    assert "changed: now serving the new copy" in said
    assert "Traceback" not in said


def test_serving_a_damaged_database_says_so_in_one_line(built_kb, tmp_path):
    db_path = built_kb
    size = db_path.stat().st_size
    with db_path.open("r+b") as damaged:
        damaged.seek(size // 2)
        damaged.write(b"\xff" * 8192)
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "serve", "--port", "1"])
    assert time.monotonic() - start < 10
    assert result.exit_code == 1
    assert "is not a kbuild database (not SQLite, or damaged)" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert db_path.stat().st_size == size  # the database itself is left as it was
    assert not list((tmp_path / "served").glob("*.partial"))


class _RawAnswers(socketserver.BaseRequestHandler):
    """Each page's answer as raw bytes (``answers`` by the last path segment); RoBERTa's
    page a good one."""

    answers: dict[str, bytes] = {}

    def handle(self) -> None:
        request = self.request.recv(65536).decode("latin-1")
        slug = request.split(" ", 2)[1].rsplit("/", 1)[-1].split("?")[0]
        body = b"<html><body><h1>RoBERTa</h1><p>A test page.</p></body></html>"
        good = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        try:
            self.request.sendall(self.answers.get(slug, good))
        except OSError:
            pass


def _raw_server(answers: dict[str, bytes]):
    handler = type("Answers", (_RawAnswers,), {"answers": answers})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


HEAD = b"HTTP/1.1 200 OK\r\n"


@pytest.mark.parametrize(
    "answer, reason",
    [
        (b"HELLO THERE\r\n\r\n", "a malformed answer, not HTTP (BadStatusLine"),
        (HEAD + b"".join(b"X-%d: a\r\n" % i for i in range(150)) + b"\r\n",
         "a malformed answer, not HTTP (HTTPException: got more than 100 headers)"),
        (HEAD + b"X: " + b"a" * 70_000 + b"\r\n\r\n", "a malformed answer, not HTTP (LineTooLong"),
        (b"", "the server closed the connection without an answer"),
    ],
    ids=["bad status line", "150 headers", "a 70 KB header line", "closed at once"],
)  # fmt: skip
def test_one_malformed_answer_fails_that_page_alone_with_its_reason(kb, answer, reason):
    server = _raw_server({"bert": answer})
    models = [*MODELS, {"name": "RoBERTa", "arxiv": "1907.11692", "hf_doc": "roberta"}]
    try:
        docs = f"http://127.0.0.1:{server.server_address[1]}/docs/transformers/model_doc/"
        kb.write(models, hf_docs={"location": docs + "{slug}", "retries": 0, "timeout": 5})
        start = time.monotonic()
        kb.fetch()
        assert time.monotonic() - start < 5
        failed = kb.failures("hf_doc")
        assert [e["model_id"] for e in failed] == ["bert"]
        assert reason in failed[0]["message"]
        assert "could not reach" not in failed[0]["message"]
        assert "\n" not in failed[0]["message"]
        # RoBERTa's page, after BERT's, was asked and kept
        assert [d["model_id"] for d in kb.documents("hf_doc")] == ["roberta"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_host_that_refuses_is_said_with_its_reason_and_stops_its_source(kb):
    port = free_port()  # nothing listens there
    models = [*MODELS, {"name": "RoBERTa", "arxiv": "1907.11692", "hf_doc": "roberta"}]
    docs = f"http://127.0.0.1:{port}/docs/transformers/model_doc/"
    kb.write(models, hf_docs={"location": docs + "{slug}", "retries": 0, "timeout": 5})
    start = time.monotonic()
    report = kb.fetch()
    assert time.monotonic() - start < 5
    failed = [e for e in kb.failures() if e["source"] == "hf_doc"]
    assert len(failed) == 1  # said once for the source, not once per page
    assert f"could not reach 127.0.0.1:{port} (connection refused)" in failed[0]["message"]
    assert report.failed


def test_a_tls_failure_is_that_pages_failure_and_says_tls(kb):
    server = _raw_server({})  # speaks plain HTTP to a client expecting TLS
    models = [*MODELS, {"name": "RoBERTa", "arxiv": "1907.11692", "hf_doc": "roberta"}]
    try:
        docs = f"https://127.0.0.1:{server.server_address[1]}/docs/transformers/model_doc/"
        kb.write(models, hf_docs={"location": docs + "{slug}", "retries": 0, "timeout": 5})
        start = time.monotonic()
        kb.fetch()
        assert time.monotonic() - start < 5
        failed = kb.failures("hf_doc")
        assert sorted(e["model_id"] for e in failed) == ["bert", "roberta"]
        assert all("the TLS handshake with 127.0.0.1:" in e["message"] for e in failed)
    finally:
        server.shutdown()
        server.server_close()


def test_the_arxiv_api_trickling_its_headers_is_cut_at_the_total_timeout(kb):
    handler = type("SlowHeaders", (_SlowHeaders,), {"served": {}, "always": True})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        api = f"http://127.0.0.1:{server.server_address[1]}/api/query"
        kb.write(MODELS, arxiv={"location": api, "retries": 0, "timeout": 1})
        start = time.monotonic()
        kb.fetch()
        assert time.monotonic() - start < 6  # the headers alone would take ~30 s
        failed = kb.failures("arxiv")
        assert [e["model_id"] for e in failed] == ["bert"]
        assert "no status line and headers within 1 s" in failed[0]["message"]
        assert not kb.documents("arxiv")
    finally:
        server.shutdown()
        server.server_close()


def test_export_on_a_full_disk_says_so_and_keeps_the_last_whole_files(built_kb, tmp_path):
    db_path = built_kb
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["--db", str(db_path), "export", str(out)]).exit_code == 0
    before = (out / "facts.csv").read_bytes()
    # The next write of facts.csv goes to a device that is always full (ENOSPC).
    (out / "facts.csv.partial").symlink_to("/dev/full")
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", str(out)])
    assert time.monotonic() - start < 10
    assert result.exit_code == 1
    assert f"the disk is full writing {out / 'facts.csv'}; nothing half-written was kept" in (
        result.output
    )
    assert "Traceback" not in result.output
    assert not list(out.glob("*.partial"))
    assert (out / "facts.csv").read_bytes() == before


@pytest.mark.parametrize("kind", ["a link out of the folder", "fifo"])
def test_a_table_folder_reads_only_its_own_regular_files(kb, tmp_path, kind):
    from .table_fixtures import BIGSCIENCE_YAML, MISTRAL_YAML
    from .test_fetch_tables import ecosystem_table

    folder = tmp_path / "assets"
    folder.mkdir()
    (folder / "mistral.yaml").write_text(MISTRAL_YAML)
    (folder / "bigscience.yaml").write_text(BIGSCIENCE_YAML)
    bad = folder / "zz.yaml"
    if kind == "fifo":
        os.mkfifo(bad)
        reason = "zz.yaml: not a regular file (a FIFO, device or socket); skipped"
    else:
        secret = tmp_path / "private.yaml"
        secret.write_text("- name: hunter2-private-line\n  type: model\n")
        bad.symlink_to(secret)
        reason = "zz.yaml: a link to a file outside assets; not read"
    kb.write(MODELS, tables={"eco": ecosystem_table(str(folder))})
    start = time.monotonic()
    kb.fetch()
    assert time.monotonic() - start < 10
    failed = kb.failures("eco")
    assert [e["location"] for e in failed] == ["zz.yaml"]  # (no path of this machine)
    assert reason in failed[0]["message"]
    every_message = " ".join(str(e["message"]) for e in kb.rows("select * from fetch_events"))
    assert "hunter2" not in every_message
    assert "hunter2" not in " ".join(d["body"] or "" for d in kb.documents())
    assert [d["item"] for d in kb.documents("eco")] == ["bigscience.yaml", "mistral.yaml"]


def test_a_doc_page_linked_out_of_its_folder_is_not_read(kb, tmp_path):
    folder = tmp_path / "model_doc"
    folder.mkdir()
    secret = tmp_path / "private.md"
    secret.write_text("# BERT\n\nhunter2 is a private line.\n")
    (folder / "bert.md").symlink_to(secret)
    kb.write(MODELS, hf_docs={"location": str(folder)})
    kb.fetch(only=("hf_docs",))
    (failed,) = kb.failures("hf_doc")
    assert "bert.md: a link to a file outside model_doc; not read" in failed["message"]
    assert not kb.documents("hf_doc")


def _as_tuples(found) -> list[tuple]:
    return [(b.kind, b.start, b.end, b.masked, b.level, b.hidden, b.cells) for b in found]


def test_a_long_post_read_in_pieces_gives_the_blocks_of_one_reading(monkeypatch):
    from kbuild.check import markdown

    from .conftest import need_corpus

    folder = need_corpus("..", "posts", "hf_blog")
    posts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
    # the real posts again and again, and a table of thousands of rows
    table = "| Model | Params |\n|---|---|\n" + "".join(
        f"| Model-{n} | {n}B |\n" for n in range(6000)
    )
    # fenced code that shows markdown (a shorter fence inside a longer one), an inline
    # mention of <pre> and <!--, a table in a block quote, a table with a row without a
    # pipe, a link whose reference is defined at the end
    code = "````markdown\n" + "```python\nprint('BERT has 3B parameters')\n```\n" * 1500 + "````\n"
    quoted = "> | Model | Params |\n> |---|---|\n" + "> | GPT-2 | 1.5B |\n" * 2500
    ragged = "| Model | Params |\n|---|---|\n" + "| T5 | 11B |\nT5 again\n" * 1500
    mentions = "A `<pre>` tag and a `<!--` mark are no HTML blocks; see [the paper][bert].\n"
    text = "\n\n".join(
        [*posts * 6, table, "After the table, BERT has 340M.", code, mentions, quoted,
         ragged, *posts, "[bert]: https://arxiv.org/abs/1810.04805"]
    )  # fmt: skip
    assert text.count("\n") > 6 * markdown.PIECE_LINES
    pieces = _as_tuples(markdown.blocks(text))
    monkeypatch.setattr(markdown, "PIECE_LINES", 10**9)
    whole = _as_tuples(markdown.blocks(text))
    assert len(whole) > 6000
    assert pieces == whole


# kbuild's command line, saying at exit its own peak memory in KB (the process's VmHWM:
# a child's ru_maxrss on Linux counts the parent it was forked from, a test runner's too)
PEAK_SAID = """
import atexit, sys
from kbuild.cli import cli

def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print(line.split()[1], file=sys.stderr)

atexit.register(peak)
cli(sys.argv[1:], prog_name="kbuild")
"""


@pytest.mark.parametrize(
    "post",
    [
        "# A post\n" + "- x\n" * 100_000,
        "# A post\n| Model | Params |\n|---|---|\n" + "| BERT | 340M |\n" * 50_000,
        "# A post\n" + "BERT has 340M parameters.\n" * 50_000,
        "# A post\n\n" + "BERT has 340M parameters " + "x" * 40_000 + " and more.\n",
    ],
    ids=["100k list items", "50k table rows", "a 50k-line paragraph", "a 40,000-letter word"],
)
def test_check_time_and_memory_grow_with_the_post_alone(built_kb, tmp_path, post):
    db_path = built_kb
    path = tmp_path / "post.md"
    path.write_text(post, encoding="utf-8")
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_SAID, "--db", str(db_path), "check", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300,
    )  # fmt: skip
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    peak_mb = int(done.stderr.split()[-1]) / 1024
    print(f"{seconds:.1f} s, {peak_mb:.0f} MB")
    # (reading the whole post at once took 271 MB for 100k list items, 2.4 GB for 1M)
    assert peak_mb < 150, f"{peak_mb:.0f} MB"
    assert seconds < 120, f"{seconds:.0f} s"


def test_a_sources_file_with_a_byte_order_mark_reads_as_without(tmp_path):
    text = sources_toml(MODELS)
    plain, marked = tmp_path / "plain.toml", tmp_path / "marked.toml"
    plain.write_text(text, encoding="utf-8")
    marked.write_text(text, encoding="utf-8-sig")
    assert marked.read_bytes().startswith(b"\xef\xbb\xbf")
    assert config.load(marked).models == config.load(plain).models


def test_a_sources_fifo_is_refused_in_one_line_without_hanging(tmp_path):
    fifo = tmp_path / "sources.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    result = CliRunner().invoke(
        cli, ["--sources", str(fifo), "--db", str(tmp_path / "kb.db"), "fetch"]
    )
    assert time.monotonic() - start < 5
    assert result.exit_code != 0
    assert "not a regular file (a FIFO, device or socket); --sources takes a TOML file" in (
        result.output
    )
    assert "Traceback" not in result.output


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_extract_workers_end_when_the_extract_is_killed(corpus_kb, tmp_path):
    import shutil
    import signal

    db_path = tmp_path / "kb.db"
    shutil.copy(corpus_kb.db_path, db_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "kbuild", "--db", str(db_path), "extract", "--full", "-q",
         "--jobs", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            # the pool's workers: children of the extract (spawn starts a resource tracker too)
            workers = [c for c in _children(process.pid) if _alive(c)]
            time.sleep(0.05)
        assert len(workers) >= 2, "the extract finished before its workers were seen"
        time.sleep(1.0)  # the workers are busy with documents now
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        gone = time.monotonic()
        while any(_alive(w) for w in workers):
            assert time.monotonic() - gone < 5, "workers outlived the killed extract by 5 s"
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            process.kill()


SLOW_SQL = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"


def test_slow_queries_do_not_hold_up_the_other_pages(built_kb, tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import quote

    with serving(built_kb, tmp_path) as (base, _):

        def timed(path: str) -> tuple[int, float]:
            start = time.monotonic()
            try:
                status = urllib.request.urlopen(base + path, timeout=30).status
            except urllib.error.HTTPError as err:
                status = err.code
            return status, time.monotonic() - start

        timed("/model/bert")  # (the page's first drawing aside)
        with ThreadPoolExecutor(8) as pool:
            slow = [pool.submit(timed, f"/kb.json?sql={quote(SLOW_SQL)}") for _ in range(6)]
            time.sleep(0.5)  # the six queries hold six SQL threads now
            status, seconds = timed("/model/bert")
            answers = [f.result() for f in slow]
    assert status == 200
    assert seconds < 2.0, f"the model page waited {seconds:.1f} s behind slow queries"
    # stopped at the 3 s limit (later when six share two cores: measured 3.7–10.1 s)
    assert all(code == 400 and took < 20 for code, took in answers), answers


async def test_a_page_past_its_deadline_answers_503_in_one_line(monkeypatch):
    import asyncio

    from kbuild.publish import site

    async def stuck(request):
        await asyncio.sleep(60)

    monkeypatch.setattr(site, "PAGE_DEADLINE_SECONDS", 0.2)
    start = time.monotonic()
    response = await site.within_deadline(stuck)(None)
    assert time.monotonic() - start < 1
    assert response.status == 503
    assert response.body.startswith("This page took longer than 0.2 s and was stopped")


def test_an_archive_of_endless_files_is_refused_in_one_line(kb, httpserver):
    from .test_fetch_tables import ecosystem_table, tar_gz

    archive = tar_gz({f"assets/m{n}.yaml": "" for n in range(10_001)})
    httpserver.expect_request("/assets.tar.gz").respond_with_data(archive)
    url = httpserver.url_for("/assets.tar.gz")
    kb.write(MODELS, tables={"eco": ecosystem_table(url, files="assets/*.yaml")})
    start = time.monotonic()
    kb.fetch()
    assert time.monotonic() - start < 20
    (failed,) = kb.failures("eco")
    assert (
        "more than 10,000 files match 'assets/*.yaml'; make [tables.eco] files narrower"
        in (failed["message"])
    )
    assert not kb.documents("eco")


def test_an_arxiv_dump_line_without_end_is_read_no_further_than_a_record(kb, tmp_path):
    dump = tmp_path / "papers.jsonl"
    with dump.open("wb") as out:
        out.write(b'{"id": "1810.04805", "title": "' + b"x" * 30_000_000 + b'"}\n')
    kb.write(MODELS, arxiv={"location": str(dump)})
    start = time.monotonic()
    kb.fetch(only=("arxiv",))
    assert time.monotonic() - start < 10
    (failed,) = kb.failures("arxiv")
    assert (
        "line 1: a record over 1,000,000 bytes (no arXiv record is near that); not read"
        in (failed["message"])
    )
    assert not kb.documents("arxiv")


def test_an_arxiv_dump_that_is_a_fifo_is_refused_without_hanging(kb, tmp_path):
    dump = tmp_path / "papers.jsonl"
    os.mkfifo(dump)
    kb.write(MODELS, arxiv={"location": str(dump)})
    start = time.monotonic()
    kb.fetch(only=("arxiv",))
    assert time.monotonic() - start < 5
    (failed,) = kb.failures("arxiv")
    assert "not a regular file (a FIFO, device or socket)" in failed["message"]


@pytest.mark.parametrize("kind", ["a link out of the folder", "fifo"])
def test_a_pdf_folder_reads_only_its_own_regular_files(kb, tmp_path, kind):
    from .conftest import make_pdf

    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "1907.11692.pdf").write_bytes(make_pdf("RoBERTa test copy, page one."))
    bert = folder / "1810.04805.pdf"
    if kind == "fifo":
        os.mkfifo(bert)
        reason = "1810.04805.pdf: not a regular file (a FIFO, device or socket); skipped"
    else:
        elsewhere = tmp_path / "private.pdf"
        elsewhere.write_bytes(make_pdf("A private page."))
        bert.symlink_to(elsewhere)
        reason = "1810.04805.pdf: a link to a file outside pdfs; not read"
    models = [*MODELS, {"name": "RoBERTa", "arxiv": "1907.11692"}]
    kb.write(models, pdf={"location": str(folder)})
    start = time.monotonic()
    kb.fetch(only=("pdf",))
    assert time.monotonic() - start < 10
    (failed,) = kb.failures("pdf")
    assert failed["model_id"] == "bert"
    assert reason in failed["message"]
    assert [d["model_id"] for d in kb.documents("pdf")] == ["roberta"]


def test_a_post_of_more_claims_than_any_post_makes_is_checked_up_to_the_cap(built_kb, tmp_path):
    from kbuild.check.runner import MAX_CLAIMS
    from kbuild.store import open_db

    db_path = built_kb
    post = tmp_path / "dump.md"
    rows = MAX_CLAIMS + 2_000
    post.write_text(
        "# A dump\n\n| Model | Params |\n|---|---|\n" + "| BERT | 340M |\n" * rows, encoding="utf-8"
    )
    for _ in range(2):  # a second check replaces the first's claims
        start = time.monotonic()
        result = CliRunner().invoke(cli, ["--db", str(db_path), "check", str(post)])
        assert time.monotonic() - start < 60
        assert result.exit_code == 0, result.output
        assert (
            f"makes more than {MAX_CLAIMS:,} claims (no post does: a table dump?); the first "
            f"{MAX_CLAIMS:,} were checked, the rest not read"
        ) in result.output
    db = open_db(db_path)
    try:
        assert db["claims"].count == MAX_CLAIMS
        assert db["verdicts"].count == MAX_CLAIMS
    finally:
        db.close()


def test_a_database_in_a_read_only_folder_is_served_as_it_is(built_kb, monkeypatch):
    from kbuild.cli import _copy_to_serve

    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode: False if Path(path) == built_kb.parent else real_access(path, mode),
    )
    assert _copy_to_serve(built_kb, built_kb.parent / "served", public=False) is None
    assert not (built_kb.parent / "served").exists()


async def test_a_page_whose_query_runs_past_the_sql_limit_answers_503_in_one_line(built_kb):
    from datasette.app import Datasette

    # (SLOW_SQL never ends: any limit stops it; at 1 ms Datasette's own listing of the
    # tables was stopped too, now and then, on a loaded machine: a 500, not this test's)
    ds = Datasette(immutables=[str(built_kb)], settings={"sql_time_limit_ms": 200})
    await ds.invoke_startup()
    recursive = "?sql=" + SLOW_SQL.replace(" ", "+")  # (a query of Datasette's own: 400)
    assert (await ds.client.get(f"/kb.json{recursive}")).status_code == 400

    from kbuild.publish import site

    async def slow_page(datasette):
        await datasette.get_database("kb").execute(SLOW_SQL)

    response = await site.within_deadline(slow_page)(ds)
    assert response.status == 503
    assert response.body.startswith("This page's query ran past the SQL time limit")


@pytest.mark.parametrize(
    "text",
    ["# Nothing here\n\nA post that names no model.\n",
     "# BERT\n\nBERT has 340M parameters and was released in 2018 by Google.\n\n"
     "# RoBERTa\n\nRoBERTa has 355M parameters; its \"quote\" is Ünïcode.\n"],
)  # fmt: skip
def test_check_json_is_written_a_claim_at_a_time_as_one_json_list(built_kb, tmp_path, text):
    post = tmp_path / "post.md"
    post.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--db", str(built_kb), "check", str(post), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    claims = json.loads(result.output)
    # the same bytes as the list dumped at once
    assert result.output == json.dumps(claims, indent=2, ensure_ascii=False) + "\n"
    assert bool(claims) == ("names no model" not in text)
