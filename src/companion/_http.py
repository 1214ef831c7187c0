"""The one HTTP client companion speaks through: one user agent, timeouts, retries.

`fetch` (YouTube thumbnails, Spotify oEmbed, audio URLs, an imported feed) and
`publish` (the notifications after a publish: WebSub, Podping, Podcast Index) both make
their clients here, so every request companion sends looks and retries the same way: a
connection that fails and an answer of 429 or 5xx are asked again, waiting longer each
time (or as long as the server's Retry-After asks, up to `MAX_WAIT`).

Only the stages that talk to the network import this module (and httpx): a build from
the cache never does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from companion._text import whole_number
from companion._version import __version__

USER_AGENT = f"companion/{__version__} (podcast companion publisher)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 10.0  # seconds: the longest pause before asking again, whatever Retry-After says


@dataclass(frozen=True)
class Pace:
    """How slow an answer's body may come: at least `least` bytes every `stall` seconds,
    all of it within `deadline` seconds."""

    stall: float = 15.0
    deadline: float = 600.0
    least: int = 1024


class Stalled(Exception):
    """A server that stopped sending (or trickles), or an answer past its deadline."""

    def __init__(self, url: str, received: int, why: str) -> None:
        self.host = urlsplit(url).hostname or url
        self.received = received
        super().__init__(f"the server at {self.host} stopped sending after {received:,} "
                         f"bytes ({why})")


class RetryingClient(httpx.Client):
    """An httpx client that asks again after a failed connection or a 429/5xx answer."""

    def __init__(self, *, retries: int, wait: float, pace: Pace | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retries = max(0, retries)
        self.wait = wait
        self.pace = pace or Pace()

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        for attempt in range(self.retries):
            try:
                response = super().send(request, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                time.sleep(self.wait * 2 ** attempt)
                continue
            if response.status_code not in RETRY_STATUS:
                return response
            response.close()
            time.sleep(_pause(response, self.wait * 2 ** attempt))
        return super().send(request, **kwargs)


def _pause(response: httpx.Response, backoff: float) -> float:
    """The backoff, or the server's Retry-After (in seconds) when it asks for longer."""
    asked = whole_number(response.headers.get("retry-after", ""), 0, int(MAX_WAIT))
    return min(MAX_WAIT, max(backoff, float(asked or 0)))


def make_client(*, retries: int, wait: float, timeout: float,
                transport: httpx.BaseTransport | None = None,
                pace: Pace | None = None) -> httpx.Client:
    """A client with companion's user agent, `timeout` seconds per request (and no more
    than `pace.stall` without a byte), redirects followed, `retries` retries (close it: use
    it in a `with`)."""
    pace = pace or Pace()
    return RetryingClient(retries=retries, wait=wait, pace=pace, transport=transport,
                          timeout=httpx.Timeout(timeout, read=min(timeout, pace.stall)),
                          follow_redirects=True, headers={"User-Agent": USER_AGENT})


def body(http: httpx.Client, response: httpx.Response) -> Iterator[bytes]:
    """The chunks of `response`'s body, as they come; raises `Stalled` when the server
    sends less than the client's `Pace` asks (nothing, or a trickle) or is still sending
    at its deadline."""
    pace = http.pace if isinstance(http, RetryingClient) else Pace()
    url = str(response.request.url)
    start = window = time.monotonic()
    received = in_window = 0
    chunks = response.iter_bytes()
    while True:
        try:
            chunk = next(chunks, None)
        except httpx.ReadTimeout:
            raise Stalled(url, received, f"nothing for {pace.stall:g} s") from None
        if chunk is None:
            return
        received += len(chunk)
        in_window += len(chunk)
        now = time.monotonic()
        if now - start > pace.deadline:
            raise Stalled(url, received, f"still not done after {pace.deadline:g} s")
        if now - window >= pace.stall:
            if in_window < pace.least:
                raise Stalled(url, received, f"{in_window:,} bytes in the last "
                                             f"{now - window:.0f} s")
            window, in_window = now, 0
        yield chunk
