"""Paper PDFs: remote only with --pdf, local folders always; pages stored; bad files refused."""

from __future__ import annotations

import hashlib
import os

import pytest
from werkzeug import Response

from kbuild.fetch.pdf import BadPdf, page_texts

from .conftest import make_encrypted_pdf, make_pdf

BERT, ROBERTA, T5, LLAMA = "1810.04805", "1907.11692", "1910.10683", "2302.13971"

BERT_PDF = make_pdf(
    "BERT test copy, page one: a title line written for the tests.",
    "Page two of the test copy.",
)
ROBERTA_PDF = make_pdf("RoBERTa test copy, page one.")


def models(*ids: str) -> list[dict]:
    names = {BERT: "BERT", ROBERTA: "RoBERTa", T5: "T5", LLAMA: "LLaMA"}
    return [{"name": names[i], "arxiv": i} for i in ids]


def serve_pdf(httpserver, arxiv_id: str, body: bytes, content_type="application/pdf"):
    httpserver.expect_request(f"/pdf/{arxiv_id}").respond_with_data(body, content_type=content_type)


@pytest.fixture
def pdf_location(httpserver) -> str:
    return httpserver.url_for("/pdf/") + "{arxiv_id}"


def test_remote_pdfs_are_not_fetched_without_the_pdf_flag(kb, httpserver, pdf_location):
    serve_pdf(httpserver, BERT, BERT_PDF)
    kb.write(models(BERT), pdf={"location": pdf_location})
    report = kb.fetch()
    assert not report.failed
    assert httpserver.log == []
    assert kb.documents("pdf") == []
    assert any("--pdf" in note and "1 remote PDF" in note for note in report.notes)


def test_remote_pdf_is_stored_as_blob_with_pages(kb, httpserver, pdf_location):
    serve_pdf(httpserver, BERT, BERT_PDF)
    serve_pdf(httpserver, ROBERTA, ROBERTA_PDF)
    kb.write(models(BERT, ROBERTA), pdf={"location": pdf_location})
    report = kb.fetch(pdf=True)
    assert not report.failed, report.failures
    docs = {d["model_id"]: d for d in kb.documents("pdf")}
    assert set(docs) == {"bert", "roberta"}
    bert = docs["bert"]
    assert bert["blob"] == BERT_PDF
    assert bert["body"] is None
    assert bert["sha256"] == hashlib.sha256(BERT_PDF).hexdigest()
    assert bert["bytes"] == len(BERT_PDF)
    assert bert["location"] == pdf_location.format(arxiv_id=BERT)
    assert bert["http_status"] == 200
    assert bert["content_type"] == "application/pdf"
    assert bert["fetcher"].startswith("kbuild.fetch.pdf@")
    pages = kb.rows("select * from pages where document_id = ? order by page", [bert["id"]])
    assert [p["page"] for p in pages] == [1, 2]
    assert "BERT test copy, page one" in pages[0]["text"]
    assert "Page two of the test copy." in pages[1]["text"]
    roberta_pages = kb.rows("select * from pages where document_id = ?", [docs["roberta"]["id"]])
    assert [(p["page"], "RoBERTa test copy" in p["text"]) for p in roberta_pages] == [(1, True)]


def test_model_pdf_url_is_fetched_instead_of_the_arxiv_pattern(kb, httpserver, pdf_location):
    httpserver.expect_request("/reports/gpt1.pdf").respond_with_data(
        make_pdf("A test stand-in for the GPT-1 report."), content_type="application/pdf"
    )
    url = httpserver.url_for("/reports/gpt1.pdf")
    kb.write(
        [{"name": "GPT-1", "hf_doc": "openai-gpt", "pdf": url}], pdf={"location": pdf_location}
    )
    report = kb.fetch(pdf=True)
    assert not report.failed, report.failures
    (doc,) = kb.documents("pdf")
    assert (doc["model_id"], doc["location"]) == ("gpt-1", url)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (
            b"<!DOCTYPE html><html><body><h1>Just a moment</h1></body></html>",
            "text/html",
            "not a PDF",
        ),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "application/pdf", "damaged PDF"),
        (BERT_PDF[:40], "application/pdf", "damaged PDF"),
    ],
    ids=["html", "garbled", "truncated"],
)
def test_bad_body_is_reported_by_name_and_not_stored(
    kb, httpserver, pdf_location, body, content_type, reason
):
    serve_pdf(httpserver, BERT, body, content_type)
    serve_pdf(httpserver, ROBERTA, ROBERTA_PDF)
    kb.write(models(BERT, ROBERTA), pdf={"location": pdf_location})
    report = kb.fetch(pdf=True)
    assert report.failed
    (failure,) = kb.failures("pdf")
    assert failure["model_id"] == "bert"
    assert failure["message"].startswith(f"{BERT}: ")
    assert reason in failure["message"]
    assert [d["model_id"] for d in kb.documents("pdf")] == ["roberta"]


