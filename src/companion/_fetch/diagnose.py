"""What went wrong with a video, from yt-dlp's own words: one cause, its fix, what to do next.

yt-dlp tells companion what happened in three ways: an exception (`DownloadError`
wrapping an `ExtractorError`, a `GeoRestrictedError` with its countries, an `HTTPError`
with its status and headers), a warning (with ``ignore_no_formats_error`` a bot check,
a private or age-restricted video or a geo block arrive as warnings and an info without
formats), or an info whose formats are gone. `diagnose` reads all three and names the
most specific cause first. The texts matched are yt-dlp's (the file is named beside
each) or YouTube's own, as yt-dlp passes them through (playabilityStatus reasons).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from companion._errors import FetchError

UPDATE = 'pip install -U "yt-dlp[default,deno]"'
PACE = ("slow down: set [fetch] sleep_requests = 2 and sleep_interval = [10, 60], "
        "and max_downloads per run")


@dataclass(frozen=True)
class Cause:
    """One kind of failure: its name (`code`, in --json), what the producer is told, the
    fix; whether the same call may succeed if asked again at once (`retry`), whether the
    run stops asking YouTube (`stop`), whether it is only a wait, not an error (`wait`)."""

    code: str
    what: str
    fix: str
    needles: tuple[str, ...] = ()
    retry: bool = False
    stop: bool = False
    wait: bool = False


#: Most specific first. Each needle is matched, lower-cased, in the error and warnings.
CAUSES: tuple[Cause, ...] = (
    # YouTube's reasons for an upcoming premiere or live stream (playabilityStatus), and
    # yt-dlp's own (extractor/eplus.py, niconicochannelplus.py: "This live event will begin").
    Cause("upcoming", "the video has not aired yet (an upcoming premiere or live stream)",
          "nothing to do: companion fetches it on a run after it has aired",
          ("premieres in", "this live event will begin", "live event will begin in",
           "waiting for scheduled stream", "this video will be available in"), wait=True),
    # extractor/youtube/_video.py: 'No supported JavaScript runtime could be found. ...
    # YouTube extraction without a JS runtime has been deprecated, and some formats may be
    # missing'; and 'n challenge solving failed: Some formats may be missing' / 'Signature
    # solving failed'; extractor/youtube/jsc/_builtin/ejs.py: 'No usable challenge solver';
    # jsc/_director.py: 'Remote component ... was skipped'.
    Cause("js-runtime", "yt-dlp has no JavaScript runtime or challenge solver to read YouTube",
          f"{UPDATE} (a Deno binary and the EJS solver), or put Node >= 22 or Deno on "
          "PATH; `companion doctor` shows what yt-dlp finds",
          ("no supported javascript runtime", "challenge solving failed",
           "signature solving failed", "no usable challenge solver",
           "may be required to solve js challenges", "without a js runtime")),
    # YouTube's "Sign in to confirm you’re not a bot" (a typographic apostrophe).
    Cause("bot-check", "YouTube asks this machine to prove it is not a bot",
          "give fetch the cookies of a signed-in YouTube account ([fetch] cookies = "
          "\"cookies.txt\", or cookies_from_browser) or a PO token (README: \"When YouTube "
          "blocks you\"); go slower ([fetch] sleep_requests, sleep_interval, max_downloads); "
          "or run from another network", ("not a bot", "captcha challenge"), stop=True),
    # HTTP 429, and _video.py: 'has been rate-limited by YouTube for up to an hour'.
    Cause("rate-limited", "YouTube is limiting this machine's requests (rate-limited)",
          f"wait before fetching again; then {PACE}",
          ("http error 429", "too many requests", "rate-limited by youtube",
           "this content isn't available, try again later"), stop=True),
    # YouTube's "Sign in to confirm your age"; _video.py _is_agegated's reasons.
    Cause("age-restricted", "the video is age-restricted",
          "give fetch the cookies of a signed-in account that may watch it ([fetch] cookies)",
          ("confirm your age", "age-restricted", "inappropriate for some users",
           "age_verification_required")),
    # YouTube's "Join this channel to get access to members-only content".
    Cause("members-only", "the video is for the channel's members only",
          "give fetch the cookies of a member's account ([fetch] cookies), or link a public "
          "video", ("join this channel", "members-only", "available to this channel's members",
                    "members only")),
    Cause("private", "the video is private",
          "ask the channel to make it public or unlisted, or give fetch the cookies of an "
          "account that may watch it; else correct the `video:` link",
          ("private video", "this video is private")),
    # raise_geo_restricted (extractor/common.py), YouTube's subreason "The uploader has not
    # made this video available in your country".
    Cause("geo-blocked", "the video is blocked in this region",
          "fetch through a proxy in a region where it plays ([fetch] proxy or --proxy)",
          ("not made this video available in your country", "available in your country",
           "not available from your location", "geo restriction", "blocked in your")),
    Cause("removed", "the video was removed or is unavailable",
          "correct the `video:` link in the article, or remove it",
          ("this video has been removed", "video unavailable", "has been terminated",
           "no longer available", "this video does not exist")),
    # _video.py: 'Some {client} client https formats have been skipped as they are missing
    # a URL. YouTube may have enabled the SABR-only streaming experiment'.
    Cause("sabr", "YouTube served formats without URLs (SABR streaming)",
          f"update yt-dlp ({UPDATE}); if it persists, try extractor_args "
          '{youtube = {player_client = ["default", "-web"]}} or a PO token',
          ("are missing a url", "sabr")),
    Cause("forbidden", "the server refused the download (HTTP 403)",
          "update yt-dlp, then give fetch cookies or a PO token ([fetch] extractor_args); "
          f"if it persists, {PACE}", ("http error 403", "forbidden")),
    Cause("truncated", "the download broke off before the end",
          "run `companion fetch` again",
          ("bytes, expected", "more expected", "did not get any data blocks", "incompleteread",
           "incomplete read", "the downloaded file is empty"), retry=True),
    Cause("proxy", "the proxy did not answer", "check [fetch] proxy (or --proxy): its "
          "address, port and password", ("unable to connect to proxy", "proxyerror",
                                         "proxy authentication required", "http error 407")),
    Cause("timeout", "YouTube did not answer in time",
          "check the connection and run `companion fetch` again (try --jobs 1)",
          ("timed out", "timeout"), retry=True),
    Cause("network", "no network connection",
          "connect to the internet and run `companion fetch` again",
          ("connection refused", "name or service not known", "network is unreachable",
           "temporary failure in name resolution", "failed to resolve", "no route to host",
           "nodename nor servname", "errno 111", "errno -2", "errno -3",
           "remote end closed connection"), retry=True),
    Cause("server-error", "the server failed (HTTP 5xx)", "run `companion fetch` again later",
          ("http error 500", "http error 502", "http error 503", "http error 504"), retry=True),
    # YoutubeDL.py: 'Requested format is not available'; extractor errors asking for a
    # report (utils/_utils.py bug_reports_message: 'confirm you are on the latest version').
    Cause("outdated", "yt-dlp could not read the video (usually: yt-dlp is too old for "
          "YouTube's latest change)",
          f"update yt-dlp: {UPDATE}; `companion doctor` shows its age",
          ("requested format is not available", "confirm you are on the latest version",
           "unable to extract", "nsig extraction failed", "signature extraction failed",
           "no video formats found")),
    Cause("not-found", "the video is unavailable (deleted, or the link is wrong)",
          "correct the `video:` link in the article, or remove it",
          ("404", "not found", "does not exist", "unsupported url")),
)
BY_CODE = {c.code: c for c in CAUSES}
#: Causes an error names when yt-dlp only saw the effect ("Requested format is not
#: available", a 403): a warning before it (no JS runtime, SABR) is the better diagnosis.
GENERIC = frozenset({"outdated", "forbidden", "not-found"})
UNKNOWN = Cause("unknown", "yt-dlp could not read the video",
                "check the `video:` link, then run `companion fetch` again; if it persists, "
                f"update yt-dlp ({UPDATE})")
THROTTLED = Cause("throttled", "YouTube gave a degraded download (throttled)",
                  f"nothing was replaced; companion tries again on the next run; if it "
                  f"persists, {PACE}, or give fetch cookies or a PO token")
#: Warnings worth showing in the report even when the video was read.
NOTABLE = ("js-runtime", "sabr", "bot-check", "rate-limited", "age-restricted")
_DEPRECATED = ("deprecated",)


class YouTubeError(FetchError):
    """A diagnosed yt-dlp failure: `cause` says which, `retry_after` when to ask again."""

    def __init__(self, message: str, *, where: str, fix: str, cause: Cause,
                 retry_after: datetime | None = None) -> None:
        super().__init__(message, where=where, fix=fix)
        self.cause = cause
        self.retry_after = retry_after


def classify(texts: Iterable[str], *, geo: bool = False) -> Cause | None:
    """The most specific cause any of `texts` names (None: none known)."""
    if geo:
        return BY_CODE["geo-blocked"]
    joined = "\n".join(texts).lower()
    return next((c for c in CAUSES if any(n in joined for n in c.needles)), None)


def notable_warnings(warnings: Sequence[str]) -> list[tuple[Cause | None, str]]:
    """The warnings a producer should see: a known cause, or a deprecation."""
    out: list[tuple[Cause | None, str]] = []
    for text in warnings:
        cause = classify([text])
        if cause is not None and cause.code in NOTABLE:
            out.append((cause, text))
        elif any(d in text.lower() for d in _DEPRECATED):
            out.append((None, text))
    return out


def retry_after(exc: BaseException | None, now: datetime | None = None) -> datetime | None:
    """When an HTTP 429 in `exc`'s chain says to ask again (its Retry-After header)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
        if getattr(response, "status", None) == 429 and headers is not None:
            return parse_retry_after(headers.get("Retry-After"), now)
        nxt = getattr(exc, "cause", None) or getattr(exc, "exc_info", (None, None))[1]
        exc = nxt if isinstance(nxt, BaseException) else exc.__cause__ or exc.__context__
    return None


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """A Retry-After header (seconds, or an HTTP date) as a moment (None: absent or bad)."""
    if not value:
        return None
    moment = now or datetime.now(UTC)
    text = value.strip()
    if re.fullmatch(r"\d{1,9}", text):
        from datetime import timedelta

        return moment + timedelta(seconds=int(text))
    try:
        found = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def no_formats(info: Mapping[str, Any]) -> bool:
    """An info yt-dlp returned without anything to download."""
    return not info.get("formats") and not info.get("url")


def error_for(cause: Cause, url: str, where: str, detail: str,
              after: datetime | None = None) -> YouTubeError:
    """The `YouTubeError` of `cause` for `url` (`detail`: yt-dlp's words, first line)."""
    fix = cause.fix
    if cause.stop:
        when = f" after {after.strftime('%Y-%m-%d %H:%M UTC')}" if after else " in an hour or more"
        fix = f"{fix}; companion asked YouTube nothing more this run: run fetch again{when}"
    shown = f" ({detail})" if detail else ""
    return YouTubeError(f"{cause.what}: {url}{shown}", where=where, fix=fix, cause=cause,
                        retry_after=after)


def first_line(message: str) -> str:
    """The first line with words of yt-dlp's message, without its ERROR:/WARNING: mark."""
    text = re.sub(r"^\s*(ERROR|WARNING):\s*", "", message.replace("\r", ""))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:300] if lines else ""
