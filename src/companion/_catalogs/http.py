"""The catalogs' side of the one HTTP client (`companion._http`): an answer read whole under
a size cap, and every httpx failure as one `CatalogSourceError` naming the source."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from companion._errors import CatalogSourceError, FetchError
from companion._fetch.http import request_errors
from companion._http import make_client
from companion._text import whole_number

if TYPE_CHECKING:
    from companion._catalogs.options import CatalogOptions

COMMAND = "companion pair"


def client(options: CatalogOptions) -> httpx.Client:
    """The client every catalog request goes through (close it: use it in a `with`)."""
    return make_client(retries=options.retries, wait=options.retry_wait,
                       timeout=options.timeout, transport=options.transport)


@contextmanager
def source_errors(label: str, where: str) -> Iterator[None]:
    """A failed connection, a timeout, a broken answer: one `CatalogSourceError`."""
    try:
        with request_errors(label, where, COMMAND):
            yield
    except CatalogSourceError:
        raise
    except FetchError as exc:
        raise CatalogSourceError(exc.message, where=exc.where, fix=exc.fix) from None


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


def fetch(http: httpx.Client, method: str, url: str, *, label: str, where: str,
          max_bytes: int, **kwargs: Any) -> Answer:
    """The whole answer to a request (at most `max_bytes` of body)."""
    with source_errors(label, where), http.stream(method, url, **kwargs) as response:
        declared = response.headers.get("content-length", "").strip()
        if declared and whole_number(declared, 0, max_bytes) is None:
            raise _too_large(label, where, max_bytes)
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise _too_large(label, where, max_bytes)
        return Answer(response.status_code, response.headers, bytes(body))


def _too_large(label: str, where: str, max_bytes: int) -> CatalogSourceError:
    return CatalogSourceError(f"{label} answered more than {max_bytes:,} bytes", where=where,
                              fix="check the address in [pair] (a catalog is rarely that "
                                  "large)")
