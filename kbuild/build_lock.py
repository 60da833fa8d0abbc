"""A database's build lock: every kbuild command that opens the database to write holds
it shared for as long as it runs; `kbuild serve` takes it exclusively for the second it
copies the database, so the site only ever shows a knowledge base no command is halfway
through. It is a ``flock`` on ``kb.db.lock`` beside the database (the kernel lets go of
it when a process dies, even by ``kill -9``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # (not POSIX: no lock, and `kbuild serve` may copy during a build)
    fcntl = None


def lock_path(db_path: str | Path) -> Path:
    """The lock file of a database: ``kb.db.lock`` beside ``kb.db``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def _open(db_path: str | Path) -> int | None:
    """A descriptor of the lock file, made if missing (read-only is enough for flock, so a
    lock file another user made serves everyone who can read it); None without one."""
    path = lock_path(db_path)
    try:
        return os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError:
        try:
            return os.open(path, os.O_RDONLY)
        except OSError:
            return None


class Held:
    """A lock held until closed (or the process ends)."""

    def __init__(self, descriptor: int):
        self.descriptor = descriptor

    def close(self) -> None:
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None

    def __del__(self) -> None:
        self.close()


def hold_shared(db_path: str | Path) -> Held | None:
    """Take the lock shared (waiting while a copy is taken); held until the returned
    object is closed or dropped. None when there is no lock file and none can be made (a
    read-only folder: then nothing can write the database either)."""
    descriptor = _open(db_path) if fcntl else None
    if descriptor is None:
        return None
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    return Held(descriptor)


@contextmanager
def exclusive(db_path: str | Path) -> Iterator[bool]:
    """Hold the lock exclusively if no command is writing the database; yields whether
    it is held (False: a build is running, try later). Never waits."""
    descriptor = _open(db_path) if fcntl else None
    if descriptor is None:
        # No lock file and none can be made: no kbuild can be writing here.
        yield Path(db_path).is_file()
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)  # (closing lets go of the lock)
