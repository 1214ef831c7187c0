"""What an episode or an index page tells the platforms that link to it: the Open Graph
and Twitter card tags, and the schema.org media objects of its structured data."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from companion._model import Episode
from companion._site_model import PlacedImage, PlacedMedia


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), mailto or relative; None for javascript:, data: and co."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url if scheme in ("", "http", "https", "mailto") else None


def iso_duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{secs}S" if hours else f"PT{minutes}M{secs}S"


def short(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: flat.rfind(" ", 0, limit - 1)].rstrip() + "…"


def og(episode: Episode, description: str, canonical: str, audio: PlacedMedia | None,
        image: PlacedImage | None, youtube_id: str | None,
        site_title: str) -> list[tuple[str, str]]:
    tags = [("og:type", "article"), ("og:title", episode.title), ("og:url", canonical),
            ("og:site_name", site_title)]
    if description:
        tags.append(("og:description", description))
    tags += og_image(image)
    if audio is not None and safe_url(audio.url):
        tags += [("og:audio", audio.url), ("og:audio:type", audio.type)]
    if youtube_id:
        tags += [("og:video", f"https://www.youtube.com/watch?v={youtube_id}"),
                 ("og:video:secure_url", f"https://www.youtube.com/embed/{youtube_id}"),
                 ("og:video:type", "text/html"),
                 ("og:video:width", "1280"), ("og:video:height", "720")]
    if episode.article.date:
        tags.append(("article:published_time", episode.article.date.isoformat()))
    return tags


def og_image(image: PlacedImage | None) -> list[tuple[str, str]]:
    if image is None:
        return []
    tags = [("og:image", str(image.url))]
    if image.size:
        tags += [("og:image:width", str(image.size[0])),
                 ("og:image:height", str(image.size[1]))]
    return tags


def twitter(episode: Episode, description: str, image: PlacedImage | None,
             youtube_id: str | None) -> list[tuple[str, str]]:
    card = "player" if youtube_id else "summary_large_image" if image else "summary"
    tags = [("twitter:card", card), ("twitter:title", episode.title)]
    if description:
        tags.append(("twitter:description", description))
    if image:
        tags.append(("twitter:image", str(image.url)))
    if youtube_id:
        tags += [("twitter:player", f"https://www.youtube-nocookie.com/embed/{youtube_id}"),
                 ("twitter:player:width", "1280"), ("twitter:player:height", "720")]
    return tags


def index_twitter(title: str, description: str | None,
                   image_url: str | None) -> list[tuple[str, str]]:
    tags = [("twitter:card", "summary"), ("twitter:title", title)]
    if description:
        tags.append(("twitter:description", short(description)))
    if safe_url(image_url):
        tags.append(("twitter:image", str(image_url)))
    return tags


def index_og(title: str, description: str, canonical: str, image_url: str | None,
              site_title: str) -> list[tuple[str, str]]:
    tags = [("og:type", "website"), ("og:title", title), ("og:url", canonical),
            ("og:site_name", site_title)]
    if description:
        tags.append(("og:description", short(description)))
    if image_url:
        tags.append(("og:image", image_url))
    return tags


def associated_media(episode: Episode, audio: PlacedMedia | None, image: PlacedImage | None,
                      seconds: float | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if audio is not None and safe_url(audio.url):
        item: dict[str, Any] = {"@type": "AudioObject", "contentUrl": audio.url,
                                "encodingFormat": audio.type, "contentSize": str(audio.size)}
        if seconds:
            item["duration"] = iso_duration(seconds)
        found.append(item)
    video = video_object(episode, image.url if image else None)
    if video:
        found.append(video)
    return found


def video_object(episode: Episode, image_url: str | None) -> dict[str, Any] | None:
    """The YouTube video as a VideoObject; its thumbnail is our own copy, never YouTube's."""
    youtube_id = episode.youtube.id if episode.youtube else episode.article.youtube_id
    if not youtube_id:
        return None
    video: dict[str, Any] = {
        "@type": "VideoObject", "name": episode.youtube.title if episode.youtube
        else episode.title, "url": f"https://www.youtube.com/watch?v={youtube_id}",
        "embedUrl": f"https://www.youtube-nocookie.com/embed/{youtube_id}",
    }
    if image_url and urlsplit(image_url).scheme in ("http", "https"):
        video["thumbnailUrl"] = image_url
    if episode.youtube and episode.youtube.upload_date:
        video["uploadDate"] = episode.youtube.upload_date.isoformat()
    return video
