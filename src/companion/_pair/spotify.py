"""Spotify episodes: links from the id, title and artwork from the public oEmbed endpoint.

yt-dlp no longer reads Spotify (DRM), so `fetch_oembed` asks
``https://open.spotify.com/oembed?url=<episode URL>`` through httpx; the answer
is cached as JSON and read back by `episode_from_oembed` during a build.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from companion import __version__
from companion._errors import FetchError
from companion._model import SpotifyEpisode

if TYPE_CHECKING:  # imported where a fetch needs it: a build from the cache never does
    import httpx

OEMBED_URL = "https://open.spotify.com/oembed"
USER_AGENT = f"companion/{__version__} (podcast companion publisher)"
KEEP = ("type", "version", "title", "provider_name", "provider_url", "thumbnail_url",
        "thumbnail_width", "thumbnail_height", "iframe_url", "width", "height")


def fetch_oembed(episode_id: str, where: str, *, base_url: str = OEMBED_URL,
                 timeout: float = 20, client: httpx.Client | None = None) -> dict[str, Any]:
    """The trimmed oEmbed record of a Spotify episode (raises `FetchError`)."""
    import httpx

    url = SpotifyEpisode(episode_id).url
    try:
        if client is not None:
            response = client.get(base_url, params={"url": url})
        else:
            with httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT},
                              follow_redirects=True) as own:
                response = own.get(base_url, params={"url": url})
    except httpx.TimeoutException:
        raise FetchError(f"Spotify did not answer in time for {url}", where=where,
                         fix="check the connection and run `companion fetch` again") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"could not reach Spotify for {url} ({exc})", where=where,
                         fix="connect to the internet and run `companion fetch` again") from None
    return check_oembed(response, url, where)


def check_oembed(response: httpx.Response, url: str, where: str) -> dict[str, Any]:
    if response.status_code in (400, 404):
        raise FetchError(f"Spotify does not know the episode {url} (HTTP {response.status_code})",
                         where=where, fix="correct the `spotify:` link (open it in a browser)")
    if response.status_code != 200:
        raise FetchError(f"Spotify answered HTTP {response.status_code} for {url}",
                         where=where, fix="try `companion fetch` again later")
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "?")
        raise FetchError(f"Spotify's oEmbed answer for {url} is not JSON ({kind})",
                         where=where, fix="try again later; if it persists, the oEmbed "
                         "endpoint changed: report it") from None
    if not isinstance(data, dict):
        raise FetchError(f"Spotify's oEmbed answer for {url} is not a JSON object",
                         where=where, fix="try `companion fetch` again later")
    _reject_show(data, url, where)
    return {k: data[k] for k in KEEP if data.get(k) is not None}


def _reject_show(data: dict[str, Any], url: str, where: str) -> None:
    iframe = str(data.get("iframe_url") or data.get("html") or "")
    if "/show/" in iframe and "/episode/" not in iframe:
        raise FetchError(f"{url} is a Spotify show, not an episode", where=where,
                         fix="link the episode (open.spotify.com/episode/...), not the show")


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

