"""The SQLite store: schema, append-only documents, and the HTTP helpers fetchers share."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import sqlite_utils

from kbuild.fetch.errors import Unreachable
from kbuild.fetch.http import HttpClient, RetryableStatus, TooLarge, parse_retry_after
from kbuild.store import TABLES, Store, ensure_schema, open_db


@pytest.fixture
def store(tmp_path, clock) -> Store:
    return Store(open_db(tmp_path / "sub" / "kb.db"), run_id="run-1")


def save(store: Store, content: bytes, **kwargs):
    args = {"source": "hf_doc", "location": "http://h/bert", "fetcher": "test@0"}
    return store.save_document(**{**args, **kwargs}, content=content)


def test_open_db_creates_folders_and_every_table(tmp_path):
    db = open_db(tmp_path / "a" / "b" / "kb.db")
    assert (tmp_path / "a" / "b" / "kb.db").is_file()
    assert set(TABLES) <= set(db.table_names())
    for name, spec in TABLES.items():
        assert set(spec["columns"]) <= set(db[name].columns_dict)
    fks = {(fk.table, fk.column, fk.other_table) for fk in db["papers"].foreign_keys}
    assert ("papers", "document_id", "documents") in fks


def test_ensure_schema_adds_missing_columns_and_keeps_data(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    db["documents"].insert(
        {"id": 1, "source": "catalog", "location": "x", "fetched_at": "t", "sha256": "s"},
        pk="id",
    )
    ensure_schema(db)
    ensure_schema(db)  # twice is harmless
    assert set(TABLES["documents"]["columns"]) <= set(db["documents"].columns_dict)
    assert db["documents"].get(1)["location"] == "x"


def test_new_content_adds_a_row(store, clock):
    first = save(store, b"one")
    assert first.new
    row = store.db["documents"].get(first.id)
    assert row["sha256"] == hashlib.sha256(b"one").hexdigest()
    assert row["bytes"] == 3
    assert row["body"] == "one" and row["blob"] is None
    assert row["fetched_at"] == row["last_checked_at"] == clock()


def test_same_content_adds_no_row_and_updates_last_checked(store, clock):
    first = save(store, b"one", etag='"a"')
    later = clock.tick()
    again = save(store, b"one", etag='"b"')
    assert (again.id, again.new) == (first.id, False)
    row = store.db["documents"].get(first.id)
    assert row["last_checked_at"] == later
    assert row["fetched_at"] < later
    assert row["etag"] == '"b"'
    assert store.db["documents"].count == 1


def test_changed_content_adds_a_row_and_keeps_the_old(store, clock):
    first = save(store, b"one")
    clock.tick()
    second = save(store, b"two")
    assert second.new and second.id != first.id
    assert store.db["documents"].get(first.id)["body"] == "one"
    assert store.latest_document("hf_doc", "http://h/bert")["id"] == second.id


def test_content_seen_at_another_address_is_a_new_row(store):
    first = save(store, b"same")
    other = save(store, b"same", location="http://h/roberta")
    item = save(store, b"same", item="1810.04805")
    assert len({first.id, other.id, item.id}) == 3


def test_binary_content_goes_to_blob(store):
    data = b"%PDF-\x00\xff"
    saved = save(store, data, source="pdf", binary=True)
    row = store.db["documents"].get(saved.id)
    assert row["blob"] == data and row["body"] is None


def test_touch_updates_only_last_checked(store, clock):
    saved = save(store, b"one")
    before = store.db["documents"].get(saved.id)
    later = clock.tick()
    store.touch(saved.id)
    after = store.db["documents"].get(saved.id)
    assert after["last_checked_at"] == later
    assert {k: v for k, v in after.items() if k != "last_checked_at"} == {
        k: v for k, v in before.items() if k != "last_checked_at"
    }


def test_unchanged_local_copies_are_one_log_line_per_source_and_run(store, clock, tmp_path):
    later = clock.tick()
    with store.batched(every=1):  # a commit every 10 files: the line is counted on
        store.log("hf_doc", "fetched")
        for _ in range(12):
            store.unchanged_copy_seen("hf_doc")
        store.unchanged_copy_seen("catalog")
    lines = list(store.db.query("select * from fetch_events where outcome = 'unchanged'"))
    assert [(e["source"], e["items"], e["run_id"]) for e in lines] == [
        ("hf_doc", 12, "run-1"),
        ("catalog", 1, "run-1"),
    ]
    assert all(e["document_id"] is None and e["at"] == later for e in lines)
    # a per-item line stands for one item
    (fetched,) = store.db.query("select items from fetch_events where outcome = 'fetched'")
    assert fetched["items"] == 1
    # outside a batch, written and committed at once: another connection sees it
    Store(store.db, run_id="run-2").unchanged_copy_seen("catalog")
    store.db.close()
    again = open_db(tmp_path / "sub" / "kb.db")
    (line,) = again.query("select items from fetch_events where run_id = 'run-2'")
    assert line["items"] == 1


def test_old_fetch_log_lines_stand_for_one_item(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    db["fetch_events"].insert(
        {"id": 1, "run_id": "r", "at": "t", "source": "arxiv", "outcome": "fetched"}, pk="id"
    )
    ensure_schema(db)
    assert db["fetch_events"].get(1)["items"] == 1


def test_latest_document_matches_item(store):
    assert store.latest_document("arxiv", "loc", "1810.04805") is None
    saved = save(store, b"x", source="arxiv", location="loc", item="1810.04805")
    assert store.latest_document("arxiv", "loc", "1810.04805")["id"] == saved.id
    assert store.latest_document("arxiv", "loc", "1907.11692") is None
    assert store.latest_document("arxiv", "loc") is None


def test_papers_models_pages_and_events(store):
    doc = save(store, b"x", source="arxiv", location="loc", item="1810.04805")
    store.save_models([{"id": "bert", "name": "BERT", "aliases": ["Bert"], "origin": "t"}])
    store.save_paper(
        {"arxiv_id": "1810.04805", "title": "T", "authors": ["A", "B"], "document_id": doc.id}
    )
    store.save_pages(doc.id, ["first", "second"])
    store.log("arxiv", "fetched", model_id="bert", document_id=doc.id)
    assert json.loads(store.db["models"].get("bert")["aliases"]) == ["Bert"]
    paper = store.db["papers"].get("1810.04805")
    assert json.loads(paper["authors"]) == ["A", "B"]
    assert json.loads(paper["categories"]) == []
    pages = list(store.db.query("select page, text from pages order by page"))
    assert pages == [{"page": 1, "text": "first"}, {"page": 2, "text": "second"}]
    (event,) = store.db["fetch_events"].rows
    assert (event["run_id"], event["outcome"], event["document_id"]) == ("run-1", "fetched", doc.id)


# --- HTTP helpers -----------------------------------------------------------------------------


def test_retry_after_is_read_as_seconds_or_an_http_date():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    when = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 <= parse_retry_after(format_datetime(when, usegmt=True)) <= 31
    past = datetime.now(UTC) - timedelta(days=1)
    assert parse_retry_after(format_datetime(past, usegmt=True)) == 0.0


def test_http_client_sends_user_agent_and_conditional_headers(httpserver):
    httpserver.expect_request(
        "/x", headers={"If-None-Match": '"e"', "If-Modified-Since": "Mon, 03 Mar 2025 10:00:00 GMT"}
    ).respond_with_data("", status=304)
    client = HttpClient(retries=0, backoff=0.01)
    answer = client.get(
        httpserver.url_for("/x"), etag='"e"', last_modified="Mon, 03 Mar 2025 10:00:00 GMT"
    )
    assert answer.not_modified
    request = httpserver.log[0][0]
    assert request.headers["User-Agent"].startswith("kbuild/")


def test_http_client_gives_up_after_its_retries(httpserver):
    httpserver.expect_request("/x").respond_with_data("busy", status=502)
    client = HttpClient(retries=2, backoff=0.01)
    with pytest.raises(RetryableStatus, match="HTTP 502"):
        client.get(httpserver.url_for("/x"))
    assert client.requests_made == 3


def test_http_client_declared_length_over_cap(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"x" * 1000)
    with pytest.raises(TooLarge, match="1000 bytes"):
        HttpClient(retries=0).get(httpserver.url_for("/x"), max_bytes=999)


def test_http_client_unreachable_names_host():
    with pytest.raises(Unreachable) as info:
        HttpClient(retries=3, backoff=0.01).get("http://127.0.0.1:9/x")
    assert info.value.host == "127.0.0.1:9"
    assert "could not reach 127.0.0.1:9" in str(info.value)
