"""`fetch`: fill the cache for articles, several at once, through the two network seams.

An episode's video info, captions and YouTube audio (and, for an episode a video feed
selects, the video: `FetchOptions.video_slugs`) come from the video source
(`FetchOptions.video`); its Spotify oEmbed, thumbnail and audio URL from the one HTTP
client (`_fetch.http`). Everything is fetched into a work folder first, then written to
the cache, so a failure leaves the cache as it was; one failing episode does not stop the
others. The `FetchReport` says what was fetched, what was cached, what failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from companion._errors import CompanionError, FetchError, Problem, from_os_error
from companion._fetch import http as _http
from companion._fetch import spotify as _spotify
from companion._fetch import thumbnails as _thumbs
from companion._fetch.job import FetchOptions, Job
from companion._model import Article
from companion._pair import audio as _audio
from companion._pair import spotify as _pair_spotify
from companion._pair import thumbnails as _thumbnails
from companion._pair import transcripts as _transcripts
from companion._pair import video as _video
from companion._pair import youtube as _youtube
from companion._pair.cache import Cache
from companion._pair.episodes import audio_source
from companion._site_model import Site

Commit = Callable[[], object]
AUDIO_FIX = "correct the `audio:` URL, or put the file in the project"


@dataclass(frozen=True)
class FetchEvent:
    slug: str
    state: Literal["start", "done", "failed"]
    message: str = ""


Progress = Callable[[FetchEvent], None]


@dataclass(frozen=True)
class FetchReport:
    fetched: list[str] = field(default_factory=list)  # slugs: something was fetched
    cached: list[str] = field(default_factory=list)  # slugs: the cache had everything
    failed: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # fetched, but not all of it

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        """What ``companion fetch --json`` prints (the README documents it)."""
        return {"ok": self.ok, "fetched": list(self.fetched), "cached": list(self.cached),
                "failed": len(self.failed),
                "problems": [p.to_json() for p in [*self.failed, *self.warnings]]}


def fetch(articles: Iterable[Article], site: Site, refresh: bool = False,
          progress: Progress | None = None, *, options: FetchOptions | None = None
          ) -> FetchReport:
    """Fill the cache for `articles`, several at once; one failure does not stop the others."""
    opts = options or FetchOptions()
    cache = Cache(site.cache_dir)
    todo = list(articles)
    report = FetchReport()
    with _http.client(opts) as http, ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        results = pool.map(lambda a: _fetch_one(a, cache, refresh, opts, http, progress), todo)
        for article, outcome in zip(todo, results, strict=True):
            if isinstance(outcome, Problem):
                report.failed.append(outcome)
            else:
                fetched, warnings = outcome
                (report.fetched if fetched else report.cached).append(article.slug)
                report.warnings.extend(warnings)
    return report


def _fetch_one(article: Article, cache: Cache, refresh: bool, opts: FetchOptions,
               http: httpx.Client, progress: Progress | None
               ) -> Problem | tuple[bool, list[Problem]]:
    _tell(progress, FetchEvent(article.slug, "start"))
    warnings: list[Problem] = []
    try:
        fetched = fetch_episode(article, cache, refresh, opts, http, warnings)
    except CompanionError as exc:
        _tell(progress, FetchEvent(article.slug, "failed", exc.message))
        return exc.problem()
    except OSError as exc:  # the cache's disk: full, read-only, a name too long
        error = from_os_error(exc, FetchError, "cannot write the cache")
        _tell(progress, FetchEvent(article.slug, "failed", error.message))
        return error.problem()
    except Exception as exc:  # one broken episode must not stop the others
        _tell(progress, FetchEvent(article.slug, "failed", repr(exc)))
        return Problem("error", article.relpath, f"unexpected error while fetching: {exc!r}",
                       "run `companion fetch` again; report it if it persists")
    _tell(progress, FetchEvent(article.slug, "done", "fetched" if fetched else "cached"))
    return fetched, warnings


def _tell(progress: Progress | None, event: FetchEvent) -> None:
    if progress is not None:
        progress(event)


def fetch_episode(article: Article, cache: Cache, refresh: bool, opts: FetchOptions,
                  http: httpx.Client, warnings: list[Problem] | None = None) -> bool:
    """Everything an episode needs, fetched first, then written to the cache.

    Returns whether anything was fetched (False: the cache had it all). What failed
    without failing the episode (a thumbnail) is added to `warnings`."""
    with cache.tempdir() as tmp:
        job = Job(article, cache, refresh, opts, http, Path(tmp),
                  [] if warnings is None else warnings)
        commits: list[Commit] = []
        if article.youtube_id:
            commits += _fetch_video(job)
        if article.spotify_id:
            commits += _fetch_spotify(job)
        commits += _fetch_remote(job) if article.remote_audio else _fetch_audio(job)
        commits += _fetch_video_file(job)
        for commit in commits:
            commit()
        return bool(commits)


def _fetch_video(job: Job) -> list[Commit]:
    video_id, cache = str(job.article.youtube_id), job.cache
    rel = _youtube.cache_rel(video_id)
    cached = None if job.refresh else cache.read_json(rel, job.article.slug)
    if cached is not None:
        return _thumbs.missing_thumbnail(job, rel, cached)
    info, sub, automatic = job.opts.video.info(
        job.opts.youtube_url.format(id=video_id), job.where, lang=job.article.lang,
        workdir=job.work)
    trimmed = _youtube.trim_info(info)
    trimmed["id"] = video_id
    thumb = _thumbs.fetch_thumbnail(job, trimmed)
    if thumb is not None:
        trimmed[_thumbnails.RECORD_KEY] = thumb.record
    else:
        _thumbs.keep_thumbnail(job, rel, trimmed)
    found = [(job.article.lang, sub.read_text(encoding="utf-8", errors="replace"), automatic)
             ] if sub else []
    return [*([lambda: _thumbnails.store(cache, thumb)] if thumb is not None else []),
            lambda: cache.write_json(rel, trimmed),
            lambda: _transcripts.store(cache, video_id, found)]


def _fetch_spotify(job: Job) -> list[Commit]:
    episode_id = str(job.article.spotify_id)
    rel = _pair_spotify.cache_rel(episode_id)
    if not job.refresh and job.cache.read_json(rel, job.article.slug) is not None:
        return []
    data = _spotify.fetch_oembed(job.http, episode_id, job.where, base_url=job.opts.oembed_url)
    return [lambda: job.cache.write_json(rel, data)]


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _fetch_audio(job: Job) -> list[Commit]:
    source = audio_source(job.article)
    if source is None or not (_is_url(source) or source.startswith("youtube:")):
        return []
    cache, where, slug, refresh = job.cache, job.where, job.article.slug, job.refresh
    have = None if refresh else _audio.cached_audio(cache, source, slug)
    original = have.path if have else _prepare(_download(job, source), job.work, where)
    info = _audio.probe(original, where, fix="fetch again with --refresh; the download is bad")
    variants = [_audio.convert(original, job.work / f"variant.{fmt}", fmt, where, info.bitrate)
                for fmt in job.opts.formats if fmt != info.ext and (
                    refresh or _audio.cached_audio(cache, source, slug, fmt) is None)]
    if have is not None and not variants:
        return []

    def commit() -> None:
        if have is None:
            _audio.store_audio(cache, original, source, where, original=True)
        for path in variants:
            _audio.store_audio(cache, path, source, where, original=False)

    return [commit]


def _fetch_remote(job: Job) -> list[Commit]:
    """`remote_audio: true`: read the enclosure once (its exact size, type and duration)
    into the cache; the file itself is not kept, and the feed keeps its URL."""
    from companion._model import RemoteAudio
    from companion._pair import remote as _remote

    url = job.article.audio
    if not url or (not job.refresh and _remote.cached(job.cache, url, job.article.slug)):
        return []
    path = _download(job, url)
    info = _audio.probe(path, job.where, fix="check the `audio:` URL: it must be the episode's "
                                             "audio file")
    found = RemoteAudio(url, path.stat().st_size, info.mime_type, info.duration, info.bitrate)
    return [lambda: _remote.store(job.cache, found)]
def _fetch_video_file(job: Job) -> list[Commit]:
    """The MP4 of an episode that a video feed selects (only those: video files are large),
    made publishable (`_video.make_mp4`: remuxed where the source allows)."""
    article = job.article
    if article.slug not in job.opts.video_slugs or not article.youtube_id:
        return []
    source = f"youtube:{article.youtube_id}"
    if not job.refresh and _video.cached_video(job.cache, source, article.slug) is not None:
        return []
    raw = job.opts.video.video(job.opts.youtube_url.format(id=article.youtube_id), job.where,
                               job.work)
    mp4 = _video.make_mp4(raw, job.work / "published.mp4", job.where)
    return [lambda: _video.store_video(job.cache, mp4, source, job.where)]


def _download(job: Job, source: str) -> Path:
    if source.startswith("youtube:"):
        url = job.opts.youtube_url.format(id=source.split(":", 1)[1])
        return job.opts.video.audio(url, job.where, job.work)
    name = "producer" + (Path(source.split("?", 1)[0]).suffix or ".audio")
    return _http.download(job.http, source, job.work / name, job.where,
                          job.opts.max_audio_bytes, AUDIO_FIX)


def _prepare(raw: Path, work: Path, where: str) -> Path:
    """yt-dlp's m4a is DASH: remux it (faststart) so every player reads the right duration."""
    if raw.suffix.lower() in (".m4a", ".mp4"):
        return _audio.remux_m4a(raw, work / "remuxed.m4a", where)
    return raw
