"""What reading an article costs most, kept by content: its source links and its language.

Both are pure functions of text (the body, its format and the URLs left out; the
sample the language is detected from), so they are kept in ``.companion/read.sqlite``
(`_store`) under a hash of that text and of the code that computes them: a render
after ``build --force`` or a template change reads the articles again but parses none
whose bytes are unchanged. Everything that depends on more than the text (the front
matter's fields, the files an article points at, the site's time zone) is read again
every time.

The build gives `read_with_problems` a `ParsedCache`; `check` and the API read without
one, so they never write into ``.companion/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from companion._model import ArticleFormat, Link
from companion._store import Store
from companion._version import __version__

T = TypeVar("T")
_FLUSH_AT = 64  # new results kept in memory before they are written in one transaction
_KEEP = 1024  # results kept for a later try when another process holds the file


def _code_version() -> str:
    """The package version and the stat of the modules that compute what is kept."""
    folder = Path(__file__).resolve().parent
    stats = [f"{name}:{(folder / name).stat().st_mtime_ns}:{(folder / name).stat().st_size}"
             for name in ("links.py", "lang.py", "parsed.py")]
    return "|".join([__version__, *stats])


class ParsedCache:
    """Source links and detected languages by content (one per process)."""

    def __init__(self, state_dir: Path) -> None:
        self._store = Store(state_dir / "read.sqlite", ("parsed",))
        self._version = _code_version()
        self._pending: list[tuple[str, bytes]] = []

    def _key(self, kind: str, *parts: str) -> str:
        h = hashlib.blake2b(digest_size=20)
        for part in (self._version, kind, *parts):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        return h.hexdigest()

    def _cached(self, key: str, make: Callable[[], T]) -> T:
        with contextlib.suppress(sqlite3.Error, pickle.UnpicklingError, EOFError):
            data = self._store.get("parsed", key)
            if data is not None:
                return pickle.loads(data)  # type: ignore[no-any-return]  # noqa: S301
        value = make()
        self._pending.append((key, pickle.dumps(value, protocol=5)))
        if len(self._pending) >= _FLUSH_AT:
            self.flush()
        return value

    def links(self, body: str, fmt: ArticleFormat, exclude: Iterable[str],
              extract: Callable[[], tuple[Link, ...]]) -> tuple[Link, ...]:
        """`extract()`'s links of `body`, from the cache when the same text was read."""
        return self._cached(self._key("links", fmt, body, *exclude), extract)

    def language(self, sample: str, detect: Callable[[], str | None]) -> str | None:
        """`detect()`'s language of `sample`, from the cache when it was detected before."""
        return self._cached(self._key("lang", sample), detect)

    def flush(self, *, wait: bool = False) -> None:
        """Write what was computed since the last flush. A cache: the render does not wait
        for another process's write (what could not be written is tried again at the
        next flush, up to `_KEEP` results) and a failure is ignored."""
        if not self._pending:
            return
        try:
            self._store.put({"parsed": self._pending}, wait=wait)
        except sqlite3.OperationalError:  # locked by another worker: later
            del self._pending[:-_KEEP]
            return
        except (sqlite3.Error, OSError):
            pass
        self._pending = []

    def close(self) -> None:
        self.flush(wait=True)
        self._store.close()
