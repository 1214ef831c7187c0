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

import re
from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"

_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (controls, lone surrogates, FFFE)."""
    return _ILLEGAL_XML.sub("", text)


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
    """Channel-level ``podcast:`` tags: guid, locked, funding, medium."""

    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked: bool | None = None
        self.locked_owner: str | None = None
        self.funding: list[tuple[str, str]] = []  # (url, text)
        self.medium: str | None = None

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
        return rss_feed


class PodcastIndexEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Item-level ``podcast:`` tags: transcript, chapters, person, season, episode."""

    def __init__(self) -> None:
        self.transcripts: list[TranscriptTag] = []
        self.chapters_url: str | None = None
        self.persons: list[PersonTag] = []
        self.season: int | None = None
        self.episode: int | None = None

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
            self._person(entry, person)
        if self.season is not None:
            _sub(entry, PODCAST_NS, "season", str(self.season))
        if self.episode is not None:
            _sub(entry, PODCAST_NS, "episode", str(self.episode))
        return entry

    @staticmethod
    def _person(entry: etree._Element, person: PersonTag) -> None:
        elem = _sub(entry, PODCAST_NS, "person", person.name, role=person.role)
        if person.href:
            _set_text_attr(elem, "href", person.href)
        if person.img:
            _set_text_attr(elem, "img", person.img)


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
