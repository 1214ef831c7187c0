"""What a channel or a show holds, as the matcher reads it: one `CatalogEntry` per video,
Spotify episode or RSS item, whatever the source's own format was. `_catalogs` makes them
(from yt-dlp's info JSON, Spotify's Web API paging objects, a podcast RSS feed); `_match`
reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: Where an entry comes from: a YouTube video (yt-dlp), a Spotify episode (Web API), an item
#: of the show's own RSS feed.
Source = Literal["youtube", "spotify", "rss"]

#: What an entry is. Only "video" and "episode" are an article's companion by default;
#: shorts, live streams (and their recordings) and premieres not yet aired are not.
Kind = Literal["video", "short", "live", "was_live", "upcoming", "episode"]

#: How exact `date` is: yt-dlp's flat listings give an approximate date (or none);
#: Spotify's `release_date_precision` is "day", "month" or "year".
DatePrecision = Literal["exact", "day", "month", "year", "approximate"]


@dataclass(frozen=True)
class CatalogEntry:
    source: Source
    id: str  # YouTube video id, Spotify episode id (base62), or the RSS item's guid
    title: str
    description: str = ""  # plain text (HTML removed); "" when the source gave none
    url: str | None = None  # the entry's page: watch URL, open.spotify.com URL, item <link>
    date: datetime | None = None  # timezone-aware (UTC when the source gives no zone)
    date_precision: DatePrecision | None = None
    duration: float | None = None  # seconds
    language: str | None = None  # BCP 47 primary subtag, lower case, as the source declares it
    language_evidence: str | None = None  # where `language` came from ("declared", "captions")
    kind: Kind = "video"
    channel: str | None = None  # the channel or show name
    audio_url: str | None = None  # RSS: the enclosure URL
    audio_type: str | None = None  # RSS: the enclosure's MIME type
    audio_length: int | None = None  # RSS: the enclosure's length in bytes
    image: str | None = None  # a thumbnail or episode image URL
    flat: bool = False  # from a flat listing: no description or date; weaker evidence
    links: tuple[str, ...] = ()  # URLs in the description, as written
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Catalog:
    """The entries of one source: a channel or playlist, a Spotify show, an RSS feed, or a
    saved file. `origin` names it in messages (a URL, or a project-relative path)."""

    source: Source
    origin: str
    entries: tuple[CatalogEntry, ...]
    title: str | None = None  # the channel's or show's name, when the source gives it
    complete: bool = True  # False when only part of the source could be read (a flat listing
    # whose details are missing, a page that failed): the matcher says so, never guesses
