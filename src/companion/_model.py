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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal, NewType
from zoneinfo import ZoneInfo

from companion import _paths

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
    people: tuple[Credit, ...] = ()  # `[[people]]`: the show's hosts and others (issue 25)


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

    websub: tuple[str, ...] = ()  # WebSub hubs: named in every feed, pinged after a change
    podping: str = ""  # the Podping HTTP gateway
    podping_token_env: str = "PODPING_TOKEN"  # noqa: S105 - the name of the variable
    podcastindex: str = ""  # the Podcast Index hub/pubnotify endpoint

    @property
    def any(self) -> bool:
        return bool(self.websub or self.podping or self.podcastindex)


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
