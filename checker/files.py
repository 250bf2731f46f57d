"""Writing output files so that readers never see half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


def write_atomic(path: Path, text: str) -> None:
    """Write *text* to *path*: a reader sees the old file or the new one, never a partial one.

    The text goes to a temporary file beside the target, is flushed to disk, then renamed over
    it (``os.replace`` is atomic on POSIX and Windows). Permissions are the usual 0644, not the
    0600 of ``mkstemp``: reports are meant to be shared.
    """
    with atomic_writer(path) as fh:
        fh.write(text)


@contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """A text file to write piece by piece (a large report, streamed) that appears at *path* only
    when the block ends without an exception; see :func:`write_atomic`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
