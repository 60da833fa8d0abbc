"""Extract card fields from stored documents, one extractor per source."""
