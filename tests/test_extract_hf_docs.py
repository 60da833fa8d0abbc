"""Hugging Face model-doc pages → the 'released on' date, the arXiv id of the model's own
paper, and what the overview states (architecture, sizes, objectives, corpora).

Pages are written for these tests in the layouts the real docs use: the 2025 model-card
layout (a "released on" line, a [Name](https://huggingface.co/papers/<id>) link), the
older one ("proposed in [title](https://arxiv.org/abs/<id>)") and the rendered HTML.
"""

from __future__ import annotations

import pytest

from kbuild.extract import hf_docs
from kbuild.extract.statements import Subject

from .extract_fixtures import KB, by_field, model, need_corpus, normalized

T5 = model("T5")
BERT = model("BERT")
ROBERTA = model("RoBERTa")
FALCON = model("Falcon")


def released(release: str, added: str) -> str:
    return (
        f"This model was released on {release} and added to Hugging Face Transformers on {added}."
    )


LICENCE_HEADER = """<!--Copyright 2020 The HuggingFace Team. All rights reserved.

Licensed under the Apache License, Version 2.0 (the "License").
-->
"""

MODERN = (
    LICENCE_HEADER
    + f"*{released('2019-10-23', '2020-11-16')}*\n"
    + """

<div style="float: right;">
    <div class="flex flex-wrap space-x-1">
        <img alt="PyTorch" src="https://img.shields.io/badge/PyTorch-DE3412?style=flat">
    </div>
</div>

# T5

[T5](https://huggingface.co/papers/1910.10683) is an encoder-decoder transformer that casts
every language task as turning one text into another. The largest T5 checkpoint has 11 billion
parameters.

```py
from transformers import pipeline
pipe = pipeline("text2text-generation", model="google-t5/t5-base")  # T5 has 220M parameters
```

## Notes

- T5 was pretrained on C4 with a span corruption objective.

## T5Config

[[autodoc]] T5Config
"""
)

OLDER = (
    LICENCE_HEADER
    + """
# BERT

## Overview

The BERT model was proposed in """
    + "[BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding]"
    + "(https://arxiv.org/abs/1810.04805)"
    + """ by Jacob Devlin, Ming-Wei Chang, Kenton Lee and Kristina Toutanova.
It is a bidirectional encoder pretrained with masked language modeling and next sentence prediction.

## Usage tips

- Its attention is explained in [Attention Is All You Need](https://arxiv.org/abs/1706.03762).
"""
)

HTML = (
    """<!DOCTYPE html>
<html><head><title>RoBERTa</title><script>var x = "1907.11692";</script></head>
<body>
<nav><ul><li><a href="https://huggingface.co/papers/1810.04805">BERT</a></li></ul></nav>
<h1>RoBERTa</h1>
"""
    + f"<p><em>{released('2019-07-26', '2020-11-16')}</em></p>"
    + """
<p><a href="https://huggingface.co/papers/1907.11692" rel="nofollow">RoBERTa</a> is an
encoder-only model: it keeps the design of <a href="https://huggingface.co/papers/1810.04805">BERT</a>
and changes how it is pretrained.</p>
<h2>Notes</h2>
<ul><li>RoBERTa was pretrained on BookCorpus, English Wikipedia, CC-News, OpenWebText
and Stories.</li></ul>
</body></html>
"""
)

# The 2024 Falcon page links the RefinedWeb dataset paper in its first paragraph; that is
# not Falcon's own paper (2311.16867).
FALCON_OLDER = """# Falcon

## Overview

Falcon is a family of causal decoder-only models built by TII. Its largest checkpoints
were trained on the [RefinedWeb](https://arxiv.org/abs/2306.01116)
corpus.
"""


@pytest.fixture
def kb(tmp_path):
    kb = KB(tmp_path / "kb.db")
    kb.add_models(T5, BERT, ROBERTA, FALCON)
    return kb


def extract(kb, text, who, *, content_type="text/markdown", location=None):
    document = kb.add_text(
        "hf_doc",
        location or f"https://huggingface.co/docs/transformers/model_doc/{who['id']}",
        text,
        model_id=who["id"],
        content_type=content_type,
    )
    facts = hf_docs.extract(document, who, Subject.of(who, [T5, BERT, ROBERTA, FALCON]))
    for fact in facts:
        assert kb.holds(fact), fact
    return document, by_field(facts)


def test_modern_layout_gives_release_date_paper_and_architecture(kb):
    document, facts = extract(kb, MODERN, T5)
    (date,) = facts["date"]
    assert date.normalized.value == "2019-10-23"
    assert date.normalized.qualifier == "docs"
    assert date.quote.startswith("This model was released on 2019-10-23")
    (arxiv_id,) = facts["arxiv_id"]
    assert arxiv_id.normalized.value == "1910.10683"
    assert arxiv_id.quote == "[T5](https://huggingface.co/papers/1910.10683)"
    assert normalized(facts["architecture"][0]) == "encoder-decoder"
    assert normalized(facts["params"][0]) == [11_000_000_000]
    for fact in (f for fs in facts.values() for f in fs):
        start, end = fact.locator["span"]
        assert document["body"][start:end] == fact.quote


