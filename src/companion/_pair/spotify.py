"""Spotify episodes from the cache: links from the id, title and artwork from the oEmbed record.

`companion fetch` (`_fetch.spotify`) asks Spotify's public oEmbed endpoint and caches
the answer, trimmed to `KEEP`; a build reads it back through `episode_from_oembed`.
"""

from __future__ import annotations

from typing import Any

from companion._model import SpotifyEpisode

KEEP = ("type", "version", "title", "provider_name", "provider_url", "thumbnail_url",
        "thumbnail_width", "thumbnail_height", "iframe_url", "width", "height")


def show_link_problem(spotify_url: str | None) -> bool:
    """True when an article's `spotify:` link points at a show instead of an episode."""
    return bool(spotify_url) and "/show/" in str(spotify_url) and "/episode/" not in str(
        spotify_url)


def episode_from_oembed(episode_id: str, data: dict[str, Any] | None) -> SpotifyEpisode:
    """The episode from its cache record: oEmbed's title and artwork, and what the Web API
    gave (`API_KEY`: description, duration, date, languages, images) when fetch asked it."""
    if not data:
        return SpotifyEpisode(episode_id)
    title, thumb = data.get("title"), data.get("thumbnail_url")
    return SpotifyEpisode(episode_id, title if isinstance(title, str) else None,
                          thumb if isinstance(thumb, str) else None,
                          **_from_web_api(data.get(API_KEY)))


#: Where fetch puts the Web API's answer in the record (`_fetch.spotify_api`).
API_KEY = "web_api"


def _from_web_api(api: object) -> dict[str, Any]:
    if not isinstance(api, dict):
        return {}

    def text(key: str) -> str | None:
        value = api.get(key)
        return value if isinstance(value, str) and value else None

    duration = api.get("duration_ms")
    langs = [x for x in api.get("languages") or [] if isinstance(x, str) and x]
    if not langs and text("language"):
        langs = [str(text("language"))]
    images = tuple((i["url"], _size(i.get("width")), _size(i.get("height")))
                   for i in api.get("images") or []
                   if isinstance(i, dict) and isinstance(i.get("url"), str))
    return {"description": text("description"), "html_description": text("html_description"),
            "duration_ms": duration if isinstance(duration, int) and not isinstance(
                duration, bool) and duration > 0 else None,
            "release_date": text("release_date"),
            "release_date_precision": text("release_date_precision"),
            "languages": tuple(langs), "images": images}


def _size(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def cache_rel(episode_id: str) -> str:
    return f"spotify/{episode_id}.json"

