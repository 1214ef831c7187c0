"""The data model: plain, frozen, typed dataclasses that every stage speaks.

config: companion.toml, feeds/*.toml -> Site, FeedDefinition
read:   article file                 -> Article (and its Identity, for the lifecycle)
pair:   Article + cache              -> Episode (YouTubeVideo, SpotifyEpisode, Audio, ...)
build:  Episode + what it placed     -> RenderEpisode (PlacedMedia, PlacedImage, Show, ...)
render: RenderEpisode, Show          -> OutputFile (feeds, pages, side files), pure
publish: OutputFiles                 -> a target

Every datetime carries a timezone. Paths inside the site are POSIX strings
relative to the site root (``episodes/my-slug/index.html``); each kind of
absolute URL has a type of its own and one place it comes from (`Site`).
The site-side records (`Site`, `OutputFile`, `Show`, `RenderEpisode`, the lifecycle's
`Clock`, `Identity`, `Standing`, ...) are in `_site_model`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, NewType

#: The kinds of absolute URL the site has; `Site` makes each of them, and only `Site`.
PageUrl = NewType("PageUrl", str)  # an HTML page: an episode, a show, the home page
FeedUrl = NewType("FeedUrl", str)  # a show's RSS feed
MediaUrl = NewType("MediaUrl", str)  # an enclosure (audio, video)
ArtworkUrl = NewType("ArtworkUrl", str)  # an image: show or episode artwork
FileUrl = NewType("FileUrl", str)  # a side file: chapters, transcript, stylesheet, sitemap

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
class Credit:
    """A person of an episode or a show (``podcast:person``): a name, a role and group of
    the Podcast Taxonomy (lower case; "host" and "cast" when not said), links."""

    name: str
    role: str = "host"
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class Place:
    """What a place an episode is about (``podcast:location``): a name to show, and where
    known its ``geo:`` URI, OpenStreetMap id and ISO 3166-1 country code."""

    name: str
    geo: str | None = None  # "geo:41.6168,41.6367"
    osm: str | None = None  # "R123456"
    country: str | None = None  # "ge"


@dataclass(frozen=True)
class License:
    """A ``podcast:license``: an identifier (SPDX-like, "cc-by-4.0") or a custom name and the
    URL of its full text."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class ShowItem:
    """The item of the show's own RSS feed that `companion pair --accept` matched to an
    article (recorded in ``pairing.toml``): its enclosure is the episode's audio when the
    article gives no `audio:` (before YouTube's), its title the article's when the article
    has none of its own."""

    guid: str
    audio: str  # the enclosure URL
    mime_type: str | None = None
    length: int | None = None  # bytes, as the feed says
    title: str | None = None
    duration: float | None = None  # seconds, as the feed says


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
    remote_audio: bool = False  # `remote_audio: true`: the `audio:` URL is the enclosure as it is
    # issue 16A, Podcasting 2.0 from what the article says:
    people: tuple[Credit, ...] = ()  # `hosts:` and `guests:` (else `author` is the host)
    location: Place | None = None  # `location:`, or the dateline's place (plain text)
    license: License | None = None  # `license:`
    show_item: ShowItem | None = None  # the show's RSS item paired to it (pairing.toml)
    chapters: tuple[str, ...] = ()  # `chapters:`, "MM:SS Title" lines as written


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
    # From Spotify's Web API ("Get Episode"), when fetch had its credentials:
    description: str | None = None  # plain text
    html_description: str | None = None  # Spotify's HTML
    duration_ms: int | None = None
    release_date: str | None = None  # "2026-01-05", "2026-01" or "2026" (see the precision)
    release_date_precision: str | None = None  # "day", "month" or "year"
    languages: tuple[str, ...] = ()  # BCP 47 tags, the first the main one
    images: tuple[tuple[str, int | None, int | None], ...] = ()  # (url, width, height)

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
class RemoteAudio:
    """An enclosure that stays where it is (`remote_audio: true`, an imported show's
    audio): its URL as written, and what `fetch` read of it once (nothing is copied)."""

    url: str
    size: int  # bytes, exact: the server's Content-Length / Content-Range
    mime_type: str
    duration: float  # seconds
    bitrate: int | None = None


