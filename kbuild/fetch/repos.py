"""Fetch the release documents of models' official repositories: README, model card,
licence files, and the commits that first added the model card and the licences.

Online the location is GitHub's REST API (``https://api.github.com``): the repository's
licence as GitHub identifies it (``/license``), the folder's files (``/contents``), and
``/commits?path=`` for when a file was first added. Offline it is a folder of
``<owner>__<name>/`` copies with a ``_history.tsv`` each (commit, date, path of the first
commit that added each file), the layout of ``../shared/corpus/repos``.

Which repositories: those ``sources.toml`` names (``repo = "owner/name"``), and the
repository a model's doc page gives as its original code when its name is the model's.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

from kbuild.config import name_key
from kbuild.fetch.context import FetchContext, LocalSourceError, check_folder, fetcher_name, refusal
from kbuild.fetch.errors import TooLarge

SOURCE = "repo"
CONFIG_KEY = "repos"
HISTORY = "_history.tsv"
# The files a release is documented in; code is never read.
RELEASE_FILE = re.compile(
    r"^(?:readme|model_card|model-card|modelcard|use_policy|notice)[^/]*\.(?:md|txt|rst)$"
    r"|^(?:readme|notice)$"
    r"|licen[cs]e|agreement",
    re.I,
)
LICENCE_NAME = re.compile(r"licen[cs]e|agreement", re.I)
MODEL_CARD_NAME = re.compile(r"model[_-]?card", re.I)
# "The original code can be found [here](https://github.com/owner/name)."
ORIGINAL_CODE = re.compile(
    r"original code[^.\n]{0,80}?\(https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+?)"
    r"(?:\.git)?(?:[/#?)][^\s)]*)?\)",
    re.I,
)
# a model's own repository is named for it ("google-research/bert" for BERT); a toolkit's
# ("pytorch/fairseq", "microsoft/unilm") holds many models and speaks for none of them
MIN_NAME = 3


def is_release_file(path: str) -> bool:
    """Whether a repository file is one kbuild reads (README, model card, licence, policy)."""
    return bool(RELEASE_FILE.search(Path(path).name))


def public_file(repo: str, commit: str, path: str) -> str:
    """The file's address on GitHub at a commit (or branch)."""
    owner_name = "/".join(repo.split("/")[:2])
    return f"https://github.com/{owner_name}/blob/{commit}/{path}"


def split_repo(repo: str) -> tuple[str, str]:
    """'owner/name/folder/sub' → ('owner/name', 'folder/sub')."""
    parts = repo.split("/")
    return "/".join(parts[:2]), "/".join(parts[2:])


def named_for(repo: str, names: list[str]) -> bool:
    """Whether a repository's name is one of the model's names (case, punctuation and a
    version suffix aside): "zihangdai/xlnet" for XLNet, "state-spaces/mamba" for Mamba."""
    repo_key = name_key(repo.split("/")[1])
    for name in names:
        key = name_key(name)
        if len(key) >= MIN_NAME and (repo_key == key or repo_key.startswith(key + "v")):
            return True
    return False


def targets(ctx: FetchContext) -> list[tuple[str, str]]:
    """(model id, repository) pairs: the repositories sources.toml names, then those a
    model's doc page gives as its original code, when named for the model."""
    found: dict[tuple[str, str], None] = {}
    names: dict[str, list[str]] = {}
    for model_id, name, aliases, repos in ctx.models("id", "name", "aliases", "repos"):
        names[model_id] = [name, *json.loads(aliases or "[]")]
        for repo in json.loads(repos or "[]"):
            found[(model_id, repo)] = None
    named = {model_id for model_id, _ in found}
    for model_id, repo in table_links(ctx):
        if model_id not in named and model_id in names and named_for(repo, names[model_id]):
            found[(model_id, repo)] = None
    for model_id, body in ctx.store.db.execute(
        "select model_id, body from current_documents where source = 'hf_doc' "
        "and model_id is not null order by id"
    ):
        if model_id in named or model_id not in names:
            continue
        for owner, repo_name in ORIGINAL_CODE.findall(body or ""):
            repo = f"{owner}/{repo_name}"
            if named_for(repo, names[model_id]):
                found[(model_id, repo)] = None
    return list(found)


GITHUB_REPO = re.compile(
    r"https?://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?(?=[/#?\s,;)\]]|$)"
)


