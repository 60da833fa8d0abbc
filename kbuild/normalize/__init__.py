"""One normalizer per kind of card field. Each takes the text as written in a source and
returns a :class:`Normalized`: the canonical value (or None) and why it is None."""

from kbuild.normalize.result import Normalized

__all__ = ["Normalized"]
