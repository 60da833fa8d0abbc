"""What papers say on their first pages and in their abstracts: the licence the model is
released under, a mixture of experts' total and active parameters (the card shows the
total), architecture phrases (decoder-only, encoder-decoder, state-space, with a mixture
of experts as a qualifier), the tokens a model was trained on, pretraining objectives,
and the lab from the affiliations — each credited only to the paper's own model.

Ids, dates, sizes, licences and labs below are true; the prose is written for these
tests. The real PDFs and records of the shared corpus are read where they are."""

from __future__ import annotations

import json

import pytest

from kbuild.cards import card_values
from kbuild.extract import arxiv, pdf
from kbuild.extract.statements import NameIndex, Subject, facts_in
from kbuild.extract.text import Region
from kbuild.normalize.architecture import architecture_stated, normalize_architecture
from kbuild.normalize.tokens import normalize_tokens, training_tokens_at

from .extract_fixtures import KB, by_field, dump_line, make_pdf, model, need_corpus, normalized

MIXTRAL = model("Mixtral", "Mixtral 8x7B")
MISTRAL = model("Mistral 7B")
LLAMA2 = model("Llama 2")
LLAMA = model("LLaMA")
GPT35 = model("GPT-3.5")
DEEPSEEK = model("DeepSeek-V3")
MAMBA = model("Mamba")
JAMBA = model("Jamba")
XLNET = model("XLNet")
TRANSFORMER_XL = model("Transformer-XL")
LONGFORMER = model("Longformer")
ELECTRA = model("ELECTRA")
ROBERTA = model("RoBERTa")
BERT = model("BERT")
GPT2 = model("GPT-2", "GPT2")
INSTRUCTGPT = model("InstructGPT")
GPT3 = model("GPT-3", "GPT3")
SWITCH = model("Switch Transformers", "Switch Transformer", "Switch-C")
TRANSFORMER = model("Transformer")
MODELS = [
    MIXTRAL, MISTRAL, LLAMA2, LLAMA, GPT35, DEEPSEEK, MAMBA, JAMBA, XLNET, TRANSFORMER_XL,
    LONGFORMER, ELECTRA, ROBERTA, BERT, GPT2, INSTRUCTGPT, GPT3, SWITCH, TRANSFORMER,
]  # fmt: skip
INDEX = NameIndex(MODELS)


def subject(of: dict) -> Subject:
    return Subject.of(of, index=INDEX)


@pytest.fixture
def kb(tmp_path):
    kb = KB(tmp_path / "kb.db")
    kb.add_models(*MODELS)
    return kb


def pdf_facts(kb, of: dict, location: str, blob: bytes) -> dict[str, list]:
    document = kb.add_pdf(location, blob, model_id=of["id"])
    facts = pdf.extract(document, of, kb.pages(document["id"]), subject(of))
    for fact in facts:
        assert kb.holds(fact), fact
    return by_field(facts)


def prose_facts(of: dict, text: str, fields: set[str], section: str | None = None) -> dict:
    """facts_in over one region of ``text`` (the way the extractors call it)."""
    found = facts_in(
        [Region(0, len(text), text, section)],
        quote_of=lambda s: text[s.start : s.end],
        locator_for=lambda s: {"span": [s.start, s.end]},
        fact_args={"model_id": of["id"], "document_id": 1, "extractor": "test"},
        subject=subject(of),
        fields=fields,
        confidence=0.5,
    )
    return by_field(found)


def sized(facts: list) -> dict[str | None, list[int]]:
    """params facts as {kind: sizes}."""
    return {f.normalized.qualifier: normalized(f) for f in facts}


# --- a two-page Mixtral paper written for these tests --------------------------------------

