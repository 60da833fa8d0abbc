"""`kbuild check` on writing as people write it: whose value a sentence gives, which model a
name is (versions are other models), what is no claim, ordinary wording, verdicts that
never cry wolf, and posts as markdown, HTML, text or a URL. One test per way real posts
went wrong; the sentences are ours, the facts in the knowledge base true
(tests/writing_fixtures.py)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kbuild.check.runner import check
from kbuild.cli import cli

from .writing_fixtures import build_writing_kb


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return build_writing_kb(tmp_path_factory.mktemp("writing"))


def claims(kb, text: str, name: str = "post.md") -> list[dict]:
    db, root = kb
    post = root / name
    post.write_text(text)
    return [
        {**r.claim, "verdict": r.verdict.verdict, "explanation": r.verdict.explanation}
        for r in check(db, post, only="prose")
    ]


def given(found: list[dict]) -> set[tuple]:
    """(model as named, model id, field, value) of every claim."""
    return {(c["model"], c["model_id"], c["field"], c["text"]) for c in found}


# --- 1. the value goes to the model the sentence gives it to -------------------------------


@pytest.mark.parametrize(
    ("sentence", "model_id", "field", "value"),
    [
        # an apposition and a possessive of another model
        ("Alpaca, a chat model fine-tuned from Meta's LLaMA, came next.", "llama", "lab", "Meta"),
        # a comparison: the size after "same architecture as Y but" is X's
        ("Gopher has the same architecture as GPT-3 but 280B parameters.", "gopher", "params",
         "280B"),
        # "compared with OpenAI's GPT-3": OpenAI is GPT-3's lab, not Gopher's
        ("Gopher was compared with OpenAI's GPT-3 on many tasks.", "gpt-3", "lab", "OpenAI"),
        # a lab that released the model named after it, in the second clause
        ("Google released BERT, and OpenAI released GPT-3 soon after.", "gpt-3", "lab", "OpenAI"),
        # a relative clause: the lab released the model named before it
        ("LLaMA, which Meta released in February 2023, is small.", "llama", "lab", "Meta"),
    ],
)  # fmt: skip
def test_a_value_goes_to_the_model_the_sentence_gives_it_to(kb, sentence, model_id, field, value):
    found = claims(kb, f"# Notes\n\n{sentence}\n")
    mine = [c for c in found if c["field"] == field and c["text"] == value]
    assert [c["model_id"] for c in mine] == [model_id], found


def test_no_value_is_given_to_a_model_named_only_as_a_host_or_a_partner(kb):
    found = claims(
        kb,
        "# Launch\n\nGemma is available on Hugging Face, with partners AWS and Microsoft.\n\n"
        "Gopher was compared with OpenAI's GPT-3 and Meta's LLaMA.\n",
    )
    assert not [c for c in found if c["model_id"] == "gemma" and c["field"] == "lab"]
    assert not [c for c in found if c["model_id"] == "gopher" and c["field"] == "lab"]


def test_coordinated_models_each_keep_their_own_parenthesis(kb):
    found = claims(kb, "# Dates\n\nLLaMA (February 2023) and Llama 2 (July 2023) came out.\n")
    dates = {(c["model_id"], c["text"]) for c in found if c["field"] == "date"}
    assert dates == {("llama", "February 2023"), ("llama-2", "July 2023")}
    assert all(c["verdict"] == "supported" for c in found if c["field"] == "date")


def test_a_list_of_models_with_their_labs_shares_the_date_after_it(kb):
    found = claims(
        kb, "# 2023\n\n2023 saw LLaMA (by Meta) in February, Qwen (by Alibaba) and "
        "Mistral 7B in September.\n",
    )  # fmt: skip
    dates = {(c["model_id"], c["normalized"]) for c in found if c["field"] == "date"}
    assert ("llama", "2023-02") in dates and ("qwen", "2023-09") in dates
    assert ("mistral-7b", "2023-09") in dates
    labs = {(c["model_id"], c["text"]) for c in found if c["field"] == "lab"}
    assert labs == {("llama", "Meta"), ("qwen", "Alibaba")}


def test_it_the_model_and_list_items_are_the_paragraphs_or_sections_model(kb):
    found = claims(
        kb,
        "# Models\n\n## Gopher\n\nThe model has 280B parameters.\n\n"
        "- Trained by DeepMind\n- Released in December 2021\n\n"
        "## Chinchilla\n\nChinchilla came next. It has 70B parameters.\n",
    )
    by = {(c["model_id"], c["field"], c["identified_by"]) for c in found}
    assert ("gopher", "params", "the section's model") in by
    assert ("gopher", "date", "the list's model") in by or ("gopher", "date", "the section's "
                                                             "model") in by  # fmt: skip
    assert ("chinchilla", "params", "the paragraph's model") in by


def test_a_row_of_the_posts_own_table_is_a_claim_about_its_model(kb):
    found = claims(
        kb,
        "# Table\n\n| Model | License | Commercial use? | Tokens |\n|---|---|---|---|\n"
        "| Llama-2-70B | Llama 2 license | ✅ | 2T |\n| Gopher-280B | - | ❌ | 300B |\n",
    )
    rows = {(c["line"], c["model_id"], c["field"], c["text"]) for c in found}
    assert (5, "llama-2", "params", "70B") in rows
    assert (6, "gopher", "params", "280B") in rows
    assert (5, "llama-2", "license", "✅") in rows
    assert not [c for c in found if c["text"] in ("2T", "300B")]  # token counts


# --- 2. versions are other models; unknown ones are listed, never replaced -----------------


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Qwen2.5 was released in September 2024.", "Qwen2.5"),
        ("DeepSeek-V2.5 was released in September 2024.", "DeepSeek-V2.5"),
        ("Llama 3.1 was released in July 2024.", "Llama 3.1"),
        ("Claude 3.5 Sonnet was released in June 2024.", "Claude 3.5 Sonnet"),
        ("Gemma 3 was released in March 2025.", "Gemma 3"),
        ("Phi-2 was released in December 2023.", "Phi-2"),
    ],
)
def test_a_newer_version_is_another_model_and_an_unknown_one(kb, sentence, name):
    (date,) = [c for c in claims(kb, f"# New\n\n{sentence}\n") if c["field"] == "date"]
    assert (date["model"], date["model_id"], date["verdict"]) == (name, None, "unknown_model")


def test_a_size_after_a_version_is_that_versions_size(kb):
    found = claims(kb, "# Big\n\nLlama 3.1 405B is the largest open model of 2024.\n")
    (size,) = [c for c in found if c["field"] == "params"]
    assert (size["model"], size["model_id"]) == ("Llama 3.1", None)


def test_claims_about_unknown_models_are_reported_not_dropped(kb):
    db, root = kb
    post = root / "unknown.md"
    post.write_text("# New\n\nX-Gen (by Salesforce) was released in June 2023.\n")
    result = CliRunner().invoke(cli, ["--db", str(root / "kb.db"), "check", str(post)])
    assert result.exit_code == 0, result.output
    assert "Models the knowledge base does not know" in result.output
    assert "X-Gen (line 3)" in result.output
    out = CliRunner().invoke(
        cli, ["--db", str(root / "kb.db"), "check", str(post), "--format", "json"]
    )
    verdicts = {(r["model"], r["field"], r["verdict"]) for r in json.loads(out.output)}
    assert verdicts == {("X-Gen", "lab", "unknown_model"), ("X-Gen", "date", "unknown_model")}


# --- 3. text that is no claim ---------------------------------------------------------------


def test_markup_code_links_and_references_state_nothing(kb):
    text = (
        "---\ntitle: Notes\n---\n\n# Notes\n\n"
        "See {% post_url 2017-10-15-gopher-was-released %} for more.\n\n"
        "![Gopher 280B chart](/img/gopher-2021-280B.png)\n\n"
        '<div data-model="GPT-3" data-size="175B">A chart.</div>\n\n'
        "Read [the paper](https://arxiv.org/abs/2005.14165v2018).\n\n"
        "```python\nmodel = load('GPT-3', params='175B')  # released 2020\n```\n\n"
        "## References\n\n"
        "1. Brown et al. Language Models are Few-Shot Learners. arXiv Preprint, 2020.\n"
        "2. Rae et al. Gopher, a 280B model. 2021.\n"
    )
    assert claims(kb, text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Gopher was trained on 300B tokens.",
        "Chinchilla was trained on 1.4T tokens of text.",
        "Gopher scored 60.0 on MMLU.",
        "GPT-3 was trained on thousands of V100 GPUs with 32GB of memory each.",
        "Chinchilla needs 18x fewer parameters than Gopher for the same loss.",
        "Gopher was trained for 300K steps.",
        "Gopher was trained on CommonCrawl News.",
        "LLaMA is 10x smaller than GPT-3.",
    ],
)
def test_counts_scores_hardware_steps_and_relative_sizes_are_no_claims(kb, sentence):
    found = claims(kb, f"# Noise\n\n{sentence}\n")
    assert not [c for c in found if c["field"] in ("params", "corpus")], found


def test_a_citation_year_is_a_venue_year(kb):
    (cited,) = claims(kb, "# Background\n\nWe build on BERT (Devlin et al., 2019).\n")
    assert (cited["model_id"], cited["qualifier"]) == ("bert", "citation")
    assert cited["verdict"] == "unverified" and "venue" in cited["explanation"]
    (same,) = claims(kb, "# Background\n\nWe build on BERT (Devlin et al., 2018).\n")
    assert same["verdict"] == "supported"


# --- 4. ordinary wording --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "model_id", "field", "value"),
    [
        ("Gopher is a 280B parameter model.", "gopher", "params", "280B"),
        ("GPT-3 has 175B parameters.", "gpt-3", "params", "175B"),
        ("The 2018 paper introduced BERT.", "bert", "date", "2018"),
        ("Gopher was released in December 2021.", "gopher", "date", "December 2021"),
        ("GPT-3, from OpenAI, changed everything.", "gpt-3", "lab", "OpenAI"),
        ("Google's model, T5, reframed every task.", "t5", "lab", "Google"),
        ("DeepSeek-V2 (DeepSeek) is a mixture of experts.", "deepseek-v2", "lab", "DeepSeek"),
        ("Mistral 7B is licensed under Apache-2.0.", "mistral-7b", "license", "Apache-2.0"),
        ("LLaMA: commercial use prohibited.", "llama", "license", "commercial use prohibited"),
        ("BERT was pre-trained as a mask language model.", "bert", "task",
         "mask language model"),
        ("T5 is pre-trained on the Colossal Clean Crawled Corpus.", "t5", "corpus",
         "Colossal Clean Crawled Corpus"),
        ("T5 is an encoder-decoder model.", "t5", "architecture", "encoder-decoder"),
        ("LLaMA ranges from 7 to 65B parameters.", "llama", "params", "7 to 65B"),
    ],
)  # fmt: skip
def test_wording_as_writers_write_it(kb, sentence, model_id, field, value):
    found = claims(kb, f"# Words\n\n{sentence}\n")
    assert (model_id, field, value) in {(c["model_id"], c["field"], c["text"]) for c in found}, (
        found
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "BERT was trained with two tasks instead of predicting the next token.",
        "BERT uses a harder task to replace next sentence prediction in later work.",
        "T5 is not a 175B model.",
        "GPT-3 was not trained on C4.",
    ],
)
def test_denied_and_replaced_values_are_no_claims(kb, sentence):
    found = claims(kb, f"# Words\n\n{sentence}\n")
    assert not [c for c in found if c["field"] in ("task", "params", "corpus")], found


# --- 5. verdicts that never cry wolf --------------------------------------------------------


def test_one_secondary_table_alone_never_contradicts(kb):
    (size,) = claims(kb, "# Sizes\n\nAlpaca has 13B parameters.\n")
    assert size["verdict"] == "unverified"
    assert "one table is not enough" in size["explanation"]


def test_a_primary_source_contradicts(kb):
    (lab,) = claims(kb, "# Labs\n\nGPT-3 was developed by Google.\n")
    assert lab["verdict"] == "contradicted"
    assert "OpenAI" in lab["explanation"]


def test_two_independent_witnesses_contradict(kb):
    (date,) = claims(kb, "# Dates\n\nGopher was released in June 2020.\n")
    assert date["verdict"] == "contradicted"


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("Gemma was developed by Google.", "supported"),  # the parent of Google DeepMind
        ("Gemma was developed by DeepMind.", "supported"),  # its earlier name
        ("Chinchilla was developed by Google DeepMind.", "supported"),  # its later name
        ("LLaMA was developed by Facebook AI Research.", "unverified"),  # a lab within Meta
        ("Chinchilla was developed by Google Brain.", "contradicted"),  # a sibling
    ],
)
def test_an_organisation_agrees_with_its_parent_and_its_other_names(kb, sentence, verdict):
    (lab,) = [c for c in claims(kb, f"# Labs\n\n{sentence}\n") if c["field"] == "lab"]
    assert lab["verdict"] == verdict, lab["explanation"]


def test_release_and_paper_dates_are_both_first_publications(kb):
    (paper,) = claims(kb, "# Dates\n\nGemma was published in March 2024.\n")
    (release,) = claims(kb, "# Dates\n\nGemma was released in February 2024.\n")
    assert paper["verdict"] == release["verdict"] == "supported"
    assert "arXiv v1" in paper["explanation"]
    assert "before the paper" in release["explanation"]


def test_sizes_among_the_models_are_supported_and_a_siblings_never_contradict(kb):
    (some,) = claims(kb, "# Sizes\n\nLlama 2 has 7B parameters.\n")
    assert some["verdict"] == "supported" and "other sizes: 70B" in some["explanation"]
    (largest,) = claims(kb, "# Sizes\n\nLlama 2 goes up to 70B parameters.\n")
    assert largest["verdict"] == "supported"
    (sibling,) = claims(kb, "# Sizes\n\nLlama has 405B parameters.\n")  # Llama 3's size
    assert sibling["verdict"] != "contradicted", sibling["explanation"]


# --- 6. posts as people have them -----------------------------------------------------------

PAGE = """<!doctype html>
<html><head><title>Notes on Gopher</title></head>
<body>
<nav><a href="/">Home</a> <a href="/blog">Blog</a> Gopher has 999B parameters</nav>
<article>
<h1>Notes on Gopher</h1>
<p>Gopher is a language model trained by DeepMind, and it has 280B parameters in all.
It came out in December 2021 and was described in a long paper.</p>
<p>Chinchilla, also from DeepMind, has 70B parameters and was trained on more data.</p>
</article>
<footer>Copyright 2024. Released under the MIT license.</footer>
</body></html>
"""


def test_a_saved_html_page_is_read_for_its_article(kb):
    found = claims(kb, PAGE, name="page.html")
    values = {(c["model_id"], c["field"], c["text"]) for c in found}
    assert ("gopher", "params", "280B") in values
    assert ("chinchilla", "params", "70B") in values
    assert not [c for c in found if c["text"] in ("999B", "MIT")]  # menus and footers
    gopher = next(c for c in found if c["text"] == "280B")
    assert gopher["line"] == 7  # the line of the page where its sentence is


def test_a_plain_text_post_is_read_as_paragraphs(kb):
    found = claims(kb, "Notes\n\n    Gopher has 280B parameters.\n", name="notes.txt")
    assert [(c["line"], c["model_id"], c["text"]) for c in found] == [(3, "gopher", "280B")]


def test_a_post_at_a_url_is_fetched_with_limits_and_one_line_errors(kb, httpserver):
    db, root = kb
    httpserver.expect_request("/post").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/image").respond_with_data(b"\x89PNG", content_type="image/png")
    base = ["--db", str(root / "kb.db"), "check"]
    result = CliRunner().invoke(cli, [*base, httpserver.url_for("/post"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert ("gopher", "params", "280B") in {
        (r["model_id"], r["field"], r["text"]) for r in json.loads(result.output)
    }
    for path, says in (("/gone", "HTTP 404"), ("/image", "not a page or text")):
        result = CliRunner().invoke(cli, [*base, httpserver.url_for(path)])
        assert result.exit_code == 1
        assert says in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


# --- sentences that once cried wolf (a reviewer's, in our words) -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft's Azure hosts Llama 2 for enterprise customers.",
        "NVIDIA's GPUs run Llama 2 fast.",
        "Meta's answer to GPT-3 was LLaMA.",
        "GPT-3's successor reportedly has 1.8T parameters.",
        "Llama 2's predecessor was released in February 2024.",
        "The AWS Llama 2 endpoints are cheap.",
        "We built the Hugging Face Gemma demo in a day.",
        "Gopher is much larger than GPT-3, which OpenAI released in 2020.",
        "BERT was trained on Wikipedia; the company published its annual report in 2020.",
        "In 2019, papers about GPT-3 appeared everywhere.",
        "In 2022, Hugging Face launched a course about BERT.",
        "## Chinchilla\n\nChinchilla is a model from DeepMind. This year, many 13B models were "
        "released by other labs. All of them beat 7B models from 2022.",
        "In February Meta released LLaMA; a year later, in 2024, Llama 3 came.",
        "We took GPT-3 from Hugging Face and fine-tuned it.",
        "You can grab Llama 2 from Hugging Face today.",
        "Gemma can be used without paying commercial fees.",
        "Mistral 7B has no restriction on commercial use.",
    ],
)
def test_ordinary_sentences_are_never_contradicted(kb, text):
    found = claims(kb, f"# Notes\n\n{text}\n")
    assert not [c for c in found if c["verdict"] == "contradicted"], found


def test_a_month_takes_the_year_before_it_in_its_paragraph(kb):
    found = claims(
        kb,
        "# 2023\n\nGopher is larger than GPT-3, which OpenAI released in 2020.\n\n"
        "In July, Meta released Llama 2.\n",
    )
    (date,) = [c for c in found if c["model_id"] == "llama-2" and c["field"] == "date"]
    assert date["normalized"] == "2023-07", date


@pytest.mark.parametrize(
    "text",
    [
        "BERT was released in 2018. Its paper is on arXiv.",
        "GPT-3 was released in May 2020 and presented at the Conference on Neural "
        "Information Processing Systems in December 2020.",
    ],
)
def test_a_sentence_that_names_a_venue_is_no_bibliography_entry(kb, text):
    found = claims(kb, f"# Notes\n\n{text}\n")
    assert [c for c in found if c["field"] == "date"], found


def test_a_table_without_outer_pipes_keeps_its_first_column(kb):
    found = claims(
        kb, "# T\n\nModel | Params | License\n--- | --- | ---\nBERT | 340M | Apache 2.0\n"
    )
    assert {(c["model_id"], c["field"], c["text"]) for c in found} >= {
        ("bert", "params", "340M"),
        ("bert", "license", "Apache 2.0"),
    }


@pytest.mark.parametrize(
    ("text", "model_id"),
    [("The open Gopher model has 280B parameters.", "gopher"),
     ("The tiny BERT model beat the big one.", "bert")],
)  # fmt: skip
def test_an_adjective_before_a_name_is_no_other_product(kb, text, model_id):
    found = claims(kb, f"# T\n\n{text}\n")
    assert all(c["model_id"] == model_id for c in found), found


# --- names that are words, and list items ---------------------------------------------------


def test_a_short_capitals_name_written_as_a_word_is_no_mention(kb):
    found = claims(kb, "# Notes\n\nBERT, a project led by Google, has 340M parameters.\n")
    assert "led" not in {c["model_id"] for c in found}
    assert ("BERT", "bert", "params", "340M") in given(found)


def test_a_list_item_does_not_lend_its_model_to_the_next_item(kb):
    text = (
        "# Notes\n\nNew this year:\n\n- Gopher, a model from DeepMind.\n"
        "- Several models of 7B parameters.\n"
    )
    found = claims(kb, text)
    assert not [c for c in found if c["field"] == "params"]


def test_a_list_item_ending_with_a_colon_lends_its_model_to_its_sub_items(kb):
    found = claims(kb, "# Notes\n\n- Gopher, from DeepMind:\n  - It has 280B parameters.\n")
    assert [(c["model_id"], c["text"]) for c in found if c["field"] == "params"] == [
        ("gopher", "280B")
    ]
