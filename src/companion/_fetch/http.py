"""The one HTTP client of `companion fetch`: one user agent, timeouts, retries, clear errors.

Spotify oEmbed, thumbnails and audio URLs are all asked through `client`; `download`
streams an answer to a file under a size cap. A connection that fails and an answer of
429 or 5xx are asked again (`FetchOptions.retries` times, waiting longer each time); any
other httpx error becomes one `FetchError` naming the URL and the episode. Tests hand
`FetchOptions(transport=httpx.MockTransport(...))` in place of the network.

Only fetch imports this module (and httpx): a build from the cache never does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from companion._errors import FetchError
from companion._text import whole_number
from companion._version import __version__

if TYPE_CHECKING:
    from companion._fetch.job import FetchOptions

USER_AGENT = f"companion/{__version__} (podcast companion publisher)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 10.0  # seconds: the longest pause before asking again, whatever Retry-After says
NETWORK_FIX = "check the connection and run `companion fetch` again"


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


def client(options: FetchOptions) -> httpx.Client:
    """The client every fetch request goes through (close it: use it in a `with`)."""
    return RetryingClient(
        retries=options.retries, wait=options.retry_wait, transport=options.transport,
        timeout=httpx.Timeout(options.timeout), follow_redirects=True,
        headers={"User-Agent": USER_AGENT})


@contextmanager
def request_errors(label: str, where: str) -> Iterator[None]:
    """Turn an httpx error inside the block into a `FetchError` naming `label` (the URL)."""
    try:
        yield
    except httpx.TimeoutException:
        raise FetchError(f"{label} did not answer in time", where=where,
                         fix=NETWORK_FIX) from None
    except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise FetchError(f"could not reach {label} ({exc})", where=where,
                         fix=f"{NETWORK_FIX}; check the URL") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"the answer from {label} broke off ({exc})", where=where,
                         fix=NETWORK_FIX) from None


def download(http: httpx.Client, url: str, dest: Path, where: str, max_bytes: int, fix: str,
             *, label: str | None = None, kind: str | None = None) -> Path:
    """Stream `url` to `dest` (at most `max_bytes`); raises `FetchError` naming `label`.

    With `kind` ("image"), the answer must have that type. A failed download leaves no
    `dest`; `fix` says what to do about an answer that is not the file.
    """
    name = label or url
    headers = {"Accept": f"{kind}/*"} if kind else {}
    try:
        with request_errors(name, where), http.stream("GET", url, headers=headers) as response:
            _check(response, name, where, max_bytes, fix, kind)
            total = 0
            with dest.open("wb") as out:
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise _too_large(name, where, max_bytes, fix)
                    out.write(chunk)
    except FetchError:
        dest.unlink(missing_ok=True)
        raise
    return dest


def _check(response: httpx.Response, name: str, where: str, max_bytes: int, fix: str,
           kind: str | None) -> None:
    if response.status_code != 200:
        raise FetchError(f"{name} answered HTTP {response.status_code}", where=where, fix=fix)
    if kind is not None:
        found = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if not found.startswith(f"{kind}/"):
            article = "an" if kind[:1] in "aeiou" else "a"
            raise FetchError(f"{name} is not {article} {kind} ({found or 'no type'})",
                             where=where, fix=fix)
    declared = response.headers.get("content-length", "").strip()
    if declared and whole_number(declared, 0, max_bytes) is None:
        raise _too_large(name, where, max_bytes, fix)


def _too_large(name: str, where: str, max_bytes: int, fix: str) -> FetchError:
    return FetchError(f"{name} is larger than {max_bytes} bytes", where=where, fix=fix)
