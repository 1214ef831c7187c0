"""YouTube channels and playlists: yt-dlp's flat listing, the channel's Atom feed, full infos.

A channel is read in three steps, each asking less than the one before:

1. yt-dlp's *flat* listing (`extract_flat="in_playlist"`, with the approximate dates the
   "youtubetab" extractor can add): every video's id, title, duration, thumbnails and live
   status, but no description and no exact date. A channel's page with its tabs (videos,
   shorts, live) is a playlist of playlists: their entries are listed as one.
2. the channel's (or playlist's) own Atom feed, ``feeds/videos.xml``: its 15 newest
   videos with their full descriptions and publication times. It fills those entries in,
   and on the next run it says what is new: when the feed reaches into videos already
   listed, the new ones are all in it and the listing is not asked again (for a week:
   `RELIST_DAYS`; what changed further down, a premiere aired or a video gone, shows then).
3. full infos (yt-dlp's `extract_info` of the watch page) only for the videos the caller
   asks for (`complete_videos`): those that could be some unpaired article's.

yt-dlp itself is asked through `CatalogOptions.lister` (`_catalogs.ytdlp`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from lxml import etree

from companion._catalogs.http import fetch
from companion._catalogs.options import CatalogEvent, CatalogOptions
from companion._catalogs.store import SourceRecord, now_utc, read_lines, write_lines
from companion._clock import clock_now
from companion._errors import CatalogSourceError

if TYPE_CHECKING:
    import httpx

ATOM = "http://www.w3.org/2005/Atom"
YT = "http://www.youtube.com/xml/schemas/2015"
MEDIA = "http://search.yahoo.com/mrss/"
_NS = {"a": ATOM, "yt": YT, "media": MEDIA}
#: Fields of a full info that are large and say nothing about which article it is.
_DROP = {"formats", "requested_formats", "requested_downloads", "requested_subtitles",
         "http_headers", "heatmap", "fragments", "fragment_base_url", "manifest_url",
         "downloader_options", "cookies", "storyboards", "_format_sort_fields",
         "epoch", "_version"}  # (when and by which yt-dlp: a diff on every run)
_CAPTIONS = ("automatic_captions", "subtitles")
_KEEP_THUMBNAILS = 3
_VIDEO_URL = re.compile(r"(?:[?&]v=|/embed/|/shorts/|/live/|youtu\.be/)([0-9A-Za-z_-]{11})")
_CHANNEL_PATH = re.compile(r"/channel/(UC[0-9A-Za-z_-]{22})")

Progress = Callable[[CatalogEvent], None]


def trim(info: Mapping[str, Any]) -> dict[str, Any]:
    """An info dict without its bulky fields: formats and their URLs, headers, caption URLs
    (the caption *languages* stay: ``{"automatic_captions": {"ka-orig": []}}`` tells the
    original language), all but the best few thumbnails, yt-dlp's private ``__`` fields."""
    full = info.get("_type") == "video" or "formats" in info
    out: dict[str, Any] = {}
    for key, value in info.items():
        if key in _DROP or key.startswith("__") or (full and key == "url"):
            continue
        if key in _CAPTIONS and isinstance(value, dict):
            value = {str(k): [] for k in value}
        elif key == "thumbnails" and isinstance(value, list):
            value = value[-_KEEP_THUMBNAILS:]
        out[key] = value
    return out


def flat_entries(listing: Mapping[str, Any], url: str) -> list[dict[str, Any]]:
    """The videos of a flat listing, in its order, once each; nested playlists (a channel's
    tabs) are walked. A URL that gave one video is an error."""
    if listing.get("_type") not in ("playlist", "multi_video") and "entries" not in listing:
        raise CatalogSourceError(f"{url} is a video, not a channel or playlist", where=url,
                                 fix="write the channel's address in [pair] youtube, e.g. "
                                     "https://www.youtube.com/@name, or a playlist's")
    found: dict[str, dict[str, Any]] = {}

    def walk(entries: object) -> None:
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            if "entries" in entry:
                walk(entry["entries"])
            elif entry.get("ie_key") == "YoutubeTab" or entry.get("_type") == "playlist":
                continue  # a playlist listed by a channel: not a video
            elif (video := _video_id(entry)) and video not in found:
                found[video] = trim({**entry, "id": video})

    walk(listing.get("entries"))
    return list(found.values())


