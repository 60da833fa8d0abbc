"""The README is the manual: its two commands are what CI runs, and it documents every
command, option and table."""

from __future__ import annotations

import re
from pathlib import Path

import click
import sqlite_utils

from kbuild.cli import cli
from kbuild.store import TABLES, VIEWS, ensure_schema

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README)


def test_ci_runs_the_readme_install_and_test_commands():
    install, test = readme_commands()[:2]
    ci = (ROOT / ".ci" / "run").read_text()
    assert install in ci
    assert test in ci


def test_every_command_and_option_is_documented():
    for name, command in cli.commands.items():
        assert f"kbuild {name}" in README, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in README for opt in param.opts), f"{name} {param.opts}"


def test_every_table_view_and_column_is_documented():
    db = sqlite_utils.Database(memory=True)
    ensure_schema(db)
    for table in TABLES:
        assert f"`{table}`" in README, table
        for column in db[table].columns_dict:
            assert f"`{column}`" in README, f"{table}.{column}"
    for view in VIEWS:
        assert f"`{view}`" in README, view
