"""YouTube videos from the cache: yt-dlp's info JSON, trimmed, read back as a `YouTubeVideo`.

`companion fetch` (`_fetch.video`, yt-dlp) gets the info and `trim_info` keeps what
does not expire; a build reads it from the cache through `video_from_info`, without
the network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from companion._model import Thumbnail, YouTubeVideo
from companion._pair import thumbnails as _thumbnails
from companion._pair.cache import corrupt, need
from companion._pair.chapters import MAX_SECONDS, episode_chapters
from companion._text import finite_number

WATCH_URL = "https://www.youtube.com/watch?v={id}"
KEEP = ("id", "title", "description", "duration", "upload_date", "timestamp", "channel",
        "channel_url", "uploader", "webpage_url", "tags", "chapters", "extractor",
        "extractor_key")


def cache_rel(video_id: str) -> str:
    return f"youtube/{video_id}.info.json"


def watch_url(video_id: str) -> str:
    return WATCH_URL.format(id=video_id)


def best_thumbnail(thumbnails: object) -> dict[str, Any] | None:
    """The largest thumbnail (by preference, then area), with width/height and no query."""
    items = [t for t in thumbnails if isinstance(t, dict) and t.get("url")] \
        if isinstance(thumbnails, list) else []
    if not items:
        return None

    def rank(t: dict[str, Any]) -> tuple[int, int]:
        area = int(t.get("width") or 0) * int(t.get("height") or 0)
        return int(t.get("preference") or 0), area

    best = max(items, key=rank)
    out: dict[str, Any] = {"url": _unsigned(str(best["url"]))}
    for key in ("id", "width", "height"):
        if best.get(key) is not None:
            out[key] = best[key]
    return out


def _unsigned(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith("ytimg.com"):
        return urlunsplit(parts._replace(query="", fragment=""))
    return url


def _langs(subs: object, with_ext: bool) -> dict[str, list[dict[str, str]]]:
    if not isinstance(subs, dict):
        return {}
    out: dict[str, list[dict[str, str]]] = {}
    for lang, tracks in sorted(subs.items()):
        if str(lang).startswith("live_chat"):
            continue
        exts = [{"ext": str(t["ext"])} for t in tracks or [] if isinstance(t, dict)
                and t.get("ext")] if with_ext else []
        out[str(lang)] = exts
    return out


def trim_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """yt-dlp's info JSON without formats, headers, signed URLs or private keys.

    companion's own record of the cached thumbnail file (`_thumbnails.RECORD_KEY`) is
    kept when it has the right shape."""
    out = {k: info[k] for k in KEEP if info.get(k) is not None}
    thumb = best_thumbnail(info.get("thumbnails"))
    if thumb:
        out["thumbnails"] = [thumb]
    record = _thumbnails.trimmed_record(info.get(_thumbnails.RECORD_KEY))
    if record is not None:
        out[_thumbnails.RECORD_KEY] = record
    out["subtitles"] = _langs(info.get("subtitles"), with_ext=True)
    out["automatic_captions"] = _langs(info.get("automatic_captions"), with_ext=False)
    return out


def _upload_date(value: object) -> date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{8}", value):
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return None
    return None


def video_from_info(info: dict[str, Any], path: Path, slug: str) -> YouTubeVideo:
    """A YouTubeVideo from a cached, trimmed info JSON (validated at this edge)."""
    video_id = need(info, "id", str, path, slug)
    title = need(info, "title", str, path, slug)
    description = info.get("description") or ""
    duration = info.get("duration")
    if duration is not None:
        duration = finite_number(duration, 0, MAX_SECONDS)
        if duration is None:
            raise corrupt(path, slug, "duration is not a number of seconds")
    if not isinstance(description, str):
        raise corrupt(path, slug, "description has the wrong type")
    thumbs = info.get("thumbnails") or []
    thumb = thumbs[0] if isinstance(thumbs, list) and thumbs else None
    return YouTubeVideo(
        id=video_id, title=title, description=description,
        duration=float(duration) if duration is not None else None,
        upload_date=_upload_date(info.get("upload_date")),
        channel=_str(info.get("channel") or info.get("uploader")),
        channel_url=_str(info.get("channel_url")),
        webpage_url=_str(info.get("webpage_url")) or watch_url(video_id),
        tags=tuple(str(t) for t in info.get("tags") or () if isinstance(t, str)),
        chapters=episode_chapters(info.get("chapters"), description,
                                  float(duration) if duration is not None else None),
        thumbnail=_thumbnail(thumb),
        subtitle_langs=tuple(sorted(info.get("subtitles") or {})),
        caption_langs=tuple(sorted(info.get("automatic_captions") or {})),
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _thumbnail(thumb: object) -> Thumbnail | None:
    if not isinstance(thumb, dict) or not isinstance(thumb.get("url"), str):
        return None
    width, height = thumb.get("width"), thumb.get("height")
    return Thumbnail(thumb["url"], width if isinstance(width, int) else None,
                     height if isinstance(height, int) else None)
