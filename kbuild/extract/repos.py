"""Official repositories' release documents → the licence (weights and code kept apart),
release dates (a licence's own "Release Date", the commit that first added the model card
or licence), and what the README and model card say of the model's size, architecture,
objective and data.

A licence file is identified by its text with ``identify`` (pre-commit's licence
identifier: the choosealicense.com texts, by edit distance); a bespoke licence (Llama 2
Community, Tongyi Qianwen …), which no such list holds, by its title, from
``kbuild/normalize/data/licences.toml``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import PurePosixPath

from kbuild.config import name_key
from kbuild.extract import extractors
from kbuild.extract.facts import Fact
from kbuild.extract.statements import Subject, facts_in
from kbuild.extract.text import markdown_regions, sentences
from kbuild.fetch.repos import HISTORY
from kbuild.fetch.repos import LICENCE_NAME as LICENCE_FILE
from kbuild.fetch.repos import MODEL_CARD_NAME as MODEL_CARD
from kbuild.normalize import Normalized
from kbuild.normalize.dates import normalize_date
from kbuild.normalize.license import BY_ID, Licence, applies, title_licence

EXTRACTOR = extractors.REPOS
# a licence file's name says what it covers; "LICENSE" alone is the repository's
WEIGHTS_FILE = re.compile(r"model|weight|agreement", re.I)
CODE_FILE = re.compile(r"code", re.I)
DATA_FILE = re.compile(r"data", re.I)
# "Llama 2 Version Release Date: July 18, 2023"
RELEASE_DATE = re.compile(
    r"release date:\s*\**\s*((?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december)\s+\d{1,2},\s*\d{4}|\d{4}-\d{2}-\d{2})",
    re.I,
)
# a model card added this long after the repository began was written after the release
# (GPT-2's, six months on): its commit dates nothing
PREDATES_DAYS = 31


def file_path(document: dict) -> str:
    """The repository path of a stored file (its item is '<model id>:<path>')."""
    item = document.get("item") or ""
    return item.split(":", 1)[1] if ":" in item else item


def licence_of(text: str) -> tuple[Licence | None, str]:
    """The licence a licence file holds, and how it was known ('identified' by its text,
    or 'title'). The title wins when both name one and they differ: the identifier knows
    only common licences, so it takes CC BY-NC for CC BY."""
    titled = title_licence(text)
    identified = _identify(text)
    identified = SPDX_NOW.get(identified, identified)
    if identified and (titled is None or titled.id == identified):
        return BY_ID.get(identified) or Licence(identified, identified, ()), "identified"
    if titled is not None:
        return titled, "title"
    return None, ""


# identify still returns the deprecated SPDX ids of the GNU licences
SPDX_NOW = {
    "GPL-2.0": "GPL-2.0-only",
    "GPL-3.0": "GPL-3.0-only",
    "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-3.0": "LGPL-3.0-only",
    "AGPL-3.0": "AGPL-3.0-only",
}


def _identify(text: str) -> str | None:
    from identify import identify

    # identify reads a file; the text is stored in the database
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(text)
    try:
        return identify.license_id(f.name)
    finally:
        os.unlink(f.name)


def _title_span(body: str) -> tuple[int, int]:
    """The span of a licence file's first non-empty line."""
    match = re.search(r"\S[^\n]*", body)
    if not match:
        return 0, 0
    return match.start(), match.start() + len(match.group(0).rstrip())


def _line(body: str, start: int) -> int:
    return body.count("\n", 0, start) + 1


def extract(document: dict, model: dict, subject: Subject | None = None) -> list[Fact]:
    """Facts from one repository document."""
    path = file_path(document)
    name = PurePosixPath(path).name
    body = document.get("body") or ""
    base = {"model_id": model["id"], "document_id": document["id"], "extractor": EXTRACTOR}
    names = [model["name"], *(model.get("aliases") or [])]
    siblings: list[tuple[str, str]] = document.get("siblings") or []
    if name == HISTORY or path.startswith("commits:"):
        return release_witnesses(document, path, body, siblings, names, base)
    if name == "license.json":
        return api_licence(body, base)
    facts: list[Fact] = []
    if LICENCE_FILE.search(name):
        facts += licence_facts(name, body, names, base)
    if re.search(r"readme|model[_-]?card", name, re.I) and subject is not None:
        facts += statement_facts(body, subject, names, base)
    return facts


