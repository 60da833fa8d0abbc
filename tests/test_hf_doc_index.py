"""The model-doc index as a source of models: every Hugging Face model-doc page is a model
(or a family) that a page's title names, matched to the tracked models as a table row
would be, after every table, and never folded into another model; a page's quoted
abstract is read as its paper's own words.

The pages and the toctree below are written for these tests, in the layout of the real
docs; the slugs, titles, arXiv ids, authors and sizes they state are true.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from werkzeug import Request, Response

from kbuild import config, models
from kbuild.config import SourcesError, name_key
from kbuild.extract import hf_docs as extract_hf_docs
from kbuild.extract import runner as extract_runner
from kbuild.extract.statements import Subject
from kbuild.fetch.hf_doc_index import (
    PageEntry,
    local_index,
    page_title,
    title_names,
    toctree_entries,
)
from kbuild.store import open_db
from kbuild.tables import spec as table_spec
from kbuild.tables.formats import read
from kbuild.tables.match import match_sources

from .conftest import REPO, need_corpus

HEADER = "<!--Copyright 2024 The HuggingFace Team. All rights reserved.\n-->\n\n"


def page(title: str, overview: str, *, abstract: str | None = None, lead: str = "") -> str:
    """A model-doc page in the pre-2025 layout: a title, an overview, maybe a quoted
    abstract (``lead`` names whose paper it is, as some pages do), then the API part."""
    text = f"{HEADER}# {title}\n\n## Overview\n\n{overview}\n"
    if abstract is not None:
        text += f"\nThe abstract from the {lead + ' ' if lead else ''}paper is the following:\n"
        text += f"\n*{abstract}*\n"
    config_class = re.sub(r"\W", "", title) + "Config"
    return text + f"\n## {config_class}\n\n[[autodoc]] {config_class}\n"


def proposed(name: str, arxiv_id: str, title: str, authors: str) -> str:
    link = f"[{title}](https://arxiv.org/abs/{arxiv_id})"
    return f"The {name} model was proposed in {link} by {authors}."


DISTILBERT = page(
    "DistilBERT",
    proposed(
        "DistilBERT",
        "1910.01108",
        "DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter",
        "Victor Sanh, Lysandre Debut, Julien Chaumond and Thomas Wolf",
    ),
    abstract=(
        "We shrink BERT by knowledge distillation while pretraining. DistilBERT keeps six "
        "Transformer encoder layers and has 66 million parameters. It outperforms ELMo on "
        "most GLUE tasks. BERT-base has 110 million parameters."
    ),
)
PAGES = {
    "bert.md": page(
        "BERT",
        proposed(
            "BERT",
            "1810.04805",
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "Jacob Devlin, Ming-Wei Chang, Kenton Lee and Kristina Toutanova",
        ),
    ),
    "distilbert.md": DISTILBERT,
    "llama2.md": page(
        "Llama 2",
        proposed(
            "Llama 2",
            "2307.09288",
            "Llama 2: Open Foundation and Fine-Tuned Chat Models",
            "Hugo Touvron et al.",
        ),
    ),
    "llama3.md": page(
        "Llama3",
        proposed("Llama 3", "2407.21783", "The Llama 3 Herd of Models", "the Llama team at Meta"),
    ),
    "deberta.md": page(
        "DeBERTa",
        proposed(
            "DeBERTa",
            "2006.03654",
            "DeBERTa: Decoding-enhanced BERT with Disentangled Attention",
            "Pengcheng He, Xiaodong Liu, Jianfeng Gao and Weizhu Chen",
        ),
    ),
    # the second version's page cites the first paper, whose abstract is DeBERTa's
    "deberta-v2.md": page(
        "DeBERTa-v2",
        proposed(
            "DeBERTa",
            "2006.03654",
            "DeBERTa: Decoding-enhanced BERT with Disentangled Attention",
            "Pengcheng He, Xiaodong Liu, Jianfeng Gao and Weizhu Chen",
        ),
        abstract="We present a model with disentangled attention; its largest version has "
        "1.5 billion parameters.",
    ),
    "qwen2.md": page(
        "Qwen2",
        proposed("Qwen2", "2407.10671", "Qwen2 Technical Report", "the Qwen team"),
    ),
    "qwen2_moe.md": page(
        "Qwen2MoE",
        proposed("Qwen2MoE", "2407.10671", "Qwen2 Technical Report", "the Qwen team"),
    ),
    "xlm-roberta.md": page(
        "XLM-RoBERTa",
        proposed(
            "XLM-RoBERTa",
            "1911.02116",
            "Unsupervised Cross-lingual Representation Learning at Scale",
            "Alexis Conneau et al.",
        ),
    ),
    "xlm-roberta-xl.md": page(
        "XLM-RoBERTa-XL",
        proposed(
            "XLM-RoBERTa-XL",
            "2105.00572",
            "Larger-Scale Transformers for Multilingual Masked Language Modeling",
            "Naman Goyal, Jingfei Du, Myle Ott, Giri Anantharaman and Alexis Conneau",
        ),
    ),
    "gpt_neox.md": page(
        "GPT-NeoX",
        proposed(
            "GPT-NeoX-20B",
            "2204.06745",
            "GPT-NeoX-20B: An Open-Source Autoregressive Language Model",
            "Sid Black et al.",
        ),
    ),
    "code_llama.md": page(
        "CodeLlama",
        proposed(
            "Code Llama",
            "2308.12950",
            "Code Llama: Open Foundation Models for Code",
            "Baptiste Rozière et al.",
        ),
    ),
    # Google's REALM (2020) is not Apple's ReALM (2024): the same name, two papers
    "realm.md": page(
        "REALM",
        proposed(
            "REALM",
            "2002.08909",
            "REALM: Retrieval-Augmented Language Model Pre-Training",
            "Kelvin Guu, Kenton Lee, Zora Tung, Panupong Pasupat and Ming-Wei Chang",
        ),
    ),
    "blt.md": page(
        "Byte Latent Transformer (BLT)",
        proposed(
            "BLT",
            "2412.09871",
            "Byte Latent Transformer: Patches Scale Better Than Tokens",
            "Artidoro Pagnoni et al.",
        ),
    ),
    "encoder-decoder.md": page(
        "Encoder Decoder Models",
        "Any pretrained encoder and any pretrained decoder can be joined into one model.",
    ),
    "mistral.md": page(
        "Mistral",
        proposed("Mistral", "2310.06825", "Mistral 7B", "Albert Jiang et al."),
    ),
}


def tracked(name: str, arxiv: str | None = None, hf_doc: str | None = None, **more) -> dict:
    entry = {"name": name, **more}
    if arxiv:
        entry["arxiv"] = arxiv
    if hf_doc:
        entry["hf_doc"] = hf_doc
    return entry


TRACKED = [
    tracked("BERT", "1810.04805", "bert"),
    tracked("Llama 2", "2307.09288", "llama2"),
    tracked("DeBERTa", "2006.03654", "deberta"),
    tracked("Qwen2", "2407.10671", "qwen2"),
    tracked("XLM-RoBERTa", "1911.02116", "xlm-roberta"),
    tracked("GPT-NeoX-20B", "2204.06745"),
    tracked("Code Llama"),
    tracked("ReALM", "2403.20329"),
    tracked("Mistral 7B", "2310.06825", "mistral"),
    tracked("Mistral"),
]


def write_pages(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def stored_models(kb) -> dict[str, dict]:
    return {
        m["id"]: {**m, "aliases": json.loads(m["aliases"])} for m in kb.rows("select * from models")
    }


def model_of(kb, slug: str) -> dict | None:
    found = [m for m in stored_models(kb).values() if m["hf_doc_slug"] == slug]
    assert len(found) <= 1, found
    return found[0] if found else None


@pytest.fixture
def folder_kb(kb, tmp_path):
    write_pages(tmp_path / "model_doc", PAGES)
    kb.write(TRACKED, hf_docs={"location": "model_doc"})
    return kb


# --- titles --------------------------------------------------------------------------------


def test_a_title_gives_a_name_and_the_other_name_in_its_parenthesis():
    assert title_names("Byte Latent Transformer (BLT)") == ("Byte Latent Transformer", ("BLT",))
    assert title_names("[DistilBERT](https://huggingface.co/papers/1910.01108)") == (
        "DistilBERT",
        (),
    )
    assert title_names('<img alt="PyTorch" src="x.svg"> **Qwen2MoE**') == ("Qwen2MoE", ())
    assert title_names("qwen2_moe") == ("qwen2_moe", ())
    assert title_names("<div></div>") is None


def test_the_title_is_the_first_heading_outside_comments_and_code():
    body = (
        "<!--\n# not a title\n-->\n```py\n# load the tokenizer\n```\n\n"
        "## GPT-Neo\n\nGPT-Neo is a model.\n\n## Usage\n"
    )
    assert page_title(body) == "GPT-Neo"
    assert page_title("## Overview\n\nThe series.\n\n## Qwen3NextConfig\n") is None
    assert page_title("# Llama3\n\n## Overview\n") == "Llama3"


def test_a_local_folder_is_an_index_of_every_slug(tmp_path):
    folder = write_pages(tmp_path / "docs", PAGES)
    (folder / "distilbert@919220d.md").write_text(DISTILBERT, encoding="utf-8")
    (folder / "qwen3_next.md").write_text("## Overview\n\nA series.\n", encoding="utf-8")
    entries, untitled = local_index(folder)
    by_slug = {e.slug: e for e in entries}
    assert set(by_slug) == {Path(name).stem for name in PAGES}
    assert untitled == ["qwen3_next"]
    assert by_slug["distilbert"] == PageEntry("distilbert", "DistilBERT", (), "1910.01108")
    assert by_slug["blt"] == PageEntry("blt", "Byte Latent Transformer", ("BLT",), "2412.09871")
    assert by_slug["encoder-decoder"].arxiv_id is None


# --- identity ------------------------------------------------------------------------------


def test_every_page_becomes_a_model_and_none_is_folded_into_another(folder_kb):
    report = folder_kb.fetch()
    assert not report.failed, report.failures
    assert model_of(folder_kb, "bert")["id"] == "bert"
    distilbert = model_of(folder_kb, "distilbert")
    assert (distilbert["name"], distilbert["origin"], distilbert["arxiv_id"]) == (
        "DistilBERT",
        "hf_docs",
        "1910.01108",
    )
    # a page whose paper is another model's is a model of its own, without that paper
    for slug, name, other, arxiv_id in [
        ("llama3", "Llama3", "llama-2", "2407.21783"),
        ("deberta-v2", "DeBERTa-v2", "deberta", None),
        ("qwen2_moe", "Qwen2MoE", "qwen2", None),
        ("xlm-roberta-xl", "XLM-RoBERTa-XL", "xlm-roberta", "2105.00572"),
    ]:
        found = model_of(folder_kb, slug)
        assert (found["name"], found["origin"], found["arxiv_id"]) == (
            name,
            "hf_docs",
            arxiv_id,
        ), slug
        assert found["id"] != other
    assert model_of(folder_kb, "llama2")["id"] == "llama-2"
    assert model_of(folder_kb, "deberta")["id"] == "deberta"


def test_a_page_joins_the_model_its_title_names_or_a_size_of_it(folder_kb):
    folder_kb.fetch()
    # "CodeLlama" is Code Llama spelled as the page spells it: the model gets the page,
    # its paper and that spelling
    code_llama = model_of(folder_kb, "code_llama")
    assert (code_llama["id"], code_llama["arxiv_id"]) == ("code-llama", "2308.12950")
    assert "CodeLlama" in code_llama["aliases"]
    # "GPT-NeoX" is the family whose one size is GPT-NeoX-20B, and they share a paper
    assert model_of(folder_kb, "gpt_neox")["id"] == "gpt-neox-20b"
    blt = model_of(folder_kb, "blt")
    assert (blt["name"], blt["aliases"]) == ("Byte Latent Transformer", ["BLT"])


def test_a_page_another_model_holds_or_two_papers_pull_apart_is_left_and_said(folder_kb):
    report = folder_kb.fetch()
    # Mistral 7B was given the page first (sources.toml): it keeps it
    assert model_of(folder_kb, "mistral")["id"] == "mistral-7b"
    assert model_of(folder_kb, "realm") is None  # REALM is not ReALM
    assert model_of(folder_kb, "encoder-decoder") is None
    assert "realm" not in {m["hf_doc_slug"] for m in stored_models(folder_kb).values()}
    said = " ".join(report.notes)
    assert "realm (the title is ReALM's" in said
    assert "mistral (the title names Mistral; the page stays Mistral 7B's)" in said
    index = report.tables["hf_doc_index"]
    assert (index["rows"], index["ambiguous"], index["unmatched"]) == (len(PAGES), 1, 1)


def test_every_page_of_every_model_is_stored(folder_kb, tmp_path):
    (tmp_path / "model_doc" / "distilbert@919220d.md").write_text(DISTILBERT, encoding="utf-8")
    folder_kb.fetch()
    pages = {
        (d["model_id"], d["location"].rsplit("/", 1)[-1]) for d in folder_kb.documents("hf_doc")
    }
    assert ("distilbert", "distilbert") in pages
    assert ("distilbert", "distilbert.md") in pages  # the older revision, at GitHub
    assert ("llama3", "llama3") in pages
    assert ("deberta-v2", "deberta-v2") in pages
    assert not any(slug in ("realm", "encoder-decoder") for _, slug in pages)


def test_tables_are_matched_first_and_a_page_adds_a_model_only_where_none_matches(tmp_path):
    raw = {"location": "t.csv", "name_column": "Model", "adds_models": True}
    spec = table_spec.parse("epoch", raw, None, Path("."))
    table = read("csv", "Model,Link\nCode Llama,https://arxiv.org/abs/2308.12950\n")
    pages = [
        PageEntry("code_llama", "CodeLlama", (), "2308.12950"),
        PageEntry("distilbert", "DistilBERT", (), "1910.01108"),
    ]
    found, rows, matches = match_sources([], [(spec, [(1, table)])], pages)
    by_name = {m["name"]: m for m in found}
    assert rows[0].status == "added"
    assert (matches[0].status, matches[0].model_id) == ("matched", by_name["Code Llama"]["id"])
    assert by_name["Code Llama"]["origin"] == "epoch"
    assert by_name["Code Llama"]["hf_doc_slug"] == "code_llama"
    assert (matches[1].status, by_name["DistilBERT"]["origin"]) == ("added", "hf_docs")


def test_the_matching_runs_again_when_the_folder_changes(folder_kb, tmp_path):
    folder_kb.fetch()
    again = folder_kb.fetch()
    assert not again.tables_matched_now
    assert "hf_doc_index" not in again.tables
    write_pages(tmp_path / "model_doc", {"t5v1.1.md": page("T5v1.1", "T5v1.1 improves T5.")})
    changed = folder_kb.fetch()
    assert changed.tables_matched_now
    assert model_of(folder_kb, "t5v1.1")["name"] == "T5v1.1"


# --- the online index ----------------------------------------------------------------------

TOCTREE = """\
- sections:
  - local: index
    title: Transformers
  title: Get started