MIXTRAL_PAGES = [
    [
        "Mixtral of Experts",
        "Albert Q. Jiang, Alexandre Sablayrolles, Antoine Roux",
        "Mistral AI, Paris, France",
        "Abstract",
        "Mixtral 8x7B is a language model built as a sparse mixture of experts.",
        "Each token can draw on 46.7B parameters in total, of which only 12.9B are",
        "active. It matches Llama 2 70B, a dense model with 70B parameters.",
        "The base and instruct weights are released under the Apache 2.0 license.",
        "1 Introduction",
        "We train the model on web data distributed under the MIT license.",
        "We use a tokenizer released under the BSD-3-Clause license.",
    ],
    [
        "Mixtral is a decoder-only transformer whose feedforward blocks form a sparse",
        "mixture of experts. Mistral 7B is released under the Apache 2.0 license.",
        "Mixtral is trained with a batch of 4M tokens and a context of 32k tokens.",
    ],
]


@pytest.fixture
def mixtral(kb):
    return pdf_facts(kb, MIXTRAL, "2401.04088.pdf", make_pdf(MIXTRAL_PAGES))


def test_a_licence_sentence_in_the_abstract_gives_the_models_licence(mixtral):
    (licence,) = mixtral["license"]
    assert normalized(licence) == "Apache-2.0"
    assert "base and instruct weights" in licence.quote
    assert licence.locator["page"] == 1


def test_licences_of_data_tools_or_another_model_are_not_the_models(mixtral):
    # the MIT data, the BSD tokenizer and Mistral 7B's licence give no fact
    assert [f.quote for f in mixtral["license"]] == [mixtral["license"][0].quote]
    assert "code_license" not in mixtral


def test_a_mixture_of_experts_gives_its_total_and_its_active_parameters(mixtral):
    assert sized(mixtral["params"]) == {"total": [46_700_000_000], "active": [12_900_000_000]}


def test_a_compared_models_size_is_not_the_models(mixtral):
    assert all(70_000_000_000 not in normalized(f) for f in mixtral["params"])


def test_a_decoder_only_mixture_of_experts_is_a_decoder_qualified_as_such(mixtral):
    (architecture,) = mixtral["architecture"]
    assert architecture.normalized.value == "decoder"
    assert architecture.normalized.qualifier == "mixture of experts"


def test_a_batch_or_context_in_tokens_is_no_training_tokens(mixtral):
    assert "tokens" not in mixtral


def test_the_first_page_affiliation_gives_the_lab(mixtral):
    (lab,) = mixtral["lab"]
    assert normalized(lab) == ["Mistral AI"]


def test_an_icml_footnote_gives_the_lab_but_not_where_an_author_interned(kb):
    # GPT-2's first page: authors without affiliations, the lab in a footnote
    pages = [
        [
            "Language Models are Unsupervised Multitask Learners",
            "Alec Radford * 1 Jeffrey Wu * 1",
            "Abstract",
            "GPT-2 is a language model with 1.5B parameters.",
            "*Equal contribution",
            "1OpenAI, San Francisco, California, United States.",
            "2Work done while at Google.",
            "Correspondence to: the first author.",
        ]
    ]
    (lab,) = pdf_facts(kb, GPT2, "gpt2.pdf", make_pdf(pages))["lab"]
    assert normalized(lab) == ["OpenAI"]


# --- cards: the total, never the active count -----------------------------------------------


class FakeDb:
    def __init__(self, facts):
        self.facts = facts

    def query(self, sql, params=()):
        return iter(dict(f) for f in self.facts)


def params_fact(number: int, sizes: list[int], source: str, qualifier: str | None) -> dict:
    return {
        "id": f"f{number}",
        "model_id": "mixtral",
        "field": "params",
        "value": str(sizes),
        "normalized": json.dumps(sizes),
        "qualifier": qualifier,
        "source": source,
        "witness": source,
        "primary_source": int(source == "pdf"),
        "trust_rank": 1 if source == "pdf" else 20,
        "confidence": 0.5,
        "method": "stated",
        "locator": "{}",
        "suspect": None,
    }


def test_the_card_shows_the_total_and_never_the_active_count():
    rows = card_values(
        FakeDb(
            [
                params_fact(1, [46_700_000_000], "pdf", "total"),
                params_fact(2, [12_900_000_000], "pdf", "active"),
                params_fact(3, [46_700_000_000], "epoch_notable", None),
            ]
        )
    )
    (card,) = [r for r in rows if r["field"] == "params"]
    assert json.loads(card["normalized"]) == [46_700_000_000]
    assert "f2" not in json.loads(card["fact_ids"])


