"""Datasette metadata for the knowledge base: every table and column described, label
columns, sort orders, facets, hidden FTS tables and the canned fact-check queries.

``kbuild extract`` writes it next to the database as ``metadata.yml`` so that plain
``datasette db/kb.db -m db/metadata.yml`` shows the same as ``kbuild serve``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import sqlite_utils

from kbuild import __version__
from kbuild.publish.queries import QUERIES
from kbuild.store import FTS

SOURCES_HTML = """
<p>Every value in this database says where it came from: each fact points at the stored
document it was read from, the place in it (locator), the document's own words (quote) and
the public address of that evidence (url). Primary sources first, tables after them:</p>
<ul>
<li><strong>arXiv</strong> records and abstracts (<a href="https://info.arxiv.org/help/api/">
arXiv API</a> or the bulk metadata dump): metadata CC0, abstracts under each paper's
licence.</li>
<li><strong>Hugging Face transformers model docs</strong>
(<a href="https://huggingface.co/docs/transformers">huggingface.co/docs/transformers</a>,
sources in huggingface/transformers), Apache-2.0.</li>
<li><strong>Paper PDFs</strong> (arXiv or the authors' sites), text under each paper's
licence.</li>
<li><strong>The Transformer catalog</strong> by Xavier Amatriain (a Google Sheet and
<a href="https://arxiv.org/abs/2302.07730">arXiv 2302.07730</a>), no licence stated;
<strong>Epoch AI</strong>'s Notable and Large-Scale AI Models
(<a href="https://epoch.ai/data">epoch.ai/data</a>), CC BY 4.0, credit Epoch AI;
<strong>Stanford CRFM ecosystem-graphs</strong>, no licence stated; the
<strong>LLMSurvey</strong> table (RUCAIBox), no licence stated; <strong>ORKG</strong>
comparison R1364660 (llm-atlas), CC BY-SA 4.0, a copy of the catalog.</li>
</ul>
<p>Start at the <a href="/">home page</a>: search a model, open a fact-check report, browse
conflicts and charts. Built by kbuild {version}.</p>
"""

# Datasette settings `kbuild serve` uses. Suggested facets are off: they re-run a view per
# column and made the cards and conflicts pages 7x slower (the configured facets stay).
# More SQL threads than Datasette's 3: a query runs at most sql_time_limit_ms, and with 3
# threads three slow queries held every page up for that long (SQLite lets go of the GIL
# while it works, so the others still answer).
SETTINGS = {"sql_time_limit_ms": 3000, "suggest_facets": False, "num_sql_threads": 8}

TABLES: dict[str, dict] = {
    "documents": {
        "description": "Every retrieved artefact, append-only, with its provenance.",
        "label_column": "location",
        "sort_desc": "fetched_at",
        "facets": ["source", "content_type", "fetcher"],
        "columns": {
            "id": "Document id (facts point here).",
            "source": "arxiv, hf_doc, hf_doc_index (the model-doc index), repo (an official "
            "repository's file), hub, pdf, or a table's name (catalog, epoch_notable, ...).",
            "model_id": "The model the document is about (empty for the catalog).",
            "location": "The document's public address (its URL, or for a local copy the "
            "URL of what it copies: arXiv abs page, HF doc page, the sheet, the PDF).",
            "item": "The record within the location when it holds many (the arXiv id).",
            "final_url": "The URL after redirects (for arXiv, the batch query sent); for a "
            "local copy, the public URL of the file it copies.",
            "fetched_at": "When this content was first fetched (UTC).",
            "last_checked_at": "When this content was last seen unchanged (UTC): an HTTP "
            "304 or the same bytes again, or a local file read again (not one skipped "
            "because its size and modification time had not changed).",
            "http_status": "HTTP status of the answer (empty for local files).",
            "etag": "ETag sent by the server, for conditional re-fetches.",
            "last_modified": "Last-Modified sent by the server.",
            "content_type": "Content-Type of the answer.",
            "sha256": "SHA-256 of the stored content.",
            "bytes": "Size of the stored content.",
            "body": "The text of a text document, exactly as fetched (shown as plain text).",
            "blob": "The bytes of a binary document (a PDF).",
            "fetcher": "The code that fetched it, name@version.",
        },
    },
    "local_copies": {
        "description": (
            "The file each local copy was read from: paths of the machine that built the "
            "database, left out of the copy `kbuild serve` serves and of the public one."
        ),
        "hidden": True,
        "columns": {"document_id": "The document.", "path": "The local file it was read from."},
    },
    "lineage": {
        "description": (
            "Typed edges between models, each with its evidence: fine_tuned_from (Epoch's "
            "base model, 'fine-tuned from' text), distilled_from, extends (ecosystem-graphs' "
            "model dependencies, 'based on' / 'extension of' text), same_family (the "
            "catalog's Family), successor_of. One row per edge and source."
        ),
        "facets": ["kind", "via", "source"],
        "columns": {
            "id": "Edge id (model, parent, kind, document, locator).",
            "model_id": "The model.",
            "parent_id": "The model it comes from.",
            "kind": "fine_tuned_from, distilled_from, extends, same_family, successor_of, "
            "adapter_of, quantized_from or merged_from.",
            "via": "What states it: base_model, dependencies, family, extension (table "
            "columns) or text (a docs sentence).",
            "source": "The source.",
            "document_id": "The document.",
            "fact_id": "The table fact it was read from (empty for docs text).",
            "locator": "Where in the document.",
            "quote": "The source's words.",
            "url": "The public address of the evidence.",
        },
    },
    "explore_rows": {
        "description": (
            "One row per model: what the explorer (/explore) filters, sorts and shows, read "
            "from cards, families, evidence and conflicts when they are built, each column "
            "indexed for its sort. Whether a model is in scope is model_scope's."
        ),
        "hidden": True,
        "columns": {
            "model_id": "The model.",
            "name": "Its name.",
            "date": "The card's date.",
            "year": "The date's year.",
            "lab": "The card's lab.",
            "architecture": "The card's architecture.",
            "license": "The card's licence.",
            "access": "The card's access.",
            "largest": "The largest of the card's sizes (parameters).",
            "family": "Its families, comma-separated.",
            "witnesses": "How many independent witnesses have facts about it.",
            "disagreements": "How many values disagree with its card (conflicts).",
        },
    },
    "suspended_indexes": {
        "description": (
            "A full-text index whose triggers a large extract took away, to rebuild whole "
            "once it has written (the next extract does it if that one was killed): empty "
            "between runs."
        ),
        "hidden": True,
        "columns": {"name": "The indexed table.", "triggers": "Its triggers' SQL, to restore."},
    },
    "model_names_fts": {
        "description": (
            "The keys of model_names by their three-letter runs (SQLite FTS5, trigram): "
            "how the site's search finds a part of a name without reading every name."
        ),
        "hidden": True,
        "columns": {"key": "A key of model_names.", "model_id": "Its model."},
    },
    "model_names": {
        "description": (
            "Every name a model goes by (name, alias, id, HF slug, the names the tables' rows "
            "give it, its arXiv id), as the key names are matched on: lower case, no spaces "
            "or punctuation. What kbuild check and the site's search match names with."
        ),
        "label_column": "key",
        "facets": ["kind"],
        "columns": {
            "key": "The name as matched ('openaigpt', 'mixtral8x7b', or an arXiv id).",
            "model_id": "The model it finds.",
            "kind": "name, alias, id, hf_doc_slug, table_row or arxiv_id.",
        },
    },
    "name_words": {
        "description": (
            "Every name, alias, arXiv id and doc slug of every model with its words: how "
            "kbuild check finds the models a post can name without reading every name. "
            "Kept current from `models` (name_words_stale marks what changed)."
        ),
        "hidden": True,
        "columns": {
            "model_id": "The model.",
            "name": "The name as written.",
            "kind": "name, alias, arxiv_id or hf_doc_slug.",
            "word": "Its longest run of letters and digits, lower-cased (looked up).",
            "words": "Every run of letters and digits in it, lower-cased (JSON).",
            "head": "Its first two characters, lower-cased (for close names).",
        },
    },
    "name_words_stale": {
        "description": "Models whose names changed since name_words was last brought up to date.",
        "hidden": True,
        "columns": {"model_id": "The model."},
    },
    "models": {
        "description": "Tracked models: sources.toml entries and the models tables added.",
        "label_column": "name",
        "sort": "name",
        "facets": ["origin"],
        "columns": {
            "id": "Model id (slug).",
            "name": "The model's name.",
            "aliases": "Other names (JSON list).",
            "arxiv_id": "Its paper's arXiv id.",
            "hf_doc_slug": "Its Hugging Face model-doc page slug.",
            "repos": "Its official repositories the sources file names (JSON: owner/name or "
            "owner/name/folder).",
            "pdf": "Its paper's PDF (public URL), when not on arXiv.",
            "origin": "Where it was first listed: sources.toml, a table (catalog, ...) or "
            "hf_docs (a page of the model-doc index).",
            "catalog_document_id": "The catalog document its row came from.",
            "catalog_row": "Its row in the catalog sheet (the header is row 1).",
            "family": "For a release of its own a table named as a size of another model: "
            "that model (GLM-130B → GLM).",
        },
    },
    "papers": {
        "description": "arXiv papers as fetched (one row per paper).",
        "label_column": "title",
        "sort_desc": "published",
        "facets": ["primary_category"],
        "columns": {
            "arxiv_id": "arXiv id without version.",
            "version": "The latest version seen.",
            "title": "Title.",
            "authors": "Authors (JSON list).",
            "published": "Date of v1 (UTC).",
            "updated": "Date of the latest version (UTC).",
            "primary_category": "Primary arXiv category.",
            "categories": "All categories (JSON list).",
            "abstract": "The abstract.",
            "pdf_url": "The PDF on arXiv.",
            "doi": "DOI, when given.",
            "journal_ref": "Journal reference, when given.",
            "comment": "The authors' comment.",
            "document_id": "The document this record was read from.",
        },
    },
    "pages": {
        "description": "The text of every page of every PDF (pymupdf).",
        "sort": "document_id",
        "columns": {
            "document_id": "The PDF document.",
            "page": "Page number, from 1.",
            "text": "The page's text.",
        },
    },
    "facts": {
        "description": (
            "One row per value found in one document: the value as written, normalized, "
            "where it was found and the document's own words."
        ),
        "label_column": "value",
        "sort": "model_id",
        "facets": ["field", "method", "extractor", "flag"],
        "columns": {
            "id": "Fact id, stable across re-runs.",
            "model_id": "Whose card.",
            "field": "Card field.",
            "value": "The value as written in the source.",
            "normalized": "Canonical value (JSON for lists); empty when it cannot be read.",
            "qualifier": "Kind of date (arxiv_v1, publication, release), fine-tuning task, ...",
            "flag": "Why normalized is empty: malformed, reference, no_count, ...",
            "document_id": "The document it was found in.",
            "locator": "Where in the document: CSV row/column, text span, PDF page/span/bbox.",
            "quote": "The document's exact words at the locator (plain text).",
            "extractor": "The extractor, name@version.",
            "method": "stated, or derived (e.g. 'Same as BERT' resolved).",
            "confidence": "0-1.",
            "context": "What the source says around the value (a table's note column).",
            "url": "The public address of the evidence: arXiv abs page (v1 for the v1 "
            "date), the PDF at #page=N, the HF doc page or its source line, the table row.",
        },
    },
    "sources": {
        "description": (
            "Every source, primary (papers, docs) or table, with its licence, homepage and "
            "what it was copied from: copies of one original share a witness."
        ),
        "label_column": "name",
        "facets": ["kind", "witness"],
        "columns": {
            "name": "Source name (the documents' source).",
            "kind": "paper metadata, official docs, paper, official repository, model card, "
            "or table.",
            "primary_source": "1 for a primary source (the paper, its record, the docs).",
            "format": "csv, yaml, json or html (tables).",
            "location": "Its public address (a local copy's path is never stored).",
            "homepage": "The table's own page.",
            "licence": "The table's licence.",
            "description": "What it is.",
            "derived_from": "The tables it was built from (JSON list).",
            "witness": "The original it goes back to: sources sharing one are not independent.",
            "adds_models": "1 when its rows add models.",
            "spec": "The table's section of the sources file (JSON), as extract reads it.",
            "updated_at": "When fetch last wrote this row (UTC).",
        },
    },
    "table_rows": {
        "description": (
            "What became of every row of every table: matched to a model, added as one, "
            "ambiguous, unmatched, or skipped by the table's filter."
        ),
        "label_column": "name",
        "sort": "source",
        "facets": ["source", "status", "matched_by"],
        "columns": {
            "document_id": "The table document.",
            "row": "Row (CSV: the spreadsheet row, header = 1; YAML/JSON/HTML: record from 1).",
            "source": "The table.",
            "name": "The model name as the row writes it.",
            "base_name": "The name without a size or variant ('LLaMA-65B' → 'LLaMA').",
            "size": "The size the row's name gives ('65B').",
            "status": "matched, added, ambiguous, unmatched or filtered.",
            "model_id": "The model the row belongs to.",
            "matched_by": "name, size-name, arxiv, hf_doc or added.",
            "arxiv_id": "The arXiv id the row's link gives.",
            "candidates": "For an ambiguous row, the models it could be (JSON list).",
            "note": "Why a row is ambiguous, or the model it shares a paper with.",
        },
    },
    "extractions": {
        "description": "Which extractor read which document, for incremental re-runs.",
        "columns": {
            "document_id": "The document.",
            "extractor": "The extractor, name@version.",
            "context": "Digest of the extractor code and tracked models at the time.",
            "facts": "Facts written.",
            "extracted_at": "When (UTC).",
        },
    },
    "cards_stale": {
        "description": "Models whose cards are to be computed again (kept by triggers).",
        "hidden": True,
        "columns": {"model_id": "The model."},
    },
    "card_documents": {
        "description": "The documents that were current when the cards were last computed.",
        "hidden": True,
        "columns": {"document_id": "The document."},
    },
    "derived": {
        "description": (
            "What card_values, model_names and lineage were last built from, so that an "
            "extract that changed nothing does not build them again; what fetch last "
            "matched table rows with, and which wanted ids a local arXiv dump lacked."
        ),
        "columns": {
            "name": "What was built: cards (what they were built from), card_rules (what "
            "with), model_names, lineage, table_rows (table matching's inputs), "
            "arxiv_dump_absent (the ids a local arXiv dump lacked when last read).",
            "digest": "Digest of what it was built from: the code, models, sources, current "
            "documents and facts (card_rules: the code, sources and trust only; table_rows: "
            "the matching code, models, table specs and current tables; arxiv_dump_absent: the "
            "reading code, the dump file's path, size, times and inode, and the ids).",
            "built_at": "When (UTC).",
        },
    },
    "orgs": {
        "description": "Every spelling of an organisation and its canonical name; join on it.",
        "label_column": "org",
        "facets": ["org"],
        "columns": {"alias": "A spelling found in sources.", "org": "Canonical organisation."},
    },
    "source_trust": {
        "description": "Which source a card believes first, per field (rank 1 first).",
        "facets": ["field", "source"],
        "columns": {"field": "Card field.", "source": "Source.", "rank": "1 = most trusted."},
    },
    "posts": {
        "description": (
            "The text kbuild check read of each checked post (markdown, or a page converted "
            "to it): what its claims' lines and spans point into, shown by the post view."
        ),
        "columns": {
            "post_key": "The post's key (from its resolved path or URL).",
            "post": "Its file name or URL.",
            "kind": "markdown, text or html (converted to markdown).",
            "text": "The text as read.",
            "checked_at": "When it was last checked.",
        },
    },
    "claims": {
        "description": "Claims read from posts by kbuild check.",
        "label_column": "text",
        "sort": "line",
        "facets": ["post", "field", "model"],
        "columns": {
            "id": "Claim id (post, line, field).",
            "post": "The post's file name (never its path: the database is published).",
            "post_key": "Which post: a key from its full path, so two posts of one name in "
            "two folders stay apart; its report is /post/<post_key>.",
            "model": "The model as the post names it.",
            "model_id": "The model it resolved to (empty when unknown).",
            "field": "Card field.",
            "key": "The key as written in the post.",
            "text": "The claim as written.",
            "normalized": "The claim normalized like the facts.",
            "line": "Line in the post.",
            "checked_at": "When checked (UTC).",
            "identified_by": "How the card's model was found (Name line, Link, heading ...), "
            "or why it was not.",
            "origin": "The table row the card repeats most ('catalog row 8 (BERT) in 7 of 8 "
            "fields'): not a witness independent of the card.",
            "kind": "card (a card block) or prose (a sentence).",
            "span": "For prose: the columns of the value in its line (JSON [start, end]).",
            "sentence": "For prose: the sentence that states it.",
            "qualifier": "For prose: 'range' (from X to Y) or 'up to' (the largest size).",
            "unpublished": "Why readers do not see it (HTML comment, front matter), if so.",
        },
    },
    "verdicts": {
        "description": "The verdict on each claim, with the evidence fact.",
        "facets": ["verdict"],
        "columns": {
            "claim_id": "The claim.",
            "verdict": "supported, partially_supported, unverified, contradicted, malformed, "
            "not_checkable, no_evidence or unknown_model (the model is not in the knowledge "
            "base: listed, not judged).",
            "fact_id": "The evidence it was judged against.",
            "explanation": "Why, with what the sources say.",
        },
    },
    "fetch_events": {
        "description": "Every fetch outcome of every run (local files found unchanged: "
        "one line per source and run, counted in items).",
        "sort_desc": "id",
        "facets": ["source", "outcome", "run_id"],
        "columns": {
            "id": "Event id.",
            "run_id": "The run (its start time).",
            "at": "When (UTC).",
            "source": "Source.",
            "model_id": "The model, when per model.",
            "location": "What was fetched (a local file by its name only).",
            "outcome": "fetched, unchanged, failed or skipped.",
            "document_id": "The document stored or seen again (none on a line that "
            "counts a source's unchanged local files).",
            "message": "Why it failed or was skipped; on a line that counts unchanged "
            "local files, what it counts.",
            "items": "How many items the line stands for: 1, or for the one line a run "
            "writes per source for its local files found unchanged, their number.",
        },
    },
    "cards": {
        "description": (
            "One row per model: the preferred value of each field (most trusted source, "
            "then confidence) and the fact it comes from."
        ),
        "label_column": "name",
        # lab is a list: an array facet reads every card (150 ms at 100k models); one
        # click on a lab value filters all the same
        "facets": ["architecture", "license"],
        "columns": {"model_id": "Model id.", "name": "Model name."},
    },
    "conflicts": {
        "description": (
            "Values that disagree, after normalization, with the value a card shows: "
            "the card's fact and the other side by side, each with its source, words and "
            "public address."
        ),
        "facets": ["severity", "field", "other_source"],
        "columns": {
            "model_id": "Model.",
            "field": "Card field.",
            "severity": "1 a primary source disagrees with the card, 2 two tables, 3 a table "
            "against a primary source.",
            "ranked": "The severity in words.",
        },
    },
    "variants": {
        "description": (
            "Values that differ from the card's but are no disagreement, with the rule that "
            "says so: a value the table audit flags; one organisation under another name, "
            "a parent or member; a release date beside the paper's, or one event days "
            "apart; a fine-tuning task beside a pretraining one; Transformer as a family; "
            "what a mixture of experts activates per token."
        ),
        "facets": ["rule", "field"],
        "columns": {"rule": "Why this is a variant, not a conflict."},
    },
    "families": {
        "description": (
            "The releases a family groups: a release of its own with the model it was "
            "named after (Falcon, Falcon-180B), and models whose names are a versioned stem "
            "and a tier word (Claude 3: Opus, Sonnet, Haiku). kbuild check judges a card "
            "about a family against its releases."
        ),
        "facets": ["family", "how"],
        "columns": {
            "family": "The family's name.",
            "family_key": "The name as names are matched (lower case, no punctuation).",
            "model_id": "A release of the family.",
            "how": "Why it belongs to the family.",
        },
    },
    "model_scope": {
        "description": (
            "Whether lists and charts show a model by default: the sources file lists it, "
            "a checked post names it, or it is first published in or after [scope] since "
            "(2017 by default). Out-of-scope models are kept, marked here."
        ),
        "facets": ["in_scope"],
        "columns": {
            "in_scope": "1: shown in lists and charts; 0: kept, left out by default.",
            "why": "Why it is in or out of scope.",
        },
    },
    "scope": {
        "description": "The sources file's [scope]: since = the first year in scope.",
        "columns": {"name": "Setting.", "value": "Its value."},
    },
    "identity_review": {
        "description": (
            "Table rows that name a model another way and were left apart (another name "
            "for a model's paper; a release of its own named as a size), or could not be "
            "placed (ambiguous), each with why: the review list of identity."
        ),
        "facets": ["status", "source"],
        "columns": {"note": "Why the row was left apart or not placed."},
    },
    "evidence": {
        "description": "Every fact of a current document, with its source, URL and trust rank.",
        "facets": ["field", "source"],
        "columns": {
            "url": "The public address of the evidence (the fact's own, else its document's).",
            "trust_rank": "1 = most trusted.",
            "witness": "The original its source goes back to (copies share one).",
            "primary_source": "1 for the paper, its arXiv record or the official docs.",
            "suspect": "Why the table's own audit flags the fact (empty: not suspect).",
        },
    },
    "preferred_facts": {
        "description": "The fact each card shows.",
        "facets": ["field", "source"],
    },
    "card_values": {
        "description": (
            "What each card shows, per model and field, and why: primary sources first, the "
            "earliest credible date, every stated size; suspect facts only as a last resort."
        ),
        "facets": ["field"],
        "columns": {
            "model_id": "Model.",
            "field": "Card field.",
            "value": "What the card shows (the text for free-text fields).",
            "normalized": "The normalized value (for params, every stated size).",
            "qualifier": "The kind of date, or 'range'.",
            "fact_id": "The fact the value rests on.",
            "fact_ids": "Every fact it rests on (JSON list).",
            "rule": "Why this value (which rule, which sources).",
        },
    },
    "anomalies": {
        "description": (
            "Table facts the tables' own audit flags: cells pasted from another row or "
            "shifted from another column. A suspect fact never supports a claim."
        ),
        "facets": ["kind"],
        "columns": {
            "fact_id": "The suspect fact.",
            "document_id": "Its table document.",
            "row": "Its row.",
            "column": "Its column.",
            "kind": "shifted, repeated, garbled or implausible.",
            "reason": "What is wrong, and the row it seems to come from.",
            "like_row": "The row it seems to come from.",
            "like_model_id": "That row's model.",
        },
    },
    "table_anomalies": {
        "description": "The suspect table facts with their table, row, model and value.",
        "facets": ["source", "kind", "field"],
        "columns": {
            "fact_id": "The suspect fact.",
            "source": "The table.",
            "file": "The file, for a folder of YAML files.",
            "row": "Row.",
            "column": "Column.",
            "model_id": "The row's model.",
            "field": "Card field.",
            "value": "The cell as written.",
            "kind": "shifted, repeated, garbled or implausible.",
            "reason": "What is wrong, and the row it seems to come from.",
            "like_row": "The row it seems to come from.",
            "like_model_id": "That row's model.",
            "document_id": "The table document.",
        },
    },
    "corroboration": {
        "description": (
            "Per model and field, the card's value and how many independent witnesses "
            "(a table and its copies count once) agree and disagree with it."
        ),
        "facets": ["field", "source", "agreeing"],
        "columns": {
            "model_id": "Model.",
            "field": "Card field.",
            "value": "The value the card shows.",
            "source": "Its source.",
            "fact_id": "The card's fact.",
            "agreeing": "Independent witnesses that agree (the card's own included).",
            "disagreeing": "Independent witnesses with a value, none of which agrees.",
            "agreeing_witnesses": "Which (JSON list).",
            "disagreeing_witnesses": "Which (JSON list).",
        },
    },
    "current_documents": {
        "description": "The newest document of each address.",
        "facets": ["source"],
    },
}

CARD_FIELDS_HELP = {
    "link": "The model's page (catalog).",
    "family": "Model family (JSON list).",
    "architecture": "encoder, decoder, encoder-decoder or state-space.",
    "task": "Pretraining / fine-tuning objectives (JSON list).",
    "extension": "What it adds (catalog text).",
    "application": "What it is for (catalog text).",
    "date": "Date of first publication (YYYY-MM-DD, YYYY-MM or YYYY).",
    "params": "Parameter counts, one per size (JSON list).",
    "corpus": "Training corpora (JSON list).",
    "license": "SPDX id, LicenseRef-..., or proprietary.",
    "access": "Who can use it: unreleased, api, hosted, open weights (restricted), open "
    "weights or open source.",
    "lab": "Organisations (JSON list).",
    "arxiv_id": "The paper's arXiv id.",
}
for _key, _help in CARD_FIELDS_HELP.items():
    TABLES["cards"]["columns"][_key] = _help
    TABLES["cards"]["columns"][f"{_key}_fact_id"] = f"The fact the {_key} comes from."
for _side, _what in (("card", "the card's fact"), ("other", "the disagreeing fact")):
    for _column, _help in (
        ("value", "The value of {} (normalized: what is compared)."),
        ("source", "The source of {}."),
        ("quote", "The words of {}, verbatim."),
        ("qualifier", "The kind of date or size of {}."),
        ("url", "The public address of {}'s evidence."),
        ("fact_id", "{} (its row in facts)."),
    ):
        TABLES["conflicts"]["columns"][f"{_side}_{_column}"] = _help.format(_what)
        if (_side, _column) not in (("card", "quote"), ("card", "url")):
            TABLES["variants"]["columns"][f"{_side}_{_column}"] = _help.format(
                _what.replace("disagreeing", "differing")
            )
TABLES["variants"]["columns"].update(model_id="Model.", field="Card field.")
TABLES["identity_review"]["columns"].update(
    source="The table.",
    row="The row (header = row 1).",
    name="The row's name, as written.",
    status="matched, added, ambiguous or unmatched.",
    model_id="The model it went to, if any.",
    family="The family of a release of its own.",
    candidates="The models an ambiguous row could be (JSON).",
)
TABLES["model_scope"]["columns"].update(
    model_id="Model.", name="Model name.", date="The date its card shows."
)
_SHARED = {**TABLES["facts"]["columns"], "source": "Source of the document."}
for _view in ("evidence", "preferred_facts"):
    TABLES[_view].setdefault("columns", {})
    for _column, _help in _SHARED.items():
        TABLES[_view]["columns"].setdefault(_column, _help)
TABLES["preferred_facts"]["columns"].update(
    {k: v for k, v in TABLES["evidence"]["columns"].items() if k not in TABLES["facts"]["columns"]},
    shown="The value the card shows.",
    rule="Why the card shows it.",
    pick="1: the preferred fact.",
)
TABLES["current_documents"]["columns"] = dict(TABLES["documents"]["columns"])


def build(db_name: str = "kb") -> dict:
    """The metadata dict for a database served under the name ``db_name``."""
    tables = {name: dict(spec) for name, spec in TABLES.items()}
    for table in FTS:
        for suffix in ("fts", "fts_config", "fts_data", "fts_docsize", "fts_idx"):
            tables[f"{table}_{suffix}"] = {"hidden": True}
    for suffix in ("config", "content", "data", "docsize", "idx"):
        tables[f"model_names_fts_{suffix}"] = {"hidden": True}
    return {
        "title": "kbuild: the language-model knowledge base",
        "description_html": SOURCES_HTML.format(version=__version__),
        "license": "Mixed: see each source",
        "source": "arXiv, Hugging Face transformers docs, paper PDFs, the Transformer catalog, "
        "Epoch AI, CRFM ecosystem-graphs, LLMSurvey, ORKG",
        "source_url": "https://arxiv.org/abs/2302.07730",
        "databases": {
            db_name: {
                "description": "Documents, facts with provenance, cards, conflicts, checks.",
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }


def path_for(db_path: str | Path) -> Path:
    """Where a database's metadata lives: ``metadata.yml`` beside ``kb.db``, and
    ``<name>.metadata.yml`` beside any other, so two databases in one folder keep
    their own."""
    db_path = Path(db_path)
    name = "metadata.yml" if db_path.stem == "kb" else f"{db_path.stem}.metadata.yml"
    return db_path.parent / name


def write(db_path: str | Path) -> Path:
    """Write the database's metadata file (whole or not at all) unless it holds this
    metadata already, intact; returns its path.

    Its first line is a comment with two digests, of the metadata and of the text
    below it: a re-run compares them without making (or loading) any YAML."""
    db_path = Path(db_path)
    path = path_for(db_path)
    metadata = build(db_path.stem)
    wanted = _digest(json.dumps(metadata, sort_keys=True, default=str))
    try:
        stamp, _, rest = path.read_text(encoding="utf-8").partition("\n")
        if stamp == f"{STAMP} {wanted} {_digest(rest)}":
            return path
    except (OSError, UnicodeDecodeError):
        pass
    import yaml

    text = yaml.dump(
        metadata,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),  # libyaml's: 10× faster
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    from kbuild.publish.whole_file import write_whole

    return write_whole(path, f"{STAMP} {wanted} {_digest(text)}\n{text}")


STAMP = "# written by kbuild; digests of the metadata and of this file:"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def usable(db_path: str | Path) -> Path:
    """The database's metadata file, written again when it is missing, truncated or
    for another database."""
    import yaml

    db_path = Path(db_path)
    path = path_for(db_path)
    try:
        found = yaml.safe_load(path.read_text(encoding="utf-8"))
        if db_path.stem in found["databases"]:
            return path
    except (OSError, yaml.YAMLError, TypeError, KeyError, UnicodeDecodeError):
        pass
    return write(db_path)


def undocumented(db: sqlite_utils.Database, metadata: dict) -> list[str]:
    """Tables, views and columns of ``db`` that the metadata does not describe."""
    (tables,) = [d["tables"] for d in metadata["databases"].values()]
    missing = []
    for name in [*db.table_names(), *db.view_names()]:
        spec = tables.get(name)
        if spec is None:
            missing.append(name)
            continue
        if spec.get("hidden"):
            continue
        if not spec.get("description"):
            missing.append(f"{name} (description)")
        columns = db[name].columns_dict
        missing += [f"{name}.{c}" for c in columns if c not in spec.get("columns", {})]
    return missing
