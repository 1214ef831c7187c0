"""`fetch`: fill the cache for articles, several at once, through the two network seams.

An episode's video info, captions and YouTube audio (and, for an episode a video feed
selects, the video: `FetchOptions.video_slugs`) come from the video source
(`FetchOptions.video`); its Spotify oEmbed, thumbnail and audio URL from the one HTTP
client (`_fetch.http`). Everything is fetched into a work folder first, then written to
the cache, so a failure leaves the cache as it was; one failing episode does not stop the
others. The `FetchReport` says what was fetched, what was cached, what failed.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import httpx

from companion._clock import clock_now
from companion._errors import CompanionError, FetchError, Problem, from_os_error
from companion._fetch import http as _http
from companion._fetch import settle as _settle
from companion._fetch import spotify as _spotify
from companion._fetch import thumbnails as _thumbs
from companion._fetch.cookies import check_cookies
from companion._fetch.diagnose import UPDATE, YouTubeError, first_line, notable_warnings
from companion._fetch.job import FetchOptions, Job
from companion._fetch.redact import Secrets
from companion._fetch.video import WARNINGS_KEY, YtDlpSource
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

if TYPE_CHECKING:
    from companion._fetch.spotify_api import SpotifyApi

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
    waiting: list[Problem] = field(default_factory=list)  # not aired yet, or over the cap
    throttled: list[str] = field(default_factory=list)  # slugs: a degraded download refused
    causes: dict[str, str] = field(default_factory=dict)  # failed slug -> diagnosis code
    stopped: str = ""  # why the run stopped asking YouTube (a 429, a bot check), and until

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        """What ``companion fetch --json`` prints (the README documents it)."""
        return {"ok": self.ok, "fetched": list(self.fetched), "cached": list(self.cached),
                "failed": len(self.failed),
                "problems": [p.to_json() for p in [*self.failed, *self.warnings]],
                "waiting": [p.to_json() for p in self.waiting],
                "throttled": list(self.throttled), "causes": dict(self.causes),
                "youtube_stopped": self.stopped or None}


class Run:
    """What the episodes of one run share: the cap on YouTube downloads (`max_downloads`),
    and the stop: after a 429 or a bot check, no episode asks YouTube again this run."""

    def __init__(self, max_downloads: int | None) -> None:
        self._lock = threading.Lock()
        self.left = max_downloads
        self.stop: YouTubeError | None = None
        self.spotify: SpotifyApi | None = None  # the Web API, when its credentials are set

    def check(self, where: str) -> None:
        """Raise the stop's error (for this episode) when the run stopped asking YouTube."""
        with self._lock:
            stop = self.stop
        if stop is not None:
            raise YouTubeError(f"not asked: {stop.cause.what} earlier in this run",
                               where=where, fix=stop.fix, cause=stop.cause,
                               retry_after=stop.retry_after)

    def take_download(self, where: str) -> None:
        """Count one YouTube download; over the cap, the episode waits for the next run."""
        with self._lock:
            if self.left is not None and self.left <= 0:
                raise Waiting("waits for the next run: this run reached max_downloads",
                              where=where, fix="run `companion fetch` again (or raise "
                                               "[fetch] max_downloads)")
            if self.left is not None:
                self.left -= 1

    def stopped_by(self, error: YouTubeError) -> None:
        if error.cause.stop:
            with self._lock:
                self.stop = self.stop or error


class Waiting(FetchError):
    """An episode not fetched this run, by design (not an error): a cap, a premiere."""


def fetch(articles: Iterable[Article], site: Site, refresh: bool = False,
          progress: Progress | None = None, *, options: FetchOptions | None = None
          ) -> FetchReport:
    """Fill the cache for `articles`, several at once; one failure does not stop the others."""
    opts = configured(options or FetchOptions(), site)
    cache = Cache(site.cache_dir)
    todo = list(articles)
    report = FetchReport()
    run = Run(opts.settings.max_downloads if opts.settings else None)
    with _http.client(opts) as http, ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        run.spotify = _spotify_api(http, site, todo, report)
        results = pool.map(lambda a: _fetch_one(a, cache, refresh, opts, http, progress, run),
                           todo)
        for article, outcome in zip(todo, results, strict=True):
            _add(report, article, outcome)
    if run.stop is not None:
        report = dataclasses.replace(report, stopped=run.stop.fix)
    return _redacted(report, opts.secrets)


