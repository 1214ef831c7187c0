"""Captions: WebVTT in, clean WebVTT and SRT out.

YouTube's automatic captions "roll": each cue shows the previous line again
above the new words, the new words carry ``<00:00:01.000><c> word</c>`` timing
tags, and a 10 ms cue repeats the finished line. `collapse_rolling` turns that
into one clean cue per spoken line.

What is published is written from the cached cues (`read_cues`, `captions`), so a
change of format needs no new fetch: `layout` wraps each cue at a line width and a
number of lines (the build passes `_render.limits`: 42 characters, 2 lines) and
splits a longer cue into several, its time shared in proportion to their
characters. WebVTT is read and written by webvtt-py, SRT written by srt; the
signature line is ``WEBVTT`` alone: the language and the kind go in the feed's
``podcast:transcript`` attributes.
"""

from __future__ import annotations

import html
import re
import textwrap
from datetime import timedelta

import srt
import webvtt
from webvtt.models import Timestamp

from companion._model import Transcript
from companion._pair.cache import Cache, corrupt, need
from companion._site_model import Cue

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


def read_cues(vtt_text: str) -> list[Cue]:
    """The cues of a clean WebVTT (as `store` caches it): times, and plain text (tags
    removed, character references decoded), one line of text per line."""
    out = []
    for caption in webvtt.from_string(vtt_text).captions:
        text = "\n".join(x for x in map(clean_line, caption.raw_text.split("\n")) if x)
        if text:
            out.append(Cue(caption.start_time.in_milliseconds() / 1000,
                           caption.end_time.in_milliseconds() / 1000, text))
    return out


def layout(cues: list[Cue], width: int, lines: int) -> list[Cue]:
    """The cues with their text wrapped at `width` characters, at most `lines` lines a
    cue: a longer cue becomes several, sharing its time in proportion to characters."""
    out: list[Cue] = []
    for cue in cues:
        wrapped = textwrap.wrap(" ".join(cue.text.split()), width, break_on_hyphens=False)
        groups = [_balanced(" ".join(wrapped[i:i + lines]), width, lines)
                  for i in range(0, len(wrapped), lines)]
        out += _share(cue, groups)
    return out


def _balanced(text: str, width: int, lines: int) -> str:
    """`text` on one line when it fits, else in at most `lines` lines of at most `width`,
    the lines as even as they go."""
    if len(text) <= width:
        return text
    for narrower in range(-(-len(text) // lines), width):
        wrapped = textwrap.wrap(text, narrower, break_on_hyphens=False,
                                break_long_words=False)
        if len(wrapped) <= lines and max(map(len, wrapped)) <= width:
            return "\n".join(wrapped)
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


def _share(cue: Cue, texts: list[str]) -> list[Cue]:
    """`texts` one after another in `cue`'s time, each for a share as long as its text."""
    total = sum(len(text) for text in texts) or 1
    span = max(cue.end - cue.start, 0.0)
    done, start, out = 0, cue.start, []
    for text in texts:
        done += len(text)
        end = cue.end if done == total else round(cue.start + span * done / total, 3)
        out.append(Cue(start, end, text))
        start = end
    return out


def captions(cues: list[Cue]) -> tuple[str, str]:
    """(WebVTT, SRT) of `cues`. WebVTT cue text escapes ``&``, ``<`` and ``>``; SRT is
    plain text."""
    vtt = webvtt.WebVTT(captions=[
        webvtt.Caption(_stamp(c.start), _stamp(c.end), html.escape(c.text, quote=False))
        for c in cues])
    subtitles = [srt.Subtitle(n, timedelta(milliseconds=round(c.start * 1000)),
                              timedelta(milliseconds=round(c.end * 1000)), c.text)
                 for n, c in enumerate(cues, 1)]
    return vtt.content, srt.compose(subtitles, reindex=False)


def _stamp(seconds: float) -> str:
    return str(Timestamp.from_seconds(max(seconds, 0.0)))


def to_vtt(cues: list[Cue]) -> str:
    return captions(cues)[0]


def to_srt(cues: list[Cue]) -> str:
    return captions(cues)[1]


def convert(vtt_text: str, lang: str, automatic: bool) -> tuple[str, str]:
    """(clean WebVTT, SRT) from a downloaded WebVTT."""
    cues = parse_vtt(vtt_text)
    cues = collapse_rolling(cues) if automatic else clean_cues(cues)
    return captions(cues)


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