def table_links(ctx: FetchContext) -> list[tuple[str, str]]:
    """(model id, repository) for every GitHub repository a table row's link cells give
    the model the row was matched to (or added as)."""
    from kbuild.fetch.tables import location_of, parse
    from kbuild.tables.formats import TableError
    from kbuild.tables.match import link_columns
    from kbuild.tables.spec import resolve_columns

    db = ctx.store.db
    assigned = {
        (document_id, row): model_id
        for document_id, row, model_id in db.execute(
            "select document_id, row, model_id from table_rows "
            "where model_id is not null and status in ('matched', 'added')"
        )
    }
    found = []
    for spec in ctx.config.tables.values():
        if not spec.enabled:
            continue
        for document_id, body in db.execute(
            "select id, body from current_documents where source = ? and location = ?",
            [spec.name, location_of(spec)],
        ):
            try:
                table = parse(spec, (body or "").encode())
            except TableError:
                continue
            _, columns = resolve_columns(spec, table.columns)
            links = link_columns(spec, columns)
            for row in table.rows:
                model_id = assigned.get((document_id, row.number))
                if model_id is None:
                    continue
                for column in links:
                    cell = row.cells.get(column)
                    for text in [*cell.links, cell.text] if cell else []:
                        for owner, name in GITHUB_REPO.findall(text or ""):
                            found.append((model_id, f"{owner}/{name}"))
    return found


def fetch(ctx: FetchContext) -> None:
    """Fetch the release documents of every model's repositories."""
    source = ctx.config.sources[CONFIG_KEY]
    pairs = targets(ctx)
    ctx.report.start(SOURCE, len(pairs))
    if not source.is_remote:
        check_folder(source.path, CONFIG_KEY, "a folder of <owner>__<name> repository copies")
        commits = local_commits(source.path)
    for model_id, repo in pairs:
        if source.is_remote:
            with ctx.guarded(SOURCE, CONFIG_KEY, model_id, f"https://github.com/{repo}"):
                fetch_remote(ctx, model_id, repo)
        else:
            read_local(ctx, model_id, repo, commits)


def local_commits(folder: Path) -> dict[str, str]:
    """repo → the commit its local copy was taken at (``SOURCES.tsv``), when listed."""
    listing = folder / "SOURCES.tsv"
    if not listing.is_file():
        return {}
    with listing.open(encoding="utf-8", newline="") as handle:
        return {
            row["repo"]: row["commit"]
            for row in csv.DictReader(handle, delimiter="\t")
            if row.get("repo") and row.get("commit")
        }


def _item(model_id: str, path: str) -> str:
    # a repository that holds several models' documents is stored once per model: each
    # copy says whose release it documents
    return f"{model_id}:{path}"


def read_local(ctx: FetchContext, model_id: str, repo: str, commits: dict[str, str]) -> None:
    """Read a repository's release documents from ``<owner>__<name>/`` (the folder part
    of ``repo``, when given, inside it) and its ``_history.tsv``."""
    source = ctx.config.sources[CONFIG_KEY]
    owner_name, folder = split_repo(repo)
    root = source.path / owner_name.replace("/", "__")
    if not root.is_dir():
        ctx.report.record(
            SOURCE, "skipped", model_id=model_id, location=str(root),
            message=f"no copy of {owner_name} in {source.path}",
        )  # fmt: skip
        return
    base = root / folder if folder else root
    if not base.is_dir():
        raise LocalSourceError(f"[{CONFIG_KEY}] {repo}: no folder {folder!r} in {root}")
    commit = commits.get(owner_name, "HEAD")
    files = [p for p in sorted(base.iterdir()) if p.is_file() and is_release_file(p.name)]
    if folder:
        # the repository's own licence covers a folder's code too
        files += [
            p for p in sorted(root.iterdir())
            if p.is_file() and LICENCE_NAME.search(p.name) and p.name not in {f.name for f in files}
        ]  # fmt: skip
    if (root / HISTORY).is_file():
        files.append(root / HISTORY)
    for path in files:
        relative = path.relative_to(root).as_posix()
        if path.name == HISTORY:
            public = f"https://github.com/{owner_name}/commits/{commit}"
        else:
            public = public_file(owner_name, commit, relative)
        item = _item(model_id, relative)
        with ctx.guarded(SOURCE, CONFIG_KEY, model_id, str(path)):
            if ctx.seen_unchanged(SOURCE, public, path, item):
                continue
            refused = refusal(path, root) or (None if path.is_file() else f"{path} is a folder")
            if refused:  # a FIFO, a device or a link out of the repository is no document
                raise LocalSourceError(refused)
            if path.stat().st_size > source.max_bytes:
                raise TooLarge(f"{path.name} is over the {source.max_bytes}-byte cap")
            content = path.read_bytes()
            with ctx.store.atomic():
                saved = ctx.store.save_document(
                    source=SOURCE,
                    location=public,
                    item=item,
                    model_id=model_id,
                    content=content,
                    fetcher=fetcher_name("repos"),
                    content_type=_content_type(path.name),
                    local_path=str(path),
                )
                ctx.report.record(
                    SOURCE, "fetched" if saved.new else "unchanged", model_id=model_id,
                    location=public, document_id=saved.id,
                )  # fmt: skip


