"""What people take away from the knowledge base built from ../shared/corpus: a sourced
card (`kbuild card`), pictures (`kbuild plot`), files (`kbuild export`, ClaimReview
JSON-LD), the lineage table, and the notebook, executed."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import nbformat
import pymupdf
import pytest
from click.testing import CliRunner
from nbclient import NotebookClient
from pyld import jsonld

from kbuild.check.runner import check
from kbuild.cli import cli
from kbuild.publish import charts
from kbuild.publish.card import markdown, sourced_card
from kbuild.publish.export import _cell

REPO = Path(__file__).resolve().parents[1]


def run(corpus_kb, *args: str):
    return CliRunner().invoke(cli, ["--db", str(corpus_kb.db_path), *args])


# --- kbuild card ------------------------------------------------------------------------


def test_card_prints_a_card_with_a_footnote_per_value(corpus_kb):
    result = run(corpus_kb, "card", "BERT")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith('### BERT\n"""\nName: BERT\n')
    assert "Num. Params: 110M, 340M[^" in text
    assert "Date (of first known publication): 2018-10-11[^" in text
    refs = re.findall(r"\[\^(\d+)\](?!:)", text)
    notes = dict(re.findall(r"^\[\^(\d+)\]: (.+)$", text, re.M))
    assert refs and set(refs) == set(notes)  # every value has its footnote
    date_note = next(n for n in notes.values() if "1810.04805v1" in n)
    assert "“Thu, 11 Oct 2018 00:00:00 GMT”" in date_note
    assert any("<https://arxiv.org/pdf/1810.04805#page=" in n for n in notes.values())
    assert any(re.search(r"edit#gid=0&range=\d+:\d+>$", n) for n in notes.values())


def test_card_marks_the_fields_whose_sources_disagree(corpus_kb):
    # RoBERTa: the paper's first page says UW and Facebook AI, the catalog UW and Google
    text = run(corpus_kb, "card", "RoBERTa").output
    assert "⚠ Sources disagree on: Lab" in text
    (lab_note,) = [
        line for line in text.splitlines() if line.startswith("[^") and "Facebook AI" in line
    ]
    assert "⚠ Sources disagree: " in lab_note
    # BLOOM's paper after its release is a variant: no warning
    assert "⚠" not in run(corpus_kb, "card", "BLOOM").output


def test_card_leaves_out_what_a_table_audit_flags(corpus_kb):
    text = run(corpus_kb, "card", "ELECTRA").output
    assert "Application:" not in text.split('"""')[1]
    assert "Left out: Application “03/2020” (catalog)" in text


def test_card_by_any_name_and_a_clear_error_for_none(corpus_kb):
    by_alias = json.loads(run(corpus_kb, "card", "OpenAI GPT", "--format", "json").output)
    assert by_alias["model_id"] == "gpt-1"
    assert all(f["evidence"]["url"].startswith("https://") for f in by_alias["fields"])
    missing = run(corpus_kb, "card", "Lamma")
    assert missing.exit_code == 1
    assert "no model goes by 'Lamma'; closest: LLaMA" in missing.output


def test_a_card_kbuild_wrote_checks_out(corpus_kb, tmp_path):
    """The inverse of kbuild check: no claim of a written card is contradicted or
    unreadable; a claim is unverified or partly supported only where its value rests on
    the card's own origin alone; the rest is supported."""
    db = corpus_kb.db
    ids = [r["id"] for r in db.query("select id from models where origin = 'sources.toml'")]
    post = tmp_path / "cards.md"
    post.write_text("\n".join(markdown(sourced_card(db, i)) for i in ids))
    results = check(db, post)
    cards = [r for r in results if r.claim["kind"] == "card"]
    assert not [r for r in results if r.claim["kind"] == "prose"]  # footnotes are citations
    verdicts = Counter(r.verdict.verdict for r in cards)
    assert set(verdicts) <= {"supported", "unverified", "partially_supported"}, verdicts
    assert verdicts["supported"] > len(cards) / 2
    witnesses = {
        (r["model_id"], r["field"]): r["agreeing"] for r in db.query("select * from corroboration")
    }
    for r in cards:
        if r.verdict.verdict == "unverified":
            # only one witness (the origin and its copies) states it
            assert witnesses.get((r.claim["model_id"], r.claim["field"]), 1) <= 1, r.claim
            # (or a lab within the organisation the others name: consistent, not confirmed)
            explanation = r.verdict.explanation
            assert any(w in explanation for w in ("origin", "repeats", "not confirmed"))
        if r.verdict.verdict == "partially_supported":
            assert r.claim["field"] in ("params", "corpus"), r.claim
            assert "only this card's origin" in r.verdict.explanation or "names" in (
                r.verdict.explanation
            )


# --- kbuild plot ------------------------------------------------------------------------


