"""What a fetch is told (`FetchOptions`) and what one episode's fetch carries (`Job`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from companion._errors import Problem
from companion._fetch.redact import Secrets
from companion._fetch.video import VideoSource, YtDlpSource
from companion._model import Article
from companion._pair import thumbnails as _thumbnails
from companion._pair.cache import Cache
from companion._pair.youtube import WATCH_URL
from companion._site_model import FetchSettings

if TYPE_CHECKING:  # only fetch imports httpx
    import httpx

    from companion._fetch.episodes import Run

OEMBED_URL = "https://open.spotify.com/oembed"
MAX_AUDIO_BYTES = 2 * 1024 ** 3


@dataclass(frozen=True)
class FetchOptions:
    """Where and how `fetch` asks (overridable for tests and mirrors).

    `timeout`, `retries` and `retry_wait` are the HTTP client's (oEmbed, thumbnails, audio
    URLs); the video source has its own (`YtDlpSource(timeout=..., retries=...)`).
    """

    youtube_url: str = WATCH_URL  # "{id}" is replaced by the video id
    oembed_url: str = OEMBED_URL
    timeout: float = 20.0
    retries: int = 3
    retry_wait: float = 0.5  # seconds before the first retry; doubled for each next one
    stall: float = 15.0  # seconds in which a download must bring 1 KiB, or it has stalled
    deadline: float = 1800.0  # seconds one download may take in all (a feed: IMPORT_DEADLINE)
    jobs: int = 4
    formats: tuple[str, ...] = ("mp3",)  # audio formats to have ready besides the original
    video_slugs: frozenset[str] = frozenset()  # episodes a video feed selects: get their MP4
    max_image_bytes: int = _thumbnails.MAX_BYTES  # largest thumbnail accepted
    max_audio_bytes: int = MAX_AUDIO_BYTES  # largest audio file accepted from a URL
    transport: httpx.BaseTransport | None = None  # None: the network
    video: VideoSource = field(default_factory=YtDlpSource)
    settings: FetchSettings | None = None  # None: the project's [fetch]
    secrets: Secrets | None = None  # what no report may show (set by `fetch`)


@dataclass(frozen=True)
class Job:
    """One episode's fetch: its article, the cache, the client, a work folder, its warnings."""

    article: Article
    cache: Cache
    refresh: bool
    opts: FetchOptions
    http: httpx.Client
    work: Path
    warnings: list[Problem] = field(default_factory=list)  # fetched, but not all of it
    run: Run | None = None  # what the run's episodes share (the cap, the stop)

    @property
    def where(self) -> str:
        return self.article.relpath
