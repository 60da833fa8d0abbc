"""Bounded work on hostile input (issue 24, the rows done so far): a search or SQL call
with a huge name answers at once, a FIFO or device among the doc pages is refused
without hanging, a sources file cannot put a script link on a page, set a retry count
of millions or chain thousands of files. Each asserts the message, the time bound and
that nothing stored was lost."""

from __future__ import annotations

import os
import socketserver
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbuild import config
from kbuild.cli import cli
from kbuild.model_names import MAX_NAME, ModelNames

from .conftest import sources_toml
from .extract_fixtures import small_kb

MODELS = [{"name": "BERT", "arxiv": "1810.04805", "hf_doc": "bert"}]


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
        and "bert.md is not a regular file (a FIFO, device or socket); skipped"
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
            if slug != "bert" or count == 1:
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
