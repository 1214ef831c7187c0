"""Captions: WebVTT in, clean WebVTT and SRT out.

YouTube's automatic captions "roll": each cue shows the previous line again
above the new words, the new words carry ``<00:00:01.000><c> word</c>`` timing
tags, and a 10 ms cue repeats the finished line. `collapse_rolling` turns that
into one clean cue per spoken line.
"""

from __future__ import annotations

import html
import re

from companion._model import Cue, Transcript
from companion._pair.cache import Cache, corrupt, need

_TIMING = re.compile(
    r"^\s*((?:[0-9]{1,6}:)?[0-9]{1,2}:[0-9]{2}[.,][0-9]{3})\s*-->\s*"
    r"((?:[0-9]{1,6}:)?[0-9]{1,2}:[0-9]{2}[.,][0-9]{3})")
_TAG = re.compile(r"<[^>]*>")
MIN_CUE = 0.05  # seconds; YouTube's 10 ms "snapshot" cues are shorter


def parse_time(text: str) -> float:
    parts = text.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    return hours * 3600 + minutes * 60 + seconds


def clean_line(line: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", line)).split())


def parse_vtt(text: str) -> list[Cue]:
    """Cues of a WebVTT (or SRT) text; tags removed, lines kept."""
    cues: list[Cue] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        match = _TIMING.match(lines[i])
        i += 1
        if not match:
            continue
        body: list[str] = []
        while i < len(lines) and lines[i] != "":
            body.append(lines[i])
            i += 1
        cues.append(Cue(parse_time(match[1]), parse_time(match[2]), "\n".join(body)))
    return cues


def clean_cues(cues: list[Cue]) -> list[Cue]:
    """Manual captions: tags removed, empty cues dropped."""
    out = []
    for cue in cues:
        text = "\n".join(x for x in map(clean_line, cue.text.split("\n")) if x)
        if text:
            out.append(Cue(cue.start, cue.end, text))
    return out


def collapse_rolling(cues: list[Cue]) -> list[Cue]:
    """Automatic captions: one cue per new line, repeats and snapshot cues dropped."""
    out: list[Cue] = []
    for cue in cues:
        if cue.end - cue.start < MIN_CUE:
            continue
        recent = {c.text for c in out[-2:]}
        for line in map(clean_line, cue.text.split("\n")):
            if line and line not in recent:
                out.append(Cue(cue.start, cue.end, line))
                recent.add(line)
    return _no_overlap(out)


def _no_overlap(cues: list[Cue]) -> list[Cue]:
    fixed = []
    for cue, nxt in zip(cues, [*cues[1:], None], strict=True):
        end = min(cue.end, nxt.start) if nxt and nxt.start > cue.start else cue.end
        fixed.append(Cue(cue.start, end, cue.text))
    return fixed


def _stamp(seconds: float, sep: str) -> str:
    millis = round(seconds * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_vtt(cues: list[Cue], lang: str | None = None) -> str:
    head = f"WEBVTT\nLanguage: {lang}\n" if lang else "WEBVTT\n"
    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{c.text}\n" for c in cues]
    return "\n".join([head, *blocks])


def to_srt(cues: list[Cue]) -> str:
    blocks = [f"{n}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text}\n"
              for n, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def convert(vtt_text: str, lang: str, automatic: bool) -> tuple[str, str]:
    """(clean WebVTT, SRT) from a downloaded WebVTT."""
    cues = parse_vtt(vtt_text)
    cues = collapse_rolling(cues) if automatic else clean_cues(cues)
    return to_vtt(cues, lang), to_srt(cues)


def record_rel(video_id: str) -> str:
    return f"transcripts/{video_id}.json"


def store(cache: Cache, video_id: str, found: list[tuple[str, str, bool]]) -> None:
    """Cache (lang, downloaded WebVTT, automatic) captions as clean WebVTT and SRT."""
    items = []
    for lang, text, automatic in found:
        vtt, srt = convert(text, lang, automatic)
        cache.write_bytes(f"transcripts/{video_id}.{lang}.vtt", vtt.encode("utf-8"))
        cache.write_bytes(f"transcripts/{video_id}.{lang}.srt", srt.encode("utf-8"))
        items.append({"lang": lang, "automatic": automatic})
    cache.write_json(record_rel(video_id), {"id": video_id, "transcripts": items})


def cached(cache: Cache, video_id: str, slug: str) -> tuple[Transcript, ...]:
    """The cached transcripts of a video (none when nothing was fetched)."""
    rel = record_rel(video_id)
    data = cache.read_json(rel, slug)
    if data is None:
        return ()
    path = cache.path(rel)
    out = []
    for item in need(data, "transcripts", list, path, slug):
        if not isinstance(item, dict):
            raise corrupt(path, slug, "a transcript entry is not an object")
        lang = need(item, "lang", str, path, slug)
        vtt = cache.path(f"transcripts/{video_id}.{lang}.vtt")
        srt = cache.path(f"transcripts/{video_id}.{lang}.srt")
        if "/" in lang or not vtt.is_file() or not srt.is_file():
            raise corrupt(path, slug, f"the {lang} caption files are missing")
        out.append(Transcript(lang, vtt, srt, bool(item.get("automatic"))))
    return tuple(out)
