"""A show's feed documents written a piece at a time, never held whole.

The members' items come from the parts store one batch at a time; each item's bytes go
to a temporary spool file (`ItemSpool`) and only its `FeedRow` stays in memory. Once
every row is known (and sorted), each document is written to a file under
``.companion/feeds/`` from the channel and the spooled items (`rss.feed_chunks`), and
handed to the writer as an `OutputFile` with that `source`: the writer hashes it and
hard-links it into the site when its bytes changed. A feed of 12,500 items (about
120 MB) costs its rows in memory, not its bytes twice.

A document's file is made anew each build (a new file renamed over the old one): the
site's copy may be a hard link to the old one, and is never written through.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from companion._files import atomic_fill, named
from companion._render.rss import (
    FEED_CONTENT_TYPE,
    FeedItem,
    FeedRow,
    feed_chunks,
    feed_names,
    newest_rows,
)
from companion._site_model import OutputFile, Show


class ItemSpool:
    """Item bytes kept in a temporary file (`spool`), read back by their row's GUID."""

    def __init__(self, spool: BinaryIO) -> None:
        self._file = spool
        self._where: dict[str, tuple[int, int]] = {}
        self._end = 0

    def add(self, guid: str, data: bytes) -> None:
        self._file.write(data)
        self._where[guid] = (self._end, len(data))
        self._end += len(data)

    def get(self, row: FeedRow) -> bytes:
        offset, length = self._where[row.guid]
        return os.pread(self._file.fileno(), length, offset)

    def ready(self) -> None:
        self._file.flush()


def spool_feed(show: Show, items: Iterable[FeedItem], folder: Path
               ) -> tuple[list[OutputFile], list[FeedRow], int]:
    """Write the show's feed documents into `folder`: their files, the rows of the items
    (newest first) and the size of the feed's document in bytes."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        raw = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise named(exc, folder) from None
    with raw:
        spool = ItemSpool(raw)
        rows = []
        for row, data in items:
            rows.append(row)
            spool.add(row.guid, data)
        spool.ready()
        rows = newest_rows(rows)
        documents = feed_chunks(show, rows, spool.get)
        files = []
        for name, chunks in zip(feed_names(show, len(documents)), documents, strict=True):
            path = folder / name.replace("/", "~")
            atomic_fill(path, functools.partial(_write, chunks=chunks), make_parent=False)
            files.append(OutputFile(name, FEED_CONTENT_TYPE, "feed", source=path))
    size = files[0].source.stat().st_size if files and files[0].source else 0
    return files, rows, size


def _write(tmp: Path, chunks: Iterable[bytes]) -> None:
    with tmp.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
        os.fchmod(out.fileno(), 0o644)
