"""Audio: what mutagen reads, ffmpeg remux/conversion, and the cache records.

Source audio lives in the cache as ``media/<sha256>.<ext>``; a record per source
(``audio/<key>.json``) maps each format to its file. The tagged copies that are
published are made by `_pair.tagging`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen

from companion._errors import PairError
from companion._files import sha256_file
from companion._model import Audio
from companion._pair.cache import Cache, corrupt, need
from companion._pair.chapters import MAX_SECONDS
from companion._text import finite_number

MIME = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "mp4": "audio/mp4", "aac": "audio/aac",
        "ogg": "audio/ogg", "opus": "audio/ogg", "oga": "audio/ogg", "wav": "audio/wav",
        "flac": "audio/flac", "webm": "audio/webm"}
_KINDS = {"MP3": "mp3", "MP4": "m4a", "OggVorbis": "ogg", "OggOpus": "opus", "FLAC": "flac",
          "WAVE": "wav", "AAC": "aac"}
FFMPEG_FIX = "install ffmpeg (Debian/Ubuntu: apt install ffmpeg; macOS: brew install ffmpeg)"


@dataclass(frozen=True)
class AudioInfo:
    ext: str
    mime_type: str
    duration: float
    bitrate: int | None


def probe(path: Path, where: str, fix: str = "replace the file with a complete audio file"
          ) -> AudioInfo:
    """What mutagen reads; not audio, damaged or truncated -> `PairError`."""
    try:
        found = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        raise PairError(f"{path.name} is damaged or truncated audio, or not audio at all "
                        f"({exc})", where=where, fix=fix) from None
    if found is None or type(found).__name__ not in _KINDS:
        raise PairError(f"{path.name} is not an audio file mutagen can read", where=where,
                        fix=fix)
    ext = _KINDS[type(found).__name__]
    duration = float(getattr(found.info, "length", 0) or 0)
    bitrate = int(getattr(found.info, "bitrate", 0) or 0) or None
    if duration <= 0 or _truncated(path.stat().st_size, duration, bitrate):
        raise PairError(f"{path.name} is damaged or truncated audio (duration {duration:.1f} s)",
                        where=where, fix=fix)
    return AudioInfo(ext, MIME[ext], round(duration, 3), bitrate)


def _truncated(size: int, duration: float, bitrate: int | None) -> bool:
    return bool(bitrate) and size * 8 < 0.5 * (bitrate or 0) * duration


def audio_from_file(path: Path, source: str, where: str) -> Audio:
    info = probe(path, where)
    return Audio(path=path, sha256=sha256_file(path), size=path.stat().st_size,
                 mime_type=info.mime_type, duration=info.duration, bitrate=info.bitrate,
                 source=source)


# --- ffmpeg -------------------------------------------------------------------------------

def ffmpeg(where: str, why: str) -> str:
    found = shutil.which("ffmpeg")
    if not found:
        raise PairError(f"ffmpeg is needed to {why}, but it is not installed (not on PATH)",
                        where=where, fix=FFMPEG_FIX)
    return found


def run_ffmpeg(args: Sequence[str], where: str, why: str, level: str = "error") -> str:
    """Run ffmpeg; its log at `level` (what filters such as loudnorm print at "info")."""
    cmd = [ffmpeg(where, why), "-nostdin", "-hide_banner", "-nostats", "-v", level, "-y", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode == -signal.SIGXFSZ or "File too large" in (done.stderr or ""):
        # a file-size limit (`ulimit -f`) stopped its write: the error any write gets
        raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), args[-1])
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise PairError(f"ffmpeg could not {why}: {tail[0]}", where=where,
                        fix="check that the audio plays; fetch it again with --refresh")
    return done.stderr or ""


_BITEXACT = ("-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact",
             "-flags:a", "+bitexact")


def remux_m4a(src: Path, dst: Path, where: str) -> Path:
    """DASH m4a -> a plain, faststart m4a (iOS shows DASH m4a at double duration)."""
    run_ffmpeg(["-i", str(src), "-map", "0:a:0", "-c", "copy", "-movflags", "+faststart",
                *_BITEXACT, "-f", "mp4", str(dst)], where, "remux the m4a")
    return dst


def mp3_bitrate(bitrate: int | None) -> str:
    kbps = max(32, min(128, round((bitrate or 128_000) / 16_000) * 16))
    return f"{kbps}k"


def encoder(fmt: str, rate: str) -> list[str]:
    """ffmpeg's arguments for "mp3" (LAME) or "m4a" (AAC-LC, faststart) at `rate` ("96k"),
    with nothing of the source's metadata and no version in the bytes."""
    codec = (["-c:a", "libmp3lame", "-b:a", rate, "-f", "mp3"] if fmt == "mp3"
             else ["-c:a", "aac", "-b:a", rate, "-movflags", "+faststart", "-f", "mp4"])
    return [*codec, *_BITEXACT]


