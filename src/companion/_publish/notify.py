"""Telling the world that a feed changed, once a publish has sent it (``[notify]``).

After a real publish (never a dry run, never with ``--no-notify``), every feed whose
``feed.xml`` the publish sent is announced once to each configured service:

- **WebSub**: a ``POST`` to each hub with ``hub.mode=publish`` and ``hub.url=<feed>``, as
  the hubs podcast apps subscribe through take it (pubsubhubbub.appspot.com); the feed
  names its hubs with ``<atom:link rel="hub">`` (W3C WebSub, section 4);
- **Podping**, through its HTTP gateway: ``GET <gateway>?url=<feed>&reason=update
  &medium=<medium>`` with the publisher's token in the ``Authorization`` header
  (github.com/Podcastindex-org/podping.cloud); the token is read from the environment
  variable that ``podping_token_env`` names, and never printed;
- **the Podcast Index**: ``GET https://api.podcastindex.org/api/1.0/hub/pubnotify
  ?url=<feed>``, which needs no API key (podcastindex-org/docs-api, "hub/pubnotify").

Requests go through companion's one HTTP client (`companion._http`): a failed connection
and a 429 or 5xx are tried again, waiting longer each time. A service that still fails is
a warning that names it; it never fails the publish (the feed is up: apps read it at their
next poll).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from companion._errors import Problem
from companion._redact import register_secret
from companion._site_model import NotifySettings

if TYPE_CHECKING:
    import httpx

    from companion._http import Pace

RETRIES = 3
WAIT = 0.5  # seconds before the first retry; doubled for each next one
TIMEOUT = 15.0
MAX_ANSWER = 1 << 16  # bytes of a service's answer read (the status is what counts)
#: The mediums Podping knows (podping-hivewriter's `Medium`); another is sent as none.
PODPING_MEDIUMS = frozenset({"podcast", "music", "video", "film", "audiobook", "newsletter",
                             "blog"})


@dataclass(frozen=True)
class ChangedFeed:
    """A feed a publish sent: its name, its URL, its `podcast:medium`."""

    slug: str
    url: str
    medium: str = "podcast"


@dataclass(frozen=True)
class Notice:
    """One notification: which service was told about which feed, and how it answered."""

    service: str  # "WebSub", "Podping", "Podcast Index"
    endpoint: str  # the hub, gateway or endpoint asked
    feed: str  # the feed's URL
    ok: bool
    status: int | None = None  # the HTTP status of the last answer (None: no answer)
    reason: str = ""  # why it failed, in words

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "endpoint": self.endpoint, "feed": self.feed,
                "ok": self.ok, "status": self.status, "reason": self.reason or None}


@dataclass(frozen=True)
class _Request:
    service: str
    endpoint: str
    method: str
    params: Mapping[str, str]
    headers: Mapping[str, str]


def requests_for(settings: NotifySettings, feed: ChangedFeed, token: str | None
                 ) -> list[_Request]:
    """What to send about one changed feed, to every configured service."""
    found = [_Request("WebSub", hub, "POST", {"hub.mode": "publish", "hub.url": feed.url}, {})
             for hub in settings.websub]
    if settings.podping and token:
        params = {"url": feed.url, "reason": "update"}
        if feed.medium in PODPING_MEDIUMS:
            params["medium"] = feed.medium
        found.append(_Request("Podping", settings.podping, "GET", params,
                              {"Authorization": token}))
    if settings.podcastindex:
        found.append(_Request("Podcast Index", settings.podcastindex, "GET",
                              {"url": feed.url}, {}))
    return found


def notify_feeds(settings: NotifySettings, feeds: Sequence[ChangedFeed], *,
                 environ: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None,
                 wait: float = WAIT, pace: Pace | None = None
                 ) -> tuple[list[Notice], list[Problem]]:
    """Announce each of `feeds` once to every service of `settings`: what each said, and
    a warning for each service that could not be told (never an exception). `pace`: how
    slowly a service may answer (default: a byte within `TIMEOUT`, all in twice that)."""
    if not feeds or not settings.any:
        return [], []
    env = os.environ if environ is None else environ
    token = env.get(settings.podping_token_env) or None
    register_secret(token)  # whatever a service or a library says, the token is not shown
    problems = _token_problems(settings, token)
    notices: list[Notice] = []
    from companion._http import Pace, make_client

    with make_client(retries=RETRIES, wait=wait, timeout=TIMEOUT, transport=transport,
                     pace=pace or Pace(stall=TIMEOUT, deadline=2 * TIMEOUT)) as http:
        for feed in feeds:
            for request in requests_for(settings, feed, token):
                notices.append(_send(http, request, feed))
    problems += [_warning(n) for n in notices if not n.ok]
    return notices, problems


def _send(http: httpx.Client, request: _Request, feed: ChangedFeed) -> Notice:
    """Send one notification; its answer's body is read (at the client's pace, at most
    `MAX_ANSWER` bytes) and dropped: a service that trickles its answer cannot hold the
    publish."""
    import httpx

    from companion._http import Stalled, body

    form = request.params if request.method == "POST" else None
    query = None if request.method == "POST" else request.params
    try:
        with http.stream(request.method, request.endpoint, params=query, data=form,
                         headers=dict(request.headers)) as response:
            read = 0
            for chunk in body(http, response):
                read += len(chunk)
                if read > MAX_ANSWER:
                    break
    except (httpx.HTTPError, Stalled) as exc:
        return Notice(request.service, request.endpoint, feed.url, False,
                      reason=_cause(exc))
    ok = 200 <= response.status_code < 300
    return Notice(request.service, request.endpoint, feed.url, ok, response.status_code,
                  "" if ok else f"it answered HTTP {response.status_code}")


def _cause(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "it did not answer in time"
    if isinstance(exc, httpx.ConnectError):
        return "it could not be reached"
    if not isinstance(exc, httpx.HTTPError):  # `Stalled`
        return f"its answer stalled ({exc})"
    return f"the request failed ({type(exc).__name__})"


def _warning(notice: Notice) -> Problem:
    return Problem("warning", notice.endpoint,
                   f"{notice.service} was not told that {notice.feed} changed: {notice.reason}"
                   " (the feed is published; apps find the change at their next poll)",
                   f"check [notify] in companion.toml and the {notice.service} service; the "
                   "next publish that changes the feed tells it again", "notify")


def _token_problems(settings: NotifySettings, token: str | None) -> list[Problem]:
    if not settings.podping or token:
        return []
    name = settings.podping_token_env
    return [Problem("warning", settings.podping,
                    f"Podping was not told: the environment variable {name} (its token) is "
                    "not set", f"export {name}=<your Podping token> before publishing, or "
                    "remove podping from [notify]", "notify.podping")]
