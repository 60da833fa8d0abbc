"""Writing a take-away file whole or not at all: through ``<name>.partial`` renamed over
the file, the partial removed when the write fails (a full disk), so a reader never
finds half a file and the last whole one stays."""

from __future__ import annotations

import os
from pathlib import Path


def write_whole(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8) to ``path`` whole or not at all; returns it."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        if isinstance(content, bytes):
            partial.write_bytes(content)
        else:
            partial.write_text(content, encoding="utf-8")
        os.replace(partial, path)
    except BaseException as err:
        partial.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.filename is None:
            # (a write that fails on a full disk names no file: say which)
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise
    return path
