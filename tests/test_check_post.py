"""Reading card blocks out of posts: every layout found in the wild, and nothing else."""

from __future__ import annotations

import time

from kbuild.check.post import parse


def fields(card) -> dict[str, str]:
    return {c.field: c.text for c in card.claims}


def test_a_triple_quoted_card_under_a_heading():
    (card,) = parse(
        '### BERT\n"""\nLink: https://huggingface.co/docs/transformers/model_doc/bert\n'
        "Family: BERT\nPretraining Architecture: Encoder\nPretraining Task: MLM/NSP\n"
        "Date (of first known publication): 10/2018\nNum. Params:Base = 110M, Large = 340M\n"
        'License: Open, Apache-2.0\nLab:Google\n"""\n'
    )
    assert card.model == "BERT"
    assert fields(card) == {
        "link": "https://huggingface.co/docs/transformers/model_doc/bert",
        "family": "BERT",
        "architecture": "Encoder",
        "task": "MLM/NSP",
        "date": "10/2018",
        "params": "Base = 110M, Large = 340M",
        "license": "Open, Apache-2.0",
        "lab": "Google",
    }
    assert [c.line for c in card.claims] == list(range(3, 11))


def test_bullets_with_bold_keys():
    (card,) = parse("## GPT-2\n\n- **Family:** GPT\n- **Num. Params:** 1.5B\n- **Lab:** OpenAI\n")
    assert card.model == "GPT-2"
    assert fields(card) == {"family": "GPT", "params": "1.5B", "lab": "OpenAI"}


def test_backtick_fenced_indented_and_quoted_cards():
    text = (
        "# T5\n```\nFamily: T5\nLab: Google\n```\n"
        "# OPT\n    Family: GPT\n    Lab: Meta\n"
        "# XLNet\n> ***Family:*** *Transformer XL*\n> **Lab:** CMU/Google\n"
    )
    t5, opt, xlnet = parse(text)
    assert (t5.model, fields(t5)) == ("T5", {"family": "T5", "lab": "Google"})
    assert (opt.model, fields(opt)) == ("OPT", {"family": "GPT", "lab": "Meta"})
    assert (xlnet.model, fields(xlnet)) == (
        "XLNet",
        {"family": "Transformer XL", "lab": "CMU/Google"},
    )


def test_alternative_keys_and_empty_values():
    (card,) = parse(
        "### Alpaca\nFamily: LLaMA\nFine-tuning Task: human instructions\n"
        "Number of Parameters: 7B\nDate: 03/2023\nCorpus:\n"
    )
    assert fields(card) == {
        "family": "LLaMA",
        "task": "human instructions",
        "params": "7B",
        "date": "03/2023",
        "corpus": "",
    }


def test_a_name_key_overrides_the_heading():
    (card,) = parse("## Encoders\nName: RoBERTa\nFamily: BERT\nLab: UW/Google\n")
    assert card.model == "RoBERTa"


def test_headings_are_cleaned_of_anchors_links_and_emphasis():
    (card,) = parse(
        '## <a name="bert"></a>[**BERT**](https://x.test/bert)\nFamily: BERT\nLab: Google\n'
    )
    assert card.model == "BERT"


def test_prose_quotes_code_and_tables_are_not_cards():
    text = (
        '# Notes\n"""\nHe said: scaling works. Family matters: a lot.\n"""\n'
        '```python\nconfig = {"family": "bert", "lab": "google"}\n```\n'
        "| Family | Lab |\n|---|---|\n| BERT | Google |\n"
        "Some prose: with a colon.\nModel sizes grew quickly: ten times a year.\n"
        "> Family: a lone quoted line is not a card\n"
    )
    assert parse(text) == []


def test_a_continuation_line_joins_the_value_above():
    (card,) = parse(
        "# LLaMA\n-   **Extension:** LLaMA uses pre-normalization\n"
        "    and SwiGLU activations.\n-   **Lab:** Meta\n"
    )
    assert fields(card)["extension"] == "LLaMA uses pre-normalization and SwiGLU activations."


def test_a_500_kb_post_parses_in_well_under_a_second():
    block = (
        '### BERT\n"""\nFamily: BERT\nLab: Google\n"""\n'
        '> A quote: "Family: no."\n```\ncode: {"lab": 1}\n```\n| a | b |\n|---|---|\n'
        '"""\nprose between quotes: yes\n"""\n'
    )
    text = block * (500_000 // len(block) + 1)
    start = time.perf_counter()
    cards = parse(text)
    elapsed = time.perf_counter() - start
    assert len(cards) == text.count("### BERT")
    assert elapsed < 5  # generous: measured in benchmarks/large_post.py
