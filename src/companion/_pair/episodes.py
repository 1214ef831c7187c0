"""The pair stage: an Article becomes an Episode from what the cache holds.

`pair_project` never touches the network: it reads the cache that `companion fetch`
(`_fetch`) fills (yt-dlp info JSON, Spotify oEmbed, audio, captions). What is missing
comes back as a `Problem` naming the episode and `companion fetch`; a cache file
edited into nonsense raises `PairError` naming the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from companion._errors import PairError, Problem
from companion._model import (
    Article,
    Audio,
    Chapter,
    Episode,
    RemoteAudio,
    SpotifyEpisode,
    VideoFile,
    YouTubeVideo,
)
from companion._pair import audio as _audio
from companion._pair import spotify as _spotify
from companion._pair import thumbnails as _thumbnails
from companion._pair import transcripts as _transcripts
from companion._pair import video as _video_files
from companion._pair import youtube as _youtube
from companion._pair.cache import Cache
from companion._read.identity import article_guid
from companion._site_model import Site


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
    remote = _remote_audio(article, cache, problems) if article.remote_audio else None
    audio = None if article.remote_audio else _episode_audio(article, site, cache, problems)
    transcripts = (_transcripts.cached(cache, article.youtube_id, article.slug)
                   if article.youtube_id else ())
    chapters = (_article_chapters(article, audio, video, problems) if article.chapters
                else video.chapters if video else ())
    return Episode(article=article, guid=episode_guid(article), youtube=video,
                   spotify=spotify, audio=audio, chapters=chapters,
                   transcripts=transcripts, remote_audio=remote,
                   video_file=video_file(article, cache)), problems


def _article_chapters(article: Article, audio: Audio | None, video: YouTubeVideo | None,
                      problems: list[Problem]) -> tuple[Chapter, ...]:
    """The article's own `chapters:` (they win over the video's), when they start at 00:00,
    ascend and end within the audio; else a warning and the video's, if any."""
    from companion._pair.chapters import from_description

    duration = audio.duration if audio else video.duration if video else None
    found = from_description("\n".join(article.chapters), duration)
    if not found:
        problems.append(Problem(
            "warning", article.relpath, "chapters: not used: they must be \"MM:SS Title\" "
            "lines, the first at 00:00, ascending"
            + (f", all before the end ({duration:.0f} s)" if duration else ""),
            'write chapters: ["00:00 Welcome", "01:30 The story", ...]', "chapters"))
        return video.chapters if video else ()
    return found


def _remote_audio(article: Article, cache: Cache, problems: list[Problem]
                  ) -> RemoteAudio | None:
    """`remote_audio: true`: what was read once of the enclosure at its own URL."""
    from companion._pair import remote as _remote

    if not article.audio:
        return None
    try:
        found = _remote.cached(cache, article.audio, article.slug)
    except PairError as exc:
        problems.append(exc.problem())
        return None
    if found is None:
        problems.append(_need_fetch(article, f"what the remote audio ({article.audio}) is"))
    return found


def video_file(article: Article, cache: Cache) -> VideoFile | None:
    """The MP4 `fetch` made of the article's YouTube video for a video feed, if it did (the
    build says so when a video feed needs it)."""
    if not article.youtube_id:
        return None
    return _video_files.cached_video(cache, f"youtube:{article.youtube_id}", article.slug)


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
