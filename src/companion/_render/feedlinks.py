"""The channel's links to elsewhere: WebSub hubs and, for a moved feed, its new address.

- ``<atom:link rel="hub" href="...">`` for every WebSub hub of ``[notify] websub``: a
  WebSub subscriber discovers the hubs from the feed, next to its ``rel="self"`` link
  (W3C WebSub, section 4, Discovery);
- ``<itunes:new-feed-url>`` for a feed with ``moved_from``: Apple's tag that tells apps
  the feed's address has changed. It carries the feed's own URL, so every copy of the feed
  (the one left at an old address, or the same object reached through an old base URL)
  sends its readers here.

A feedgen extension of its own (`FeedLinksExtension`), registered by `rss.map_feed_links`.
"""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.ext.base import BaseExtension
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from companion._render.podcast_ext import ATOM_NS, ITUNES_NS
from companion._text import xml_text


class FeedLinksExtension(BaseExtension):  # type: ignore[misc]
    """Channel-level ``atom:link rel="hub"`` and ``itunes:new-feed-url``."""

    def __init__(self) -> None:
        self.hubs: Sequence[str] = ()
        self.new_feed_url: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"atom": ATOM_NS, "itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        channel = rss_feed[0]
        for hub in self.hubs:
            link = etree.SubElement(channel, f"{{{ATOM_NS}}}link")
            link.set("href", xml_text(hub))
            link.set("rel", "hub")
        if self.new_feed_url:
            moved = etree.SubElement(channel, f"{{{ITUNES_NS}}}new-feed-url")
            moved.text = xml_text(self.new_feed_url)
        return rss_feed
