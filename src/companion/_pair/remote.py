"""Remote audio (`remote_audio: true`): an enclosure that stays at its own URL.

An imported show's episodes keep the enclosure URLs their subscribers already have: the
audio is neither downloaded nor copied into the site. What a feed says of it (exact size
in bytes, MIME type, duration) is read once (by `companion import` from the old feed, or by
`companion fetch` from the server) into one cache record per URL,
``remote/<key>.json``, which the build reads offline.
"""

from __future__ import annotations

from typing import Any

from companion._model import RemoteAudio
from companion._pair.audio import source_key
from companion._pair.cache import Cache, corrupt
from companion._text import finite_number, whole_number

FOLDER = "remote"


def record_rel(url: str) -> str:
    return f"{FOLDER}/{source_key(url)}.json"


def to_record(remote: RemoteAudio) -> dict[str, Any]:
    return {"url": remote.url, "size": remote.size, "mime_type": remote.mime_type,
            "duration": remote.duration}


def store(cache: Cache, remote: RemoteAudio) -> None:
    cache.write_json(record_rel(remote.url), to_record(remote))


def cached(cache: Cache, url: str, slug: str) -> RemoteAudio | None:
    """The record of `url`, or None when it was never read; nonsense raises `PairError`."""
    rel = record_rel(url)
    data = cache.read_json(rel, slug)
    if data is None:
        return None
    size = whole_number(data.get("size"), 1, 1 << 44)
    duration = finite_number(data.get("duration"), 0.0, 10 * 24 * 3600.0)
    kind = data.get("mime_type")
    if data.get("url") != url or size is None or duration is None or not isinstance(kind, str):
        raise corrupt(cache.path(rel), slug, "not a remote audio record")
    return RemoteAudio(url, size, kind, duration)
