"""The Spotify show through the Web API: the client-credentials flow, then "Get Show
Episodes" page after page.

The app's client id and secret come from the environment (`spotify_credentials`), never
from companion.toml, and are never written or printed: every message that could carry an
answer's words has them removed. A token is asked once a run (and once again when the API
says it expired). Episodes come newest first: the next run stops paging at the first page
whose episodes are all known. An answer of 429 is asked again after its Retry-After (by the
one HTTP client, bounded); a 429 that stays says when to try again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from companion._catalogs.http import fetch
from companion._catalogs.options import CatalogEvent, CatalogOptions
from companion._catalogs.store import SourceRecord, now_utc, write_file
from companion._errors import CatalogSourceError
from companion._redact import register_secret
from companion._text import whole_number

if TYPE_CHECKING:
    import httpx

CLIENT_ID = "SPOTIFY_CLIENT_ID"
CLIENT_SECRET = "SPOTIFY_CLIENT_SECRET"  # noqa: S105 - the name of the variable
PAGE = 50  # the most "Get Show Episodes" gives at once
MAX_PAGES = 400  # 20,000 episodes: a `next` that never ends is not followed for ever
_CREDENTIALS_FIX = (f"check {CLIENT_ID} and {CLIENT_SECRET} (the app's settings at "
                    "https://developer.spotify.com/dashboard); without them, the show's RSS "
                    "([pair] show_rss) still serves")


def show_url(show_id: str) -> str:
    return f"https://open.spotify.com/show/{show_id}"


@dataclass(frozen=True)
class SpotifyCredentials:
    """A Spotify app's client id and secret (the secret is never shown)."""

    client_id: str
    client_secret: str = field(repr=False)

    def scrub(self, text: str) -> str:
        """`text` without the secret (an answer may echo what it was sent)."""
        return text.replace(self.client_secret, "***") if self.client_secret else text


def spotify_credentials(environ: Mapping[str, str]) -> SpotifyCredentials | None:
    """The app's credentials from SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET; None when
    neither is set. Only one of them set is an error."""
    client_id = environ.get(CLIENT_ID, "").strip()
    secret = environ.get(CLIENT_SECRET, "").strip()
    if not client_id and not secret:
        return None
    if not client_id or not secret:
        missing = CLIENT_SECRET if client_id else CLIENT_ID
        raise CatalogSourceError(f"{missing} is not set", where="the environment",
                                 fix=f"set both {CLIENT_ID} and {CLIENT_SECRET}, or neither "
                                     "(then the show's RSS serves alone)")
    register_secret(secret)  # hidden from every line, JSON document and log from now on
    return SpotifyCredentials(client_id, secret)


