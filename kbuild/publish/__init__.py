"""Publish the knowledge base with Datasette: metadata, canned queries, ``kbuild serve``."""
