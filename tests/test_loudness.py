"""Even loudness (issue 25): `[audio]` read and refused, and the published audio of a real
build measured with ffmpeg's own EBU R128 meter (``ebur128``), nothing stubbed."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from mutagen.id3 import ID3, ID3NoHeaderError

import companion
from companion import Problem, ProjectError
from companion._config.feeds import load_feeds
from tests._groups import require
from tests._media import run, speech

TEXT = ("The night train from Tbilisi to Baku is running again. Fifteen hours, one border "
        "and a samovar. The carriages are old but clean, and tea comes from the corridor.")
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
FEED = ('title = "{title}"\ndescription = "d"\nauthor = "a"\nlanguage = "en"\n'
        '[owner]\nname = "o"\nemail = "o@example.org"\n[select]\nepisodes = [{episodes}]\n')
ARTICLE = "---\ntitle: {title}\nlang: en\ndate: 2025-01-0{n}\naudio: media/{name}\n---\n\nBody.\n"


def ebur128(path: Path) -> dict[str, float]:
    """What ffmpeg's EBU R128 meter reads of a file: integrated, LRA, true peak."""
    require("media", "ffmpeg")
    log = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
                          "-map", "0:a:0", "-af", "ebur128=peak=true:framelog=verbose",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = log[log.rindex("Summary:"):]
    found = {key: re.search(rf"{label}:\s+(-?[\d.]+|-inf)", summary)
             for key, label in (("I", "I"), ("LRA", "LRA"), ("TP", "Peak"))}
    return {key: float(m.group(1)) for key, m in found.items() if m}


def channels(path: Path) -> tuple[int, int, int]:
    """The audio's channels, bitrate and sample rate, as ffprobe reads them."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                          "stream=channels,bit_rate,sample_rate", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    stream = json.loads(out)["streams"][0]
    return int(stream["channels"]), int(stream["bit_rate"]), int(stream["sample_rate"])


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Speech at about -30 and -8 LUFS (the loud one clips: true peak over 0 dBTP), and a
    stereo copy, as MP3 at 64 kbit/s."""
    require("media", "ffmpeg", "espeak-ng")
    folder = tmp_path_factory.mktemp("voices")
    wav = speech(folder / "speech.wav", TEXT)
    made = {}
    for name, gain, layout in (("quiet", -9.5, "1"), ("loud", 12.5, "1"),
                               ("stereo", 0.0, "2")):
        made[name] = folder / f"{name}.mp3"
        run("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-af",
            f"volume={gain}dB", "-ac", layout, "-c:a", "libmp3lame", "-b:a", "64k",
            "-map_metadata", "-1", "-fflags", "+bitexact", str(made[name]))
    return made


def project_with(make_project: Callable[..., Path], voices: dict[str, Path],
                 names: dict[str, str], feeds: dict[str, tuple[str, ...]],
                 toml: str = "", feed_audio: dict[str, str] | None = None) -> Path:
    """Episodes (slug -> voice) and feeds (slug -> episodes), `toml` added to companion.toml
    and `feed_audio` to feed definitions."""
    files: dict[str, str | bytes] = {}
    for n, (slug, voice) in enumerate(names.items(), start=1):
        files[f"episodes/2025-01-0{n}-{slug}.md"] = ARTICLE.format(
            title=slug.title(), n=n, name=f"{voice}.mp3")
        files[f"media/{voice}.mp3"] = voices[voice].read_bytes()
    for slug, episodes in feeds.items():
        files[f"feeds/{slug}.toml"] = FEED.format(
            title=slug, episodes=", ".join(f'"{e}"' for e in episodes)) + (
                (feed_audio or {}).get(slug, ""))
    root = make_project(files)
    with (root / "companion.toml").open("a", encoding="utf-8") as config:
        config.write(toml)
    return root


def audio_problems(problems: list[Problem]) -> list[Problem]:
    """All but the warning about GUIDs made from file names (these articles have none)."""
    return [p for p in problems if p.field != "guid"]


def enclosures(site: Path, feed: str) -> dict[str, tuple[Path, int, str]]:
    """Each item's title -> (the published file, the enclosure's length, itunes:duration)."""
    root = etree.parse(str(site / feed / "feed.xml")).getroot()
    found = {}
    for item in root.iter("item"):
        enclosure = item.find("enclosure")
        assert enclosure is not None
        path = site / enclosure.get("url", "").removeprefix("https://pod.example.org/")
        found[item.findtext("title") or ""] = (path, int(enclosure.get("length", "0")),
                                               item.findtext(f"{{{ITUNES}}}duration") or "")
    return found