def test_an_active_count_alone_gives_the_card_no_size():
    rows = card_values(FakeDb([params_fact(1, [12_900_000_000], "pdf", "active")]))
    assert [r for r in rows if r["field"] == "params"] == []


# --- arXiv records written for these tests ---------------------------------------------------


def record_facts(kb, of: dict, **record) -> dict[str, list]:
    line = dump_line(**record)
    document = kb.add_text("arxiv", "papers.jsonl", line, model_id=of["id"], item=record["id"])
    facts = arxiv.extract(document, of, subject(of))
    for fact in facts:
        assert kb.holds(fact), fact
    return by_field(facts)


def test_an_abstract_gives_the_licence_and_size(kb):
    found = record_facts(
        kb,
        MISTRAL,
        id="2310.06825",
        authors="Albert Q. Jiang, Alexandre Sablayrolles, Arthur Mensch",
        title="Mistral 7B",
        abstract="  Mistral 7B is a language model with 7.3B parameters. Our weights are\n"
        "released under the Apache 2.0 license.\n",
        versions=[{"version": "v1", "created": "Tue, 10 Oct 2023 00:00:00 GMT"}],
    )
    assert [normalized(f) for f in found["license"]] == ["Apache-2.0"]
    assert [normalized(f) for f in found["params"]] == [[7_300_000_000]]


def test_an_abstract_gives_total_and_active_parameters_and_training_tokens(kb):
    found = record_facts(
        kb,
        DEEPSEEK,
        id="2412.19437",
        authors="DeepSeek-AI",
        title="DeepSeek-V3 Technical Report",
        abstract="  DeepSeek-V3 is a mixture-of-experts model with 671B total parameters,\n"
        "37B of which are activated for each token. We pre-train it on 14.8 trillion tokens.\n",
        versions=[{"version": "v1", "created": "Fri, 27 Dec 2024 00:00:00 GMT"}],
    )
    assert sized(found["params"]) == {"total": [671_000_000_000], "active": [37_000_000_000]}
    (tokens,) = found["tokens"]
    assert normalized(tokens) == [14_800_000_000_000]
    assert tokens.value == "14.8 trillion tokens"


def test_a_state_space_model_is_its_own_architecture(kb):
    found = record_facts(
        kb,
        MAMBA,
        id="2312.00752",
        authors="Albert Gu, Tri Dao",
        title="Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        abstract="  Mamba is a selective state space model that uses no attention blocks.\n",
        versions=[{"version": "v1", "created": "Fri, 1 Dec 2023 00:00:00 GMT"}],
    )
    (architecture,) = found["architecture"]
    assert normalized(architecture) == "state-space"


def test_a_hybrid_of_attention_and_state_space_layers_is_not_a_state_space_model(kb):
    found = record_facts(
        kb,
        JAMBA,
        id="2403.19887",
        authors="Opher Lieber, Barak Lenz",
        title="Jamba: A Hybrid Transformer-Mamba Language Model",
        abstract="  Jamba is a hybrid model that interleaves Transformer layers with layers\n"
        "of a state space model.\n",
        versions=[{"version": "v1", "created": "Thu, 28 Mar 2024 00:00:00 GMT"}],
    )
    assert "architecture" not in found


# --- negative cases: what belongs to something else ------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "We train Mixtral on a corpus distributed under the CC-BY 4.0 license.",
        "We use a tokenizer released under the MIT license.",
        "License: CC-BY 4.0, see the journal's page.",  # the article's licence
        "Mixtral is not released under the MIT license.",
        # two licences in one sentence: which is the weights' is left alone
        "Mixtral weights are released under CC-BY-NC 4.0 and its code under Apache 2.0.",
        "Unlike Llama 2, Mixtral is released under the Apache 2.0 license.",  # a comparison
    ],
)
def test_licence_sentences_about_something_else_give_no_licence(sentence):
    found = prose_facts(MIXTRAL, sentence, {"license"}, section="abstract")
    assert "license" not in found and "code_license" not in found