def test_plot_writes_png_and_svg_with_readable_labels(corpus_kb, tmp_path):
    out = tmp_path / "plots"
    result = run(corpus_kb, "plot", str(out))
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == {f"{c}.{ext}" for c in charts.CHARTS for ext in ("png", "svg")}
    for name in charts.CHARTS:
        pix = pymupdf.Pixmap(str(out / f"{name}.png"))
        assert pix.width >= 1500 and pix.height >= 500, name
        svg = (out / f"{name}.svg").read_text()
        assert svg.startswith("<svg") and ">BERT<" in svg, name
    assert "parameters (largest size)" in (out / "params.svg").read_text()
    assert "log scale" in (out / "params.svg").read_text()


@pytest.mark.parametrize("name", charts.CHARTS)
def test_no_two_names_overlap_on_a_chart(corpus_kb, name):
    db = corpus_kb.db
    found = charts.points(db.query(charts.SQL))
    plt, _ = charts._pyplot()
    if name == "lineage":
        fig, _ = charts.lineage_figure(found, list(db.query("select * from lineage")), str)
    else:
        fig, _ = charts.FIGURES[name](found, str)
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [
        (t.get_text(), t.get_window_extent(renderer))
        for ax in fig.axes
        for t in ax.texts
        if t.get_visible() and t.get_text()
    ]
    plt.close(fig)
    assert len(boxes) >= 20
    overlapping = [
        (a, b) for i, (a, box) in enumerate(boxes) for b, other in boxes[i + 1 :]
        if box.overlaps(other)
    ]  # fmt: skip
    assert overlapping == []


def test_charts_put_models_on_their_dates(corpus_kb):
    found = {p["id"]: p for p in charts.points(corpus_kb.db.query(charts.SQL))}
    assert found["bert"]["date"] == "2018-10-11" and found["bert"]["params"] == 340_000_000
    assert found["transformer"]["day"].isoformat() == "2017-06-12"
    assert all(p["day"].year >= charts.SINCE for p in found.values())


# --- kbuild export ------------------------------------------------------------------------


def test_export_writes_cards_facts_and_lineage_with_provenance(corpus_kb, tmp_path):
    result = run(corpus_kb, "export", str(tmp_path / "out"), "--site", "https://kb.example.org")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    facts = json.loads((out / "facts.json").read_text())
    db = corpus_kb.db
    assert len(facts) == db.execute("select count(*) from evidence").fetchone()[0]
    assert {"url", "locator", "quote", "source", "document_location", "document_sha256"} <= set(
        facts[0]
    )
    cards = json.loads((out / "cards.json").read_text())
    bert_date = next(c for c in cards if c["model_id"] == "bert" and c["field"] == "date")
    assert bert_date["url"] == "https://arxiv.org/abs/1810.04805v1"
    header = (out / "cards_wide.csv").read_text().splitlines()[0]
    assert header.startswith("model_id,name,link,link_source,link_url,family")
    assert (out / "lineage.csv").read_text().count("\n") > 100
    assert not list(out.rglob("*.partial"))


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    assert _cell('=HYPERLINK("http://x", "y")') == '\'=HYPERLINK("http://x", "y")'
    assert _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("BERT") == "BERT" and _cell(3) == 3


SCHEMA_ORG_CONTEXT = {"@context": {"@vocab": "https://schema.org/", "id": "@id", "type": "@type"}}
# The schema.org properties a ClaimReview export may use (of ClaimReview, Review, Rating,
# Claim, CreativeWork and Thing).
SCHEMA_ORG_PROPERTIES = {
    "claimReviewed", "reviewRating", "itemReviewed", "datePublished", "author", "citation",
    "ratingValue", "bestRating", "worstRating", "alternateName", "ratingExplanation",
    "appearance", "about", "name", "description", "url", "text",
}  # fmt: skip


def test_claim_reviews_are_json_ld_with_the_schema_org_context(corpus_kb, tmp_path):
    run(corpus_kb, "export", str(tmp_path / "out"), "--site", "https://kb.example.org")
    (path,) = (tmp_path / "out" / "claimreview").glob(f"{corpus_kb.post.stem}-*.jsonld")
    document = json.loads(path.read_text())
    assert document["@context"] == "https://schema.org"

    def loader(url, options=None):  # no network: the context schema.org serves, locally
        assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
        return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_ORG_CONTEXT}

    expanded = jsonld.expand(document, {"documentLoader": loader})
    used = set()

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if not key.startswith("@"):
                    assert key.startswith("https://schema.org/"), key
                    used.add(key.removeprefix("https://schema.org/"))
                walk(value)

    walk(expanded)
    assert used <= SCHEMA_ORG_PROPERTIES, used - SCHEMA_ORG_PROPERTIES
    reviews = document["@graph"]
    stored = corpus_kb.db.execute(
        "select count(*) from claims where post = ?", [corpus_kb.post.name]
    ).fetchone()[0]
    assert len(reviews) == stored
    distilbert = next(r for r in reviews if r["claimReviewed"].startswith("DistilBERT — date"))
    assert distilbert["reviewRating"]["alternateName"] == "Contradicted"
    assert distilbert["reviewRating"]["ratingValue"] == 1
    assert distilbert["citation"]["url"] == "https://arxiv.org/abs/1910.01108v1"
    assert distilbert["itemReviewed"]["appearance"]["name"] == "evolution_of_llms.md"
    assert distilbert["itemReviewed"]["appearance"]["description"].startswith("line ")
    assert distilbert["itemReviewed"]["about"]["url"] == "https://kb.example.org/model/distilbert"


