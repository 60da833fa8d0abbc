"""The ``kbuild`` command line: thin wrappers over the library."""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING

import click

from kbuild import __version__
from kbuild import config as config_module
from kbuild.fields import CARD_FIELDS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

# rich is loaded by what prints: a quiet fetch with nothing to report never needs it

DEFAULT_SOURCES = "sources.toml"
DEFAULT_DB = "db/kb.db"


SOURCES_HELP = f"The sources file [env KBUILD_SOURCES; default ./{DEFAULT_SOURCES}]"
DB_HELP = f"The SQLite database [env KBUILD_DB; default ./{DEFAULT_DB}]"


def _path_options(command):
    command = click.option(
        "--db", "db_path", type=click.Path(dir_okay=False), envvar="KBUILD_DB", help=DB_HELP
    )(command)
    return click.option(
        "--sources",
        "sources_path",
        type=click.Path(dir_okay=False),
        envvar="KBUILD_SOURCES",
        help=SOURCES_HELP,
    )(command)


def common_options(command):
    """--sources and --db, accepted on the group and on every command; the command's own
    value wins, then the group's, then the default."""

    @_path_options
    @functools.wraps(command)
    def wrapper(*args, sources_path=None, db_path=None, **kwargs):
        parent = click.get_current_context().find_object(dict) or {}
        obj = {
            "sources_path": sources_path or parent.get("sources_path") or DEFAULT_SOURCES,
            "db_path": db_path or parent.get("db_path") or DEFAULT_DB,
        }
        return command(obj, *args, **kwargs)

    return wrapper


class KbuildGroup(click.Group):
    """Turns a database that is not SQLite, read-only, locked or on a full disk, and a
    file that cannot be written (a full disk, a folder without permission), into a
    one-line error instead of a traceback."""

    def invoke(self, ctx: click.Context):
        import sqlite3

        from kbuild.store import database_error

        try:
            return super().invoke(ctx)
        except sqlite3.Error as err:
            path = (ctx.obj or {}).get("db_path") or DEFAULT_DB
            raise click.ClickException(database_error(path, err)) from None
        except OSError as err:
            if err.filename is None:
                raise
            raise click.ClickException(file_error(err)) from None


def file_error(err: OSError) -> str:
    """A file the command could not read or write, in one line: which and why."""
    import errno

    name = str(err.filename).removesuffix(".partial")  # (named as the file it becomes)
    if err.errno == errno.ENOSPC:
        return f"the disk is full writing {name}; nothing half-written was kept"
    return f"cannot use {name}: {err.strerror or err}"


@click.group(cls=KbuildGroup)
@click.version_option(__version__, prog_name="kbuild")
@_path_options
@click.pass_context
def cli(ctx: click.Context, sources_path: str | None, db_path: str | None) -> None:
    """Build a knowledge base about language models in which every value says where
    it came from.

    \b
    Typical use:
      kbuild fetch && kbuild extract      # sources.toml -> db/kb.db
      kbuild --sources corpus.sources.toml fetch   # offline, from ../shared/corpus
    """
    ctx.ensure_object(dict)
    ctx.obj.update(sources_path=sources_path, db_path=db_path)


def open_existing_db(path: str):
    """The database, which must exist: a mistyped --db must not leave an empty one behind."""
    from pathlib import Path

    if not Path(path).is_file():
        raise click.ClickException(
            f"{path} does not exist: build it with `kbuild fetch` and `kbuild extract`"
        )
    return open_db(path)


def _is_terminal() -> bool:
    """Whether stderr is a terminal (a progress bar shows only there)."""
    import sys

    return sys.stderr.isatty()


def open_db(path: str):
    """The database (created when missing). sqlite-utils is imported here, not at start:
    it brings numpy, which `kbuild --help` has no use for."""
    from kbuild.store import open_db as open_store

    return open_store(path)


