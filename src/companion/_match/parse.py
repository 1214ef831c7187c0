"""Saved catalogs, recognised by their content: yt-dlp's info JSON (`-J`: one video or a
playlist/channel with `entries`, nested tabs too; `-j`: one info dict a line; flat
listings), YouTube's channel feed (Atom), Spotify Web API answers ("Get Show Episodes"
paging objects, a list of them, or "Get Show"), and a podcast RSS 2.0 feed. Anything
else is one `CatalogError` naming the file and what to do."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree

from companion._errors import CatalogError
from companion._match.catalog import Catalog, CatalogEntry, DatePrecision, Kind
from companion._read.lang import primary

_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/h\d)\s*/?\s*>", re.IGNORECASE)
_NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
       "content": "http://purl.org/rss/1.0/modules/content/",
       "atom": "http://www.w3.org/2005/Atom",
       "yt": "http://www.youtube.com/xml/schemas/2015",
       "media": "http://search.yahoo.com/mrss/"}
_UNAVAILABLE = {"private", "premium_only", "subscriber_only", "needs_auth"}
_SAVE_HINT = ("save the channel with `yt-dlp -J URL > file.json` (or -j), Spotify's "
              "'Get Show Episodes' answer, or the show's RSS feed, and pass that file")


def _fail(origin: str, message: str, fix: str = _SAVE_HINT) -> CatalogError:
    return CatalogError(message, where=origin, fix=fix)


def parse_catalog(data: bytes, origin: str) -> list[Catalog]:
    """The catalogs `data` holds (one for most files), recognised by content; `origin`
    names the file or source in messages. Not a catalog -> `CatalogError`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(origin, f"not UTF-8 text (byte {exc.start}): not a saved catalog") from exc
    stripped = text.strip()
    if not stripped:
        raise _fail(origin, "the file is empty")
    if stripped.startswith("<"):
        return [_parse_xml(data, origin)]
    if stripped[0] in "{[":
        return _parse_json(stripped, origin)
    raise _fail(origin, "neither JSON nor XML: not a catalog companion can read")


# -- JSON: yt-dlp and Spotify ----------------------------------------------------------------

def _json_documents(text: str, origin: str) -> list[Any]:
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as whole:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise _fail(origin, f"broken JSON (line {whole.lineno}: {whole.msg}): the file "
                        "is truncated or not JSON", "save it again, completely") from whole
        documents = []
        for number, line in enumerate(lines, start=1):
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise _fail(origin, f"broken JSON on line {number} ({exc.msg}): the file is "
                            "truncated or not JSON lines", "save it again, completely") from exc
        return documents


def _parse_json(text: str, origin: str) -> list[Catalog]:
    documents = _json_documents(text, origin)
    if len(documents) == 1 and isinstance(documents[0], list):
        documents = documents[0]
    if not documents:
        raise _fail(origin, "an empty JSON list: no videos or episodes in it")
    if not all(isinstance(doc, dict) for doc in documents):
        raise _fail(origin, "JSON that is not objects: not a yt-dlp or Spotify answer")
    first = documents[0]
    if "error" in first and isinstance(first["error"], dict | str):
        raise _spotify_error(first["error"], origin)
    if all(_is_spotify(doc) for doc in documents):
        return [_spotify_catalog(documents, origin)]
    if all(_is_ytdlp(doc) for doc in documents):
        return [_ytdlp_catalog(documents, origin)]
    raise _fail(origin, "JSON of an unknown kind (neither yt-dlp's info JSON nor a Spotify "
                "Web API answer)")


def _spotify_error(error: Any, origin: str) -> CatalogError:
    status = error.get("status") if isinstance(error, dict) else None
    message = error.get("message", "") if isinstance(error, dict) else str(error)
    if status == 401:
        fix = ("the access token was missing, wrong or expired: check SPOTIFY_CLIENT_ID and "
               "SPOTIFY_CLIENT_SECRET and ask again")
    elif status == 403:
        fix = "the app may not read this show (development mode?): use the show's RSS feed"
    elif status == 404:
        fix = "check the show's id in [pair] spotify_show"
    elif status == 429:
        fix = "Spotify limits the rate: wait a while and ask again"
    else:
        fix = "ask again later, or use the show's RSS feed"
    said = f" ({message})" if message else ""
    return _fail(origin, f"Spotify answered with an error {status or ''}{said}, not episodes",
                 fix)