def licence_facts(name: str, body: str, names: list[str], base: dict) -> list[Fact]:
    """The licence of a licence file, as `license` (the model's: weights, or the only
    licence of the repository) or `code_license` (the code's, when the weights have their
    own); a data licence is neither. A licence's own release date is a release date."""
    if DATA_FILE.search(name) and not WEIGHTS_FILE.search(name):
        return []  # the training data's licence (Alpaca's DATA_LICENSE)
    licence, how = licence_of(body)
    if licence is None or licence.id == "proprietary" or not applies(licence, names):
        return []
    # A plain LICENSE covers the repository: its code. The weights' licence is a file of
    # its own, a model licence (Llama 2's), or what the README says of the weights.
    if WEIGHTS_FILE.search(name) or (licence.weights and not CODE_FILE.search(name)):
        field = "license"
    else:
        field = "code_license"
    start, end = _title_span(body)
    locator = {"span": [start, end], "line": _line(body, start), "file": name}
    facts = [
        Fact(
            field=field,
            value=licence.name,
            normalized=Normalized(
                licence.id, qualifier="weights" if field == "license" else "code"
            ),
            locator=locator,
            quote=body[start:end],
            method="identified" if how == "identified" else "stated",
            confidence=0.9,
            **base,
        )
    ]
    for match in RELEASE_DATE.finditer(body[:2000]):
        span = [match.start(), match.end()]
        facts.append(
            Fact(
                field="date",
                value=match.group(1),
                normalized=normalize_date(match.group(1), "release"),
                locator={"span": span, "line": _line(body, span[0]), "file": name},
                quote=body[span[0] : span[1]],
                confidence=0.85,
                **base,
            )
        )
    return facts


def api_licence(body: str, base: dict) -> list[Fact]:
    """GitHub's identification of the repository's licence (``/license``): its SPDX id."""
    licence = _json_field(body, "license")
    spdx = ((licence if isinstance(licence, dict) else {}).get("spdx_id") or "").strip()
    if not spdx or spdx == "NOASSERTION":
        return []
    quoted = re.search(r'"spdx_id"\s*:\s*"' + re.escape(spdx) + '"', body)
    if not quoted:
        return []
    known = BY_ID.get(spdx)
    return [
        Fact(
            # GitHub identifies the repository's LICENSE file: the code's licence
            field="code_license",
            value=known.name if known else spdx,
            normalized=Normalized(spdx, qualifier="code"),
            locator={"span": [quoted.start(), quoted.end()], "json_path": "license.spdx_id"},
            quote=quoted.group(0),
            method="identified",
            confidence=0.9,
            **base,
        )
    ]


def _history_rows(path: str, body: str) -> list[tuple[str, str, str, int, int]]:
    """(commit, date, path, start, end) of each history line: a ``_history.tsv`` copy,
    or a ``/commits?path=`` answer (its last commit first added the file)."""
    rows = []
    if path.startswith("commits:"):
        try:
            commits = json.loads(body)
        except ValueError:
            return []
        if not commits:
            return []
        first = commits[-1]
        date = ((first.get("commit") or {}).get("committer") or {}).get("date")
        found = body.rfind(f'"{date}"') if date else -1
        if found >= 0:
            rows.append((first.get("sha", ""), date, path[len("commits:") :], found + 1,
                         found + 1 + len(date)))  # fmt: skip
        return rows
    offset = 0
    for line in io.StringIO(body):
        cells = next(csv.reader([line.rstrip("\n")], delimiter="\t"), [])
        if len(cells) >= 3 and re.fullmatch(r"[0-9a-f]{7,40}", cells[0]):
            start = offset + line.index(cells[1])
            rows.append((cells[0], cells[1], cells[2], start, start + len(cells[1])))
        offset += len(line)
    return rows


