"""Fresh videos settle: their automatic captions improve in the first hours on YouTube.

A video younger than ``[fetch] settle_hours`` is fetched without its captions, and a
record (``fetch/settle/<id>.json``) says from when to fetch them; the first run after that
moment fetches them, once, and removes the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from companion._pair.cache import Cache


def record_rel(video_id: str) -> str:
    return f"fetch/settle/{video_id}.json"


def published(info: Mapping[str, Any]) -> datetime | None:
    """When the video went up (yt-dlp's `release_timestamp` or `timestamp`, epoch seconds)."""
    for key in ("release_timestamp", "timestamp"):
        value = info.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value, UTC)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def unsettled(info: Mapping[str, Any], hours: float, now: datetime) -> datetime | None:
    """When the captions of a video still settling may be fetched (None: it has settled,
    or its age is unknown)."""
    when = published(info)
    if when is None or hours <= 0:
        return None
    after = when + timedelta(hours=hours)
    return after if now < after else None


def remember(cache: Cache, video_id: str, after: datetime | None) -> None:
    """Write the record (a moment), or remove it (None)."""
    if after is None:
        cache.path(record_rel(video_id)).unlink(missing_ok=True)
    else:
        cache.write_json(record_rel(video_id), {"id": video_id,
                                                "captions_after": after.isoformat()})


def due(cache: Cache, video_id: str, slug: str, now: datetime) -> bool:
    """Whether a settling video's captions are to be fetched now."""
    if not cache.path(record_rel(video_id)).is_file():
        return False
    record = cache.read_json(record_rel(video_id), slug) or {}
    try:
        after = datetime.fromisoformat(str(record.get("captions_after")))
    except ValueError:
        return True
    return now >= (after if after.tzinfo else after.replace(tzinfo=UTC))
