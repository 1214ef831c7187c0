"""The video-source seam: what `companion fetch` asks of YouTube, and yt-dlp answering it.

`VideoSource` is the two questions fetch asks (a video's info with captions, its audio);
`YtDlpSource` answers them with yt-dlp as a library. yt-dlp is imported inside the
functions that run it, never by a build. Every yt-dlp failure becomes a `FetchError`
naming the episode and saying what to do. Tests hand fetch another `VideoSource`, or
point `YtDlpSource` at a local HTTP server.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import re
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from companion._errors import FetchError
from companion._fetch import quality as _quality
from companion._fetch.cookies import cookies_path
from companion._fetch.diagnose import (
    BY_CODE,
    GENERIC,
    THROTTLED,
    UNKNOWN,
    YouTubeError,
    classify,
    error_for,
    first_line,
    no_formats,
    retry_after,
)
from companion._fetch.redact import Secrets
from companion._fetch.runtime import find_runtime
from companion._site_model import FetchSettings

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
    """The real video source: yt-dlp, with its own timeout and retries, the `[fetch]`
    settings (cookies, proxy, pace, extractor_args) and a JavaScript runtime passed
    explicitly (`js_runtimes`; None: the one `runtime.find_runtime` finds).

    A failure that may pass (a timeout, a broken connection, HTTP 5xx, a truncated
    download) is asked again `retries` times, after `backoff` seconds doubled each time
    plus a random part (jitter), at most `max_backoff`; `sleep` waits (tests: no wait)."""

    timeout: float = 20.0
    retries: int = 3
    settings: FetchSettings = field(default_factory=FetchSettings)
    root: Path | None = None  # the project folder: a relative cookies path is in it
    js_runtimes: Mapping[str, Mapping[str, str]] | None = None
    backoff: float = 2.0
    max_backoff: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    secrets: Secrets = field(default_factory=Secrets, compare=False)
    #: yt-dlp extractor classes asked before yt-dlp's own, for the URLs they take (a
    #: newsroom's own site; a test's recorded YouTube answers on a local server).
    extractors: tuple[type, ...] = ()

    def configured(self, settings: FetchSettings, root: Path, secrets: Secrets
                   ) -> YtDlpSource:
        """This source with a project's `[fetch]` settings."""
        return dataclasses.replace(self, settings=settings, root=root, secrets=secrets)

    def info(self, url: str, where: str, *, lang: str, workdir: Path
             ) -> tuple[dict[str, Any], Path | None, bool]:
        """Info (sanitized, untrimmed), the caption file in `lang` if any, and whether automatic.

        Manual subtitles win over automatic captions (yt-dlp's own rule when both are asked).
        yt-dlp's warnings that matter are in the info under `WARNINGS_KEY`. An info without
        formats (yt-dlp turns a bot check, a private or age-restricted video, a geo block
        into warnings with ``ignore_no_formats_error``) raises its diagnosis."""
        info = self._run(url, where, format=AUDIO_FORMAT, ignore_no_formats_error=True,
                         **caption_options(lang, workdir))
        return (info, *chosen_caption(info, lang))

    def audio(self, url: str, where: str, workdir: Path) -> Path:
        """Download the best audio of a video into `workdir`; returns the file. A degraded
        download (throttled: see `quality.degraded`) raises, and the file is not kept."""
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
        info = self._run(url, where, skip_download=False, format=selector,
                         outtmpl={"default": str(template)}, overwrites=True, updatetime=False,
                         **self._pace(), **extra)
        files = [Path(d["filepath"]) for d in info.get("requested_downloads") or []
                 if d.get("filepath")]
        if not files or not files[0].is_file():
            raise FetchError(f"yt-dlp downloaded no {what} from {url}", where=where, fix=fix)
        floor = self.settings.min_audio_kbps if what == "audio" else 0
        problem = _quality.degraded(info, files[0], floor, where)
        if problem:
            files[0].unlink(missing_ok=True)
            raise error_for(THROTTLED, url, where, problem)
        return files[0]

    def _pace(self) -> dict[str, Any]:
        """The download-only options: the rate limit and the random sleep before each."""
        pace: dict[str, Any] = {}
        if self.settings.rate_limit:
            pace["ratelimit"] = self.settings.rate_limit
        if self.settings.sleep_interval:
            low, high = self.settings.sleep_interval
            pace.update(sleep_interval=low, max_sleep_interval=high)
        return pace

    def params(self, log: Log, **extra: Any) -> dict[str, Any]:
        """Every yt-dlp option of a call: `options` and the `[fetch]` settings."""
        runtimes = self.js_runtimes
        if runtimes is None:
            found = find_runtime()
            runtimes = found.js_runtimes() if found else {}
        return options(log, timeout=self.timeout, retries=self.retries,
                       js_runtimes={k: dict(v) for k, v in runtimes.items()},
                       **settings_options(self.settings, self.root), **extra)

    def _run(self, url: str, where: str, **extra: Any) -> dict[str, Any]:
        """yt-dlp's info for `url` (downloaded if `extra` says so), diagnosed; a failure
        that may pass is asked again (`retries`, with backoff and jitter)."""
        for attempt in range(self.retries + 1):
            log = Log(self.secrets)
            try:
                info = _run(url, self.params(log, **extra), log, self.extractors)
            except YouTubeError as error:
                if not error.cause.retry or attempt >= self.retries:
                    raise _placed(error, where) from None
                self.sleep(min(self.max_backoff, self.backoff * 2 ** attempt)
                           * (1 + random.random()))  # noqa: S311 - jitter, not a secret
                continue
            info[WARNINGS_KEY] = [self.secrets.redact(m) for m in log.warnings]
            if no_formats(info):
                raise _placed(_no_formats_error(info, log, url), where)
            return info
        raise AssertionError("unreachable")  # pragma: no cover


