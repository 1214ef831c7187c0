"""Two file primitives every stage shares: an atomic write and a content hash.

A write goes to a temporary file in the same folder, then `os.replace`, so a
reader (or a run killed part-way) sees the old bytes or the new, never half.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

CHUNK = 1 << 20


def named(exc: OSError, path: Path | str) -> OSError:
    """`exc` naming `path` when it names no file (a failed write says nothing of where)."""
    if exc.filename is None:
        exc.filename = str(path)
    return exc


def atomic_write(path: Path, data: bytes, *, make_parent: bool = True,
                 public: bool = False) -> None:
    """Write `data` to `path` through a temporary file and a rename (through the one
    descriptor the temporary file was made with; `public`: readable by all, as a site's
    files are); an `OSError` names `path`. Without `make_parent` the folder exists."""
    fd, tmp = _temporary(path, make_parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if public:
                os.fchmod(out.fileno(), 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        _discard(tmp, exc, path)
        raise


def atomic_fill(path: Path, fill: Callable[[Path], object], *,
                make_parent: bool = True) -> None:
    """Make `path` by `fill(temporary path)` then a rename (a copy, a hard link, a tool's
    output); an `OSError` names `path`."""
    fd, tmp = _temporary(path, make_parent)
    os.close(fd)
    try:
        fill(Path(tmp))
        os.replace(tmp, path)
    except BaseException as exc:
        _discard(tmp, exc, path)
        raise


def _temporary(path: Path, make_parent: bool) -> tuple[int, str]:
    try:
        if make_parent:
            path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError as exc:
        raise named(exc, path) from None


def _discard(tmp: str, exc: BaseException, path: Path) -> None:
    """A failed write's temporary file removed; an `OSError` raised naming `path`."""
    Path(tmp).unlink(missing_ok=True)
    if isinstance(exc, OSError):
        raise named(exc, path) from None


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (media can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
