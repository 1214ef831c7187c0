"""YouTube through yt-dlp as a library: metadata, captions and audio.

The network is touched only by `fetch_info` and `download_audio` (run by
`companion fetch`); a build reads the trimmed info JSON from the cache through
`video_from_info`. Every yt-dlp failure becomes a `FetchError` naming the
episode and saying what to do.
"""

from __future__ import annotations

import gc
import re
import warnings
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from companion._errors import FetchError
from companion._model import Thumbnail, YouTubeVideo
from companion._pair import thumbnails as _thumbnails
from companion._pair.cache import corrupt, need
from companion._pair.chapters import episode_chapters

WATCH_URL = "https://www.youtube.com/watch?v={id}"
AUDIO_FORMAT = "bestaudio[ext=m4a]/bestaudio/best"
KEEP = ("id", "title", "description", "duration", "upload_date", "timestamp", "channel",
        "channel_url", "uploader", "webpage_url", "tags", "chapters", "extractor",
        "extractor_key")


class Log:
    """A yt-dlp logger that keeps messages instead of printing them."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def debug(self, msg: str) -> None:
        if not msg.startswith("[debug] "):
            self.messages.append(msg)

    def info(self, msg: str) -> None:
        self.messages.append(msg)

    def warning(self, msg: str) -> None:
        self.messages.append(f"WARNING: {msg}")

    def error(self, msg: str) -> None:
        self.messages.append(msg)


def cache_rel(video_id: str) -> str:
    return f"youtube/{video_id}.info.json"


def watch_url(video_id: str) -> str:
    return WATCH_URL.format(id=video_id)


def options(log: Log, *, timeout: float, retries: int, **extra: Any) -> dict[str, Any]:
    """yt-dlp options, all explicit."""
    return {
        "quiet": True, "no_warnings": True, "noprogress": True, "skip_download": True,
        "noplaylist": True, "logger": log, "socket_timeout": timeout, "retries": retries,
        "extractor_retries": retries, "fragment_retries": retries, "color": "no_color",
        "cachedir": False, **extra,
    }


def _run(url: str, where: str, opts: dict[str, Any], download: bool) -> dict[str, Any]:
    from yt_dlp import YoutubeDL  # here, not at import: a build from the cache never needs it
    from yt_dlp.utils import DownloadError

    try:
        with YoutubeDL(opts) as ydl:
            info = ydl.extract_info(url, download=download)
            return dict(YoutubeDL.sanitize_info(info))
    except DownloadError as exc:
        error = fetch_error(str(exc), where, url)
    _collect_error_responses()
    raise error


def _collect_error_responses() -> None:
    """yt-dlp leaves the socket of an HTTP error response to the garbage collector."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def fetch_info(url: str, where: str, *, lang: str, workdir: Path, timeout: float = 20,
               retries: int = 3) -> tuple[dict[str, Any], Path | None, bool]:
    """Info (sanitized, untrimmed), the caption file in `lang` if any, and whether automatic.

    Manual subtitles win over automatic captions (yt-dlp's own rule when both are asked).
    """
    opts = options(Log(), timeout=timeout, retries=retries, format=AUDIO_FORMAT,
                   ignore_no_formats_error=True, **caption_options(lang, workdir))
    info = _run(url, where, opts, download=True)
    return (info, *chosen_caption(info, lang))


def caption_options(lang: str, workdir: Path) -> dict[str, Any]:
    """yt-dlp options that write captions in `lang` (or a regional variant) as WebVTT."""
    return {"writesubtitles": True, "writeautomaticsub": True,
            "subtitleslangs": [re.escape(lang), re.escape(lang) + "-.*"],
            "subtitlesformat": "vtt/best", "skip_download": True,
            "outtmpl": {"default": str(workdir / "%(id)s.%(ext)s")}}


def chosen_caption(info: Mapping[str, Any], lang: str) -> tuple[Path | None, bool]:
    """The written caption file to keep: manual before automatic, exact language first."""
    written = {k: Path(v["filepath"]) for k, v in (info.get("requested_subtitles") or {}).items()
               if isinstance(v, dict) and v.get("filepath") and Path(v["filepath"]).is_file()}
    manual = set(info.get("subtitles") or {})
    order = sorted(written, key=lambda k: (k not in manual, k != lang, k != f"{lang}-orig", k))
    if not order:
        return None, False
    return written[order[0]], order[0] not in manual


def download_audio(url: str, where: str, workdir: Path, *, timeout: float = 20,
                   retries: int = 3) -> Path:
    """Download the best audio of a video into `workdir`; returns the file."""
    opts = options(Log(), timeout=timeout, retries=retries, skip_download=False,
                   format=AUDIO_FORMAT, outtmpl={"default": str(workdir / "audio.%(ext)s")},
                   overwrites=True, updatetime=False)
    info = _run(url, where, opts, download=True)
    files = [Path(d["filepath"]) for d in info.get("requested_downloads") or []
             if d.get("filepath")]
    if not files or not files[0].is_file():
        raise FetchError(f"yt-dlp downloaded no audio from {url}", where=where,
                         fix="check that the video has an audio track, then fetch again")
    return files[0]


def process_result(ie_result: Mapping[str, Any], *, captions: tuple[str, Path] | None = None,
                   timeout: float = 20, retries: int = 3) -> dict[str, Any]:
    """Run an extractor's raw result (as stored by --write-info-json) through yt-dlp.

    With `captions` (lang, folder), the captions are written as by `fetch_info`.
    """
    extra = caption_options(*captions) if captions else {}
    opts = options(Log(), timeout=timeout, retries=retries, format=AUDIO_FORMAT, **extra)
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import DownloadError

    try:
        with YoutubeDL(opts) as ydl:
            info = ydl.process_ie_result(dict(ie_result), download=bool(captions))
            return dict(YoutubeDL.sanitize_info(info))
    except DownloadError as exc:
        error = fetch_error(str(exc), "info JSON", str(ie_result.get("webpage_url") or ""))
    raise error


