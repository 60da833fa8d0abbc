"""The arXiv fetcher against a fake API on the test server, and against a local dump file."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from datetime import datetime

import pytest
from werkzeug import Response

from kbuild.fetch import arxiv as arxiv_fetch

from .conftest import PAPERS, Paper, atom_feed, need_corpus

BERT, ROBERTA, T5, GPT3, LLAMA = (
    "1810.04805",
    "1907.11692",
    "1910.10683",
    "2005.14165",
    "2302.13971",
)
# Well formed but never issued: October 2018 had far fewer than 99,999 submissions.
NEVER_ISSUED = "1810.99999"


def model_for(arxiv_id: str, name: str | None = None) -> dict:
    return {"name": name or f"paper {arxiv_id}", "arxiv": arxiv_id}


def api_models(*ids: str) -> list[dict]:
    names = {BERT: "BERT", ROBERTA: "RoBERTa", T5: "T5", GPT3: "GPT-3", LLAMA: "LLaMA"}
    return [model_for(i, names.get(i)) for i in ids]


def test_api_fetch_stores_a_paper_row_per_id(kb, fake_arxiv):
    kb.write(api_models(BERT, ROBERTA, T5, GPT3), arxiv={"location": fake_arxiv.url})
    report = kb.fetch()
    assert not report.failed, report.failures
    papers = {p["arxiv_id"]: p for p in kb.rows("select * from papers")}
    assert set(papers) == {BERT, ROBERTA, T5, GPT3}
    for arxiv_id, row in papers.items():
        fact = PAPERS[arxiv_id]
        assert row["title"] == fact.title
        assert row["published"].startswith(fact.v1_date)
        assert row["version"] == "v1"
        assert json.loads(row["authors"]) == list(fact.authors)
        assert row["abstract"] == fact.abstract
        assert row["primary_category"] == fact.primary_category
        assert json.loads(row["categories"]) == list(fact.categories)
        assert row["pdf_url"] == f"http://arxiv.org/pdf/{arxiv_id}v1"
    assert papers[GPT3]["title"] == "Language Models are Few-Shot Learners"
    assert papers[BERT]["published"] == "2018-10-11T00:00:00Z"


def test_api_fetch_stores_one_document_per_paper_with_provenance(kb, fake_arxiv):
    kb.write(api_models(BERT, LLAMA), arxiv={"location": fake_arxiv.url})
    kb.fetch()
    docs = kb.documents("arxiv")
    assert [d["item"] for d in docs] == [BERT, LLAMA]
    papers = {p["arxiv_id"]: p for p in kb.rows("select * from papers")}
    for doc in docs:
        body = doc["body"].encode("utf-8")
        assert doc["sha256"] == hashlib.sha256(body).hexdigest()
        assert doc["bytes"] == len(body)
        assert doc["http_status"] == 200
        assert doc["fetcher"].startswith("kbuild.fetch.arxiv@")
        assert doc["location"] == f"{fake_arxiv.url}?id_list={doc['item']}"
        assert doc["final_url"].startswith(fake_arxiv.url)
        assert "atom" in doc["content_type"]
        datetime.fromisoformat(doc["fetched_at"])
        assert doc["last_checked_at"] == doc["fetched_at"]
        # The document is this paper's Atom entry, not the whole batch.
        assert PAPERS[doc["item"]].title in doc["body"]
        assert doc["body"].count("<entry") == 1
        assert papers[doc["item"]]["document_id"] == doc["id"]
    models = {m["arxiv_id"]: m["id"] for m in kb.rows("select * from models")}
    assert {d["item"]: d["model_id"] for d in docs} == {BERT: models[BERT], LLAMA: models[LLAMA]}


def test_ids_are_fetched_in_batches_no_larger_than_batch_size(kb, fake_arxiv):
    ids = [BERT, ROBERTA, T5, GPT3, LLAMA]
    kb.write(api_models(*ids), arxiv={"location": fake_arxiv.url, "batch_size": 2})
    report = kb.fetch()
    assert not report.failed
    assert len(fake_arxiv.requests) == 3
    assert max(len(r) for r in fake_arxiv.requests) == 2
    assert sorted(i for r in fake_arxiv.requests for i in r) == sorted(ids)
    assert len(kb.documents("arxiv")) == 5


def dump_records(path, count: int) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line, _ in zip(handle, range(count), strict=False)]


def test_250_ids_take_three_requests_of_at_most_100(kb, fake_arxiv, clock):
    """Real ids, titles and v1 dates of the first 250 records of the arXiv dump."""
    dump = need_corpus("arxiv_dump", "arxiv-metadata-oai-snapshot.head.jsonl")
    records = dump_records(dump, 250)
    assert len(records) == 250
    papers = {}
    for record in records:
        created = datetime.strptime(record["versions"][0]["created"], "%a, %d %b %Y %H:%M:%S %Z")
        categories = tuple(record["categories"].split())
        papers[record["id"]] = Paper(
            arxiv_id=record["id"],
            title=" ".join(record["title"].split()),
            v1_date=created.strftime("%Y-%m-%d"),
            authors=tuple(
                " ".join(p for p in (f, last) if p) for last, f, *_ in record["authors_parsed"]
            ),
            primary_category=categories[0],
            abstract=f"A short abstract written for the batching test, record {record['id']}.",
            categories=categories,
            published=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    fake_arxiv.papers = papers
    kb.write(
        [{"name": i, "arxiv": i} for i in papers],
        arxiv={"location": fake_arxiv.url, "batch_size": 100},
    )
    report = kb.fetch()
    print(
        f"\n250-id arXiv fetch: {len(fake_arxiv.requests)} requests, ids per request "
        f"{[len(r) for r in fake_arxiv.requests]}"
    )
    assert not report.failed, report.failures[:3]
    assert len(fake_arxiv.requests) == 3
    assert all(len(r) <= 100 for r in fake_arxiv.requests)
    assert sorted(i for r in fake_arxiv.requests for i in r) == sorted(papers)
    rows = {p["arxiv_id"]: p for p in kb.rows("select * from papers")}
    assert len(rows) == 250
    assert len(kb.documents("arxiv")) == 250
    first = rows["0704.0001"]
    assert first["title"] == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first["published"] == "2007-04-02T19:18:42Z"
    for arxiv_id, paper in papers.items():
        assert rows[arxiv_id]["title"] == paper.title
        assert rows[arxiv_id]["published"].startswith(paper.v1_date)


def test_503_is_retried_then_stored(kb, fake_arxiv):
    fake_arxiv.script = [(503, {})]
    kb.write(api_models(BERT), arxiv={"location": fake_arxiv.url})
    report = kb.fetch()
    assert not report.failed, report.failures
    assert len(fake_arxiv.requests) == 2
    assert [d["item"] for d in kb.documents("arxiv")] == [BERT]
    assert kb.documents("arxiv")[0]["http_status"] == 200


def test_429_waits_as_long_as_retry_after_says(kb, fake_arxiv):
    fake_arxiv.script = [(429, {"Retry-After": "1"})]
    kb.write(api_models(T5), arxiv={"location": fake_arxiv.url})
    report = kb.fetch(backoff=0.01)
    assert not report.failed, report.failures
    assert len(fake_arxiv.requests) == 2
    waited = fake_arxiv.times[1] - fake_arxiv.times[0]
    assert waited >= 0.9, f"retried after {waited:.2f}s despite Retry-After: 1"
    assert [d["item"] for d in kb.documents("arxiv")] == [T5]


def test_retries_run_out_then_each_id_fails_and_run_goes_on(kb, fake_arxiv):
    fake_arxiv.script = [(503, {})] * 3
    kb.write(api_models(BERT, ROBERTA), arxiv={"location": fake_arxiv.url, "retries": 2})
    report = kb.fetch()
    assert len(fake_arxiv.requests) == 3
    failed = kb.failures("arxiv")
    assert sorted(f["message"].split(":")[0] for f in failed) == [BERT, ROBERTA]
    assert all("503" in f["message"] for f in failed)
    assert report.counts["arxiv"]["failed"] == 2
    assert kb.documents("arxiv") == []


def test_missing_id_is_reported_by_id_and_others_are_stored(kb, fake_arxiv):
    kb.write(
        api_models(BERT, ROBERTA) + [model_for(NEVER_ISSUED)], arxiv={"location": fake_arxiv.url}
    )
    report = kb.fetch()
    assert report.failed
    failed = kb.failures("arxiv")
    assert len(failed) == 1
    assert NEVER_ISSUED in failed[0]["message"]
    assert any(NEVER_ISSUED in message for _, message in report.failures)
    assert sorted(d["item"] for d in kb.documents("arxiv")) == [BERT, ROBERTA]
    assert report.counts["arxiv"]["fetched"] == 2


def test_missing_id_counted_in_total_results_does_not_lose_the_batch(kb, fake_arxiv, httpserver):
    """arXiv has counted ids it does not have in totalResults (lukasschwab/arxiv.py#82):
    the client then asks for the page after the last entry and gets an empty one."""

    def handle(request):
        ids = request.args["id_list"].split(",")
        fake_arxiv.requests.append(ids)
        start = int(request.args.get("start", "0"))
        found = [PAPERS[i] for i in ids if i in PAPERS]
        return Response(
            atom_feed(found[start:], total=len(ids), start=start),
            content_type="application/atom+xml",
        )

    httpserver.clear()
    httpserver.expect_request("/api/query").respond_with_handler(handle)
    kb.write(
        api_models(BERT, ROBERTA) + [model_for(NEVER_ISSUED)], arxiv={"location": fake_arxiv.url}
    )
    report = kb.fetch()
    assert sorted(d["item"] for d in kb.documents("arxiv")) == [BERT, ROBERTA]
    assert [f["message"].split(":")[0] for f in kb.failures("arxiv")] == [NEVER_ISSUED]
    assert report.counts["arxiv"]["fetched"] == 2


def test_refetch_with_same_content_adds_no_row_but_updates_last_checked(kb, fake_arxiv, clock):
    kb.write(api_models(BERT, GPT3), arxiv={"location": fake_arxiv.url})
    kb.fetch()
    before = {d["item"]: d for d in kb.documents("arxiv")}
    later = clock.tick(3600)
    report = kb.fetch()
    after = {d["item"]: d for d in kb.documents("arxiv")}
    assert report.counts["arxiv"]["unchanged"] == 2
    assert report.counts["arxiv"]["fetched"] == 0
    assert [d["id"] for d in after.values()] == [d["id"] for d in before.values()]
    for item, doc in after.items():
        assert doc["fetched_at"] == before[item]["fetched_at"]
        assert doc["last_checked_at"] == later
        assert doc["last_checked_at"] > before[item]["last_checked_at"]


def test_changed_record_adds_a_row_and_keeps_the_old_one(kb, fake_arxiv, clock):
    kb.write(api_models(ROBERTA), arxiv={"location": fake_arxiv.url})
    kb.fetch()
    old = kb.documents("arxiv")[0]
    clock.tick()
    paper = fake_arxiv.papers[ROBERTA]
    fake_arxiv.papers[ROBERTA] = replace(paper, abstract="A revised test abstract. One more.")
    kb.fetch()
    docs = kb.documents("arxiv")
    assert [d["id"] for d in docs] == [old["id"], old["id"] + 1]
    assert docs[0]["sha256"] == old["sha256"]
    assert docs[1]["sha256"] != old["sha256"]
    row = kb.rows("select * from papers where arxiv_id = ?", [ROBERTA])[0]
    assert row["document_id"] == docs[1]["id"]
    assert row["abstract"].startswith("A revised test abstract")


def test_the_fetcher_strips_versions_from_ids():
    assert arxiv_fetch.strip_version("1810.04805v2") == ("1810.04805", "v2")
    assert arxiv_fetch.strip_version("cs/0112017v1") == ("cs/0112017", "v1")
    assert arxiv_fetch.strip_version("1810.04805") == ("1810.04805", None)


# --- the local dump ----------------------------------------------------------------------


def dump_line(arxiv_id: str, title: str, created: str, authors_parsed: list, **extra) -> str:
    """One record in the bulk dump layout: the dump's 14 keys in the dump's order."""
    record = {
        "id": arxiv_id,
        "submitter": authors_parsed[0][1] + " " + authors_parsed[0][0],
        "authors": ", ".join(f"{first} {last}" for last, first, _ in authors_parsed),
        "title": title,
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "cs.CL",
        "license": None,
        "abstract": "  An abstract written for the dump test.\n",
        "versions": [{"version": "v1", "created": created}],
        "update_date": "2019-01-01",
        "authors_parsed": authors_parsed,
    }
    record.update(extra)
    return json.dumps(record, separators=(",", ":"))


DUMP_BERT = dump_line(
    BERT,
    "BERT: Pre-training of Deep Bidirectional Transformers for Language\n  Understanding",
    "Thu, 11 Oct 2018 00:00:00 GMT",
    [["Devlin", "Jacob", ""], ["Chang", "Ming-Wei", ""], ["Lee", "Kenton", ""],
     ["Toutanova", "Kristina", ""]],
)  # fmt: skip
DUMP_ROBERTA = dump_line(
    ROBERTA,
    "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
    "Fri, 26 Jul 2019 00:00:00 GMT",
    [["Liu", "Yinhan", ""], ["Ott", "Myle", ""], ["Goyal", "Naman", ""]],
)
DUMP_LLAMA = dump_line(
    LLAMA,
    "LLaMA: Open and Efficient Foundation Language Models",
    "Mon, 27 Feb 2023 00:00:00 GMT",
    [["Touvron", "Hugo", ""], ["Lavril", "Thibaut", ""], ["Izacard", "Gautier", ""]],
)


@pytest.fixture
def dump(tmp_path):
    path = tmp_path / "data" / "papers.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join([DUMP_BERT, DUMP_ROBERTA, DUMP_LLAMA]) + "\n", encoding="utf-8")
    return path


def test_local_dump_stores_documents_and_papers(kb, dump):
    kb.write(api_models(BERT, ROBERTA, LLAMA), arxiv={"location": "data/papers.jsonl"})
    report = kb.fetch()
    assert not report.failed, report.failures
    docs = {d["item"]: d for d in kb.documents("arxiv")}
    assert set(docs) == {BERT, ROBERTA, LLAMA}
    lines = {BERT: DUMP_BERT, ROBERTA: DUMP_ROBERTA, LLAMA: DUMP_LLAMA}
    for arxiv_id, doc in docs.items():
        # the public record; the local copy's path is kept apart
        assert doc["location"] == doc["final_url"] == f"https://arxiv.org/abs/{arxiv_id}"
        assert kb.local_path(doc["id"]) == str(dump)
        assert doc["body"] == lines[arxiv_id]
        assert doc["sha256"] == hashlib.sha256(lines[arxiv_id].encode()).hexdigest()
        assert doc["fetcher"].startswith("kbuild.fetch.arxiv@")
        assert doc["http_status"] is None
    papers = {p["arxiv_id"]: p for p in kb.rows("select * from papers")}
    bert = papers[BERT]
    assert bert["title"] == PAPERS[BERT].title
    assert bert["published"] == "2018-10-11T00:00:00Z"
    assert bert["version"] == "v1"
    assert json.loads(bert["authors"]) == list(PAPERS[BERT].authors)
    assert bert["abstract"] == "An abstract written for the dump test."
    assert bert["document_id"] == docs[BERT]["id"]
    assert papers[LLAMA]["published"] == "2023-02-27T00:00:00Z"


def test_local_dump_malformed_line_names_file_and_line(kb, dump):
    broken = DUMP_LLAMA[: len(DUMP_LLAMA) // 2]  # a record cut short, as in a partial download
    dump.write_text("\n".join([DUMP_BERT, DUMP_ROBERTA, broken]) + "\n", encoding="utf-8")
    kb.write(api_models(BERT, ROBERTA, LLAMA), arxiv={"location": str(dump)})
    report = kb.fetch()
    assert report.failed
    failed = kb.failures("arxiv")
    assert len(failed) == 1
    # The user reads the whole path; the published log only the file's name.
    assert any(f"{dump}, line 3" in text for _, text in report.failures)
    assert failed[0]["message"].startswith(f"{dump.name}, line 3")
    assert str(dump.parent) not in failed[0]["message"]
    assert sorted(d["item"] for d in kb.documents("arxiv")) == [BERT, ROBERTA]


def test_a_broken_record_of_an_unchanged_dump_is_reported_again(kb, dump):
    broken = DUMP_LLAMA[: len(DUMP_LLAMA) // 2]
    dump.write_text("\n".join([DUMP_BERT, broken]) + "\n", encoding="utf-8")
    kb.write(api_models(BERT, LLAMA, T5), arxiv={"location": str(dump)})
    for _ in range(3):  # then the file unchanged, T5 known absent, LLaMA still broken
        report = kb.fetch()
        assert [f["model_id"] for f in kb.failures("arxiv")][-1:] == ["llama"]
        assert report.counts["arxiv"]["failed"] == 1
        assert report.counts["arxiv"]["skipped"] == 1  # T5
    assert len(kb.failures("arxiv")) == 3  # once per run


def test_local_dump_reports_an_absent_id_as_skipped(kb, dump):
    kb.write(api_models(BERT, T5), arxiv={"location": str(dump)})
    report = kb.fetch()
    assert not report.failed
    skipped = kb.rows("select * from fetch_events where outcome = 'skipped'")
    assert len(skipped) == 1
    assert T5 in skipped[0]["message"]
    assert [d["item"] for d in kb.documents("arxiv")] == [BERT]


def test_local_dump_that_is_missing_is_a_failure(kb, tmp_path):
    kb.write(api_models(BERT), arxiv={"location": "nowhere.jsonl"})
    report = kb.fetch()
    assert report.failed
    assert any(str(tmp_path / "nowhere.jsonl") in text for _, text in report.failures)
    assert str(tmp_path) not in kb.failures("arxiv")[0]["message"]


def test_local_dump_read_twice_adds_no_row(kb, dump, clock):
    kb.write(api_models(BERT, ROBERTA), arxiv={"location": str(dump)})
    kb.fetch()
    clock.tick()
    report = kb.fetch()
    assert report.counts["arxiv"]["unchanged"] == 2
    assert len(kb.documents("arxiv")) == 2


def test_local_dump_is_read_only_for_records_not_stored_from_it(kb, dump, monkeypatch):
    from kbuild.fetch import arxiv as fetch_arxiv

    asked = []
    real = fetch_arxiv.iter_dump
    monkeypatch.setattr(
        fetch_arxiv,
        "iter_dump",
        lambda path, wanted: asked.append(set(wanted)) or real(path, wanted),
    )
    kb.write(api_models(BERT, ROBERTA), arxiv={"location": str(dump)})
    kb.fetch()
    assert asked == [{BERT, ROBERTA}]
    kb.fetch()  # the real dump is gigabytes: unchanged records need no pass over it
    assert asked == [{BERT, ROBERTA}]
    kb.write(api_models(BERT, ROBERTA, LLAMA, T5), arxiv={"location": str(dump)})
    report = kb.fetch()
    assert asked[1:] == [{LLAMA, T5}]
    assert (report.counts["arxiv"]["unchanged"], report.counts["arxiv"]["fetched"]) == (2, 1)
    assert report.counts["arxiv"]["skipped"] == 1  # T5: not in the file
    assert sorted(d["item"] for d in kb.documents("arxiv")) == sorted([BERT, ROBERTA, LLAMA])
    # the last pass did not find T5 in the file as it is: no pass to look for it again
    report = kb.fetch()
    assert len(asked) == 2
    assert (report.counts["arxiv"]["unchanged"], report.counts["arxiv"]["skipped"]) == (3, 1)
    os.utime(dump, ns=(dump.stat().st_atime_ns, dump.stat().st_mtime_ns + 10**9))
    report = kb.fetch()  # the file changed (its time): every record and T5 looked for again
    assert asked[2:] == [{BERT, ROBERTA, LLAMA, T5}]
    assert report.counts["arxiv"]["skipped"] == 1
    kb.fetch(refresh=True)
    assert asked[3:] == [{BERT, ROBERTA, LLAMA, T5}]


def test_real_dump_records_parse(kb, tmp_path):
    """The real dump head: TeX accents in authors, hard-wrapped titles, several versions."""
    source = need_corpus("arxiv_dump", "arxiv-metadata-oai-snapshot.head.jsonl")
    kb.write([{"name": "diphoton", "arxiv": "0704.0001"}], arxiv={"location": str(source)})
    report = kb.fetch()
    assert not report.failed, report.failures
    paper = kb.rows("select * from papers")[0]
    assert paper["title"] == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert paper["published"] == "2007-04-02T19:18:42Z"
    assert paper["version"] == "v2"
    assert json.loads(paper["authors"])[0] == "C. Balázs"
