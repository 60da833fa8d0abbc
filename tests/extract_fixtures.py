"""Helpers for the `kbuild extract` tests: a small database of stored documents, generated
PDFs, and the shared corpus (located, never copied).

Facts used in the fixtures are true (arXiv ids, titles, authors, v1 days, sizes, labs); the
prose is written for these tests. The arXiv v1 time of day is not known here, so Atom
``published`` stamps carry the v1 day at 00:00:00Z, as the corpus' papers.jsonl does.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pymupdf

from kbuild.config import DEFAULT_TABLES
from kbuild.extract.tables import extract as extract_table
from kbuild.extract.tables import read_table
from kbuild.extract.verify import quote_holds
from kbuild.fetch.pdf import page_texts
from kbuild.store import Store, open_db
from kbuild.tables import spec as table_spec
from kbuild.tables.match import match_tables
from kbuild.tables.spec import TableSpec

from .conftest import CORPUS, REPO, need_corpus  # noqa: F401 - re-exported for tests


def catalog_cell(model: str, column: str) -> str:
    """One cell of the corpus' catalog CSV, by the model's Name and the column header."""
    path = need_corpus("catalog", "transformer_catalog.csv")
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        if row["Name"] == model:
            return row[column]
    raise KeyError(model)


def model(name: str, *aliases: str, model_id: str | None = None) -> dict:
    """A tracked model as the extractors take it."""
    return {
        "id": model_id or name.lower().replace(" ", "-"),
        "name": name,
        "aliases": list(aliases),
    }


class KB:
    """A fresh database with helpers to store documents the way `kbuild fetch` does."""

    def __init__(self, path: Path):
        self.db = open_db(path)
        self.store = Store(self.db, run_id="test")

    def add_models(self, *models: dict) -> None:
        self.store.save_models(
            [{**m, "origin": "sources.toml", "arxiv_id": m.get("arxiv_id")} for m in models]
        )

    def add_text(
        self,
        source: str,
        location: str,
        text: str,
        *,
        model_id: str | None = None,
        item: str | None = None,
        content_type: str | None = None,
    ) -> dict:
        saved = self.store.save_document(
            source=source,
            location=location,
            content=text.encode("utf-8"),
            fetcher="tests",
            model_id=model_id,
            item=item,
            content_type=content_type,
        )
        return self.document(saved.id)

    def add_pdf(self, location: str, blob: bytes, *, model_id: str) -> dict:
        saved = self.store.save_document(
            source="pdf",
            location=location,
            content=blob,
            fetcher="tests",
            model_id=model_id,
            binary=True,
            content_type="application/pdf",
        )
        if saved.new:
            self.store.save_pages(saved.id, page_texts(blob))
        return self.document(saved.id)

    def document(self, document_id: int) -> dict:
        return self.db["documents"].get(document_id)

    def pages(self, document_id: int) -> list[dict]:
        return list(
            self.db.query(
                "select page, text from pages where document_id = ? order by page", [document_id]
            )
        )

    def holds(self, fact) -> bool:
        """verify.quote_holds on a Fact (or a facts row)."""
        row = fact.row() if hasattr(fact, "row") else fact
        return quote_holds(self.db, row)

    def table_facts(self, document: dict, models: list[dict], spec: TableSpec | None = None):
        """What `kbuild extract` finds in a table document: its spec stored (as fetch stores
        it), its rows matched to ``models``, then the table extractor."""
        spec = spec or catalog_spec()
        self.db["sources"].upsert(
            {
                "name": spec.name,
                "kind": "table",
                "witness": spec.name,
                "spec": json.dumps(spec.as_json()),
            },
            pk="name",
        )
        table = read_table(spec, document)
        _, assignments = match_tables(
            [{"arxiv_id": None, "hf_doc_slug": None, **m} for m in models],
            [(spec, [(document["id"], table)])],
        )
        assigned = {a.row: a.as_row() for a in assignments if a.model_id}
        return extract_table(document, spec, assigned)

    def add_table(
        self, location: str, text: str, spec: TableSpec | None = None, **document_keys
    ) -> dict:
        """Store a table document the way `kbuild fetch` does: the document, its spec in
        ``sources``, and its rows matched to the stored models in ``table_rows``."""
        spec = spec or catalog_spec()
        document = self.add_text(spec.name, location, text, **document_keys)
        self.db["sources"].upsert(
            {"name": spec.name, "kind": "table", "witness": spec.name,
             "spec": json.dumps(spec.as_json())},
            pk="name",
        )  # fmt: skip
        models = [
            {**m, "aliases": json.loads(m["aliases"] or "[]")}
            for m in self.db.query("select * from models")
        ]
        _, assignments = match_tables(
            models, [(spec, [(document["id"], read_table(spec, document))])]
        )
        self.db["table_rows"].insert_all(
            [a.as_row() for a in assignments], pk=("document_id", "row"), replace=True
        )
        return document


def catalog_spec(**keys) -> TableSpec:
    """The built-in catalog table (loose headers) reading catalog.csv, adding no models
    unless ``keys`` say so."""
    raw = {**DEFAULT_TABLES["catalog"], "location": "catalog.csv", "adds_models": False, **keys}
    return table_spec.parse("catalog", raw, None, Path("."))


def make_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with one text line per entry, 20 points apart, on each page."""
    document = pymupdf.open()
    for lines in pages:
        page = document.new_page()
        for number, line in enumerate(lines):
            page.insert_text((72, 72 + 20 * number), line, fontsize=11)
    blob = document.tobytes()
    document.close()
    return blob