def _video_id(entry: Mapping[str, Any]) -> str | None:
    """An entry's id; a YouTube URL's, when an embed gave only that."""
    video = entry.get("id")
    if isinstance(video, str) and video:
        return video
    found = _VIDEO_URL.search(str(entry.get("url") or ""))
    return found.group(1) if found and entry.get("ie_key") == "Youtube" else None


def feed_address(feeds: str, url: str, listing: Mapping[str, Any] | None = None) -> str | None:
    """The Atom feed of a playlist (its ``list=``) or a channel (its ``UC`` id, from the URL
    or the listing), or None."""
    parts = urlsplit(url)
    playlist = parse_qs(parts.query).get("list", [""])[0]
    if playlist:
        return f"{feeds}?{urlencode({'playlist_id': playlist})}"
    found = _CHANNEL_PATH.search(parts.path)
    channel = found.group(1) if found else (listing or {}).get("channel_id")
    if isinstance(channel, str) and re.fullmatch(r"UC[0-9A-Za-z_-]{22}", channel):
        return f"{feeds}?{urlencode({'channel_id': channel})}"
    return None


def read_feed(http: httpx.Client, feed: str, source: str, max_bytes: int
              ) -> list[dict[str, Any]]:
    """The feed's entries as info-dict-shaped lines (yt-dlp's field names; no duration)."""
    answer = fetch(http, "GET", feed, label=feed, where=source, max_bytes=max_bytes)
    if answer.status != 200:
        raise CatalogSourceError(f"{feed} answered HTTP {answer.status}", where=source,
                                 fix="check the address in [pair] youtube")
    return parse_feed(answer.body, feed, source)