@dataclass
class _Session:
    http: httpx.Client
    opts: CatalogOptions
    credentials: SpotifyCredentials
    source: str
    token: str = ""

    def authorize(self) -> None:
        answer = fetch(self.http, "POST", f"{self.opts.spotify_accounts}/api/token",
                       label="Spotify's accounts service", where=self.source,
                       max_bytes=1 << 20, data={"grant_type": "client_credentials"},
                       auth=(self.credentials.client_id, self.credentials.client_secret))
        data = json_or_none(answer.body)
        token = data.get("access_token") if isinstance(data, dict) else None
        if answer.status == 200 and isinstance(token, str) and token:
            self.token = token
            register_secret(token)
            return
        if answer.status in (400, 401, 403):
            raise CatalogSourceError(
                "Spotify refused the app's credentials ("
                f"{self.credentials.scrub(error_reason(data, answer.status))})", where=self.source,
                fix=_CREDENTIALS_FIX)
        raise self._failed(answer.status, answer.headers, data, "Spotify's accounts service")

    def page(self, url: str) -> dict[str, Any]:
        """One page of episodes (a new token once, when the one held expired)."""
        for attempt in range(2):
            answer = fetch(self.http, "GET", url, label="Spotify's Web API", where=self.source,
                           max_bytes=self.opts.max_bytes,
                           headers={"Authorization": f"Bearer {self.token}"})
            data = json_or_none(answer.body)
            if answer.status == 401 and attempt == 0:
                self.authorize()
                continue
            if answer.status == 200:
                if isinstance(data, dict) and isinstance(data.get("items"), list):
                    return data
                raise CatalogSourceError("Spotify's answer is not a page of episodes",
                                         where=self.source,
                                         fix="run `companion pair` again later")
            raise self._failed(answer.status, answer.headers, data, "Spotify's Web API")
        raise AssertionError("unreachable")  # pragma: no cover

    def _failed(self, status: int, headers: Mapping[str, str], data: object,
                label: str) -> CatalogSourceError:
        reason = self.credentials.scrub(error_reason(data, status))
        if status == 429:
            wait = whole_number(headers.get("retry-after", "").strip(), 0, 10 ** 7)
            minutes = max(1, -(-wait // 60)) if wait is not None else 0
            when = "in 1 minute" if minutes == 1 else f"in {minutes} minutes" if minutes \
                else "later"
            return CatalogSourceError(
                f"{label} limits the requests of this app ({reason})", where=self.source,
                fix=f"run `companion pair` again {when}, or use the cached catalogs with "
                    "--offline")
        words, fix = _REFUSALS.get(status, (f"{{label}} answered HTTP {status}", _LATER))
        return CatalogSourceError(f"{words.format(label=label, show=self.source)} ({reason})",
                                  where=self.source, fix=fix)


_LATER = "run `companion pair` again later, or use --offline"
#: What an error status means here ({label}: the service; {show}: the show's URL).
_REFUSALS = {
    400: ("{label} refused the request",
          "check [pair] spotify_show and [pair] market (a two-letter country code where the "
          "show is available)"),
    401: ("{label} refused the app's access token", _CREDENTIALS_FIX),
    403: ("{label} refused to list the show",
          "an app in development mode serves only its allow-listed users (and its owner "
          "needs Premium): check the app at https://developer.spotify.com/dashboard, or "
          "leave the show to [pair] show_rss"),
    404: ("Spotify has no show {show}",
          "check [pair] spotify_show (the show's open.spotify.com address) and [pair] market"),
}


def json_or_none(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return None


def error_reason(data: object, status: int) -> str:
    """The words of an error answer: the Web API's ``{"error": {"status", "message"}}``, or
    the accounts service's ``{"error": "...", "error_description": "..."}``."""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return f"{error.get('status', status)}: {error['message'][:200]}"
        if isinstance(error, str):
            described = data.get("error_description")
            words = f"{error}: {described}" if isinstance(described, str) else error
            return f"{status}: {words[:200]}"
    return f"HTTP {status}"


def read_pages(path: Path) -> list[dict[str, Any]]:
    """The cached pages (companion's own file; anything else reads as none)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return []
    return [p for p in data if isinstance(p, dict)] if isinstance(data, list) else []


def item_ids(page: Mapping[str, Any]) -> list[str]:
    """The episode ids of a page (an episode not available in the market is null)."""
    items = page.get("items")
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)] \
        if isinstance(items, list) else []


def refresh(show_id: str, record: SourceRecord | None, path: Path, opts: CatalogOptions,
            http: httpx.Client, credentials: SpotifyCredentials, market: str | None,
            progress: Callable[[CatalogEvent], None], *, again: bool = False
            ) -> SourceRecord:
    """Read the show's episodes into ``spotify-<id>.json``: on a next run, only the pages
    up to the first one that holds nothing new (newest first), the older pages kept."""
    source = show_url(show_id)
    old = read_pages(path) if record and not again else []
    known = {i for page in old for i in item_ids(page)}
    session = _Session(http, opts, credentials, source)
    session.authorize()
    query = {"limit": PAGE, "offset": 0, "market": market or opts.market}
    url: object = f"{opts.spotify_api}/shows/{show_id}/episodes?{urlencode(query)}"
    pages: list[dict[str, Any]] = []
    while isinstance(url, str) and url and len(pages) < MAX_PAGES:
        page = session.page(url)
        pages.append(page)
        ids = item_ids(page)
        total = whole_number(page.get("total"), 0, 10 ** 7)
        progress(CatalogEvent(source, "episodes", sum(len(p["items"]) for p in pages), total))
        if known and all(i in known for i in ids):
            break
        url = page.get("next")
        if isinstance(url, str) and url and not url.startswith(f"{opts.spotify_api}/"):
            raise CatalogSourceError(f"Spotify's next page is elsewhere ({url})", where=source,
                                     fix="run `companion pair` again later")  # no token there
    seen = {i for page in pages for i in item_ids(page)}
    for page in old:  # the pages read before, without the episodes read again now
        items = [i for i in page["items"] if not (isinstance(i, dict) and i.get("id") in seen)]
        if any(isinstance(i, dict) for i in items):
            pages.append({**page, "items": items})
    text = json.dumps(pages, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_file(path, text.encode("utf-8"))
    return SourceRecord(url=source, kind="spotify", file=path.name, read=now_utc(),
                        title=record.title if record else None
                        ).with_ids(i for page in pages for i in item_ids(page))