def by_field(facts) -> dict[str, list]:
    """Facts grouped by field."""
    grouped: dict[str, list] = {}
    for fact in facts:
        grouped.setdefault(fact.field, []).append(fact)
    return grouped


def normalized(fact) -> object:
    """A Fact's normalized value as stored (lists as lists)."""
    text = fact.normalized.as_text()
    if text is not None and text.startswith("["):
        return json.loads(text)
    return text


# --- a small knowledge base: three models, every source -------------------------------------

SMALL_MODELS = [model("BERT"), model("RoBERTa"), model("BLOOM")]

SMALL_CATALOG = "\n".join(
    [
        "Name,Family,Pretraining Architecture,Pretraining Task,"
        "Date (of first known publication),Num. Params,Corpus,License,Lab,Link",
        'BERT,BERT,Encoder,MLM/NSP,10/2018,"Base = 110M, Large = 340M",'
        'Toronto Book Corpus and Wikipedia (3.3B Tokens),"Open, Apache-2.0",Google,'
        "https://huggingface.co/docs/transformers/model_doc/bert",
        "RoBERTa,BERT,Encoder,MLM (Dynamic),07/2019,356M,"
        'Same as BERT + CC News + OpenWebText + Stories ( 33B Tokens),"Open, MIT license",'
        "Facebook AI/UW,https://arxiv.org/abs/1907.11692",
        # BLOOM was released in July 2022; its arXiv v1 is 2022-11-09
        "BLOOM,GPT,Decoder,LM,07/2022,176B,"
        "366B tokens (1.5 TB of text data) multilingual dataset,"
        '"Open, but need to follow restrictions in Attachment A, BigScience RAIL License v1.0",'
        "Big Science/Huggingface,https://huggingface.co/docs/transformers/model_doc/bloom",
        "",
    ]
)


def dump_line(**record) -> str:
    """One record in the layout of the arXiv bulk metadata dump."""
    base = {
        "submitter": None,
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "cs.CL",
        "license": None,
    }
    # the dump writes "id" first (kbuild finds a record by it without parsing the line)
    return json.dumps({"id": record.pop("id"), **base, **record})


SMALL_ARXIV = {
    "bert": dump_line(
        id="1810.04805",
        authors="Jacob Devlin, Ming-Wei Chang, Kenton Lee, Kristina Toutanova",
        title="BERT: Pre-training of Deep Bidirectional Transformers for Language\n  Understanding",
        abstract="  We introduce BERT, a bidirectional encoder pre-trained with masked language"
        " modeling.\n",
        versions=[{"version": "v1", "created": "Thu, 11 Oct 2018 00:00:00 GMT"}],
    ),
    "roberta": dump_line(
        id="1907.11692",
        authors="Yinhan Liu, Myle Ott, Naman Goyal, Jingfei Du, Mandar Joshi, Danqi Chen, "
        "Omer Levy, Mike Lewis, Luke Zettlemoyer, Veselin Stoyanov",
        title="RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        abstract="  RoBERTa-large has 355M parameters.\n",
        versions=[{"version": "v1", "created": "Fri, 26 Jul 2019 00:00:00 GMT"}],
    ),
    "bloom": dump_line(
        id="2211.05100",
        authors="BigScience Workshop, Teven Le Scao, Angela Fan",
        title="BLOOM: A 176B-Parameter Open-Access Multilingual Language Model",
        abstract="  BLOOM is a decoder-only language model with 176B parameters.\n",
        versions=[{"version": "v1", "created": "Wed, 9 Nov 2022 00:00:00 GMT"}],
    ),
}

SMALL_HF_ROBERTA = (
    (
        "*This model was released on 2019-07-26 and added to Hugging Face Transformers on"
        " 2020-11-16.*\n"
    )
    + """
# RoBERTa

[RoBERTa](https://huggingface.co/papers/1907.11692) is an encoder-only model that keeps the
design of BERT and changes how it is pretrained.
"""
)

SMALL_BERT_PDF = [
    [
        "BERT: Pre-training of Deep Bidirectional Transformers for",
        "Language Understanding",
        "Jacob Devlin   Ming-Wei Chang   Kenton Lee   Kristina Toutanova",
        "Google AI Language",
        "Abstract",
        "BERT-Base has 110M parameters and BERT-Large has 340M parameters.",
    ]
]


def small_kb(path: Path) -> KB:
    """Three models with a catalog, three arXiv records, one HF page and one PDF."""
    from kbuild.fetch.arxiv import paper_from_dump

    kb = KB(path)
    kb.add_models(*SMALL_MODELS)
    kb.add_table("catalog.csv", SMALL_CATALOG, content_type="text/csv")
    for model_id, line in SMALL_ARXIV.items():
        record = json.loads(line)
        document = kb.add_text(
            "arxiv",
            "papers.jsonl",
            line,
            model_id=model_id,
            item=record["id"],
            content_type="application/json",
        )
        kb.store.save_paper(paper_from_dump(record, document["id"]))
    kb.add_text(
        "hf_doc",
        "https://huggingface.co/docs/transformers/model_doc/roberta",
        SMALL_HF_ROBERTA,
        model_id="roberta",
        content_type="text/markdown",
    )
    kb.add_pdf("1810.04805.pdf", make_pdf(SMALL_BERT_PDF), model_id="bert")
    return kb
