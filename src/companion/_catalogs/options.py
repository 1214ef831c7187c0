"""What `read_catalogs` is told (`CatalogOptions`: where each service lives, timeouts), what it
reports while it reads (`CatalogEvent`) and what it returns (`CatalogFile`, `CatalogsRead`).

Every live address can be changed through the environment, for tests and mirrors:
``COMPANION_SPOTIFY_API`` (https://api.spotify.com/v1), ``COMPANION_SPOTIFY_ACCOUNTS``
(https://accounts.spotify.com), ``COMPANION_YOUTUBE_FEEDS``
(https://www.youtube.com/feeds/videos.xml) and ``COMPANION_YOUTUBE_WATCH``
(https://www.youtube.com/watch?v={id}: where `complete_videos` asks yt-dlp for a video).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from companion._catalogs.ytdlp import VideoLister, YtDlpLister
from companion._errors import Problem
from companion._fetch.importer import MAX_FEED_BYTES

if TYPE_CHECKING:  # only the network stages import httpx
    import httpx

SPOTIFY_API = "https://api.spotify.com/v1"
SPOTIFY_ACCOUNTS = "https://accounts.spotify.com"
YOUTUBE_FEEDS = "https://www.youtube.com/feeds/videos.xml"
YOUTUBE_WATCH = "https://www.youtube.com/watch?v={id}"

Kind = Literal["youtube", "spotify", "rss"]


@dataclass(frozen=True)
class CatalogOptions:
    """Where and how the catalogs are asked for."""

    spotify_api: str = SPOTIFY_API
    spotify_accounts: str = SPOTIFY_ACCOUNTS
    youtube_feeds: str = YOUTUBE_FEEDS
    youtube_watch: str = YOUTUBE_WATCH  # "{id}" is replaced by the video id
    market: str = "US"  # the Web API's market when `[pair] market` is unset
    timeout: float = 20.0
    retries: int = 3
    retry_wait: float = 0.5  # seconds before the first retry; doubled for each next one
    max_bytes: int = MAX_FEED_BYTES  # the largest answer accepted (the importer's cap)
    transport: httpx.BaseTransport | None = None  # None: the network
    lister: VideoLister = field(default_factory=YtDlpLister)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> CatalogOptions:
        """The options, with the addresses the environment gives."""
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return env.get(name, "").strip() or default

        return cls(spotify_api=get("COMPANION_SPOTIFY_API", SPOTIFY_API).rstrip("/"),
                   spotify_accounts=get("COMPANION_SPOTIFY_ACCOUNTS",
                                        SPOTIFY_ACCOUNTS).rstrip("/"),
                   youtube_feeds=get("COMPANION_YOUTUBE_FEEDS", YOUTUBE_FEEDS),
                   youtube_watch=get("COMPANION_YOUTUBE_WATCH", YOUTUBE_WATCH))


@dataclass(frozen=True)
class CatalogEvent:
    """Progress for the command's bar: `done` of `total` steps of reading `source` (`total`
    None while unknown). `stage` is "listing", "feed", "details", "episodes" or "rss";
    "done" when the source is finished."""

    source: str
    stage: str
    done: int
    total: int | None


@dataclass(frozen=True)
class CatalogFile:
    """One cached catalog: `parse_catalog(file.path.read_bytes(), file.origin)` reads it."""

    source: Kind
    origin: str  # the source, as `[pair]` names it (a URL): for messages
    path: Path  # the cached file, in the source's own format
    read: str  # when it was last read from the network (UTC, ISO 8601)
    fresh: bool  # read from the network in this run (False: the cache, as it was)
    title: str | None = None  # the channel's, playlist's or feed's name, when known


@dataclass(frozen=True)
class CatalogsRead:
    """What `read_catalogs` returns: the files, and notes for `check` (what the Web API would
    add without credentials, a video that could not be completed)."""

    files: tuple[CatalogFile, ...]
    notes: tuple[Problem, ...] = ()
