"""Where each output lives in the site: the one table every stage uses for URLs.

Pages and side files of an episode live under ``episodes/<slug>/``; media and
artwork are content-addressed (their name is a hash of their bytes), so they can
be cached forever and a re-fetch of the same audio changes nothing downstream.
"""

from __future__ import annotations


def episode_dir(slug: str) -> str:
    return f"episodes/{slug}/"


def episode_page(slug: str) -> str:
    return f"episodes/{slug}/index.html"


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


def feed_index(feed_slug: str) -> str:
    return f"{feed_slug}/index.html"


SITE_INDEX = "index.html"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
STYLESHEET = "assets/style.css"
