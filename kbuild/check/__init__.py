"""Fact-check the model cards of a blog post against the knowledge base."""
