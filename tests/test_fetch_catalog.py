"""The Transformer catalog: a CSV export matched to sources.toml models, and its failure modes."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from werkzeug import Response

from kbuild.catalog import field_for_header
from kbuild.tables.formats import TableError, read_csv
from kbuild.tables.links import link_ids
from kbuild.tables.spec import resolve_columns

from .conftest import REPO, need_corpus
from .extract_fixtures import catalog_spec

HEADER = [
    "Name", "Family", "Pretraining Architecture", "Pretraining Task", "Fine-tuning Task",
    "Extension", "Application", "Date (of first known publication)", "Num. Params", "Corpus",
    "License", "Lab", "Link",
]  # fmt: skip

HF = "https://huggingface.co/docs/transformers/model_doc/"

# Catalog facts (names, dates, sizes, labs, links) are true; the prose cells are ours.
ROWS = [
    ["BERT", "BERT", "Encoder", "MLM/NSP", "", "A test note.", "General language tasks",
     "10/2018", "Base = 110M, Large = 340M", "Books and Wikipedia", "Open, Apache-2.0",
     "Google", HF + "bert"],
    ["GPT", "GPT", "Decoder", "LM", "", "A test note.", "Text generation", "06/2018", "117M",
     "BookCorpus", "N/A", "OpenAI", HF + "openai-gpt"],
    ["Transformer XL", "", "Decoder", "LM", "", "A test note\nthat spans two lines.",
     "Language modeling", "01/2019", "151M", "WikiText-103 and others", "Open", "CMU, Google",
     HF + "transfo-xl"],
    ["Chinchilla", "GPT", "Decoder", "LM", "", "A test note.", "Same as Gopher", "03/2022",
     "70B", "MassiveText", "Closed source", "Deepmind", "https://arxiv.org/abs/2203.15556"],
    ["Gopher", "GPT", "Decoder", "LM", "", "A test note.", "Language tasks", "12/2021", "280B",
     "MassiveText", "Closed source", "Deepmind", "https://arxiv.org/abs/2112.11446"],
    ["mBART", "BART", "Encoder/Decoder", "denoising autoencoder", "", "A test note.",
     "Translation", "01/2020", "Same as BART", "CC25", "Open, MIT", "Facebook", HF + "mbart"],
]  # fmt: skip


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


CSV_TEXT = to_csv(HEADER, ROWS)


OTHER_TABLES = ("epoch_notable", "epoch_large_scale", "ecosystem_graphs", "llmsurvey", "orkg")


def catalog_only(kb, location: str) -> None:
    """A sources file that extends the real sources.toml and reads the catalog from location
    (written the short way, [catalog]); every other source is off."""
    kb.sources.write_text(
        f'extends = "{REPO / "sources.toml"}"\n'
        + "".join(f"[{s}]\nenabled = false\n" for s in ("arxiv", "hf_docs", "pdf", "repos", "hub"))
        + "".join(f"[tables.{t}]\nenabled = false\n" for t in OTHER_TABLES)
        + f'[catalog]\nlocation = "{location}"\n',
        encoding="utf-8",
    )


class Row:
    """A catalog row as the loose headers read it: cells by field key, headers by field."""

    def __init__(self, row, name_column, columns):
        self.row = row.number
        self.headers = {"name": name_column, **{s.field: c for c, s in columns.items()}}
        self.cells = {key: row.text(column) for key, column in self.headers.items()}
        self.name = self.cells["name"]


def read_rows(text: str) -> list[Row]:
    name_column, columns = resolve_columns(catalog_spec(), (table := read_csv(text)).columns)
    return [Row(r, name_column, columns) for r in table.rows]


@pytest.fixture
def served_csv(httpserver):
    httpserver.expect_request("/export").respond_with_data(
        CSV_TEXT.encode(), content_type="text/csv; charset=utf-8"
    )
    return httpserver.url_for("/export") + "?format=csv&gid=0"


def test_catalog_csv_becomes_one_document(kb, served_csv):
    catalog_only(kb, served_csv)
    report = kb.fetch()
    assert not report.failed, report.failures
    (doc,) = kb.documents()
    assert doc["source"] == "catalog"
    assert doc["location"] == served_csv
    assert doc["body"] == CSV_TEXT
    assert doc["sha256"] == hashlib.sha256(CSV_TEXT.encode()).hexdigest()
    assert doc["content_type"].startswith("text/csv")
    assert doc["http_status"] == 200
    assert doc["fetcher"].startswith("kbuild.fetch.tables@")


def test_every_catalog_row_becomes_a_model_matched_by_name_or_alias(kb, served_csv):
    catalog_only(kb, served_csv)
    kb.fetch()
    doc_id = kb.documents()[0]["id"]
    models = {m["id"]: m for m in kb.rows("select * from models")}
    with_rows = {m["catalog_row"]: m for m in models.values() if m["catalog_row"] is not None}
    assert sorted(with_rows) == list(range(2, 2 + len(ROWS)))
    assert all(m["catalog_document_id"] == doc_id for m in with_rows.values())
    # "GPT" is an alias of GPT-1 in sources.toml; "Transformer XL" matches Transformer-XL.
    assert with_rows[3]["id"] == "gpt-1"
    assert with_rows[3]["origin"] == "sources.toml"
    assert with_rows[4]["id"] == "transformer-xl"
    assert "Transformer XL" in json.loads(with_rows[4]["aliases"])
    assert with_rows[2]["id"] == "bert"
    assert with_rows[5]["id"] == "chinchilla"
    assert with_rows[5]["arxiv_id"] == "2203.15556"
    # Rows for models sources.toml does not list become catalog models; Links fill ids.
    gopher, mbart = with_rows[6], with_rows[7]
    assert (gopher["name"], gopher["origin"], gopher["arxiv_id"]) == (
        "Gopher",
        "catalog",
        "2112.11446",
    )
    assert (mbart["name"], mbart["origin"], mbart["hf_doc_slug"]) == ("mBART", "catalog", "mbart")
    # sources.toml models the catalog does not name stay as they were.
    assert models["llama-2"]["origin"] == "sources.toml"
    assert models["llama-2"]["catalog_row"] is None


def test_catalog_link_does_not_override_sources_toml(kb, httpserver):
    rows = [["GPT", "", "", "", "", "", "", "06/2018", "117M", "", "", "OpenAI", HF + "gpt2"]]
    httpserver.expect_request("/export").respond_with_data(
        to_csv(HEADER, rows), content_type="text/csv"
    )
    catalog_only(kb, httpserver.url_for("/export"))
    kb.fetch()
    gpt1 = kb.rows("select * from models where id = 'gpt-1'")[0]
    assert gpt1["hf_doc_slug"] == "openai-gpt"


def test_html_sign_in_page_says_how_to_share_the_sheet(kb, httpserver):
    sign_in = (
        "<!DOCTYPE html><html><head><title>Sign in</title></head>"
        "<body><form>Sign in to continue</form></body></html>"
    )
    httpserver.expect_request("/export").respond_with_data(
        sign_in, status=200, content_type="text/html; charset=utf-8"
    )
    catalog_only(kb, httpserver.url_for("/export"))
    report = kb.fetch()
    assert report.failed
    (failure,) = kb.failures("catalog")
    message = failure["message"]
    assert "HTML" in message
    assert "Anyone with the link" in message
    assert "[tables.catalog] location" in message and ".csv" in message
    assert kb.sources.name in message
    assert any(str(kb.sources.resolve()) in text for _, text in report.failures)
    assert kb.documents() == []
    assert kb.rows("select count(*) n from models where catalog_row is not null")[0]["n"] == 0


def test_html_page_sent_as_text_is_still_recognised(kb, httpserver):
    httpserver.expect_request("/export").respond_with_data(
        "  <html><body>Sign in</body></html>", content_type="text/plain"
    )
    catalog_only(kb, httpserver.url_for("/export"))
    assert kb.fetch().failed
    assert "Anyone with the link" in kb.failures("catalog")[0]["message"]
    assert kb.documents() == []


def test_catalog_http_error_is_reported(kb, httpserver):
    httpserver.expect_request("/export").respond_with_data("gone", status=404)
    catalog_only(kb, httpserver.url_for("/export"))
    assert kb.fetch().failed
    assert kb.failures("catalog")[0]["message"] == "HTTP 404"


def test_csv_without_a_name_column_is_reported(kb, tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text("Family,Date\nBERT,10/2018\n", encoding="utf-8")
    catalog_only(kb, str(path))
    assert kb.fetch().failed
    assert "no model name column" in kb.failures("catalog")[0]["message"]


def test_local_csv_is_read_relative_to_the_sources_file(kb, tmp_path, clock):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "catalog.csv").write_text(CSV_TEXT, encoding="utf-8", newline="")
    catalog_only(kb, "data/catalog.csv")
    report = kb.fetch()
    assert not report.failed, report.failures
    (doc,) = kb.documents()
    # the public sheet it copies (the default catalog's), the local path kept apart
    assert doc["location"].startswith("https://docs.google.com/spreadsheets/d/")
    assert kb.local_path(doc["id"]) == str(tmp_path / "data" / "catalog.csv")
    assert doc["content_type"] == "text/csv"
    clock.tick()
    report = kb.fetch()
    assert report.counts["catalog"]["unchanged"] == 1
    assert len(kb.documents()) == 1
    assert kb.rows("select catalog_row from models where id = 'gpt-1'")[0]["catalog_row"] == 3


def test_refetched_catalog_with_same_content_adds_no_row(kb, served_csv, clock):
    catalog_only(kb, served_csv)
    kb.fetch()
    first = kb.documents()[0]
    later = clock.tick()
    kb.fetch()
    (doc,) = kb.documents()
    assert doc["id"] == first["id"]
    assert doc["last_checked_at"] == later


def test_catalog_304_keeps_the_stored_copy_and_its_rows(kb, httpserver, clock):
    seen = []

    def handle(request):
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"cat-1"':
            return Response(status=304, headers={"ETag": '"cat-1"'})
        return Response(CSV_TEXT, content_type="text/csv", headers={"ETag": '"cat-1"'})

    httpserver.expect_request("/export").respond_with_handler(handle)
    catalog_only(kb, httpserver.url_for("/export"))
    kb.fetch()
    later = clock.tick()
    report = kb.fetch()
    assert seen == [None, '"cat-1"']
    assert report.counts["catalog"]["unchanged"] == 1
    (doc,) = kb.documents()
    assert doc["last_checked_at"] == later
    assert kb.rows("select catalog_row from models where id = 'gpt-1'")[0]["catalog_row"] == 3


# --- read_rows -----------------------------------------------------------------------------


def test_headers_are_matched_loosely():
    other_header = [
        "model name", "FAMILY", "Pretraining  architecture", "Pre-training task",
        "Finetuning task", "Extension", "Application", "Date", "Number of Parameters",
        "Corpus", "Licence", "Lab", "URL",
    ]  # fmt: skip
    one = read_rows(CSV_TEXT)
    two = read_rows(to_csv(other_header, ROWS))
    assert [r.cells for r in one] == [r.cells for r in two]
    assert one[0].headers["params"] == "Num. Params"
    assert two[0].headers["params"] == "Number of Parameters"
    assert one[0].headers["date"] == "Date (of first known publication)"
    assert two[0].headers["date"] == "Date"
    bert = one[0].cells
    assert (bert["name"], bert["date"], bert["params"], bert["lab"]) == (
        "BERT",
        "10/2018",
        "Base = 110M, Large = 340M",
        "Google",
    )


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Num. Params", "params"),
        ("Number of Parameters", "params"),
        ("Date (of first known publication)", "date"),
        ("Fine-tuning Task", "finetuning_task"),
        ("Pretraining Task", "task"),
        ("Pretraining Architecture", "architecture"),
        ("Link", "link"),
        ("Model", "name"),
        ("Notes", None),
    ],
)
def test_header_maps_to_its_field_key(header, key):
    assert field_for_header(header) == key


def test_cell_spanning_lines_parses_as_one_row():
    rows = read_rows(CSV_TEXT)
    assert [r.name for r in rows] == [r[0] for r in ROWS]
    txl = rows[2]
    assert txl.cells["extension"] == "A test note\nthat spans two lines."
    assert txl.row == 4
    assert rows[3].row == 5 and rows[3].name == "Chinchilla"


def test_empty_csv_is_an_error():
    with pytest.raises(TableError, match="empty"):
        read_rows("")


def test_catalog_links_give_hf_slug_or_arxiv_id():
    assert link_ids(HF + "bert") == ("bert", None)
    assert link_ids("https://huggingface.co/docs/transformers/main/en/model_doc/t5") == (
        "t5",
        None,
    )
    assert link_ids("https://huggingface.co/docs/transformers/v4.31.0/en/model_doc/llama2") == (
        "llama2",
        None,
    )
    assert link_ids("https://arxiv.org/abs/2203.15556") == (None, "2203.15556")
    assert link_ids("https://arxiv.org/pdf/1810.04805v2") == (None, "1810.04805")
    assert link_ids("https://github.com/google-research/bert") == (None, None)


def test_real_catalog_csv_rows_all_have_names_and_known_headers():
    path = need_corpus("catalog", "transformer_catalog.csv")
    text = path.read_text(encoding="utf-8")
    rows = read_rows(text)
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(records) - 1 == 77
    assert all(r.name for r in rows)
    assert {"name", "family", "date", "params", "lab", "link"} <= set(rows[0].headers)
