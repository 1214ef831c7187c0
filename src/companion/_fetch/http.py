"""`companion fetch`'s side of the one HTTP client (`companion._http`): clear errors.

Spotify oEmbed, thumbnails, audio URLs and imported feeds are all asked through
`client`; `download` streams an answer to a file under a size cap. A connection that fails
and an answer of 429 or 5xx are asked again (`FetchOptions.retries` times, waiting longer
each time); a server that stalls (`_http.Stalled`, at the pace of `FetchOptions.stall`
and `.deadline`) is named as stalled; any other httpx error becomes one `FetchError`
naming the URL and the episode. Tests hand
`FetchOptions(transport=httpx.MockTransport(...))` in place of the network.

Only fetch imports this module (and httpx): a build from the cache never does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from companion._errors import FetchError
from companion._http import Pace, Stalled, body, make_client
from companion._text import whole_number

if TYPE_CHECKING:
    from companion._fetch.job import FetchOptions

NETWORK_FIX = "check the connection and run `companion fetch` again"


def client(options: FetchOptions) -> httpx.Client:
    """The client every fetch request goes through (close it: use it in a `with`)."""
    return make_client(retries=options.retries, wait=options.retry_wait,
                       timeout=options.timeout, transport=options.transport,
                       pace=Pace(options.stall, options.deadline))


@contextmanager
def request_errors(label: str, where: str, command: str = "companion fetch") -> Iterator[None]:
    """Turn an httpx error inside the block into a `FetchError` naming `label` (the URL);
    the fix says to run `command` again."""
    fix = NETWORK_FIX.replace("companion fetch", command)
    try:
        yield
    except Stalled as exc:
        raise FetchError(f"{exc}, reading {label}", where=where,
                         fix=f"the server is slow or overloaded: try `{command}` again later; "
                             "if it keeps stalling, tell the server's owner") from None
    except httpx.TimeoutException:
        raise FetchError(f"{label} did not answer in time", where=where, fix=fix) from None
    except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise FetchError(f"could not reach {label} ({exc})", where=where,
                         fix=f"{fix}; check the URL") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"the answer from {label} broke off ({exc})", where=where,
                         fix=fix) from None


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
                for chunk in body(http, response):
                    total += len(chunk)
                    if total > max_bytes:
                        raise _too_large(name, where, max_bytes, fix)
                    out.write(chunk)
    except FetchError:
        dest.unlink(missing_ok=True)
        raise
    return dest


def fetch_small(http: httpx.Client, url: str, where: str, max_bytes: int, fix: str, *,
                params: dict[str, str] | None = None) -> httpx.Response:
    """The whole answer to a GET of `url` (an API's JSON), read at the client's pace and
    at most `max_bytes` of it (httpx errors are the caller's `request_errors`)."""
    with http.stream("GET", url, params=params) as response:
        data = bytearray()
        for chunk in body(http, response):
            data += chunk
            if len(data) > max_bytes:
                raise _too_large(url, where, max_bytes, fix)
    return httpx.Response(response.status_code, headers=response.headers, content=bytes(data),
                          request=response.request)


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
