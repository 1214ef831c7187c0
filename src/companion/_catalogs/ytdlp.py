"""yt-dlp, as the catalogs ask it: a channel's or playlist's flat listing, a video's full
info. `VideoLister` is the seam: `YtDlpLister` runs yt-dlp; a test may replay a recorded
extractor result through the same yt-dlp code (`YtDlpLister.extract`). Every yt-dlp failure
becomes one `CatalogSourceError` naming the source."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from companion._errors import CatalogSourceError
from companion._fetch.video import Log, _collect_error_responses, options


class VideoLister(Protocol):
    """What the catalogs ask of yt-dlp."""

    def listing(self, url: str) -> dict[str, Any]:
        """The flat listing of a channel or playlist (a sanitized playlist info)."""
        ...

    def video(self, url: str) -> dict[str, Any]:
        """A video's full info (sanitized)."""
        ...


@dataclass(frozen=True)
class YtDlpLister:
    """yt-dlp as a library, with its own timeout and retries; `ytdlp_options` are more of
    yt-dlp's options (cookies, proxy, extractor_args: what `[fetch]` tells yt-dlp)."""

    timeout: float = 20.0
    retries: int = 3
    ytdlp_options: Mapping[str, Any] = field(default_factory=dict)

    def listing(self, url: str) -> dict[str, Any]:
        return self._run(url, "channel or playlist", extract_flat="in_playlist", noplaylist=False,
                         lazy_playlist=False,
                         extractor_args={"youtubetab": {"approximate_date": [""]}})

    def video(self, url: str) -> dict[str, Any]:
        return self._run(url, "video", ignore_no_formats_error=True, check_formats=False)

    def extract(self, ydl: Any, url: str) -> Any:
        """yt-dlp's processed answer for `url` (a test replays a recorded extractor result
        here with `ydl.process_ie_result`)."""
        return ydl.extract_info(url, download=False)

    def _run(self, url: str, what: str, **extra: Any) -> dict[str, Any]:
        from yt_dlp import YoutubeDL  # here: only `companion pair` needs it
        from yt_dlp.utils import DownloadError

        given = dict(self.ytdlp_options)
        args = {**given.pop("extractor_args", {})}
        for ie, values in extra.pop("extractor_args", {}).items():
            args[ie] = {**args.get(ie, {}), **values}
        opts = options(Log(), timeout=self.timeout, retries=self.retries,
                       **{**given, **extra, **({"extractor_args": args} if args else {})})
        try:
            with YoutubeDL(opts) as ydl:
                return dict(YoutubeDL.sanitize_info(self.extract(ydl, url)))
        except DownloadError as exc:
            error = ytdlp_error(str(exc), url, what)
        _collect_error_responses()
        raise error


_UNAVAILABLE = ("private", "sign in", "members-only", "unavailable", "removed", "deleted",
                "does not exist", "not found", "404", "terminated", "no longer available")
_FIXES = (
    (("timed out", "timeout"), "YouTube did not answer in time",
     "check the connection and run `companion pair` again, or use the cached catalogs "
     "with --offline"),
    (("connection refused", "name or service not known", "network is unreachable",
      "temporary failure in name resolution", "failed to resolve", "no route to host",
      "nodename nor servname", "errno 111", "errno -2", "errno -3"),
     "no network connection",
     "connect to the internet and run `companion pair` again, or use --offline"),
    (("private", "sign in", "members-only", "403", "forbidden"),
     "the {what} is private or needs a sign-in",
     "make it public or unlisted on YouTube, or remove it from [pair] youtube"),
    (("does not exist", "404", "not found", "unavailable", "terminated", "unsupported url",
      "unable to recognize"),
     "no such {what}",
     "correct the address in [pair] youtube (a channel: https://www.youtube.com/@name)"),
)


def ytdlp_error(message: str, url: str, what: str = "channel or playlist"
                ) -> CatalogSourceError:
    """A yt-dlp error message -> one error naming the source and what to do."""
    text = message.lower()
    detail = re.sub(r"^ERROR:\s*", "", message.strip().splitlines()[0] if message else "")
    for needles, words, fix in _FIXES:
        if any(n in text for n in needles):
            return CatalogSourceError(f"{words.format(what=what)}: {url} ({detail})",
                                      where=url, fix=fix)
    return CatalogSourceError(f"yt-dlp could not read {url} ({detail})", where=url,
                              fix="check the address in [pair] youtube, then run "
                                  "`companion pair` again")


def unavailable(error: CatalogSourceError) -> bool:
    """Whether yt-dlp said the video itself is gone or private (not that the network is)."""
    text = error.message.lower()
    return any(n in text for n in _UNAVAILABLE) and not any(
        n in text for n in _FIXES[0][0] + _FIXES[1][0])
