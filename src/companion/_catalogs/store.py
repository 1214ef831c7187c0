"""The catalogs' cache: what each `[pair]` source answered, in the source's own format.

Under ``<cache>/catalogs/`` (committed with the rest of the cache, so pairing is
reproducible offline):

- ``youtube-<key>.jsonl``: yt-dlp info dicts, one JSON object a line (yt-dlp's ``-j``
  format), one line a video, in the channel's order (newest first): the flat listing's
  entry, filled from the channel's Atom feed (description, date) where the feed had it,
  replaced by the full info once `complete_videos` fetched it. yt-dlp's field names are kept;
  its bulky fields are not (`trim`). ``<key>`` is the handle, channel or playlist id.
  A flat entry (``"_type": "url"``) has no description and at most an approximate
  ``timestamp`` ("3 days ago"); one the feed completed (or the feed alone gave) has no
  ``_type``, and the feed's ``description`` and exact ``timestamp`` and ``upload_date``; a
  full info has ``"_type": "video"``.
- ``youtube-completed.jsonl``: full infos of videos asked for that no `[pair]` source lists
  (a saved flat catalog's candidates).
- ``spotify-<show id>.json``: a JSON list of the Web API's "Get Show Episodes" paging
  objects as it answered them (newest first; an episode is in one page only).
- ``rss-<slug>-<hash>.xml``: the show's feed, the bytes as served.
- ``index.json``: for each source (its URL), its file, when it was read (UTC), the ids it
  holds, and what the next read needs (ETag, Last-Modified, the YouTube feed's URL and when
  the channel was last listed whole, which videos have their full info). Sorted
  keys, indented: a small diff when it changes.

`_match.parse_catalog` reads these files like any saved catalog.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from companion._clock import clock_now
from companion._errors import CatalogSourceError, from_os_error
from companion._files import atomic_write
from companion._site_model import Site

CATALOG_DIR = "catalogs"
INDEX = "index.json"
#: The index key (and file) of full infos no `[pair]` source lists.
COMPLETED = "youtube:completed"
COMPLETED_FILE = "youtube-completed.jsonl"
_INDEX_VERSION = 1
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}

Kind = Literal["youtube", "spotify", "rss"]


@dataclass(frozen=True)
class SourceRecord:
    """What the index says of one source."""

    url: str  # the source as `[pair]` names it (the Spotify show: its open.spotify.com URL)
    kind: Kind
    file: str  # the catalog file's name in the catalogs folder
    read: str  # when it was last read from the network: UTC, ISO 8601, seconds
    ids: tuple[str, ...] = ()  # the ids it holds, sorted
    full: tuple[str, ...] = ()  # YouTube: the ids whose full info is cached, sorted
    feed: str | None = None  # YouTube: the channel's or playlist's Atom feed
    listed: str | None = None  # YouTube: when the last whole (flat) listing was read
    etag: str | None = None  # RSS: the feed's ETag, for If-None-Match
    last_modified: str | None = None  # RSS: its Last-Modified, for If-Modified-Since
    title: str | None = None  # the channel's, playlist's or show's name

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "file": self.file, "read": self.read,
                                "ids": list(self.ids)}
        for key in ("feed", "listed", "etag", "last_modified", "title"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.kind == "youtube":
            data["full"] = list(self.full)
        return data

    @classmethod
    def from_json(cls, url: str, data: object) -> SourceRecord | None:
        if not isinstance(data, dict) or data.get("kind") not in ("youtube", "spotify", "rss"):
            return None
        file = data.get("file")
        if not isinstance(file, str) or not _is_name(file):
            return None

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) else None

        def ids(key: str) -> tuple[str, ...]:
            value = data.get(key)
            return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) \
                else ()

        return cls(url=url, kind=data["kind"], file=file, read=text("read") or "",
                   ids=ids("ids"), full=ids("full"), feed=text("feed"),
                   listed=text("listed"), etag=text("etag"),
                   last_modified=text("last_modified"), title=text("title"))

    def with_ids(self, ids: Iterable[str], **changes: Any) -> SourceRecord:
        return replace(self, ids=tuple(sorted(set(ids))), **changes)


@dataclass
class Index:
    """index.json, read once and written back once a source was read."""

    path: Path
    sources: dict[str, SourceRecord] = field(default_factory=dict)

    def file_for(self, kind: Kind, url: str) -> str:
        """The catalog file of a source: the index's, or a new name no other source has."""
        record = self.sources.get(url)
        if record is not None:
            return record.file
        name = (youtube_file(url) if kind == "youtube" else rss_file(url) if kind == "rss"
                else spotify_file(url.rstrip("/").rsplit("/", 1)[-1]))
        if name in {r.file for r in self.sources.values()}:
            stem, _, extension = name.rpartition(".")
            name = f"{stem}-{_short_hash(url)}.{extension}"
        return name

    def write(self) -> None:
        data = {"version": _INDEX_VERSION,
                "sources": {url: r.to_json() for url, r in sorted(self.sources.items())}}
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_file(self.path, text.encode("utf-8"))


