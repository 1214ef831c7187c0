"""Chapters: from yt-dlp, or from timestamp lines in a YouTube description.

YouTube makes chapters from description lines only when the first is at 0:00
and the times ascend; we follow the same rule. Output helpers give Podcasting
2.0 JSON chapters, ``00:00 Title`` lines, and Podlove Simple Chapters data.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from companion._model import Chapter
from companion._read.links import clean_url
from companion._text import finite_number

#: The longest episode a cache record may claim (a damaged one can say 1e300 or NaN).
MAX_SECONDS = 1e7

JSON_CHAPTERS_VERSION = "1.2.0"

_TIME = r"(?:([0-9]{1,2}):)?([0-9]{1,2}):([0-9]{2})"
_LINE = re.compile(
    rf"^\s*(?:[-*•▶]\s*)?(?:\(\s*{_TIME}\s*\)|\[\s*{_TIME}\s*\]|{_TIME})"
    r"\s*(?:[-–—:|.)]\s*)?(?P<title>\S.*?)\s*$"
)


def from_info(chapters: object) -> tuple[Chapter, ...]:
    """yt-dlp's ``chapters`` (list of {start_time, end_time, title})."""
    if not isinstance(chapters, list):
        return ()
    out = []
    for item in chapters:
        start = finite_number(item.get("start_time"), 0, MAX_SECONDS) if isinstance(
            item, Mapping) else None
        if isinstance(item, Mapping) and start is not None:
            out.append(Chapter(start, str(item.get("title") or "").strip(),
                               finite_number(item.get("end_time"), 0, MAX_SECONDS)))
    return tuple(out)


def parse_timestamp_line(line: str) -> tuple[float, str] | None:
    """``00:00 Intro`` / ``1:02:03 - Title`` / ``(12:30) Title`` -> (seconds, title)."""
    match = _LINE.match(line)
    if not match:
        return None
    groups = match.groups()
    for i in (0, 3, 6):
        if groups[i + 2] is not None:
            hours, minutes, seconds = (int(g) if g else 0 for g in groups[i:i + 3])
            if (minutes >= 60 and hours) or seconds >= 60:
                return None
            return float(hours * 3600 + minutes * 60 + seconds), match.group("title")
    return None


def from_description(description: str, duration: float | None = None) -> tuple[Chapter, ...]:
    """Timestamp lines of a description, when they start at 0:00 and ascend (YouTube's rule)."""
    found = [p for p in map(parse_timestamp_line, description.splitlines()) if p]
    if len(found) < 2 or found[0][0] != 0:
        return ()
    starts = [start for start, _ in found]
    if any(b <= a for a, b in itertools.pairwise(starts)):
        return ()
    if duration is not None and starts[-1] >= duration:
        return ()
    return with_ends([Chapter(start, title) for start, title in found], duration)


def with_ends(chapters: Iterable[Chapter], duration: float | None) -> tuple[Chapter, ...]:
    items = list(chapters)
    ends: list[float | None] = [*(c.start for c in items[1:]), duration]
    return tuple(Chapter(c.start, c.title, c.end if c.end is not None else e, c.url)
                 for c, e in zip(items, ends, strict=True))


def episode_chapters(info_chapters: object, description: str,
                     duration: float | None) -> tuple[Chapter, ...]:
    """yt-dlp's chapters if any, else the description's timestamp lines."""
    return from_info(info_chapters) or from_description(description, duration)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 3)


def chapters_json(chapters: Iterable[Chapter], title: str | None = None) -> bytes:
    """Podcasting 2.0 JSON chapters (version 1.2.0), UTF-8, deterministic."""
    items: list[dict[str, Any]] = []
    for chapter in chapters:
        item: dict[str, Any] = {"startTime": _number(chapter.start), "title": chapter.title}
        if chapter.end is not None:
            item["endTime"] = _number(chapter.end)
        if chapter.url:
            item["url"] = clean_url(chapter.url)
        items.append(item)
    doc: dict[str, Any] = {"version": JSON_CHAPTERS_VERSION}
    if title:
        doc["title"] = title
    doc["chapters"] = items
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def clock(seconds: float, hours: bool) -> str:
    total = math.floor(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if hours else f"{m:02d}:{s:02d}"


def timestamp_lines(chapters: Iterable[Chapter]) -> list[str]:
    """``00:00 Title`` lines (``1:02:03 Title`` once an episode passes an hour)."""
    items = list(chapters)
    hours = any(c.start >= 3600 for c in items)
    return [f"{clock(c.start, hours)} {c.title}" for c in items]


def psc_start(seconds: float) -> str:
    """Podlove Simple Chapters normal play time: ``HH:MM:SS.mmm``."""
    millis = round(seconds * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def psc(chapters: Iterable[Chapter]) -> list[tuple[str, str]]:
    """(start, title) pairs for ``<psc:chapter start=... title=...>``."""
    return [(psc_start(c.start), c.title) for c in chapters]
