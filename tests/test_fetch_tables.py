"""Table sources: each format fetched from a URL, a file, a folder or an archive; rows
matched and counted; lineage stored; a malformed table reported and never stored."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from click.testing import CliRunner

from kbuild.cli import cli
from kbuild.config import SourcesError
from kbuild.config import load as load_config

from .table_fixtures import (
    BIGSCIENCE_YAML,
    ECOSYSTEM_COLUMNS,
    EPOCH_COLUMNS,
    EPOCH_CSV,
    MISTRAL_YAML,
    ORKG_COLUMNS,
    ORKG_JSON,
    SURVEY_COLUMNS,
    SURVEY_MD,
)

MODELS = [
    {"name": "BERT", "arxiv": "1810.04805"},
    {"name": "LLaMA", "arxiv": "2302.13971"},
    {"name": "Alpaca", "aliases": ["Stanford Alpaca"]},
    {"name": "BLOOM", "arxiv": "2211.05100"},
    {"name": "T5", "arxiv": "1910.10683"},
    {"name": "GPT-3", "arxiv": "2005.14165"},
    {"name": "GPT-1", "aliases": ["GPT"]},
]


def epoch_table(location: str, **keys) -> dict:
    return {
        "location": location,
        "name_column": "Model",
        "columns": EPOCH_COLUMNS,
        "filter": {"Domain": "Language"},
        "adds_models": True,
        "confidence_column": "Confidence",
        **keys,
    }


def ecosystem_table(location: str, **keys) -> dict:
    return {
        "location": location,
        "format": "yaml",
        "name_column": "name",
        "columns": ECOSYSTEM_COLUMNS,
        "filter": {"type": "model"},
        **keys,
    }


def tar_gz(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_csv_table_at_a_url_is_one_document_with_its_rows_matched(kb, httpserver):
    httpserver.expect_request("/notable.csv").respond_with_data(EPOCH_CSV, content_type="text/csv")
    kb.write(MODELS, tables={"epoch": epoch_table(httpserver.url_for("/notable.csv"))})
    report = kb.fetch()
    assert not report.failed, report.failures
    (doc,) = kb.documents("epoch")
    assert doc["body"] == EPOCH_CSV
    assert doc["fetcher"].startswith("kbuild.fetch.tables@")
    assert report.tables["epoch"] == {
        "rows": 7, "matched": 4, "added": 2, "filtered": 1,
    }  # fmt: skip
    rows = {r["name"]: r for r in kb.rows("select * from table_rows where source = 'epoch'")}
    assert rows["LLaMA-65B"]["model_id"] == "llama" and rows["LLaMA-65B"]["size"] == "65B"
    assert rows["Mixtral 8x7B"]["status"] == "added"
    assert rows["ResNet-50"]["status"] == "filtered"
    added = {m["id"]: m["origin"] for m in kb.rows("select * from models where origin = 'epoch'")}
    assert added == {"mixtral": "epoch", "falcon": "epoch"}


def test_the_summary_says_when_the_rows_were_matched_by_an_earlier_run(kb, tmp_path):
    (tmp_path / "notable.csv").write_text(EPOCH_CSV)
    kb.write(MODELS, tables={"epoch": epoch_table(str(tmp_path / "notable.csv"))})
    first = kb.fetch()
    again = kb.fetch()
    assert (first.tables_matched_now, again.tables_matched_now) == (True, False)
    assert again.tables == first.tables  # the counts of the rows as they stand
    runner = CliRunner()
    args = ["--sources", str(kb.sources), "--db", str(kb.db_path), "fetch"]
    shown = runner.invoke(cli, args, catch_exceptions=False).output
    assert "as matched before" in shown


def test_a_yaml_folder_is_one_document_per_file(kb, tmp_path):
    folder = tmp_path / "assets"
    folder.mkdir()
    (folder / "mistral.yaml").write_text(MISTRAL_YAML)
    (folder / "bigscience.yaml").write_text(BIGSCIENCE_YAML)
    (folder / "notes.txt").write_text("not a yaml file")
    kb.write(MODELS, tables={"eco": ecosystem_table(str(folder))})
    report = kb.fetch()
    assert not report.failed, report.failures
    docs = kb.documents("eco")
    assert [d["item"] for d in docs] == ["bigscience.yaml", "mistral.yaml"]
    # no public address configured: a label, never the folder's path
    assert {d["location"] for d in docs} == {"table:eco"}
    assert [kb.local_path(d["id"]) for d in docs] == [str(folder / d["item"]) for d in docs]
    assert report.tables["eco"] == {"rows": 4, "matched": 1, "unmatched": 2, "filtered": 1}


def test_a_yaml_archive_at_a_url_reads_the_files_it_names(kb, httpserver):
    archive = tar_gz(
        {
            "ecosystem-graphs-main/assets/mistral.yaml": MISTRAL_YAML,
            "ecosystem-graphs-main/assets/bigscience.yaml": BIGSCIENCE_YAML,
            "ecosystem-graphs-main/README.md": "# not an asset",
        }
    )
    httpserver.expect_request("/main.tar.gz").respond_with_data(
        archive, content_type="application/gzip"
    )
    url = httpserver.url_for("/main.tar.gz")
    kb.write(MODELS, tables={"eco": ecosystem_table(url, files="*/assets/*.yaml")})
    report = kb.fetch()
    assert not report.failed, report.failures
    docs = kb.documents("eco")
    assert [d["item"] for d in docs] == [
        "ecosystem-graphs-main/assets/bigscience.yaml",
        "ecosystem-graphs-main/assets/mistral.yaml",
    ]
    assert docs[0]["body"] == BIGSCIENCE_YAML


def test_json_and_html_tables_from_local_files(kb, tmp_path):
    (tmp_path / "orkg.json").write_text(ORKG_JSON)
    (tmp_path / "survey.md").write_text(SURVEY_MD)
    kb.write(
        MODELS,
        tables={
            "orkg": {"location": "orkg.json", "format": "json", "records": "extraction_data",
                     "name_column": "model_name", "columns": ORKG_COLUMNS},
            "survey": {"location": "survey.md", "format": "html", "name_column": "model",
                       "columns": SURVEY_COLUMNS},
        },
    )  # fmt: skip
    report = kb.fetch()
    assert not report.failed, report.failures
    assert report.tables["orkg"] == {"rows": 2, "matched": 2}
    assert report.tables["survey"] == {"rows": 3, "matched": 3}
    (survey,) = kb.documents("survey")
    assert survey["content_type"] == "text/markdown"


def test_lineage_is_stored_with_each_sources_witness(kb, tmp_path):
    (tmp_path / "catalog.csv").write_text("Name,Lab\nBERT,Google\n")
    (tmp_path / "orkg.json").write_text(ORKG_JSON)
    (tmp_path / "notable.csv").write_text(EPOCH_CSV)
    kb.write(
        MODELS,
        catalog={"location": "catalog.csv"},
        tables={
            "orkg": {"location": "orkg.json", "format": "json", "records": "extraction_data",
                     "name_column": "model_name", "columns": ORKG_COLUMNS,
                     "derived_from": ["catalog"]},
            "epoch": epoch_table("notable.csv"),
            "epoch_subset": epoch_table("notable.csv", derived_from=["epoch"]),
        },
    )  # fmt: skip
    assert not kb.fetch().failed
    sources = {r["name"]: r for r in kb.rows("select * from sources")}
    assert json.loads(sources["orkg"]["derived_from"]) == ["catalog"]
    assert sources["orkg"]["witness"] == "catalog"
    assert sources["epoch_subset"]["witness"] == "epoch"
    assert sources["epoch"]["witness"] == "epoch"
    assert sources["arxiv"]["primary_source"] == 1 and sources["catalog"]["primary_source"] == 0
    assert json.loads(sources["epoch"]["spec"])["filter"] == {"Domain": ["Language"]}


GOOD_CSV = "Model,Domain,Organization\nBERT-Large,Language,Google\n"
MALFORMED = [
    ("csv", "table.csv", GOOD_CSV, GOOD_CSV + "LLaMA-65B,Language,Meta AI,2023,extra\n",
     "row 3 has 5 cells but the header has 3"),
    ("csv", "table.csv", GOOD_CSV, "<!DOCTYPE html><html><body>Sign in</body></html>",
     "HTML page, not CSV"),
    ("csv", "table.csv", GOOD_CSV, "Name,Domain\nBERT,Language\n",
     "'Model', 'Organization' named in [tables.t] are not in the table"),
    ("yaml", "assets/a.yaml", "- type: model\n  name: BLOOM\n",
     "- type: model\n  name: BLOOM\n  size: [176B\n", "broken YAML: line 4"),
    ("json", "t.json", '[{"model_name": "BERT"}]', '[{"model_name": "BERT",]', "broken JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("fmt", "path", "good", "bad", "message"), MALFORMED)
def test_a_malformed_table_is_reported_and_what_was_stored_stays(
    kb, tmp_path, fmt, path, good, bad, message
):
    file = tmp_path / path
    file.parent.mkdir(exist_ok=True)
    file.write_text(good)
    spec = {"location": str(file if fmt != "yaml" else file.parent), "format": fmt}
    spec |= {
        "csv": {"name_column": "Model", "columns": {"Organization": "lab"}},
        "yaml": {"name_column": "name", "columns": {"size": "params"}},
        "json": {"name_column": "model_name", "columns": {"model_name2": "lab"}},
    }[fmt]
    if fmt == "json":
        spec["columns"] = {"date": "date"}
    kb.write(MODELS, tables={"t": spec})
    assert not kb.fetch().failed
    stored = kb.documents("t")
    matched = kb.rows("select * from table_rows where source = 't' order by row")
    file.write_text(bad)
    report = kb.fetch()
    assert report.failed
    (failure,) = kb.failures("t")
    assert message in failure["message"]
    assert any(str(file) in text for _, text in report.failures)
    assert "kept what was stored" in failure["message"]
    assert str(tmp_path) not in failure["message"]  # the published log: no local paths
    assert kb.documents("t") == [{**d, "last_checked_at": d["last_checked_at"]} for d in stored]
    assert kb.rows("select * from table_rows where source = 't' order by row") == matched


def test_an_unknown_source_name_lists_the_choices(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[tables.epoch]\nlocation = "e.csv"\n')
    result = CliRunner().invoke(
        cli, ["--sources", str(sources), "--db", str(tmp_path / "kb.db"), "fetch", "epoc"]
    )
    assert result.exit_code == 2
    assert "'epoc': not a source" in result.output
    assert "epoch" in result.output and "tables" in result.output


def test_the_summary_counts_rows_per_table(tmp_path):
    (tmp_path / "notable.csv").write_text(EPOCH_CSV)
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[arxiv]\nenabled = false\n[hf_docs]\nenabled = false\n[pdf]\nenabled = false\n"
        "[catalog]\nenabled = false\n"
        '[tables.epoch]\nlocation = "notable.csv"\nname_column = "Model"\nadds_models = true\n'
        'filter = { Domain = "Language" }\n'
        '[tables.epoch.columns]\n"Organization" = "lab"\n"Link" = "link"\n'
        '[[models]]\nname = "BERT"\narxiv = "1810.04805"\n'
    )
    result = CliRunner().invoke(
        cli, ["--sources", str(sources), "--db", str(tmp_path / "kb.db"), "fetch"]
    )
    assert result.exit_code == 0, result.output
    # the second table of the summary: rows per table
    line = [line for line in result.output.splitlines() if line.strip("│ ").startswith("epoch")][-1]
    assert [int(n) for n in line.replace("│", " ").split()[1:]] == [
        7,
        2,
        4,
        0,
        0,
        1,
    ]  # LLaMA-7B matches the LLaMA that LLaMA-65B added


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            '[tables.t]\nlocation = "t.csv"\nderived_from = ["nope"]\n',
            "derived_from names 'nope', which is not a table",
        ),
        (
            '[tables.t]\nlocation = "t.csv"\nname_column = "M"\n'
            '[tables.t.columns]\nSize = "size"\n',
            "field 'size' is not one of",
        ),
        (
            '[tables.t]\nlocation = "t.csv"\n[tables.t.columns]\nSize = "params"\n',
            "needs 'name_column'",
        ),
        ('[tables.t]\nlocation = "t.csv"\nformat = "xlsx"\n', "format must be one of"),
        ('[tables.t]\nlocation = "t.csv"\ntrust = "high"\n', "trust must be"),
        ('[tables.t]\nformat = "csv"\n', "needs a 'location'"),
        ('[tables.arxiv]\nlocation = "t.csv"\n', "the table name 'arxiv'"),
        ('[tables.t]\nlocation = "t.csv"\nsize = 3\n', "unknown key(s) ['size']"),
    ],
)
def test_a_malformed_table_section_names_the_file_line_and_fix(tmp_path, section, message):
    path = tmp_path / "sources.toml"
    path.write_text("# tables\n\n" + section)
    with pytest.raises(SourcesError) as raised:
        load_config(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)
    if "derived_from" not in message:
        assert f"{path}:3:" in str(raised.value)
