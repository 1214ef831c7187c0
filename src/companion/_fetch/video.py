"""The video-source seam: what `companion fetch` asks of YouTube, and yt-dlp answering it.

`VideoSource` is the two questions fetch asks (a video's info with captions, its audio);
`YtDlpSource` answers them with yt-dlp as a library. yt-dlp is imported inside the
functions that run it, never by a build. Every yt-dlp failure becomes a `FetchError`
naming the episode and saying what to do. Tests hand fetch another `VideoSource`, or
point `YtDlpSource` at a local HTTP server.
"""

from __future__ import annotations

import gc
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from companion._errors import FetchError

AUDIO_FORMAT = "bestaudio[ext=m4a]/bestaudio/best"
#: The video a video feed publishes: H.264 + AAC at most 1080 lines, merged without
#: re-encoding (`_pair.video.make_mp4` then only remuxes it, faststart); else the best at
#: most 1080 lines; else the best there is (re-encoded, and scaled to 1080 lines, after).
#: `<=?` lets a format of unknown height through (a page's plain <video> source).
VIDEO_FORMAT = ("bv*[vcodec^=avc1][height<=?1080]+ba[acodec^=mp4a]"
                "/b[vcodec^=avc1][acodec^=mp4a][height<=?1080]"
                "/bv*[height<=?1080]+ba/b[height<=?1080]/bv*+ba/b")


class VideoSource(Protocol):
    """Where fetch gets a video's metadata, captions and audio."""

    def info(self, url: str, where: str, *, lang: str, workdir: Path
             ) -> tuple[dict[str, Any], Path | None, bool]:
        """Info (untrimmed), the caption file in `lang` if any, and whether it is automatic."""
        ...

    def audio(self, url: str, where: str, workdir: Path) -> Path:
        """The video's best audio, downloaded into `workdir`."""
        ...

    def video(self, url: str, where: str, workdir: Path) -> Path:
        """The video itself (`VIDEO_FORMAT`), downloaded into `workdir`."""
        ...


@dataclass(frozen=True)
class YtDlpSource:
    """The real video source: yt-dlp, with its own timeout and retries."""

    timeout: float = 20.0
    retries: int = 3

    def info(self, url: str, where: str, *, lang: str, workdir: Path
             ) -> tuple[dict[str, Any], Path | None, bool]:
        """Info (sanitized, untrimmed), the caption file in `lang` if any, and whether automatic.

        Manual subtitles win over automatic captions (yt-dlp's own rule when both are asked).
        """
        opts = options(Log(), timeout=self.timeout, retries=self.retries, format=AUDIO_FORMAT,
                       ignore_no_formats_error=True, **caption_options(lang, workdir))
        info = _run(url, where, opts, download=True)
        return (info, *chosen_caption(info, lang))

    def audio(self, url: str, where: str, workdir: Path) -> Path:
        """Download the best audio of a video into `workdir`; returns the file."""
        return self._download(url, where, workdir / "audio.%(ext)s", AUDIO_FORMAT, "audio",
                              "check that the video has an audio track, then fetch again")

    def video(self, url: str, where: str, workdir: Path) -> Path:
        """Download the video (`VIDEO_FORMAT`: video and audio merged into one file, remuxed,
        not re-encoded) into `workdir`; returns the file."""
        return self._download(url, where, workdir / "video.%(ext)s", VIDEO_FORMAT, "video",
                              "check that the video plays on YouTube, then fetch again",
                              merge_output_format="mp4/mkv")

    def _download(self, url: str, where: str, template: Path, selector: str, what: str,
                  fix: str, **extra: Any) -> Path:
        opts = options(Log(), timeout=self.timeout, retries=self.retries, skip_download=False,
                       format=selector, outtmpl={"default": str(template)}, overwrites=True,
                       updatetime=False, **extra)
        info = _run(url, where, opts, download=True)
        files = [Path(d["filepath"]) for d in info.get("requested_downloads") or []
                 if d.get("filepath")]
        if not files or not files[0].is_file():
            raise FetchError(f"yt-dlp downloaded no {what} from {url}", where=where, fix=fix)
        return files[0]


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


def process_result(ie_result: Mapping[str, Any], *, captions: tuple[str, Path] | None = None,
                   timeout: float = 20, retries: int = 3) -> dict[str, Any]:
    """Run an extractor's raw result (as stored by --write-info-json) through yt-dlp.

    With `captions` (lang, folder), the captions are written as by `YtDlpSource.info`.
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
