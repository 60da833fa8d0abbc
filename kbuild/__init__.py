"""kbuild: a provenance-keeping knowledge base about language models."""

import sys

__version__ = "0.1.0"


class _NoNumpyForSqliteUtils:
    """sqlite-utils imports numpy when it is installed (matplotlib, for the charts, brings
    it) only to store numpy values, which kbuild never stores; that import is a tenth of a
    second of every command's start. While sqlite-utils' own module is loading, numpy is
    reported missing, the way sqlite-utils runs without it; any other import of numpy
    (matplotlib's) loads it as usual."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "numpy":
            return None
        # the code that asks, past the import machinery: sqlite-utils' module itself
        # (not a package it loads, pandas say, that needs numpy)
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").startswith(
            ("importlib", "_frozen_importlib")
        ):
            frame = frame.f_back
        if frame is not None and frame.f_globals.get("__name__") == "sqlite_utils.db":
            raise ImportError("numpy is not needed by kbuild's use of sqlite-utils")
        return None


if not any(isinstance(f, _NoNumpyForSqliteUtils) for f in sys.meta_path):
    sys.meta_path.insert(0, _NoNumpyForSqliteUtils())
