"""Audio: mutagen reads, ffmpeg remuxes/converts, tagged copies read back by mutagen and ffprobe."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import mutagen
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from PIL import Image

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import make_article, make_site, tree
    from tests._media import ffprobe_json, sine, speech
except ImportError:
    from _fixtures_pair import make_article, make_site, tree  # type: ignore[no-redef]
    from _media import ffprobe_json, sine, speech  # type: ignore[no-redef]

from companion import Chapter, Episode, PairError, Site
from companion._pair.audio import (
    add_format,
    audio_from_file,
    cached_audio,
    probe,
    remux_m4a,
    store_audio,
)
from companion._pair.cache import Cache
from companion._pair.tagging import published_audio

CHAPTERS = (Chapter(0.0, "შესავალი", 1.5), Chapter(1.5, "Café & more", 3.0),
            Chapter(3.0, "السوق"))


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    return {"mp3": sine(folder / "tone.mp3", 4.0), "m4a": sine(folder / "tone.m4a", 4.0),
            "speech": speech(folder / "speech.mp3", "Dock workers walked off the job.")}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def episode_for(site: Site, path: Path, source: str, chapters: tuple[Chapter, ...] = CHAPTERS
                ) -> Episode:
    article = make_article(site, "night-trains", title="ღამის მატარებელი", author="Daniel",
                           episode=4)
    return Episode(article, "guid-1", audio=audio_from_file(path, source, article.relpath),
                   chapters=chapters)


def publish(episode: Episode, site: Site, fmt: str) -> Path:
    return published_audio(episode, site, show_title="Caucasus Desk", fmt=fmt,
                           page_url="https://pod.example.org/episodes/night-trains/",
                           artwork=png()).path


def test_probe_reads_type_duration_and_bitrate(media: dict[str, Path]) -> None:
    mp3 = probe(media["mp3"], "e.md")
    assert (mp3.ext, mp3.mime_type) == ("mp3", "audio/mpeg")
    assert mp3.bitrate is not None
    assert abs(mp3.bitrate - 32000) < 100
    assert 3.9 < mp3.duration < 4.2
    m4a = probe(media["m4a"], "e.md")
    assert (m4a.ext, m4a.mime_type) == ("m4a", "audio/mp4")
    assert 3.9 < m4a.duration < 4.2
    assert probe(media["speech"], "e.md").duration > 1


@pytest.mark.parametrize(("name", "content", "words"), [
    ("notes.txt", b"<html>This is not audio</html>" * 50, "not an audio file"),
    ("page.mp3", b"<html>This is not audio</html>" * 50, "not audio at all"),
    ("bad.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x10" + b"\x00" * 400, "damaged or truncated"),
])
def test_not_audio_or_damaged(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PairError) as caught:
        audio_from_file(path, "media/bad.mp3", "episodes/ep.md")
    assert words in caught.value.message
    assert caught.value.where == "episodes/ep.md"
    assert caught.value.fix


def test_truncated_mp3_is_detected(media: dict[str, Path], tmp_path: Path) -> None:
    data = media["speech"].read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(PairError, match="truncated"):
        probe(cut, "episodes/ep.md")


def test_remux_puts_moov_first(media: dict[str, Path], tmp_path: Path) -> None:
    out = remux_m4a(media["m4a"], tmp_path / "out.m4a", "e.md")
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")
    assert abs(probe(out, "e.md").duration - probe(media["m4a"], "e.md").duration) < 0.1


def test_store_is_content_addressed_and_idempotent(media: dict[str, Path],
                                                   tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    audio = store_audio(cache, media["m4a"], "youtube:abc", "e.md", original=True)
    assert audio.path.name == f"{audio.sha256}.m4a"
    assert audio.path.parent.name == "media"
    before = tree(cache.root)
    store_audio(cache, media["m4a"], "youtube:abc", "e.md", original=True)
    assert tree(cache.root) == before
    assert cached_audio(cache, "youtube:abc", "ep") == audio
    mp3 = add_format(cache, audio, "mp3", "e.md")
    assert cached_audio(cache, "youtube:abc", "ep", "mp3") == mp3
    assert cached_audio(cache, "youtube:abc", "ep") == audio


def test_published_mp3_tags_and_chapters(media: dict[str, Path], tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    path = publish(episode_for(site, media["mp3"], "media/tone.mp3"), site, "mp3")
    assert path.parent == site.cache_dir / "published"
    tags = ID3(path)
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "ღამის მატარებელი"
    assert str(tags["TALB"]) == "Caucasus Desk"
    assert str(tags["TPE1"]) == "Daniel"
    assert str(tags["TRCK"]) == "4"
    assert tags.getall("WOAR")[0].url == "https://pod.example.org/episodes/night-trains/"
    assert tags.getall("APIC")[0].data == png()
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.element_id, c.start_time, c.end_time) for c in chaps][:2] == [
        ("chp0", 0, 1500), ("chp1", 1500, 3000)]
    assert chaps[2].end_time == round(probe(media["mp3"], "e").duration * 1000)
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == [c.title for c in CHAPTERS]
    probed = ffprobe_json(path)
    assert [c["tags"]["title"] for c in probed["chapters"]] == [c.title for c in CHAPTERS]
    assert [float(c["start_time"]) for c in probed["chapters"]] == [0.0, 1.5, 3.0]
    assert probed["format"]["tags"]["title"] == "ღამის მატარებელი"


def test_published_copy_is_deterministic(media: dict[str, Path], tmp_path: Path) -> None:
    first = make_site(tmp_path / "a")
    second = make_site(tmp_path / "b")
    one = publish(episode_for(first, media["mp3"], "media/tone.mp3"), first, "mp3")
    again = publish(episode_for(first, media["mp3"], "media/tone.mp3"), first, "mp3")
    other = publish(episode_for(second, media["mp3"], "media/tone.mp3"), second, "mp3")
    assert one == again
    assert one.read_bytes() == other.read_bytes()
    assert one.name == other.name


def _with_tags(source: Path, target: Path, v2: bool, v1: bool) -> Path:
    """`source` with another program's ID3v2 tag (longer than ours, with padding) and/or
    an ID3v1 tag at its end."""
    from mutagen.id3 import COMM, TIT2, TSSE, delete

    target.write_bytes(source.read_bytes())
    delete(target)  # ffmpeg's own tag: none to begin with
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["an old title " * 40]))
    tags.add(TSSE(encoding=3, text=["Lavf60"]))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=["x" * 3000]))
    if v2:
        tags.save(target, v1=2 if v1 else 0, padding=lambda info: 1024)
    elif v1:
        tags.save(target, v1=2)
        stripped = ID3(target)
        stripped.delete(target, delete_v1=False, delete_v2=True)
    return target


@pytest.mark.parametrize(("v2", "v1"), [(False, False), (True, False), (False, True),
                                        (True, True)])
def test_streamed_mp3_tagging_equals_mutagen_in_place(media: dict[str, Path], tmp_path: Path,
                                                      v2: bool, v1: bool) -> None:
    """The build writes a tagged MP3 in one pass (`stream_tagged_mp3`): byte for byte what
    mutagen's own save gives on a copy, whatever tags the source already has."""
    import hashlib
    import shutil

    from companion._pair.tagging import Tags, stream_tagged_mp3, tag_mp3

    source = _with_tags(media["mp3"], tmp_path / "source.mp3", v2, v1)
    assert (source.read_bytes()[:3] == b"ID3") == v2
    assert (source.read_bytes()[-128:-125] == b"TAG") == v1
    tags = Tags("ღამის მატარებელი", "Caucasus Desk", "Daniel", "2026-12-01", 4,
                "https://pod.example.org/episodes/night-trains/", png(), CHAPTERS)
    in_place = tmp_path / "in-place.mp3"
    shutil.copyfile(source, in_place)
    tag_mp3(in_place, tags)
    streamed = tmp_path / "streamed.mp3"
    with streamed.open("wb") as out:
        sha = stream_tagged_mp3(source, out, tags)
    assert streamed.read_bytes() == in_place.read_bytes()
    assert sha == hashlib.sha256(in_place.read_bytes()).hexdigest()
    assert str(ID3(streamed)["TIT2"]) == "ღამის მატარებელი"


