"""arXiv records (an Atom <entry> from the API, a line of the bulk metadata dump) →
arxiv_id, the v1 date, title and authors, each quoting body[span]; sizes, corpora,
objectives and architecture where the abstract states them about the model."""

from __future__ import annotations

import json

import pytest

from kbuild.extract import arxiv
from kbuild.extract.statements import Subject

from .extract_fixtures import KB, by_field, model, normalized

BERT = model("BERT")
ROBERTA = model("RoBERTa")
GPT2 = model("GPT-2", "GPT2")

# BERT's entry as the API returns it (id, title, v1 day, authors, category are true; the
# summary is written for this test).
ATOM_ENTRY = """<entry xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
    <id>http://arxiv.org/abs/1810.04805v2</id>
    <published>2018-10-11T00:00:00Z</published>
    <title>BERT: Pre-training of Deep Bidirectional Transformers for Language
  Understanding</title>
    <summary>  We introduce BERT, a bidirectional encoder pre-trained on BooksCorpus and English
Wikipedia with masked language modeling and next sentence prediction. BERT-Large has 340M
parameters.
</summary>
    <author>
      <name>Jacob Devlin</name>
    </author>
    <author>
      <name>Ming-Wei Chang</name>
    </author>
    <author>
      <name>Kenton Lee</name>
    </author>
    <author>
      <name>Kristina Toutanova</name>
    </author>
    <link href="http://arxiv.org/abs/1810.04805v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/1810.04805v2" rel="related"
      type="application/pdf"/>
    <arxiv:primary_category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>"""

# RoBERTa as one line of the bulk dump (true id, title, authors, v1 day, category; the
# abstract is written for this test). json.dumps escapes newlines as the dump does.
DUMP_RECORD = {
    "id": "1907.11692",
    "submitter": None,
    "authors": "Yinhan Liu, Myle Ott, Naman Goyal, Jingfei Du, Mandar Joshi, Danqi Chen, "
    "Omer Levy, Mike Lewis, Luke Zettlemoyer, Veselin Stoyanov",
    "title": "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
    "comments": None,
    "journal-ref": None,
    "doi": None,
    "categories": "cs.CL",
    "abstract": "  We revisit how a masked language model is pretrained.\nWe pretrain RoBERTa"
    " on BookCorpus, English Wikipedia, CC-News, OpenWebText and Stories. RoBERTa-large has"
    " 355M parameters.\n",
    "versions": [{"version": "v1", "created": "Fri, 26 Jul 2019 00:00:00 GMT"}],
    "update_date": "2019-07-26",
    "authors_parsed": [["Liu", "Yinhan", ""], ["Ott", "Myle", ""]],
}
DUMP_LINE = json.dumps(DUMP_RECORD)


@pytest.fixture
def kb(tmp_path):
    kb = KB(tmp_path / "kb.db")
    kb.add_models(BERT, ROBERTA, GPT2)
    return kb


@pytest.fixture
def atom(kb):
    document = kb.add_text(
        "arxiv",
        "https://export.arxiv.org/api/query?id_list=1810.04805",
        ATOM_ENTRY,
        model_id="bert",
        item="1810.04805",
        content_type="application/atom+xml",
    )
    return document, arxiv.extract(document, BERT)


@pytest.fixture
def dump(kb):
    document = kb.add_text(
        "arxiv",
        "papers.jsonl",
        DUMP_LINE,
        model_id="roberta",
        item="1907.11692",
        content_type="application/json",
    )
    return document, arxiv.extract(document, ROBERTA)


@pytest.mark.parametrize("record", ["atom", "dump"])
def test_every_quote_is_the_body_at_its_span_and_holds(kb, record, request):
    document, facts = request.getfixturevalue(record)
    assert facts
    for fact in facts:
        start, end = fact.locator["span"]
        assert fact.quote == document["body"][start:end]
        assert fact.locator["element"]
        assert kb.holds(fact), fact


