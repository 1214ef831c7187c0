"""Render one feed: our model in, RSS 2.0 bytes out.

feedgen stays behind `_map_channel`/`_map_item`; everything else speaks the
model. The show comes in as a `Show` (its definition, URLs and artwork as
placed); what the build placed in the site for an episode (the enclosure, its
artwork, chapters, transcripts, page, show notes) as `ItemParts` per episode
GUID; an episode without them is left out, so a feed never carries a broken
enclosure.

Text stays text: plain text that goes into a field readers treat as HTML
(``description``, ``itunes:summary``; ``content:encoded`` is HTML already, sanitized)
is HTML-escaped before lxml's XML escaping (`html_text`), so ``<b onmouseover=...>`` in a
description reaches a reader as those characters, never as markup. Fields apps show
as plain text (``title``, ``itunes:title``, ``podcast:person``) are XML-escaped only.

The output depends only on the input: `lastBuildDate` and `pubDate` are the
newest episode's date, never "now" (the build never writes an empty feed).

An incremental build renders each `<item>` once (`render_item`, through
feedgen and the extensions like a whole feed) and keeps its bytes;
`assemble_feed` then puts the channel (rendered by feedgen without items) and
those bytes together, byte for byte what `render_feed` gives for the same input.

A show with `max_items` keeps its newest N items in its feed and pages the rest into
RFC 5005 archive documents (`feed_files`): ``<slug>/archive/1.xml`` holds the oldest N,
``2.xml`` the next N, and so on, so a page that is full never changes when episodes are
published (only the newest page grows, until it is full); each is assembled from the
items' kept bytes, and the build writes only the pages whose bytes changed. The feed links
its newest archive page (``atom:link rel="prev-archive"``); each page is marked
``fh:archive`` and links the feed (``current``) and its neighbours (``prev-archive``,
``next-archive``).

Every item lists its renditions (`ItemParts.alternates`: the audio, and the MP4 when the
show's episode has one) as ``podcast:alternateEnclosure``, each with one
``podcast:source`` (a media file, behind the show's analytics prefix like the enclosure)
and its SHA-256 as ``podcast:integrity``; the one the enclosure is is ``default``.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from feedgen.feed import FeedGenerator

from companion import _paths as paths
from companion._errors import Problem
from companion._model import Article, Credit, Episode, FileUrl, PageUrl
from companion._read.links import clean_url
from companion._render.limits import APPLE_DESCRIPTION
from companion._render.podcast_ext import (
    AlternateTag,
    ChapterMark,
    FeedHistoryExtension,
    ItunesEntryExtension,
    ItunesExtension,
    PersonTag,
    PodcastIndexEntryExtension,
    PodcastIndexExtension,
    PodloveChaptersEntryExtension,
    PodloveChaptersExtension,
    TrailerTag,
    TranscriptTag,
)
from companion._site_model import OutputFile, PlacedMedia, Show
from companion._text import xml_text

if TYPE_CHECKING:  # the page renderer (Jinja2) is not needed to assemble a feed
    from companion._render.pages import Listing

GENERATOR = "companion"
DESCRIPTION_LIMIT = APPLE_DESCRIPTION.most  # bytes, as the text stands in the feed
FEED_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
#: Only for a channel rendered without dated items: the item-less channel that items are
#: cut from (`render_item`), never a published feed (the build leaves undated episodes
#: and empty feeds out).
NO_ITEM_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_T = TypeVar("_T")


class TranscriptRef(NamedTuple):
    """A transcript file placed in the site: absolute URL, MIME type, language, rel."""

    url: str
    mime_type: str  # text/vtt or application/x-subrip
    lang: str
    rel: str | None = "captions"


@dataclass(frozen=True)
class ItemParts:
    """What an item carries beyond the episode: its enclosure and the files placed for it."""

    media: PlacedMedia
    page_url: PageUrl | None = None  # the episode's landing page
    image_url: str | None = None  # episode artwork
    chapters_url: FileUrl | None = None  # Podcasting 2.0 chapters JSON
    transcripts: tuple[TranscriptRef, ...] = ()
    description_text: str = ""  # plain show notes, within Apple's 4,000 bytes
    description_html: str = ""  # HTML show notes, for content:encoded
    alternates: tuple[PlacedMedia, ...] = ()  # every rendition, the enclosure's first

    @property
    def url(self) -> str:
        return self.media.url

    @property
    def length(self) -> int:
        return self.media.size

    @property
    def mime_type(self) -> str:
        return self.media.type


class FeedRow(NamedTuple):
    """What a feed needs of one of its episodes besides the ``<item>`` bytes, made when the
    episode is rendered: its place (date, slug), its trailer tag, the feed rules' verdict on
    its item and its line on the show's page. A feed is assembled from rows and item bytes
    alone, so an edit decodes no other episode of the feed (`assemble_rows`)."""

    guid: str
    slug: str
    date: datetime | None
    trailer: TrailerTag | None = None
    problems: tuple[Problem, ...] = ()  # the feed rules' verdict on it (`_render.rules`)
    listing: Listing | None = None  # its line on the show's page; None: hidden


#: What a feed keeps of an episode between builds: per show slug, its row and its
#: rendered ``<item>`` bytes.
FeedItem = tuple[FeedRow, bytes]
FeedItems = Mapping[str, FeedItem]


def feed_row(episode: Episode, ref: ItemParts, problems: Sequence[Problem] = (),
             listing: Listing | None = None) -> FeedRow:
    """The episode's `FeedRow` in a show (`ref`: its parts in that show)."""
    return FeedRow(episode.guid, episode.slug, episode_date(episode),
                   trailer_tag(episode, ref), tuple(problems), listing)


