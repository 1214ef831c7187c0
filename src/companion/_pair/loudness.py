"""Even loudness (issue 25): the published audio measured and normalised with ffmpeg.

Two passes of ffmpeg's ``loudnorm``: the first measures the source (integrated loudness,
true peak, loudness range, gating threshold); the second applies the target with those
values and ``linear=true``, resampled back to the source's rate (loudnorm works at 192 kHz)
and encoded in the show's format (MP3 through LAME, AAC-LC m4a), mono and at a bitrate when
``[audio]`` asks. Linear normalisation is one gain for the whole file; where that gain would
lift the true peak over the ceiling (quiet speech with sharp peaks), loudnorm falls back to
its dynamic mode, which limits peaks and follows the loudness, and reaches the target less
exactly. So every result is verified: measured with ffmpeg's ``ebur128`` (true-peak mode) on
the encoded file, and made again with the targets corrected by what was measured (the
encoder's own overshoot included) until it is within 0.5 LU of the target with the true peak
under the ceiling, at most `ATTEMPTS` times; the best is kept and `check` warns about one more
than 1 LU off.

The cache, by what a `companion clean` must keep (the work is minutes per hour of audio)::

    loudness/<sha256 of the source>.json   its measurement, and per setting (a key naming
                                            the format and the targets) the file made and
                                            that file's measurement
    media/<sha256>.<ext>                    the normalised audio, named by its hash

Both go with ``clean --cache``; `_pair.tagging` tags the normalised audio like any other.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen

from companion._errors import PairError, Problem
from companion._model import Audio, AudioSettings, Episode, FeedDefinition
from companion._pair.audio import audio_from_entry, encoder, entry, mp3_bitrate, probe, run_ffmpeg
from companion._pair.cache import Cache
from companion._site_model import Site

LOUDNESS_DIR = "loudness"
#: loudnorm keeps a file's loudness range as it is up to this (its most): whether it can
#: normalise linearly then depends on the true peak alone.
TARGET_LRA = 20
#: Below the ceiling at the first try, for the peaks a lossy encoder adds.
HEADROOM = 1.0
#: Close enough to stop trying (LU); `check` warns beyond 1 LU.
CLOSE = 0.5
ATTEMPTS = 4
#: loudnorm's dynamic mode comes out about this much under its target (LU, measured on
#: speech at 32-128 kbit/s): the first try aims that much higher.
DYNAMIC_LIFT = 1.0
#: At or below this a file is silence (the meters' floor): there is nothing to normalise.
SILENT = -70.0
#: Rates LAME encodes; another source rate is published at 44.1 or 48 kHz.
_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
_NUMBER = r"(-?(?:\d+(?:\.\d+)?|inf))"


@dataclass(frozen=True)
class Loudness:
    """What a meter read of one file: LUFS, dBTP, LU, LUFS."""

    integrated: float
    true_peak: float
    lra: float
    threshold: float

    def to_json(self) -> dict[str, float]:
        return {"integrated": self.integrated, "true_peak": self.true_peak, "lra": self.lra,
                "threshold": self.threshold}


@dataclass(frozen=True)
class Normalised:
    """The audio made for one setting, what it measures, and how loudnorm worked."""

    audio: Audio
    loudness: Loudness
    mode: str  # "linear" or "dynamic"


def available() -> bool:
    return shutil.which("ffmpeg") is not None


def settings_key(settings: AudioSettings, fmt: str) -> str:
    """The setting as the record names it: "mp3 I=-16 TP=-1 mono 96k"."""
    level = ("off" if settings.loudness is None
             else f"I={settings.loudness:g} TP={settings.true_peak:g}")
    rate = f"{settings.bitrate}k" if settings.bitrate else "auto"
    return f"{fmt} {level} {'mono' if settings.mono else 'keep'} {rate}"


def record_rel(sha256: str) -> str:
    return f"{LOUDNESS_DIR}/{sha256}.json"


def _record(cache: Cache, sha256: str) -> dict[str, Any]:
    """The record of one source; a damaged one is measured again (it is derived)."""
    try:
        return cache.read_json(record_rel(sha256), "") or {}
    except PairError:
        return {}


def _loudness(data: object) -> Loudness | None:
    if not isinstance(data, dict):
        return None
    try:
        values = [float(data[k]) for k in ("integrated", "true_peak", "lra", "threshold")]
    except (KeyError, TypeError, ValueError):
        return None
    return Loudness(*values)


def cached(cache: Cache, audio: Audio, fmt: str, settings: AudioSettings
           ) -> tuple[Loudness | None, Normalised | None]:
    """What the cache knows, nothing measured: the source's loudness, and the audio made
    for `settings` in `fmt` (None where it is not known, or its file is gone)."""
    record = _record(cache, audio.sha256)
    measured = _loudness(record.get("measured"))
    results = record.get("results")
    item = results.get(settings_key(settings, fmt)) if isinstance(results, dict) else None
    if not isinstance(item, dict) or _loudness(item.get("loudness")) is None:
        return measured, None
    try:
        made = audio_from_entry(item, cache, cache.path(record_rel(audio.sha256)), "",
                                audio.source or "")
    except PairError:
        return measured, None
    return measured, Normalised(made, _loudness(item["loudness"]) or Loudness(0, 0, 0, 0),
                                str(item.get("mode", "")))


def normalised(cache: Cache, audio: Audio, fmt: str, settings: AudioSettings,
               where: str) -> Normalised:
    """`audio` made for `settings` in `fmt`: from the cache, else made once and recorded."""
    measured, found = cached(cache, audio, fmt, settings)
    if found is not None:
        return found
    if measured is None and settings.loudness is not None:
        measured = measure(audio.path, where)
    with cache.tempdir() as tmp:
        made = _make(audio, Path(tmp), fmt, settings, measured, where)
        sha, path = cache.store_file(made[0], "media", fmt)
    info = probe(path, where)
    result = Audio(path, sha, path.stat().st_size, info.mime_type, info.duration, info.bitrate,
                   audio.source)
    done = Normalised(result, made[1], made[2])
    _remember(cache, audio, settings_key(settings, fmt), measured, done)
    return done


def _remember(cache: Cache, audio: Audio, key: str, measured: Loudness | None,
              done: Normalised) -> None:
    record = _record(cache, audio.sha256)
    results = record.get("results") if isinstance(record.get("results"), dict) else {}
    results = {**(results or {}), key: {**entry(done.audio, cache),
                                        "loudness": done.loudness.to_json(), "mode": done.mode}}
    data: dict[str, Any] = {"sha256": audio.sha256, "results": results}
    if measured is not None:
        data["measured"] = measured.to_json()
    cache.write_json(record_rel(audio.sha256), data)


def _make(audio: Audio, tmp: Path, fmt: str, settings: AudioSettings,
          measured: Loudness | None, where: str) -> tuple[Path, Loudness, str]:
    """Encode `audio` for `settings`; with a loudness target, try until the meter agrees."""
    rate = f"{settings.bitrate}k" if settings.bitrate else (
        "96k" if settings.mono else mp3_bitrate(audio.bitrate))
    base = ["-i", str(audio.path), "-map", "0:a:0", "-vn", "-ar", str(_sample_rate(audio)),
            *(["-ac", "1"] if settings.mono else []), *encoder(fmt, rate)]
    target = settings.loudness
    if target is None or measured is None or measured.integrated <= SILENT:
        out = tmp / f"audio.{fmt}"
        run_ffmpeg([*base, str(out)], where, f"encode the audio as {fmt}")
        return out, meter(out, where), "none"
    ceiling = settings.true_peak
    peak = ceiling - HEADROOM
    linear = (measured.true_peak + target - measured.integrated <= peak
              and measured.lra <= TARGET_LRA)
    aim = target if linear else min(-5.0, target + DYNAMIC_LIFT)
    best: tuple[Path, Loudness, str] | None = None
    for attempt in range(ATTEMPTS):
        out = tmp / f"audio-{attempt}.{fmt}"
        log = run_ffmpeg([*base[:4], "-af", _loudnorm(aim, peak, measured), *base[4:], str(out)],
                         where, "normalise the loudness", level="info")
        got = meter(out, where)
        made = (out, got, _mode(log))
        best = made if best is None or _rank(made[1], target, ceiling) < _rank(
            best[1], target, ceiling) else best
        if abs(got.integrated - target) <= CLOSE and got.true_peak <= ceiling:
            break
        aim = min(-5.0, max(target - 6, aim + (target - got.integrated) * 1.5))
        if got.true_peak > ceiling - 0.1:
            peak = max(-9.0, peak - (got.true_peak - ceiling) - 0.5)
    assert best is not None
    return best


def _rank(got: Loudness, target: float, ceiling: float) -> tuple[bool, float]:
    """Which try is better: under the ceiling first, then nearer the target."""
    return got.true_peak > ceiling, abs(got.integrated - target)


def _loudnorm(aim: float, peak: float, measured: Loudness) -> str:
    return (f"loudnorm=I={aim:.2f}:TP={peak:.2f}:LRA={TARGET_LRA}"
            f":measured_I={measured.integrated:.2f}:measured_TP={measured.true_peak:.2f}"
            f":measured_LRA={measured.lra:.2f}:measured_thresh={measured.threshold:.2f}"
            ":offset=0:linear=true:print_format=json")


def _mode(log: str) -> str:
    found = re.search(r'"normalization_type"\s*:\s*"(\w+)"', log)
    return found.group(1) if found else ""


def _sample_rate(audio: Audio) -> int:
    """The source's rate, if LAME encodes it (loudnorm's output is 192 kHz)."""
    try:
        found = mutagen.File(audio.path)
        rate = int(getattr(found.info, "sample_rate", 0) or 0) if found is not None else 0
    except (mutagen.MutagenError, OSError, ValueError, EOFError):
        rate = 0
    if rate in _RATES:
        return rate
    return 44100 if rate and rate % 11025 == 0 else 48000


def measure(path: Path, where: str) -> Loudness:
    """loudnorm's first pass: the file's integrated loudness, true peak, range, threshold."""
    log = run_ffmpeg(["-i", str(path), "-map", "0:a:0", "-af",
                      f"loudnorm=LRA={TARGET_LRA}:print_format=json", "-f", "null", "-"],
                     where, "measure the loudness", level="info")
    start, end = log.rfind("{"), log.rfind("}")
    try:
        data = json.loads(log[start:end + 1]) if 0 <= start < end else {}
        return Loudness(*(_finite(data[f"input_{k}"]) for k in ("i", "tp", "lra", "thresh")))
    except (ValueError, KeyError, TypeError):
        raise PairError("ffmpeg's loudnorm printed no measurement", where=where,
                        fix="check that the audio plays") from None


def meter(path: Path, where: str) -> Loudness:
    """ffmpeg's EBU R128 meter (``ebur128``, true-peak mode) on a file: what a listener's
    player would measure of the published audio."""
    log = run_ffmpeg(["-i", str(path), "-map", "0:a:0", "-af",
                      "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
                     where, "measure the loudness", level="info")
    summary = log[log.rfind("Summary:"):]
    found = {name: re.search(rf"{label}:\s+{_NUMBER}", summary)
             for name, label in (("integrated", "I"), ("threshold", "Threshold"),
                                 ("lra", "LRA"), ("true_peak", "Peak"))}
    if "Summary:" not in log or not all(found.values()):
        raise PairError("ffmpeg's ebur128 printed no summary", where=where,
                        fix="check that the audio plays")
    values = {k: _finite(m.group(1)) for k, m in found.items() if m}
    return Loudness(values["integrated"], values["true_peak"], values["lra"],
                    values["threshold"])


def _finite(text: object) -> float:
    """A meter's number; silence reads -inf, kept as -99 (JSON has no infinity)."""
    number = float(str(text))
    return number if math.isfinite(number) else -99.0


