"""sources.toml: loading, validation messages, ``extends`` and path resolution."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbuild import config
from kbuild.config import SourcesError

from .conftest import REPO

VALID = """\
[arxiv]
location = "https://export.arxiv.org/api/query"
delay_seconds = 3
batch_size = 50

[hf_docs]
location = "https://huggingface.co/docs/transformers/model_doc/{slug}"

[[models]]
name = "BERT"
arxiv = "1810.04805"
hf_doc = "bert"

[[models]]
name = "GPT-1"
aliases = ["OpenAI GPT", "GPT"]
hf_doc = "openai-gpt"
"""


def write(tmp_path: Path, text: str, name: str = "sources.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(SourcesError) as info:
        config.load(path)
    message = str(info.value)
    assert str(path.resolve()) in message, message
    return message


def test_valid_file_loads(tmp_path):
    cfg = config.load(write(tmp_path, VALID))
    assert [m.name for m in cfg.models] == ["BERT", "GPT-1"]
    bert = cfg.models[0]
    assert (bert.id, bert.arxiv, bert.hf_doc) == ("bert", "1810.04805", "bert")
    assert cfg.models[1].aliases == ["OpenAI GPT", "GPT"]
    assert cfg.sources["arxiv"].batch_size == 50
    assert cfg.sources["arxiv"].delay_seconds == 3
    # Sources not named keep their defaults.
    assert cfg.sources["pdf"].location == config.DEFAULT_LOCATIONS["pdf"]
    assert cfg.tables["catalog"].enabled
    assert cfg.tables["catalog"].location == config.DEFAULT_TABLES["catalog"]["location"]


def test_unknown_top_level_key_is_named(tmp_path):
    path = write(tmp_path, VALID + '\n[hfdocs]\nlocation = "x"\n')
    message = load_error(path)
    assert "top level" in message
    assert "'hfdocs'" in message


def test_unknown_model_key_names_model_and_line(tmp_path):
    text = VALID + '\n[[models]]\nname = "RoBERTa"\narxiv_id = "1907.11692"\n'
    path = write(tmp_path, text)
    header_line = max(n for n, line in enumerate(text.splitlines(), 1) if line == "[[models]]")
    message = load_error(path)
    assert f"{path.resolve()}:{header_line}:" in message
    assert "'RoBERTa'" in message
    assert "'arxiv_id'" in message


def test_unknown_source_key_is_named(tmp_path):
    path = write(tmp_path, VALID.replace("batch_size = 50", "batchsize = 50"))
    message = load_error(path)
    assert "[arxiv]" in message
    assert "'batchsize'" in message


@pytest.mark.parametrize("slug", ["../etc", "/etc/passwd", "docs/bert", "bert/../../x"])
def test_hf_doc_slug_that_is_a_path_is_rejected(tmp_path, slug):
    path = write(tmp_path, VALID.replace('hf_doc = "bert"', f'hf_doc = "{slug}"'))
    message = load_error(path)
    assert "'BERT'" in message
    assert "hf_doc" in message
    assert repr(slug) in message


@pytest.mark.parametrize(
    "bad_id", ["arXiv:1810.04805", "1810.04805v2", "https://arxiv.org/abs/1810.04805", "1810"]
)
def test_bad_arxiv_id_is_rejected(tmp_path, bad_id):
    path = write(tmp_path, VALID.replace('arxiv = "1810.04805"', f'arxiv = "{bad_id}"'))
    message = load_error(path)
    assert "'BERT'" in message
    assert repr(bad_id) in message
    assert "arXiv id" in message


@pytest.mark.parametrize("good_id", ["1810.04805", "0704.0001", "2412.19437", "cs/0112017"])
def test_well_formed_arxiv_ids_are_accepted(tmp_path, good_id):
    path = write(tmp_path, VALID.replace('arxiv = "1810.04805"', f'arxiv = "{good_id}"'))
    assert config.load(path).models[0].arxiv == good_id


def test_alias_used_by_two_models_is_rejected(tmp_path):
    text = VALID + '\n[[models]]\nname = "GPT-2"\naliases = ["GPT"]\n'
    message = load_error(write(tmp_path, text))
    assert "'GPT'" in message
    assert "'GPT-1'" in message and "'GPT-2'" in message


def test_alias_equal_to_another_models_name_is_rejected(tmp_path):
    text = VALID + '\n[[models]]\nname = "DistilBERT"\naliases = ["bert"]\n'
    message = load_error(write(tmp_path, text))
    assert "'bert'" in message
    assert "'BERT'" in message


def test_model_listed_twice_in_one_file_is_rejected(tmp_path):
    text = VALID + '\n[[models]]\nname = "bert"\narxiv = "1907.11692"\n'
    path = write(tmp_path, text)
    message = load_error(path)
    assert "'bert'" in message
    assert "twice" in message


def test_two_names_with_the_same_id_are_rejected(tmp_path):
    text = VALID + '\n[[models]]\nname = "Other"\nid = "bert"\n'
    message = load_error(write(tmp_path, text))
    assert "'bert'" in message
    assert "'Other'" in message


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    path = write(tmp_path, VALID + "\n[[models]\nname = 'x'\n")
    message = load_error(path)
    assert "not valid TOML" in message


def test_missing_file_says_how_to_pass_one(tmp_path):
    with pytest.raises(SourcesError, match="KBUILD_SOURCES"):
        config.load(tmp_path / "nope.toml")


@pytest.mark.parametrize("size", [0, 101])
def test_arxiv_batch_size_out_of_range_is_rejected(tmp_path, size):
    message = load_error(write(tmp_path, VALID.replace("batch_size = 50", f"batch_size = {size}")))
    assert "batch_size" in message


def test_remote_hf_docs_location_needs_slug_placeholder(tmp_path):
    text = VALID.replace("model_doc/{slug}", "model_doc/bert")
    message = load_error(write(tmp_path, text))
    assert "{slug}" in message


def test_source_value_of_wrong_type_is_rejected(tmp_path):
    message = load_error(write(tmp_path, VALID.replace("delay_seconds = 3", 'delay_seconds = "3"')))
    assert "delay_seconds" in message and "wrong type" in message


def test_relative_local_locations_resolve_against_the_sources_folder(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    folder.mkdir()
    path = write(
        folder,
        '[arxiv]\nlocation = "data/papers.jsonl"\n[hf_docs]\nlocation = "../docs"\n'
        '[pdf]\nlocation = "~/pdfs"\n',
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cfg = config.load(path)
    assert cfg.sources["arxiv"].path == folder / "data" / "papers.jsonl"
    assert not cfg.sources["arxiv"].is_remote
    assert cfg.sources["hf_docs"].path == tmp_path / "docs"
    assert cfg.sources["pdf"].path == Path.home() / "pdfs"


def test_extends_merges_models_and_overrides_the_keys_it_names(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    write(
        base,
        VALID.replace(
            'hf_doc = "openai-gpt"', 'hf_doc = "openai-gpt"\npdf = "https://example.org/g.pdf"'
        ),
    )
    local = tmp_path / "local"
    local.mkdir()
    path = write(
        local,
        'extends = "../base/sources.toml"\n'
        '[arxiv]\nlocation = "papers.jsonl"\n'
        '[[models]]\nname = "GPT-1"\npdf = "pdfs/gpt1.pdf"\n'
        '[[models]]\nname = "T5"\narxiv = "1910.10683"\nhf_doc = "t5"\n',
    )
    cfg = config.load(path)
    assert [m.name for m in cfg.models] == ["BERT", "GPT-1", "T5"]
    gpt1 = cfg.models[1]
    assert gpt1.pdf == "pdfs/gpt1.pdf"
    assert gpt1.base_dir == local
    assert gpt1.aliases == ["OpenAI GPT", "GPT"]
    assert gpt1.hf_doc == "openai-gpt"
    assert cfg.models[0].base_dir == base
    # The base file's source settings survive; the extending file's location wins.
    assert cfg.sources["arxiv"].batch_size == 50
    assert cfg.sources["arxiv"].path == local / "papers.jsonl"
    assert cfg.sources["hf_docs"].location.endswith("model_doc/{slug}")


def test_extends_loop_is_reported(tmp_path):
    write(tmp_path, 'extends = "b.toml"\n', "a.toml")
    write(tmp_path, 'extends = "a.toml"\n', "b.toml")
    with pytest.raises(SourcesError, match="loops back"):
        config.load(tmp_path / "a.toml")


def test_error_in_extended_file_names_that_file(tmp_path):
    bad = write(tmp_path, VALID.replace('arxiv = "1810.04805"', 'arxiv = "1810.04805v1"'), "b.toml")
    path = write(tmp_path, 'extends = "b.toml"\n', "a.toml")
    with pytest.raises(SourcesError) as info:
        config.load(path)
    assert str(bad.resolve()) in str(info.value)


# --- the real sources files ----------------------------------------------------------------

REQUIRED_MODELS = [
    "Transformer", "BERT", "GPT-1", "GPT-2", "RoBERTa", "DistilBERT", "ALBERT", "BART", "T5",
    "XLNet", "Transformer-XL", "ELECTRA", "DeBERTa", "Longformer", "Reformer", "Big Bird",
    "GPT-3", "InstructGPT", "PaLM", "BLOOM", "OPT", "Chinchilla", "LLaMA", "Llama 2", "Llama 3",
    "Alpaca", "Mamba", "Gemma", "Mistral 7B", "Mixtral", "Switch Transformers", "mT5",
    "Pegasus", "Qwen2", "DeepSeek-V3",
]  # fmt: skip

# (name, arXiv id, hf doc slug) — true pairs; None where there is no arXiv paper or HF page.
TRUE_PAIRS = [
    ("Transformer", "1706.03762", None),
    ("BERT", "1810.04805", "bert"),
    ("T5", "1910.10683", "t5"),
    ("Llama 2", "2307.09288", "llama2"),
    ("DeepSeek-V3", "2412.19437", "deepseek_v3"),
    ("RoBERTa", "1907.11692", "roberta"),
    ("GPT-3", "2005.14165", None),
    ("LLaMA", "2302.13971", "llama"),
    ("Mistral 7B", "2310.06825", "mistral"),
    ("GPT-1", None, "openai-gpt"),
]


@pytest.fixture(scope="module")
def real_sources():
    return config.load(REPO / "sources.toml")


def test_real_sources_file_lists_the_required_models(real_sources):
    names = {m.name for m in real_sources.models}
    missing = [name for name in REQUIRED_MODELS if name not in names]
    assert not missing
    assert all(s.is_remote for s in real_sources.sources.values())


@pytest.mark.parametrize(("name", "arxiv_id", "slug"), TRUE_PAIRS)
def test_real_sources_file_has_true_ids(real_sources, name, arxiv_id, slug):
    model = next(m for m in real_sources.models if m.name == name)
    assert (model.arxiv, model.hf_doc) == (arxiv_id, slug)


def test_real_sources_file_gpt1_aliases(real_sources):
    gpt1 = next(m for m in real_sources.models if m.name == "GPT-1")
    assert {"OpenAI GPT", "GPT"} <= set(gpt1.aliases)


def test_real_sources_file_has_well_formed_arxiv_ids(real_sources):
    ids = [m.arxiv for m in real_sources.models if m.arxiv]
    assert ids and all(re.fullmatch(r"\d{4}\.\d{4,5}", i) for i in ids)
    assert len(ids) == len(set(ids))


def test_corpus_sources_file_overrides_gpt1_pdf_relative_to_itself(real_sources):
    cfg = config.load(REPO / "corpus.sources.toml")
    assert [m.name for m in cfg.models] == [m.name for m in real_sources.models]
    gpt1 = next(m for m in cfg.models if m.name == "GPT-1")
    assert gpt1.pdf == "../shared/corpus/pdfs/gpt1-improving-language-understanding.pdf"
    assert gpt1.base_dir == REPO
    assert gpt1.aliases == next(m for m in real_sources.models if m.name == "GPT-1").aliases
    assert (gpt1.base_dir / gpt1.pdf).resolve() == (
        REPO.parent / "shared" / "corpus" / "pdfs" / "gpt1-improving-language-understanding.pdf"
    ).resolve()
    for source in [*(cfg.sources[n] for n in ("arxiv", "hf_docs", "pdf")), *cfg.tables.values()]:
        assert not source.is_remote, source.name
        assert source.path.resolve().is_relative_to((REPO.parent / "shared" / "corpus").resolve())
    # The base file's arXiv settings carry over.
    assert cfg.sources["arxiv"].batch_size == real_sources.sources["arxiv"].batch_size