def _is_spotify(doc: Mapping[str, Any]) -> bool:
    if doc.get("type") == "show" and isinstance(doc.get("episodes"), dict):
        return True
    return isinstance(doc.get("items"), list) and ("href" in doc or "limit" in doc)


def _is_ytdlp(doc: Mapping[str, Any]) -> bool:
    return isinstance(doc.get("id"), str) and (
        "_type" in doc or "extractor" in doc or "webpage_url" in doc or "ie_key" in doc
        or "formats" in doc or "upload_date" in doc)


# yt-dlp ----------------------------------------------------------------------------------

def _videos(doc: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The video info dicts of a yt-dlp document: nested playlists (a channel's tabs)
    flattened."""
    if doc.get("_type") in ("playlist", "multi_video"):
        for entry in doc.get("entries") or ():
            if isinstance(entry, dict):
                yield from _videos(entry)
    elif doc.get("_type") == "url" and doc.get("ie_key") not in (None, "Youtube"):
        return  # a link to a playlist or channel in a listing: nothing to match
    else:
        yield doc


def _ytdlp_catalog(documents: list[Any], origin: str) -> Catalog:
    entries: dict[str, CatalogEntry] = {}
    title = None
    for doc in documents:
        if doc.get("_type") == "playlist" and title is None:
            title = doc.get("channel") or doc.get("uploader") or doc.get("title")
        for info in _videos(doc):
            entry = _video_entry(info)
            if entry is not None and entry.id not in entries:
                entries[entry.id] = entry
    if not entries:
        raise _fail(origin, "a yt-dlp listing with no videos in it",
                    "check the channel or playlist URL and save it again")
    flat = any(entry.flat for entry in entries.values())
    return Catalog("youtube", origin, tuple(entries.values()),
                   title=str(title) if title else None, complete=not flat)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value >= 0 else None


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC) if value is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _upload_date(value: Any) -> datetime | None:
    if isinstance(value, str) and re.fullmatch(r"\d{8}", value):
        try:
            return datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


def _video_date(info: Mapping[str, Any], flat: bool) -> tuple[datetime | None,
                                                              DatePrecision | None]:
    stamp = _timestamp(info.get("timestamp"))
    if stamp is not None:
        return stamp, "approximate" if flat else "exact"
    day = _upload_date(info.get("upload_date"))
    if day is not None:
        return day, "day"
    released = _timestamp(info.get("release_timestamp"))
    if released is not None:
        return released, "approximate" if flat else "exact"
    return None, None


def _video_kind(info: Mapping[str, Any], urls: list[str]) -> Kind:
    status = info.get("live_status")
    if status == "is_live":
        return "live"
    if status == "is_upcoming":
        return "upcoming"
    if status in ("was_live", "post_live") or info.get("was_live") is True:
        return "was_live"
    if info.get("is_live") is True or info.get("media_type") == "livestream":
        return "live"
    duration = _number(info.get("duration"))
    if (info.get("media_type") == "short" or any("/shorts/" in url for url in urls)
            or (duration is not None and duration <= 61)):
        return "short"
    return "video"


def _caption_language(info: Mapping[str, Any]) -> str | None:
    for key in ("automatic_captions", "subtitles"):
        tracks = info.get(key)
        if isinstance(tracks, dict):
            for name in tracks:
                if isinstance(name, str) and name.endswith("-orig"):
                    return primary(name[:-len("-orig")])
    return None


def _video_entry(info: Mapping[str, Any]) -> CatalogEntry | None:
    video_id = info.get("id")
    if not isinstance(video_id, str) or not video_id:
        return None
    flat = info.get("_type") == "url"
    urls = [u for key in ("webpage_url", "original_url", "url")
            if isinstance(u := info.get(key), str)]
    description = _text(info.get("description"))
    date, precision = _video_date(info, flat)
    language, evidence = None, None
    if isinstance(info.get("language"), str) and info["language"]:
        language, evidence = primary(info["language"]), "declared"
    elif (captions := _caption_language(info)) is not None:
        language, evidence = captions, "captions"
    extra = {"availability": info["availability"]} \
        if isinstance(info.get("availability"), str) else {}
    if extra.get("availability") in _UNAVAILABLE:
        extra["unavailable"] = "yes"
    page = next((u for u in urls if u.startswith("http")),
                f"https://www.youtube.com/watch?v={video_id}")
    return CatalogEntry(
        source="youtube", id=video_id, title=_text(info.get("title")),
        description=description, url=page, date=date, date_precision=precision,
        duration=_number(info.get("duration")), language=language,
        language_evidence=evidence, kind=_video_kind(info, urls),
        channel=_text(info.get("channel")) or _text(info.get("uploader")) or None,
        image=_text(info.get("thumbnail")) or None, flat=flat and not description,
        links=tuple(_URL.findall(description)), extra=extra)


# Spotify ---------------------------------------------------------------------------------

def _spotify_catalog(documents: list[Any], origin: str) -> Catalog:
    entries: dict[str, CatalogEntry] = {}
    title = None
    for doc in documents:
        page: dict[str, Any] = doc
        if doc.get("type") == "show":
            title = title or _text(doc.get("name")) or None
            page = doc["episodes"]
        for item in page.get("items") or ():
            if isinstance(item, dict) and (entry := _episode_entry(item, title)):
                entries.setdefault(entry.id, entry)
    if not entries:
        raise _fail(origin, "a Spotify answer with no episodes in it",
                    "check the show's id, and that the show has episodes")
    return Catalog("spotify", origin, tuple(entries.values()), title=title)


def _spotify_date(value: Any, precision: Any) -> tuple[datetime | None, DatePrecision | None]:
    if not isinstance(value, str):
        return None, None
    formats: dict[DatePrecision, str] = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
    given: DatePrecision = precision if precision in ("month", "year") else "day"
    try:
        return datetime.strptime(value, formats[given]).replace(tzinfo=UTC), given
    except ValueError:
        return None, None


def _episode_entry(item: Mapping[str, Any], show: str | None) -> CatalogEntry | None:
    episode_id = item.get("id")
    if not isinstance(episode_id, str) or not episode_id:
        return None
    languages = [x for x in item.get("languages") or () if isinstance(x, str)]
    if not languages and isinstance(item.get("language"), str):
        languages = [item["language"]]
    date, precision = _spotify_date(item.get("release_date"),
                                    item.get("release_date_precision"))
    given = item.get("external_urls")
    urls: dict[str, Any] = given if isinstance(given, dict) else {}
    duration = _number(item.get("duration_ms"))
    images = [i for i in item.get("images") or () if isinstance(i, dict)]
    description = _text(item.get("description")) or _html_text(
        _text(item.get("html_description")))
    links = _URL.findall(description) + _hrefs(_text(item.get("html_description")))
    return CatalogEntry(
        source="spotify", id=episode_id, title=_text(item.get("name")),
        description=description,
        url=_text(urls.get("spotify")) or f"https://open.spotify.com/episode/{episode_id}",
        date=date, date_precision=precision,
        duration=duration / 1000 if duration is not None else None,
        language=primary(languages[0]) if languages else None,
        language_evidence="declared" if languages else None, kind="episode", channel=show,
        image=_text(images[0].get("url")) or None if images else None,
        links=tuple(dict.fromkeys(links)))


# XML: a podcast RSS feed, YouTube's channel feed -------------------------------------------

def _html_text(fragment: str) -> str:
    if "<" not in fragment:
        return html.unescape(fragment).strip()
    spaced = _BREAK.sub("\n", fragment)
    return re.sub(r"[ \t]+", " ", html.unescape(_TAG.sub(" ", spaced))).strip()


def _hrefs(fragment: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"href=[\"']([^\"']+)[\"']", fragment)]


def _parse_xml(data: bytes, origin: str) -> Catalog:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _fail(origin, f"broken XML ({exc.msg}): the feed is truncated or not XML",
                    "save the feed again, completely") from exc
    if root.tag == f"{{{_NS['atom']}}}feed":
        return _youtube_feed(root, origin)
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise _fail(origin, f"XML whose root is <{etree.QName(root).localname}>, not an RSS "
                    "feed or a YouTube channel feed")
    return _rss_catalog(channel, origin)


def _child_text(element: Any, path: str) -> str:
    found = element.find(path, _NS)
    return (found.text or "").strip() if found is not None else ""


def _itunes_duration(value: str) -> float | None:
    parts = value.strip().split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    if not numbers or len(numbers) > 3 or any(n < 0 for n in numbers):
        return None
    seconds = 0.0
    for n in numbers:
        seconds = seconds * 60 + n
    return seconds


def _rfc822(value: str) -> datetime | None:
    try:
        found = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _rss_catalog(channel: Any, origin: str) -> Catalog:
    show = _child_text(channel, "title") or None
    language = _child_text(channel, "language")
    entries: dict[str, CatalogEntry] = {}
    for item in channel.findall("item"):
        enclosure = item.find("enclosure")
        audio = enclosure.get("url") if enclosure is not None else None
        guid = _child_text(item, "guid") or audio or _child_text(item, "link")
        if not guid:
            continue
        rich = _child_text(item, "content:encoded") or _child_text(item, "description") \
            or _child_text(item, "itunes:summary")
        length = enclosure.get("length", "") if enclosure is not None else ""
        pub = _rfc822(_child_text(item, "pubDate"))
        entries.setdefault(guid, CatalogEntry(
            source="rss", id=guid, title=_child_text(item, "title")
            or _child_text(item, "itunes:title"),
            description=_html_text(rich), url=_child_text(item, "link") or None,
            date=pub, date_precision="exact" if pub else None,
            duration=_itunes_duration(_child_text(item, "itunes:duration")),
            language=primary(language) if language else None,
            language_evidence="feed" if language else None, kind="episode", channel=show,
            audio_url=audio, audio_type=enclosure.get("type") if enclosure is not None
            else None, audio_length=int(length) if length.isdigit() else None,
            links=tuple(dict.fromkeys(_hrefs(rich) + _URL.findall(_html_text(rich))))))
    if not entries:
        raise _fail(origin, "an RSS feed with no items: no episodes to match",
                    "check that this is the show's feed and that it lists episodes")
    return Catalog("rss", origin, tuple(entries.values()), title=show)


def _youtube_feed(root: Any, origin: str) -> Catalog:
    entries = []
    for item in root.findall("atom:entry", _NS):
        video_id = _child_text(item, "yt:videoId")
        if not video_id:
            continue
        description = _child_text(item, "media:group/media:description")
        link = item.find("atom:link", _NS)
        url = link.get("href") if link is not None else None
        published = _child_text(item, "atom:published")
        try:
            date = datetime.fromisoformat(published) if published else None
        except ValueError:
            date = None
        entries.append(CatalogEntry(
            source="youtube", id=video_id, title=_child_text(item, "atom:title"),
            description=description, url=url, date=date,
            date_precision="exact" if date else None,
            kind="short" if url and "/shorts/" in url else "video",
            channel=_child_text(root, "atom:title") or None,
            links=tuple(_URL.findall(description))))
    if not entries:
        raise _fail(origin, "a YouTube channel feed with no videos in it",
                    "check the channel, or save its listing with yt-dlp -J")
    return Catalog("youtube", origin, tuple(entries), title=_child_text(root, "atom:title"),
                   complete=False)
