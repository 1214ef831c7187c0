"""The site-side records: the project's settings (`Site`, with its publish and notify
settings) and what the build hands the render (`RenderEpisode`, `Show`, the placed media,
images and transcripts, `OutputFile`), with the lifecycle's (`Clock`, `Identity`,
`Standing`). Plain, frozen, typed dataclasses, as in `_model` (the article and episode
records), which they build on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from companion import _paths
from companion._model import (
    ArtworkUrl,
    AudioSettings,
    Credit,
    Episode,
    FeedDefinition,
    FeedUrl,
    FileUrl,
    MediaUrl,
    PageUrl,
)


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
class NotifySettings:
    """``[notify]``: who is told when a publish changed a feed ("" or () = nobody)."""

    websub: tuple[str, ...] = ()  # WebSub hubs: pinged; named in feeds unless holding a secret
    podping: str = ""  # the Podping HTTP gateway
    podping_token_env: str = "PODPING_TOKEN"  # noqa: S105 - the name of the variable
    podcastindex: str = ""  # the Podcast Index hub/pubnotify endpoint

    @property
    def any(self) -> bool:
        return bool(self.websub or self.podping or self.podcastindex)


@dataclass(frozen=True)
class PairSettings:
    """``[pair]``: where the newsroom's videos and episodes are listed, for `companion pair`.

    The Spotify app's client id and secret are never here: they come from the environment
    (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET)."""

    youtube: tuple[str, ...] = ()  # channel or playlist URLs (https://www.youtube.com/@name)
    spotify_show: str | None = None  # the show's id (base62, 22 characters)
    show_rss: tuple[str, ...] = ()  # the show's own feed URLs (Spotify for Creators, ...)
    live: bool = False  # live streams and their recordings may be an article's companion
    market: str | None = None  # ISO 3166-1 alpha-2 country the Web API answers for
    date_window_days: int | None = None  # how far apart article and video may be (None: the
    # matcher's own window)

    @property
    def any(self) -> bool:
        return bool(self.youtube or self.spotify_show or self.show_rss)


@dataclass(frozen=True)
class FetchSettings:
    """``[fetch]``: how `companion fetch` asks YouTube (each also a `fetch` flag).

    `cookies`, `proxy` and the `po_token` of `extractor_args` are secrets: companion passes
    them to yt-dlp and never prints, logs or caches them."""

    cookies: str = ""  # a Netscape cookies file (relative to the project folder)
    cookies_from_browser: str = ""  # e.g. "firefox" or "chrome:Profile 1"
    proxy: str = ""  # http://user:pass@host:port, socks5://...
    rate_limit: int | None = None  # bytes per second
    sleep_requests: float = 0.0  # seconds between requests while extracting
    sleep_interval: tuple[float, float] | None = None  # seconds before each download: random
    max_downloads: int | None = None  # videos downloaded per run; the rest wait
    extractor_args: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=dict, hash=False)  # {"youtube": {"player_client": ("default",)}}
    min_audio_kbps: int = 64  # a YouTube audio below this is throttled, refused
    settle_hours: float = 6.0  # a younger video's captions are fetched on a later run


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
    notify: NotifySettings = field(default_factory=NotifySettings)
    pair: PairSettings = field(default_factory=PairSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)  # issue 25

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

    def home_url(self) -> PageUrl:
        return PageUrl(self.base_url)

    def episode_url(self, slug: str) -> PageUrl:
        return PageUrl(self.url(_paths.episode_dir(slug)))

    def show_url(self, feed_slug: str) -> PageUrl:
        return PageUrl(self.url(_paths.feed_dir(feed_slug)))

    def feed_url(self, feed_slug: str) -> FeedUrl:
        return FeedUrl(self.url(_paths.feed_xml(feed_slug)))

    def media_url(self, path: str) -> MediaUrl:
        return MediaUrl(self.url(path))

    def artwork_url(self, path: str) -> ArtworkUrl:
        return ArtworkUrl(self.url(path))

    def file_url(self, path: str) -> FileUrl:
        return FileUrl(self.url(path))


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


# -- what the build places in the site, as the render sees it ------------------------------


@dataclass(frozen=True)
class PlacedMedia:
    """A media file placed in the site: where (path, URL), and what a feed says of it."""

    path: str  # site path, e.g. media/<key>.mp3
    url: MediaUrl
    size: int  # bytes, exact
    type: str  # audio/mpeg, audio/mp4, video/mp4
    duration: float  # seconds
    sha256: str
    source: Path  # the local file the site copy is made from (streamed, never loaded)
    remote: bool = False  # an enclosure kept at its own URL: nothing placed (path "")
    bitrate: int | None = None  # bits per second (podcast:alternateEnclosure)
    height: int | None = None  # lines, for a video

    def file(self) -> OutputFile:
        return OutputFile(self.path, self.type, "media", source=self.source)


@dataclass(frozen=True)
class PlacedImage:
    """An image the site shows: its URL (ours, or the producer's https URL) and, for our
    own compliant copy, the file and its size."""

    url: ArtworkUrl
    size: tuple[int, int] | None = None
    file: OutputFile | None = None  # None: a URL given by the producer, used as it is


@dataclass(frozen=True)
class Cue:
    """A line of a transcript: start and end in seconds, its text."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class PlacedTranscript:
    """A transcript file placed in the site, with its bytes."""

    lang: str
    kind: Literal["vtt", "srt"]
    path: str
    url: FileUrl
    type: str  # text/vtt or application/x-subrip
    data: bytes


@dataclass(frozen=True)
class RemoteFeed:
    """Another feed, as ``podcast:remoteItem`` points at it."""

    feed_guid: str
    feed_url: FeedUrl
    medium: str = "podcast"


@dataclass(frozen=True)
class Show:
    """A feed definition with what the build resolved for it: its URLs and its artwork."""

    definition: FeedDefinition
    feed_url: FeedUrl
    page_url: PageUrl  # the show's page on this site
    guid: str  # podcast:guid
    artwork: PlacedImage | None = None
    thumb: PlacedImage | None = None  # a small square copy of the artwork, for pages
    icons: tuple[PlacedImage, ...] = ()  # favicons made from the artwork: PNGs, then an ICO
    hubs: tuple[str, ...] = ()  # WebSub hubs ([notify] websub): atom:link rel="hub"
    new_feed_url: FeedUrl | None = None  # a moved feed: itunes:new-feed-url (its own URL)
    podroll: tuple[RemoteFeed, ...] = ()  # the other shows it recommends (podcast:podroll)
    people: tuple[Credit, ...] = ()  # its `[[people]]`, their pictures placed (img: a URL)
    portraits: tuple[PlacedImage, ...] = ()  # the copies of their pictures on the site

    @property
    def slug(self) -> str:
        return self.definition.slug

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def link(self) -> str:
        """The show's website: `link` when given, else its page here."""
        return self.definition.link or self.page_url


# -- the lifecycle ---------------------------------------------------------------------------

Status = Literal["live", "draft", "scheduled"]


@dataclass(frozen=True)
class Clock:
    """The moment a build is for, and which unreleased articles a preview includes."""

    now: datetime
    drafts: bool = False
    future: bool = False

    @property
    def preview(self) -> bool:
        return self.drafts or self.future


@dataclass(frozen=True)
class Identity:
    """What the build must know of an article before rendering anything of it."""

    slug: str
    guid: str
    draft: bool
    date: datetime | None
    hidden: bool
    files: tuple[str, ...] = ()  # project paths its `audio:` and `image:` point at
    redirect_from: tuple[str, ...] = ()  # `redirect_from:` (Jekyll): old site paths of its page
    # Sister-language editions: `ref:` (the key Jekyll's multilingual plugins share between
    # the languages of one story) and a sidecar's `translations:` (the others' slugs)
    ref: str | None = None
    translations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standing:
    """One article's place in the site: its status, the feeds it is an item of, and why
    it is in none when it is not."""

    source: str
    slug: str
    title: str
    status: Status
    date: datetime | None
    hidden: bool = False
    feeds: tuple[str, ...] = ()  # feeds it is an item of
    selected: tuple[str, ...] = ()  # feeds whose selection matches it
    why: str = ""  # why a live article is in no feed ("no audio", a clash, errors)

    def label(self, tz: tzinfo | None = None) -> str:
        """How `check` names the state: published, draft, scheduled (date), hidden..."""
        if self.status == "draft":
            return "draft"
        if self.status == "scheduled":
            when = self.date.astimezone(tz) if self.date and tz else self.date
            return f"scheduled for {when:%Y-%m-%d %H:%M %Z}".strip() if when else "scheduled"
        if not self.feeds:
            reason = self.why or ("no feed selects it" if not self.selected else "")
            return f"page only, in no feed ({reason})" if reason else "page only, in no feed"
        state = "published" + (", hidden" if self.hidden else "")
        return f"{state} in {', '.join(self.feeds)}"

    def to_json(self) -> dict[str, object]:
        return {"state": self.status if self.status != "live" else (
                    "published" if self.feeds else "page-only"),
                "date": self.date.isoformat() if self.date else None,
                "hidden": self.hidden, "feeds": list(self.feeds),
                "selected_by": list(self.selected), "why": self.why or None}


@dataclass(frozen=True)
class Neighbour:
    """An episode next to another in its show: the older one ("prev") or the newer ("next")."""

    rel: Literal["prev", "next"]
    slug: str
    title: str


@dataclass(frozen=True)
class Sister:
    """The same story in another language (its own page): a sister-language edition."""

    lang: str
    slug: str
    title: str


@dataclass(frozen=True)
class RenderEpisode:
    """An episode as the render sees it: the episode, its page, the shows it is an item
    of, and what the build placed for it (media per show, image, transcripts)."""

    episode: Episode
    page_url: PageUrl
    shows: tuple[Show, ...] = ()  # the feeds it is an item of
    media: Mapping[str, PlacedMedia] = field(default_factory=dict)  # by show slug; "" is
    # the page's own player when the episode is in no feed
    image: PlacedImage | None = None
    transcripts: tuple[PlacedTranscript, ...] = ()
    cues: tuple[Cue, ...] = ()  # the transcript in the episode's language, for its page
    mark: Status = "live"  # a draft or scheduled episode in a preview says so
    # The page's picture as it is (a 16:9 thumbnail stays 16:9), one copy per width,
    # narrowest first; `image` is the square copy for feeds.
    picture: tuple[PlacedImage, ...] = ()
    video_picture: tuple[PlacedImage, ...] = ()  # the YouTube thumbnail, for the video's facade
    neighbours: tuple[Neighbour, ...] = ()  # older and newer episodes in its first show
    # The episode's MP4 by show slug (one file, each show's URL: its analytics prefix), when
    # a show it is in is a video feed.
    video: Mapping[str, PlacedMedia] = field(default_factory=dict)
    sisters: tuple[Sister, ...] = ()  # the story in other languages, by language
    portraits: tuple[PlacedImage, ...] = ()  # its people's pictures, placed on the site

    @property
    def player(self) -> PlacedMedia | None:
        """The audio the page plays: the first show's, else the page's own."""
        return next(iter(self.media.values()), None)

    @property
    def page_video(self) -> PlacedMedia | None:
        """The MP4 the page offers beside the audio: the player's show's, else any show's."""
        first = next(iter(self.media), "")
        return self.video.get(first) or next(iter(self.video.values()), None)

    def enclosure(self, show: Show) -> PlacedMedia:
        """What `show`'s item encloses: the MP4 in a video feed, else the show's audio."""
        if show.definition.medium == "video" and show.slug in self.video:
            return self.video[show.slug]
        return self.media[show.slug]

    def renditions(self, show: Show) -> tuple[PlacedMedia, ...]:
        """Every file of the episode `show` offers: its enclosure first, then the others
        (the audio beside a video, the video beside an audio)."""
        own = self.enclosure(show)
        others = [m for m in (self.media.get(show.slug), self.video.get(show.slug))
                  if m is not None and m.path != own.path]
        return (own, *others)
