"""Structured tables about models (the Transformer catalog, Epoch AI, CRFM ecosystem-graphs,
ORKG, LLMSurvey ...), all read through one mechanism: a ``[tables.<name>]`` section of the
sources file (:mod:`kbuild.tables.spec`), a reader per format (:mod:`kbuild.tables.formats`),
size-named rows (:mod:`kbuild.tables.names`) and row-to-model matching
(:mod:`kbuild.tables.match`)."""
