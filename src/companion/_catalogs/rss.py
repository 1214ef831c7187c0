"""The show's own RSS feed (Spotify for Creators, any host): asked again only when it changed
(If-None-Match, If-Modified-Since), stored as served, under the importer's size cap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from companion._catalogs.http import fetch
from companion._catalogs.options import CatalogEvent, CatalogOptions
from companion._catalogs.store import SourceRecord, now_utc, write_file
from companion._errors import CatalogSourceError

if TYPE_CHECKING:
    import httpx

_FIX = "check the address in [pair] show_rss (the show's RSS feed itself)"


def refresh(url: str, record: SourceRecord | None, path: Path, opts: CatalogOptions,
            http: httpx.Client, progress: Callable[[CatalogEvent], None], *,
            again: bool = False) -> SourceRecord:
    """Read the feed into ``rss-<slug>-<hash>.xml``; a 304 keeps the cached copy."""
    headers = {}
    if record and not again and path.is_file():
        if record.etag:
            headers["If-None-Match"] = record.etag
        if record.last_modified:
            headers["If-Modified-Since"] = record.last_modified
    progress(CatalogEvent(url, "rss", 0, 1))
    answer = fetch(http, "GET", url, label=url, where=url, max_bytes=opts.max_bytes,
                   headers=headers)
    if answer.status == 304 and headers and record is not None:
        return replace(record, read=now_utc())
    if answer.status in (404, 410):
        raise CatalogSourceError(f"no feed at {url} (HTTP {answer.status})", where=url, fix=_FIX)
    if answer.status in (401, 403):
        raise CatalogSourceError(f"{url} refused to serve the feed (HTTP {answer.status})",
                                 where=url, fix=f"{_FIX}; a private feed cannot be read")
    if answer.status != 200:
        raise CatalogSourceError(f"{url} answered HTTP {answer.status}", where=url,
                                 fix="run `companion pair` again later, or use --offline")
    ids, title = feed_items(answer.body, url)
    write_file(path, answer.body)
    return SourceRecord(url=url, kind="rss", file=path.name, read=now_utc(),
                        etag=answer.headers.get("etag") or None,
                        last_modified=answer.headers.get("last-modified") or None,
                        title=title).with_ids(ids)


def feed_items(data: bytes, url: str) -> tuple[list[str], str | None]:
    """The items' GUIDs (else enclosure URLs) and the channel's title: only what the index
    keeps; the feed itself is read by the catalog parser."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CatalogSourceError(f"{url} is not a feed ({exc.msg})", where=url,
                                 fix=_FIX) from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise CatalogSourceError(f"{url} is not an RSS feed (<{root.tag}>)", where=url,
                                 fix=_FIX)
    ids = []
    for item in channel.iterfind("item"):
        guid = (item.findtext("guid") or "").strip()
        enclosure = item.find("enclosure")
        ids.append(guid or (enclosure.get("url", "") if enclosure is not None else ""))
    return [i for i in ids if i], (channel.findtext("title") or "").strip() or None
