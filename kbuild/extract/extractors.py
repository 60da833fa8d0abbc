"""Each extractor's name@version, stored with every extraction: a new version extracts
again. Kept apart from the extractors, so that a run that finds nothing to extract
never loads them (and their patterns)."""

ARXIV = "kbuild.extract.arxiv@0.2.0"
HF_DOCS = "kbuild.extract.hf_docs@0.3.0"
PDF = "kbuild.extract.pdf@0.3.0"
TABLES = "kbuild.extract.tables@0.2.0"
REPOS = "kbuild.extract.repos@0.1.0"
HUB = "kbuild.extract.hub@0.1.0"

# the `source` of a document → its extractor (tables: every table source)
PRIMARY = {"arxiv": ARXIV, "hf_doc": HF_DOCS, "pdf": PDF, "repo": REPOS, "hub": HUB}
