"""Spotify episodes' title and artwork from the public oEmbed endpoint, through the one client.

yt-dlp no longer reads Spotify (DRM), so `fetch_oembed` asks
``https://open.spotify.com/oembed?url=<episode URL>``; the trimmed answer is cached as
JSON and read back by `_pair.spotify.episode_from_oembed` during a build.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from companion._errors import FetchError
from companion._fetch.http import fetch_small, request_errors
from companion._fetch.job import OEMBED_URL
from companion._model import SpotifyEpisode
from companion._pair.spotify import KEEP

MAX_OEMBED_BYTES = 1 << 20  # an oEmbed answer is a few hundred bytes


def fetch_oembed(http: httpx.Client, episode_id: str, where: str, *,
                 base_url: str = OEMBED_URL) -> dict[str, Any]:
    """The trimmed oEmbed record of a Spotify episode (raises `FetchError`)."""
    url = SpotifyEpisode(episode_id).url
    with request_errors(f"Spotify for {url}", where):
        response = fetch_small(http, base_url, where, MAX_OEMBED_BYTES,
                               "try `companion fetch` again later", params={"url": url})
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