def load_config(path: str) -> config_module.Config:
    """The sources file, or a one-line error naming the file, the entry and the fix."""
    try:
        return config_module.load(path)
    except config_module.SourcesError as err:
        raise click.ClickException(str(err)) from None


@cli.command()
@common_options
@click.argument("only", nargs=-1)
@click.option(
    "--refresh",
    is_flag=True,
    help="Fetch again even when the server says unchanged, and read every local file again "
    "(normally one whose size and modification time did not change is skipped).",
)
@click.option(
    "--pdf",
    "fetch_pdf",
    is_flag=True,
    help="Also download remote PDFs (large); local PDF folders are always read.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress bar, per-item messages or summary tables."
)
def fetch(obj: dict, only: tuple[str, ...], refresh: bool, fetch_pdf: bool, quiet: bool) -> None:
    """Fetch the sources (all, or ONLY those named) into the database.

    ONLY names sources: arxiv, hf_docs, repos (official GitHub repositories), pdf, hub
    (the Hugging Face Hub), a table of the sources file (catalog, epoch_notable, ...) or
    `tables` for every table. Tables are read first, since their rows add models; the
    rows of all stored tables, then the pages of the model-doc index, are matched to
    models again when a table, the doc pages, the sources file or kbuild's matching
    changed. Set GITHUB_TOKEN to lift GitHub's limit of 60 requests an hour.

    Documents are stored with their provenance and never overwritten: content seen
    before only updates last_checked_at, changed content adds a new row, and a table
    that does not read as one is reported and not stored. A local file whose size and
    modification time are unchanged is not read again. Exits with status 1 when
    anything failed; everything fetched before the failure is kept.
    """
    from kbuild.fetch import runner

    config = load_config(obj["sources_path"])
    known = runner.selectable(config)
    unknown = [name for name in only if name not in known]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(map(repr, unknown))}: not a source of {obj['sources_path']}; "
            f"choose from {', '.join(known)}",
            param_hint="ONLY",
        )
    db = open_db(obj["db_path"])
    report = runner.run(config, db, only=only, refresh=refresh, pdf=fetch_pdf, quiet=quiet)
    if quiet and not report.failed:
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    if not quiet:
        table = Table(title=f"kbuild fetch → {obj['db_path']}")
        for column in ("source", "fetched", "unchanged", "failed", "skipped"):
            table.add_column(column, justify="left" if column == "source" else "right")
        for row in report.summary_rows():
            table.add_row(*(str(v) for v in row))
        console.print(table)
        if report.tables:
            console.print(_table_summary(report.tables, report.tables_matched_now))
            _print_ambiguous(console, db)
    if report.failed:
        if quiet:
            for source, message in report.failures:
                console.print(f"{source}: {message}", highlight=False, markup=False)
        raise SystemExit(1)


def _table_summary(counts: dict[str, dict[str, int]], matched_now: bool = True) -> Table:
    """Rows per table: read, matched to a model, models added, ambiguous, unmatched,
    skipped by the table's filter."""
    from rich.table import Table

    table = Table(
        title="table rows → models"
        + ("" if matched_now else " (as matched before: nothing matching reads changed)"),
        caption="added: new models · filtered: skipped by the table's filter · "
        "each row: select * from table_rows",
    )
    columns = {
        "rows": "read",
        "matched": "matched",
        "added": "added",
        "ambiguous": "ambiguous",
        "unmatched": "unmatched",
        "filtered": "filtered",
    }
    table.add_column("table", no_wrap=True)
    for title in columns.values():
        table.add_column(title, justify="right")
    for name, found in counts.items():
        table.add_row(name, *(str(found.get(key, 0)) for key in columns))
    return table


