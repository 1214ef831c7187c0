"""The pair stage: an Article becomes an Episode from what the cache holds.

`pair_project` never touches the network: it reads the cache that `fetch`
fills (yt-dlp info JSON, Spotify oEmbed, audio, captions). What is missing
comes back as a `Problem` naming the episode and `companion fetch`; a cache file
edited into nonsense raises `PairError` naming the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from companion._errors import CompanionError, FetchError, PairError, Problem
from companion._model import Article, Audio, Episode, Site, SpotifyEpisode, YouTubeVideo
from companion._pair import audio as _audio
from companion._pair import spotify as _spotify
from companion._pair import thumbnails as _thumbnails
from companion._pair import transcripts as _transcripts
from companion._pair import youtube as _youtube
from companion._pair.cache import Cache
from companion._read.articles import article_guid


@dataclass(frozen=True)
class PairResult:
    episodes: list[Episode]
    problems: list[Problem]


def episode_guid(article: Article) -> str:
    """Explicit `guid:` wins; else UUIDv5 of youtube:<id>, spotify:<id>, or slug:<slug>."""
    return article_guid(article)


def _guid_problem(article: Article) -> list[Problem]:
    if article.guid or article.youtube_id or article.spotify_id:
        return []
    return [Problem("warning", article.relpath,
                    "the episode GUID comes from the file name: renaming the file changes it",
                    f'add `guid: "{episode_guid(article)}"` to the front matter', "guid")]


def _need_fetch(article: Article, what: str, severity: Literal["error", "warning"] = "error"
                ) -> Problem:
    return Problem(severity, article.relpath, f"{what} is not in the cache",
                   f"run `companion fetch {article.slug}`")


def pair_project(articles: Iterable[Article], site: Site) -> PairResult:
    """Episodes for `articles`, from the cache only (no network)."""
    cache = Cache(site.cache_dir)
    episodes: list[Episode] = []
    problems: list[Problem] = []
    for article in articles:
        episode, found = pair_episode(article, site, cache)
        episodes.append(episode)
        problems.extend(found)
    return PairResult(episodes, problems)


def pair_episode(article: Article, site: Site, cache: Cache) -> tuple[Episode, list[Problem]]:
    problems = _guid_problem(article)
    video = _video(article, cache, problems)
    spotify = _spotify_episode(article, cache, problems)
    audio = _episode_audio(article, site, cache, problems)
    transcripts = (_transcripts.cached(cache, article.youtube_id, article.slug)
                   if article.youtube_id else ())
    return Episode(article=article, guid=episode_guid(article), youtube=video,
                   spotify=spotify, audio=audio, chapters=video.chapters if video else (),
                   transcripts=transcripts), problems


def _video(article: Article, cache: Cache, problems: list[Problem]) -> YouTubeVideo | None:
    if not article.youtube_id:
        return None
    rel = _youtube.cache_rel(article.youtube_id)
    info = cache.read_json(rel, article.slug)
    if info is None:
        problems.append(_need_fetch(article, f"YouTube video {article.youtube_id}"))
        return None
    video = _youtube.video_from_info(info, cache.path(rel), article.slug)
    thumb = _thumbnails.cached_file(cache, info, cache.path(rel), article.slug)
    if thumb is None and _thumbnails.thumbnail_url(info) and not article.image:
        problems.append(_need_fetch(article, f"the thumbnail of video {video.id}", "warning"))
    return dataclasses.replace(video, thumbnail_file=thumb)


def _spotify_episode(article: Article, cache: Cache,
                     problems: list[Problem]) -> SpotifyEpisode | None:
    if not article.spotify_id:
        if _spotify.show_link_problem(article.spotify):
            problems.append(Problem("error", article.relpath,
                                    f"{article.spotify} is a Spotify show, not an episode",
                                    "link the episode (open.spotify.com/episode/...)", "spotify"))
        return None
    data = cache.read_json(_spotify.cache_rel(article.spotify_id), article.slug)
    if data is None:
        problems.append(_need_fetch(article, f"Spotify episode {article.spotify_id}", "warning"))
    return _spotify.episode_from_oembed(article.spotify_id, data)


def audio_source(article: Article) -> str | None:
    """Where an episode's audio comes from: a URL, a project path, or youtube:<id>."""
    if article.audio:
        return article.audio
    return f"youtube:{article.youtube_id}" if article.youtube_id else None


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _episode_audio(article: Article, site: Site, cache: Cache,
                   problems: list[Problem]) -> Audio | None:
    source = audio_source(article)
    if source is None:
        return None
    if _is_url(source) or source.startswith("youtube:"):
        audio = _audio.cached_audio(cache, source, article.slug)
        if audio is None:
            problems.append(_need_fetch(article, f"the audio ({source})"))
        return audio
    try:
        return _project_audio(article, site, source)
    except PairError as exc:
        problems.append(exc.problem())
        return None


