"""The copy of a knowledge base to publish: everything but the paths of the machine
that built it (the ``local_copies`` table), written whole or not at all."""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

PRIVATE_TABLES = ("local_copies",)
# Text columns that hold documents' contents, not provenance: never scanned for paths.
CONTENT_COLUMNS = {("documents", "body"), ("pages", "text")}


def public_copy(db_path: str | Path, out_path: str | Path) -> Path:
    """Copy the database to ``out_path`` without its private tables, compacted so no
    page of them is left in the file (atomically: a failed copy leaves the last one)."""
    return copy_whole(db_path, out_path, vacuum=True)


def copy_whole(db_path: str | Path, out_path: str | Path, vacuum: bool = False) -> Path:
    """Copy the database to ``out_path`` as one transaction sees it (SQLite's backup),
    without its private tables (``vacuum``: and without the pages they held); written
    beside and renamed over, so a reader of the old copy keeps reading it whole and a
    failed copy leaves it be. Raises sqlite3.DatabaseError when the copy is not a
    sound database."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(out_path.parent, os.W_OK):
        # (said of the folder: SQLite would say "unable to open database file")
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out_path.parent))
    partial = out_path.with_name(out_path.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        for table in PRIVATE_TABLES:
            target.execute(f"drop table if exists [{table}]")
        target.commit()
        if vacuum:
            target.execute("vacuum")
        # (a damaged file copies page by page without complaint: look before serving it)
        (verdict,) = target.execute("pragma quick_check(1)").fetchone()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({verdict})")
    except BaseException:
        target.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        target.close()
        source.close()
    os.replace(partial, out_path)
    return out_path


def machine_paths(db: sqlite_utils.Database, roots: Iterable[str | Path]) -> list[str]:
    """Where the database still holds a path under one of ``roots`` (folders of the
    machine that built it): 'table.column: value', private tables left out."""
    needles = sorted({str(Path(r)) for r in roots if str(r) not in ("", "/", ".")}, key=len)
    if not needles:
        return []
    pattern = re.compile("|".join(re.escape(n) for n in needles))
    found = []
    for name in db.table_names():
        if name in PRIVATE_TABLES or "_fts" in name:
            continue
        for column, kind in db[name].columns_dict.items():
            if kind is not str or (name, column) in CONTENT_COLUMNS:
                continue
            for (value,) in db.execute(
                f"select [{column}] from [{name}] where [{column}] like '%/%'"
            ).fetchall():
                if isinstance(value, str) and pattern.search(value):
                    found.append(f"{name}.{column}: {value[:120]}")
    return found