def render_feed(show: Show, episodes: Sequence[Episode],
                parts: Mapping[str, ItemParts]) -> bytes:
    """The show's RSS document as UTF-8 bytes: byte-identical for identical input.

    `episodes` are the feed's episodes (see `select_episodes`); they are written
    newest first, and those without `ItemParts` are left out. With `max_items`, only
    the newest that many (the rest are in the archive pages, `feed_files`)."""
    return render_pages(show, episodes, parts)[0]


@dataclass(frozen=True)
class Page:
    """One document of a feed: the feed itself (`number` 0) or archive page `number`, its
    RFC 5005 links, and the channel's trailers (in the feed only)."""

    number: int = 0
    links: tuple[tuple[str, str], ...] = ()  # (rel, href)
    trailers: tuple[TrailerTag, ...] = field(default=(), compare=False)
    self_url: str | None = None  # an archive page's own URL; the feed's is the show's

    @property
    def archive(self) -> bool:
        return self.number > 0


def split_pages(chosen: Sequence[_T], limit: int | None) -> list[list[_T]]:
    """[the feed's items, archive page 1 (the oldest `limit`), page 2, ...], newest first
    in each; the newest page may hold fewer than `limit`."""
    if not limit or len(chosen) <= limit:
        return [list(chosen)]
    oldest_first = list(chosen[limit:])[::-1]
    pages = [oldest_first[i:i + limit][::-1] for i in range(0, len(oldest_first), limit)]
    return [list(chosen[:limit]), *pages]


def archive_url(show: Show, number: int) -> str:
    """The URL of the show's archive page `number` (beside its feed)."""
    base = show.feed_url[:-len(paths.feed_xml(show.slug))]
    return base + paths.feed_archive(show.slug, number)


def _pages(show: Show, chosen: Sequence[_T], trailers: Sequence[TrailerTag]
           ) -> list[tuple[Page, list[_T]]]:
    groups = split_pages(chosen, show.definition.max_items)
    last = len(groups) - 1
    found = [(Page(0, (("prev-archive", archive_url(show, last)),) if last else (),
                   tuple(trailers)), groups[0])]
    for number in range(1, last + 1):
        links: list[tuple[str, str]] = [("current", show.feed_url)]
        links += [("prev-archive", archive_url(show, number - 1))] if number > 1 else []
        links += [("next-archive", archive_url(show, number + 1))] if number < last else []
        found.append((Page(number, tuple(links), self_url=archive_url(show, number)),
                      groups[number]))
    return found


def render_pages(show: Show, episodes: Sequence[Episode], parts: Mapping[str, ItemParts],
                 items: Mapping[str, bytes] | None = None) -> list[bytes]:
    """The feed's document, then its archive pages (oldest first): rendered whole by
    feedgen, or, with `items` (item bytes by GUID, from `render_item`), assembled from
    them (an item not there is rendered on the spot); the same bytes either way."""
    chosen = [e for e in newest_first(episodes) if e.guid in parts]
    if items is not None:
        by_guid = {e.guid: e for e in chosen}
        return assemble_rows(show, [feed_row(e, parts[e.guid]) for e in chosen],
                             lambda row: items.get(row.guid) or render_item(
                                 show, by_guid[row.guid], parts[row.guid]))
    trailers = [t for t in (trailer_tag(e, parts[e.guid]) for e in chosen) if t is not None]
    documents = []
    for page, members in _pages(show, chosen, trailers):
        fg = _map_channel(show, build_date(members), page)
        for episode in members:
            _map_item(fg.add_entry(order="append"), show, episode, parts[episode.guid])
        documents.append(_document(fg))
    return documents


