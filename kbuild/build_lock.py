"""A database's build lock: every kbuild command that opens the database to write holds
it shared for as long as it runs; `kbuild serve` takes it exclusively for the second it
copies the database, so the site only ever shows a knowledge base no command is halfway
through. It is a ``flock`` on ``kb.db.lock`` beside the database (the kernel lets go of
it when a process dies, even by ``kill -9``)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def lock_path(db_path: str | Path) -> Path:
    """The lock file of a database: ``kb.db.lock`` beside ``kb.db``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def hold_shared(db_path: str | Path) -> IO | None:
    """Take the lock shared (waiting while a copy is taken); it is held until the returned
    file is closed or dropped. None when the lock file cannot be made (a read-only
    folder: then nothing can write the database either)."""
    try:
        handle = open(lock_path(db_path), "a")  # noqa: SIM115 (held for the run)
    except OSError:
        return None
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


@contextmanager
def exclusive(db_path: str | Path) -> Iterator[bool]:
    """Hold the lock exclusively if no command is writing the database; yields whether
    it is held (False: a build is running, try later). Never waits."""
    try:
        handle = open(lock_path(db_path), "a")  # noqa: SIM115
    except OSError:
        # No lock file and none can be made: no kbuild can be writing here.
        yield Path(db_path).is_file()
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
