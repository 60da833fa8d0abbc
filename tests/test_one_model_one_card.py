"""One model, one card: a release is a model (a size row far from the model's date is
its own release, in the model's family), duplicates merge, organisations are one
registry with the era's name, shifted rows never win, access is no licence, and models
out of scope are kept but marked. Rows are ours, with true names, papers and dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbuild import config as config_module
from kbuild import families
from kbuild.extract import runner
from kbuild.extract.tables import extract
from kbuild.fetch.hf_doc_index import PageEntry
from kbuild.fields import CARD_FIELDS
from kbuild.normalize.lab import ORGS, normalize_lab
from kbuild.normalize.organisations import registry
from kbuild.tables import spec as table_spec
from kbuild.tables.formats import read
from kbuild.tables.match import match_sources, match_tables, spelled_out

from .conftest import sources_toml
from .extract_fixtures import small_kb
from .table_fixtures import to_csv
from .test_audit import HEADER as CATALOG
from .test_audit import flagged as _flagged
from .test_tables_match import tracked


def table(name="t", adds_models=True):
    raw = {
        "location": f"{name}.csv",
        "name_column": "Model",
        "columns": {"Publication date": "date", "Link": "link"},
        "adds_models": adds_models,
    }
    return table_spec.parse(name, raw, None, Path("."))


def rows(*lines: tuple[str, str, str]):
    return read("csv", to_csv(["Model", "Publication date", "Link"], [list(r) for r in lines]))


def matched(models, *tables):
    found, assignments = match_tables(models, list(tables))
    return {m["id"]: m for m in found}, {a.name: a for a in assignments}


# --- identity ----------------------------------------------------------------------------


def test_a_size_row_far_from_the_models_release_is_a_release_of_its_own():
    # GLM's paper is of March 2021; GLM-130B came out on 4 August 2022 with its own paper
    models, found = matched(
        [tracked("GLM", arxiv="2103.10360")],
        (table(), [(1, rows(
            ("GLM", "2021-03-18", "https://arxiv.org/abs/2103.10360"),
            ("GLM-130B", "2022-08-04", ""),
        ))]),
    )  # fmt: skip
    row = found["GLM-130B"]
    assert (row.status, row.model_id) == ("added", "glm-130b")
    assert models["glm-130b"]["name"] == "GLM-130B"
    assert models["glm-130b"]["family"] == "GLM"
    assert "its own release" in row.note and "family GLM" in row.note


def test_a_size_row_of_the_same_release_stays_a_size_whatever_the_table_order():
    # LLaMA's 65B came out with the paper (24 February 2023); the size row comes first
    models, found = matched(
        [tracked("LLaMA", arxiv="2302.13971")],
        (table(), [(1, rows(
            ("LLaMA-65B", "2023-02-24", "https://arxiv.org/abs/2302.13971"),
            ("LLaMA", "2023-02-27", ""),
        ))]),
    )  # fmt: skip
    assert (found["LLaMA-65B"].model_id, found["LLaMA-65B"].size) == ("llama", "65B")
    assert len(models) == 1


def test_two_size_rows_of_one_model_months_apart_are_two_releases_the_first_is_the_model():
    # Qwen-7B came out in August 2023, Qwen-72B on 30 November; "Qwen" is the first,
    # whichever row comes first
    models, found = matched(
        [tracked("Qwen")],
        (table(), [(1, rows(("Qwen-72B", "2023-11-30", ""), ("Qwen-7B", "2023-08-03", "")))]),
    )
    assert found["Qwen-7B"].model_id == "qwen"
    assert found["Qwen-72B"].model_id == "qwen-72b"
    assert models["qwen-72b"]["family"] == "Qwen"


def test_a_size_row_citing_the_models_own_paper_is_a_size_whatever_its_date():
    # HyperCLOVA was unveiled in May 2021; its paper (arXiv 2109.04650) gives the 82B
    _, found = matched(
        [tracked("HyperCLOVA", arxiv="2109.04650")],
        (table(), [(1, rows(
            ("HyperCLOVA", "2021-05-25", ""),
            ("HyperCLOVA 82B", "2021-09-10", "https://arxiv.org/abs/2109.04650"),
        ))]),
    )  # fmt: skip
    assert (found["HyperCLOVA 82B"].model_id, found["HyperCLOVA 82B"].size) == (
        "hyperclova", "82B",
    )  # fmt: skip


def test_a_date_long_after_the_rows_paper_does_not_split_a_release():
    # Epoch dates InCoder-6.7B to its ICLR 2023 version; its paper is arXiv 2204.05999
    _, found = matched(
        [],
        (table(), [(1, rows(
            ("InCoder", "2022-04-12", ""),
            ("InCoder-6.7B", "2023-04-09", "https://arxiv.org/abs/2204.05999"),
        ))]),
    )  # fmt: skip
    assert found["InCoder-6.7B"].model_id == "incoder"


def test_a_size_word_with_the_models_paper_stays_a_size_even_dated_later():
    # Epoch dates ALBERT-xxlarge to its ICLR publication, months after the preprint
    _, found = matched(
        [tracked("ALBERT", arxiv="1909.11942")],
        (table(), [(1, rows(
            ("ALBERT", "2019-09-26", ""),
            ("ALBERT-xxlarge", "2020-02-09", "https://arxiv.org/abs/1909.11942"),
        ))]),
    )  # fmt: skip
    assert found["ALBERT-xxlarge"].model_id == "albert"


def test_a_parenthesis_spelling_out_the_initials_is_an_alias():
    assert spelled_out("MT-NLG (Megatron TuringNLG)") == "Megatron TuringNLG"
    assert spelled_out("Computer-Using Agent (CUA)") == "CUA"
    assert spelled_out("GPT-3 175B (davinci)") is None
    models, found = matched(
        [],
        (table("catalog"), [(1, rows(("MT-NLG (Megatron TuringNLG)", "2021-10-11", "")))]),
        (table("epoch"), [(2, rows(
            ("Megatron-Turing NLG 530B", "2021-10-11", "https://arxiv.org/abs/2201.11990"),
        ))]),
    )  # fmt: skip
    assert list(models) == ["mt-nlg"]
    assert found["Megatron-Turing NLG 530B"].model_id == "mt-nlg"


def test_a_misspelt_name_with_the_models_paper_is_the_model_and_numbers_are_not_typos():
    models, found = matched(
        [tracked("Galactica", arxiv="2211.09085"), tracked("Gemini Nano-2", arxiv="2312.11805")],
        (table(), [(1, rows(
            ("Galatica", "2022-11-16", "https://arxiv.org/abs/2211.09085"),
            ("Gemini Nano-1", "2023-12-06", "https://arxiv.org/abs/2312.11805"),
        ))]),
    )  # fmt: skip
    assert found["Galatica"].model_id == "galactica"
    assert found["Gemini Nano-1"].model_id == "gemini-nano-1"  # another size, its own model
    assert "galatica" not in models


def test_a_row_no_table_had_a_model_for_finds_the_model_a_doc_page_adds():
    page = PageEntry("code_llama", "CodeLlama", arxiv_id="2308.12950")
    spec = table("ecosystem", adds_models=False)
    _, assignments, _ = match_sources(
        [], [(spec, [(1, rows(("Code LLaMA", "2023-08-24", "")))])], [page]
    )
    assert (assignments[0].status, assignments[0].model_id) == ("matched", "codellama")


def test_families_group_releases_by_stem_and_by_split():
    models = [
        {"id": "claude-3-opus", "name": "Claude 3 Opus", "family": None},
        {"id": "claude-3-haiku", "name": "Claude 3 Haiku", "family": None},
        {"id": "mistral-large", "name": "Mistral Large", "family": None},
        {"id": "glm", "name": "GLM", "family": None},
        {"id": "glm-130b", "name": "GLM-130B", "family": "GLM"},
        {"id": "gemma-7b-it", "name": "Gemma 1.1 7B Instruct", "family": None},
    ]
    found = {(r["family"], r["model_id"]) for r in families.rows(models)}
    assert found == {
        ("Claude 3", "claude-3-opus"),
        ("Claude 3", "claude-3-haiku"),
        ("GLM", "glm"),
        ("GLM", "glm-130b"),
        ("Gemma 1.1", "gemma-7b-it"),
    }  # "Mistral Large" is no family "Mistral": no version in the stem


# --- organisations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, date, expected",
    [
        ("Google DeepMind", "2014-10-20", ["DeepMind"]),  # the era's name (NTM)
        ("DeepMind", "2024-02-15", ["Google DeepMind"]),
        ("Google DeepMind", "2023", ["Google DeepMind"]),  # the year of the merger: as written
        ("Google Brain", "2019-10-23", ["Google"]),  # shown as its company
        ("Mosaic", None, ["MosaicML"]),
        ("Reka", None, ["Reka AI"]),
        ("University of British Columbia", None, None),  # not Columbia University
        ("GitHub", None, None),  # serves models, makes none
    ],
)
def test_one_registry_names_every_organisation_by_its_eras_name(text, date, expected):
    assert normalize_lab(text, date).value == expected


def test_the_normalizer_reads_its_organisations_from_the_registry():
    makers = {o.shown_as or o.name for o in registry().values() if o.lab}
    assert set(ORGS) == makers


# --- plausibility --------------------------------------------------------------------------


def test_a_row_whose_cells_are_shifted_is_implausible_in_every_cell():
    found = _flagged(
        [
            # our own shifted row: the architecture in the task, an optimiser as the size,
            # hardware in the extension — its right-looking date and lab go with it
            ["Chinchilla", "GPT", "Decoder", "TPUv4, TPUv3", "Language modelling",
             "03/2022", "AdamW", "MassiveText", "", "DeepMind", ""],
            ["Gopher", "GPT", "Causal language modeling", "Scaled up decoder", "Language",
             "12/2021", "280B", "MassiveText", "", "DeepMind", ""],
        ]
    )  # fmt: skip
    chinchilla = {column for (name, column) in found if name == "Chinchilla"}
    assert {"Num. Params", "Date (of first known publication)", "Lab"} <= chinchilla
    assert all(r.startswith("implausible: its row looks shifted") for r in found.values())
    assert not [name for name, _ in found if name == "Gopher"]


def test_a_labs_cell_naming_the_model_itself_is_implausible_but_a_lab_named_like_it_is_not():
    found = _flagged(
        [
            ["ChatGLM-6B", "GLM", "Causal language modeling", "", "", "03/2023", "6B", "", "",
             "ChatGLM", ""],
            ["DeepSeek-V3", "", "Causal language modeling", "", "", "12/2024", "671B", "", "",
             "DeepSeek", ""],
            # a company the model is named after, unknown to the registry, is its lab
            ["LightOn Mini", "", "Causal language modeling", "", "", "03/2023", "40B", "", "",
             "LightOn", ""],
        ]
    )  # fmt: skip
    assert list(found) == [("ChatGLM-6B", "Lab")]
    assert found[("ChatGLM-6B", "Lab")].startswith("implausible: the model's own name")


# --- access, scope ---------------------------------------------------------------------------


def test_access_is_a_card_field_of_its_own():
    assert "access" in CARD_FIELDS and CARD_FIELDS.index("access") > CARD_FIELDS.index("license")


def test_scope_since_is_read_from_the_sources_file_with_clear_errors(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml() + "\n[scope]\nsince = 2015\n")
    assert config_module.load(path).since == 2015
    path.write_text(sources_toml())
    assert config_module.load(path).since == 2017
    path.write_text(sources_toml() + '\n[scope]\nsince = "recent"\n')
    with pytest.raises(config_module.SourcesError, match=r"\[scope\] since.*not a year"):
        config_module.load(path)


def test_models_before_the_scope_are_kept_but_marked_and_left_out_of_lists(tmp_path):
    kb = small_kb(tmp_path / "kb.db")
    runner.run(kb.db)
    db = kb.db
    db["models"].insert(
        {"id": "ntm", "name": "Neural Turing Machine", "aliases": "[]", "origin": "epoch"}
    )
    date = next(db.query("select * from facts where model_id = 'bert' and field = 'date'"))
    db["facts"].insert(
        {**date, "id": "ntm-date", "model_id": "ntm", "value": "2014-10-20",
         "normalized": "2014-10-20", "qualifier": "publication"}
    )  # fmt: skip
    runner.build_derived(db, full=True)
    scope = {r["model_id"]: r for r in db.query("select * from model_scope")}
    assert scope["ntm"]["in_scope"] == 0 and "before 2017" in scope["ntm"]["why"]
    # a model a checked post names is in scope whatever its date
    db["claims"].insert(
        {"id": "c1", "post": "p.md", "model_id": "ntm", "field": "date", "line": 3,
         "checked_at": "2026-12-07T00:00:00Z"},
        alter=True,
    )  # fmt: skip
    named = next(db.query("select * from model_scope where model_id = 'ntm'"))
    assert (named["in_scope"], named["why"]) == (1, "a checked post names it")
    db.execute("delete from claims")
    assert scope["bert"]["in_scope"] == 1  # the sources file lists it
    from kbuild.publish import charts
    from kbuild.publish.queries import QUERIES

    drawn = {p["id"] for p in charts.points(db.query(charts.SQL))}
    assert "ntm" not in drawn and "bert" in drawn
    assert "ntm" in {p["id"] for p in charts.points(db.query(charts.SQL), everything=True)}
    timeline = {r["model_id"] for r in db.query(QUERIES["timeline"]["sql"], {"page": ""})}
    assert "ntm" not in timeline and "bert" in timeline


def test_a_date_long_after_the_month_of_the_rows_paper_is_not_a_first_publication():
    # KEPLER's paper is arXiv 1911.06136 (November 2019); its journal version came out in
    # 2021: a row dated then is not its first publication. BERT's row dated in its
    # paper's month is fine.
    found = _flagged(
        [
            ["KEPLER", "", "MLM", "", "", "2021-02-01", "125M", "", "", "Tsinghua",
             "https://arxiv.org/abs/1911.06136"],
            ["BERT", "BERT", "MLM", "", "", "2018-10-11", "340M", "", "", "Google",
             "https://arxiv.org/abs/1810.04805"],
        ]
    )  # fmt: skip
    assert list(found) == [("KEPLER", "Date (of first known publication)")]
    assert (
        "after the month of its paper (arXiv 1911.06136, 2019-11)"
        in found[("KEPLER", "Date (of first known publication)")]
    )


def test_same_as_another_model_gives_no_size():
    # the same design is not the same size (mBART's vocabulary makes it 610M)
    found = {}
    text = to_csv(CATALOG, [
        ["BART", "BERT", "DAE", "", "", "10/2019", "140M, 400M", "", "", "Meta", ""],
        ["mBART", "BART", "DAE", "", "", "01/2020", "Same as BART", "", "", "Meta", ""],
    ])  # fmt: skip
    spec = table_spec.parse("catalog", {"location": "c.csv", "adds_models": True}, None, Path("."))
    _, assignments = match_tables([], [(spec, [(1, read("csv", text))])])
    facts = extract(
        {"id": 1, "body": text, "item": None}, spec, {a.row: a.as_row() for a in assignments}
    )
    for fact in facts:
        if fact.field == "params":
            found[fact.model_id] = fact.normalized
    assert found["bart"].value == [140_000_000, 400_000_000]
    assert (found["mbart"].value, found["mbart"].flag) == (None, "reference")


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # an encoder and a decoder named together are one encoder-decoder, not a decoder
        ("It uses an image Transformer encoder and an autoregressive text Transformer "
         "decoder to read scanned pages.", None),
        # an objective is a task, not an architecture
        ("The model supports the causal language modeling objective and masked language "
         "modeling.", None),
        ("GPT-2 is a causal language model.", "decoder"),
    ],
)  # fmt: skip
def test_architecture_is_stated_only_by_a_sentence_about_the_architecture(sentence, expected):
    from kbuild.normalize.architecture import architecture_stated

    found = architecture_stated(sentence)
    assert (found[1].value if found else None) == expected


def test_code_indented_in_a_list_item_is_no_prose():
    from kbuild.extract.text import markdown_regions

    body = (
        "# NLLB\n\nNLLB translates between 200 languages.\n\n"
        "- Load the tokenizer:\n\n   ```py\n   tok = AutoTokenizer.from_pretrained("
        '"facebook/nllb-200-distilled-600M")\n   ```\n'
    )
    text = " ".join(region.text for region in markdown_regions(body))
    assert "translates" in text and "distilled" not in text


@pytest.mark.parametrize(
    "a, a_qualifier, b, b_qualifier, agree",
    [
        # a table's "Limited, non-commercial" licence, named after the model, beside the
        # licence the model's repository gives (Alpaca's weight diff: CC BY-NC 4.0)
        ("LicenseRef-Alpaca-License", "bespoke", "CC-BY-NC-4.0", None, True),
        ("LicenseRef-LLaMA-License", "bespoke", "LicenseRef-LLaMA-Model-License", None, True),
        ("LicenseRef-OpenRAIL-M", None, "LicenseRef-BigCode-OpenRAIL-M", None, True),
        ("LicenseRef-Vicuna-License", "bespoke", "Apache-2.0", None, False),
        ("LicenseRef-DeepSeek-Model-License", None, "MIT", None, False),
    ],
)
def test_a_tables_bespoke_licence_agrees_with_the_models_licence(
    a, a_qualifier, b, b_qualifier, agree
):
    from kbuild.normalize.license import licences_agree

    assert licences_agree(a, a_qualifier, b, b_qualifier) is agree
    assert licences_agree(b, b_qualifier, a, a_qualifier) is agree


def test_a_base_model_not_fine_tuned_is_built_on_not_fine_tuned_from():
    # Epoch's finetune compute says which: Flan-T5 11B was fine-tuned from T5-11B (7.6e19
    # FLOP), FunSearch only prompts PaLM 2 (0); an empty cell says nothing (ULMFiT)
    header = ["Model", "Base model", "Finetune compute (FLOP)"]
    text = to_csv(header, [["Flan-T5 11B", "T5-11B", "7.6e+19"], ["FunSearch", "PaLM 2", "0.0"],
                           ["ULM-FiT", "AWD-LSTM", ""]])  # fmt: skip
    raw = {
        "location": "e.csv", "name_column": "Model", "adds_models": True,
        "columns": {"Base model": {"field": "base_model",
                                   "fine_tuned_when": "Finetune compute (FLOP)"}},
    }  # fmt: skip
    spec = table_spec.parse("epoch", raw, None, Path("."))
    _, assignments = match_tables([], [(spec, [(1, read("csv", text))])])
    facts = extract(
        {"id": 1, "body": text, "item": None}, spec, {a.row: a.as_row() for a in assignments}
    )
    found = {f.value: f.normalized.qualifier for f in facts if f.field == "base_model"}
    assert found == {"T5-11B": "finetune", "PaLM 2": "built_on", "AWD-LSTM": None}
    with pytest.raises(table_spec.SpecError, match="fine_tuned_when is for a base_model"):
        table_spec.parse(
            "t", {"location": "t.csv", "columns": {"Date": {"field": "date",
                                                           "fine_tuned_when": "X"}}},
            None, Path("."),
        )  # fmt: skip


def test_a_bound_on_other_models_is_no_size_of_this_one():
    from kbuild.extract.statements import params_phrase

    sentence = "The 10B base model leads among models under 13B parameters on our benchmarks."
    assert params_phrase(sentence) is None
    assert params_phrase("We release models of 7B and 10B parameters.") == "7B and 10B parameters"


def _family_kb():
    import json

    import sqlite_utils

    from kbuild.check.knowledge import KnowledgeBase
    from kbuild.store import ensure_schema

    db = sqlite_utils.Database(memory=True)
    ensure_schema(db)
    names = [("claude", "Claude"), ("claude-3-opus", "Claude 3 Opus"),
             ("claude-3-haiku", "Claude 3 Haiku")]  # fmt: skip
    db["models"].insert_all(
        [{"id": i, "name": n, "aliases": json.dumps([]), "origin": "epoch"} for i, n in names],
        pk="id",
    )
    families.write(db)
    return KnowledgeBase(db, "Claude 3 Opus and Claude 3 Haiku, and Claude.")


def test_a_card_about_a_family_is_the_family_and_its_name_line_wins():
    from kbuild.check.identify import identify
    from kbuild.check.post import Card

    kb = _family_kb()
    # a heading that names a family, with no Name line: the family, not "Claude"
    found = identify(kb, Card("Claude 3", 3, headings=["Claude 3"]))
    assert found.model is None and found.family == "Claude 3" and not found.ambiguous
    assert set(found.candidates) == {"claude-3-opus", "claude-3-haiku"}
    # the card's own Name line names one release: that release
    found = identify(kb, Card("Claude 3 Opus", 3, name="Claude 3 Opus", headings=["Claude 3"]))
    assert found.model["id"] == "claude-3-opus" and found.family is None


@pytest.mark.parametrize("order", [1, -1])
def test_which_release_is_the_model_does_not_depend_on_the_order_of_the_rows(order):
    # Nemotron-4 15B (February 2024) came before Nemotron-4 340B (June 2024)
    lines = [("Nemotron-4 340B", "2024-06-14", ""), ("Nemotron-4 15B", "2024-02-27", "")]
    models, found = matched([], (table(), [(1, rows(*lines[::order]))]))
    assert found["Nemotron-4 15B"].model_id == "nemotron-4"
    assert found["Nemotron-4 340B"].model_id == "nemotron-4-340b"
    assert models["nemotron-4-340b"]["family"] == "Nemotron-4"


def test_a_row_left_apart_finds_the_release_a_later_table_adds_under_its_name():
    # ecosystem-style table (adds no models) first, then one that adds GLM-130B
    models, found = matched(
        [tracked("GLM", arxiv="2103.10360")],
        (table("eco", adds_models=False), [(1, rows(
            ("GLM", "2021-03-18", ""), ("GLM-130B", "2022-08-04", ""), ("GLM 130B", "", ""),
        ))]),
        (table("survey"), [(2, rows(("GLM-130B", "2022-08-04", "")))]),
    )  # fmt: skip
    assert found["GLM 130B"].model_id == "glm-130b"  # undated, yet the release's own name
    assert models["glm-130b"]["family"] == "GLM"


def test_a_month_or_day_of_zero_is_no_date_and_breaks_nothing():
    from kbuild.normalize.dates import normalize_date

    assert normalize_date("00/2023").value is None
    assert normalize_date("2023-06-00").value is None
    _, found = matched([], (table(), [(1, rows(("Foo-7B", "00/2023", "")))]))
    assert found["Foo-7B"].status == "added"