#: Where `YtDlpSource.info` leaves yt-dlp's warnings in the info (never cached: trimmed).
WARNINGS_KEY = "_companion_warnings"


def _placed(error: YouTubeError, where: str) -> YouTubeError:
    return YouTubeError(error.message, where=where, fix=error.fix, cause=error.cause,
                        retry_after=error.retry_after)


def _no_formats_error(info: Mapping[str, Any], log: Log, url: str) -> YouTubeError:
    """Why yt-dlp found nothing to download, from the info and the warnings before."""
    if info.get("live_status") == "is_upcoming":
        cause = BY_CODE["upcoming"]
    else:
        cause = classify(log.warnings) or BY_CODE["outdated"]
    detail = next((m for m in log.warnings if classify([m]) is cause), "no formats")
    return error_for(cause, url, "", first_line(detail))


class Log:
    """A yt-dlp logger that keeps messages instead of printing them (secrets hidden).

    `warnings` are yt-dlp's warnings, kept apart: fetch reads them (a missing runtime,
    formats missing, SABR, a bot check yt-dlp only warned of)."""

    def __init__(self, secrets: Secrets | None = None) -> None:
        self.messages: list[str] = []
        self.warnings: list[str] = []
        self._secrets = secrets or Secrets()

    def debug(self, msg: str) -> None:
        if not msg.startswith("[debug] "):
            self.messages.append(self._secrets.redact(msg))

    def info(self, msg: str) -> None:
        self.messages.append(self._secrets.redact(msg))

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        text = self._secrets.redact(re.sub(r"^WARNING:\s*", "", msg))
        self.messages.append(f"WARNING: {text}")
        if text not in self.warnings:
            self.warnings.append(text)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self.messages.append(self._secrets.redact(msg))


def options(log: Log, *, timeout: float, retries: int, **extra: Any) -> dict[str, Any]:
    """yt-dlp options, all explicit. Warnings are not silenced: `log` keeps them."""
    return {
        "quiet": True, "noprogress": True, "skip_download": True,
        "noplaylist": True, "logger": log, "socket_timeout": timeout, "retries": retries,
        "extractor_retries": retries, "fragment_retries": retries, "color": "no_color",
        "cachedir": False, **extra,
    }