def assemble_rows(show: Show, rows: Sequence[FeedRow], item: Callable[[FeedRow], bytes]
                  ) -> list[bytes]:
    """`render_pages`' documents from the feed's rows, newest first (`newest_rows`), and
    each row's ``<item>`` bytes as `item` gives them."""
    return [b"".join(chunks) for chunks in feed_chunks(show, rows, item)]


def feed_chunks(show: Show, rows: Sequence[FeedRow], item: Callable[[FeedRow], bytes]
                ) -> list[Iterator[bytes]]:
    """`assemble_rows`' documents, each as the bytes to write one after another (the
    channel, then one item at a time): a feed of 12,500 items is written, never held."""
    documents = []
    for page, members in _pages(show, rows, [r.trailer for r in rows if r.trailer]):
        channel = _document(_map_channel(show, newest_date(r.date for r in members), page))
        if not channel.endswith(_TAIL):  # pragma: no cover - feedgen/lxml changed
            raise ValueError("feedgen's document does not end with its channel")
        documents.append(_chunks(channel[:-len(_TAIL)], members, item))
    return documents


def _chunks(head: bytes, members: Sequence[FeedRow], item: Callable[[FeedRow], bytes]
            ) -> Iterator[bytes]:
    yield head
    for row in members:
        yield item(row)
    yield _TAIL


#: How every pretty-printed feed document ends: items go in front of it, one after another.
_TAIL = b"  </channel>\n</rss>\n"


def render_item(show: Show, episode: Episode, parts: ItemParts) -> bytes:
    """The episode's ``<item>`` as it appears, indented, in `render_feed`'s document.

    The item is rendered in a feed of its own (same channel mapping, so the same
    namespaces on the root) and cut out of it: everything after that feed's
    channel without the item, up to the end of the channel. The item-less channel
    is made once per show and process.
    """
    fg, head = _item_channel(show)
    entry = fg.add_entry(order="append")
    try:
        _map_item(entry, show, episode, parts)
        whole = _document(fg)
    finally:
        fg.remove_entry(entry)
    start = len(head) - len(_TAIL)
    if not (head.endswith(_TAIL) and whole.endswith(_TAIL)
            and whole[:start] == head[:start]):  # pragma: no cover - feedgen/lxml changed
        raise ValueError("feedgen's document does not end with its channel")
    return whole[start:-len(_TAIL)]


_CHANNELS: dict[str, tuple[Show, Any, bytes]] = {}


def _item_channel(show: Show) -> tuple[Any, bytes]:
    """A feed generator for `show` without items, and its document."""
    cached = _CHANNELS.get(show.slug)
    if cached is None or cached[0] != show:
        fg = _map_channel(show, NO_ITEM_DATE)
        cached = _CHANNELS[show.slug] = (show, fg, _document(fg))
    return cached[1], cached[2]


def assemble_feed(show: Show, episodes: Sequence[Episode], parts: Mapping[str, ItemParts],
                  items: Mapping[str, bytes]) -> bytes:
    """`render_feed`'s document, with each item's bytes taken from `items` (by episode
    GUID, from `render_item`) when there, rendered otherwise."""
    return render_pages(show, episodes, parts, items)[0]


def _document(fg: Any) -> bytes:
    data: bytes = fg.rss_str(pretty=True, xml_declaration=True, encoding="UTF-8")
    return data


def feed_file(show: Show, episodes: Sequence[Episode], parts: Mapping[str, ItemParts],
              items: Mapping[str, bytes] | None = None) -> OutputFile:
    """The rendered feed as a site file: ``<slug>/feed.xml``, cached as a feed.

    With `items` (item bytes by GUID, see `render_item`), the feed is assembled from
    them instead of rendering every item again.
    """
    return feed_files(show, episodes, parts, items)[0]


def feed_files(show: Show, episodes: Sequence[Episode], parts: Mapping[str, ItemParts],
               items: Mapping[str, bytes] | None = None) -> tuple[OutputFile, ...]:
    """The feed (``<slug>/feed.xml``) and its archive pages (``<slug>/archive/<n>.xml``)."""
    return feed_outputs(show, render_pages(show, episodes, parts, items))


