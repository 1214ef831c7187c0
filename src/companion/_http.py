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
from typing import Any

import httpx

from companion._text import whole_number
from companion._version import __version__

USER_AGENT = f"companion/{__version__} (podcast companion publisher)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 10.0  # seconds: the longest pause before asking again, whatever Retry-After says


class RetryingClient(httpx.Client):
    """An httpx client that asks again after a failed connection or a 429/5xx answer."""

    def __init__(self, *, retries: int, wait: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retries = max(0, retries)
        self.wait = wait

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
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client with companion's user agent, `timeout` seconds per request, redirects
    followed, `retries` retries (close it: use it in a `with`)."""
    return RetryingClient(retries=retries, wait=wait, transport=transport,
                          timeout=httpx.Timeout(timeout), follow_redirects=True,
                          headers={"User-Agent": USER_AGENT})
