"""Serving while the knowledge base is rebuilt.

`kbuild serve` does not serve the database the commands write: it serves a copy without
the paths of this machine (the ``local_copies`` table; with ``--public`` compacted too, to
publish) as immutable, which is fast and never changes under a reader. Once a second,
while requests come, the site looks at the database: when it changed and no kbuild
command holds its build lock (no fetch, extract or check is halfway through), it copies
it again, into a file of its own (linked as ``kb.db`` too); then new requests read the
new copy and the pages' cached names and charts are read again. A request in flight
finishes on the copy it began with (kept until the next copy). A copy that fails (a damaged
database, a full disk) leaves the last good one served and says why in one line.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from datasette.database import Database

from kbuild import build_lock
from kbuild.publish.public import copy_whole

POLL_SECONDS = 1.0
# How `kbuild serve` tells the Datasette it becomes (it execs) what to watch.
SOURCE_ENV = "KBUILD_SERVE_SOURCE"
PUBLIC_ENV = "KBUILD_SERVE_PUBLIC"
STAMP_ENV = "KBUILD_SERVE_STAMP"
COPY_ENV = "KBUILD_SERVE_COPY"


def stamp(path: str | Path) -> str | None:
    """What changes when a database is written: its inode, size and modification time."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return f"{found.st_ino}:{found.st_size}:{found.st_mtime_ns}"


def copy_when_quiet(source: str | Path, folder: Path, public: bool) -> tuple[str, Path] | None:
    """Copy ``source`` into ``folder`` if no command is writing it: into a file of its
    own (``.kb.db.<pid>.<ns>``, served), linked as ``kb.db`` too (the copy to publish);
    returns the stamp of what was copied and the file, None while a build runs. Raises
    sqlite3.Error or OSError when the copy fails (nothing served is touched)."""
    source, folder = Path(source), Path(folder)
    with build_lock.exclusive(source) as quiet:
        if not quiet:
            return None
        copied = stamp(source)
        # (named by process and time: `kbuild serve` execs the server in the same process)
        own = folder / f".{source.name}.{os.getpid()}.{time.time_ns()}"
        copy_whole(source, own, vacuum=public)
        named = folder / source.name
        linking = named.with_name(named.name + ".link")
        linking.unlink(missing_ok=True)
        try:
            os.link(own, linking)
        except OSError:  # (a file system without hard links: a second copy)
            shutil.copyfile(own, linking)
        os.replace(linking, named)
        return copied, own


def clear_old_copies(folder: Path, name: str) -> None:
    """Remove the copies earlier servers left (their process is gone)."""
    for found in folder.glob(f".{name}.*.*"):
        try:
            pid = int(found.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)
        except ProcessLookupError:
            found.unlink(missing_ok=True)
        except (ValueError, PermissionError):
            continue


_threads = threading.local()


class LiveDatabase(Database):
    """An immutable database whose file may be renamed over by a newer copy: each SQL
    thread keeps one connection and opens a new one when a newer LiveDatabase serves
    the name (Datasette's own keeps its first connection for ever)."""

    async def execute_fn(self, fn):
        if self.ds.executor is None:
            return await super().execute_fn(fn)

        def in_thread():
            held = getattr(_threads, "held", None)
            if held is None:
                held = _threads.held = {}
            owner, conn = held.get(self.name, (None, None))
            if owner is not self:
                if conn is not None:
                    conn.close()
                    owner._all_file_connections.remove(conn)
                conn = self.connect()
                self.ds._prepare_connection(conn, self.name)
                held[self.name] = (self, conn)
            return fn(conn)

        return await asyncio.get_running_loop().run_in_executor(self.ds.executor, in_thread)


@dataclass
class Watcher:
    """Keeps the served copy of ``source`` up to date (see the module's docstring)."""

    datasette: object
    name: str
    source: Path
    public: bool
    last: str | None
    copies: list[Path] = field(default_factory=list)  # served, the newest last
    said: set = field(default_factory=set)
    task: asyncio.Task | None = None

    @property
    def folder(self) -> Path:
        return Path(self.datasette.databases[self.name].path).parent

    def start(self) -> None:
        """Watch from the server's own event loop (called on each request; starts once)."""
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.refresh()
            except Exception as err:  # noqa: BLE001 - the site goes on with the copy it has
                self._say(f"failed:{err}", f"could not serve the new copy ({err}); still "
                          "serving the last one")  # fmt: skip

    async def refresh(self) -> bool:
        """Copy and serve the database again if it changed and is quiet; whether it did."""
        now = stamp(self.source)
        if now is None or now == self.last:
            if now is None:
                self._say("gone", f"{self.source} is gone; serving the last copy of it")
            return False
        loop = asyncio.get_running_loop()
        try:
            copied = await loop.run_in_executor(
                None, copy_when_quiet, self.source, self.folder, self.public
            )
        except sqlite3.Error as err:
            from kbuild.store import database_error

            self._say(now, f"{database_error(self.source, err)}; still serving the last copy")
            return False
        except OSError as err:
            self._say(now, f"cannot write a copy into {self.folder} ({err.strerror or err}); "
                      "still serving the last copy")  # fmt: skip
            return False
        if copied is None:
            self._say("writing", f"{self.source} is being written (a kbuild command runs); "
                      "serving the last complete copy until it is done")  # fmt: skip
            return False
        self.last, own = copied
        await self._serve_new_copy(own)
        self.said.clear()
        _log(f"{self.source} changed: now serving the new copy")
        return True

    async def _serve_new_copy(self, own: Path) -> None:
        from kbuild.publish.site import pages

        old = self.datasette.databases[self.name]
        new = LiveDatabase(self.datasette, path=str(own), is_mutable=False)
        new.name, new.route = old.name, old.route
        await new.table_counts(limit=60 * 60 * 1000)
        databases = dict(self.datasette.databases)
        databases[self.name] = new
        self.datasette.databases = databases  # (a new dict: requests in flight keep theirs)
        self.datasette._kbuild = await pages.Site.load(self.datasette)
        # A request in flight reads the copy it began with (its own file, which a thread
        # may open again): the one before is kept, older ones go.
        self.copies.append(own)
        for gone in self.copies[:-2]:
            gone.unlink(missing_ok=True)
        del self.copies[:-2]

    def _say(self, key: str, message: str) -> None:
        if key not in self.said:
            self.said.add(key)
            _log(message)


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} kbuild serve: {message}", file=sys.stderr, flush=True)


def attach(datasette) -> Watcher | None:
    """Start keeping the served copy current when `kbuild serve` asked for it (through
    the environment it execs Datasette with); None otherwise."""
    source = os.environ.get(SOURCE_ENV)
    if not source:
        return None
    own = os.environ.get(COPY_ENV)
    for name, db in datasette.databases.items():
        if db.path and not db.is_mutable:
            live = LiveDatabase(datasette, path=own or db.path, is_mutable=False)
            live.name, live.route = db.name, db.route
            databases = dict(datasette.databases)
            databases[name] = live
            datasette.databases = databases
            db.close()
            return Watcher(
                datasette,
                name,
                Path(source),
                public=os.environ.get(PUBLIC_ENV) == "1",
                last=os.environ.get(STAMP_ENV) or None,
                copies=[Path(own)] if own else [],
            )
    return None
