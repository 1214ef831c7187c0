"""Tagged copies of an episode's audio: what the build publishes as its enclosure.

`published_audio` makes, in the cache (``published/<sha256>.<ext>``), a copy of the
episode's audio in a feed's format with its tags: title, show, author, date,
number, artwork, landing page, and chapters (ID3 CHAP/CTOC for MP3, chapter atoms
through ffmpeg for M4A). Same inputs, byte-identical output. Writing that copy is a
side effect of the build (`_build.prepare`), never of the render.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from mutagen import id3 as _id3
from mutagen import mp4 as _mp4
from mutagen.id3 import _id3v1
from mutagen.id3 import _tags as _id3_tags

from companion._errors import PairError
from companion._files import named, sha256_file
from companion._model import Audio, AudioSettings, Chapter, Episode
from companion._pair.audio import add_format, cached_audio, run_ffmpeg, variant_source
from companion._pair.cache import PUBLISHED_DIR, Cache
from companion._pair.loudness import normalised
from companion._site_model import Site

NO_OFFSET = 0xFFFFFFFF
ID3M: Any = _id3  # mutagen is only partly typed
MP4M: Any = _mp4
SAVE_FRAME: Any = _id3_tags.save_frame
ID3_TAGS: Any = _id3_tags
ID3V1: Any = _id3v1


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
                    page_url: str, artwork: bytes | None,
                    sound: AudioSettings | None = None) -> Audio:
    """A tagged, content-addressed copy of the episode's audio in `fmt` ("mp3" or "m4a"):
    normalised and encoded as `sound` says (`_pair.loudness`; None: as it is)."""
    where = episode.article.relpath
    if episode.audio is None:
        raise PairError("the episode has no audio", where=where,
                        fix=f"add `audio:` or a `video:` link, then run `companion fetch "
                            f"{episode.slug}`")
    cache = Cache(site.cache_dir)
    if sound is not None and sound.processes:
        source = normalised(cache, episode.audio, fmt, sound, where).audio
    else:
        source = _source_in(cache, episode.audio, fmt, where, episode.slug)
    tags = _tags(episode, site, show_title, page_url, artwork)
    return replace(_tagged_copy(cache, source, tags, where), source=episode.audio.source)


def _source_in(cache: Cache, audio: Audio, fmt: str, where: str, slug: str) -> Audio:
    if audio.extension == fmt:
        return audio
    found = cached_audio(cache, variant_source(audio), slug, fmt)
    return found or add_format(cache, audio, fmt, where)


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
    folder = cache.path(PUBLISHED_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix="." + source.extension)
    tmp = Path(name)
    try:
        if source.extension == "mp3":
            with os.fdopen(fd, "wb") as out:
                sha = stream_tagged_mp3(source.path, out, tags)
        else:
            os.close(fd)
            _write_tags(source.path, tmp, source.extension, tags, where)
            sha = sha256_file(tmp)
        dest = folder / f"{sha}.{source.extension}"
        os.replace(tmp, dest)
    except OSError as exc:  # named by its folder: the temporary name means nothing to anyone
        raise named(exc, folder) from None
    finally:
        tmp.unlink(missing_ok=True)
    return Audio(dest, sha, dest.stat().st_size, source.mime_type, source.duration,
                 source.bitrate, source.source)


def _write_tags(src: Path, dst: Path, ext: str, tags: Tags, where: str) -> None:
    if ext in ("m4a", "mp4"):
        _m4a_with_chapters(src, dst, tags.chapters, where)
        tag_m4a(dst, tags)
    else:
        raise PairError(f"cannot tag .{ext} audio", where=where, fix="publish mp3 or m4a")


def stream_tagged_mp3(src: Path, out: BinaryIO, tags: Tags) -> str:
    """Write `src` with our ID3v2.3 tag to `out` in one pass, hashing as it goes; the
    SHA-256 of what was written. The bytes are those `tag_mp3` gives in place (mutagen's
    `ID3.save`: our tag instead of the old ID3v2 tag, the audio, an ID3v1 tag updated
    when there is one), without copying the file and rewriting it to make room."""
    id3 = _mp3_tag(tags)
    framedata = bytes(id3._write(ID3_TAGS.ID3SaveConfig(3, "/")))
    size = ID3M.BitPaddedInt.to_str(len(framedata), width=4)
    head = struct.pack(">3sBBB4s", b"ID3", 3, 0, 0, size) + framedata  # padding 0
    digest = hashlib.sha256()
    with src.open("rb") as audio:
        try:
            start = ID3_TAGS.ID3Header(audio).size
        except ID3M.ID3NoHeaderError:
            start = 0
        v1, offset = ID3V1.find_id3v1(audio)
        end = os.fstat(audio.fileno()).st_size + offset  # offset: 0, or the ID3v1 tag's
        tail = ID3V1.MakeID3v1(id3) if v1 is not None else b""
        audio.seek(start)
        for chunk in (head, *_chunks(audio, end - start), tail):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _chunks(source: BinaryIO, length: int) -> Iterator[bytes]:
    while length > 0:
        chunk = source.read(min(length, 1 << 20))
        if not chunk:
            raise OSError(f"{getattr(source, 'name', 'the audio')} became shorter while read")
        length -= len(chunk)
        yield chunk


def _image_mime(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


def tag_mp3(path: Path, tags: Tags) -> None:
    """ID3v2.3 tags with CHAP/CTOC chapters (times in ms, ids chp0.., titles in TIT2),
    written in place (the build streams them: `stream_tagged_mp3`)."""
    _mp3_tag(tags).save(path, v2_version=3, padding=_no_padding)


def _mp3_tag(tags: Tags) -> Any:
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
    return id3


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

