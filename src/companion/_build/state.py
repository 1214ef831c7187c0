"""Build state: what the previous build read, rendered and wrote, so the next one
redoes only what changed.

The state lives in ``<project>/.companion/`` (git-ignored)::

    build-state.bin       inputs' signatures, per-episode keys, outputs written
                          (plain dicts and lists in `marshal` format: the fastest to load)
    parts.sqlite          per-episode parts (index entry, feed items: each a small
                          row and the item's bytes) the feeds and the site pages are
                          assembled from (`Parts`)
    feeds/                the feed documents as last written (`_build.feedfiles`); the
                          site's copies are hard links to them (or copies)

Inputs are hashed through a stat shortcut: a file whose (mtime_ns, size) is the
one recorded is not read again, so a no-change rebuild only stats files.
A key is the hash of everything an output depends on; equal keys mean the
output of the previous build still holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import pickle
import sqlite3
import stat as _stat
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from companion._build.writer import OutputRecord
from companion._files import atomic_write
from companion._site_model import Identity
from companion._store import Store

STATE_FORMAT = 4  # 4: identities, lifecycle flags, feed items, the verdict
STATE_DIR = ".companion"
STATE_NAME = "build-state.bin"
ABSENT = "-"  # the hash of a file that does not exist (a dependency may appear later)
NOT_A_FILE = "!"  # a pipe, device or folder: never opened (a pipe would block the build)


def state_dir(project: Path) -> Path:
    return project / STATE_DIR


def digest(*parts: str) -> str:
    """A short, stable hash of strings (keys, not content addresses)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def digest_object(value: object) -> str:
    return digest_bytes(pickle.dumps(value, protocol=5))


#: An article's `Identity` as `marshal` keeps it: slug, GUID, draft, date (ISO or None),
#: hidden, the project files it points at.
IdentityData = list[str | bool | list[str] | None]


@dataclass
class EpisodeState:
    """What one article source produced last time."""

    slug: str
    deps: list[str]  # project-relative files the episode was made from
    key: str  # digest of deps' hashes + global key + member feeds' keys
    outputs: dict[str, str]  # site path -> sha256 of its bytes
    feeds: list[str]  # slugs of the feeds it belongs to
    entry: str  # digest of its index entry
    item: str  # digest of its feed part
    problems: list[dict[str, str | None]] = field(default_factory=list)  # warnings it had
    guid: str = ""  # its GUID: one article per GUID, as one per slug
    ident: IdentityData | None = None  # its `Identity` as plain data (None: unreadable)
    flags: str = ""  # how it was rendered (`_build.Flags.key`)
    selected: list[str] = field(default_factory=list)  # feeds whose selection matches it
    title: str = ""
    why: str = ""  # why it is in no feed that selects it
    media: dict[str, str] = field(default_factory=dict)  # feed slug -> enclosure path
    page: bool = False  # it has a page (and parts)
    lang: str = ""  # its language (its sister-language editions are named by it)


@dataclass
class FeedState:
    key: str  # digest of everything the feed's outputs were made from
    outputs: dict[str, str]
    defkey: str = ""  # digest of the feed definition alone (membership of episodes)
    problems: list[dict[str, str | None]] = field(default_factory=list)
    items: list[tuple[str, str, str, str]] = field(default_factory=list)  # guid, slug,
    # title, enclosure path of each item: what a successful publish records in the ledger
    page_key: str = ""  # digest of what the show's page was made from (its members' entries)
    page: dict[str, str] = field(default_factory=dict)  # the show page's outputs