def release_witnesses(
    document: dict,
    path: str,
    body: str,
    siblings: list[tuple[str, str]],
    names: list[str],
    base: dict,
) -> list[Fact]:
    """The commit that first added the model card, else the weights' licence, as a
    release date — unless the repository states a release date (the better witness), or
    the file came more than a month after the repository began (a card written later)."""
    folders = {str(PurePosixPath(p).parent) for p, _ in siblings}
    stated = []
    licence_files = set()
    for sibling_path, sibling_body in siblings:
        sibling = PurePosixPath(sibling_path).name
        if LICENCE_FILE.search(sibling) and not DATA_FILE.search(sibling):
            licence, _ = licence_of(sibling_body)
            # the weights' licence: a plain LICENSE is the code's, and a toolkit's code
            # is older than the models it trains (fairseq's LICENSE dates from 2017)
            if (
                licence is not None
                and licence.id != "proprietary"
                and applies(licence, names)
                and (WEIGHTS_FILE.search(sibling) or licence.weights)
                and not CODE_FILE.search(sibling)
            ):
                licence_files.add(sibling_path)
        for match in RELEASE_DATE.finditer(sibling_body[:2000]):
            date = normalize_date(match.group(1), "release").value
            if date:
                stated.append(date)
    if stated:
        return []  # the release date the repository states is the better witness
    cards = [p for p, _ in siblings if MODEL_CARD.search(PurePosixPath(p).name)]
    wanted = cards or sorted(licence_files)
    history = _history_rows(path, body)
    rows = {r[2]: r for r in history if r[2] in wanted}
    began = [r[1][:10] for r in history]
    # online, GitHub's answer for the repository says when it was made
    for sibling_path, sibling_body in siblings:
        if sibling_path == "repo.json":
            made = _json_field(sibling_body, "created_at")
            began += [made[:10]] if made else []
    created = min(began, default=None)
    repo = REPO_OF.search(document.get("location") or "")
    for file in wanted[:1]:  # one witness a repository: the card's, else the licence's
        if file not in rows or str(PurePosixPath(file).parent) not in folders:
            continue
        commit, date, _, start, end = rows[file]
        day = date[:10]
        if created and _days(created, day) > PREDATES_DAYS and "/" not in file:
            # added long after the repository began: a card written later (GPT-2's, six
            # months on), not the release
            return []
        return [
            Fact(
                field="date",
                value=date,
                normalized=normalize_date(day, "release"),
                locator={
                    "span": [start, end],
                    "commit": commit,
                    "file": file,
                    "repo": repo.group(1) if repo else None,
                },
                quote=body[start:end],
                method="derived",
                confidence=0.5,
                **base,
            )
        ]
    return []


REPO_OF = re.compile(r"github\.com/(?:repos/)?([^/]+/[^/?#]+)")


def _json_field(body: str, key: str):
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return answer.get(key) if isinstance(answer, dict) else None


def _days(earlier: str, later: str) -> int:
    from datetime import date

    try:
        return (date.fromisoformat(later[:10]) - date.fromisoformat(earlier[:10])).days
    except ValueError:
        return 0


TOKENS = re.compile(r"\btokens?\b", re.I)
TRAINED_ON = re.compile(r"\btrain(?:ed|s|ing)?\b[^.]{0,80}?\bon\b", re.I)


def opens_with(sentence: str, names: list[str]) -> bool:
    """Whether a sentence opens with the model's name as its subject ("GPT-NeoX-20B is …",
    "**XLNet** is …"): a README's architecture, objective or data is the model's only
    then — not the library's ("The `t5` library …"), a how-to's ("To pre-train DeBERTa
    with …") or a derived model's ("DeepSeek-R1-Distill models …")."""
    head = re.sub(r"^[\W_]*(?:the\s+)?", "", sentence, flags=re.I)
    for name in names:
        if head[: len(name)].lower() == name.lower() and not re.match(
            r"[\w]|-[A-Za-z]", head[len(name) : len(name) + 2]
        ):
            return True
    return False


def another_version(text: str, names: list[str]) -> bool:
    """Whether the text names another version of the model ("Mamba-3", "Yi-1.5",
    "DeBERTa-V3" beside Mamba, Yi, DeBERTa); a size ("Qwen-7B", "T5-3B") is the model's."""
    for name in names:
        version = re.compile(
            re.escape(name) + r"[-\s]?(?:v\d[\w.]*|\d+(?:\.\d+)?)(?![\d.]*\s*[BMK]\b)(?![\w.])",
            re.I,
        )
        if version.search(text):
            return True
    return False


def statement_facts(body: str, subject: Subject, names: list[str], base: dict) -> list[Fact]:
    """What the README or model card says of the model itself (sentences about it)."""
    regions = markdown_regions(body)
    found = facts_in(
        regions,
        quote_of=lambda r: body[r.start : r.end],
        locator_for=lambda r: {
            "span": [r.start, r.end],
            "line": _line(body, r.start),
            "section": r.section,
        },  # fmt: skip
        fact_args=base,
        subject=subject,
        fields={"params", "architecture", "task", "corpus", "tokens"},
        confidence=0.6,
        require_name_for=frozenset({"params", "architecture", "task", "corpus", "tokens"}),
    )
    # A README speaks of many things: the library, its successors ("Mamba-3"), the data.
    # Only a sentence that names this model and no other one is about it; a size beside
    # a count of tokens may be the tokens'.
    kept = [
        fact
        for fact in found
        if not (subject.others and subject.others.search(fact.quote))
        and not another_version(fact.quote, names)
        and not (fact.field == "params" and TOKENS.search(fact.quote))
        and not (fact.field == "corpus" and not TRAINED_ON.search(fact.quote))
        and (fact.field in ("params", "tokens") or opens_with(fact.quote, names))
    ]
    return (
        readme_licences(regions, body, subject, names, base) + kept + table_facts(body, names, base)
    )