def _spotify_api(http: httpx.Client, site: Site, todo: list[Article], report: FetchReport
                 ) -> SpotifyApi | None:
    """The Web API for the run when its credentials are set and an episode needs Spotify."""
    if not any(a.spotify_id for a in todo):
        return None
    from companion._fetch.spotify_api import SpotifyApi

    try:
        return SpotifyApi.from_environ(http, site.pair.market)
    except CompanionError as exc:  # one of the two variables alone
        report.warnings.append(exc.problem("warning"))
        return None


def configured(opts: FetchOptions, site: Site) -> FetchOptions:
    """`opts` with the project's `[fetch]` settings (unless `opts.settings` gives its own),
    their secrets, and the yt-dlp source told of them."""
    settings = opts.settings or site.fetch
    check_cookies(settings, site.root)
    secrets = Secrets.of(settings, site.root)
    video = opts.video
    if isinstance(video, YtDlpSource):
        video = video.configured(settings, site.root, secrets)
    return dataclasses.replace(opts, settings=settings, secrets=secrets, video=video)


def _add(report: FetchReport, article: Article, outcome: Problem | Outcome) -> None:
    if isinstance(outcome, Problem):
        report.failed.append(outcome)
        return
    if isinstance(outcome, Waiting):
        report.waiting.append(outcome.problem("info"))
        return
    if isinstance(outcome, YouTubeError):
        if outcome.cause.code == "throttled":
            report.throttled.append(article.slug)
        report.causes[article.slug] = outcome.cause.code
        report.failed.append(outcome.problem())
        return
    fetched, warnings = outcome
    (report.fetched if fetched else report.cached).append(article.slug)
    report.warnings.extend(warnings)


def _redacted(report: FetchReport, secrets: Secrets | None) -> FetchReport:
    """The report with every secret hidden in its messages and fixes."""
    if secrets is None:
        return report

    def clean(problems: list[Problem]) -> list[Problem]:
        return [dataclasses.replace(p, message=secrets.redact(p.message),
                                    fix=secrets.redact(p.fix)) for p in problems]

    return dataclasses.replace(report, failed=clean(report.failed),
                               warnings=clean(report.warnings), waiting=clean(report.waiting),
                               stopped=secrets.redact(report.stopped))


Outcome = tuple[bool, list[Problem]] | Waiting | YouTubeError


def _fetch_one(article: Article, cache: Cache, refresh: bool, opts: FetchOptions,
               http: httpx.Client, progress: Progress | None, run: Run | None = None
               ) -> Problem | Outcome:
    _tell(progress, FetchEvent(article.slug, "start"))
    warnings: list[Problem] = []
    try:
        fetched = fetch_episode(article, cache, refresh, opts, http, warnings, run=run)
    except Waiting as exc:
        _tell(progress, FetchEvent(article.slug, "done", "waiting"))
        return exc
    except YouTubeError as exc:
        if exc.cause.wait:
            _tell(progress, FetchEvent(article.slug, "done", "waiting"))
            return Waiting(exc.message, where=exc.where, fix=exc.fix)
        if exc.cause.code == "throttled":
            _mark_throttled(cache, article)
        _tell(progress, FetchEvent(article.slug, "failed", exc.message))
        return exc
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
                  http: httpx.Client, warnings: list[Problem] | None = None, *,
                  run: Run | None = None) -> bool:
    """Everything an episode needs, fetched first, then written to the cache.

    Returns whether anything was fetched (False: the cache had it all). What failed
    without failing the episode (a thumbnail) is added to `warnings`."""
    with cache.tempdir() as tmp:
        job = Job(article, cache, refresh, opts, http, Path(tmp),
                  [] if warnings is None else warnings, run)
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
        return [*_thumbs.missing_thumbnail(job, rel, cached), *_settled_captions(job)]
    info, sub, automatic = _asked(job, lambda: job.opts.video.info(
        job.opts.youtube_url.format(id=video_id), job.where, lang=job.article.lang,
        workdir=job.work))
    _warn(job, info)
    settling = _settle.unsettled(info, _settle_hours(job), _now())
    if settling is not None:
        sub = None  # the captions of a fresh video improve: a later run fetches them
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
            lambda: _transcripts.store(cache, video_id, found),
            lambda: _settle.remember(cache, video_id, settling)]


def _now() -> datetime:
    return clock_now(UTC)


def _settle_hours(job: Job) -> float:
    return job.opts.settings.settle_hours if job.opts.settings else 6.0


