"""Read and validate ``sources.toml``: the models to track and where each source lives."""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kbuild.tables import spec as table_spec
from kbuild.tables.spec import TableSpec

DEFAULT_LOCATIONS = {
    "arxiv": "https://export.arxiv.org/api/query",
    "hf_docs": "https://huggingface.co/docs/transformers/model_doc/{slug}",
    "pdf": "https://arxiv.org/pdf/{arxiv_id}",
    # GitHub's REST API: a repository's licence, files and the commits that added them
    "repos": "https://api.github.com",
    # the Hugging Face Hub (its API, through huggingface_hub): a model repository's card
    # data and safetensors metadata
    "hub": "https://huggingface.co",
}
SOURCE_NAMES = tuple(DEFAULT_LOCATIONS)
CATALOG_SHEET = (
    "https://docs.google.com/spreadsheets/d/1ltyrAB6BL29cOv2fSpNQnnq2vbX8UrHl47d7FkIf6t4"
)
# The Transformer catalog is a table like any other; it is built in because kbuild
# started from it. Its headers are matched loosely (no `columns`).
DEFAULT_TABLES = {
    "catalog": {
        "location": f"{CATALOG_SHEET}/export?format=csv&gid=0",
        "format": "csv",
        "adds_models": True,
        "homepage": CATALOG_SHEET,
        "licence": "© Xavier Amatriain; no licence stated (all rights reserved by default)",
        "description": "Xavier Amatriain's Transformer catalog (arXiv 2302.07730), one row a model",
        "trust": 20,
    }
}

# Keys every source table accepts, then the keys only one source understands.
_COMMON_SOURCE_KEYS = {"location", "enabled", "timeout", "retries", "max_bytes"}
_SOURCE_KEYS = {
    "arxiv": _COMMON_SOURCE_KEYS | {"delay_seconds", "batch_size"},
    "hf_docs": _COMMON_SOURCE_KEYS | {"index"},
    "pdf": _COMMON_SOURCE_KEYS,
    "repos": _COMMON_SOURCE_KEYS,
    # huggingface_hub reads the answer itself (no size cap); `offline` skips the Hub
    "hub": {"location", "enabled", "timeout", "retries", "offline"},
}
_MODEL_KEYS = {"name", "id", "aliases", "arxiv", "hf_doc", "pdf", "repo", "hub"}
# [catalog] is kept as a shorthand for [tables.catalog]
_TOP_KEYS = {"extends", "models", "tables", "catalog", "scope", *SOURCE_NAMES}
# how many files deep an `extends` chain may go (a chain of thousands overflowed Python's
# stack)
MAX_EXTENDS = 20
# [scope]: which models lists and charts show by default (the others are kept, marked)
DEFAULT_SINCE = 2017

# New-style ids (1810.04805) and old-style ones (cs/0112017); never a path.
ARXIV_ID_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$")
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# owner/name of a GitHub repository, optionally a folder in it for a repository that
# holds several models' documents (meta-llama/llama-models/models/llama3_1)
REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")
# owner/name of a Hugging Face Hub model repository (no "--" or "..": the Hub refuses them)
HUB_ID_RE = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w][\w.-]{0,95}$")


class SourcesError(Exception):
    """sources.toml is malformed; the message names the file, the entry and the fix."""


@dataclass
class Source:
    """One source table: where it lives and how to fetch it."""

    name: str
    location: str
    base_dir: Path
    enabled: bool = True
    timeout: float = 30.0
    retries: int = 4
    delay_seconds: float = 3.0
    batch_size: int = 100
    max_bytes: int = 50_000_000
    # where the live source is, when this one is a local copy of it
    public: str | None = None
    # [hf_docs]: the URL of the docs' _toctree.yml, the index of model-doc pages
    index: str | None = None
    # [hub]: never call the Hub; fetch says in one line that it skipped it
    offline: bool = False

    @property
    def public_location(self) -> str:
        """The public address: the location itself when it is a URL, else the URL of the
        live source it copies (from the file it extends, or kbuild's default)."""
        return self.location if self.is_remote else (self.public or DEFAULT_LOCATIONS[self.name])

    @property
    def is_remote(self) -> bool:
        """Whether the location is an http(s) URL rather than a local path."""
        return self.location.startswith(("http://", "https://"))

    @property
    def path(self) -> Path:
        """The local file or folder, relative paths resolved against the sources file."""
        # resolved once: fetch asks for it per model
        cached = self.__dict__.get("_path")
        if cached is None or cached[0] != (self.location, self.base_dir):
            path = Path(self.location).expanduser()
            path = path if path.is_absolute() else (self.base_dir / path).resolve()
            cached = self.__dict__["_path"] = ((self.location, self.base_dir), path)
        return cached[1]