# --- lineage ------------------------------------------------------------------------------


def edges(db) -> set[tuple[str, str, str]]:
    return {(r["model_id"], r["kind"], r["parent_id"]) for r in db.query("select * from lineage")}


def test_lineage_reads_every_kind_of_source(corpus_kb):
    found = edges(corpus_kb.db)
    assert ("distilbert", "distilled_from", "bert") in found  # catalog Extension
    assert ("alpaca", "fine_tuned_from", "llama") in found  # catalog Extension, Epoch
    assert ("roberta", "same_family", "bert") in found  # catalog Family
    assert ("bloomz", "extends", "bloom") in found  # ecosystem-graphs dependencies
    assert ("deepseek-r1", "fine_tuned_from", "deepseek-v3") in found  # Epoch base model
    vias = {r["via"] for r in corpus_kb.db.query("select distinct via from lineage")}
    assert vias == {"base_model", "dependencies", "family", "extension", "text"}
    text = {
        (r["model_id"], r["parent_id"])
        for r in corpus_kb.db.query("select * from lineage where via = 'text'")
    }
    assert ("longformer", "roberta") in text  # "Longformer is based on RoBERTa" (HF docs)


def test_lineage_leaves_out_methods_datasets_and_comparisons(corpus_kb):
    found = edges(corpus_kb.db)
    assert not any(p == "flan" for m, _, p in found if m in ("flan-t5", "flan-palm"))
    assert ("sparrow", "fine_tuned_from", "gophercite") not in found  # "a la GopherCite"
    assert ("dolly", "extends", "alpaca") not in found  # "Alpaca dataset"
    assert ("anthropic-assistant", "fine_tuned_from", "gpt-3") in found  # stated "based on"
    assert not any(p == "transformer" for *_, p in found)
    # the catalog's family "GPT" is the decoder family, not GPT-1 (whose alias it is)
    assert not [m for m, kind, p in found if kind == "same_family" and p == "gpt-1"]
    # "T5, BERT, GPT" (Megatron): a framework for several families, a member of none
    assert not [p for m, kind, p in found if m == "megatron" and kind == "same_family"]


def test_every_lineage_edge_quotes_its_evidence_at_its_locator(corpus_kb):
    db = corpus_kb.db
    for edge in db.query("select * from lineage"):
        assert edge["url"].startswith("https://"), edge
        locator = json.loads(edge["locator"])
        if edge["fact_id"]:
            assert db["facts"].get(edge["fact_id"])["quote"] == edge["quote"]
        else:
            body = db["documents"].get(edge["document_id"])["body"]
            assert body[locator["span"][0] : locator["span"][1]] == edge["quote"]


# --- the notebook --------------------------------------------------------------------------


def test_the_notebook_is_kept_without_outputs():
    nb = nbformat.read(REPO / "notebooks" / "explore.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_the_notebook_runs_on_the_knowledge_base(corpus_kb, monkeypatch):
    monkeypatch.setenv("KBUILD_DB", str(corpus_kb.db_path))
    nb = nbformat.read(REPO / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO / "notebooks")}},
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") + json.dumps(o.get("data", {})) for o in outputs)
    assert "Num. Params: 110M, 340M" in text  # BERT's card
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 3  # timeline, parameters, family tree
    assert "contradicted" in text  # the post's summary
    assert os.environ["KBUILD_DB"].endswith("kb.db")


def test_a_card_is_paste_safe_and_reads_as_people_write(corpus_kb):
    llama2 = run(corpus_kb, "card", "Llama 2").output
    block = llama2.split('"""')[1]
    assert all(":" in line for line in block.strip().splitlines())  # no value broken in two
    assert "License: Llama 2 Community License Agreement[^" in llama2  # its name, not its id
    falcon2 = run(corpus_kb, "card", "Falcon 2").output
    # a table's bare number shown as a size, then the cell as it reads
    assert "“11B”, the cell reads “11000000000.0”" in falcon2
