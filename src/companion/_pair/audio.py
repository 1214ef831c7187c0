"""Audio: what mutagen reads, ffmpeg remux/conversion, the cache records, tagged copies.

Source audio lives in the cache as ``media/<sha256>.<ext>``; a record per source
(``audio/<key>.json``) maps each format to its file. `published_audio` makes a
tagged copy (title, show, author, date, number, artwork, landing page, chapters)
in ``published/<sha256>.<ext>``: same inputs, byte-identical output.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import mutagen
from mutagen import id3 as _id3
from mutagen import mp4 as _mp4
from mutagen.id3 import _tags as _id3_tags

from companion._errors import PairError
from companion._files import sha256_file
from companion._model import Audio, Chapter, Episode, Site
from companion._pair.cache import Cache, corrupt, need

MIME = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "mp4": "audio/mp4", "aac": "audio/aac",
        "ogg": "audio/ogg", "opus": "audio/ogg", "oga": "audio/ogg", "wav": "audio/wav",
        "flac": "audio/flac", "webm": "audio/webm"}
_KINDS = {"MP3": "mp3", "MP4": "m4a", "OggVorbis": "ogg", "OggOpus": "opus", "FLAC": "flac",
          "WAVE": "wav", "AAC": "aac"}
FFMPEG_FIX = "install ffmpeg (Debian/Ubuntu: apt install ffmpeg; macOS: brew install ffmpeg)"
NO_OFFSET = 0xFFFFFFFF
ID3M: Any = _id3  # mutagen is only partly typed
MP4M: Any = _mp4
SAVE_FRAME: Any = _id3_tags.save_frame


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


def run_ffmpeg(args: Sequence[str], where: str, why: str) -> None:
    cmd = [ffmpeg(where, why), "-nostdin", "-v", "error", "-y", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise PairError(f"ffmpeg could not {why}: {tail[0]}", where=where,
                        fix="check that the audio plays; fetch it again with --refresh")


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


def convert(src: Path, dst: Path, fmt: str, where: str, bitrate: int | None = None) -> Path:
    """Convert to "mp3" (LAME) or "m4a" (AAC, faststart)."""
    codec = (["-c:a", "libmp3lame", "-b:a", mp3_bitrate(bitrate), "-f", "mp3"] if fmt == "mp3"
             else ["-c:a", "aac", "-b:a", mp3_bitrate(bitrate), "-movflags", "+faststart",
                   "-f", "mp4"])
    run_ffmpeg(["-i", str(src), "-map", "0:a:0", "-vn", *codec, *_BITEXACT, str(dst)], where,
               f"convert the audio to {fmt}")
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
                 duration=float(need(data, "duration", (int, float), record, slug)),
                 bitrate=data.get("bitrate") if isinstance(data.get("bitrate"), int) else None,
                 source=source)


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


# --- tagged copies --------------------------------------------------------------------------

@dataclass(frozen=True)
class Tags:
    title: str
    show: str
    author: str
    date: str | None
    number: int | None
    page_url: str
    artwork: bytes | None
    chapters: tuple[Chapter, ...]


def published_audio(episode: Episode, site: Site, *, show_title: str, fmt: str,
                    page_url: str, artwork: bytes | None) -> Audio:
    """A tagged, content-addressed copy of the episode's audio in `fmt` ("mp3" or "m4a")."""
    where = episode.article.relpath
    if episode.audio is None:
        raise PairError("the episode has no audio", where=where,
                        fix=f"add `audio:` or a `video:` link, then run `companion fetch "
                            f"{episode.slug}`")
    cache = Cache(site.cache_dir)
    source = _source_in(cache, episode.audio, fmt, where, episode.slug)
    tags = _tags(episode, site, show_title, page_url, artwork)
    return replace(_tagged_copy(cache, source, tags, where), source=episode.audio.source)