@dataclass
class BuildState:
    """The whole state file, loaded into plain dicts."""

    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    episodes: dict[str, EpisodeState] = field(default_factory=dict)
    feeds: dict[str, FeedState] = field(default_factory=dict)
    site_key: str = ""
    site_outputs: dict[str, str] = field(default_factory=dict)
    pages_key: str = ""
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    out_dir: str = ""
    errors: int = 0  # the verdict publish reads: errors and warnings of this build
    warnings: int = 0
    preview: bool = False  # drafts or scheduled articles were included: never published
    next_release: str = ""  # ISO time of the earliest scheduled article ("" = none)
    moved: dict[str, str] = field(default_factory=dict)  # a page's older slug -> its GUID
    # (issue 16, item 7: remembered, so the old address keeps its redirect)

    def to_data(self) -> dict[str, Any]:
        """Plain containers for `marshal` (no sorting or copying: this runs every build)."""
        return {
            "format": STATE_FORMAT,
            "out_dir": self.out_dir,
            "files": self.files,
            "episodes": {k: (v.slug, v.deps, v.key, v.outputs, v.feeds, v.entry, v.item,
                             v.problems, v.guid, v.ident, v.flags, v.selected, v.title, v.why,
                             v.media, v.page, v.lang) for k, v in self.episodes.items()},
            "feeds": {k: (v.key, v.outputs, v.defkey, v.problems, v.items, v.page_key, v.page)
                      for k, v in self.feeds.items()},
            "verdict": (self.errors, self.warnings, self.preview, self.next_release),
            "site_key": self.site_key,
            "pages_key": self.pages_key,
            "site_outputs": self.site_outputs,
            "outputs": self.outputs,
            "moved": self.moved,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> BuildState:
        if data.get("format") != STATE_FORMAT:
            return cls()
        return cls(
            files=data["files"],
            episodes={k: EpisodeState(*v) for k, v in data["episodes"].items()},
            feeds={k: FeedState(*v) for k, v in data["feeds"].items()},
            site_key=data["site_key"],
            pages_key=data["pages_key"],
            site_outputs=data["site_outputs"],
            outputs=data["outputs"],
            out_dir=data["out_dir"],
            errors=data["verdict"][0],
            warnings=data["verdict"][1],
            preview=data["verdict"][2],
            next_release=data["verdict"][3],
            moved=dict(data.get("moved") or {}),
        )


def load_state(project: Path) -> BuildState:
    """The previous build's state, or an empty one (missing, damaged or older format)."""
    path = state_dir(project) / STATE_NAME
    try:
        data = marshal.loads(path.read_bytes())  # noqa: S302 - our own state file
        if not isinstance(data, dict) or data.get("python") != _PYTHON:
            return BuildState()
        return BuildState.from_data(data)
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return BuildState()


def save_state(project: Path, state: BuildState) -> None:
    data = {**state.to_data(), "python": _PYTHON}
    atomic_write(state_dir(project) / STATE_NAME, marshal.dumps(data))


_PYTHON = ".".join(map(str, sys.version_info[:2]))


class FileHashes:
    """Content hashes of project files with a stat shortcut; remembers what it saw."""

    def __init__(self, root: Path, known: Mapping[str, tuple[int, int, str]]) -> None:
        self.root = root
        self._prefix = str(root) + os.sep
        self._known = known
        self.seen: dict[str, tuple[int, int, str]] = {}
        self._absent: set[str] = set()  # absent then and now (asked once a build)
        self.hashed = 0  # files read and hashed (not answered by the stat shortcut)

    def hash(self, rel: str) -> str:
        """Content hash (short) of the project file `rel` (or an absolute path), or `ABSENT`."""
        seen = self.seen.get(rel)
        if seen is not None:
            return seen[2]
        path = rel if rel.startswith(os.sep) else self._prefix + rel
        try:
            stat = os.stat(path)
        except OSError:
            return ABSENT
        known = self._known.get(rel)
        if known is not None and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
            self.seen[rel] = known
            return known[2]
        value = _hash_file(Path(path)) if _stat.S_ISREG(stat.st_mode) else NOT_A_FILE
        self.hashed += 1
        self.seen[rel] = (stat.st_mtime_ns, stat.st_size, value)
        return value

    def unchanged(self, rel: str) -> bool:
        """Whether `rel` is as the last build saw it, by stat alone: same mtime and size,
        or absent then and now. Never reads the file."""
        path = rel if rel.startswith(os.sep) else self._prefix + rel
        known = self._known.get(rel)
        try:
            stat = os.stat(path)
        except OSError:
            return known is None
        if known is not None and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
            self.seen[rel] = known
            return True
        return False

    def all_unchanged(self, rels: Iterable[str]) -> bool:
        """`unchanged` for every one of `rels` (inlined: a no-change build asks this of
        every dependency of every episode)."""
        known_of, seen, prefix, sep, stat = self._known.get, self.seen, self._prefix, os.sep, \
            os.stat
        absent = self._absent
        for rel in rels:
            known = known_of(rel)
            answered = seen.get(rel)
            if answered is not None:  # asked already (an article is its own identity's dep)
                if answered != known:
                    return False
                continue
            if rel in absent:  # asked already: a shared dependency not there (pairing.toml)
                continue
            try:
                st = stat(rel if rel.startswith(sep) else prefix + rel)
            except OSError:
                if known is None:
                    absent.add(rel)
                    continue
                return False
            if known is None or known[0] != st.st_mtime_ns or known[1] != st.st_size:
                return False
            seen[rel] = known
        return True

    def hash_many(self, rels: Iterable[str]) -> str:
        return digest(*(f"{rel}={self.hash(rel)}" for rel in rels))


def _hash_file(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as src:
        while chunk := src.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


E = TypeVar("E")  # what an episode's index entry is
I = TypeVar("I")  # noqa: E741 (a type variable)  what an episode's feed items are


class LostPart(OSError):
    """A part the store should hold and does not, or cannot give (damaged, unreadable)."""


class Parts(Generic[E, I]):
    """Per-episode parts, the index entry and the feed item, in one SQLite file
    (`_store`): a feed after one edit reads its 2,500 members in a few queries, not
    2,500 files.

    Both are pickled separately, so an entry can be read without its item and each has
    a digest of its own (a feed is re-assembled only when one of its items changed).
    A part that is missing or cannot be read raises `LostPart` (an `OSError`).
    """

    def __init__(self, project: Path) -> None:
        self.folder = state_dir(project)
        self._store = Store(self.folder / "parts.sqlite", ("entries", "items"))

    def save(self, source: str, entry: object, item: object) -> tuple[str, str]:
        """Store an episode's parts; returns the digests of the entry and of the item."""
        return self.save_many([(source, entry, item)])[0]

    def save_many(self, parts: Sequence[tuple[str, object, object]]) -> list[tuple[str, str]]:
        """Store the parts of several episodes in one transaction; their digests."""
        return self.save_packed([(source, *pack(entry, item)) for source, entry, item in parts])

    def save_packed(self, parts: Sequence[tuple[str, bytes, bytes]]) -> list[tuple[str, str]]:
        """`save_many` for parts `pack`ed already (by the worker process that made them)."""
        try:
            self._store.put({"entries": [(source, e) for source, e, _ in parts],
                             "items": [(source, i) for source, _, i in parts]})
        except sqlite3.Error as exc:
            raise OSError(f"the build cache cannot be written: {exc}") from None
        return [(digest_bytes(e), digest_bytes(i)) for _, e, i in parts]

    def _get(self, table: str, sources: Sequence[str]) -> list[object]:
        """The unpickled values of `sources`, in order, decoded a batch at a time."""
        values: dict[str, object] = {}
        try:
            for batch in self._store.get_many(table, sources):
                values.update((key, pickle.loads(data))  # noqa: S301 - our own cache
                              for key, data in batch.items())
        except sqlite3.Error as exc:
            raise LostPart(f"the build cache cannot be read: {exc}") from None
        missing = next((s for s in sources if s not in values), None)
        if missing is not None:
            raise LostPart(2, "no parts", missing)
        return [values[source] for source in sources]

    def load(self, source: str) -> tuple[E, I]:
        return self.load_many([source])[0]

    def load_many(self, sources: Sequence[str]) -> list[tuple[E, I]]:
        """The entry and item of each of `sources`, in order."""
        entries, items = self._get("entries", sources), self._get("items", sources)
        return [(cast("E", e), cast("I", i)) for e, i in zip(entries, items, strict=True)]

    def stream_items(self, sources: Sequence[str]) -> Iterator[I]:
        """The feed items of `sources` (their entries not decoded), a batch decoded at a
        time, in no particular order: a feed of 12,500 members never holds them all."""
        found = 0
        try:
            for batch in self._store.get_many("items", sources):
                found += len(batch)
                for data in batch.values():
                    yield cast("I", pickle.loads(data))  # noqa: S301 - our own cache
        except sqlite3.Error as exc:
            raise LostPart(f"the build cache cannot be read: {exc}") from None
        if found != len(set(sources)):
            raise LostPart(2, "no parts", "an episode of a feed")

    def load_entry(self, source: str) -> E:
        return self.load_entries([source])[0]

    def load_entries(self, sources: Sequence[str]) -> list[E]:
        return [cast("E", entry) for entry in self._get("entries", sources)]

    def drop(self, source: str) -> None:
        self.drop_many([source])

    def drop_many(self, sources: Iterable[str]) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._store.delete(sources)

    def exist(self) -> bool:
        return self._store.exists()

    def close(self) -> None:
        """Done for this build (the last connection folds SQLite's log into the file)."""
        self._store.close()


def pack(entry: object, item: object) -> tuple[bytes, bytes]:
    """An episode's entry and item as `Parts` stores them."""
    return pickle.dumps(entry, protocol=5), pickle.dumps(item, protocol=5)


def identity_data(identity: Identity | None) -> IdentityData | None:
    """An identity as the state keeps it (a JSON list)."""
    if identity is None:
        return None
    return [identity.slug, identity.guid, identity.draft,
            identity.date.isoformat() if identity.date else None, identity.hidden,
            list(identity.files), list(identity.redirect_from), identity.ref,
            list(identity.translations)]


def identity_of(data: IdentityData | None) -> Identity | None:
    """The identity the state kept (None: none, or not yet known)."""
    if data is None:
        return None
    slug, guid, draft, date, hidden, files, *rest = data
    moved = rest[0] if rest and isinstance(rest[0], list) else []
    ref = rest[1] if len(rest) > 1 and isinstance(rest[1], str) else None
    translations = rest[2] if len(rest) > 2 and isinstance(rest[2], list) else []
    return Identity(str(slug), str(guid), bool(draft),
                    datetime.fromisoformat(date) if isinstance(date, str) else None,
                    bool(hidden), tuple(files) if isinstance(files, list) else (),
                    tuple(moved), ref, tuple(translations))