def feed_outputs(show: Show, documents: Sequence[bytes]) -> tuple[OutputFile, ...]:
    """The files of the feed's documents (`render_pages`, `assemble_rows`)."""
    return tuple(OutputFile(name, FEED_CONTENT_TYPE, "feed", data=data)
                 for name, data in zip(feed_names(show, len(documents)), documents,
                                       strict=True))


def feed_names(show: Show, count: int) -> list[str]:
    """The site paths of a feed of `count` documents: the feed, then its archive pages."""
    return [paths.feed_xml(show.slug), *(paths.feed_archive(show.slug, n)
                                         for n in range(1, count))]


def newest_first(episodes: Iterable[Episode]) -> list[Episode]:
    by_slug = sorted(episodes, key=lambda e: e.slug)
    return sorted(by_slug, key=_timestamp, reverse=True)


def newest_rows(rows: Iterable[FeedRow]) -> list[FeedRow]:
    """`newest_first` for rows: newest first by date, then by slug; undated ones last."""
    by_slug = sorted(rows, key=lambda r: r.slug)
    return sorted(by_slug, key=lambda r: r.date.timestamp() if r.date else float("-inf"),
                  reverse=True)


def episode_date(episode: Episode) -> datetime | None:
    return episode.article.date


def _timestamp(episode: Episode) -> float:
    when = episode_date(episode)
    return when.timestamp() if when is not None else float("-inf")


def build_date(episodes: Iterable[Episode]) -> datetime:
    """The newest episode date: the feed's lastBuildDate and pubDate."""
    return newest_date(episode_date(e) for e in episodes)


def newest_date(dates: Iterable[datetime | None]) -> datetime:
    found = [d for d in dates if d is not None]
    return max(found) if found else NO_ITEM_DATE


def _ext(fg: Any, name: str) -> Any:
    return getattr(fg, name)


def _map_channel(show: Show, when: datetime, page: Page = Page()) -> Any:
    """The channel, its lastBuildDate and pubDate `when` (the newest item's date)."""
    feed = show.definition
    fg = FeedGenerator()
    fg.register_extension("itunes", ItunesExtension, ItunesEntryExtension)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.register_extension("psc", PodloveChaptersExtension, PodloveChaptersEntryExtension)
    fg.register_extension("history", FeedHistoryExtension, rss=True, atom=False)
    link = show.link
    artwork_url = show.artwork.url if show.artwork else None
    fg.title(xml_text(feed.title))
    fg.description(html_text(feed.description or feed.title))
    fg.link(href=page.self_url or show.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=link, rel="alternate")  # feedgen uses the last link as RSS <link>
    fg.language(feed.language)
    if feed.copyright:
        fg.copyright(xml_text(feed.copyright))
    fg.generator(GENERATOR)
    fg.lastBuildDate(when)
    fg.pubDate(when)
    if artwork_url:
        fg.image(url=artwork_url, title=xml_text(feed.title), link=link)
    _map_itunes(_ext(fg, "itunes"), show, artwork_url)
    _map_podcastindex(_ext(fg, "podcastindex"), show, page)
    map_feed_links(fg, show)
    history: FeedHistoryExtension = _ext(fg, "history")
    history.archive, history.links = page.archive, list(page.links)
    return fg


def map_feed_links(fg: Any, show: Show) -> None:
    """The WebSub hubs and, for a moved feed, `itunes:new-feed-url` (`_render.feedlinks`)."""
    from companion._render.feedlinks import FeedLinksExtension

    if show.hubs or show.new_feed_url:
        fg.register_extension("feedlinks", FeedLinksExtension, None)
        links: FeedLinksExtension = _ext(fg, "feedlinks")
        links.hubs, links.new_feed_url = show.hubs, show.new_feed_url


def _map_itunes(itunes: ItunesExtension, show: Show, artwork_url: str | None) -> None:
    feed = show.definition
    itunes.author = feed.author
    itunes.summary = html.escape(feed.description, quote=False) or None
    if feed.owner.email:
        itunes.owner = (feed.owner.name or feed.author, feed.owner.email)
    itunes.image = artwork_url
    itunes.categories = list(feed.categories)
    itunes.explicit = feed.explicit
    itunes.type = feed.type


def _map_podcastindex(ext: PodcastIndexExtension, show: Show, page: Page) -> None:
    feed = show.definition
    ext.guid = show.guid
    ext.locked = feed.locked
    ext.locked_owner = feed.owner.email
    ext.funding = [(f.url, f.text) for f in feed.funding]
    ext.medium = feed.medium
    ext.license = feed.license
    ext.txt = list(feed.txt)
    ext.update_frequency = feed.update_frequency
    ext.podroll = list(show.podroll)
    ext.persons = [person_tag(c) for c in show.people or feed.people]
    ext.trailers = list(page.trailers)