def _source_in(cache: Cache, audio: Audio, fmt: str, where: str, slug: str) -> Audio:
    if audio.extension == fmt:
        return audio
    found = cached_audio(cache, variant_source(audio), slug, fmt)
    return found or add_format(cache, audio, fmt, where)


def variant_source(audio: Audio) -> str:
    """The cache key of an audio's variants: fetched sources by origin, project files by hash
    (a producer who replaces the file gets a new conversion)."""
    source = audio.source or ""
    if source.startswith(("youtube:", "http://", "https://")):
        return source
    return f"file:{audio.sha256}"


def _tags(episode: Episode, site: Site, show_title: str, page_url: str,
          artwork: bytes | None) -> Tags:
    article = episode.article
    day = article.date.date().isoformat() if article.date else None
    duration = episode.audio.duration if episode.audio else None
    return Tags(article.title, show_title, article.author or show_title or site.title, day,
                article.episode, page_url, artwork, _clip(episode.chapters, duration))


def _clip(chapters: tuple[Chapter, ...], duration: float | None) -> tuple[Chapter, ...]:
    kept = [c for c in chapters if duration is None or c.start < duration]
    if not kept:
        return ()
    ends = [*(c.start for c in kept[1:]), duration]
    return tuple(Chapter(c.start, c.title, e if e is not None else c.end or c.start + 1, c.url)
                 for c, e in zip(kept, ends, strict=True))


def _tagged_copy(cache: Cache, source: Audio, tags: Tags, where: str) -> Audio:
    folder = cache.path("published")
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix="." + source.extension)
    os.close(fd)
    tmp = Path(name)
    try:
        _write_tags(source.path, tmp, source.extension, tags, where)
        sha = sha256_file(tmp)
        dest = folder / f"{sha}.{source.extension}"
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return Audio(dest, sha, dest.stat().st_size, source.mime_type, source.duration,
                 source.bitrate, source.source)


def _write_tags(src: Path, dst: Path, ext: str, tags: Tags, where: str) -> None:
    if ext == "mp3":
        shutil.copyfile(src, dst)
        tag_mp3(dst, tags)
    elif ext in ("m4a", "mp4"):
        _m4a_with_chapters(src, dst, tags.chapters, where)
        tag_m4a(dst, tags)
    else:
        raise PairError(f"cannot tag .{ext} audio", where=where, fix="publish mp3 or m4a")