def counting_ffmpeg(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ffmpeg as installed, behind a script that notes each run (first on PATH)."""
    real = shutil.which("ffmpeg")
    assert real
    log = folder / "ffmpeg-runs.log"
    shim = folder / "bin" / "ffmpeg"
    shim.parent.mkdir(parents=True)
    shim.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def test_episodes_far_apart_are_published_within_1_lu(
        make_project: Callable[..., Path], voices: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """-30 and -8 LUFS in, -16 LUFS +/- 1 LU with true peak <= -1 dBTP out (the default),
    sizes and durations in the feed those of the published files; a second build, forced,
    runs ffmpeg not once."""
    quiet, loud = ebur128(voices["quiet"]), ebur128(voices["loud"])
    assert loud["I"] - quiet["I"] > 20, (quiet, loud)
    assert loud["TP"] > 0, loud
    root = project_with(make_project, voices, {"quiet": "quiet", "loud": "loud"},
                        {"show": ("quiet", "loud")})
    project = companion.load_project(root)
    result = project.build(jobs=1)
    assert not audio_problems(result.problems), result.problems
    published = enclosures(project.site.out_dir, "show")
    assert set(published) == {"Quiet", "Loud"}
    for path, length, duration in published.values():
        measured = ebur128(path)
        assert abs(measured["I"] - -16) <= 1, (path.name, measured)
        assert measured["TP"] <= -1, (path.name, measured)
        assert length == path.stat().st_size
        assert channels(path)[2] == 22050  # the source's rate (loudnorm works at 192 kHz)
        assert duration == str(round(float(json.loads(subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json",
             str(path)], capture_output=True, text=True, check=True).stdout
        )["format"]["duration"])))
    records = sorted((root / "cache" / "loudness").glob("*.json"))
    assert len(records) == 2
    made = {p: p.stat().st_mtime_ns for p in (root / "cache" / "media").iterdir()}
    assert len(made) == 2
    runs = counting_ffmpeg(tmp_path, monkeypatch)
    again = project.build(jobs=1, force=True)
    assert again.rendered == 2
    assert not audio_problems(again.problems)
    assert not runs.exists(), runs.read_text(encoding="utf-8")
    assert {p: p.stat().st_mtime_ns for p in (root / "cache" / "media").iterdir()} == made
    assert enclosures(project.site.out_dir, "show") == published
    project.clean()  # the site and the tagged copies go; the normalised audio stays
    assert sorted((root / "cache" / "loudness").glob("*.json")) == records
    assert {p: p.stat().st_mtime_ns for p in (root / "cache" / "media").iterdir()} == made
    project.build(jobs=1)
    assert not runs.exists(), runs.read_text(encoding="utf-8")
    assert enclosures(project.site.out_dir, "show") == published
    project.clean(cache=True)
    assert not (root / "cache" / "loudness").exists()


def _audio_bytes(path: Path, folder: Path) -> bytes:
    """The file's bytes without its ID3 tag (what the build adds to the source)."""
    copy = folder / f"untagged-{path.name}"
    shutil.copyfile(path, copy)
    with contextlib.suppress(ID3NoHeaderError):
        ID3(copy).delete(copy)
    return copy.read_bytes()


def test_loudness_false_publishes_the_audio_as_it_is(
        make_project: Callable[..., Path], voices: dict[str, Path], tmp_path: Path) -> None:
    root = project_with(make_project, voices, {"quiet": "quiet"}, {"show": ("quiet",)},
                        toml="\n[audio]\nloudness = false\n")
    project = companion.load_project(root)
    assert project.site.audio.loudness is None
    assert not project.site.audio.processes
    assert not audio_problems(project.build(jobs=1).problems)
    [(path, _length, _duration)] = enclosures(project.site.out_dir, "show").values()
    assert _audio_bytes(path, tmp_path) == _audio_bytes(voices["quiet"], tmp_path)
    assert not (root / "cache" / "loudness").exists()


def test_a_feed_of_its_own_mono_at_48k_and_19_lufs(
        make_project: Callable[..., Path], voices: dict[str, Path]) -> None:
    """The project's default for one show; another's [audio] asks for mono speech at
    48 kbit/s and -19 LUFS (its keys over the project's: true_peak stays)."""
    root = project_with(make_project, voices, {"talk": "stereo"},
                        {"main": ("talk",), "speech": ("talk",)},
                        toml="\n[audio]\ntrue_peak = -1.5\n",
                        feed_audio={"speech": "[audio]\nloudness = -19\nmono = true\n"
                                              "bitrate = 48\n"})
    project = companion.load_project(root)
    assert not audio_problems(project.build(jobs=1).problems)
    [(main, _, _)] = enclosures(project.site.out_dir, "main").values()
    [(mono, _, _)] = enclosures(project.site.out_dir, "speech").values()
    assert channels(main)[0] == 2
    assert channels(mono) == (1, 48000, channels(voices["stereo"])[2])
    for path, target in ((main, -16), (mono, -19)):
        measured = ebur128(path)
        assert abs(measured["I"] - target) <= 1, (path.name, measured)
        assert measured["TP"] <= -1.5, (path.name, measured)
    [record] = (root / "cache" / "loudness").glob("*.json")
    assert sorted(json.loads(record.read_text(encoding="utf-8"))["results"]) == [
        "mp3 I=-16 TP=-1.5 keep auto", "mp3 I=-19 TP=-1.5 mono 48k"]


@pytest.mark.parametrize(("setting", "field", "words"), [
    ('loudness = "loud"', "audio.loudness", "loudness 'loud' is not a loudness target"),
    ("true_peak = 3", "audio.true_peak", "true_peak 3 is not a true-peak ceiling"),
    ("bitrate = \"96k\"", "audio.bitrate", "write bitrate = 96"),
    ("mono = 1", "audio.mono", "mono 1 is not true or false"),
    ("loudnes = -16", "audio.loudnes", "did you mean `loudness`?"),
])
def test_bad_settings_are_one_error_naming_the_file_and_key(
        make_project: Callable[..., Path], setting: str, field: str, words: str) -> None:
    root = make_project()
    with (root / "companion.toml").open("a", encoding="utf-8") as config:
        config.write(f"\n[audio]\n{setting}\n")
    with pytest.raises(ProjectError) as caught:
        companion.load_project(root)
    assert caught.value.field == field
    assert caught.value.where.endswith("companion.toml")
    assert words in str(caught.value)
    (root / "companion.toml").write_text(
        '[site]\ntitle = "T"\nbase_url = "https://pod.example.org/"\n', encoding="utf-8")
    (root / "feeds" / "show.toml").write_text(
        FEED.format(title="show", episodes="") + f"[audio]\n{setting}\n", encoding="utf-8")
    found = load_feeds(companion.load_project(root).site)
    assert not found.feeds
    [problem] = found.problems
    assert (problem.severity, problem.where, problem.field) == ("error", "feeds/show.toml",
                                                                field)
    assert words in str(problem)


def test_check_shows_each_episodes_loudness_and_warns_off_target(
        make_project: Callable[..., Path], voices: dict[str, Path]) -> None:
    """Before a build: nothing; after: the source's and the published file's, from the cache
    (check measures nothing); a published file 2 LU under its target is a warning."""
    root = project_with(make_project, voices, {"quiet": "quiet"}, {"show": ("quiet",)})
    project = companion.load_project(root)

    def notes() -> list[Problem]:
        return [p for p in project.check().problems if p.field == "audio"]

    assert notes() == []  # nothing measured: the build measures, check says nothing yet
    project.build(jobs=1)
    [after] = notes()
    record_path = next((root / "cache" / "loudness").glob("*.json"))
    record = json.loads(record_path.read_text(encoding="utf-8"))
    published = record["results"]["mp3 I=-16 TP=-1 keep auto"]["loudness"]
    assert after.where == "episodes/2025-01-01-quiet.md"
    assert f"loudness: the source {record['measured']['integrated']:.1f} LUFS" in after.message
    assert (f"in show (mp3): {published['integrated']:.1f} LUFS, true peak "
            f"{published['true_peak']:.1f} dBTP, range {published['lra']:.1f} LU"
            in after.message)
    assert abs(record["measured"]["integrated"] - -30) <= 1
    record["results"]["mp3 I=-16 TP=-1 keep auto"]["loudness"]["integrated"] = -18.0
    record_path.write_text(json.dumps(record), encoding="utf-8")
    [_note, warning] = notes()
    assert warning.severity == "warning"
    assert "in show is 2.0 LU under the target -16 LUFS" in warning.message
    (root / "feeds" / "show.toml").write_text(
        FEED.format(title="show", episodes='"quiet"') + "[audio]\nloudness = -20\n",
        encoding="utf-8")
    [changed] = notes()
    assert "in show (mp3): not made yet, the next build does it" in changed.message
    assert f"loudness: the source {record['measured']['integrated']:.1f} LUFS" in changed.message


def test_without_ffmpeg_the_audio_is_published_as_it_is_with_a_warning(
        make_project: Callable[..., Path], voices: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A project that built before keeps building where ffmpeg is missing: the audio as it
    is, and one warning per episode that says what to do."""
    root = project_with(make_project, voices, {"quiet": "quiet"}, {"show": ("quiet",)})
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    project = companion.load_project(root)
    [warning] = audio_problems(project.build(jobs=1).problems)
    assert (warning.severity, warning.where, warning.field) == (
        "warning", "episodes/2025-01-01-quiet.md", "audio")
    assert "ffmpeg is not installed" in warning.message
    assert "loudness = false" in warning.fix
    [(path, _length, _duration)] = enclosures(project.site.out_dir, "show").values()
    assert _audio_bytes(path, tmp_path) == _audio_bytes(voices["quiet"], tmp_path)
