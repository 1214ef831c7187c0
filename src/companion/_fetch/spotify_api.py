"""Spotify episodes' metadata from the Web API ("Get Episode"), when the app's credentials
are in the environment (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET).

The token comes from the catalogs' client-credentials session (`_catalogs.spotify`: the
same credentials, the same addresses: ``COMPANION_SPOTIFY_API`` and
``COMPANION_SPOTIFY_ACCOUNTS``), asked once a run and again once when the API says it
expired. ``GET /v1/episodes/{id}?market=..`` gives the description (text and HTML), the
duration, the release date and its precision, the languages and the images; the trimmed
answer goes into the episode's cache record beside oEmbed's keys (`API_KEY`), and a build
reads it back (`_pair.spotify.episode_from_oembed`). A 429 is asked again after its
Retry-After by the one HTTP client; one that stays, or any other failure but an unknown
episode, leaves oEmbed to serve, with a warning.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from companion._catalogs.http import fetch as _ask
from companion._catalogs.options import CatalogOptions
from companion._catalogs.spotify import (
    SpotifyCredentials,
    _Session,
    error_reason,
    json_or_none,
    spotify_credentials,
)
from companion._errors import FetchError
from companion._pair import spotify as _pair_spotify
from companion._text import whole_number

if TYPE_CHECKING:
    import httpx

#: Where the Web API's answer sits in the episode's cache record.
API_KEY = _pair_spotify.API_KEY
#: The fields of "Get Episode" kept (Spotify Web API reference, EpisodeObject).
KEEP = ("id", "name", "description", "html_description", "duration_ms", "release_date",
        "release_date_precision", "language", "languages", "explicit", "images",
        "external_urls", "type", "uri")
MAX_BYTES = 1 << 20


class SpotifyApi:
    """One run's access to the Web API (its token shared by the episodes, thread-safe)."""

    def __init__(self, http: httpx.Client, credentials: SpotifyCredentials,
                 options: CatalogOptions, market: str) -> None:
        self._session = _Session(http, options, credentials, "Spotify's Web API")
        self._lock = threading.Lock()
        self._options = options
        self._market = market
        self.credentials = credentials

    @classmethod
    def from_environ(cls, http: httpx.Client, market: str | None,
                     environ: Mapping[str, str] | None = None) -> SpotifyApi | None:
        """The API when both credentials are set (None: neither; one alone raises)."""
        env = os.environ if environ is None else environ
        credentials = spotify_credentials(env)
        if credentials is None:
            return None
        options = CatalogOptions.from_environ(env)
        return cls(http, credentials, options, (market or options.market).upper())

    def _token(self, renew: bool = False) -> str:
        with self._lock:
            if renew or not self._session.token:
                self._session.authorize()
            return self._session.token

    def episode(self, episode_id: str, where: str) -> dict[str, Any]:
        """The trimmed "Get Episode" answer (raises `FetchError`, its secret hidden)."""
        url = (f"{self._options.spotify_api}/episodes/{quote(episode_id, safe='')}"
               f"?market={quote(self._market, safe='')}")
        for attempt in range(2):
            token = self._token(renew=attempt > 0)
            answer = _ask(self._session.http, "GET", url, label="Spotify's Web API",
                          where=where, max_bytes=MAX_BYTES,
                          headers={"Authorization": f"Bearer {token}"})
            if answer.status == 401 and attempt == 0:
                continue  # the token expired: one new one
            data = json_or_none(answer.body)
            if answer.status == 200 and isinstance(data, dict) and data.get("id"):
                return {k: data[k] for k in KEEP if data.get(k) is not None}
            raise self._failed(answer.status, answer.headers, data, episode_id, where)
        raise AssertionError("unreachable")  # pragma: no cover

    def _failed(self, status: int, headers: Mapping[str, str], data: object,
                episode_id: str, where: str) -> FetchError:
        reason = self.credentials.scrub(error_reason(data, status))
        url = f"https://open.spotify.com/episode/{episode_id}"
        if status in (400, 404):
            return FetchError(f"Spotify does not know the episode {url} ({reason})",
                              where=where, fix="correct the `spotify:` link (open it in a "
                                               "browser), or check [pair] market")
        if status == 429:
            wait = whole_number(str(headers.get("retry-after", "")).strip(), 0, 10 ** 7)
            minutes = max(1, -(-wait // 60)) if wait is not None else 0
            when = "in 1 minute" if minutes == 1 else f"in {minutes} minutes" if minutes \
                else "later"
            return SpotifyLimited(f"Spotify's Web API limits this app's requests ({reason})",
                                  where=where, fix=f"run `companion fetch` again {when}")
        return FetchError(f"Spotify's Web API answered HTTP {status} for {url} ({reason})",
                          where=where, fix="check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET"
                          if status in (401, 403) else "run `companion fetch` again later")


class SpotifyLimited(FetchError):
    """Spotify's 429 that stayed: oEmbed serves this run."""


def record(api: Mapping[str, Any]) -> dict[str, Any]:
    """The episode's cache record from the Web API's answer: oEmbed's title and thumbnail
    keys (what a build already reads) and the whole trimmed answer under `API_KEY`."""
    images = [i for i in api.get("images") or [] if isinstance(i, dict) and i.get("url")]
    out: dict[str, Any] = {"type": "rich", "title": api.get("name"), API_KEY: dict(api)}
    if images:
        out["thumbnail_url"] = images[0]["url"]
    return {k: v for k, v in out.items() if v is not None}
