"""``[audio]``: the loudness and encoding of the published audio, read for companion.toml
and for a feed definition alike (a feed's keys over the project's).

    [audio]
    loudness = -16      # integrated LUFS target (-70 to -5); false: not normalised
    true_peak = -1      # dBTP (-9 to 0)
    mono = false        # true: one channel (speech)
    bitrate = 96        # kbit/s (16 to 320); default 96 when mono, else about the source's

`read_audio` returns the settings and the problems found, as (field, message, fix): the
project's reader raises the first, the feeds' reader collects them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from companion._model import AudioSettings
from companion._text import did_you_mean, finite_number, whole_number

AUDIO_KEYS = frozenset({"loudness", "true_peak", "mono", "bitrate"})
#: What ffmpeg's loudnorm accepts as targets.
LOUDNESS_RANGE = (-70.0, -5.0)
TRUE_PEAK_RANGE = (-9.0, 0.0)
BITRATE_RANGE = (16, 320)

AudioProblem = tuple[str, str, str]  # field, message, fix


def read_audio(table: object, base: AudioSettings
               ) -> tuple[AudioSettings, list[AudioProblem]]:
    """`table` (an ``[audio]`` table) over `base`; a bad value leaves `base`'s."""
    if not isinstance(table, dict):
        return base, [("audio", "[audio] must be a table",
                       "write it as an [audio] section: loudness = -16")]
    problems: list[AudioProblem] = []
    for key in table:
        if key not in AUDIO_KEYS:
            problems.append((f"audio.{key}", f"unknown setting [audio] {key}",
                             "; ".join(p for p in (did_you_mean(key, AUDIO_KEYS),
                                                   "known settings are: "
                                                   + ", ".join(sorted(AUDIO_KEYS))) if p)))
    changes: dict[str, Any] = {}
    for key, read in (("loudness", _loudness), ("true_peak", _true_peak), ("mono", _mono),
                      ("bitrate", _bitrate)):
        if key in table:
            value, problem = read(table[key])
            if problem:
                problems.append((f"audio.{key}", *problem))
            else:
                changes[key] = value
    return dataclasses.replace(base, **changes), problems


def _loudness(value: object) -> tuple[float | None, tuple[str, str] | None]:
    if value is False:
        return None, None
    if value is True:
        return AudioSettings().loudness, None
    number = finite_number(value, *LOUDNESS_RANGE)
    if number is None:
        return None, (f"loudness {value!r} is not a loudness target",
                      "write loudness = -16 (LUFS, from -70 to -5), or loudness = false to "
                      "publish the audio as it is")
    return number, None


def _true_peak(value: object) -> tuple[float, tuple[str, str] | None]:
    number = finite_number(value, *TRUE_PEAK_RANGE)
    if number is None:
        return 0.0, (f"true_peak {value!r} is not a true-peak ceiling",
                     "write true_peak = -1 (dBTP, from -9 to 0)")
    return number, None


def _mono(value: object) -> tuple[bool, tuple[str, str] | None]:
    if isinstance(value, bool):
        return value, None
    return False, (f"mono {value!r} is not true or false", "write mono = true or mono = false")


def _bitrate(value: object) -> tuple[int | None, tuple[str, str] | None]:
    number = None if isinstance(value, str) else whole_number(value, *BITRATE_RANGE)
    if number is None:
        return None, (f"bitrate {value!r} is not a bitrate in kbit/s",
                      "write bitrate = 96 (kbit/s, a whole number from 16 to 320)")
    return number, None
