"""A small knowledge base for the `kbuild check` tests, built with `kbuild fetch` and
`kbuild extract`: arXiv records, a paper's first page, the catalog, a copy of the catalog
and an independent table. Ids, dates, sizes and labs are true; the prose is ours."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from kbuild import config
from kbuild.extract import runner as extract_runner
from kbuild.fetch import runner as fetch_runner
from kbuild.store import open_db

from .conftest import sources_toml
from .extract_fixtures import dump_line, make_pdf
from .table_fixtures import to_csv

MODELS = [
    {"name": "BERT", "arxiv": "1810.04805"},
    {"name": "RoBERTa", "arxiv": "1907.11692"},
    {"name": "XLNet", "arxiv": "1906.08237"},
    {"name": "ALBERT", "arxiv": "1909.11942"},
    {"name": "BLOOM", "arxiv": "2211.05100"},
    {"name": "Pegasus", "arxiv": "1912.08777"},
    {"name": "Pythia", "arxiv": "2304.01373"},
]
ARXIV = [
    dump_line(id="1907.11692", title="RoBERTa: A Robustly Optimized BERT Pretraining Approach",
              authors="Yinhan Liu, Myle Ott, Naman Goyal",
              abstract="  We revisit how BERT is pretrained.\n",
              versions=[{"version": "v1", "created": "Fri, 26 Jul 2019 00:00:00 GMT"}]),
    dump_line(id="1906.08237", title="XLNet: Generalized Autoregressive Pretraining for "
              "Language Understanding", authors="Zhilin Yang, Zihang Dai, Yiming Yang",
              abstract="  XLNet is pretrained with permutation language modeling.\n",
              versions=[{"version": "v1", "created": "Wed, 19 Jun 2019 00:00:00 GMT"}]),
    dump_line(id="2211.05100", title="BLOOM: A 176B-Parameter Open-Access Multilingual "
              "Language Model", authors="BigScience Workshop, Teven Le Scao, Angela Fan",
              abstract="  BLOOM is a decoder-only language model with 176B parameters.\n",
              versions=[{"version": "v1", "created": "Wed, 9 Nov 2022 00:00:00 GMT"}]),
]  # fmt: skip
ROBERTA_PAGE = [
    [
        "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        "Yinhan Liu   Myle Ott   Naman Goyal",
        "Paul G. Allen School of Computer Science & Engineering,",
        "University of Washington, Seattle, WA",
        "Facebook AI",
        "Abstract",
        "We revisit how BERT is pretrained and train it for longer.",
    ]
]
CATALOG_HEADER = ["Name", "Family", "Pretraining Architecture", "Pretraining Task",
                  "Date (of first known publication)", "Num. Params", "Corpus", "License",
                  "Lab", "Link"]  # fmt: skip
CATALOG_ROWS = [
    ["BERT", "BERT", "Encoder", "MLM/NSP", "10/2018", "Base = 110M, Large = 340M",
     "Toronto Book Corpus and Wikipedia", "Open, Apache-2.0", "Google",
     "https://huggingface.co/docs/transformers/model_doc/bert"],
    ["RoBERTa", "BERT", "Encoder", "MLM (Dynamic)", "07/2019", "356M",
     "Same as BERT + CC News + OpenWebText + Stories", "N/A", "UW/Google",
     "https://huggingface.co/docs/transformers/model_doc/roberta"],
    ["XLNet", "Transformer XL", "Decoder", "PLM", "05/2019", "Base=117M, Large=360M",
     "Same as BERT + Giga5 + ClueWeb 2012-B + Common Crawl", "Open, MIT license", "CMU/Google",
     "https://huggingface.co/docs/transformers/model_doc/xlnet"],
    ["ALBERT", "BERT", "Encoder", "MLM/NSP", "09/2019", "Base = 12M, Large = 18M, XLarge = 60M",
     "Same as BERT", "Open, Apache-2.0", "Google",
     "https://huggingface.co/docs/transformers/model_doc/albert"],
    ["BLOOM", "GPT", "Decoder", "LM", "07/2022", "176B", "ROOTS", "Open, BigScience RAIL v1.0",
     "Big Science/Huggingface", "https://huggingface.co/docs/transformers/model_doc/bloom"],
    ["Pegasus", "Transformer", "Encoder/Decoder", "DAE (more concretely GSG) and MLM", "12/2019",
     "Base = 223M, Large = 568M", "C4 (750GB) + HugeNews (3.8 TB)", "N/A", "UCL/Google",
     "https://huggingface.co/docs/transformers/model_doc/pegasus"],
    ["Pythia", "Pythia", "Decoder", "", "04/2023", "70M, 160M, 410M, 1B, 1.4B, 2.8B, 6.9B, 12B",
     "Pile", "Open, Apache-2.0", "Eleuther AI", "https://github.com/EleutherAI/pythia"],
]  # fmt: skip
EPOCH_HEADER = ["Model", "Organization", "Publication date", "Parameters", "Link"]
EPOCH_ROWS = [
    ["BLOOM-176B", "Hugging Face,BigScience", "2022-07-11", "176247271424.0",
     "https://arxiv.org/abs/2211.05100"],
    ["RoBERTa Large", "Facebook AI,University of Washington", "2019-07-26", "355000000.0",
     "https://arxiv.org/abs/1907.11692"],
    ["XLNet", "Carnegie Mellon University,Google", "2019-06-19", "340000000.0",
     "https://arxiv.org/abs/1906.08237"],
]  # fmt: skip


def build_kb(root: Path) -> tuple[sqlite_utils.Database, Path]:
    """The knowledge base in ``root``: fetched and extracted; returns (db, root)."""
    (root / "papers.jsonl").write_text("\n".join(ARXIV) + "\n")
    (root / "pdfs").mkdir()
    (root / "pdfs" / "1907.11692.pdf").write_bytes(make_pdf(ROBERTA_PAGE))
    (root / "catalog.csv").write_text(to_csv(CATALOG_HEADER, CATALOG_ROWS))
    (root / "copy.csv").write_text(to_csv(CATALOG_HEADER, CATALOG_ROWS))
    (root / "epoch.csv").write_text(to_csv(EPOCH_HEADER, EPOCH_ROWS))
    tables = {
        "copy": {"location": "copy.csv", "derived_from": ["catalog"], "trust": 60},
        "epoch": {"location": "epoch.csv", "name_column": "Model", "trust": 30,
                  "columns": {"Organization": {"field": "lab", "split": ","},
                              "Publication date": "date", "Parameters": "params",
                              "Link": "link"}},
    }  # fmt: skip
    sources = root / "sources.toml"
    sources.write_text(
        sources_toml(
            MODELS,
            arxiv={"location": "papers.jsonl"},
            pdf={"location": "pdfs"},
            catalog={"location": "catalog.csv"},
            tables=tables,
        )
    )
    return fetch_and_extract(root, sources)


def fetch_and_extract(root: Path, sources: Path) -> tuple[sqlite_utils.Database, Path]:
    """``root``/kb.db built from a sources file with `fetch` and `extract`."""
    db = open_db(root / "kb.db")
    report = fetch_runner.run(config.load(sources), db, quiet=True)
    assert not report.failed, report.failures
    extract_runner.run(db)
    return db, root
