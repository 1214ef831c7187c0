"""feedgen extensions: the `podcast:` namespace, Podlove Simple Chapters, and iTunes.

Written the way feedgen's own extensions are (``feedgen/ext/podcast.py``): a
``BaseExtension`` for the channel and a ``BaseEntryExtension`` for items, each
with ``extend_ns`` and ``extend_rss``; `_rss.py` registers them with
``fg.register_extension(name, FeedExt, EntryExt)`` and only sets fields.

The iTunes pair replaces feedgen 1.0's own, which writes ``itunes:explicit`` as
yes/no/clean (Apple now wants true/false) and silently drops an image whose URL
ends in ``.jpeg``.

All text goes through `xml_text`, which removes characters XML 1.0 forbids
(lxml refuses them); lxml escapes the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from companion._model import License, Place, TxtRecord, UpdateFrequency
from companion._site_model import RemoteFeed
from companion._text import xml_text

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: RFC 5005, Feed Paging and Archiving: ``fh:archive`` marks an archive document.
FH_NS = "http://purl.org/syndication/history/1.0"



def _sub(parent: etree._Element, ns: str, tag: str, body: str | None = None,
         **attrs: str) -> etree._Element:
    elem = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for key, value in attrs.items():
        elem.set(key, xml_text(value))
    if body is not None:
        elem.text = xml_text(body)
    return elem


def _channel(rss: etree._Element) -> etree._Element:
    return rss[0]


@dataclass(frozen=True)
class TranscriptTag:
    url: str
    type: str
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True)
class PersonTag:
    name: str
    role: str = "host"
    href: str | None = None
    img: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class TrailerTag:
    title: str
    url: str
    pubdate: str  # RFC 2822
    length: int | None = None
    type: str | None = None
    season: int | None = None


@dataclass(frozen=True)
class AlternateTag:
    """A ``podcast:alternateEnclosure`` with one ``podcast:source`` and its integrity."""

    type: str
    url: str
    length: int | None = None
    bitrate: int | None = None
    height: int | None = None
    lang: str | None = None
    default: bool = False
    integrity: str | None = None  # an SRI string, "sha256-..."


@dataclass(frozen=True)
class ChapterMark:
    start: float  # seconds
    title: str
    href: str | None = None


def npt(seconds: float) -> str:
    """Normal play time as Podlove wants it: HH:MM:SS.mmm."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


# --- iTunes ------------------------------------------------------------------------------


class ItunesExtension(BaseExtension):  # type: ignore[misc]
    """Channel-level ``itunes:`` tags, with explicit as true/false and any image URL."""

    def __init__(self) -> None:
        self.author: str | None = None
        self.owner: tuple[str, str] | None = None  # (name, email)
        self.image: str | None = None
        self.categories: list[tuple[str, str | None]] = []
        self.explicit: bool | None = None
        self.type: str | None = None
        self.summary: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        channel = _channel(rss_feed)
        if self.author:
            _sub(channel, ITUNES_NS, "author", self.author)
        if self.summary:
            _sub(channel, ITUNES_NS, "summary", self.summary)
        if self.owner:
            owner = _sub(channel, ITUNES_NS, "owner")
            _sub(owner, ITUNES_NS, "name", self.owner[0])
            _sub(owner, ITUNES_NS, "email", self.owner[1])
        if self.image:
            _sub(channel, ITUNES_NS, "image", href=self.image)
        self._categories(channel)
        if self.explicit is not None:
            _sub(channel, ITUNES_NS, "explicit", "true" if self.explicit else "false")
        if self.type:
            _sub(channel, ITUNES_NS, "type", self.type)
        return rss_feed

    def _categories(self, channel: etree._Element) -> None:
        parents: dict[str, etree._Element] = {}
        for category, sub in self.categories:
            if category not in parents:
                parents[category] = _sub(channel, ITUNES_NS, "category", text=category)
            if sub:
                _sub(parents[category], ITUNES_NS, "category", text=sub)


def _set_text_attr(elem: etree._Element, name: str, value: str) -> None:
    elem.set(name, xml_text(value))


class ItunesEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Item-level ``itunes:`` tags."""

    def __init__(self) -> None:
        self.duration: int | None = None
        self.image: str | None = None
        self.episode: int | None = None
        self.season: int | None = None
        self.episode_type: str | None = None
        self.explicit: bool | None = None
        self.title: str | None = None

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        if self.title:
            _sub(entry, ITUNES_NS, "title", self.title)
        if self.duration is not None:
            _sub(entry, ITUNES_NS, "duration", str(self.duration))
        if self.image:
            _sub(entry, ITUNES_NS, "image", href=self.image)
        if self.episode is not None:
            _sub(entry, ITUNES_NS, "episode", str(self.episode))
        if self.season is not None:
            _sub(entry, ITUNES_NS, "season", str(self.season))
        if self.episode_type:
            _sub(entry, ITUNES_NS, "episodeType", self.episode_type)
        if self.explicit is not None:
            _sub(entry, ITUNES_NS, "explicit", "true" if self.explicit else "false")
        return entry


# --- podcast: (Podcast Index namespace 1.0) ------------------------------------------------


class PodcastIndexExtension(BaseExtension):  # type: ignore[misc]
    """Channel-level ``podcast:`` tags: guid, locked, funding, medium, license, txt,
    updateFrequency, podroll, trailer."""

    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked: bool | None = None
        self.locked_owner: str | None = None
        self.funding: list[tuple[str, str]] = []  # (url, text)
        self.medium: str | None = None
        self.license: License | None = None
        self.txt: list[TxtRecord] = []
        self.update_frequency: UpdateFrequency | None = None
        self.podroll: list[RemoteFeed] = []
        self.trailers: list[TrailerTag] = []
        self.persons: list[PersonTag] = []  # the show's people (issue 25: `[[people]]`)

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        channel = _channel(rss_feed)
        if self.guid:
            _sub(channel, PODCAST_NS, "guid", self.guid)
        if self.locked is not None:
            locked = _sub(channel, PODCAST_NS, "locked", "yes" if self.locked else "no")
            if self.locked_owner:
                _set_text_attr(locked, "owner", self.locked_owner)
        for url, text in self.funding:
            _sub(channel, PODCAST_NS, "funding", text, url=url)
        if self.medium:
            _sub(channel, PODCAST_NS, "medium", self.medium)
        for person in self.persons:
            person_tag(channel, person)
        if self.license:
            license_tag(channel, self.license)
        for txt in self.txt:
            txt_tag(channel, txt)
        if self.update_frequency:
            self._update_frequency(channel, self.update_frequency)
        if self.podroll:
            podroll = _sub(channel, PODCAST_NS, "podroll")
            for item in self.podroll:
                self._remote_item(podroll, item)
        for trailer in self.trailers:
            self._trailer(channel, trailer)
        return rss_feed

    @staticmethod
    def _update_frequency(channel: etree._Element, tag: UpdateFrequency) -> None:
        elem = _sub(channel, PODCAST_NS, "updateFrequency", tag.text)
        if tag.complete:
            _set_text_attr(elem, "complete", "true")
        if tag.dtstart:
            _set_text_attr(elem, "dtstart", tag.dtstart)
        if tag.rrule:
            _set_text_attr(elem, "rrule", tag.rrule)

    @staticmethod
    def _remote_item(parent: etree._Element, item: RemoteFeed) -> None:
        elem = _sub(parent, PODCAST_NS, "remoteItem", feedGuid=item.feed_guid)
        medium = item.medium if item.medium != "podcast" else None  # remote-item.md
        for name, value in (("feedUrl", item.feed_url), ("medium", medium)):
            if value:
                _set_text_attr(elem, name, value)

    @staticmethod
    def _trailer(channel: etree._Element, trailer: TrailerTag) -> None:
        elem = _sub(channel, PODCAST_NS, "trailer", trailer.title, url=trailer.url,
                    pubdate=trailer.pubdate)
        if trailer.length is not None:
            _set_text_attr(elem, "length", str(trailer.length))
        if trailer.type:
            _set_text_attr(elem, "type", trailer.type)
        if trailer.season is not None:
            _set_text_attr(elem, "season", str(trailer.season))


def person_tag(parent: etree._Element, person: PersonTag) -> None:
    """`podcast:person` (channel or item): name, role, and group, href, img when known."""
    elem = _sub(parent, PODCAST_NS, "person", person.name, role=person.role)
    for name, value in (("group", person.group), ("href", person.href), ("img", person.img)):
        if value:
            _set_text_attr(elem, name, value)


def license_tag(parent: etree._Element, tag: License) -> None:
    elem = _sub(parent, PODCAST_NS, "license", tag.name)
    if tag.url:
        _set_text_attr(elem, "url", tag.url)


def txt_tag(parent: etree._Element, tag: TxtRecord) -> None:
    elem = _sub(parent, PODCAST_NS, "txt", tag.text)
    if tag.purpose:
        _set_text_attr(elem, "purpose", tag.purpose)


class PodcastIndexEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Item-level ``podcast:`` tags: transcript, chapters, person, season, episode,
    location, license, alternateEnclosure."""

    def __init__(self) -> None:
        self.transcripts: list[TranscriptTag] = []
        self.chapters_url: str | None = None
        self.persons: list[PersonTag] = []
        self.season: int | None = None
        self.episode: int | None = None
        self.location: Place | None = None
        self.license: License | None = None
        self.alternates: list[AlternateTag] = []

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        for transcript in self.transcripts:
            elem = _sub(entry, PODCAST_NS, "transcript", url=transcript.url,
                        type=transcript.type)
            if transcript.language:
                _set_text_attr(elem, "language", transcript.language)
            if transcript.rel:
                _set_text_attr(elem, "rel", transcript.rel)
        if self.chapters_url:
            _sub(entry, PODCAST_NS, "chapters", url=self.chapters_url,
                 type="application/json+chapters")
        for person in self.persons:
            person_tag(entry, person)
        if self.season is not None:
            _sub(entry, PODCAST_NS, "season", str(self.season))
        if self.episode is not None:
            _sub(entry, PODCAST_NS, "episode", str(self.episode))
        if self.location:
            self._location(entry, self.location)
        if self.license:
            license_tag(entry, self.license)
        for alternate in self.alternates:
            self._alternate(entry, alternate)
        return entry

    @staticmethod
    def _location(entry: etree._Element, place: Place) -> None:
        elem = _sub(entry, PODCAST_NS, "location", place.name)
        for name, value in (("geo", place.geo), ("osm", place.osm),
                            ("country", place.country)):
            if value:
                _set_text_attr(elem, name, value)

    @staticmethod
    def _alternate(entry: etree._Element, tag: AlternateTag) -> None:
        elem = _sub(entry, PODCAST_NS, "alternateEnclosure", type=tag.type)
        for name, value in (("length", tag.length), ("bitrate", tag.bitrate),
                            ("height", tag.height), ("lang", tag.lang)):
            if value is not None and value != "":
                _set_text_attr(elem, name, str(value))
        if tag.default:
            _set_text_attr(elem, "default", "true")
        _sub(elem, PODCAST_NS, "source", uri=tag.url)
        if tag.integrity:
            _sub(elem, PODCAST_NS, "integrity", type="sri", value=tag.integrity)


