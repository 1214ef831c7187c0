"""Video files: what ffprobe reads, the MP4 a video feed publishes, and the cache records.

A video feed (``medium = "video"``) encloses an MP4 that every app plays: H.264 video and
AAC audio, ``faststart`` (the index first, so a player starts before the download ends),
at most 1080 lines. `make_mp4` remuxes what yt-dlp downloaded when it already is that (no
quality is lost and it takes a moment), and re-encodes it with x264 and AAC otherwise
(another codec, or taller than 1080 lines). The result lives in the cache as
``media/<sha256>.mp4``, recorded per source in ``video/<source key>.json``; a build reads
the record (`cached_video`) and never the network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion._errors import PairError
from companion._model import VideoFile
from companion._pair.audio import FFMPEG_FIX, run_ffmpeg, source_key
from companion._pair.cache import Cache, corrupt, need
from companion._pair.chapters import MAX_SECONDS
from companion._text import finite_number, whole_number

#: The tallest video a feed carries (apps and TVs play 1080p everywhere; 4K files are huge).
MAX_HEIGHT = 1080
MIME_TYPE = "video/mp4"
RECORD_DIR = "video"


@dataclass(frozen=True)
class VideoInfo:
    """What ffprobe reads of a file: its first video and audio streams and its length."""

    vcodec: str | None
    acodec: str | None
    width: int
    height: int
    duration: float

    @property
    def publishable(self) -> bool:
        """H.264 + AAC at most `MAX_HEIGHT` lines: remuxed as it is."""
        return (self.vcodec == "h264" and self.acodec == "aac"
                and 0 < self.height <= MAX_HEIGHT)


def ffprobe(where: str) -> str:
    found = shutil.which("ffprobe")
    if not found:
        raise PairError("ffprobe is needed to read a video, but it is not installed",
                        where=where, fix=FFMPEG_FIX)
    return found


def probe_video(path: Path, where: str, fix: str = "fetch it again with --refresh"
                ) -> VideoInfo:
    """The streams of a video file; not a video with sound, or damaged -> `PairError`."""
    done = subprocess.run([ffprobe(where), "-v", "error", "-show_streams", "-show_format",
                           "-of", "json", str(path)], capture_output=True, text=True,
                          check=False)
    try:
        data = json.loads(done.stdout) if done.returncode == 0 else {}
    except ValueError:
        data = {}
    streams = [s for s in data.get("streams") or [] if isinstance(s, dict)]
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    seconds = finite_number(_float((data.get("format") or {}).get("duration")), 0, MAX_SECONDS)
    if video is None or audio is None or not seconds:
        raise PairError(f"{path.name} is not a video with sound that ffprobe can read",
                        where=where, fix=fix)
    return VideoInfo(video.get("codec_name"), audio.get("codec_name"),
                     whole_number(video.get("width"), 1, 100_000) or 0,
                     whole_number(video.get("height"), 1, 100_000) or 0, round(seconds, 3))


def _float(value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


_MP4 = ("-movflags", "+faststart", "-map_metadata", "-1", "-map_chapters", "-1",
        "-fflags", "+bitexact", "-f", "mp4")


def make_mp4(src: Path, dst: Path, where: str) -> Path:
    """`src` as the MP4 a feed publishes: remuxed when it is H.264 + AAC at most 1080 lines,
    re-encoded (x264, AAC) otherwise; faststart either way."""
    info = probe_video(src, where)
    streams = ["-map", "0:v:0", "-map", "0:a:0"]
    if info.publishable:
        run_ffmpeg(["-i", str(src), *streams, "-c", "copy", *_MP4, str(dst)], where,
                   "remux the video")
        return dst
    scale = f"scale=-2:'min({MAX_HEIGHT},ih)'"
    run_ffmpeg(["-i", str(src), *streams, "-vf", scale, "-c:v", "libx264", "-preset",
                "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a",
                "128k", *_MP4, str(dst)], where, "re-encode the video as H.264 and AAC")
    return dst


# --- the cache record -----------------------------------------------------------------------


def record_rel(source: str) -> str:
    return f"{RECORD_DIR}/{source_key(source)}.json"


def store_video(cache: Cache, src: Path, source: str, where: str) -> VideoFile:
    """Put a publishable MP4 into media/<sha256>.mp4 and record it for `source`."""
    info = probe_video(src, where)
    sha, path = cache.store_file(src, "media", "mp4")
    size = path.stat().st_size
    video = VideoFile(path, sha, size, info.duration, info.width, info.height,
                      round(size * 8 / info.duration), source)
    cache.write_json(record_rel(source), {
        "source": source, "file": cache.rel(path), "sha256": sha, "size": size,
        "mime_type": MIME_TYPE, "duration": video.duration, "width": video.width,
        "height": video.height, "bitrate": video.bitrate})
    return video


def cached_video(cache: Cache, source: str, slug: str) -> VideoFile | None:
    """The MP4 recorded for `source`, or None; a record that lies raises `PairError`."""
    rel = record_rel(source)
    data = cache.read_json(rel, slug)
    return None if data is None else video_from_record(data, cache, cache.path(rel), slug)


def video_from_record(data: dict[str, Any], cache: Cache, record: Path, slug: str
                      ) -> VideoFile:
    rel = need(data, "file", str, record, slug)
    path = cache.path(rel)
    size = need(data, "size", int, record, slug)
    if ".." in Path(rel).parts or not path.is_file() or path.stat().st_size != size:
        raise corrupt(record, slug, f"{rel} is missing or has the wrong size")
    seconds = finite_number(need(data, "duration", (int, float), record, slug), 0.001,
                            MAX_SECONDS)
    width = whole_number(need(data, "width", int, record, slug), 1, 100_000)
    height = whole_number(need(data, "height", int, record, slug), 1, MAX_HEIGHT)
    if seconds is None or width is None or height is None:
        raise corrupt(record, slug, "'duration', 'width' or 'height' is out of range")
    bitrate = data.get("bitrate")
    return VideoFile(path, need(data, "sha256", str, record, slug), size, seconds, width,
                     height, bitrate if isinstance(bitrate, int) else None,
                     str(data.get("source") or "") or None)
