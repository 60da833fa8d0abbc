"""Hugging Face model-doc pages: remote HTML (conditional GETs, redirects) and local folders."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from werkzeug import Request, Response

DOCS = "/docs/transformers/model_doc/"

MODELS = [
    {"name": "BERT", "arxiv": "1810.04805", "hf_doc": "bert"},
    {"name": "RoBERTa", "arxiv": "1907.11692", "hf_doc": "roberta"},
]


def doc_page(title: str, arxiv_id: str, note: str = "") -> bytes:
    """A small page shaped like an HF model-doc page; the prose is written for these tests."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
        f"{title}</title></head><body><main><h1>{title}</h1>"
        f"<p>A test page about {title}. {note}The paper is "
        f'<a href="https://arxiv.org/abs/{arxiv_id}">on arXiv</a>.</p>'
        "</main></body></html>"
    ).encode()


PAGES = {
    "bert": doc_page("BERT", "1810.04805"),
    "roberta": doc_page("RoBERTa", "1907.11692"),
}


class DocServer:
    """Serves PAGES under DOCS with an ETag per content; honours If-None-Match."""

    def __init__(self, httpserver, pages: dict[str, bytes]):
        self.pages = dict(pages)
        self.seen: list[tuple[str, dict]] = []
        self.location = httpserver.url_for(DOCS) + "{slug}"
        for slug in ("bert", "roberta", "gpt3"):
            httpserver.expect_request(DOCS + slug).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        slug = request.path.rsplit("/", 1)[-1]
        self.seen.append((slug, dict(request.headers)))
        if slug not in self.pages:
            return Response("<h1>404</h1>", status=404, content_type="text/html")
        body = self.pages[slug]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": "Mon, 03 Mar 2025 10:00:00 GMT"}
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers=headers)
        return Response(body, content_type="text/html; charset=utf-8", headers=headers)

    def headers_for(self, slug: str) -> list[dict]:
        return [headers for s, headers in self.seen if s == slug]


@pytest.fixture
def docs(httpserver) -> DocServer:
    return DocServer(httpserver, PAGES)


def test_doc_pages_are_stored_with_provenance(kb, docs):
    kb.write(MODELS, hf_docs={"location": docs.location})
    report = kb.fetch()
    assert not report.failed, report.failures
    rows = {d["model_id"]: d for d in kb.documents("hf_doc")}
    assert set(rows) == {"bert", "roberta"}
    bert = rows["bert"]
    url = docs.location.format(slug="bert")
    assert bert["location"] == url
    assert bert["final_url"] == url
    assert bert["http_status"] == 200
    assert bert["content_type"].startswith("text/html")
    assert bert["body"].encode() == PAGES["bert"]
    assert bert["sha256"] == hashlib.sha256(PAGES["bert"]).hexdigest()
    assert bert["bytes"] == len(PAGES["bert"])
    assert bert["etag"].startswith('"')
    assert bert["last_modified"] == "Mon, 03 Mar 2025 10:00:00 GMT"
    assert bert["fetcher"].startswith("kbuild.fetch.hf_docs@")
    assert "arxiv.org/abs/1810.04805" in bert["body"]


def test_404_for_one_model_is_reported_and_the_run_goes_on(kb, docs):
    models = [*MODELS, {"name": "GPT-3", "arxiv": "2005.14165", "hf_doc": "gpt3"}]
    kb.write(models, hf_docs={"location": docs.location})
    report = kb.fetch()
    assert report.failed
    failed = kb.failures("hf_doc")
    assert [(f["model_id"], f["message"]) for f in failed] == [("gpt-3", "HTTP 404")]
    assert failed[0]["location"] == docs.location.format(slug="gpt3")
    # gpt-3 sorts between bert and roberta: the page after the 404 was fetched too.
    assert sorted(d["model_id"] for d in kb.documents("hf_doc")) == ["bert", "roberta"]
    assert report.counts["hf_doc"]["fetched"] == 2


def test_second_fetch_sends_if_none_match_and_304_keeps_the_row(kb, docs, clock):
    kb.write(MODELS[:1], hf_docs={"location": docs.location})
    kb.fetch()
    first = kb.documents("hf_doc")
    assert "If-None-Match" not in docs.headers_for("bert")[0]
    later = clock.tick(600)
    report = kb.fetch()
    second_request = docs.headers_for("bert")[1]
    assert second_request["If-None-Match"] == first[0]["etag"]
    assert second_request["If-Modified-Since"] == "Mon, 03 Mar 2025 10:00:00 GMT"
    assert report.counts["hf_doc"]["unchanged"] == 1
    after = kb.documents("hf_doc")
    assert [d["id"] for d in after] == [first[0]["id"]]
    assert after[0]["last_checked_at"] == later
    assert after[0]["fetched_at"] == first[0]["fetched_at"]
    events = kb.rows("select outcome, document_id from fetch_events where source = 'hf_doc'")
    assert events[-1] == {"outcome": "unchanged", "document_id": first[0]["id"]}


def test_refresh_sends_no_conditional_header(kb, docs, clock):
    kb.write(MODELS[:1], hf_docs={"location": docs.location})
    kb.fetch()
    clock.tick()
    report = kb.fetch(refresh=True)
    refreshed = docs.headers_for("bert")[1]
    assert "If-None-Match" not in refreshed
    assert "If-Modified-Since" not in refreshed
    # The server answered 200 with the same bytes: still one row, checked again.
    assert report.counts["hf_doc"]["unchanged"] == 1
    docs_rows = kb.documents("hf_doc")
    assert len(docs_rows) == 1
    assert docs_rows[0]["last_checked_at"] > docs_rows[0]["fetched_at"]