def test_a_licence_of_the_code_alone_is_kept_apart():
    found = prose_facts(MIXTRAL, "Our code is released under the MIT license.", {"license"})
    assert "license" not in found
    assert [normalized(f) for f in found["code_license"]] == ["MIT"]


def test_an_abstract_sentence_naming_no_model_is_the_papers_only_for_licence_and_experts():
    text = (
        "We introduce Mixtral 8x7B. Large language models are trained on the Pile. "
        "The weights are released under the Apache 2.0 license."
    )
    found = prose_facts(MIXTRAL, text, {"license", "corpus"}, section="abstract")
    assert "corpus" not in found  # a sentence about the field, not the model
    assert [normalized(f) for f in found["license"]] == ["Apache-2.0"]
    # outside an abstract the same sentence is nobody's
    assert "license" not in prose_facts(MIXTRAL, text, {"license"})


def test_an_architecture_said_of_a_model_in_apposition_is_that_models():
    # XLNet's abstract credited "autoregressive model" to XLNet; it is Transformer-XL's
    text = "XLNet takes ideas from Transformer-XL, the best autoregressive model, into its design."
    assert "architecture" not in prose_facts(XLNET, text, {"architecture"})


def test_a_variant_of_the_model_does_not_give_its_architecture():
    text = (
        "We also introduce the Longformer-Encoder-Decoder, a Longformer variant for "
        "sequence-to-sequence tasks."
    )
    assert "architecture" not in prose_facts(LONGFORMER, text, {"architecture"})


def test_the_objective_of_another_network_is_not_the_models():
    # ELECTRA's generator is a small masked language model; ELECTRA's own task is RTD
    text = "ELECTRA is pretrained together with another small masked language model."
    assert "task" not in prose_facts(ELECTRA, text, {"task"})


def test_an_objective_named_without_being_used_is_no_task():
    text = "Thus, we argue that the language modeling objective is misaligned."
    assert "task" not in prose_facts(INSTRUCTGPT, text, {"task"})


def test_an_objective_the_model_is_fine_tuned_with_is_a_task():
    text = "We then fine-tune the model with reinforcement learning from human feedback."
    (task,) = prose_facts(INSTRUCTGPT, text, {"task"})["task"]
    assert normalized(task) == ["RLHF"]


@pytest.mark.parametrize(
    ("sentence", "counts"),
    [
        ("LLaMA-65B was trained on 1.4T tokens.", [1_400_000_000_000]),
        ("Our entire training dataset contains roughly 1.4T tokens.", [1_400_000_000_000]),
        ("We train with a batch size of 4M tokens.", []),
        ("Hoffmann et al. (2022) recommend training a 10B model on 200B tokens.", []),
        ("It sees 1T tokens of data for four epochs.", []),
        ("It was built through continued training with 512B tokens.", []),
    ],
)
def test_training_tokens_are_counts_a_training_verb_governs(sentence, counts):
    assert [count for _, _, count in training_tokens_at(sentence)] == counts


def test_training_tokens_normalize_to_counts():
    assert normalize_tokens("2 trillion tokens").value == [2_000_000_000_000]
    assert normalize_tokens("no count").flag == "no_count"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("State space model", "state-space"),
        ("SSM", "state-space"),
        ("hybrid SSM-Transformer", None),
    ],
)
def test_table_spellings_of_state_space_models(text, expected):
    assert normalize_architecture(text).value == expected


def test_a_mixture_of_experts_alone_states_no_architecture():
    assert architecture_stated("It is a sparse mixture of experts.") is None


# --- the real papers of the shared corpus ------------------------------------------------------


