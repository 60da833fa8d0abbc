"""Kill `fetch` or `extract` with SIGKILL just before their n-th write statement, then
re-run them plainly, and compare the database with one built without interruption.

A forked child runs the step with a SQLite trace callback that counts the statements
that write (INSERT, UPDATE, DELETE, COMMIT, ...) and kills the process at the chosen
one: inside a transaction, between two transactions, before a PDF's pages, between a
document's old facts and its new ones. Used by tests/test_crash_safety.py and
benchmarks/crash_safety.py."""

from __future__ import annotations

import os
import re
import shutil
import signal
from pathlib import Path

import sqlite_utils

from kbuild import config
from kbuild.extract import runner as extract_runner
from kbuild.fetch import runner as fetch_runner
from kbuild.store import open_db

WRITE = re.compile(
    r"^\s*(insert|update|delete|replace|commit|begin|savepoint|release|create|drop)\b", re.I
)
# Columns that differ between two runs by design: clocks, and the fetch log.
VOLATILE = {
    "documents": {"fetched_at", "last_checked_at"},
    "extractions": {"extracted_at"},
    "derived": {"built_at"},
    "sources": {"updated_at"},
}
SKIPPED_TABLES = {"fetch_events"}


def run_step(step: str, sources: Path, db_path: Path, trace=None) -> None:
    """Run ``fetch`` or ``extract`` in this process, with an optional trace callback."""
    db = open_db(db_path)
    if trace:
        db.conn.set_trace_callback(trace)
    if step == "fetch":
        fetch_runner.run(config.load(sources), db, quiet=True, backoff=0.01)
    else:
        extract_runner.run(db)
    db.conn.set_trace_callback(None)
    db.close()


def count_writes(step: str, sources: Path, db_path: Path) -> tuple[int, list[str]]:
    """How many write statements the step makes on this database, and each one's SQL."""
    seen: list[str] = []
    run_step(step, sources, db_path, lambda sql: seen.append(sql) if WRITE.match(sql) else None)
    return len(seen), seen


def kill_at(step: str, sources: Path, db_path: Path, n: int) -> int:
    """Run the step in a child killed (SIGKILL) just before its n-th write; returns the
    signal that ended the child (0 when the step finished first)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        count = 0

        def trace(sql: str) -> None:
            nonlocal count
            if WRITE.match(sql):
                count += 1
                if count == n:
                    os.kill(os.getpid(), signal.SIGKILL)

        try:
            run_step(step, sources, db_path, trace)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the columns that differ by design."""
    db = sqlite_utils.Database(db_path)
    found = {}
    for table in db.table_names():
        if table in SKIPPED_TABLES or "_fts" in table:
            continue
        columns = [c for c in db[table].columns_dict if c not in VOLATILE.get(table, ())]
        quoted = ", ".join(f"[{c}]" for c in columns)
        rows = db.execute(f"select {quoted} from [{table}]").fetchall()
        found[table] = sorted(rows, key=repr)
    db.close()
    return found


def integrity(db_path: Path) -> str:
    db = sqlite_utils.Database(db_path)
    try:
        return db.execute("pragma integrity_check").fetchone()[0]
    finally:
        db.close()


def crash_points(total: int, count: int) -> list[int]:
    """``count`` write numbers spread over 1..total."""
    if total <= count:
        return list(range(1, total + 1))
    return sorted({1 + round(i * (total - 1) / (count - 1)) for i in range(count)})


def first_write(statements: list[str], pattern: str) -> int | None:
    """The number (from 1) of the first write whose SQL matches ``pattern``."""
    regex = re.compile(pattern, re.I | re.S)
    return next((i for i, sql in enumerate(statements, 1) if regex.search(sql)), None)


def trial(
    step: str, n: int, sources: Path, work: Path, start: Path | None, reference: dict
) -> dict:
    """Kill the step at write n on a copy of ``start`` (or an empty database), re-run
    plainly, and compare with ``reference``."""
    db_path = work / f"{step}-{n}.db"
    db_path.unlink(missing_ok=True)
    if start is not None:
        shutil.copy(start, db_path)
    killed = kill_at(step, sources, db_path, n)
    if step == "fetch":
        run_step("fetch", sources, db_path)
    run_step("extract", sources, db_path)
    result = {
        "step": step,
        "write": n,
        "killed": killed == signal.SIGKILL,
        "integrity": integrity(db_path),
        "equal": snapshot(db_path) == reference,
    }
    db_path.unlink(missing_ok=True)
    return result
