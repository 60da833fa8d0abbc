"""What a command loads before it works: nothing it does not use (a re-run that finds
nothing changed is mostly start-up)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def loaded(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def command_loads(args: list[str]) -> set[str]:
    """Every module (full name) a fresh interpreter has loaded when `kbuild ARGS` ends."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(' '.join(sys.modules)))\n"
        "from kbuild.cli import cli\n"
        "cli()"
    )
    run = [sys.executable, "-c", code, *args]
    return set(subprocess.run(run, capture_output=True, text=True, check=True).stdout.split())


def test_the_help_loads_neither_the_database_library_nor_the_parsers():
    modules = loaded("from kbuild.cli import cli")
    assert not modules & {"sqlite_utils", "pymupdf", "arxiv", "lxml", "bs4", "numpy"}


@pytest.mark.parametrize(
    "module", ["kbuild.fetch.runner", "kbuild.extract.runner", "kbuild.check.runner"]
)
def test_fetch_extract_and_check_load_no_http_client_html_parser_or_numpy(module):
    modules = loaded(f"import {module}")
    assert "sqlite_utils" in modules
    assert not modules & {"requests", "tenacity", "bs4", "numpy", "pymupdf"}, module


def test_numpy_still_loads_for_whoever_asks_for_it():
    modules = loaded("import kbuild.store\nimport numpy\nassert numpy.zeros(2).sum() == 0")
    assert "numpy" in modules


def test_a_quiet_fetch_that_finds_nothing_changed_loads_no_printer_or_parser(kb, tmp_path):
    from .table_fixtures import MISTRAL_YAML
    from .test_fetch_tables import ecosystem_table

    docs = tmp_path / "model_doc"
    docs.mkdir()
    (docs / "bert.md").write_text("# BERT\n\nA note written for this test.\n", encoding="utf-8")
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "mistral.yaml").write_text(MISTRAL_YAML, encoding="utf-8")
    kb.write(
        [{"name": "BERT", "arxiv": "1810.04805", "hf_doc": "bert"}],
        hf_docs={"location": str(docs)},
        tables={"eco": ecosystem_table(str(assets))},
    )
    args = ["--sources", str(kb.sources), "--db", str(kb.db_path), "fetch", "-q"]
    assert "yaml" in command_loads(args)  # the first run parsed the table
    again = command_loads(args)
    assert "sqlite_utils" in again
    unused = {"rich", "yaml", "tarfile", "zipfile", "email.utils", "importlib.metadata"}
    unused |= {"requests", "tenacity", "bs4", "pymupdf", "numpy"}
    assert not again & unused, sorted(again & unused)


def test_a_quiet_extract_that_finds_nothing_changed_loads_no_extractor(tmp_path):
    from .extract_fixtures import small_kb

    small_kb(tmp_path / "kb.db").db.close()
    args = ["--db", str(tmp_path / "kb.db"), "extract", "-q"]
    assert {"kbuild.extract.statements", "kbuild.cards", "yaml"} <= command_loads(args)
    again = command_loads(args)
    unused = {"kbuild.extract.statements", "kbuild.extract.facts", "kbuild.extract.hf_docs"}
    unused |= {"kbuild.extract.pdf", "kbuild.cards", "kbuild.lineage", "rich", "yaml", "pymupdf"}
    assert not again & unused, sorted(again & unused)
