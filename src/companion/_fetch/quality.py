"""Degraded downloads, refused: what came compared with what the info promised.

When YouTube throttles a client, a download often still succeeds, with only the 360p
format (itag 18: 360p H.264 with 96 kbit/s AAC), or a low-bitrate audio stream, or a
file cut short. The format list and the duration are checked for every site; the audio
bitrate floor for YouTube's answers. `degraded` says what is wrong (None: nothing);
fetch then keeps the previous good file, marks the episode throttled and tries again on
a later run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from companion._errors import CompanionError

#: How far the file's duration may be from the info's (seconds).
DURATION_SLACK = 5.0
#: The format YouTube falls back to when it throttles: 360p H.264 + AAC, one file.
FALLBACK_ITAG = "18"


def degraded(info: Mapping[str, Any], path: Path, min_kbps: int, where: str) -> str | None:
    """Why the download `path` of `info` is degraded (None: it is not)."""
    formats = [f for f in info.get("formats") or [] if isinstance(f, Mapping)]
    found = format_list_problem(formats)
    if found:
        return found
    probed = _probe(path, where)
    if probed is None:
        return None
    duration, bitrate = probed
    if min_kbps and bitrate and bitrate < min_kbps * 1000 and from_youtube(info):
        return f"the audio is {bitrate // 1000} kbit/s, below the floor of {min_kbps} kbit/s"
    expected = info.get("duration")
    if isinstance(expected, int | float) and expected > 0 and duration and abs(
            duration - expected) > DURATION_SLACK:
        return (f"the file lasts {duration:.0f} s where the video lasts {expected:.0f} s")
    return None


def from_youtube(info: Mapping[str, Any]) -> bool:
    """Whether yt-dlp's YouTube extractor answered (the bitrate floor is for its audio:
    another site's low-bitrate file is what that site has)."""
    return str(info.get("extractor_key") or info.get("extractor") or "").lower().startswith(
        "youtube")


def format_list_problem(formats: list[Mapping[str, Any]]) -> str | None:
    """Only itag 18, or nothing above 360 lines: YouTube's throttled answer."""
    ids = {str(f.get("format_id")) for f in formats}
    if ids == {FALLBACK_ITAG}:
        return "YouTube offered only format 18 (360p)"
    heights = [f["height"] for f in formats if isinstance(f.get("height"), int)]
    if heights and max(heights) <= 360:
        return f"YouTube offered only {max(heights)}p formats"
    return None


def _probe(path: Path, where: str) -> tuple[float, int | None] | None:
    """The duration and bitrate of an audio file; of a video file, None (not probed)."""
    from companion._pair import audio as _audio

    if path.suffix.lower() not in (".m4a", ".mp3", ".opus", ".ogg", ".aac", ".webm", ".mp4"):
        return None
    try:
        info = _audio.probe(path, where)
    except CompanionError:
        return None  # not audio mutagen reads: the caller's own probe says so
    return info.duration, info.bitrate
