"""What each published file is (its Content-Type) and how long it may be cached.

One table, by site path, shared by every target. Media and artwork are
Artwork is content-addressed (``artwork/<hash>.jpg``), so it is immutable; an
enclosure (``media/<key>.mp3``) keeps its URL when its tags change, so caches keep it
for an hour; feeds and pages change with every episode: five minutes. Chapters use the
Podcasting 2.0 type ``application/json+chapters`` (podcast namespace, `<podcast:chapters>`).
"""

from __future__ import annotations

import mimetypes

from companion._site_model import CACHE_CONTROL, CachePolicy

CHAPTERS_TYPE = "application/json+chapters"
FALLBACK_TYPE = "application/octet-stream"

_BY_SUFFIX: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

_BY_NAME: dict[str, str] = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "chapters.json": CHAPTERS_TYPE,
    "robots.txt": "text/plain",
    "sitemap.xml": "application/xml",
}

_IMMUTABLE_DIRS = ("artwork/",)


def _name(path: str) -> str:
    return path.rpartition("/")[2]


def _suffix(name: str) -> str:
    """`PurePosixPath(name).suffix`, by string work (asked of every file of a publish)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def content_type(path: str) -> str:
    """The Content-Type to serve a site path with."""
    name = _name(path)
    named = _BY_NAME.get(name)
    if named is not None:
        return named
    known = _BY_SUFFIX.get(_suffix(name).lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or FALLBACK_TYPE


def cache_policy(path: str) -> CachePolicy:
    """feed, page, media (an enclosure: stable URL, re-tagged in place), asset, or
    immutable (content-addressed artwork)."""
    if path.startswith("media/"):
        return "media"
    if path.startswith(_IMMUTABLE_DIRS):
        return "immutable"
    if _name(path) == "feed.xml":
        return "feed"
    if path.startswith("assets/"):
        return "asset"
    return "page"


def cache_control(path: str) -> str:
    """The Cache-Control header for a site path."""
    return CACHE_CONTROL[cache_policy(path)]