def test_encrypted_pdf_is_reported_and_not_stored(kb, httpserver, pdf_location, tmp_path):
    serve_pdf(httpserver, BERT, make_encrypted_pdf(tmp_path / "locked.pdf", "A locked page."))
    kb.write(models(BERT), pdf={"location": pdf_location})
    report = kb.fetch(pdf=True)
    assert report.failed
    (failure,) = kb.failures("pdf")
    assert failure["message"] == f"{BERT}: encrypted PDF (needs a password)"
    assert kb.documents("pdf") == []
    assert kb.rows("select count(*) n from pages")[0]["n"] == 0


def test_pdf_over_the_size_cap_fails(kb, httpserver, pdf_location):
    serve_pdf(httpserver, BERT, BERT_PDF)
    kb.write(models(BERT), pdf={"location": pdf_location, "max_bytes": 200})
    report = kb.fetch(pdf=True)
    assert report.failed
    message = kb.failures("pdf")[0]["message"]
    assert "200-byte cap" in message
    assert kb.documents("pdf") == []


def test_pdf_over_the_size_cap_without_content_length_fails(kb, httpserver, pdf_location):
    def chunks():
        for start in range(0, len(BERT_PDF), 100):
            yield BERT_PDF[start : start + 100]

    httpserver.expect_request(f"/pdf/{BERT}").respond_with_handler(
        lambda request: Response(chunks(), content_type="application/pdf")
    )
    kb.write(models(BERT), pdf={"location": pdf_location, "max_bytes": 300})
    report = kb.fetch(pdf=True)
    assert report.failed
    assert "300-byte cap" in kb.failures("pdf")[0]["message"]
    assert kb.documents("pdf") == []


def test_pdf_404_is_reported(kb, httpserver, pdf_location):
    httpserver.expect_request(f"/pdf/{BERT}").respond_with_data("no such paper", status=404)
    kb.write(models(BERT), pdf={"location": pdf_location})
    assert kb.fetch(pdf=True).failed
    assert kb.failures("pdf")[0]["message"] == "HTTP 404"


def test_refetched_pdf_with_same_bytes_adds_no_rows(kb, httpserver, pdf_location, clock):
    serve_pdf(httpserver, BERT, BERT_PDF)
    kb.write(models(BERT), pdf={"location": pdf_location})
    kb.fetch(pdf=True)
    later = clock.tick()
    report = kb.fetch(pdf=True)
    assert report.counts["pdf"]["unchanged"] == 1
    (doc,) = kb.documents("pdf")
    assert doc["last_checked_at"] == later
    assert kb.rows("select count(*) n from pages")[0]["n"] == 2


def test_pdf_304_touches_the_stored_copy(kb, httpserver, pdf_location, clock):
    def handle(request):
        if request.headers.get("If-None-Match") == '"p1"':
            return Response(status=304, headers={"ETag": '"p1"'})
        return Response(BERT_PDF, content_type="application/pdf", headers={"ETag": '"p1"'})

    httpserver.expect_request(f"/pdf/{BERT}").respond_with_handler(handle)
    kb.write(models(BERT), pdf={"location": pdf_location})
    kb.fetch(pdf=True)
    later = clock.tick()
    report = kb.fetch(pdf=True)
    assert report.counts["pdf"]["unchanged"] == 1
    assert httpserver.log[1][1].status_code == 304
    (doc,) = kb.documents("pdf")
    assert doc["last_checked_at"] == later