@pytest.fixture(scope="module")
def real_pdf(tmp_path_factory):
    """The facts of a real PDF of the shared corpus, each PDF read once for the module."""
    kb = KB(tmp_path_factory.mktemp("papers") / "kb.db")
    kb.add_models(*MODELS)
    read: dict[str, dict[str, list]] = {}

    def facts(of: dict, name: str) -> dict[str, list]:
        if name not in read:
            read[name] = pdf_facts(kb, of, name, need_corpus("pdfs", name).read_bytes())
        return read[name]

    return facts


def test_the_real_mixtral_paper_gives_its_licence_and_expert_sizes(real_pdf):
    found = real_pdf(MIXTRAL, "2401.04088.pdf")
    assert {normalized(f) for f in found["license"]} == {"Apache-2.0"}
    assert any("Apache 2.0 license" in f.quote for f in found["license"])
    kinds = {(f.normalized.qualifier, size) for f in found["params"] for size in normalized(f)}
    assert ("total", 47_000_000_000) in kinds and ("active", 13_000_000_000) in kinds
    # every size is Mixtral's: Llama 2 70B's is not
    assert {size for _, size in kinds} == {47_000_000_000, 13_000_000_000}
    assert {normalized(f) for f in found["architecture"]} == {"decoder"}
    assert "lab" not in found  # its first page names no affiliation


def test_the_real_mistral_paper_gives_its_licence(real_pdf):
    found = real_pdf(MISTRAL, "2310.06825.pdf")
    assert {normalized(f) for f in found["license"]} == {"Apache-2.0"}


def test_the_real_longformer_paper_gives_its_lab_and_not_its_variants_architecture(real_pdf):
    found = real_pdf(LONGFORMER, "2004.05150.pdf")
    (lab,) = found["lab"]
    assert normalized(lab) == ["Allen Institute for AI"]  # "Artiﬁcial", with a ligature
    assert "architecture" not in found  # the Longformer-Encoder-Decoder is a variant


def test_the_real_gpt2_paper_names_its_lab_in_a_footnote(real_pdf):
    found = real_pdf(GPT2, "gpt2-language-models-unsupervised-multitask-learners.pdf")
    (lab,) = found["lab"]
    assert normalized(lab) == ["OpenAI"]
    assert lab.locator["page"] == 1


def test_the_real_instructgpt_paper_is_tuned_with_human_feedback(real_pdf):
    found = real_pdf(INSTRUCTGPT, "2203.02155.pdf")
    assert [normalized(f) for f in found["task"]] == [["RLHF"]]


@pytest.mark.parametrize(
    ("of", "name"),
    [
        (SWITCH, "2101.03961.pdf"),  # "License: CC-BY 4.0": the article's, not the model's
        (LLAMA, "2302.13971.pdf"),  # code "distributed under the Apache, BSD and MIT licenses"
    ],
)
def test_real_licence_words_about_the_article_or_the_data_give_no_licence(real_pdf, of, name):
    assert "license" not in real_pdf(of, name)


def test_the_real_llama_paper_gives_the_tokens_its_largest_models_saw(real_pdf):
    found = real_pdf(LLAMA, "2302.13971.pdf")
    (tokens,) = found["tokens"]
    assert normalized(tokens) == [1_400_000_000_000]
    assert "LLaMA-33B" in tokens.quote


def test_the_real_bert_paper_states_its_architecture_outside_its_title_lines(real_pdf):
    found = real_pdf(BERT, "1810.04805.pdf")
    assert {normalized(f) for f in found["architecture"]} == {"encoder"}
    assert all("@google.com" not in f.quote for f in found["architecture"])
    assert {"MLM", "NSP"} <= {task for f in found["task"] for task in normalized(f)}


def test_the_real_xlnet_abstract_credits_no_architecture_from_transformer_xl(kb):
    path = need_corpus("arxiv", "papers.jsonl")
    line = next(
        line for line in path.read_text(encoding="utf-8").splitlines() if '"1906.08237"' in line
    )
    document = kb.add_text("arxiv", "papers.jsonl", line, model_id="xlnet", item="1906.08237")
    assert "architecture" not in by_field(arxiv.extract(document, XLNET, subject(XLNET)))