def catalog_dir(site: Site) -> Path:
    return site.cache_dir / CATALOG_DIR


def read_index(site: Site) -> Index:
    """The index of the catalogs folder (empty when there is none)."""
    path = catalog_dir(site) / INDEX
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Index(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise _broken(path, str(exc)) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _broken(path, f"not JSON: {exc}") from None
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, dict):
        raise _broken(path, "it has no \"sources\"")
    records = {url: SourceRecord.from_json(url, value) for url, value in sources.items()}
    return Index(path, {url: r for url, r in records.items() if r is not None})


def _broken(path: Path, why: str) -> CatalogSourceError:
    return CatalogSourceError(f"the catalogs' index cannot be read ({why})", where=str(path),
                              fix="resolve it (a merge conflict?) or delete it and run "
                                  "`companion pair` with the network")


def write_file(path: Path, data: bytes) -> None:
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise from_os_error(exc, CatalogSourceError, "cannot write the catalog") from None


def now_utc() -> str:
    """The moment of a read, in UTC to the second (the one clock: COMPANION_NOW sets it)."""
    moment = clock_now(UTC).astimezone(UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def _is_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}", name)) and ".." not in name


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _slug(text: str, limit: int = 60) -> str:
    return _SAFE.sub("-", text).strip("-")[:limit].strip("-")


def youtube_file(url: str) -> str:
    """``youtube-<key>.jsonl``: the handle (with its tab), the channel id or the playlist id
    of a YouTube URL; any other URL's host and path, with a short hash."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() in _YOUTUBE_HOSTS:
        playlist = parse_qs(parts.query).get("list", [""])[0]
        path = [p for p in parts.path.split("/") if p]
        if path and path[0] in ("channel", "c", "user"):
            path = path[1:]
        key = _slug(playlist or "-".join(path).lstrip("@"))
        if key:
            return f"youtube-{key}.jsonl"
    return f"youtube-{_where(url)}.jsonl"


def spotify_file(show_id: str) -> str:
    return f"spotify-{show_id}.json"


def rss_file(url: str) -> str:
    return f"rss-{_where(url)}.xml"


def _where(url: str) -> str:
    """A URL's host and path as a slug, and a short hash of the whole URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{_slug(host + parts.path, 40)}-{_short_hash(url)}"


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The info dicts of a ``.jsonl`` catalog companion wrote (a line that is not a JSON
    object is skipped: the parser of saved catalogs is the judge of those)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogSourceError(f"the cached catalog cannot be read ({exc})", where=str(path),
                                 fix="delete it and run `companion pair` with the network"
                                 ) from None
    infos = []
    for line in text.splitlines():
        try:
            info = json.loads(line)
        except ValueError:
            continue
        if isinstance(info, dict) and isinstance(info.get("id"), str):
            infos.append(info)
    return infos


def write_lines(path: Path, infos: Iterable[Mapping[str, Any]]) -> None:
    lines = (json.dumps(info, ensure_ascii=False, sort_keys=True) + "\n" for info in infos)
    write_file(path, "".join(lines).encode("utf-8"))