@dataclass
class ModelEntry:
    """A model listed in sources.toml."""

    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    arxiv: str | None = None
    hf_doc: str | None = None
    pdf: str | None = None
    base_dir: Path | None = None
    # the PDF's URL, when ``pdf`` is a local copy of it (from the file it extends)
    public_pdf: str | None = None
    # official repositories: "owner/name" or "owner/name/folder"
    repo: list[str] = field(default_factory=list)
    # Hugging Face Hub model repositories: "owner/name"
    hub: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        """The model's name and aliases."""
        return [self.name, *self.aliases]


@dataclass
class Config:
    """A validated sources file."""

    path: Path
    sources: dict[str, Source]
    models: list[ModelEntry]
    tables: dict[str, TableSpec] = field(default_factory=dict)
    # models first published before this year are out of scope, unless the sources file
    # lists them or a checked post names them
    since: int = DEFAULT_SINCE
    _by_id: dict[str, ModelEntry] | None = field(default=None, repr=False, compare=False)

    def model(self, model_id: str) -> ModelEntry | None:
        """The ``[[models]]`` entry of a model, if the file has one (a lookup per PDF in
        a file of thousands of models)."""
        if self._by_id is None:
            self._by_id = {}
            for entry in self.models:
                self._by_id.setdefault(entry.id, entry)
        return self._by_id.get(model_id)


def slugify(name: str) -> str:
    """A model id from its name: lower case, runs of other characters become '-'; a Greek
    letter becomes its name ("PanGu-α" → "pangu-alpha") and accents are dropped."""
    spelled = [name]  # (most names are ASCII: nothing to spell out)
    if not name.isascii():
        spelled = []
        for char in unicodedata.normalize("NFKD", name):
            if char.isascii():
                spelled.append(char)
            elif unicodedata.category(char).startswith("L"):
                words = unicodedata.name(char, "").split()
                spelled.append(f"-{words[-1].lower()}" if "GREEK" in words else "")
    return _NOT_SLUG.sub("-", "".join(spelled).lower()).strip("-.") or "model"


_NOT_SLUG = re.compile(r"[^a-z0-9.]+")
_NOT_KEY = re.compile(r"[^\w+]|_")


def name_key(name: str) -> str:
    """The key names and aliases are matched on: case, spaces and punctuation ignored.
    Letters of any script count ("PanGu-α" is not "PanGu-Σ"), and so does "+", which
    names another model ("CodeT5+" is not "CodeT5")."""
    return _NOT_KEY.sub("", name.lower())


