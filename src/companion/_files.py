"""Two file primitives every stage shares: an atomic write and a content hash.

A write goes to a temporary file in the same folder, then `os.replace`, so a
reader (or a run killed part-way) sees the old bytes or the new, never half.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def named(exc: OSError, path: Path | str) -> OSError:
    """`exc` naming `path` when it names no file (a failed write says nothing of where)."""
    if exc.filename is None:
        exc.filename = str(path)
    return exc


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename; an `OSError` names
    `path`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError as exc:
        raise named(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise named(exc, path) from None
        raise


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (media can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