def convert(src: Path, dst: Path, fmt: str, where: str, bitrate: int | None = None) -> Path:
    """Convert to "mp3" (LAME) or "m4a" (AAC, faststart)."""
    run_ffmpeg(["-i", str(src), "-map", "0:a:0", "-vn", *encoder(fmt, mp3_bitrate(bitrate)),
                str(dst)], where, f"convert the audio to {fmt}")
    return dst


# --- the cache record -----------------------------------------------------------------------

def source_key(source: str) -> str:
    if source.startswith("youtube:"):
        return "youtube-" + source.split(":", 1)[1]
    return "url-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:20]


def record_rel(source: str) -> str:
    return f"audio/{source_key(source)}.json"


def entry(audio: Audio, cache: Cache) -> dict[str, Any]:
    return {"file": cache.rel(audio.path), "sha256": audio.sha256, "size": audio.size,
            "mime_type": audio.mime_type, "duration": audio.duration, "bitrate": audio.bitrate}


def audio_from_entry(data: dict[str, Any], cache: Cache, record: Path, slug: str,
                     source: str) -> Audio:
    rel = need(data, "file", str, record, slug)
    path = cache.path(rel)
    size = need(data, "size", int, record, slug)
    if ".." in Path(rel).parts or not path.is_file() or path.stat().st_size != size:
        raise corrupt(record, slug, f"{rel} is missing or has the wrong size")
    return Audio(path=path, sha256=need(data, "sha256", str, record, slug), size=size,
                 mime_type=need(data, "mime_type", str, record, slug),
                 duration=_seconds(need(data, "duration", (int, float), record, slug), record,
                                   slug),
                 bitrate=data.get("bitrate") if isinstance(data.get("bitrate"), int) else None,
                 source=source)


def _seconds(value: float, record: Path, slug: str) -> float:
    found = finite_number(value, 0, MAX_SECONDS)
    if found is None:
        raise corrupt(record, slug, "'duration' is not a number of seconds")
    return found


def cached_audio(cache: Cache, source: str, slug: str, fmt: str | None = None
                 ) -> Audio | None:
    """The cached audio of `source` in `fmt` (default: the original), or None."""
    rel = record_rel(source)
    record = cache.read_json(rel, slug)
    if record is None:
        return None
    files = need(record, "files", dict, cache.path(rel), slug)
    key = fmt or need(record, "original", str, cache.path(rel), slug)
    item = files.get(key)
    if item is None:
        return None
    if not isinstance(item, dict):
        raise corrupt(cache.path(rel), slug, f"files.{key} is not an object")
    return audio_from_entry(item, cache, cache.path(rel), slug, source)


def store_audio(cache: Cache, src: Path, source: str, where: str, *, original: bool) -> Audio:
    """Put `src` into media/<sha256>.<ext> and record it for `source`."""
    info = probe(src, where, fix="fetch again with --refresh; if it persists the source is bad")
    sha, path = cache.store_file(src, "media", info.ext)
    audio = Audio(path, sha, path.stat().st_size, info.mime_type, info.duration, info.bitrate,
                  source)
    rel = record_rel(source)
    old = {} if original else cache.read_json(rel, where) or {}
    files = {} if original else dict(old.get("files") or {})
    files[info.ext] = entry(audio, cache)
    kept = old.get("original") if not original and old.get("original") else info.ext
    cache.write_json(rel, {"source": source, "original": kept, "files": files})
    return audio


def add_format(cache: Cache, audio: Audio, fmt: str, where: str) -> Audio:
    """Make and record the `fmt` variant of cached source audio (ffmpeg)."""
    if audio.extension == fmt:
        return audio
    with cache.tempdir() as tmp:
        out = convert(audio.path, Path(tmp) / f"audio.{fmt}", fmt, where, audio.bitrate)
        return store_audio(cache, out, variant_source(audio), where, original=False)




def variant_source(audio: Audio) -> str:
    """The cache key of an audio's variants: fetched sources by origin, project files by hash
    (a producer who replaces the file gets a new conversion)."""
    source = audio.source or ""
    if source.startswith(("youtube:", "http://", "https://")):
        return source
    return f"file:{audio.sha256}"