def _print_ambiguous(console: Console, db, limit: int = 10) -> None:
    """The ambiguous rows, which kbuild did not guess: what a user may want to settle
    with an alias in sources.toml."""
    rows = list(
        db.query(
            "select t.source, t.row, t.name, t.note, d.item from table_rows t "
            "join documents d on d.id = t.document_id where t.status = 'ambiguous' "
            "order by t.source, d.item, t.row"
        )
    )
    if not rows:
        return
    console.print(f"{len(rows)} ambiguous row(s), not attached to any model:", highlight=False)
    for row in rows[:limit]:
        console.print(
            f"  {row['source']}{' ' + row['item'] if row['item'] else ''} row {row['row']} "
            f"{row['name']!r}: {row['note']}",
            highlight=False,
            markup=False,
        )
    if len(rows) > limit:
        console.print(
            f"  … and {len(rows) - limit} more: select * from table_rows where status = "
            "'ambiguous'",
            highlight=False,
            markup=False,
        )


@cli.command()
@common_options
@click.option("--full", is_flag=True, help="Extract every document again, changed or not.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary table.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes extracting papers, records and doc pages side by side (up to the "
    "machine's cores; tables are read in this one); with --executor processes or dask, "
    "the processes or workers started on this machine (default: one per core).",
)
@click.option(
    "--executor",
    envvar="KBUILD_EXECUTOR",
    metavar="local|processes|dask|dask://HOST:PORT",
    help="Where papers, records, doc pages and PDFs are extracted: this process "
    "(local, the default), --jobs processes (processes; the default with --jobs), a Dask "
    "cluster of --jobs workers started on this machine (dask), or a running Dask "
    "scheduler's workers (dask://HOST:PORT; each needs this kbuild installed). Facts are "
    "written here either way. Also KBUILD_EXECUTOR.",
)
def extract(obj: dict, full: bool, quiet: bool, jobs: int, executor: str | None) -> None:
    """Extract card fields from the stored documents into facts, cards and conflicts.

    Idempotent: the same documents give the same facts with the same ids. Only
    documents that are new, or whose extractor code or tracked models changed, are read
    again; the cards, conflicts and lineage are rebuilt only when something they are
    computed from changed. Stored documents are never modified.
    """
    from kbuild.extract import runner

    db = open_existing_db(obj["db_path"])
    if not db["documents"].count:
        raise click.ClickException(
            f"{obj['db_path']} holds no documents yet: run `kbuild fetch` first"
        )
    if quiet or not _is_terminal():
        report = runner.run(db, full=full, jobs=jobs, executor=executor)
    else:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        # documents planned so far; the cards and lineage are built after the last one
        with Progress(
            "documents", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True),
        ) as bar:  # fmt: skip
            task = bar.add_task("extract", total=db["documents"].count)
            report = runner.run(
                db, full=full, jobs=jobs, executor=executor, progress=lambda: bar.advance(task)
            )
    from kbuild.publish import metadata

    metadata_path = metadata.write(obj["db_path"])
    if quiet and not report.failures and not report.stale_posts:
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    for failure in report.failures:
        console.print(f"[red]failed[/red] {failure}", highlight=False)
    for post in report.stale_posts:
        console.print(
            f"the evidence of some verdicts on {post} changed: run `kbuild check {post}` again",
            highlight=False,
        )
    if not quiet:
        console.print(
            f"{report.extracted} documents extracted, {report.skipped} unchanged, "
            f"{report.facts_written} facts written"
            + (
                f", {report.quotes_rejected} quotes not found at their locator (dropped)"
                if report.quotes_rejected
                else ""
            ),
            highlight=False,
        )
        if report.built:
            console.print(f"built again: {', '.join(report.built)}", highlight=False)
        if report.suspect:
            console.print(
                f"{report.suspect} table facts are suspect (pasted or shifted cells): "
                "see the table_anomalies view",
                highlight=False,
            )
        console.print(f"Datasette metadata: {metadata_path}", highlight=False)
        table = Table(title=f"kbuild extract → {obj['db_path']}")
        for column in ("field", "models with a value", "conflicts"):
            table.add_column(column, justify="left" if column == "field" else "right")
        for row in runner.coverage(db):
            table.add_row(row["field"], f"{row['models']} / {row['of']}", str(row["conflicts"]))
        console.print(table)
    if report.failures:
        raise SystemExit(1)


