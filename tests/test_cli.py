"""The ``kbuild`` command line: where --sources/--db go, environment variables, errors, output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kbuild.cli import cli

from .conftest import REPO

DUMP = [
    {
        "id": "1810.04805",
        "title": "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "authors": "Jacob Devlin, Ming-Wei Chang, Kenton Lee, Kristina Toutanova",
        "categories": "cs.CL",
        "abstract": "An abstract written for the CLI tests.",
        "versions": [{"version": "v1", "created": "Thu, 11 Oct 2018 00:00:00 GMT"}],
        "authors_parsed": [["Devlin", "Jacob", ""], ["Chang", "Ming-Wei", ""]],
    },
]


@pytest.fixture
def local_kb(kb, tmp_path):
    """A sources file whose sources are all local files, so the CLI runs offline."""
    (tmp_path / "papers.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in DUMP), encoding="utf-8"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bert.md").write_text("# BERT\n\nA test page.\n", encoding="utf-8")
    (tmp_path / "catalog.csv").write_text("Name,Date\nBERT,10/2018\n", encoding="utf-8")
    (tmp_path / "pdfs").mkdir()
    kb.write(
        [{"name": "BERT", "arxiv": "1810.04805", "hf_doc": "bert"}],
        arxiv={"location": "papers.jsonl"},
        hf_docs={"location": "docs"},
        catalog={"location": "catalog.csv"},
        pdf={"location": "pdfs"},
    )
    return kb


def sources_count(kb) -> dict[str, int]:
    rows = kb.rows("select source, count(*) n from documents group by source")
    return {r["source"]: r["n"] for r in rows}


EXPECTED = {"arxiv": 1, "hf_doc": 1, "catalog": 1}


def test_options_before_the_command(local_kb):
    result = CliRunner().invoke(
        cli, ["--sources", str(local_kb.sources), "--db", str(local_kb.db_path), "fetch"]
    )
    assert result.exit_code == 0, result.output
    assert sources_count(local_kb) == EXPECTED


def test_options_after_the_command(local_kb):
    result = CliRunner().invoke(
        cli, ["fetch", "--sources", str(local_kb.sources), "--db", str(local_kb.db_path)]
    )
    assert result.exit_code == 0, result.output
    assert sources_count(local_kb) == EXPECTED


def test_environment_variables_name_sources_and_db(local_kb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)
    result = CliRunner().invoke(
        cli,
        ["fetch"],
        env={"KBUILD_SOURCES": str(local_kb.sources), "KBUILD_DB": str(local_kb.db_path)},
    )
    assert result.exit_code == 0, result.output
    assert sources_count(local_kb) == EXPECTED


def test_command_option_wins_over_group_option(local_kb, tmp_path):
    other = tmp_path / "other.db"
    result = CliRunner().invoke(
        cli,
        ["--sources", str(local_kb.sources), "--db", str(other), "fetch", "--db",
         str(local_kb.db_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sources_count(local_kb) == EXPECTED
    assert not other.exists()


def test_defaults_are_read_from_the_working_directory(local_kb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["fetch", "--quiet"], env={"KBUILD_SOURCES": None})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "db" / "kb.db").is_file()


def test_malformed_sources_file_exits_non_zero_with_the_message(kb, tmp_path):
    kb.sources.write_text('[[models]]\nname = "BERT"\narxiv = "arXiv:1810.04805"\n')
    result = CliRunner().invoke(
        cli, ["fetch", "--sources", str(kb.sources), "--db", str(kb.db_path)]
    )
    assert result.exit_code != 0
    assert str(kb.sources) in result.output
    assert "'arXiv:1810.04805' is not an arXiv id" in result.output
    assert "Traceback" not in result.output


def test_missing_sources_file_says_how_to_name_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["fetch"], env={"KBUILD_SOURCES": None})
    assert result.exit_code != 0
    assert "sources file not found" in result.output
    assert "KBUILD_SOURCES" in result.output


def test_fetch_help_lists_the_options():
    result = CliRunner().invoke(cli, ["fetch", "--help"])
    assert result.exit_code == 0
    for option in ("--sources", "--db", "--refresh", "--pdf", "--quiet", "KBUILD_SOURCES"):
        assert option in result.output
    group = CliRunner().invoke(cli, ["--help"])
    assert group.exit_code == 0
    assert "fetch" in group.output and "--sources" in group.output


def test_quiet_prints_nothing_on_success(local_kb):
    args = ["fetch", "--sources", str(local_kb.sources), "--db", str(local_kb.db_path)]
    loud = CliRunner().invoke(cli, args)
    assert loud.exit_code == 0
    assert "fetched" in loud.output and "hf_doc" in loud.output
    quiet = CliRunner().invoke(cli, [*args, "--quiet"])
    assert quiet.exit_code == 0
    assert quiet.output == ""


def test_failure_hint_keeps_its_brackets_with_and_without_quiet(local_kb):
    text = local_kb.sources.read_text()
    local_kb.sources.write_text(
        text.replace('location = "papers.jsonl"', 'location = "http://127.0.0.1:9/api/query"')
    )
    args = ["fetch", "--sources", str(local_kb.sources), "--db", str(local_kb.db_path)]
    for extra in ([], ["--quiet"]):
        result = CliRunner().invoke(cli, [*args, *extra], env={"COLUMNS": "400"})
        assert result.exit_code == 1
        assert "could not reach 127.0.0.1:9" in result.output
        assert "set [arxiv] location in sources.toml to a JSON Lines file" in result.output


def test_only_named_sources_are_fetched(local_kb):
    result = CliRunner().invoke(
        cli,
        ["fetch", "hf_docs", "--sources", str(local_kb.sources), "--db", str(local_kb.db_path)],
    )
    assert result.exit_code == 0, result.output
    assert sources_count(local_kb) == {"hf_doc": 1}


def test_unknown_source_name_is_refused(local_kb):
    result = CliRunner().invoke(cli, ["fetch", "papers", "--sources", str(local_kb.sources)])
    assert result.exit_code == 2
    assert "papers" in result.output


def test_python_dash_m_kbuild_runs_fetch(local_kb):
    done = subprocess.run(
        [sys.executable, "-m", "kbuild", "--sources", str(local_kb.sources), "--db",
         str(local_kb.db_path), "fetch", "--quiet"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert sources_count(local_kb) == EXPECTED


def test_extract_shows_progress_on_a_terminal_and_not_when_quiet(local_kb, monkeypatch):
    args = ["--sources", str(local_kb.sources), "--db", str(local_kb.db_path)]
    assert CliRunner().invoke(cli, [*args, "fetch", "-q"]).exit_code == 0
    documents = local_kb.rows("select count(*) as n from documents")[0]["n"]
    monkeypatch.setattr("kbuild.cli._is_terminal", lambda: True)
    shown = CliRunner().invoke(cli, [*args, "extract"])
    assert shown.exit_code == 0, shown.output
    assert "documents" in shown.output and f"{documents}/{documents}" in shown.output
    quiet = CliRunner().invoke(cli, [*args, "extract", "-q", "--full"])
    assert quiet.exit_code == 0
    assert f"{documents}/{documents}" not in quiet.output
