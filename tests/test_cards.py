"""Which value a card shows: primary sources first, the earliest credible date, every
stated size, a suspect fact only when nothing else states the field."""

from __future__ import annotations

import json

from kbuild.cards import card_values

FACTS = 0


def fact(model, field, normalized, source, *, primary=None, rank=None, qualifier=None,
         method="stated", suspect=None, witness=None, confidence=0.6):  # fmt: skip
    global FACTS
    FACTS += 1
    primary = source in ("arxiv", "hf_doc", "pdf") if primary is None else primary
    return {
        "id": f"f{FACTS}",
        "model_id": model,
        "field": field,
        "value": str(normalized),
        "normalized": normalized if isinstance(normalized, str) else json.dumps(normalized),
        "qualifier": qualifier,
        "source": source,
        "witness": witness or source,
        "primary_source": int(primary),
        "trust_rank": rank or {"pdf": 1, "arxiv": 1, "hf_doc": 2}.get(source, 20),
        "confidence": confidence,
        "method": method,
        "locator": "{}",
        "suspect": suspect,
    }


class FakeDb:
    def __init__(self, facts):
        self.facts = facts

    def query(self, sql, params=()):
        return iter(dict(f) for f in self.facts)


def cards(*facts):
    return {(r["model_id"], r["field"]): r for r in card_values(FakeDb(list(facts)))}


def test_a_release_confirmed_by_an_independent_table_comes_before_the_paper():
    # BLOOM: Epoch 2022-07-11, the catalog 07/2022, arXiv v1 2022-11-09
    card = cards(
        fact("bloom", "date", "2022-11-09", "arxiv", qualifier="paper_v1"),
        fact("bloom", "date", "2022-07-11", "epoch", qualifier="publication", rank=30),
        fact("bloom", "date", "2022-07", "catalog", qualifier="publication"),
    )[("bloom", "date")]
    assert card["normalized"] == "2022-07-11"
    assert "came later: 2022-11-09" in card["rule"]


def test_a_table_date_no_independent_witness_confirms_is_not_credible():
    # XLNet: only the catalog says 05/2019; the paper is 2019-06-19
    card = cards(
        fact("xlnet", "date", "2019-06-19", "arxiv", qualifier="paper_v1"),
        fact("xlnet", "date", "2019-05", "catalog"),
        fact("xlnet", "date", "2019-05", "orkg", witness="catalog", rank=60),  # a copy
    )[("xlnet", "date")]
    assert card["normalized"] == "2019-06-19"


def test_a_table_date_on_the_first_of_the_month_is_read_as_its_month():
    # RoBERTa: a table's 2019-07-01 is July 2019; the paper's day is 2019-07-26
    card = cards(
        fact("roberta", "date", "2019-07-26", "arxiv", qualifier="paper_v1"),
        fact("roberta", "date", "2019-07-01", "epoch", rank=30),
        fact("roberta", "date", "2019-07", "catalog"),
    )[("roberta", "date")]
    assert card["normalized"] == "2019-07-26"


def test_params_list_every_stated_size_once():
    card = cards(
        fact("llama", "params", [7e9, 65e9], "arxiv", qualifier="range"),
        fact("llama", "params", [65.2e9], "epoch", rank=30),
        fact("llama", "params", [6.7e9], "epoch", rank=30),
        fact("llama", "params", [13e9, 33e9], "catalog"),
        fact("llama", "params", [125e6, 175e9], "orkg", method="derived", rank=60),
    )[("llama", "params")]
    # 65.2B and 6.7B are 65B and 7B within 5%; a size inherited by "Same as" is left out
    assert json.loads(card["normalized"]) == [7e9, 13e9, 33e9, 65e9]
    assert card["qualifier"] is None


def test_the_papers_first_page_beats_any_table_for_labs():
    card = cards(
        fact("roberta", "lab", ["University of Washington", "Google"], "catalog"),
        fact("roberta", "lab", ["University of Washington", "Meta"], "pdf"),
        fact("roberta", "lab", ["Google"], "hf_doc", method="derived"),
    )[("roberta", "lab")]
    assert json.loads(card["normalized"]) == ["University of Washington", "Meta"]
    assert "pdf" in card["rule"]


def test_a_suspect_fact_is_shown_only_when_nothing_else_states_the_field():
    both = cards(
        fact("alphafold", "task", ["MLM"], "catalog", suspect="repeats ALBERT's Extension"),
        fact("alphafold", "task", ["contrastive"], "epoch", rank=30),
    )[("alphafold", "task")]
    assert json.loads(both["normalized"]) == ["contrastive"]
    alone = cards(
        fact("alphafold", "task", ["MLM"], "catalog", suspect="repeats ALBERT's Extension"),
    )[("alphafold", "task")]
    assert "every fact is suspect" in alone["rule"]


def test_the_corpus_is_every_dataset_the_most_trusted_source_names():
    card = cards(
        fact("roberta", "corpus", ["CC-News"], "pdf"),
        fact("roberta", "corpus", ["OpenWebText", "Stories"], "pdf"),
        fact("roberta", "corpus", ["BookCorpus"], "catalog"),
    )[("roberta", "corpus")]
    assert json.loads(card["normalized"]) == ["CC-News", "OpenWebText", "Stories"]


def test_an_implausible_value_never_becomes_a_card_value_even_alone():
    rumour = "implausible: more parameters than any model published, in Parameters"
    shown = cards(fact("gpt-4", "params", [170_000_000_000_000], "catalog", suspect=rumour))
    assert ("gpt-4", "params") not in shown
