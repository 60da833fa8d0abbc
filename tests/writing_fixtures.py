"""A knowledge base for the tests of `kbuild check` on writing as people write it: arXiv
records and papers' first pages (primary), an independent table and a second one (two
witnesses), built with `kbuild fetch` and `kbuild extract`. Ids, dates, sizes and labs are
true; the abstracts are our own words."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from .check_fixtures import fetch_and_extract
from .conftest import sources_toml
from .extract_fixtures import dump_line, make_pdf
from .table_fixtures import to_csv

MODELS = [
    {"name": "BERT", "arxiv": "1810.04805"},
    {"name": "T5", "arxiv": "1910.10683"},
    {"name": "GPT-3", "arxiv": "2005.14165"},
    {"name": "Gopher", "arxiv": "2112.11446"},
    {"name": "Chinchilla", "arxiv": "2203.15556"},
    {"name": "LLaMA", "arxiv": "2302.13971"},
    {"name": "Llama 2", "arxiv": "2307.09288", "aliases": ["Llama-2"]},
    {"name": "Llama 3", "arxiv": "2407.21783"},
    {"name": "Qwen", "arxiv": "2309.16609"},
    {"name": "Qwen2", "arxiv": "2407.10671"},
    {"name": "DeepSeek-V2", "arxiv": "2405.04434"},
    {"name": "Gemma", "arxiv": "2403.08295"},
    {"name": "Mistral 7B", "arxiv": "2310.06825"},
    {"name": "Claude 3"},
    {"name": "Alpaca"},
    {"name": "LED"},  # Longformer-Encoder-Decoder: a word when written "led"
]


def _record(arxiv_id: str, title: str, authors: str, abstract: str, created: str) -> str:
    return dump_line(id=arxiv_id, title=title, authors=authors, abstract=f"  {abstract}\n",
                     versions=[{"version": "v1", "created": created}])  # fmt: skip


ARXIV = [
    _record("1810.04805", "BERT: Pre-training of Deep Bidirectional Transformers for Language "
            "Understanding", "Jacob Devlin, Ming-Wei Chang, Kenton Lee",
            "BERT is a bidirectional encoder pre-trained with masked language modeling and "
            "next sentence prediction.", "Thu, 11 Oct 2018 00:00:00 GMT"),
    _record("1910.10683", "Exploring the Limits of Transfer Learning with a Unified Text-to-Text "
            "Transformer", "Colin Raffel, Noam Shazeer, Adam Roberts",
            "We cast every task as text-to-text and train an encoder-decoder model.",
            "Wed, 23 Oct 2019 00:00:00 GMT"),
    _record("2005.14165", "Language Models are Few-Shot Learners", "Tom B. Brown, Benjamin Mann, "
            "Nick Ryder", "We train GPT-3, an autoregressive language model with 175 billion "
            "parameters.", "Thu, 28 May 2020 00:00:00 GMT"),
    _record("2112.11446", "Scaling Language Models: Methods, Analysis & Insights from Training "
            "Gopher", "Jack W. Rae, Sebastian Borgeaud, Trevor Cai",
            "We study models up to Gopher, a 280 billion parameter model.",
            "Wed, 8 Dec 2021 00:00:00 GMT"),
    _record("2203.15556", "Training Compute-Optimal Large Language Models", "Jordan Hoffmann, "
            "Sebastian Borgeaud, Arthur Mensch", "We train Chinchilla, a 70 billion parameter "
            "model, on more data.", "Tue, 29 Mar 2022 00:00:00 GMT"),
    _record("2302.13971", "LLaMA: Open and Efficient Foundation Language Models", "Hugo Touvron, "
            "Thibaut Lavril, Gautier Izacard", "We release LLaMA, models from 7B to 65B "
            "parameters.", "Mon, 27 Feb 2023 00:00:00 GMT"),
    _record("2307.09288", "Llama 2: Open Foundation and Fine-Tuned Chat Models", "Hugo Touvron, "
            "Louis Martin, Kevin Stone", "Llama 2 ranges from 7 billion to 70 billion "
            "parameters.", "Tue, 18 Jul 2023 00:00:00 GMT"),
    _record("2407.21783", "The Llama 3 Herd of Models", "Abhimanyu Dubey, Abhinav Jauhri, "
            "Abhinav Pandey", "The largest Llama 3 model has 405B parameters.",
            "Wed, 31 Jul 2024 00:00:00 GMT"),
    _record("2309.16609", "Qwen Technical Report", "Jinze Bai, Shuai Bai, Yunfei Chu",
            "We introduce Qwen, a series of language models.", "Thu, 28 Sep 2023 00:00:00 GMT"),
    _record("2407.10671", "Qwen2 Technical Report", "An Yang, Baosong Yang, Binyuan Hui",
            "Qwen2 comes in sizes from 0.5 to 72 billion parameters.",
            "Mon, 15 Jul 2024 00:00:00 GMT"),
    _record("2405.04434", "DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts "
            "Language Model", "DeepSeek-AI, Aixin Liu, Bei Feng",
            "DeepSeek-V2 has 236B parameters in all.", "Tue, 7 May 2024 00:00:00 GMT"),
    _record("2403.08295", "Gemma: Open Models Based on Gemini Research and Technology",
            "Gemma Team, Thomas Mesnard, Cassidy Hardin", "Gemma comes in 2B and 7B sizes.",
            "Wed, 13 Mar 2024 00:00:00 GMT"),
    _record("2310.06825", "Mistral 7B", "Albert Q. Jiang, Alexandre Sablayrolles, Arthur Mensch",
            "Mistral 7B is a 7-billion-parameter language model released under the Apache 2.0 "
            "license.", "Tue, 10 Oct 2023 00:00:00 GMT"),
]  # fmt: skip
PAGES = {
    "1810.04805": [["BERT: Pre-training of Deep Bidirectional Transformers",
                    "Jacob Devlin  Ming-Wei Chang  Kenton Lee", "Google AI Language",
                    "Abstract", "Our own summary of the paper goes here."]],
    "2005.14165": [["Language Models are Few-Shot Learners", "Tom B. Brown  Benjamin Mann",
                    "OpenAI", "Abstract", "Our own summary of the paper goes here."]],
}  # fmt: skip
TABLE_HEADER = ["Model", "Organization", "Publication date", "Parameters", "Link"]
# An independent table, and a second one (another witness) for some of the same models.
TABLE_ROWS = [
    ["BERT-Large", "Google", "2018-10-11", "340000000.0", "https://arxiv.org/abs/1810.04805"],
    ["GPT-3 175B (davinci)", "OpenAI", "2020-05-28", "175000000000.0",
     "https://arxiv.org/abs/2005.14165"],
    ["Gopher (280B)", "DeepMind", "2021-12-08", "280000000000.0",
     "https://arxiv.org/abs/2112.11446"],
    ["Chinchilla", "DeepMind", "2022-03-29", "70000000000.0", "https://arxiv.org/abs/2203.15556"],
    ["LLaMA-65B", "Meta AI", "2023-02-24", "65200000000.0", "https://arxiv.org/abs/2302.13971"],
    ["Llama 2-70B", "Meta AI", "2023-07-18", "70000000000.0", "https://arxiv.org/abs/2307.09288"],
    ["Qwen-72B", "Alibaba", "2023-11-30", "72000000000.0", "https://arxiv.org/abs/2309.16609"],
    ["Gemma 7B", "Google DeepMind", "2024-02-21", "8540000000.0",
     "https://arxiv.org/abs/2403.08295"],
    ["Claude 3 Opus", "Anthropic", "2024-03-04", "", ""],
    ["Alpaca", "Stanford University", "2023-03-13", "7000000000.0", ""],
    ["DeepSeek-V2", "DeepSeek", "2024-05-07", "236000000000.0", "https://arxiv.org/abs/2405.04434"],
]  # fmt: skip
SECOND_ROWS = [
    ["Gopher", "DeepMind", "2021-12-08", "280000000000.0", "https://arxiv.org/abs/2112.11446"],
    ["Chinchilla", "DeepMind", "2022-03-29", "70000000000.0", "https://arxiv.org/abs/2203.15556"],
]  # fmt: skip


def build_writing_kb(root: Path) -> tuple[sqlite_utils.Database, Path]:
    """The knowledge base in ``root``: fetched and extracted; returns (db, root)."""
    (root / "papers.jsonl").write_text("\n".join(ARXIV) + "\n")
    (root / "pdfs").mkdir()
    for arxiv_id, pages in PAGES.items():
        (root / "pdfs" / f"{arxiv_id}.pdf").write_bytes(make_pdf(pages))
    (root / "table.csv").write_text(to_csv(TABLE_HEADER, TABLE_ROWS))
    (root / "second.csv").write_text(to_csv(TABLE_HEADER, SECOND_ROWS))
    columns = {
        "Organization": {"field": "lab", "split": ","},
        "Publication date": "date",
        "Parameters": "params",
        "Link": "link",
    }
    tables = {
        "table": {"location": "table.csv", "name_column": "Model", "trust": 30,
                  "columns": columns},
        "second": {"location": "second.csv", "name_column": "Model", "trust": 40,
                   "columns": columns},
    }  # fmt: skip
    sources = root / "sources.toml"
    sources.write_text(
        sources_toml(
            MODELS, arxiv={"location": "papers.jsonl"}, pdf={"location": "pdfs"}, tables=tables
        )
    )
    return fetch_and_extract(root, sources)
