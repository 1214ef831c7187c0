"""Keys to bytes in one SQLite file: the build's caches in ``.companion/``.

One file instead of one file per episode: a build of 10,000 episodes created 10,000
part files and read 2,500 of them back to re-assemble a feed after one edit. SQLite
(the standard library's) keeps them in one file, reads many by key in one query,
and lets worker processes write side by side (WAL: readers never wait; writers take
turns, each batch one transaction).

It is a cache: a damaged or unreadable file is dropped and starts empty, and a lost
write costs a later build some work, never a wrong output (callers key what they
store by everything it depends on).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

_BATCH = 500  # keys per query: far below SQLite's limit on parameters
_TIMEOUT = 120.0  # seconds a writer waits for another process's transaction


class Store:
    """Tables of key -> bytes in one SQLite file, opened on first use in each process."""

    def __init__(self, path: Path, tables: Sequence[str]) -> None:
        self.path = path
        self.tables = tuple(tables)
        if not all(t.isidentifier() for t in self.tables):
            raise ValueError(f"table names must be identifiers: {self.tables}")
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _connect(self) -> sqlite3.Connection:
        if self._db is not None and self._pid == os.getpid():
            return self._db
        self._db = None  # a connection is never used across a fork
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._open()
        except sqlite3.DatabaseError:  # damaged: a cache starts again
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            db = self._open()
        self._db, self._pid = db, os.getpid()
        return db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=_TIMEOUT, isolation_level=None,
                             check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        for table in self.tables:
            db.execute(self._sql(table, "CREATE TABLE IF NOT EXISTS {table} (key TEXT "
                                        "PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"))
        return db

    def _sql(self, table: str, statement: str) -> str:
        """`statement` for one of this store's tables (names are code's, never input's)."""
        if table not in self.tables:
            raise KeyError(table)
        return statement.replace("{table}", table)

    def exists(self) -> bool:
        return self.path.is_file()

    def get(self, table: str, key: str) -> bytes | None:
        query = self._sql(table, "SELECT value FROM {table} WHERE key = ?")
        row = self._connect().execute(query, (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def get_many(self, table: str, keys: Iterable[str]) -> Iterator[dict[str, bytes]]:
        """The values of those `keys` that are stored, a batch of keys at a time (so a
        caller that decodes each batch never holds all the bytes at once)."""
        db = self._connect()
        wanted = list(keys)
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start:start + _BATCH]
            marks = ",".join("?" * len(batch))
            query = self._sql(table, "SELECT key, value FROM {table} WHERE key IN (") + marks
            yield dict(db.execute(query + ")", batch).fetchall())

    def put(self, rows: Mapping[str, Iterable[tuple[str, bytes]]], *,
            wait: bool = True) -> None:
        """Store (key, value) rows in their tables, all in one transaction. Without
        `wait`, raise `sqlite3.OperationalError` at once when another process is writing
        (SQLite's wait sleeps, up to 100 ms at a time)."""
        db = self._connect()
        db.execute(f"PRAGMA busy_timeout = {int(_TIMEOUT * 1000) if wait else 0}")
        db.execute("BEGIN IMMEDIATE")
        try:
            for table, items in rows.items():
                db.executemany(self._sql(table, "INSERT OR REPLACE INTO {table} (key, value) "
                                                "VALUES (?, ?)"), items)
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def delete(self, keys: Iterable[str]) -> None:
        """Forget `keys` in every table."""
        gone = [(key,) for key in keys]
        if not gone or not self.exists():
            return
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            for table in self.tables:
                db.executemany(self._sql(table, "DELETE FROM {table} WHERE key = ?"), gone)
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None
