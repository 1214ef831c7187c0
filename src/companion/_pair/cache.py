"""The fetch cache: JSON records and content-addressed media beside the episodes.

Layout (under ``Site.cache_dir``)::

    youtube/<video id>.info.json    yt-dlp's info JSON, trimmed (no formats, no signed URLs)
    spotify/<episode id>.json       Spotify's oEmbed answer, trimmed
    audio/<source key>.json         per source: {"source", "files": {ext: media record}}
    video/<source key>.json         per source: the MP4 a video feed publishes (`_pair.video`)
    media/<sha256>.<ext>            audio and video bytes, named by their hash
    transcripts/<video id>.json     which caption languages are cached (and automatic or not)
    transcripts/<video id>.<lang>.vtt / .srt
    images/<sha256>.<ext>           video thumbnails (recorded in the info JSON, see `_thumbnails`)
    published/<sha256>.<ext>        tagged copies made by `published_audio`

Every write goes to a temporary file in the same folder, then `os.replace`, so a
reader never sees half a file; a write of identical bytes leaves the file alone.
A record that does not parse raises `PairError` naming the file and the fix.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from companion._errors import PairError
from companion._files import atomic_fill, atomic_write, sha256_file
from companion._redact import redact_obj

CHUNK = 1 << 20
#: The folders `companion fetch` fills (what `companion clean --cache` removes).
FETCHED_DIRS = ("youtube", "spotify", "audio", "video", "media", "transcripts", "images",
                "remote")
#: Tagged copies of the audio, made by a build (`_tagging.published_audio`).
PUBLISHED_DIR = "published"


class Cache:
    """One project's cache folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, rel: str) -> Path:
        return self.root / rel

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def read_json(self, rel: str, slug: str) -> dict[str, Any] | None:
        """The record at `rel`, or None when absent; nonsense raises `PairError`."""
        path = self.path(rel)
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:  # ValueError: JSON, or an integer
            raise corrupt(path, slug, f"not valid JSON ({str(exc)[:120]})") from None
        except RecursionError:
            raise corrupt(path, slug, "JSON nested too deeply") from None
        if not isinstance(data, dict):
            raise corrupt(path, slug, "not a JSON object")
        return data

    def write_json(self, rel: str, data: dict[str, Any]) -> Path:
        """Write the record at `rel`; a credential's value (an environment variable's, a
        token's) never reaches the cache (`_redact`: values only, as the record is content
        a build reads: a description's links stay as their author wrote them)."""
        text = json.dumps(redact_obj(data, only_values=True), ensure_ascii=False, indent=2,
                          sort_keys=True) + "\n"
        return self.write_bytes(rel, text.encode("utf-8"))

    def write_bytes(self, rel: str, data: bytes) -> Path:
        path = self.path(rel)
        if path.is_file() and path.read_bytes() == data:
            return path
        atomic_write(path, data)
        return path

    def store_file(self, src: Path, folder: str, ext: str) -> tuple[str, Path]:
        """Copy `src` into `folder/<sha256>.<ext>`; returns (sha256, path). Idempotent."""
        sha = sha256_file(src)
        dest = self.path(f"{folder}/{sha}.{ext}")
        if dest.is_file() and dest.stat().st_size == src.stat().st_size:
            return sha, dest
        atomic_fill(dest, lambda tmp: shutil.copyfile(src, tmp))
        return sha, dest

    def tempdir(self) -> tempfile.TemporaryDirectory[str]:
        """A scratch folder inside the cache (same file system, so `os.replace` works)."""
        self.root.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(dir=self.root, prefix=".work-")


def refresh_fix(slug: str) -> str:
    return f"run `companion fetch --refresh {slug}`"


def corrupt(path: Path, slug: str, what: str) -> PairError:
    return PairError(f"cache file {path} is damaged: {what}", where=str(path),
                     fix=refresh_fix(slug))


def need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path,
         slug: str) -> Any:
    """`data[key]` if it has type `kind`, else a `PairError` about the cache file."""
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        names = "/".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise corrupt(path, slug, f"{key!r} is missing or not a {names}")
    return value