def settings_options(settings: FetchSettings, root: Path | None) -> dict[str, Any]:
    """yt-dlp's options for `[fetch]`: cookies, proxy, the pace between requests,
    extractor_args (values as lists, as yt-dlp wants them)."""
    out: dict[str, Any] = {}
    cookies = cookies_path(settings, root)
    if cookies is not None:
        out["cookiefile"] = str(cookies)
    if settings.cookies_from_browser:
        out["cookiesfrombrowser"] = browser_spec(settings.cookies_from_browser)
    if settings.proxy:
        out["proxy"] = settings.proxy
    if settings.sleep_requests:
        out["sleep_interval_requests"] = settings.sleep_requests
    if settings.extractor_args:
        out["extractor_args"] = {ie: {k: list(v) for k, v in args.items()}
                                 for ie, args in settings.extractor_args.items()}
    return out


def browser_spec(text: str) -> tuple[str, str | None, str | None, str | None]:
    """yt-dlp's ``BROWSER[+KEYRING][:PROFILE][::CONTAINER]`` as its option tuple
    (yt_dlp/__init__.py reads ``--cookies-from-browser`` the same way)."""
    found = re.fullmatch(r"(?P<name>[^+:]+)(?:\s*\+\s*(?P<keyring>[^:]+))?"
                         r"(?:\s*:\s*(?!:)(?P<profile>.+?))?(?:\s*::\s*(?P<container>.+))?",
                         text.strip())
    if found is None:
        return (text.strip().lower(), None, None, None)
    return (found["name"].lower(), found["profile"], found["keyring"] and found["keyring"].upper(),
            found["container"])


def _run(url: str, opts: dict[str, Any], log: Log, extractors: tuple[type, ...] = ()
         ) -> dict[str, Any]:
    from yt_dlp import YoutubeDL  # here, not at import: a build from the cache never needs it
    from yt_dlp.utils import DownloadError

    try:
        with YoutubeDL(opts) as ydl:
            ie_key = None
            for kind in extractors:
                ydl.add_info_extractor(kind())
                if ie_key is None and kind.suitable(url):  # type: ignore[attr-defined]
                    ie_key = kind.ie_key()  # type: ignore[attr-defined]
            info = ydl.extract_info(url, download=True, ie_key=ie_key)  # skip_download: captions
            return dict(YoutubeDL.sanitize_info(info))
    except DownloadError as exc:
        error = diagnosed(exc, log, url)
    _collect_error_responses()
    raise error


def diagnosed(exc: BaseException, log: Log, url: str) -> YouTubeError:
    """The diagnosis of a yt-dlp exception (its message, its chain, the warnings before)."""
    from yt_dlp.utils import GeoRestrictedError

    original = getattr(exc, "exc_info", None)
    inner = original[1] if isinstance(original, tuple) and len(original) > 1 else None
    geo = isinstance(inner, GeoRestrictedError)
    message = log._secrets.redact(str(exc))
    cause = classify([message], geo=geo)
    if cause is None or cause.code in GENERIC:  # the warnings before may say why
        cause = classify(log.warnings) or cause or UNKNOWN
    error = error_for(cause, url, "", first_line(message), retry_after(exc))
    countries = getattr(inner, "countries", None) if geo else None
    if countries:
        return YouTubeError(error.message, where="", cause=cause, retry_after=None,
                            fix=f"{cause.fix}; it plays in: {', '.join(map(str, countries))}")
    return error


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
                   timeout: float = 20, retries: int = 3,
                   settings: FetchSettings | None = None) -> dict[str, Any]:
    """Run an extractor's raw result (as stored by --write-info-json) through yt-dlp.

    With `captions` (lang, folder), the captions are written as by `YtDlpSource.info`.
    A failure raises its diagnosis (`YouTubeError`), as a fetch would."""
    extra = caption_options(*captions) if captions else {}
    log = Log()
    opts = options(log, timeout=timeout, retries=retries, format=AUDIO_FORMAT,
                   **settings_options(settings or FetchSettings(), None), **extra)
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import DownloadError

    try:
        with YoutubeDL(opts) as ydl:
            info = ydl.process_ie_result(dict(ie_result), download=bool(captions))
            return dict(YoutubeDL.sanitize_info(info))
    except DownloadError as exc:
        error = _placed(diagnosed(exc, log, str(ie_result.get("webpage_url") or "")),
                        "info JSON")
    raise error


def fetch_error(message: str, where: str, url: str) -> FetchError:
    """A yt-dlp error message -> its diagnosis (a `YouTubeError`, with the fix)."""
    cause = classify([message]) or UNKNOWN
    return _placed(error_for(cause, url, "", first_line(message)), where)