def _settled_captions(job: Job) -> list[Commit]:
    """A video fetched while fresh: once it has settled, its captions, once."""
    video_id = str(job.article.youtube_id)
    if not _settle.due(job.cache, video_id, job.article.slug, _now()):
        return []
    _, sub, automatic = _asked(job, lambda: job.opts.video.info(
        job.opts.youtube_url.format(id=video_id), job.where, lang=job.article.lang,
        workdir=job.work))
    found = [(job.article.lang, sub.read_text(encoding="utf-8", errors="replace"), automatic)
             ] if sub else []
    return [lambda: _transcripts.store(job.cache, video_id, found),
            lambda: _settle.remember(job.cache, video_id, None)]


def _warn(job: Job, info: dict[str, Any]) -> None:
    """yt-dlp's warnings that matter (a missing runtime, SABR, a deprecation) -> warnings."""
    for cause, text in notable_warnings(info.pop(WARNINGS_KEY, None) or []):
        fix = cause.fix if cause else f"update yt-dlp: {UPDATE}"
        job.warnings.append(Problem("warning", job.where, f"yt-dlp: {first_line(text)}", fix))


T = TypeVar("T")


def _asked(job: Job, call: Callable[[], T], *, download: bool = False) -> T:
    """Ask YouTube (through the video source) unless this run stopped asking it; a
    download counts against max_downloads; a 429 or a bot check stops the run asking."""
    if job.run is not None:
        job.run.check(job.where)
        if download:
            job.run.take_download(job.where)
    try:
        return call()
    except YouTubeError as exc:
        if job.run is not None:
            job.run.stopped_by(exc)
        raise


def _fetch_spotify(job: Job) -> list[Commit]:
    episode_id = str(job.article.spotify_id)
    rel = _pair_spotify.cache_rel(episode_id)
    if not job.refresh and job.cache.read_json(rel, job.article.slug) is not None:
        return []
    data = _from_web_api(job, episode_id) or _spotify.fetch_oembed(
        job.http, episode_id, job.where, base_url=job.opts.oembed_url)
    return [lambda: job.cache.write_json(rel, data)]


def _from_web_api(job: Job, episode_id: str) -> dict[str, Any] | None:
    """The Web API's record when its credentials are set (None: oEmbed serves; a warning
    says why when the API failed). An episode Spotify does not know fails the episode."""
    from companion._fetch import spotify_api as _api

    api = job.run.spotify if job.run is not None else None
    if api is None:
        return None
    try:
        return _api.record(api.episode(episode_id, job.where))
    except FetchError as exc:
        if exc.message.startswith("Spotify does not know"):
            raise
        job.warnings.append(Problem("warning", job.where, f"{exc.message}; oEmbed served "
                                    "the title and artwork only", exc.fix))
        return None


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _fetch_audio(job: Job) -> list[Commit]:
    source = audio_source(job.article)
    if source is None or not (_is_url(source) or source.startswith("youtube:")):
        return []
    cache, where, slug = job.cache, job.where, job.article.slug
    retry = source.startswith("youtube:") and _throttled(cache, job.article)
    refresh = job.refresh or retry
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
        if retry:
            cache.path(_throttled_rel(job.article)).unlink(missing_ok=True)

    return [commit]


def _throttled_rel(article: Article) -> str:
    return f"fetch/throttled/{article.youtube_id}.json"


def _throttled(cache: Cache, article: Article) -> bool:
    """Whether an earlier run refused this video's degraded download (so: try again)."""
    return bool(article.youtube_id) and cache.path(_throttled_rel(article)).is_file()


def _mark_throttled(cache: Cache, article: Article) -> None:
    if article.youtube_id:
        cache.write_json(_throttled_rel(article), {"id": article.youtube_id,
                                                   "at": _now().isoformat()})


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
    raw = _asked(job, lambda: job.opts.video.video(
        job.opts.youtube_url.format(id=article.youtube_id), job.where, job.work), download=True)
    mp4 = _video.make_mp4(raw, job.work / "published.mp4", job.where)
    return [lambda: _video.store_video(job.cache, mp4, source, job.where)]


def _download(job: Job, source: str) -> Path:
    if source.startswith("youtube:"):
        url = job.opts.youtube_url.format(id=source.split(":", 1)[1])
        return _asked(job, lambda: job.opts.video.audio(url, job.where, job.work), download=True)
    name = "producer" + (Path(source.split("?", 1)[0]).suffix or ".audio")
    return _http.download(job.http, source, job.work / name, job.where,
                          job.opts.max_audio_bytes, AUDIO_FIX)


def _prepare(raw: Path, work: Path, where: str) -> Path:
    """yt-dlp's m4a is DASH: remux it (faststart) so every player reads the right duration."""
    if raw.suffix.lower() in (".m4a", ".mp4"):
        return _audio.remux_m4a(raw, work / "remuxed.m4a", where)
    return raw
