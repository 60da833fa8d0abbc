"""kbuild: a provenance-keeping knowledge base about language models."""

__version__ = "0.1.0"