def test_local_folder_of_pdfs_is_read_without_the_flag(kb, tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / f"{BERT}.pdf").write_bytes(BERT_PDF)
    (folder / f"{ROBERTA}.pdf").write_bytes(b"<html>not a pdf</html>")
    kb.write(models(BERT, ROBERTA, T5), pdf={"location": "pdfs"})
    report = kb.fetch()
    docs = kb.documents("pdf")
    # the arXiv PDF it is a copy of; the local path kept apart
    assert [(d["model_id"], d["location"]) for d in docs] == [
        ("bert", f"https://arxiv.org/pdf/{BERT}")
    ]
    assert kb.local_path(docs[0]["id"]) == str(folder / f"{BERT}.pdf")
    assert docs[0]["blob"] == BERT_PDF
    assert docs[0]["http_status"] is None
    pages = kb.rows("select page, text from pages where document_id = ?", [docs[0]["id"]])
    assert [p["page"] for p in pages] == [1, 2]
    (failure,) = kb.failures("pdf")
    assert failure["message"].startswith(f"{ROBERTA}.pdf: not a PDF")
    skipped = kb.rows("select * from fetch_events where outcome = 'skipped' and source = 'pdf'")
    assert [(s["model_id"], s["message"]) for s in skipped] == [("t5", f"no local copy {T5}.pdf")]
    assert report.counts["pdf"] == {"fetched": 1, "failed": 1, "skipped": 1}


def test_local_pdf_over_the_cap_fails(kb, tmp_path):
    (tmp_path / f"{BERT}.pdf").write_bytes(BERT_PDF)
    kb.write(models(BERT), pdf={"location": str(tmp_path), "max_bytes": 100})
    assert kb.fetch().failed
    assert "100-byte cap" in kb.failures("pdf")[0]["message"]
    assert kb.documents("pdf") == []


def test_model_pdf_path_resolves_against_the_sources_file(kb, tmp_path, monkeypatch):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "gpt1.pdf").write_bytes(make_pdf("A test stand-in report."))
    kb.write(
        [{"name": "GPT-1", "pdf": "reports/gpt1.pdf"}],
        pdf={"location": str(tmp_path / "pdfs")},
    )
    monkeypatch.chdir(tmp_path.parent)
    report = kb.fetch()
    assert not report.failed, report.failures
    (doc,) = kb.documents("pdf")
    assert kb.local_path(doc["id"]) == str(tmp_path / "reports" / "gpt1.pdf")
    # no public address is known (no URL, no arXiv paper): the file's name, never its path
    assert doc["location"] == "gpt1.pdf"


def test_page_texts_refuses_what_is_not_a_readable_pdf(tmp_path):
    assert page_texts(make_pdf("one", "two")) == ["one\n", "two\n"]
    for bad in (b"", b"%PDF-", b"GIF89a", make_encrypted_pdf(tmp_path / "e.pdf", "x")):
        with pytest.raises(BadPdf):
            page_texts(bad)


def test_an_unchanged_local_pdf_is_not_read_again(kb, tmp_path, clock, monkeypatch):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / f"{BERT}.pdf").write_bytes(BERT_PDF)
    kb.write(models(BERT), pdf={"location": "pdfs"})
    assert not kb.fetch().failed
    before = kb.documents("pdf")

    def never(content):
        raise AssertionError("an unchanged PDF was parsed again")

    monkeypatch.setattr("kbuild.fetch.pdf.page_texts", never)
    clock.tick()
    report = kb.fetch()
    assert report.counts["pdf"] == {"unchanged": 1}
    # not read, nor its public address asked: the document's row stays as it was
    assert kb.documents("pdf") == before


def test_a_changed_or_refreshed_local_pdf_is_read_again(kb, tmp_path, clock, monkeypatch):
    parsed = []

    def counted(content):
        parsed.append(len(content))
        return page_texts(content)

    monkeypatch.setattr("kbuild.fetch.pdf.page_texts", counted)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    path = folder / f"{BERT}.pdf"
    path.write_bytes(BERT_PDF)
    kb.write(models(BERT), pdf={"location": "pdfs"})
    assert not kb.fetch().failed
    clock.tick()
    # the same bytes written again: a new modification time, so it is read (and found equal)
    path.write_bytes(BERT_PDF)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert kb.fetch().counts["pdf"] == {"unchanged": 1}
    assert len(kb.documents("pdf")) == 1
    assert len(parsed) == 2
    # other bytes: a new version, with its pages
    other = make_pdf("BERT test copy, a second version of page one.")
    path.write_bytes(other)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 2 * 10**9))
    clock.tick()
    assert kb.fetch().counts["pdf"] == {"fetched": 1}
    docs = kb.documents("pdf")
    assert len(docs) == 2 and docs[-1]["blob"] == other
    pages = kb.rows("select text from pages where document_id = ?", [docs[-1]["id"]])
    assert "second version" in pages[0]["text"]
    # --refresh reads every file, changed or not
    clock.tick()
    assert kb.fetch(refresh=True).counts["pdf"] == {"unchanged": 1}
    assert len(parsed) == 4
    assert kb.fetch().counts["pdf"] == {"unchanged": 1}
    assert len(parsed) == 4