def test_changed_page_adds_a_row_and_keeps_the_old_one(kb, docs, clock):
    kb.write(MODELS[:1], hf_docs={"location": docs.location})
    kb.fetch()
    clock.tick()
    docs.pages["bert"] = doc_page("BERT", "1810.04805", note="A sentence added later. ")
    report = kb.fetch()
    assert report.counts["hf_doc"]["fetched"] == 1
    rows = kb.documents("hf_doc")
    assert len(rows) == 2
    old, new = rows
    assert old["body"].encode() == PAGES["bert"]
    assert "A sentence added later." in new["body"]
    assert new["etag"] != old["etag"]
    assert new["fetched_at"] > old["fetched_at"]
    # The next check is conditional on the newest copy.
    clock.tick()
    kb.fetch()
    assert docs.headers_for("bert")[-1]["If-None-Match"] == new["etag"]
    assert len(kb.documents("hf_doc")) == 2


def test_redirect_records_the_final_url(kb, httpserver):
    target = "/docs/transformers/main/en/model_doc/bert"
    httpserver.expect_request(DOCS + "bert").respond_with_response(
        Response(status=302, headers={"Location": target})
    )
    httpserver.expect_request(target).respond_with_data(
        PAGES["bert"], content_type="text/html; charset=utf-8"
    )
    location = httpserver.url_for(DOCS) + "{slug}"
    kb.write(MODELS[:1], hf_docs={"location": location})
    report = kb.fetch()
    assert not report.failed, report.failures
    (doc,) = kb.documents("hf_doc")
    assert doc["location"] == location.format(slug="bert")
    assert doc["final_url"] == httpserver.url_for(target)
    assert doc["http_status"] == 200


def test_page_without_heading_is_not_stored(kb, httpserver):
    httpserver.expect_request(DOCS + "bert").respond_with_data(
        "<html><body><p>Please wait while we check your browser.</p></body></html>",
        content_type="text/html",
    )
    kb.write(MODELS[:1], hf_docs={"location": httpserver.url_for(DOCS) + "{slug}"})
    report = kb.fetch()
    assert report.failed
    assert "not a model-doc page" in kb.failures("hf_doc")[0]["message"]
    assert kb.documents("hf_doc") == []


def test_server_error_is_retried(kb, httpserver):
    httpserver.expect_ordered_request(DOCS + "bert").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(DOCS + "bert").respond_with_data(
        PAGES["bert"], content_type="text/html"
    )
    kb.write(MODELS[:1], hf_docs={"location": httpserver.url_for(DOCS) + "{slug}"})
    report = kb.fetch()
    assert not report.failed, report.failures
    assert len(httpserver.log) == 2
    assert len(kb.documents("hf_doc")) == 1


# --- a local folder ----------------------------------------------------------------------


def test_local_folder_stores_current_and_older_revisions(kb, tmp_path):
    folder = tmp_path / "model_doc"
    folder.mkdir()
    files = {
        "bert.md": "# BERT\n\nA test note on the current page.\n",
        "bert@919220d.md": "# BERT\n\nA test note on an older revision.\n",
        "bert-generation.md": "# BertGeneration\n\nAnother model's page.\n",
        "roberta.md": "# RoBERTa\n\nA test note.\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    models = [*MODELS, {"name": "T5", "arxiv": "1910.10683", "hf_doc": "t5"}]
    kb.write(models, hf_docs={"location": "model_doc"})
    report = kb.fetch()
    assert not report.failed, report.failures
    rows = kb.documents("hf_doc")
    by_file = {Path(kb.local_path(d["id"])).name: d for d in rows}
    # every page is read: the folder is the model-doc index, so BertGeneration's page adds
    # a model of its own (see test_hf_doc_index.py)
    assert set(by_file) == {"bert.md", "bert@919220d.md", "bert-generation.md", "roberta.md"}
    assert by_file["bert-generation.md"]["model_id"] == "bertgeneration"
    public = {
        "bert.md": "https://huggingface.co/docs/transformers/model_doc/bert",
        "bert@919220d.md": "https://github.com/huggingface/transformers/blob/919220d/"
        "docs/source/en/model_doc/bert.md",
        "bert-generation.md": "https://huggingface.co/docs/transformers/model_doc/bert-generation",
        "roberta.md": "https://huggingface.co/docs/transformers/model_doc/roberta",
    }
    for name, doc in by_file.items():
        assert kb.local_path(doc["id"]) == str(folder / name)
        assert doc["location"] == public[name]
        assert doc["body"] == files[name]
        assert doc["content_type"] == "text/markdown"
        assert doc["sha256"] == hashlib.sha256(files[name].encode()).hexdigest()
        assert doc["http_status"] is None
    assert by_file["bert@919220d.md"]["model_id"] == "bert"
    skipped = kb.rows("select * from fetch_events where outcome = 'skipped'")
    assert [(s["model_id"], "t5.md" in s["message"]) for s in skipped] == [("t5", True)]


def test_local_folder_read_twice_adds_no_row(kb, tmp_path, clock):
    folder = tmp_path / "model_doc"
    folder.mkdir()
    (folder / "bert.md").write_text("# BERT\n\nA test note.\n", encoding="utf-8")
    kb.write(MODELS[:1], hf_docs={"location": str(folder)})
    kb.fetch()
    clock.tick()
    report = kb.fetch()
    assert report.counts["hf_doc"]["unchanged"] == 1
    assert len(kb.documents("hf_doc")) == 1
    (folder / "bert.md").write_text("# BERT\n\nA test note, edited.\n", encoding="utf-8")
    kb.fetch()
    assert len(kb.documents("hf_doc")) == 2