def trailer_tag(episode: Episode, ref: ItemParts) -> TrailerTag | None:
    """`podcast:trailer` for an episode whose `episode_type` is trailer (None otherwise)."""
    when = episode_date(episode)
    if episode.article.episode_type != "trailer" or when is None:
        return None
    return TrailerTag(xml_text(episode.title) or episode.slug, ref.url, format_datetime(when),
                      ref.length, ref.mime_type, episode.article.season)


def _map_item(fe: Any, show: Show, episode: Episode, ref: ItemParts) -> None:
    article = episode.article
    fe.title(xml_text(episode.title) or episode.slug)
    fe.guid(xml_text(episode.guid), permalink=False)
    when = episode_date(episode)
    if when is not None:
        fe.pubDate(when)
    fe.enclosure(xml_text(ref.url), str(ref.length), xml_text(ref.mime_type))
    if ref.page_url:
        fe.link(href=xml_text(ref.page_url))
    fe.description(plain_description(ref, episode))
    if ref.description_html:
        fe.content(cdata_safe(xml_text(ref.description_html)), type="CDATA")
    explicit = article.explicit if article.explicit is not None else show.definition.explicit
    _map_item_itunes(_ext(fe, "itunes"), episode, ref, explicit)
    _map_item_podcastindex(_ext(fe, "podcastindex"), episode, ref)
    psc: PodloveChaptersEntryExtension = _ext(fe, "psc")
    psc.chapters = [ChapterMark(c.start, c.title, clean_url(c.url) if c.url else None)
                    for c in episode.chapters]


def _map_item_itunes(ext: ItunesEntryExtension, episode: Episode, ref: ItemParts,
                     explicit: bool) -> None:
    article = episode.article
    ext.title = xml_text(episode.title) or None
    ext.duration = round(ref.media.duration)
    ext.image = ref.image_url
    ext.episode = article.episode
    ext.season = article.season
    ext.episode_type = article.episode_type
    ext.explicit = explicit


def _map_item_podcastindex(ext: PodcastIndexEntryExtension, episode: Episode,
                           ref: ItemParts) -> None:
    article = episode.article
    ext.transcripts = [TranscriptTag(t.url, t.mime_type, t.lang, t.rel)
                       for t in ref.transcripts]
    ext.chapters_url = ref.chapters_url
    ext.persons = _persons(article)
    ext.season = article.season
    ext.episode = article.episode
    ext.location = article.location
    ext.license = article.license
    ext.alternates = [AlternateTag(m.type, m.url, m.size, m.bitrate, m.height, article.lang,
                                   m.url == ref.url, sri(m.sha256)) for m in ref.alternates]


def _persons(article: Article) -> list[PersonTag]:
    """The episode's hosts and guests, else its author as the host."""
    if article.people:
        return [person_tag(c) for c in article.people]
    return [PersonTag(article.author)] if article.author else []


def person_tag(credit: Credit) -> PersonTag:
    """A person as `podcast:person`; a picture not placed on the site yet (a project path)
    is left out: `img` must be a URL."""
    img = credit.img if credit.img and "://" in credit.img else None
    return PersonTag(credit.name, credit.role, credit.href, img, credit.group)


def sri(sha256_hex: str) -> str | None:
    """An SRI integrity string ("sha256-<base64>") for a SHA-256 in hex (None if not one)."""
    try:
        digest = bytes.fromhex(sha256_hex)
    except ValueError:
        return None
    return "sha256-" + base64.b64encode(digest).decode("ascii") if len(digest) == 32 else None


def plain_description(ref: ItemParts, episode: Episode) -> str:
    """Plain show notes for <description>, HTML-escaped, within Apple's 4,000 bytes."""
    from companion._render.shownotes import cut

    text = xml_text(ref.description_text or episode.article.description or episode.title)
    return html_text(cut(text, DESCRIPTION_LIMIT, APPLE_DESCRIPTION.size))


def html_text(text: str) -> str:
    """Plain text for a field readers treat as HTML: ``&``, ``<`` and ``>`` escaped (lxml
    then escapes the result for XML)."""
    return html.escape(xml_text(text), quote=False)


def cdata_safe(html: str) -> str:
    """HTML that can sit in a CDATA section: ``]]>`` becomes ``]]&gt;`` (same rendering)."""
    return html.replace("]]>", "]]&gt;")
