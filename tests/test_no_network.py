"""An unreachable source: one clear failure, the rest of the run and earlier documents kept."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kbuild.cli import cli

# A closed port on loopback: the connection is refused at once, and pytest-socket allows it.
UNREACHABLE = "http://127.0.0.1:9"

HINTS = {
    "arxiv": "JSON Lines",
    "hf_docs": "folder of <slug>.md files",
    "catalog": ".csv file",
    "pdf": "folder of <arxiv_id>.pdf files",
}
LOCATIONS = {
    "arxiv": f"{UNREACHABLE}/api/query",
    "hf_docs": f"{UNREACHABLE}/docs/{{slug}}",
    "catalog": f"{UNREACHABLE}/export?format=csv",
    "pdf": f"{UNREACHABLE}/pdf/{{arxiv_id}}",
}
DOC_SOURCE = {"arxiv": "arxiv", "hf_docs": "hf_doc", "catalog": "catalog", "pdf": "pdf"}

MODELS = [
    {"name": "BERT", "arxiv": "1810.04805", "hf_doc": "bert"},
    {"name": "T5", "arxiv": "1910.10683", "hf_doc": "t5"},
]
PAGE = "<html><body><h1>{}</h1><p>A test page.</p></body></html>"


@pytest.fixture
def served(httpserver, fake_arxiv):
    """Every source served by the test server; returns the [source] tables for it."""
    httpserver.expect_request("/export").respond_with_data(
        "Name,Date\nBERT,10/2018\nGPT,06/2018\n", content_type="text/csv"
    )
    for slug in ("bert", "t5"):
        httpserver.expect_request(f"/docs/{slug}").respond_with_data(
            PAGE.format(slug), content_type="text/html"
        )
    return {
        "arxiv": {"location": fake_arxiv.url},
        "hf_docs": {"location": httpserver.url_for("/docs/") + "{slug}"},
        "catalog": {"location": httpserver.url_for("/export")},
    }


@pytest.mark.parametrize("name", ["arxiv", "hf_docs", "catalog", "pdf"])
def test_unreachable_source_gives_one_message_naming_host_and_local_fix(kb, name):
    tables = {name: {"location": LOCATIONS[name]}}
    kb.write(MODELS, **tables)
    report = kb.fetch(pdf=True)
    assert report.failed
    failures = kb.failures()
    assert len(failures) == 1, failures
    message = failures[0]["message"]
    assert "could not reach 127.0.0.1:9" in message
    assert f"[{'tables.' if name == 'catalog' else ''}{name}] location" in message
    assert kb.sources.name in message
    assert HINTS[name] in message
    # one line: the message names the host, so the URL is not printed again
    assert report.failures == [(DOC_SOURCE[name], message)]
    assert failures[0]["location"].startswith("http://127.0.0.1:9/")


def test_documents_fetched_before_are_kept(kb, served, clock):
    kb.write(MODELS, **served)
    first = kb.fetch()
    assert not first.failed, first.failures
    before = kb.documents()
    assert {d["source"] for d in before} == {"catalog", "arxiv", "hf_doc"}
    clock.tick()
    kb.write(MODELS, **{**served, "arxiv": {"location": LOCATIONS["arxiv"]}})
    report = kb.fetch()
    assert report.failed
    assert [f["source"] for f in kb.failures()] == ["arxiv"]
    # The sources around arXiv ran: catalog before it, hf_docs after it.
    assert report.counts["catalog"]["unchanged"] == 1
    assert report.counts["hf_doc"]["unchanged"] == 2
    after = kb.documents()
    assert [d["id"] for d in after] == [d["id"] for d in before]
    assert [d["sha256"] for d in after] == [d["sha256"] for d in before]
    assert len(kb.rows("select * from papers")) == 2


def test_cli_exits_1_when_a_source_is_unreachable(kb, served):
    kb.write(MODELS, **{**served, "hf_docs": {"location": LOCATIONS["hf_docs"]}})
    result = CliRunner().invoke(
        cli, ["--sources", str(kb.sources), "--db", str(kb.db_path), "fetch", "--quiet"]
    )
    assert result.exit_code == 1, result.output
    assert "could not reach 127.0.0.1:9" in result.output
    assert "[hf_docs] location" in result.output
    # What came before the failure is stored.
    assert {d["source"] for d in kb.documents()} == {"catalog", "arxiv"}