VERDICT_STYLES = {
    "supported": "green",
    "partially_supported": "yellow",
    "unverified": "blue",
    "contradicted": "red",
    "malformed": "magenta",
    "not_checkable": "dim",
    "no_evidence": "cyan",
    "unknown_model": "cyan",
}
# Short words for the grid, so eleven fields fit an 80-column terminal.
VERDICT_SHORT = {
    "supported": "ok",
    "partially_supported": "part",
    "unverified": "unver",
    "contradicted": "WRONG",
    "malformed": "bad",
    "not_checkable": "n/c",
    "no_evidence": "none",
    "unknown_model": "?",
}
FIELD_SHORT = {
    "architecture": "arch",
    "extension": "ext",
    "application": "app",
    "license": "lic",
    "arxiv_id": "arxiv",
    "family": "fam",
    "params": "size",
    "corpus": "data",
}


@cli.command()
@common_options
@click.argument("post", metavar="POST|URL", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A coloured table for people, JSON for machines.",
)
@click.option(
    "--only",
    type=click.Choice(["cards", "prose"]),
    help="Check only the card blocks, or only the prose (default: both).",
)
def check(obj: dict, post: str, output: str, only: str | None) -> None:
    """Fact-check POST — a markdown file, a saved HTML page, a .txt file or an http(s)
    URL — against the knowledge base.

    Every card block (Key: value lines under a model's heading, fenced or not, plain or
    as bullets), every sentence and every row of the post's own tables that gives a model
    a size, date, lab, architecture, licence, corpus, objective or base model is a claim;
    each gets a verdict — supported, partially_supported, unverified (no independent
    source settles it; one secondary table never contradicts), contradicted (a primary
    source or two independent witnesses say otherwise), malformed, not_checkable,
    no_evidence or unknown_model (a model the knowledge base lacks: listed, not judged) —
    with the evidence. Claims and verdicts are stored in the database; the post is never
    modified. Exits 0 when the post was checked, whatever the verdicts; 1 when it could
    not be read.
    """
    import json as json_module

    from kbuild.check.document import PostError
    from kbuild.check.runner import MAX_CLAIMS
    from kbuild.check.runner import check as check_post

    db = open_existing_db(obj["db_path"])
    if not db["facts"].count:
        raise click.ClickException(
            f"{obj['db_path']} has no facts: run `kbuild fetch` and `kbuild extract` first"
        )
    try:
        results = check_post(db, post, only=only)
    except PostError as err:
        raise click.ClickException(str(err)) from None
    if getattr(results, "cut", False):
        click.echo(
            f"{post} makes more than {MAX_CLAIMS:,} claims (no post does: a table dump?); "
            f"the first {MAX_CLAIMS:,} were checked, the rest not read",
            err=True,
        )
    if output == "json":
        # a claim at a time: the whole list as one string was a copy of every quote and
        # explanation (87 MB for a 5 MB post)
        click.echo("[", nl=False)
        for i, result in enumerate(results):
            item = json_module.dumps(_checked_json(result), indent=2, ensure_ascii=False)
            # (json.dumps of the list, byte for byte: an item indented by two spaces;
            # a string holds no raw line break)
            click.echo(("," if i else "") + "\n  " + item.replace("\n", "\n  "), nl=False)
        click.echo("\n]" if results else "]")
        return
    from rich.console import Console

    print_report(Console(), post, results)