def _content_type(name: str) -> str:
    if name.endswith(".tsv"):
        return "text/tab-separated-values"
    if name.lower().endswith(".md"):
        return "text/markdown"
    return "text/plain"


def fetch_remote(ctx: FetchContext, model_id: str, repo: str) -> None:
    """Ask GitHub's API for the repository (when it was made), its licence, its release
    documents and the commits that first added its model card and licence files. A
    ``GITHUB_TOKEN`` in the environment is sent (never stored): without one GitHub answers
    60 requests an hour."""
    source = ctx.config.sources[CONFIG_KEY]
    http = ctx.http(source)
    token = os.environ.get("GITHUB_TOKEN")
    if token:
        http.session.headers["Authorization"] = f"Bearer {token}"
    api = source.location.rstrip("/")
    owner_name, folder = split_repo(repo)

    def failed(url: str, message: str) -> None:
        ctx.report.record(SOURCE, "failed", model_id=model_id, location=url, message=message)

    def get_json(url: str, missing_ok: bool = False):
        answer = http.get(url, accept="application/vnd.github+json")
        if answer.status == 404 and missing_ok:
            return None, answer  # a repository without a licence GitHub recognizes
        if answer.status == 403 and b"rate limit" in answer.content.lower():
            failed(url, "GitHub's rate limit is reached (60 requests an hour without a "
                        "token); set GITHUB_TOKEN and run again")  # fmt: skip
            return None, answer
        if answer.status != 200:
            failed(url, f"HTTP {answer.status} from GitHub for {repo}")
            return None, answer
        try:
            return json.loads(answer.content), answer
        except ValueError:
            failed(url, f"GitHub's answer for {repo} is not JSON; kept what was fetched before")
            return None, answer

    def save(location: str, item: str, content: bytes, content_type: str, answer) -> None:
        saved = ctx.store.save_document(
            source=SOURCE, location=location, item=_item(model_id, item), model_id=model_id,
            content=content, fetcher=fetcher_name("repos"), final_url=answer.final_url,
            http_status=answer.status, etag=answer.etag, content_type=content_type,
        )  # fmt: skip
        ctx.report.record(
            SOURCE, "fetched" if saved.new else "unchanged", model_id=model_id,
            location=location, document_id=saved.id,
        )  # fmt: skip

    # API answers are stored under their own (public) URLs: the facts quote their JSON
    for name, url, missing_ok in (
        ("repo.json", f"{api}/repos/{owner_name}", False),
        ("license.json", f"{api}/repos/{owner_name}/license", True),
    ):
        found, answer = get_json(url, missing_ok=missing_ok)
        if found is None and name == "repo.json":
            return  # no such repository: one line, the next model goes on
        if found is not None:
            save(url, name, answer.content, "application/json", answer)
    listing, _ = get_json(f"{api}/repos/{owner_name}/contents/{folder}".rstrip("/"))
    if not isinstance(listing, list):
        return
    dated = []
    for entry in listing:
        if not isinstance(entry, dict):
            continue
        path = entry.get("path") or ""
        if entry.get("type") != "file" or not is_release_file(path):
            continue
        download = entry.get("download_url")
        if not download:
            continue
        answer = http.get(download)
        if answer.status != 200:
            failed(download, f"HTTP {answer.status} for {path}")
            continue
        location = entry.get("html_url") or public_file(owner_name, "HEAD", path)
        save(location, path, answer.content, _content_type(path), answer)
        if LICENCE_NAME.search(Path(path).name) or MODEL_CARD_NAME.search(Path(path).name):
            dated.append(path)
    for path in dated:
        commits = first_commits(http, api, owner_name, path)
        if commits is not None:
            content, answer = commits
            save(answer.url, f"commits:{path}", content, "application/json", answer)


def first_commits(http, api: str, owner_name: str, path: str, pages: int = 10):
    """The last page of ``/commits?path=`` (its last commit first added the file), as
    GitHub answered it, with the answer; None when GitHub says nothing."""
    last = None
    for page in range(1, pages + 1):
        url = f"{api}/repos/{owner_name}/commits?path={path}&per_page=100&page={page}"
        answer = http.get(url, accept="application/vnd.github+json")
        if answer.status != 200:
            return last
        try:
            commits = json.loads(answer.content)
        except ValueError:
            return last
        if not isinstance(commits, list) or not commits:
            return last
        last = (answer.content, answer)
        if len(commits) < 100:
            return last
    return last
