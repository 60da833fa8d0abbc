"""Build a large SYNTHETIC knowledge base from the real one, for the query benchmarks.

    .venv/bin/python benchmarks/generate_kb.py OUT.db [--facts 1000000] [--base KB.db]
                                                   [--copy primary|all]

The base is the knowledge base of the shared corpus (built with `kbuild fetch` and
`kbuild extract` from sources.toml into a temporary folder, unless --base names one).
Copy k of a model is "<name> Syn<k>" (id "<id>-syn<k>", no aliases), with copies of its
documents (address suffixed "#syn<k>", bodies and files left out) and their facts; copies are
added until the facts number at least --facts. `--copy primary` (the default) copies
the models that have a paper, record or doc page, with those documents: a large
knowledge base as it grows, tables keeping the rows they have. `--copy all` copies every
model and every table too (each table k+1 times: a worst case for what reads tables).
The derived tables (card_values, cards, conflicts, model_names, lineage, name_words)
are then built by kbuild's own code, as `extract` builds them. (Copies have no bodies and
no extraction marks: do not run `kbuild extract` on the result — it would read every
copy again and find nothing. benchmarks/one_document_changed.py measures a re-run.)
Every copied row is marked synthetic by its "Syn<k>" name and "-syn<k>" id.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlite_utils  # noqa: E402

from kbuild.extract.runner import build_derived  # noqa: E402
from kbuild.store import TABLES, ensure_schema  # noqa: E402


def build_base(folder: Path) -> Path:
    """The real knowledge base of the shared corpus, built the way a user builds it."""
    db = folder / "base.db"
    for step in (["fetch", "-q"], ["extract", "-q"]):
        subprocess.run(
            [sys.executable, "-m", "kbuild", "--sources", str(REPO / "sources.toml"),
             "--db", str(db), *step],
            cwd=REPO, check=False, capture_output=True,
        )  # fmt: skip
    return db


def _columns(table: str) -> list[str]:
    return list(TABLES[table]["columns"])


PRIMARY = "('arxiv', 'hf_doc', 'pdf')"


def add_copy(db: sqlite_utils.Database, k: int, step: int, primary: bool) -> None:
    """Copy k of every base model with its documents (ids below ``step``) and facts
    (one transaction)."""
    offset = k * step
    tag, name = f"-syn{k}", f" Syn{k}"
    model_cols = _columns("models")
    doc_cols = _columns("documents")
    fact_cols = _columns("facts")

    def pick(cols: list[str], replace: dict[str, str]) -> str:
        return ", ".join(replace.get(c, f"[{c}]") for c in cols)

    docs = f"id < {step}" + (f" and source in {PRIMARY}" if primary else "")
    models = "id not like '%-syn%'" + (
        f" and id in (select model_id from documents where {docs})" if primary else ""
    )
    with db.atomic():
        db.execute(
            f"insert into models ({pick(model_cols, {})}) select "
            + pick(model_cols, {"id": f"id || '{tag}'", "name": f"name || '{name}'",
                                "aliases": "'[]'",
                                # a doc slug and an arXiv id are a model's own
                                "hf_doc_slug": f"hf_doc_slug || '{tag}'",
                                "arxiv_id": f"arxiv_id || '{tag}'"})
            + f" from models where {models}"
        )  # fmt: skip
        db.execute(
            f"insert into documents ({pick(doc_cols, {})}) select "
            + pick(doc_cols, {
                "id": f"id + {offset}",
                "location": f"location || '#syn{k}'",
                "model_id": f"model_id || '{tag}'",
                "body": "null",
                "blob": "null",
            })
            + f" from documents where {docs}"
        )  # fmt: skip
        db.execute(
            f"insert into facts ({pick(fact_cols, {})}) select "
            + pick(fact_cols, {
                "id": f"id || '{tag}'",
                "document_id": f"document_id + {offset}",
                "model_id": f"model_id || '{tag}'",
            })
            + f" from facts where document_id in (select id from documents where {docs})"
        )  # fmt: skip
        anomaly_cols = _columns("anomalies")
        db.execute(
            f"insert into anomalies ({pick(anomaly_cols, {})}) select "
            + pick(anomaly_cols, {
                "fact_id": f"fact_id || '{tag}'",
                "document_id": f"document_id + {offset}",
                "like_model_id": f"like_model_id || '{tag}'",
            })
            + f" from anomalies where document_id in (select id from documents where {docs})"
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--base", type=Path)
    parser.add_argument("--copy", choices=["primary", "all"], default="primary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.base or build_base(Path(tmp))
        for stale in (args.out, args.out.with_name(args.out.name + "-journal")):
            stale.unlink(missing_ok=True)  # a journal left by a killed run would be replayed
        shutil.copy(base, args.out)
    db = sqlite_utils.Database(args.out)
    ensure_schema(db)
    db.execute("delete from local_copies")  # paths of the machine that built the base
    db.execute("delete from claims")
    db.execute("delete from verdicts")
    base_facts = db["facts"].count
    step = db.execute("select max(id) from documents").fetchone()[0] + 1
    start = time.perf_counter()
    k = 0
    while db["facts"].count < args.facts:
        k += 1
        add_copy(db, k, step, args.copy == "primary")
        print(f"copy {k}: {db['facts'].count:,} facts", end="\r", file=sys.stderr)
    print(file=sys.stderr)
    copied = time.perf_counter() - start
    start = time.perf_counter()
    build_derived(db, full=True)
    derived = time.perf_counter() - start
    db.execute("analyze")
    print(
        f"{args.out}: {db['models'].count:,} models, {db['documents'].count:,} documents, "
        f"{db['facts'].count:,} facts ({base_facts:,} real, {k} synthetic copies); "
        f"copies {copied:.1f} s, cards/model_names/lineage/name_words {derived:.1f} s, "
        f"{args.out.stat().st_size / 1e6:.0f} MB"
    )


if __name__ == "__main__":
    main()