- isExpanded: false
  sections:
  - sections:
    - local: main_classes/model
      title: Models
    title: Main Classes
  - sections:
    - isExpanded: false
      sections:
      - local: model_doc/bert
        title: BERT
      - local: model_doc/deberta-v2
        title: DeBERTa-v2
      - local: model_doc/llama3
        title: Llama3
      - local: model_doc/qwen2_moe
        title: Qwen2MoE
      title: Text models
    - isExpanded: false
      sections:
      - local: model_doc/vit
        title: Vision Transformer (ViT)
      title: Vision models
    - isExpanded: false
      sections:
      - local: model_doc/clip
        title: CLIP
      title: Multimodal models
    title: Models
  title: API
"""


def html_page(title: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><body><h1>{title}</h1><p>A test page about {title}.</p>"
        "</body></html>"
    ).encode()


class DocsSite:
    """The toctree at /docs/_toctree.yml (with an ETag) and an HTML page per slug."""

    def __init__(self, httpserver, toctree: str):
        self.toctree = toctree.encode()
        self.index = httpserver.url_for("/docs/_toctree.yml")
        self.pages = httpserver.url_for("/docs/transformers/model_doc/") + "{slug}"
        self.asked: list[str] = []
        httpserver.expect_request("/docs/_toctree.yml").respond_with_handler(self.index_answer)
        httpserver.expect_request(
            re.compile(r"^/docs/transformers/model_doc/.+")
        ).respond_with_handler(self.page_answer)

    def index_answer(self, request: Request) -> Response:
        etag = f'"{len(self.toctree)}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(self.toctree, content_type="text/plain", headers={"ETag": etag})

    def page_answer(self, request: Request) -> Response:
        slug = request.path.rsplit("/", 1)[-1]
        self.asked.append(slug)
        return Response(html_page(slug), content_type="text/html; charset=utf-8")


def test_the_online_index_is_the_toctree_stored_as_a_document(kb, httpserver):
    site = DocsSite(httpserver, TOCTREE)
    kb.write(
        [tracked("BERT", "1810.04805", "bert"), tracked("DeBERTa", "2006.03654", "deberta")],
        hf_docs={"location": site.pages, "index": site.index},
    )
    report = kb.fetch()
    assert not report.failed, report.failures
    (index,) = kb.documents("hf_doc_index")
    assert (index["location"], index["model_id"]) == (site.index, None)
    assert index["body"] == TOCTREE
    by_slug = {m["hf_doc_slug"]: m for m in stored_models(kb).values() if m["hf_doc_slug"]}
    assert set(by_slug) == {"bert", "deberta", "deberta-v2", "llama3", "qwen2_moe", "clip"}
    assert by_slug["deberta-v2"]["id"] != "deberta"
    assert by_slug["clip"]["origin"] == "hf_docs"
    assert "vit" not in site.asked  # a vision model is not tracked
    assert sorted(site.asked) == ["bert", "clip", "deberta", "deberta-v2", "llama3", "qwen2_moe"]
    # a second run asks again conditionally and matches nothing anew
    again = kb.fetch()
    assert again.counts["hf_doc_index"]["unchanged"] == 1
    assert not again.tables_matched_now


def test_an_answer_that_is_not_a_toctree_keeps_the_stored_index(kb, httpserver):
    site = DocsSite(httpserver, TOCTREE)
    kb.write(
        [tracked("BERT", "1810.04805", "bert")],
        hf_docs={"location": site.pages, "index": site.index},
    )
    kb.fetch()
    site.toctree = b"<!DOCTYPE html><html><body>Sign in</body></html>"
    report = kb.fetch()
    (failure,) = kb.failures("hf_doc_index")
    assert "no model_doc page" in failure["message"]
    assert len(kb.documents("hf_doc_index")) == 1
    assert model_of(kb, "llama3") is not None
    assert report.failed


def test_the_toctree_reads_only_text_and_multimodal_models():
    entries = toctree_entries(TOCTREE)
    assert [(e.slug, e.name) for e in entries] == [
        ("bert", "BERT"),
        ("deberta-v2", "DeBERTa-v2"),
        ("llama3", "Llama3"),
        ("qwen2_moe", "Qwen2MoE"),
        ("clip", "CLIP"),
    ]


def test_the_index_must_be_a_url(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('[hf_docs]\nlocation = "docs"\nindex = "toctree.yml"\n', encoding="utf-8")
    with pytest.raises(SourcesError, match=r"\[hf_docs\] index"):
        config.load(path)


# --- a quoted abstract ---------------------------------------------------------------------


def test_a_quoted_abstract_gives_the_papers_facts_marked_as_quoted(folder_kb):
    folder_kb.fetch()
    db = open_db(folder_kb.db_path)
    try:
        extract_runner.run(db)
        facts = list(
            db.query(
                "select f.*, d.location from facts f join documents d on d.id = f.document_id "
                "where f.model_id = 'distilbert' and d.source = 'hf_doc'"
            )
        )
    finally:
        db.close()
    quoted = [f for f in facts if json.loads(f["locator"]).get("quoted_abstract")]
    params = [f for f in quoted if f["field"] == "params"]
    assert [json.loads(f["normalized"]) for f in params] == [[66_000_000]]
    assert params[0]["confidence"] == extract_hf_docs.ABSTRACT_CONFIDENCE
    assert params[0]["url"] == "https://huggingface.co/docs/transformers/model_doc/distilbert"
    assert params[0]["quote"] in DISTILBERT
    # BERT-base's size and the comparison with ELMo are not DistilBERT's
    assert not [f for f in facts if "110 million" in f["quote"] or "ELMo" in f["quote"]]
    # the DeBERTa-v2 page quotes DeBERTa's abstract: not DeBERTa-v2's words (the page
    # still cites that paper for it)
    db = open_db(folder_kb.db_path)
    try:
        fields = [r["field"] for r in db.query("select * from facts where model_id = 'deberta-v2'")]
    finally:
        db.close()
    assert fields == ["arxiv_id"]


PHI = {"id": "phi-1", "name": "Phi-1", "aliases": [], "arxiv_id": "2306.11644"}
PHI_PAGE = (
    HEADER
    + "# Phi\n\n## Overview\n\n"
    + proposed("Phi-1", "2306.11644", "Textbooks Are All You Need", "Suriya Gunasekar et al.")
    + "\n\nThe abstract from the Phi-1 paper is the following:\n\n"
    + "*We introduce phi-1, a Transformer model for code with 1.3 billion parameters.*\n\n"
    + "The abstract from the Phi-1.5 paper is the following:\n\n"
    + "*We continue with phi-1.5, a model of 1.3 billion parameters trained on synthetic "
    + "textbook data, and we release it.*\n"
)


def test_an_abstract_the_lead_in_gives_to_another_paper_is_not_read():
    document = {"id": 1, "body": PHI_PAGE, "content_type": "text/markdown"}
    facts = extract_hf_docs.extract(document, PHI, Subject.of(PHI, [PHI]))
    quoted = [f for f in facts if f.locator.get("quoted_abstract")]
    assert [f.field for f in quoted] == ["params"]
    assert "phi-1," in quoted[0].quote
    assert not [f for f in facts if "phi-1.5" in f.quote]


def test_an_abstract_is_read_as_the_models_only_when_the_page_cites_its_paper():
    other = {**PHI, "arxiv_id": "2404.14219"}  # Phi-3's paper: the page is not its own
    document = {"id": 1, "body": PHI_PAGE, "content_type": "text/markdown"}
    facts = extract_hf_docs.extract(document, other, Subject.of(other, [other]))
    assert not [f for f in facts if f.locator.get("quoted_abstract")]
    assert not [f for f in facts if f.field == "params"]


# --- the real pages ------------------------------------------------------------------------


def test_the_real_pages_are_models_of_their_own():
    folder = need_corpus("hf_docs")
    entries, _ = local_index(folder)
    tracked_models = models.from_sources(config.load(REPO / "corpus.sources.toml").models)
    found, _, matches = match_sources(tracked_models, [], entries)
    by_slug = {m["hf_doc_slug"]: m for m in found if m["hf_doc_slug"]}
    assert by_slug["bert"]["id"] == "bert"
    assert by_slug["llama3"]["name"] == "Llama 3"
    assert by_slug["llama2"]["name"] == "Llama 2"
    for slug, name, other in [
        ("deberta-v2", "DeBERTa-v2", "deberta"),
        ("qwen2_moe", "Qwen2MoE", "qwen2"),
        ("xlm-roberta-xl", "XLM-RoBERTa-XL", "xlm-roberta"),
    ]:
        assert (by_slug[slug]["name"], by_slug[slug]["origin"]) == (name, "hf_docs"), slug
        assert by_slug[other]["id"] == other
    # models people write about that no table names: each page is one of them
    for slug in ("code_llama", "modernbert", "jamba"):
        assert name_key(by_slug[slug]["name"]) == name_key(slug), slug
    assert len(by_slug) >= 280
    statuses = {m.slug: m.status for m in matches}
    assert statuses["encoder-decoder"] == "unmatched"


def test_the_real_pages_quote_abstracts_read_as_their_papers(corpus_kb):
    db = corpus_kb.db
    models_with_pages = db.execute(
        "select count(distinct model_id) from current_documents where source = 'hf_doc'"
    ).fetchone()[0]
    assert models_with_pages >= 280
    rows = {
        (r["model_id"], r["value"]): r
        for r in db.query(
            "select f.model_id, f.value, f.locator, f.url from facts f "
            "join documents d on d.id = f.document_id where d.source = 'hf_doc' "
            "and f.field = 'params'"
        )
    }
    deepseek = rows[("deepseek-v3", "671B total parameters")]
    assert json.loads(deepseek["locator"])["quoted_abstract"] is True
    assert deepseek["url"] == "https://huggingface.co/docs/transformers/model_doc/deepseek_v3"
    llama = [r for (model, _), r in rows.items() if model == "llama"]
    assert any(json.loads(r["locator"]).get("quoted_abstract") for r in llama)


GPT2 = {"id": "gpt-2", "name": "GPT-2", "aliases": [], "arxiv_id": None}
GPT2_PAGE = (
    HEADER
    + "# OpenAI GPT2\n\n## Overview\n\nThe GPT-2 model was proposed in [Language Models are "
    + "Unsupervised Multitask Learners](https://cdn.openai.com/better-language-models/"
    + "language_models_are_unsupervised_multitask_learners.pdf) by Alec Radford, Jeffrey Wu, "
    + "Rewon Child, David Luan, Dario Amodei and Ilya Sutskever.\n\n"
    + "The abstract from the paper is the following:\n\n"
    + "*We train GPT-2, a Transformer language model with 1.5 billion parameters, on "
    + "WebText.*\n"
)


def test_an_abstract_of_a_paper_not_on_arxiv_is_the_models_whose_page_cites_it():
    document = {"id": 1, "body": GPT2_PAGE, "content_type": "text/markdown"}
    facts = extract_hf_docs.extract(document, GPT2, Subject.of(GPT2, [GPT2]))
    params = [f for f in facts if f.field == "params"]
    assert [(f.normalized.value, f.locator["quoted_abstract"]) for f in params] == [
        ([1_500_000_000], True)
    ]
