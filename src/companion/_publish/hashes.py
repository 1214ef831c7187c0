"""The site's files and their sha256, reading only the files whose stat changed.

A publish compares every file of the site with the target's manifest by sha256.
Hashing 670 MB on every publish is what made a no-change publish slow, so, as rsync
and s5cmd decide by size and modification time, a file whose ``(mtime_ns, size)`` is
the one recorded with a sha256 is not read again. The records come from

- the build state (`_build.state`): the build's writer records ``(mtime_ns, size,
  sha256)`` of every output it wrote or checked;
- the last publish of this site folder on this machine: ``.companion/publish-hashes.bin``
  (marshal), written after a scan that hashed anything.

Both are machine-local facts: they stay in the project's ``.companion/`` and never go
into the target's manifest, which holds what the target has (sha256, size, type).
``--verify`` ignores them and hashes every file.

A record of a file modified less than `RACY_SECONDS` before it was taken is not kept:
a second write within the same clock tick would keep its size and mtime (git's "racy"
entries), so such a file is hashed again next time.
"""

from __future__ import annotations

import marshal
import os
import stat as _stat
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from companion._files import atomic_write, sha256_file

#: (mtime_ns, size, sha256 hex) of a file, as the build state records an output.
Record = tuple[int, int, str]
CACHE_NAME = "publish-hashes.bin"
CACHE_FORMAT = 1
RACY_SECONDS = 2.0
_PYTHON = ".".join(map(str, sys.version_info[:2]))


def site_files(site_dir: Path) -> list[tuple[str, str]]:
    """Every publishable file of a site folder (dotfiles and dot-folders left out), in
    path order, with its site path."""
    found: list[tuple[str, str]] = []
    root = str(site_dir)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = folder[len(root) + 1:].replace(os.sep, "/")
        prefix = f"{rel}/" if rel else ""
        for name in sorted(files):
            if not name.startswith("."):  # strings: 10,000 pathlib joins cost 0.4 s
                found.append((prefix + name, os.path.join(folder, name)))
    return found


def load_records(cache: Path, site_dir: Path) -> dict[str, Record]:
    """The records the last publish of `site_dir` left in `cache` ({} if none)."""
    try:
        data = marshal.loads(cache.read_bytes())  # noqa: S302 - our own cache file
        if (not isinstance(data, dict) or data.get("format") != CACHE_FORMAT
                or data.get("python") != _PYTHON or data.get("site") != str(site_dir)):
            return {}
        records = data["files"]
        return records if isinstance(records, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return {}


def save_records(cache: Path, site_dir: Path, records: Mapping[str, Record]) -> None:
    data = {"format": CACHE_FORMAT, "python": _PYTHON, "site": str(site_dir),
            "files": dict(records)}
    atomic_write(cache, marshal.dumps(data))


class Hasher:
    """sha256 of the site's files: from a record when the stat matches, else read."""

    def __init__(self, known: Mapping[str, Record]) -> None:
        self.known = known
        self.records: dict[str, Record] = {}
        self.hashed = 0  # files read and hashed
        self._since = time.time_ns() - int(RACY_SECONDS * 1e9)

    def sha256(self, rel: str, path: str) -> tuple[str, int]:
        """(sha256 hex, size) of one file; raises OSError when it cannot be read."""
        info = os.stat(path)
        if not _stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(21, "not a regular file", str(path))
        known = self.known.get(rel)
        if known is not None and known[0] == info.st_mtime_ns and known[1] == info.st_size:
            sha = known[2]
        else:
            sha = sha256_file(Path(path))
            self.hashed += 1
        if info.st_mtime_ns < self._since:
            self.records[rel] = (info.st_mtime_ns, info.st_size, sha)
        return sha, info.st_size

    def all(self, paths: list[tuple[str, str]]) -> list[tuple[str, int]]:
        """`sha256` of every path: in threads when some must be read (hashlib releases
        the GIL), in order."""
        unknown = sum(1 for rel, _path in paths if rel not in self.known)
        if unknown < 8:
            return [self.sha256(rel, path) for rel, path in paths]
        with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 1) + 1)) as pool:
            return list(pool.map(lambda item: self.sha256(*item), paths))