def test_published_m4a_tags_and_chapters(media: dict[str, Path], tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    path = publish(episode_for(site, media["m4a"], "youtube:abc"), site, "m4a")
    tags = MP4(path).tags
    assert tags is not None
    assert tags["\xa9nam"] == ["ღამის მატარებელი"]
    assert tags["trkn"] == [(4, 0)]
    assert bytes(tags["covr"][0]) == png()
    probed = ffprobe_json(path)
    assert [c["tags"]["title"] for c in probed["chapters"]] == [c.title for c in CHAPTERS]
    again = publish(episode_for(site, media["m4a"], "youtube:abc"), site, "m4a")
    assert again == path


def test_conversion_without_ffmpeg_is_a_clear_error(media: dict[str, Path], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "p")
    episode = episode_for(site, media["m4a"], "youtube:abc")
    site.cache_dir.mkdir()
    before = tree(site.cache_dir)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(PairError) as caught:
        publish(episode, site, "mp3")
    assert "ffmpeg" in caught.value.message
    assert "install ffmpeg" in caught.value.fix
    assert caught.value.where == episode.article.relpath
    assert tree(site.cache_dir) == before


def test_cached_variant_needs_no_ffmpeg(media: dict[str, Path], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "p")
    cache = Cache(site.cache_dir)
    original = store_audio(cache, media["m4a"], "youtube:abc", "e.md", original=True)
    add_format(cache, original, "mp3", "e.md")
    article = make_article(site, "x")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    audio = published_audio(Episode(article, "g", audio=original), site, show_title="S",
                            fmt="mp3", page_url="https://x/", artwork=None)
    assert audio.mime_type == "audio/mpeg"
    assert isinstance(mutagen.File(audio.path), mutagen.mp3.MP3)


def test_no_audio_is_a_clear_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    with pytest.raises(PairError, match="no audio"):
        published_audio(Episode(make_article(site), "g"), site, show_title="S", fmt="mp3",
                        page_url="https://x/", artwork=None)


def test_example_producer_file_is_audio() -> None:
    path = Path(__file__).resolve().parent.parent / "media" / "night-trains.mp3"
    assert path.stat().st_size < 250_000
    assert probe(path, "e").mime_type == "audio/mpeg"


def test_a_replaced_producer_file_gets_a_new_conversion(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    path = site.root / "media" / "ep.mp3"
    path.parent.mkdir()
    sine(path, 2.0, 440)
    first = publish(episode_for(site, path, "media/ep.mp3"), site, "m4a")
    sine(path, 2.0, 880)
    second = publish(episode_for(site, path, "media/ep.mp3"), site, "m4a")
    assert first != second
    assert MP4(second).tags is not None


def test_dash_m4a_is_remuxed_into_a_plain_file(media: dict[str, Path], tmp_path: Path) -> None:
    dash = tmp_path / "dash.m4a"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(media["m4a"]), "-c",
                    "copy", "-movflags", "frag_keyframe+empty_moov+default_base_moof",
                    "-frag_duration", "500000", "-f", "mp4", str(dash)], check=True)
    assert b"moof" in dash.read_bytes()  # fragmented, as YouTube serves it
    out = remux_m4a(dash, tmp_path / "plain.m4a", "e.md")
    data = out.read_bytes()
    assert b"moof" not in data
    assert data.index(b"moov") < data.index(b"mdat")
    assert abs(probe(out, "e.md").duration - 4.0) < 0.1