def test_atom_entry_gives_the_metadata_facts(atom):
    _, facts = atom
    found = by_field(facts)
    (arxiv_id,) = found["arxiv_id"]
    assert arxiv_id.normalized.value == "1810.04805"
    assert arxiv_id.quote == "http://arxiv.org/abs/1810.04805v2"
    assert arxiv_id.locator["element"] == "id"
    (date,) = found["date"]
    assert date.normalized.value == "2018-10-11"
    assert date.normalized.qualifier == "paper_v1"
    assert date.quote == "2018-10-11T00:00:00Z"
    assert date.locator["element"] == "published"
    (title,) = found["title"]
    assert title.normalized.value == (
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    )
    assert "\n" in title.quote  # the quote keeps the feed's own line break
    assert [(a.normalized.value, a.normalized.qualifier) for a in found["authors"]] == [
        ("Jacob Devlin", "author 1"),
        ("Ming-Wei Chang", "author 2"),
        ("Kenton Lee", "author 3"),
        ("Kristina Toutanova", "author 4"),
    ]
    assert all(f.confidence == arxiv.METADATA_CONFIDENCE for f in found["authors"])


def test_atom_abstract_gives_what_it_states_about_the_model(atom):
    _, facts = atom
    found = by_field(facts)
    assert normalized(found["params"][0]) == [340_000_000]
    assert normalized(found["architecture"][0]) == "encoder"
    assert normalized(found["task"][0]) == ["MLM", "NSP"]
    assert normalized(found["corpus"][0]) == ["BookCorpus", "English Wikipedia"]
    for field in ("params", "architecture", "task", "corpus"):
        assert all(f.locator["element"] == "summary" for f in found[field])
        assert all(f.confidence == arxiv.ABSTRACT_CONFIDENCE for f in found[field])


def test_dump_line_gives_the_metadata_facts(dump):
    _, facts = dump
    found = by_field(facts)
    (arxiv_id,) = found["arxiv_id"]
    assert arxiv_id.normalized.value == "1907.11692"
    (date,) = found["date"]
    assert date.normalized.value == "2019-07-26"
    assert date.normalized.qualifier == "paper_v1"
    assert date.quote == "Fri, 26 Jul 2019 00:00:00 GMT"
    assert date.locator["element"] == "versions[0].created"
    assert found["title"][0].normalized.value == DUMP_RECORD["title"]
    (authors,) = found["authors"]
    assert authors.quote == DUMP_RECORD["authors"]


def test_dump_abstract_spans_index_the_raw_json_line(dump):
    document, facts = dump
    corpus = by_field(facts)["corpus"][0]
    assert normalized(corpus) == [
        "BookCorpus",
        "CC-News",
        "English Wikipedia",
        "OpenWebText",
        "Stories",
    ]
    assert corpus.locator["element"] == "abstract"
    assert normalized(by_field(facts)["params"][0]) == [355_000_000]


def test_the_date_is_the_first_version_not_the_latest(kb):
    record = dict(
        DUMP_RECORD,
        versions=[
            {"version": "v1", "created": "Fri, 26 Jul 2019 00:00:00 GMT"},
            {"version": "v2", "created": "Tue, 1 Oct 2019 00:00:00 GMT"},
        ],
    )
    document = kb.add_text("arxiv", "two-versions.jsonl", json.dumps(record), model_id="roberta")
    dates = by_field(arxiv.extract(document, ROBERTA))["date"]
    assert [d.normalized.value for d in dates] == ["2019-07-26"]


def test_sentences_about_other_models_are_not_this_models_facts(kb):
    record = dict(
        DUMP_RECORD,
        abstract="  GPT-2 has 1.5B parameters, and BERT-Large has 340M parameters.\n",
    )
    document = kb.add_text("arxiv", "others.jsonl", json.dumps(record), model_id="roberta")
    subject = Subject.of(ROBERTA, [BERT, ROBERTA, GPT2])
    facts = arxiv.extract(document, ROBERTA, subject)
    assert "params" not in by_field(facts)