def print_report(console: Console, post: str, results: list) -> None:
    """A model × field grid of the cards and one of the prose, coloured by verdict, then
    the evidence for every claim that is not supported."""
    from rich.markup import escape

    if not results:
        console.print(f"No model cards or claims about models found in {escape(post)}.")
        return
    cards = [r for r in results if r.claim.get("kind", "card") == "card"]
    prose = [r for r in results if r.claim.get("kind") == "prose"]
    grids = ([_card_grid(post, cards)] if cards else []) + (
        [_prose_grid(post, prose)] if prose else []
    )
    console.print("\n".join(grids), highlight=False, soft_wrap=True, emoji=False)
    # one print for all the findings: rich's per-call cost adds up over a long post
    lines: list[str] = []
    say = lines.append
    unknown = [r for r in results if r.verdict.verdict == "unknown_model"]
    findings = [r for r in results if r.verdict.verdict not in ("supported", "unknown_model")]
    if findings:
        say("\n[bold]Claims not supported, with the evidence[/bold]")
    for r in findings:
        claim = r.claim
        style = VERDICT_STYLES[r.verdict.verdict]
        where = f"line {claim['line']}"
        if claim.get("kind") == "prose" and claim.get("span"):
            where += f":{json.loads(claim['span'])[0] + 1}"
        hidden = claim.get("unpublished")
        say(
            f"\n{where} · {escape(str(claim['model']))} · {claim['field']}: "
            f"{escape(repr(_short(claim['text'], 120)))} → [{style}]{r.verdict.verdict}[/{style}]"
            + (f" [dim](unpublished: {hidden})[/dim]" if hidden else "")
        )
        if claim.get("kind") == "prose":
            say(f"  “{escape(_around(claim['sentence'], claim['text']))}”")
        say(f"  {escape(r.verdict.explanation)}")
        fact = r.verdict.fact
        if fact:
            say(f'  evidence: "{escape(_short(fact["quote"]))}"')
            source = f"{fact['source']}, {fact['url']}, at {fact['locator']}"
            say(f"  source: {escape(source)}")
    if unknown:
        by_model: dict[str, list] = {}
        spelled: dict[str, str] = {}  # "X-GEN" and "X-Gen" are one unknown model
        for r in unknown:
            name = str(r.claim["model"])
            name = spelled.setdefault(re.sub(r"[^a-z0-9.]", "", name.lower()), name)
            by_model.setdefault(name, []).append(r)
        say(
            "\n[bold]Models the knowledge base does not know[/bold] "
            "[dim](their claims are listed, not judged)[/dim]"
        )
        for name, group in by_model.items():
            lines_ = ", ".join(str(n) for n in sorted({r.claim["line"] for r in group}))
            fields_ = ", ".join(dict.fromkeys(
                f"{r.claim['field']} {_short(r.claim['text'], 30)!r}" for r in group
            ))  # fmt: skip
            hint = group[0].verdict.explanation.partition("; closest known: ")[2]
            say(
                f"  {escape(name)} (line {lines_}): {escape(fields_)}"
                + (f" [dim]— closest known: {escape(hint)}[/dim]" if hint else "")
            )
    for kind, group in (("card", cards), ("prose", prose)):
        if group:
            counts: dict[str, int] = {}
            for r in group:
                counts[r.verdict.verdict] = counts.get(r.verdict.verdict, 0) + 1
            say(f"\n{kind} claims: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    console.print("\n".join(lines), highlight=False, soft_wrap=True, emoji=False)


def _grid(title: str, label: str, fields: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """A model × field grid as aligned text (one print, however many models): ``rows``
    hold a label and, per field, markup that shows at most five characters."""
    from rich.markup import escape
    from rich.text import Text

    width = max([len(label)] + [len(name) for name, _ in rows]) + 2
    head = label.ljust(width) + "".join(FIELD_SHORT.get(f, f).ljust(6) for f in fields)
    lines = [f"[bold]{escape(title)}[/bold]", "", f"[bold]{head.rstrip()}[/bold]"]
    for name, cells in rows:
        padded = "".join(cell + " " * (6 - len(Text.from_markup(cell).plain)) for cell in cells)
        lines.append(escape(name).ljust(width + len(escape(name)) - len(name)) + padded)
    return "\n".join(lines)


def _card_grid(post: str, results: list) -> str:
    fields = [f for f in CARD_FIELDS if any(r.claim["field"] == f for r in results)]
    first_line: dict[str, int] = {}
    for r in results:
        first_line.setdefault(r.claim["model"] or "?", r.claim["line"])
    verdicts: dict[tuple, dict] = {}
    for r in results:
        key = (r.claim["model"] or "?", first_line[r.claim["model"] or "?"])
        verdicts.setdefault(key, {})[r.claim["field"]] = r.verdict.verdict
    rows = []
    for (model, line), found in verdicts.items():
        cells = []
        for field in fields:
            verdict = found.get(field)
            style = VERDICT_STYLES.get(verdict, "")
            cells.append(f"[{style}]{VERDICT_SHORT[verdict]}[/{style}]" if verdict else "")
        rows.append((f"{model} ({line})", cells))
    caption = (
        "ok supported · part partially supported · unver only the card's origin says so · "
        "WRONG contradicted · bad malformed · n/c not checkable · none no evidence · "
        "? unknown model"
    )
    return _grid(f"kbuild check {post}: cards", "model (line)", fields, rows) + f"\n{caption}\n"


# worst first: the colour of a prose cell is its worst verdict
SEVERITY = ("contradicted", "malformed", "partially_supported", "unverified", "no_evidence",
            "unknown_model", "not_checkable", "supported")  # fmt: skip


def _prose_grid(post: str, results: list) -> str:
    """Prose claims per model and field: supported/claims, coloured by the worst."""
    fields = [f for f in CARD_FIELDS if any(r.claim["field"] == f for r in results)]
    cells: dict[str, dict[str, list[str]]] = {}
    # one row per model however the post spells it ("Llama 2", "Llama-2"): the first spelling
    spelled: dict[str, str] = {}
    for r in results:
        key = r.claim["model_id"] or r.claim["model"] or "?"
        name = spelled.setdefault(key, r.claim["model"] or "?")
        cells.setdefault(name, {}).setdefault(r.claim["field"], []).append(r.verdict.verdict)
    rows = []
    for name, by_field in sorted(cells.items(), key=lambda item: item[0].lower()):
        row = []
        for field in fields:
            verdicts = by_field.get(field)
            if not verdicts:
                row.append("")
                continue
            if set(verdicts) == {"unknown_model"}:
                row.append("[cyan]?[/cyan]")  # listed, not judged
                continue
            worst = min(verdicts, key=SEVERITY.index)
            style = VERDICT_STYLES[worst]
            row.append(f"[{style}]{verdicts.count('supported')}/{len(verdicts)}[/{style}]")
        rows.append((f"{name} ({sum(len(v) for v in by_field.values())})", row))
    caption = (
        "supported/claims per model and field, coloured by the worst verdict · "
        "? a model the knowledge base does not know"
    )
    return _grid(f"kbuild check {post}: prose", "model (claims)", fields, rows) + f"\n{caption}\n"


def _around(sentence: str, value: str, width: int = 70) -> str:
    """The sentence shortened around the value."""
    at = sentence.find(value)
    if at < 0 or len(sentence) <= 2 * width + len(value):
        return _short(sentence, 2 * width + 40)
    start, end = max(0, at - width), min(len(sentence), at + len(value) + width)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


def _short(text: str, limit: int = 240) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _checked_json(r) -> dict:
    fact = r.verdict.fact
    return {
        **r.claim,
        "verdict": r.verdict.verdict,
        "explanation": r.verdict.explanation,
        "evidence": None
        if fact is None
        else {
            "fact_id": fact["id"],
            "model_id": fact["model_id"],
            "source": fact["source"],
            "url": fact["url"],
            "value": fact["value"],
            "normalized": fact["normalized"],
            "quote": fact["quote"],
            "locator": fact["locator"],
            "document_id": fact["document_id"],
        },
    }


@cli.command()
@common_options
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; 0.0.0.0 makes it reachable from other machines.",
)
@click.option("-p", "--port", default=8001, show_default=True, type=int, help="Port.")
@click.option("--open", "open_browser", is_flag=True, help="Open a browser at the start page.")
@click.option(
    "--public",
    is_flag=True,
    help="Serve a copy without the paths of this machine (the local_copies table left "
    "out), written to public/ next to the database: publish that copy, not the database.",
)
def serve(obj: dict, host: str, port: int, open_browser: bool, public: bool) -> None:
    """Browse the knowledge base in Datasette (read-only, immutable mode).

    The site starts at the home page: search a model, open a checked post's report,
    browse conflicts and charts, then the tables. Uses the metadata `kbuild extract`
    wrote next to the database (metadata.yml); `datasette -i db/kb.db -m
    db/metadata.yml` shows the same (kbuild's pages are a Datasette plugin installed
    with kbuild).

    \b
    It serves a copy (db/served/kb.db; with --public db/public/kb.db, without the
    local paths) and keeps it current: run `kbuild fetch`, `extract` or `check` while
    it serves, and when the command is done the site serves the new knowledge base
    within a second or two, with no restart and no error page in between.
    """
    import os
    import sys
    from pathlib import Path

    from kbuild.publish import live, metadata

    db_path = Path(obj["db_path"]).absolute()
    if not db_path.is_file():
        raise click.ClickException(
            f"{db_path} does not exist: run `kbuild fetch` and `kbuild extract` first"
        )
    folder = db_path.parent / ("public" if public else "served")
    copied = _copy_to_serve(db_path, folder, public)
    served = folder / db_path.name if copied else db_path
    if public:
        metadata_path = metadata.write(served)
        click.echo(f"Public copy (no local paths): {served}", err=True)
    else:
        metadata_path = metadata.usable(db_path)
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(served),
        "-m",
        str(metadata_path),
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in metadata.SETTINGS.items():
        command += [
            "--setting",
            name,
            ("on" if value else "off") if isinstance(value, bool) else str(value),
        ]
    if open_browser:
        command.append("--open")
    if copied:
        stamp, own = copied
        os.environ[live.SOURCE_ENV] = str(db_path)
        os.environ[live.PUBLIC_ENV] = "1" if public else "0"
        os.environ[live.STAMP_ENV] = stamp or ""
        os.environ[live.COPY_ENV] = str(own) if own else ""
        how = "a copy, renewed after each build"
    else:
        how = "its folder is read-only, so nothing rebuilds it: served as it is"
    click.echo(f"Serving {db_path} at http://{host}:{port}/ ({how}; Ctrl+C stops)", err=True)
    # Become Datasette: stopping `kbuild serve` (Ctrl+C, SIGTERM) stops the server too.
    os.execv(sys.executable, command)


def _copy_to_serve(db_path, folder, public: bool) -> tuple[str | None, object] | None:
    """Copy the database into ``folder`` to serve, waiting for a running build unless an
    earlier copy is there to serve meanwhile: (the stamp of what was copied, the copy's
    own file), (None, None) for the earlier copy; None when the database's folder is
    read-only (it is then served as it is: nothing can write it)."""
    import errno
    import os
    import sqlite3
    import time

    from kbuild.publish import live
    from kbuild.store import database_error

    read_only = (errno.EACCES, errno.EPERM, errno.EROFS)
    if not public and not os.access(db_path.parent, os.W_OK):
        return None
    waited = False
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            live.clear_old_copies(folder, db_path.name)
            copied = live.copy_when_quiet(db_path, folder, public)
        except sqlite3.Error as err:
            raise click.ClickException(database_error(db_path, err)) from None
        except OSError as err:
            if err.errno in read_only and not public:
                return None
            raise click.ClickException(
                f"cannot write the copy to serve in {folder}: {err.strerror or err}; "
                "free some space or make the folder writable"
            ) from None
        if copied is not None:
            return copied
        if (folder / db_path.name).is_file():
            click.echo(
                f"{db_path} is being written by a kbuild command: serving the last copy "
                "until it is done",
                err=True,
            )
            return None, None
        if not waited:
            click.echo(f"waiting for the kbuild command writing {db_path} to finish…", err=True)
            waited = True
        time.sleep(live.POLL_SECONDS)


def _db_with_facts(path: str):
    db = open_existing_db(path)
    if not db["facts"].count:
        raise click.ClickException(
            f"{path} has no facts: run `kbuild fetch` and `kbuild extract` first"
        )
    return db


@cli.command()
@common_options
@click.argument("model")
@click.option(
    "--format",
    "output",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Markdown to paste into a post, or JSON with the evidence.",
)
def card(obj: dict, model: str, output: str) -> None:
    """Print MODEL's card, sourced, to paste into a post.

    MODEL is any name, alias, id or arXiv id ("BERT", "OpenAI GPT", "Mixtral 8x7B").
    The card is in the catalog's block format; every value is followed by a footnote
    citing its evidence: the source, where in it (page, cell or line), its words and
    its public URL. A field whose sources disagree says so in its footnote and lists
    the other values. A value a table's own audit flags is left out, and said so.
    Checked with `kbuild check`, the card comes out supported wherever a source
    independent of the one it cites states the value.
    """
    from kbuild.publish.card import UnknownModel, as_json, markdown, sourced_card

    db = _db_with_facts(obj["db_path"])
    try:
        found = sourced_card(db, model)
    except UnknownModel as err:
        hint = f"; closest: {', '.join(err.closest)}" if err.closest else ""
        raise click.ClickException(f"no model goes by {model!r}{hint}") from None
    click.echo(as_json(found) if output == "json" else markdown(found), nl=output == "json")


@cli.command()
@common_options
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option(
    "--since",
    default=None,
    type=click.IntRange(1900, 2100),
    help="Leave out models first published before this year too.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Draw out-of-scope models too (by default the model_scope view's in-scope ones: "
    "the sources file's, those a checked post names, and those since [scope] since).",
)
def plot(obj: dict, outdir: str, since: int | None, everything: bool) -> None:
    """Write the knowledge base's pictures into OUTDIR, as PNG and SVG.

    timeline: models per half-year by architecture, the sources file's models named on
    their dates. params: the largest size against date, log scale, coloured by
    architecture (filled: the paper or docs state the size; hollow: only tables).
    lineage: the family tree, an arrow from each model to the ones made from it.
    """
    from pathlib import Path

    from kbuild.publish import charts

    db = _db_with_facts(obj["db_path"])
    found = charts.points(db.query(charts.SQL), since=since, everything=everything)
    edges = list(db.query("select * from lineage"))
    Path(outdir).mkdir(parents=True, exist_ok=True)
    for name in charts.CHARTS:
        for path in charts.save(name, found, outdir, _no_link, edges):
            click.echo(str(path))


def _no_link(model_id: str) -> str:
    # Pictures for a post link nowhere by default: a reader's page has no /model/ route.
    return f"#model-{model_id}"


@cli.command()
@common_options
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option(
    "--site",
    metavar="URL",
    help="The public address of the published knowledge base, for links back to it "
    "from the ClaimReview files.",
)
def export(obj: dict, outdir: str, site: str | None) -> None:
    """Write the knowledge base into OUTDIR for others to read.

    cards.csv/.json (one row per model and field: the value, why, the source, URL,
    locator and quote), cards_wide.csv (one row per model), facts.csv/.json (every
    fact with its document and provenance), lineage.csv/.json (typed edges with
    evidence), and claimreview/<post>-<key>.jsonld: each checked post's verdicts as
    schema.org ClaimReview JSON-LD. CSV cells that a spreadsheet would run as a
    formula are prefixed with an apostrophe.
    """
    from kbuild.publish.export import export as write_export

    db = _db_with_facts(obj["db_path"])
    for path in write_export(db, outdir, site=site):
        click.echo(str(path))
    if not db["claims"].count:
        click.echo("no ClaimReview files: no post checked yet (run `kbuild check POST`)", err=True)
