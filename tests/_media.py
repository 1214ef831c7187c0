"""Audio fixtures made at test time with ffmpeg and espeak-ng (nothing downloaded)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests._groups import require


def run(*args: str) -> None:
    require("media", args[0])
    subprocess.run(args, check=True, capture_output=True)


def sine(path: Path, seconds: float = 3.0, freq: int = 440) -> Path:
    """A sine tone encoded by the file's extension (.mp3, .m4a, .wav)."""
    codec = {".mp3": ["-c:a", "libmp3lame", "-b:a", "32k"],
             ".m4a": ["-c:a", "aac", "-b:a", "32k"],
             ".wav": []}[path.suffix]
    run("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
        f"sine=frequency={freq}:duration={seconds}", "-ac", "1", "-ar", "22050",
        *codec, "-map_metadata", "-1", "-fflags", "+bitexact", str(path))
    return path


def speech(path: Path, text: str, voice: str = "en") -> Path:
    """Spoken `text` (espeak-ng), encoded by the file's extension."""
    wav = path.with_suffix(".speech.wav")
    run("espeak-ng", "-v", voice, "-w", str(wav), text)
    codec = {".mp3": ["-c:a", "libmp3lame", "-b:a", "32k"],
             ".m4a": ["-c:a", "aac", "-b:a", "32k"], ".wav": []}[path.suffix]
    run("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-ac", "1",
        *codec, "-map_metadata", "-1", "-fflags", "+bitexact", str(path))
    wav.unlink()
    return path


def ffprobe_json(path: Path) -> dict[str, object]:
    import json

    require("media", "ffprobe")
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                          "-show_chapters", "-show_streams", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out))
