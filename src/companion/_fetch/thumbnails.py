"""A video's thumbnail, fetched through the one client and checked before the cache keeps it.

A thumbnail that cannot be had is a warning, never a failure: the episode is fetched
without it (the show's artwork stands in) and the next `companion fetch` tries again.
How the image is checked and recorded lives in `_pair.thumbnails`.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from companion._errors import FetchError, PairError, Problem
from companion._fetch import http as _http
from companion._fetch.job import Job
from companion._pair import thumbnails as _thumbnails
from companion._pair.thumbnails import FetchedThumbnail

Commit = Callable[[], object]


def download(job: Job, url: str) -> FetchedThumbnail:
    """Download `url` (an image of at most `max_image_bytes`); raises `FetchError`."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"thumbnail {url} is not an http(s) URL", where=job.where,
                         fix=_thumbnails.FIX)
    dest = _http.download(job.http, url, job.work / "thumbnail", job.where,
                          job.opts.max_image_bytes, _thumbnails.FIX, label=f"thumbnail {url}",
                          kind="image")
    return _thumbnails.checked(dest.read_bytes(), job.where, url)


def fetch_thumbnail(job: Job, info: dict[str, object]) -> FetchedThumbnail | None:
    """The video's thumbnail, downloaded and checked; a failure is a warning."""
    url = _thumbnails.thumbnail_url(info)
    if url is None:
        return None
    try:
        return download(job, url)
    except FetchError as exc:
        slug = job.article.slug
        job.warnings.append(Problem(
            "warning", job.where, f"{exc.message}; the episode has no artwork of its own",
            f"run `companion fetch {slug}` again, or give the episode an `image:`", "image"))
        return None


def missing_thumbnail(job: Job, rel: str, info: dict[str, object]) -> list[Commit]:
    """The info JSON is cached: fetch only its thumbnail, when that is missing."""
    cache = job.cache
    if _thumbnails.cached_file(cache, info, cache.path(rel), job.article.slug) is not None:
        return []
    thumb = fetch_thumbnail(job, info)
    if thumb is None:
        return []
    updated = {**info, _thumbnails.RECORD_KEY: thumb.record}
    return [lambda: _thumbnails.store(cache, thumb), lambda: cache.write_json(rel, updated)]


def keep_thumbnail(job: Job, rel: str, trimmed: dict[str, object]) -> None:
    """A refresh whose thumbnail download failed keeps the thumbnail cached before."""
    try:
        before = job.cache.read_json(rel, "")
    except PairError:
        return
    record = _thumbnails.trimmed_record((before or {}).get(_thumbnails.RECORD_KEY))
    if record is not None and job.cache.path(str(record["file"])).is_file():
        trimmed[_thumbnails.RECORD_KEY] = record
