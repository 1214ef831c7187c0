"""`companion new --from-video URL`: a draft article from a video that has none, so that the
video can still become an episode. The video is looked up where `companion pair` and
`companion fetch` left it (the cached catalogs, ``cache/catalogs/youtube-*.jsonl``, and the
cache's yt-dlp info, ``cache/youtube/<id>.json``) and in the saved catalogs given; the
draft takes its title, date, description (the body) and id (`video:`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from companion._config.project import project_rel
from companion._errors import ProjectError
from companion._match import Catalog, CatalogEntry, parse_catalog
from companion._project.accept import YOUTUBE_EMBED
from companion._read import links as _links
from companion._read.lang import detect_language
from companion._site_model import Site

_WHERE = "companion new --from-video"


@dataclass(frozen=True)
class VideoDraft:
    """What the draft article is made of."""

    title: str
    date: datetime | None
    body: str
    lang: str | None
    video: str  # the embed URL


def video_id(given: str) -> str:
    """The video id of a URL (or of a bare 11-character id)."""
    found = _links.youtube_id(given)
    if found is None and len(given) == 11 and all(c.isalnum() or c in "-_" for c in given):
        found = given
    if found is None:
        raise ProjectError(f"{given!r} is not a YouTube video URL", where=_WHERE,
                           fix="give the video's link, e.g. "
                               "https://www.youtube.com/watch?v=VIDEO_ID")
    return found


def _cached(site: Site, wanted: str) -> list[Catalog]:
    """The cached catalogs that may hold `wanted`: the channels' listings, its own info."""
    files = sorted((site.cache_dir / "catalogs").glob("youtube-*.jsonl"))
    own = site.cache_dir / "youtube" / f"{wanted}.json"
    files += [own] if own.is_file() else []
    return [c for path in files for c in parse_catalog(path.read_bytes(),
                                                        project_rel(path, site))]


def find_video(site: Site, given: str, catalogs: Sequence[Catalog] = ()) -> CatalogEntry:
    """The catalog entry of the video `given` names, its full info preferred to a flat
    listing's; one not found -> `ProjectError` saying to list the channel first."""
    wanted = video_id(given)
    found = [e for c in [*catalogs, *_cached(site, wanted)] for e in c.entries
             if e.source == "youtube" and e.id == wanted]
    if not found:
        raise ProjectError(f"video {wanted} is in no catalog companion has read",
                           where=_WHERE,
                           fix="run `companion pair` first (it lists the channel named in "
                               "[pair] youtube), or pass a saved catalog with --catalog FILE")
    return sorted(found, key=lambda e: (e.flat, not e.description))[0]


def video_draft(site: Site, given: str, catalogs: Sequence[Catalog] = ()) -> VideoDraft:
    """The draft's parts for the video `given` names."""
    entry = find_video(site, given, catalogs)
    lang = entry.language or detect_language(f"{entry.title}\n{entry.description}")
    return VideoDraft(" ".join(entry.title.split()) or entry.id, entry.date,
                      entry.description, lang, YOUTUBE_EMBED.format(id=entry.id))