# --- RFC 5005 archived feeds (``fh:`` and ``atom:link``) -------------------------------------


class FeedHistoryExtension(BaseExtension):  # type: ignore[misc]
    """An archived feed's links (RFC 5005 section 4): in the subscription feed, a
    ``prev-archive`` link to its newest archive page; in an archive page, ``fh:archive``, a
    ``current`` link to the subscription feed and ``prev-archive``/``next-archive`` links
    to the pages before and after it."""

    def __init__(self) -> None:
        self.archive = False
        self.links: list[tuple[str, str]] = []  # (rel, href)

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FH_NS} if self.archive else {}

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        channel = _channel(rss_feed)
        if self.archive:
            _sub(channel, FH_NS, "archive")
        for rel, href in self.links:
            _sub(channel, ATOM_NS, "link", rel=rel, href=href, type="application/rss+xml")
        return rss_feed


# --- psc: (Podlove Simple Chapters 1.2) ----------------------------------------------------


class PodloveChaptersExtension(BaseExtension):  # type: ignore[misc]
    """Declares the ``psc:`` namespace on the channel."""

    def extend_ns(self) -> dict[str, str]:
        return {"psc": PSC_NS}


class PodloveChaptersEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Inline ``psc:chapters version="1.2"`` in an item."""

    def __init__(self) -> None:
        self.chapters: list[ChapterMark] = []

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        if not self.chapters:
            return entry
        chapters = _sub(entry, PSC_NS, "chapters", version="1.2")
        for mark in self.chapters:
            chapter = _sub(chapters, PSC_NS, "chapter", start=npt(mark.start), title=mark.title)
            if mark.href:
                _set_text_attr(chapter, "href", mark.href)
        return entry