@dataclass(frozen=True)
class VideoFile:
    """A video ready to publish as it is: H.264 + AAC in a faststart MP4, at most 1080 lines,
    content-addressed in the cache, with what ffprobe read."""

    path: Path
    sha256: str
    size: int  # bytes, exact
    duration: float  # seconds
    width: int
    height: int
    bitrate: int | None = None  # bits per second, the whole file
    source: str | None = None  # "youtube:<id>"
    mime_type: str = "video/mp4"


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
    remote_audio: RemoteAudio | None = None  # `remote_audio: true`: published at its own URL
    video_file: VideoFile | None = None  # the MP4 fetched for a video feed (issue 16A)

    @property
    def slug(self) -> str:
        return self.article.slug

    @property
    def has_audio(self) -> bool:
        """Whether it has an enclosure: audio to tag and place, or a remote one kept as is."""
        return self.audio is not None or self.remote_audio is not None

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
class TxtRecord:
    """A ``podcast:txt``: free text (an ownership verification code), and its purpose."""

    text: str
    purpose: str | None = None  # "verify", "applepodcastsverify", ...


@dataclass(frozen=True)
class UpdateFrequency:
    """A ``podcast:updateFrequency``: the schedule in words, and as an RFC 5545 rule."""

    text: str
    rrule: str | None = None  # "FREQ=WEEKLY;BYDAY=MO"
    complete: bool = False
    dtstart: str | None = None  # ISO 8601, as written


@dataclass(frozen=True)
class PodrollEntry:
    """Another show of the project, as a feed definition knows it (its URL and GUID come
    from the site: `Show.podroll`)."""

    slug: str
    podcast_guid: str | None = None  # given in its definition
    medium: str = "podcast"
    moved_from: tuple[str, ...] = ()  # its definition's: its GUID comes from its first URL
    language: str = ""  # its language: a show in another one is a sister-language edition


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
    youtube_url: str | None = None  # the show on YouTube: a playlist or a channel
    castbox_url: str | None = None
    select: FeedSelection = field(default_factory=FeedSelection)
    # -- issue 16, item 7 (moves): where the feed was published before, oldest first: feed
    # names of this site (renamed definitions) or absolute feed URLs (another base_url)
    moved_from: tuple[str, ...] = ()
    # issue 16A: analytics prefixes, archive pages, more of Podcasting 2.0
    enclosure_prefix: str | None = None  # "https://op3.dev/e,pg={podcast_guid}/"
    max_items: int | None = None  # the newest N in the feed, the rest in archive pages
    license: License | None = None
    txt: tuple[TxtRecord, ...] = ()
    update_frequency: UpdateFrequency | None = None
    podroll: tuple[PodrollEntry, ...] = ()  # the project's other shows it recommends
    # issue 25: the feed's own [audio] (its keys over companion.toml's); None: the site's
    audio: AudioSettings | None = None
    people: tuple[Credit, ...] = ()  # `[[people]]`: the show's hosts and others (issue 25)


@dataclass(frozen=True)
class AudioSettings:
    """``[audio]``: how the published audio sounds (issue 25). The default normalises to
    -16 LUFS integrated with true peak at most -1 dBTP (Apple's recommendation)."""

    loudness: float | None = -16.0  # integrated LUFS target; None: not normalised
    true_peak: float = -1.0  # dBTP, the most a sample may reach between samples too
    mono: bool = False  # mixed down to one channel (speech)
    bitrate: int | None = None  # kbit/s; None: 96 when mono, else about the source's

    @property
    def processes(self) -> bool:
        """Whether the published audio is made anew (else the source is published as is)."""
        return self.loudness is not None or self.mono or self.bitrate is not None
