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
