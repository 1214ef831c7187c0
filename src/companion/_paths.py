"""Where each output lives in the site: the one table every stage uses for URLs.

Pages and side files of an episode live under ``episodes/<slug>/``; media and
artwork are content-addressed (their name is a hash of their bytes), so they can
be cached forever and a re-fetch of the same audio changes nothing downstream.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: The bundled theme: Jinja2 templates and assets that a project's templates/ may override.
THEME_DIR = Path(__file__).resolve().parent / "_render" / "theme"
#: The interface words: a gettext catalog per language (`_render/i18n.py`).
LOCALE_DIR = Path(__file__).resolve().parent / "_render" / "locale"


def episode_dir(slug: str) -> str:
    return f"episodes/{slug}/"


def episode_page(slug: str) -> str:
    return f"episodes/{slug}/index.html"


def episode_embed(slug: str) -> str:
    """The episode's player alone, for other sites to frame (issue 25)."""
    return f"episodes/{slug}/embed/index.html"


def chapters_json(slug: str) -> str:
    return f"episodes/{slug}/chapters.json"


def transcript(slug: str, lang: str, kind: str) -> str:
    """kind is "vtt" or "srt"."""
    return f"episodes/{slug}/transcript.{lang}.{kind}"


def media(sha256: str, extension: str) -> str:
    return f"media/{sha256[:32]}.{extension}"


def artwork(sha256: str, extension: str) -> str:
    return f"artwork/{sha256[:32]}.{extension}"


def feed_xml(feed_slug: str) -> str:
    return f"{feed_slug}/feed.xml"


def feed_archive(feed_slug: str, number: int) -> str:
    """Archive page `number` of a feed (RFC 5005): 1 holds its oldest items."""
    return f"{feed_slug}/archive/{number}.xml"


def feed_index(feed_slug: str) -> str:
    return f"{feed_slug}/index.html"


def feed_dir(feed_slug: str) -> str:
    return f"{feed_slug}/"


def enclosure_key(guid: str, feed_slug: str, slug: str, source_sha256: str) -> str:
    """The name of an episode's enclosure in a feed: its GUID, the feed and the audio it was
    made from, never its tags. A title or artwork edit re-tags the file under the same URL
    (apps do not download it again, analytics do not split); replacing the audio itself, or
    moving the episode to another feed, gives a new one. `feed_slug` "" is the player of a
    page that is in no feed (named by its slug)."""
    where = feed_slug or f"page:{slug}"
    h = hashlib.blake2b(digest_size=16)
    for part in ("enclosure", guid, where, source_sha256):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


SITE_INDEX = "index.html"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
STYLESHEET = "assets/style.css"
PLAYER_SCRIPT = "assets/player.js"
FAVICON = "favicon.ico"
#: The build's list of redirects (site path -> the URL it moved to), which publish reads to
#: give each redirect object its `x-amz-website-redirect-location`; a dotfile, so it is
#: never published itself.
REDIRECTS = ".redirects.json"