def _project_audio(article: Article, site: Site, source: str) -> Audio:
    path = (site.root / source).resolve()
    if not path.is_relative_to(site.root.resolve()) or not path.is_file():
        raise PairError(f"audio file {source} not found in the project", where=article.relpath,
                        field="audio", fix="correct the `audio:` path (relative to the project)")
    return _audio.audio_from_file(path, source, article.relpath)


# --- fetch ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FetchOptions:
    """Where and how `fetch` asks (overridable for tests and mirrors)."""

    youtube_url: str = _youtube.WATCH_URL  # "{id}" is replaced by the video id
    oembed_url: str = _spotify.OEMBED_URL
    timeout: float = 20.0
    retries: int = 3
    jobs: int = 4
    formats: tuple[str, ...] = ("mp3",)  # audio formats to have ready besides the original
    max_image_bytes: int = _thumbnails.MAX_BYTES  # largest thumbnail accepted


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


def fetch(articles: Iterable[Article], site: Site, refresh: bool = False,
          progress: Progress | None = None, *, options: FetchOptions | None = None
          ) -> FetchReport:
    """Fill the cache for `articles`, several at once; one failure does not stop the others."""
    opts = options or FetchOptions()
    cache = Cache(site.cache_dir)
    todo = list(articles)
    report = FetchReport()
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        results = pool.map(lambda a: _fetch_one(a, site, cache, refresh, opts, progress), todo)
        for article, outcome in zip(todo, results, strict=True):
            if isinstance(outcome, Problem):
                report.failed.append(outcome)
            else:
                fetched, warnings = outcome
                (report.fetched if fetched else report.cached).append(article.slug)
                report.warnings.extend(warnings)
    return report


def _fetch_one(article: Article, site: Site, cache: Cache, refresh: bool, opts: FetchOptions,
               progress: Progress | None) -> Problem | tuple[bool, list[Problem]]:
    _tell(progress, FetchEvent(article.slug, "start"))
    warnings: list[Problem] = []
    try:
        fetched = fetch_episode(article, site, cache, refresh, opts, warnings)
    except CompanionError as exc:
        _tell(progress, FetchEvent(article.slug, "failed", exc.message))
        return exc.problem()
    except Exception as exc:  # one broken episode must not stop the others
        _tell(progress, FetchEvent(article.slug, "failed", repr(exc)))
        return Problem("error", article.relpath, f"unexpected error while fetching: {exc!r}",
                       "run `companion fetch` again; report it if it persists")
    _tell(progress, FetchEvent(article.slug, "done", "fetched" if fetched else "cached"))
    return fetched, warnings


def _tell(progress: Progress | None, event: FetchEvent) -> None:
    if progress is not None:
        progress(event)


def fetch_episode(article: Article, site: Site, cache: Cache, refresh: bool,
                  opts: FetchOptions, warnings: list[Problem] | None = None) -> bool:
    """Everything an episode needs, fetched first, then written to the cache.

    Returns whether anything was fetched (False: the cache had it all). What failed
    without failing the episode (a thumbnail) is added to `warnings`."""
    warnings = [] if warnings is None else warnings
    with cache.tempdir() as tmp:
        work = Path(tmp)
        commits: list[Callable[[], object]] = []
        if article.youtube_id:
            commits += _fetch_video(article, cache, refresh, opts, work, warnings)
        if article.spotify_id:
            commits += _fetch_spotify(article, cache, refresh, opts)
        commits += _fetch_audio(article, cache, refresh, opts, work)
        for commit in commits:
            commit()
        return bool(commits)


def _fetch_video(article: Article, cache: Cache, refresh: bool, opts: FetchOptions,
                 work: Path, warnings: list[Problem]) -> list[Callable[[], object]]:
    video_id = str(article.youtube_id)
    rel = _youtube.cache_rel(video_id)
    cached = None if refresh else cache.read_json(rel, article.slug)
    if cached is not None:
        return _fetch_missing_thumbnail(article, cache, rel, cached, opts, warnings)
    info, sub, automatic = _youtube.fetch_info(
        opts.youtube_url.format(id=video_id), article.relpath, lang=article.lang,
        workdir=work, timeout=opts.timeout, retries=opts.retries)
    trimmed = _youtube.trim_info(info)
    trimmed["id"] = video_id
    thumb = _fetch_thumbnail(article, trimmed, opts, warnings)
    if thumb is not None:
        trimmed[_thumbnails.RECORD_KEY] = thumb.record
    else:
        _keep_thumbnail(cache, rel, trimmed)
    found = [(article.lang, sub.read_text(encoding="utf-8", errors="replace"), automatic)
             ] if sub else []
    return [*([lambda: _thumbnails.store(cache, thumb)] if thumb is not None else []),
            lambda: cache.write_json(rel, trimmed),
            lambda: _transcripts.store(cache, video_id, found)]


