"""What a fetch run did, per source: counts, failures, and the progress display."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kbuild.store import Store

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

OUTCOMES = ("fetched", "unchanged", "failed", "skipped")


@dataclass
class Report:
    """Counts outcomes per source, logs them to ``fetch_events`` (each one, but the
    local files found unchanged: one line per source) and drives progress."""

    store: Store
    quiet: bool = False
    # made when something is shown: a quiet run never loads rich
    _console: Console | None = None
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # table → row status → count (see kbuild.tables.match.STATUSES)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    tables_matched_now: bool = True  # False: the counts of an earlier run's matching
    _progress: Progress | None = None
    _tasks: dict[str, int] = field(default_factory=dict)

    def record(
        self,
        source: str,
        outcome: str,
        *,
        model_id: str | None = None,
        location: str | None = None,
        document_id: int | None = None,
        message: str | None = None,
    ) -> None:
        """Count one outcome for one artefact and log it."""
        assert outcome in OUTCOMES, outcome
        self.counts[source][outcome] += 1
        self.store.log(
            source,
            outcome,
            model_id=model_id,
            location=location,
            document_id=document_id,
            message=message,
        )
        if outcome == "failed":
            # a failure of a whole source already names its host or file in the message
            whole_source = "could not reach" in str(message) or (location or "") in str(message)
            label = model_id or (None if whole_source else location)
            text = f"{label}: {message}" if label else str(message)
            self.failures.append((source, text))
            self.say(text, prefix=source)
        self.advance(source)

    def unchanged_file(self, source: str) -> None:
        """Count a local file found unchanged; it is logged with the others of its source
        in one line (see :meth:`Store.unchanged_copy_seen`)."""
        self.counts[source]["unchanged"] += 1
        self.store.unchanged_copy_seen(source)
        self.advance(source)

    def note(self, message: str) -> None:
        """A line the user should read even with a progress bar on screen."""
        self.notes.append(message)
        self.say(message)

    def say(self, text: str, prefix: str = "") -> None:
        """Print a line unless --quiet, ``prefix`` (a source) in red."""
        if self.quiet:
            return
        from rich.markup import escape

        # Messages hold "[arxiv] location"-style text: escape it, or rich eats it as markup.
        head = f"[red]{escape(prefix)}[/red] " if prefix else ""
        self.console.print(head + escape(text), highlight=False)

    @property
    def console(self) -> Console:
        """The console on stderr (the progress bars and messages share it)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True)
        return self._console

    @contextmanager
    def progress(self):
        """Show a progress bar per source when stderr is a terminal and not --quiet."""
        if self.quiet or not sys.stderr.isatty():
            yield self
            return
        from rich.progress import (  # here: only a terminal shows it
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        ) as progress:
            self._progress = progress
            try:
                yield self
            finally:
                self._progress = None

    def start(self, source: str, total: int | None) -> None:
        """Add a progress bar for ``source`` with ``total`` steps."""
        if self._progress is not None:
            self._tasks[source] = self._progress.add_task(source, total=total)

    def advance(self, source: str, steps: int = 1) -> None:
        """Move ``source``'s progress bar on."""
        if self._progress is not None and source in self._tasks:
            self._progress.advance(self._tasks[source], steps)

    @property
    def failed(self) -> bool:
        """Whether anything failed."""
        return any(c["failed"] for c in self.counts.values())

    def summary_rows(self) -> list[tuple[str, int, int, int, int]]:
        """(source, fetched, unchanged, failed, skipped) per source."""
        return [(s, *(self.counts[s][o] for o in OUTCOMES)) for s in self.counts]