def parse_feed(data: bytes, feed: str, source: str) -> list[dict[str, Any]]:
    """A YouTube Atom feed's entries as info-dict-shaped lines; not XML -> an error."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CatalogSourceError(f"{feed} is not a feed ({exc.msg})", where=source,
                                 fix="check the address in [pair] youtube") from None
    return [info for info in map(_feed_entry, root.iterfind("a:entry", _NS)) if info]


def _feed_entry(entry: Any) -> dict[str, Any] | None:
    def text(path: str) -> str | None:
        found = entry.find(path, _NS)
        return found.text.strip() if found is not None and found.text else None

    video = text("yt:videoId")
    if not video:
        return None
    link = entry.find("a:link[@rel='alternate']", _NS)
    href = link.get("href") if link is not None else None
    info: dict[str, Any] = {"ie_key": "Youtube", "id": video,
                            "url": href, "webpage_url": href,
                            "title": text("a:title") or text("media:group/media:title"),
                            "description": text("media:group/media:description") or "",
                            "channel_id": text("yt:channelId"),
                            "channel": text("a:author/a:name"),
                            "uploader": text("a:author/a:name"),
                            "channel_url": text("a:author/a:uri")}
    published = _moment(text("a:published"))
    if published is not None:
        info["timestamp"] = int(published.timestamp())
        info["upload_date"] = published.astimezone(UTC).strftime("%Y%m%d")
    thumb = entry.find("media:group/media:thumbnail", _NS)
    if thumb is not None and thumb.get("url"):
        info["thumbnails"] = [{"url": thumb.get("url"), **{
            k: int(v) for k in ("width", "height") if (v := thumb.get(k, "")).isdigit()}}]
    stats = entry.find("media:group/media:community/media:statistics", _NS)
    if stats is not None and stats.get("views", "").isdigit():
        info["view_count"] = int(stats.get("views"))
    return {k: v for k, v in info.items() if v is not None}


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def fill(line: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """`line`, its missing or empty fields taken from `other`."""
    out = dict(line)
    for key, value in other.items():
        if out.get(key) in (None, "", []) and value not in (None, "", []):
            out[key] = value
    return out


#: What the feed knows better than a flat listing: the description, the exact moment, the
#: title as it is now.
_FEED_WINS = ("title", "description", "timestamp", "upload_date")
#: The feed alone tells what is new, not what changed further down (a premiere that aired, a
#: live stream that ended, a video made private): the whole listing is read again after this.
RELIST_DAYS = 7


def _from_feed(line: dict[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """A flat entry completed by the feed: its description and exact date (a flat listing's
    `timestamp` is approximate: "3 days ago"). It is no longer a bare link (``"_type":
    "url"``): without a `_type`, an info dict is a video's, by yt-dlp's own rule."""
    done = {**fill(line, item), **{k: item[k] for k in _FEED_WINS if item.get(k)}}
    return {k: v for k, v in done.items() if k != "_type"}


def refresh(url: str, record: SourceRecord | None, path: Path, opts: CatalogOptions,
            http: httpx.Client, progress: Progress, *, again: bool = False) -> SourceRecord:
    """Read a channel or playlist into its catalog file, asking as little as it can (see
    the module docstring); `again`: the whole listing, whatever the feed says."""
    lines = read_lines(path) if record else []
    full = set(record.full) if record else set()
    feed = record.feed if record else feed_address(opts.youtube_feeds, url)
    title = record.title if record else None
    news = _feed(http, feed, url, opts, progress) if feed else None
    known = {line["id"] for line in lines}
    listed = record.listed if record else None
    if not again and lines and news is not None and _recent(listed) and (
            not news or any(item["id"] in known for item in news)):
        lines = [trim(i) for i in news if i["id"] not in known] + lines  # all new ones are here
    else:
        listed = now_utc()
        progress(CatalogEvent(url, "listing", 0, None))
        listing = opts.lister.listing(url)
        entries = flat_entries(listing, url)
        cached = {line["id"]: line for line in lines}
        lines = [cached[e["id"]] if e["id"] in full and e["id"] in cached
                 else fill(e, cached.get(e["id"], {})) for e in entries]
        full &= {line["id"] for line in lines}
        title = _text(listing.get("title")) or _text(listing.get("channel")) or title
        if feed is None:
            feed = feed_address(opts.youtube_feeds, url, listing)
            news = _feed(http, feed, url, opts, progress) if feed else None
    by_id = {item["id"]: trim(item) for item in news or []}
    lines = [line if line["id"] in full or line["id"] not in by_id
             else _from_feed(line, by_id[line["id"]]) for line in lines]
    write_lines(path, lines)
    return SourceRecord(url=url, kind="youtube", file=path.name, read=now_utc(),
                        full=tuple(sorted(full)), feed=feed, listed=listed, title=title
                        ).with_ids(line["id"] for line in lines)


def _recent(listed: str | None) -> bool:
    """Whether the last whole listing is less than `RELIST_DAYS` old."""
    try:
        moment = datetime.fromisoformat((listed or "").replace("Z", "+00:00"))
    except ValueError:
        return False
    now = clock_now(UTC)
    return moment.tzinfo is not None and timedelta(0) <= now - moment < timedelta(
        days=RELIST_DAYS)


def _feed(http: httpx.Client, feed: str, url: str, opts: CatalogOptions,
          progress: Progress) -> list[dict[str, Any]] | None:
    """The feed's entries; None when it could not be read (the listing then decides)."""
    progress(CatalogEvent(url, "feed", 0, 1))
    try:
        return read_feed(http, feed, url, opts.max_bytes)
    except CatalogSourceError:
        return None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
