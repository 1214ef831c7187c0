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
    if not data:
        return SpotifyEpisode(episode_id)
    title, thumb = data.get("title"), data.get("thumbnail_url")
    return SpotifyEpisode(episode_id, title if isinstance(title, str) else None,
                          thumb if isinstance(thumb, str) else None)


def cache_rel(episode_id: str) -> str:
    return f"spotify/{episode_id}.json"