def readme_licences(regions, body: str, subject: Subject, names: list[str], base: dict):
    """The licence a README sentence puts the model (its weights, or "the models") under,
    read as papers' sentences are (:mod:`kbuild.extract.release_licence`): the
    repository's README speaks for its model, so a sentence need not name it — but one
    naming another model or version is not about it."""
    from kbuild.extract.release_licence import licence_released

    facts = []
    for region in regions:
        for sentence in sentences(region):
            text = sentence.text
            if (subject.others and subject.others.search(text)) or another_version(text, names):
                continue
            found = licence_released(text, subject.names_model(text), own_voice=True)
            known = BY_ID.get(found.licence) if found else None
            if (
                found is None
                or found.licence == "proprietary"
                or not applies(known or Licence(found.licence, found.licence, ()), names)
            ):
                continue
            facts.append(
                Fact(
                    field=found.field,
                    value=known.name if known else found.licence,
                    normalized=Normalized(
                        found.licence, qualifier="weights" if found.field == "license" else "code"
                    ),
                    locator={
                        "span": [sentence.start, sentence.end],
                        "line": _line(body, sentence.start),
                        "section": region.section,
                    },
                    quote=body[sentence.start : sentence.end],
                    confidence=0.8,
                    **base,
                )
            )
    return facts


SIZE_HEADER = re.compile(r"^(?:params|parameters|#\s*params|size|model size)$", re.I)
TOKENS_HEADER = re.compile(r"^(?:tokens|training tokens|#\s*tokens|pretraining tokens)$", re.I)


def _cells(line: str, offset: int) -> list[tuple[str, int, int]]:
    """A markdown table line's cells: (text, start, end) in the body."""
    cells, start = [], 0
    inner = line
    for part in inner.split("|"):
        lead = len(part) - len(part.lstrip())
        text = part.strip()
        cells.append((text, offset + start + lead, offset + start + lead + len(text)))
        start += len(part) + 1
    if line.lstrip().startswith("|"):
        cells = cells[1:]
    if line.rstrip().endswith("|"):
        cells = cells[:-1]
    return cells


def table_facts(body: str, names: list[str], base: dict) -> list[Fact]:
    """Sizes and training tokens from a model card's markdown table whose rows are named
    for the model ("Llama 2 | … | 7B | … | 2.0T"): a row named for another model, or
    another version, gives nothing."""
    from kbuild.normalize.params import normalize_params
    from kbuild.normalize.tokens import normalize_tokens

    facts: list[Fact] = []
    keys = [name_key(n) for n in names if len(name_key(n)) >= 2]
    offset = 0
    header: list[tuple[str, int, int]] | None = None
    for line in body.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if "|" not in stripped:
            header = None
        elif header is None:
            header = _cells(stripped, offset)
        elif not re.fullmatch(r"[\s|:-]+", stripped):
            cells = _cells(stripped, offset)
            label = name_key(re.sub(r"<[^>]+>|[*_]", "", cells[0][0])) if cells else ""
            rest = [label[len(k) :] for k in keys if label.startswith(k)]
            # the model's own row, or one of its sizes ("Llama 2 7B"), not "Llama 2-Chat"
            if rest and any(r == "" or re.fullmatch(r"\d+(?:\.\d+)?[bmk]", r) for r in rest):
                for (title, _, _), (text, start, end) in zip(header, cells, strict=False):
                    title = re.sub(r"<[^>]+>|[*_]", "", title).strip()
                    field = (
                        "params" if SIZE_HEADER.match(title)
                        else "tokens" if TOKENS_HEADER.match(title) else None
                    )  # fmt: skip
                    if field is None or not text:
                        continue
                    parsed = normalize_params(text) if field == "params" else normalize_tokens(text)
                    if not parsed.value:
                        continue
                    facts.append(
                        Fact(
                            field=field,
                            value=text,
                            normalized=parsed,
                            locator={
                                "span": [start, end],
                                "line": _line(body, start),
                                "column": title,
                            },  # fmt: skip
                            quote=body[start:end],
                            confidence=0.8,
                            **base,
                        )
                    )
        offset += len(line)
    return facts