def _model_lines(text: str) -> list[int]:
    """The line of every ``[[models]]`` header, in order, to point at in errors (found
    in one pass: a scan per model made a file of n models cost n²)."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().startswith("[[models]]")
    ]


def load(path: str | Path) -> Config:
    """Read a sources file (and the file it ``extends``) into a :class:`Config`."""
    return _load(Path(path), seen=())


def _load(path: Path, seen: tuple[Path, ...]) -> Config:
    path = path.resolve()
    if path in seen:
        raise SourcesError(f"{path}: 'extends' loops back to this file")
    if len(seen) >= MAX_EXTENDS:
        raise SourcesError(
            f"{path}: more than {MAX_EXTENDS} files deep in 'extends'; make a file extend "
            "the one with the sources instead of a chain"
        )
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file (a FIFO, device or socket)"
        raise SourcesError(f"{path}: {kind}; --sources takes a TOML file")
    if not path.is_file():
        raise SourcesError(
            f"{path}: sources file not found (pass --sources FILE or set KBUILD_SOURCES)"
        )
    try:
        # (an editor's byte-order mark is no TOML: read past it, not "Invalid statement")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise SourcesError(f"{path}: not UTF-8 text (byte {err.start}); save it as UTF-8") from None
    except OSError as err:
        raise SourcesError(f"{path}: cannot read it ({err.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SourcesError(f"{path}: not valid TOML: {err}") from None

    def fail(entry: str, message: str, line: int | None = None) -> SourcesError:
        where = f"{path}:{line}" if line else str(path)
        return SourcesError(f"{where}: {entry}: {message}")

    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise fail(
            "top level",
            f"unknown key(s) {sorted(unknown)}; expected {sorted(_TOP_KEYS)}",
        )

    if "extends" in data:
        if not isinstance(data["extends"], str):
            raise fail("extends", "must be the path of another sources file")
        target = path.parent / data["extends"]
        if not target.is_file():
            raise fail("extends", f"{data['extends']!r} is not a file (looked for {target})")
        base = _load(target, seen=(*seen, path))
        sources, models = dict(base.sources), list(base.models)
        tables, since = dict(base.tables), base.since
    else:
        sources = {
            name: Source(name=name, location=loc, base_dir=path.parent)
            for name, loc in DEFAULT_LOCATIONS.items()
        }
        models = []
        tables = {
            name: table_spec.parse(name, raw, None, path.parent)
            for name, raw in DEFAULT_TABLES.items()
        }
        since = DEFAULT_SINCE

    for name in SOURCE_NAMES:
        if name in data:
            sources[name] = _source(name, data[name], sources[name], path, fail)
    if "scope" in data:
        scope = data["scope"]
        if not isinstance(scope, dict) or set(scope) - {"since"}:
            raise fail("[scope]", "expected only 'since = <year>' (e.g. since = 2017)")
        since = scope.get("since", since)
        if not isinstance(since, int) or not 1900 <= since <= 2100:
            raise fail("[scope] since", f"{since!r} is not a year (e.g. since = 2017)")
    raw_tables = data.get("tables", {})
    if not isinstance(raw_tables, dict):
        raise fail("tables", "must be tables written [tables.<name>]")
    if "catalog" in data:
        if "catalog" in raw_tables:
            raise fail("[catalog]", "is the same as [tables.catalog]; write only one of them")
        raw_tables = {"catalog": data["catalog"], **raw_tables}
    for name, raw in raw_tables.items():
        label = "[catalog]" if name == "catalog" and "catalog" in data else f"[tables.{name}]"
        try:
            tables[name] = table_spec.parse(name, raw, tables.get(name), path.parent)
        except table_spec.SpecError as err:
            raise fail(label, str(err), _section_line(text, name)) from None
    try:
        table_spec.check_lineage(tables)
    except table_spec.SpecError as err:
        raise fail("tables", str(err)) from None

    raw_models = data.get("models", [])
    if not isinstance(raw_models, list):
        raise fail("models", "must be an array of tables written [[models]]")
    by_key = {name_key(m.name): i for i, m in enumerate(models)}
    named_here: set[str] = set()
    lines = _model_lines(text)
    for index, raw in enumerate(raw_models):
        line = lines[index] if index < len(lines) else None
        entry = _model(raw, index, path, line, fail)
        if name_key(entry.name) in named_here:
            raise fail(
                f"models[{index}] ({entry.name!r})",
                "this model name is listed twice in this file",
                line,
            )
        named_here.add(name_key(entry.name))
        if name_key(entry.name) in by_key:
            # An extending file overrides the keys it names on a model of the base file.
            position = by_key[name_key(entry.name)]
            merged = models[position]
            if "pdf" in raw and merged.pdf and merged.pdf.startswith(("http://", "https://")):
                merged.public_pdf = merged.pdf  # the local copy's public address
            for key in raw:
                setattr(merged, key, getattr(entry, key))
            if "pdf" in raw:
                merged.base_dir = path.parent
        else:
            by_key[name_key(entry.name)] = len(models)
            models.append(entry)
    _check_unique(models, path, fail)
    return Config(path=path, sources=sources, models=models, tables=tables, since=since)


def _section_line(text: str, table: str) -> int | None:
    """The line of a ``[tables.<name>]`` (or ``[catalog]``) header, to point at in errors."""
    pattern = re.compile(rf"^\s*\[(?:tables\.{re.escape(table)}|{re.escape(table)})(?:\.[^\]]*)?\]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _source(name, raw, base: Source, path: Path, fail) -> Source:
    if not isinstance(raw, dict):
        raise fail(f"[{name}]", "must be a table")
    unknown = set(raw) - _SOURCE_KEYS[name]
    if unknown:
        raise fail(
            f"[{name}]",
            f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_SOURCE_KEYS[name])}",
        )
    values = dict(base.__dict__)
    if "location" in raw:
        values["base_dir"] = path.parent
        if base.is_remote:
            values["public"] = base.location
    for key, value in raw.items():
        expected = {"location": str, "enabled": bool, "index": str, "offline": bool}.get(
            key, (int, float)
        )
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise fail(f"[{name}] {key}", f"has the wrong type ({type(value).__name__})")
        values[key] = value
    source = Source(**values)
    for key in ("timeout", "max_bytes"):
        if not math.isfinite(getattr(source, key)) or getattr(source, key) <= 0:
            raise fail(f"[{name}] {key}", "must be a number more than 0")
    for key in ("retries", "delay_seconds"):
        if not math.isfinite(getattr(source, key)) or getattr(source, key) < 0:
            raise fail(f"[{name}] {key}", "must be a number, not negative")
    from kbuild.tables.spec import MAX_RETRIES, MAX_TIMEOUT

    if source.retries > MAX_RETRIES:
        raise fail(f"[{name}] retries", f"must be at most {MAX_RETRIES}")
    if source.timeout > MAX_TIMEOUT:
        raise fail(f"[{name}] timeout", f"must be at most {MAX_TIMEOUT:g} seconds")
    if not float(source.retries).is_integer() or not float(source.batch_size).is_integer():
        raise fail(f"[{name}]", "retries and batch_size must be whole numbers")
    if name == "arxiv" and not 1 <= source.batch_size <= 100:
        raise fail("[arxiv] batch_size", "must be between 1 and 100 (arXiv answers 414 beyond)")
    if source.is_remote and name in ("hf_docs",) and "{slug}" not in source.location:
        raise fail(f"[{name}] location", "a URL here must contain {slug}")
    if source.index is not None and not source.index.startswith(("http://", "https://")):
        raise fail(f"[{name}] index", "must be the http(s) URL of a _toctree.yml")
    if name == "hub" and not source.is_remote:
        raise fail(
            "[hub] location",
            "must be the Hub's http(s) address (https://huggingface.co); with no network "
            "set offline = true instead",
        )
    if source.is_remote and name == "pdf" and "{arxiv_id}" not in source.location:
        raise fail("[pdf] location", "a URL here must contain {arxiv_id}")
    return source


def _model(raw, index: int, path: Path, line: int | None, fail) -> ModelEntry:
    label = f"models[{index}]"
    if not isinstance(raw, dict):
        raise fail(label, "must be a table", line)
    if isinstance(raw.get("name"), str):
        label += f" ({raw['name']!r})"
    unknown = set(raw) - _MODEL_KEYS
    if unknown:
        raise fail(
            label, f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_MODEL_KEYS)}", line
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail(label, "needs a 'name'", line)
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise fail(label, "'aliases' must be a list of strings", line)
    for key in ("id", "arxiv", "hf_doc", "pdf"):
        if key in raw and not isinstance(raw[key], str):
            raise fail(label, f"'{key}' must be a string", line)
    repos = raw.get("repo", [])
    repos = [repos] if isinstance(repos, str) else repos
    if not isinstance(repos, list) or not all(isinstance(r, str) for r in repos):
        raise fail(label, "'repo' must be a string or a list of strings", line)
    for repo in repos:
        if not REPO_RE.match(repo) or ".." in repo.split("/"):
            raise fail(
                label,
                f"'repo' {repo!r} must be a GitHub repository written owner/name "
                "(optionally owner/name/folder), not a URL",
                line,
            )
    hub_ids = raw.get("hub", [])
    hub_ids = [hub_ids] if isinstance(hub_ids, str) else hub_ids
    if not isinstance(hub_ids, list) or not all(isinstance(h, str) for h in hub_ids):
        raise fail(label, "'hub' must be a string or a list of strings", line)
    for hub_id in hub_ids:
        if not HUB_ID_RE.match(hub_id) or "--" in hub_id or ".." in hub_id:
            raise fail(
                label,
                f"'hub' {hub_id!r} must be a Hugging Face Hub model repository written "
                "owner/name, as in 'mistralai/Mixtral-8x7B-v0.1' (not a URL)",
                line,
            )
    model_id = raw.get("id") or slugify(name)
    if not SLUG_RE.match(model_id) or ".." in model_id:
        raise fail(label, f"'id' {model_id!r} may only hold letters, digits, '.', '_', '-'", line)
    arxiv_id = raw.get("arxiv")
    if arxiv_id is not None and not ARXIV_ID_RE.match(arxiv_id):
        raise fail(
            label,
            f"'arxiv' {arxiv_id!r} is not an arXiv id like 1810.04805 (no version, no URL)",
            line,
        )
    slug = raw.get("hf_doc")
    if slug is not None and (not SLUG_RE.match(slug) or ".." in slug):
        raise fail(
            label,
            f"'hf_doc' {slug!r} must be a page slug such as 'bert' (no '/', no '..')",
            line,
        )
    return ModelEntry(
        id=model_id,
        name=name.strip(),
        aliases=aliases,
        arxiv=arxiv_id,
        hf_doc=slug,
        pdf=raw.get("pdf"),
        base_dir=path.parent,
        repo=repos,
        hub=hub_ids,
    )


def _check_unique(models: list[ModelEntry], path: Path, fail) -> None:
    owner: dict[str, str] = {}
    ids: set[str] = set()
    # a Hub repository is one model's: lineage finds a parent by its repository
    hub_owner: dict[str, str] = {}
    for model in models:
        if model.id in ids:
            raise fail(f"model {model.name!r}", f"id {model.id!r} is used twice; set 'id'")
        ids.add(model.id)
        for hub_id in model.hub:
            if hub_owner.setdefault(hub_id.lower(), model.name) != model.name:
                raise fail(
                    f"model {model.name!r}",
                    f"'hub' {hub_id!r} is also listed by {hub_owner[hub_id.lower()]!r}",
                )
        for alias in model.names():
            key = name_key(alias)
            if key in owner and owner[key] != model.name:
                raise fail(
                    f"model {model.name!r}",
                    f"name or alias {alias!r} is also used by {owner[key]!r}",
                )
            owner[key] = model.name