def test_code_and_api_reference_are_not_read(kb):
    _, facts = extract(kb, MODERN, T5)
    # "220M" sits in a code fence; T5Config is an autodoc block
    assert [normalized(f) for f in facts["params"]] == [[11_000_000_000]]
    assert all(f.locator["section"] != "T5Config" for fs in facts.values() for f in fs)


def test_notes_state_objective_and_corpus(kb):
    _, facts = extract(kb, MODERN, T5)
    assert normalized(facts["task"][0]) == ["span corruption"]
    assert normalized(facts["corpus"][0]) == ["C4"]


def test_older_layout_gives_the_paper_it_was_proposed_in(kb):
    _, facts = extract(kb, OLDER, BERT)
    assert "date" not in facts  # the older pages have no "released on" line
    (arxiv_id,) = facts["arxiv_id"]
    assert arxiv_id.normalized.value == "1810.04805"
    assert arxiv_id.quote.startswith("[BERT: Pre-training of Deep Bidirectional")
    assert arxiv_id.quote.endswith("(https://arxiv.org/abs/1810.04805)")
    assert {normalized(f) for f in facts["architecture"]} == {"encoder"}
    assert normalized(facts["task"][0]) == ["MLM", "NSP"]


def test_a_later_link_to_related_work_is_not_the_models_paper(kb):
    _, facts = extract(kb, OLDER, BERT)
    assert [f.normalized.value for f in facts["arxiv_id"]] == ["1810.04805"]


def test_html_page_gives_release_date_paper_and_architecture(kb):
    document, facts = extract(kb, HTML, ROBERTA, content_type="text/html; charset=utf-8")
    (date,) = facts["date"]
    assert date.normalized.value == "2019-07-26"
    assert date.normalized.qualifier == "docs"
    assert isinstance(date.locator["element"], int)
    (arxiv_id,) = facts["arxiv_id"]
    assert arxiv_id.normalized.value == "1907.11692"
    # the id is only in the href, so the quote is the page's own <a> tag
    assert arxiv_id.quote == (
        '<a href="https://huggingface.co/papers/1907.11692" rel="nofollow">RoBERTa</a>'
    )
    start, end = arxiv_id.locator["span"]
    assert document["body"][start:end] == arxiv_id.quote
    assert normalized(facts["architecture"][0]) == "encoder"
    assert normalized(facts["corpus"][0]) == [
        "BookCorpus",
        "CC-News",
        "English Wikipedia",
        "OpenWebText",
        "Stories",
    ]


def test_html_is_recognized_by_its_doctype_without_a_content_type(kb):
    _, facts = extract(kb, HTML, ROBERTA, content_type=None, location="roberta.html")
    assert facts["arxiv_id"][0].normalized.value == "1907.11692"
    assert facts["date"][0].normalized.value == "2019-07-26"


def test_a_dataset_link_in_the_first_paragraph_is_not_the_models_paper(kb):
    _, facts = extract(kb, FALCON_OLDER, FALCON)
    assert "arxiv_id" not in facts
    assert normalized(facts["architecture"][0]) == "decoder"


def test_the_generators_placeholder_is_not_a_date(kb):
    page = (
        "*This model was released on {release_date} and added to Hugging Face Transformers"
        " on {date}.*\n\n# T5\n\nT5 is an encoder-decoder model.\n"
    )
    _, facts = extract(kb, page, T5)
    assert "date" not in facts


@pytest.mark.parametrize(
    ("slug", "who", "date", "arxiv_id", "architecture"),
    [
        ("bert.md", BERT, "2018-10-11", "1810.04805", "encoder"),
        ("t5.md", T5, "2019-10-23", "1910.10683", "encoder-decoder"),
        ("roberta@919220d.md", ROBERTA, None, "1907.11692", None),
        ("falcon@919220d.md", FALCON, None, None, "decoder"),
    ],
)
def test_real_pages_from_the_corpus(kb, slug, who, date, arxiv_id, architecture):
    text = need_corpus("hf_docs", slug).read_text(encoding="utf-8")
    _, facts = extract(kb, text, who, location=slug)
    assert [f.normalized.value for f in facts.get("date", [])] == ([date] if date else [])
    assert [f.normalized.value for f in facts.get("arxiv_id", [])] == (
        [arxiv_id] if arxiv_id else []
    )
    if architecture:
        assert {normalized(f) for f in facts["architecture"]} == {architecture}


# Falcon's weights are Apache-2.0 and its largest checkpoints saw over 1T tokens (true
# facts, our words); a licence of a dataset it names is no licence of the model.
FALCON_LICENCE = """# Falcon

## Overview

Falcon is a family of causal decoder-only models built by TII. The Falcon models were
trained on 1T tokens of text. Falcon is released under the Apache 2.0 license. The
RefinedWeb extract it draws on is released under the ODC-By 1.0 license.
"""


def test_a_page_states_the_models_licence_and_training_tokens(kb):
    _, facts = extract(kb, FALCON_LICENCE, FALCON)
    assert [f.normalized.value for f in facts["license"]] == ["Apache-2.0"]
    assert [f.normalized.value for f in facts["tokens"]] == [[1_000_000_000_000]]