def _image_mime(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


def tag_mp3(path: Path, tags: Tags) -> None:
    """ID3v2.3 tags with CHAP/CTOC chapters (times in ms, ids chp0.., titles in TIT2)."""
    id3 = _OrderedID3()
    id3.add(ID3M.TIT2(encoding=3, text=[tags.title]))
    id3.add(ID3M.TALB(encoding=3, text=[tags.show]))
    id3.add(ID3M.TPE1(encoding=3, text=[tags.author]))
    id3.add(ID3M.TCON(encoding=3, text=["Podcast"]))
    if tags.date:
        id3.add(ID3M.TDRC(encoding=3, text=[tags.date]))
    if tags.number is not None:
        id3.add(ID3M.TRCK(encoding=3, text=[str(tags.number)]))
    if tags.page_url:
        id3.add(ID3M.WOAR(url=tags.page_url))
    if tags.artwork:
        id3.add(ID3M.APIC(encoding=3, mime=_image_mime(tags.artwork), type=3, desc="Cover",
                     data=tags.artwork))
    _add_chapters(id3, tags.chapters)
    id3.save(path, v2_version=3, padding=_no_padding)


_FIRST = ("TIT2", "TPE1", "TRCK", "TALB", "TDRC", "TCON", "WOAR", "CTOC", "CHAP")


def _frame_rank(frame: Any) -> tuple[int, int, str]:
    """Frames in a fixed order; CHAP frames in chapter order (players read them in order)."""
    rank = _FIRST.index(frame.FrameID) if frame.FrameID in _FIRST else len(_FIRST)
    index = int(frame.element_id[3:]) if frame.FrameID == "CHAP" else 0
    return (len(_FIRST) + 1 if frame.FrameID == "APIC" else rank), index, frame.HashKey


class _OrderedID3(ID3M.ID3):  # type: ignore[misc]
    """mutagen sorts frames by size; chapters must stay in order for ffmpeg and players."""

    def _write(self, config: Any) -> bytearray:
        frames = sorted(self.values(), key=_frame_rank)
        return bytearray().join(SAVE_FRAME(f, config=config) for f in frames)


def _no_padding(_info: object) -> int:
    return 0


def _add_chapters(id3: Any, chapters: tuple[Chapter, ...]) -> None:
    if not chapters:
        return
    ids = [f"chp{i}" for i in range(len(chapters))]
    flags = ID3M.CTOCFlags.TOP_LEVEL | ID3M.CTOCFlags.ORDERED
    id3.add(ID3M.CTOC(element_id="toc", flags=flags, child_element_ids=ids,
                      sub_frames=[ID3M.TIT2(encoding=3, text=["Chapters"])]))
    for element_id, chapter in zip(ids, chapters, strict=True):
        id3.add(ID3M.CHAP(element_id=element_id, start_time=round(chapter.start * 1000),
                          end_time=round((chapter.end or chapter.start) * 1000),
                          start_offset=NO_OFFSET, end_offset=NO_OFFSET,
                          sub_frames=[ID3M.TIT2(encoding=3, text=[chapter.title])]))


def _m4a_with_chapters(src: Path, dst: Path, chapters: tuple[Chapter, ...],
                       where: str) -> None:
    """Chapters go in through ffmpeg's ffmetadata; without ffmpeg they are not written."""
    if not chapters or shutil.which("ffmpeg") is None:
        shutil.copyfile(src, dst)
        return
    meta = dst.with_suffix(".ffmeta")
    meta.write_text(ffmetadata(chapters), encoding="utf-8")
    try:
        run_ffmpeg(["-i", str(src), "-f", "ffmetadata", "-i", str(meta), "-map", "0:a",
                    "-map_metadata", "1", "-map_chapters", "1", "-c", "copy",
                    "-movflags", "+faststart", "-fflags", "+bitexact", "-flags:a", "+bitexact",
                    "-f", "mp4", str(dst)], where, "write m4a chapters")
    finally:
        meta.unlink(missing_ok=True)


def _escape_meta(text: str) -> str:
    for char in ("\\", "=", ";", "#", "\n"):
        text = text.replace(char, "\\" + char)
    return text


def ffmetadata(chapters: tuple[Chapter, ...]) -> str:
    lines = [";FFMETADATA1"]
    for chapter in chapters:
        end = chapter.end if chapter.end is not None else chapter.start + 1
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(chapter.start * 1000)}",
                  f"END={round(end * 1000)}", f"title={_escape_meta(chapter.title)}"]
    return "\n".join(lines) + "\n"


def tag_m4a(path: Path, tags: Tags) -> None:
    mp4 = MP4M.MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    values: dict[str, list[Any]] = {"\xa9nam": [tags.title], "\xa9alb": [tags.show],
                                    "\xa9ART": [tags.author], "\xa9gen": ["Podcast"],
                                    "\xa9cmt": [tags.page_url]}
    if tags.date:
        values["\xa9day"] = [tags.date]
    if tags.number is not None:
        values["trkn"] = [(tags.number, 0)]
    if tags.artwork:
        kind = MP4M.MP4Cover.FORMAT_PNG if tags.artwork.startswith(b"\x89PNG") \
            else MP4M.MP4Cover.FORMAT_JPEG
        values["covr"] = [MP4M.MP4Cover(tags.artwork, imageformat=kind)]
    for key, value in values.items():
        mp4.tags[key] = value
    mp4.save(padding=_no_padding)