def _fetch_missing_thumbnail(article: Article, cache: Cache, rel: str, info: dict[str, object],
                             opts: FetchOptions, warnings: list[Problem]
                             ) -> list[Callable[[], object]]:
    """The info JSON is cached: fetch only its thumbnail, when that is missing."""
    if _thumbnails.cached_file(cache, info, cache.path(rel), article.slug) is not None:
        return []
    thumb = _fetch_thumbnail(article, info, opts, warnings)
    if thumb is None:
        return []
    updated = {**info, _thumbnails.RECORD_KEY: thumb.record}
    return [lambda: _thumbnails.store(cache, thumb), lambda: cache.write_json(rel, updated)]


def _fetch_thumbnail(article: Article, info: dict[str, object], opts: FetchOptions,
                     warnings: list[Problem]) -> _thumbnails.FetchedThumbnail | None:
    """The video's thumbnail, downloaded and checked; a failure is a warning."""
    url = _thumbnails.thumbnail_url(info)
    if url is None:
        return None
    try:
        return _thumbnails.download(url, article.relpath, timeout=opts.timeout,
                                    max_bytes=opts.max_image_bytes)
    except FetchError as exc:
        warnings.append(Problem(
            "warning", article.relpath, f"{exc.message}; the episode has no artwork of its own",
            f"run `companion fetch {article.slug}` again, or give the episode an `image:`",
            "image"))
        return None


def _keep_thumbnail(cache: Cache, rel: str, trimmed: dict[str, object]) -> None:
    """A refresh whose thumbnail download failed keeps the thumbnail cached before."""
    try:
        before = cache.read_json(rel, "")
    except PairError:
        return
    record = _thumbnails.trimmed_record((before or {}).get(_thumbnails.RECORD_KEY))
    if record is not None and cache.path(str(record["file"])).is_file():
        trimmed[_thumbnails.RECORD_KEY] = record


def _fetch_spotify(article: Article, cache: Cache, refresh: bool,
                   opts: FetchOptions) -> list[Callable[[], object]]:
    episode_id = str(article.spotify_id)
    rel = _spotify.cache_rel(episode_id)
    if not refresh and cache.read_json(rel, article.slug) is not None:
        return []
    data = _spotify.fetch_oembed(episode_id, article.relpath, base_url=opts.oembed_url,
                                 timeout=opts.timeout)
    return [lambda: cache.write_json(rel, data)]


def _fetch_audio(article: Article, cache: Cache, refresh: bool, opts: FetchOptions,
                 work: Path) -> list[Callable[[], object]]:
    source = audio_source(article)
    if source is None or not (_is_url(source) or source.startswith("youtube:")):
        return []
    where = article.relpath
    have = None if refresh else _audio.cached_audio(cache, source, article.slug)
    original = have.path if have else _prepare(_download(source, article, opts, work), work,
                                               where)
    info = _audio.probe(original, where, fix="fetch again with --refresh; the download is bad")
    variants = [_audio.convert(original, work / f"variant.{fmt}", fmt, where, info.bitrate)
                for fmt in opts.formats if fmt != info.ext and (
                    refresh or _audio.cached_audio(cache, source, article.slug, fmt) is None)]
    if have is not None and not variants:
        return []

    def commit() -> None:
        if have is None:
            _audio.store_audio(cache, original, source, where, original=True)
        for path in variants:
            _audio.store_audio(cache, path, source, where, original=False)

    return [commit]


def _download(source: str, article: Article, opts: FetchOptions, work: Path) -> Path:
    if source.startswith("youtube:"):
        url = opts.youtube_url.format(id=source.split(":", 1)[1])
        return _youtube.download_audio(url, article.relpath, work, timeout=opts.timeout,
                                       retries=opts.retries)
    name = "producer" + (Path(source.split("?", 1)[0]).suffix or ".audio")
    return _audio.download_url(source, work / name, article.relpath, timeout=opts.timeout)


def _prepare(raw: Path, work: Path, where: str) -> Path:
    """yt-dlp's m4a is DASH: remux it (faststart) so every player reads the right duration."""
    if raw.suffix.lower() in (".m4a", ".mp4"):
        return _audio.remux_m4a(raw, work / "remuxed.m4a", where)
    return raw