# --- what `check` says --------------------------------------------------------------------

def loudness_problems(site: Site, episode: Episode, feeds: Sequence[FeedDefinition]
                      ) -> list[Problem]:
    """An episode's sound from the cache, nothing measured: a note with its loudness, true
    peak and range, of the source and as published for each setting its shows have (a setting
    not made yet is named: the next build makes it), and a warning for a published file more
    than 1 LU from its target or over its ceiling. Of an episode that no build has measured
    (a fresh project, a new episode) it says nothing: measuring is the build's work, and
    takes seconds per minute of audio. `feeds`: the shows it is in."""
    audio = episode.audio
    if audio is None or episode.remote_audio is not None:
        return []
    wanted: dict[tuple[AudioSettings, str], list[str]] = {}
    for feed in feeds:
        wanted.setdefault((feed.audio or site.audio, feed.audio_format), []).append(feed.slug)
    if not feeds:
        own = audio.extension if audio.extension in ("mp3", "m4a") else "mp3"
        wanted[(site.audio, own)] = []
    cache, where = Cache(site.cache_dir), episode.article.relpath
    notes: list[str] = []
    warnings: list[Problem] = []
    measured: Loudness | None = None
    for (settings, fmt), shows in wanted.items():
        if not settings.processes:
            continue
        known, done = cached(cache, audio, fmt, settings)
        measured = known or measured
        named = f"in {', '.join(shows)}" if shows else "on its page"
        if done is None:
            notes.append(f"{named} ({fmt}): not made yet, the next build does it")
            continue
        notes.append(f"{named} ({fmt}): {_levels(done.loudness)}")
        warnings += _off_target(done.loudness, settings, named, where)
    if not notes or (measured is None and not warnings and all(
            n.endswith("not made yet, the next build does it") for n in notes)):
        return []  # nothing measured yet (a fresh project): the build measures, check waits
    source = (f"the source {_levels(measured)}" if measured is not None
              else "the source not measured")
    return [Problem("info", where, f"loudness: {source}; " + "; ".join(notes), "", "audio"),
            *warnings]


def _levels(found: Loudness) -> str:
    return (f"{found.integrated:.1f} LUFS, true peak {found.true_peak:.1f} dBTP, "
            f"range {found.lra:.1f} LU")


def _off_target(found: Loudness, settings: AudioSettings, named: str, where: str
                ) -> list[Problem]:
    target = settings.loudness
    if target is None:
        return []
    off = found.integrated - target
    if abs(off) <= 1 and found.true_peak <= settings.true_peak:
        return []
    what = (f"{abs(off):.1f} LU {'over' if off > 0 else 'under'} the target {target:g} LUFS"
            if abs(off) > 1 else
            f"its true peak {found.true_peak:.1f} dBTP over the ceiling "
            f"{settings.true_peak:g} dBTP")
    return [Problem("warning", where, f"the audio published {named} is {what}",
                    "its peaks are sharp for its loudness: give the show a lower target "
                    "(loudness = -18 under [audio]), or a higher bitrate", "audio")]