_FIXES = (
    (("private video", "sign in", "members-only", "403", "forbidden"),
     "the video is private or needs a sign-in",
     "make the video public or unlisted on YouTube, or correct the `video:` link"),
    (("in your country", "geo", "blocked in your"),
     "the video is blocked in this region",
     "fetch from a region where it plays, or remove the `video:` link"),
    (("timed out", "timeout"), "YouTube did not answer in time",
     "check the connection and run `companion fetch` again (try --jobs 1)"),
    (("connection refused", "name or service not known", "network is unreachable",
      "temporary failure in name resolution", "failed to resolve", "no route to host",
      "nodename nor servname", "errno 111", "errno -2", "errno -3"),
     "no network connection", "connect to the internet and run `companion fetch` again"),
    (("video unavailable", "removed", "deleted", "404", "not found", "does not exist",
      "unsupported url", "no video formats"),
     "the video is unavailable (deleted, or the link is wrong)",
     "correct the `video:` link in the article, or remove it"),
)


def fetch_error(message: str, where: str, url: str) -> FetchError:
    """A yt-dlp error message -> a FetchError with a sensible fix."""
    text = message.lower()
    detail = re.sub(r"^ERROR:\s*", "", message.strip().splitlines()[0] if message else "")
    for needles, what, fix in _FIXES:
        if any(n in text for n in needles):
            return FetchError(f"{what}: {url} ({detail})", where=where, fix=fix)
    return FetchError(f"yt-dlp could not read {url} ({detail})", where=where,
                      fix="check the `video:` link, then run `companion fetch` again")


def best_thumbnail(thumbnails: object) -> dict[str, Any] | None:
    """The largest thumbnail (by preference, then area), with width/height and no query."""
    items = [t for t in thumbnails if isinstance(t, dict) and t.get("url")] \
        if isinstance(thumbnails, list) else []
    if not items:
        return None

    def rank(t: dict[str, Any]) -> tuple[int, int]:
        area = int(t.get("width") or 0) * int(t.get("height") or 0)
        return int(t.get("preference") or 0), area

    best = max(items, key=rank)
    out: dict[str, Any] = {"url": _unsigned(str(best["url"]))}
    for key in ("id", "width", "height"):
        if best.get(key) is not None:
            out[key] = best[key]
    return out


def _unsigned(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith("ytimg.com"):
        return urlunsplit(parts._replace(query="", fragment=""))
    return url


def _langs(subs: object, with_ext: bool) -> dict[str, list[dict[str, str]]]:
    if not isinstance(subs, dict):
        return {}
    out: dict[str, list[dict[str, str]]] = {}
    for lang, tracks in sorted(subs.items()):
        if str(lang).startswith("live_chat"):
            continue
        exts = [{"ext": str(t["ext"])} for t in tracks or [] if isinstance(t, dict)
                and t.get("ext")] if with_ext else []
        out[str(lang)] = exts
    return out


def trim_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """yt-dlp's info JSON without formats, headers, signed URLs or private keys.

    companion's own record of the cached thumbnail file (`_thumbnails.RECORD_KEY`) is
    kept when it has the right shape."""
    out = {k: info[k] for k in KEEP if info.get(k) is not None}
    thumb = best_thumbnail(info.get("thumbnails"))
    if thumb:
        out["thumbnails"] = [thumb]
    record = _thumbnails.trimmed_record(info.get(_thumbnails.RECORD_KEY))
    if record is not None:
        out[_thumbnails.RECORD_KEY] = record
    out["subtitles"] = _langs(info.get("subtitles"), with_ext=True)
    out["automatic_captions"] = _langs(info.get("automatic_captions"), with_ext=False)
    return out


def _upload_date(value: object) -> date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{8}", value):
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return None
    return None


def video_from_info(info: dict[str, Any], path: Path, slug: str) -> YouTubeVideo:
    """A YouTubeVideo from a cached, trimmed info JSON (validated at this edge)."""
    video_id = need(info, "id", str, path, slug)
    title = need(info, "title", str, path, slug)
    description = info.get("description") or ""
    duration = info.get("duration")
    if not isinstance(description, str) or not isinstance(duration, int | float | None):
        raise corrupt(path, slug, "description or duration has the wrong type")
    thumbs = info.get("thumbnails") or []
    thumb = thumbs[0] if isinstance(thumbs, list) and thumbs else None
    return YouTubeVideo(
        id=video_id, title=title, description=description,
        duration=float(duration) if duration is not None else None,
        upload_date=_upload_date(info.get("upload_date")),
        channel=_str(info.get("channel") or info.get("uploader")),
        channel_url=_str(info.get("channel_url")),
        webpage_url=_str(info.get("webpage_url")) or watch_url(video_id),
        tags=tuple(str(t) for t in info.get("tags") or () if isinstance(t, str)),
        chapters=episode_chapters(info.get("chapters"), description,
                                  float(duration) if duration is not None else None),
        thumbnail=_thumbnail(thumb),
        subtitle_langs=tuple(sorted(info.get("subtitles") or {})),
        caption_langs=tuple(sorted(info.get("automatic_captions") or {})),
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _thumbnail(thumb: object) -> Thumbnail | None:
    if not isinstance(thumb, dict) or not isinstance(thumb.get("url"), str):
        return None
    width, height = thumb.get("width"), thumb.get("height")
    return Thumbnail(thumb["url"], width if isinstance(width, int) else None,
                     height if isinstance(height, int) else None)
