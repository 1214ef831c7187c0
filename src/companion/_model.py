"""The data model: plain, frozen, typed dataclasses that every stage speaks.

read:   article file      -> Article
pair:   Article + cache   -> Episode (YouTubeVideo, SpotifyEpisode, Audio, chapters, transcripts)
render: Episodes + Feeds  -> OutputFile (feeds, pages, side files)
publish: OutputFiles      -> a target

Every datetime carries a timezone. Paths inside the site are POSIX strings
relative to the site root (``episodes/my-slug/index.html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

Direction = Literal["ltr", "rtl"]
ArticleFormat = Literal["markdown", "text"]


@dataclass(frozen=True)
class Link:
    """A source link of an article: cleaned URL, its anchor text, its site's domain."""

    url: str
    text: str
    domain: str


@dataclass(frozen=True)
class Inference:
    """Something the reader had to guess; `check` reports it so a producer can confirm it."""

    field: str
    value: str
    how: str


@dataclass(frozen=True)
class Article:
    """An article file, read and validated. Unknown front-matter keys stay in `extra`."""

    path: Path  # absolute path of the file
    relpath: str  # POSIX path relative to the project root, for messages
    slug: str  # stable, URL-safe, unique in the project
    title: str
    body: str  # Markdown (format == "markdown") or plain text, front matter removed
    format: ArticleFormat
    lang: str  # BCP 47 language, lower case primary subtag ("ka", "ar", "es", "en", "pt-br")
    direction: Direction
    date: datetime | None  # timezone-aware; None when unknown (reported by check)
    author: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: str | None = None  # as written: URL or project-relative path
    video: str | None = None  # the original `video:` URL
    youtube_id: str | None = None
    spotify: str | None = None  # the original `spotify:` URL
    spotify_id: str | None = None
    audio: str | None = None  # `audio:`: a project-relative path or an http(s) URL
    guid: str | None = None  # explicit `guid:`
    season: int | None = None
    episode: int | None = None
    episode_type: Literal["full", "trailer", "bonus"] = "full"
    explicit: bool | None = None
    featured: bool = False
    hidden: bool = False  # page kept, left out of lists, sitemap and (by choice) feeds
    draft: bool = False  # `published: false`, `draft: true`, or a file under episodes/_drafts/
    layout: str | None = None
    links: tuple[Link, ...] = ()  # source links: cleaned, de-duplicated, in order
    inferred: tuple[Inference, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Chapter:
    """One chapter: start in seconds, a title, optionally an end and a URL."""

    start: float
    title: str
    end: float | None = None
    url: str | None = None


@dataclass(frozen=True)
class Thumbnail:
    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class YouTubeVideo:
    """What yt-dlp told us about a video, from the cache (never fetched during build)."""

    id: str
    title: str
    description: str
    duration: float | None
    upload_date: date | None
    channel: str | None
    channel_url: str | None
    webpage_url: str
    tags: tuple[str, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    thumbnail: Thumbnail | None = None
    subtitle_langs: tuple[str, ...] = ()
    caption_langs: tuple[str, ...] = ()  # automatic captions
    thumbnail_file: Path | None = None  # the thumbnail as cached by fetch (local file)

    @property
    def embed_url(self) -> str:
        return f"https://www.youtube-nocookie.com/embed/{self.id}"


@dataclass(frozen=True)
class SpotifyEpisode:
    id: str
    title: str | None = None
    thumbnail_url: str | None = None

    @property
    def url(self) -> str:
        return f"https://open.spotify.com/episode/{self.id}"

    @property
    def embed_url(self) -> str:
        return f"https://open.spotify.com/embed/episode/{self.id}"


@dataclass(frozen=True)
class Audio:
    """An audio file ready to publish: a local, content-addressed file and what mutagen read."""

    path: Path  # local file (in the cache or the project)
    sha256: str
    size: int  # bytes, exact
    mime_type: str  # audio/mpeg, audio/mp4, ...
    duration: float  # seconds
    bitrate: int | None = None  # bits per second
    source: str | None = None  # where it came from: a URL, a project path, "youtube:<id>"

    @property
    def extension(self) -> str:
        return self.path.suffix.lstrip(".").lower()


@dataclass(frozen=True)
class Transcript:
    """Captions as WebVTT and SRT files (local), in one language."""

    lang: str
    vtt: Path
    srt: Path
    automatic: bool = False


@dataclass(frozen=True)
class Episode:
    """An article paired with what its links point to."""

    article: Article
    guid: str
    youtube: YouTubeVideo | None = None
    spotify: SpotifyEpisode | None = None
    audio: Audio | None = None
    chapters: tuple[Chapter, ...] = ()
    transcripts: tuple[Transcript, ...] = ()

    @property
    def slug(self) -> str:
        return self.article.slug

    @property
    def title(self) -> str:
        return self.article.title


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None = None


@dataclass(frozen=True)
class FeedSelection:
    """Which episodes belong to a feed. Empty tuples mean "no constraint"."""

    languages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    episodes: tuple[str, ...] = ()  # explicit slugs; when given, only these
    include_hidden: bool = True


@dataclass(frozen=True)
class Funding:
    url: str
    text: str


@dataclass(frozen=True)
class FeedDefinition:
    """One show, from feeds/<slug>.toml."""

    slug: str  # file stem: the feed lives at <slug>/feed.xml
    path: Path
    title: str
    description: str
    author: str
    owner: Person
    language: str
    artwork: str | None  # URL or project-relative path
    categories: tuple[tuple[str, str | None], ...] = ()  # (category, subcategory)
    explicit: bool = False
    type: Literal["episodic", "serial"] = "episodic"
    copyright: str | None = None
    link: str | None = None  # the show's website; default: the feed's index page
    funding: tuple[Funding, ...] = ()
    locked: bool = True
    medium: str = "podcast"
    audio_format: Literal["m4a", "mp3"] = "mp3"
    podcast_guid: str | None = None  # default: UUIDv5 of the feed URL, per the namespace
    apple_podcasts_url: str | None = None
    spotify_show_url: str | None = None
    select: FeedSelection = field(default_factory=FeedSelection)


@dataclass(frozen=True)
class PublishSettings:
    target: str = "public"  # a folder, or s3://bucket/prefix
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: Literal["auto", "virtual", "path"] | None = None
    acl: str | None = None
    profile: str | None = None
    prune_grace_days: int = 30  # --prune keeps replaced or removed media this long


@dataclass(frozen=True)
class Site:
    """companion.toml: the whole site's settings."""

    root: Path  # the project folder
    title: str
    base_url: str  # absolute, ends with "/"; where the published site is served
    language: str = "en"
    description: str = ""
    timezone: str = "UTC"  # IANA name: a date without a time is midnight here
    out: str = "site"  # build output folder, relative to root
    cache: str = "cache"  # cache folder, relative to root
    publish: PublishSettings = field(default_factory=PublishSettings)

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    @property
    def episodes_dir(self) -> Path:
        return self.root / "episodes"

    @property
    def feeds_dir(self) -> Path:
        return self.root / "feeds"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def cache_dir(self) -> Path:
        return self.root / self.cache

    @property
    def out_dir(self) -> Path:
        return self.root / self.out

    def url(self, path: str) -> str:
        """Absolute URL of a site path ("episodes/x/" -> "https://host/base/episodes/x/")."""
        return self.base_url + path.lstrip("/")


CachePolicy = Literal["feed", "page", "media", "immutable", "asset"]

CACHE_CONTROL: dict[str, str] = {
    "feed": "public, max-age=300",
    "page": "public, max-age=300",
    # An enclosure keeps its URL when its tags are edited (re-tagged in place), so it is
    # not immutable: caches take the new tags within the hour.
    "media": "public, max-age=3600",
    "asset": "public, max-age=3600",
    "immutable": "public, max-age=31536000, immutable",
}


@dataclass(frozen=True)
class OutputFile:
    """One file of the rendered site: either bytes in memory or a local file to stream."""

    path: str  # POSIX, relative to the site root
    content_type: str
    cache: CachePolicy = "page"
    data: bytes | None = None
    source: Path | None = None  # large files (media) are streamed from here

    def __post_init__(self) -> None:
        if (self.data is None) == (self.source is None):
            raise ValueError("an OutputFile has exactly one of data or source")

    @property
    def cache_control(self) -> str:
        return CACHE_CONTROL[self.cache]
