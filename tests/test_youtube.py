"""yt-dlp for real: its info-JSON path for metadata, a local HTTP server for fetches and faults."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import REPO, closed_port, media_page
    from tests._httpserver import Reply, Server
    from tests._media import sine
except ImportError:
    from _fixtures_pair import REPO, closed_port, media_page  # type: ignore[no-redef]
    from _httpserver import Reply, Server  # type: ignore[no-redef]
    from _media import sine  # type: ignore[no-redef]

from companion import FetchError, PairError
from companion._fetch.video import YtDlpSource, chosen_caption, fetch_error, process_result
from companion._pair.youtube import cache_rel, trim_info, video_from_info

SIGNED = "https://rr3---sn-4g5e6nsz.googlevideo.com/videoplayback?expire=1760000000&sig=AOq0QJ8"


def raw_youtube_result() -> dict[str, Any]:
    """What yt-dlp's YouTube extractor returns (the documented fields), before processing."""
    return {
        "_type": "video", "id": "Qp7Rs3Tu9Vw", "title": "The night train",
        "description": "Fifteen hours.\n\n0:00 Platform one\n0:30 The border",
        "duration": 95, "upload_date": "20250925", "timestamp": 1758801600,
        "channel": "Caucasus Desk", "channel_url": "https://www.youtube.com/channel/UCx",
        "uploader": "Caucasus Desk", "webpage_url": "https://www.youtube.com/watch?v=Qp7Rs3Tu9Vw",
        "tags": ["railways"], "extractor": "youtube", "extractor_key": "Youtube",
        "chapters": [{"start_time": 0.0, "end_time": 30.0, "title": "Platform one"},
                     {"start_time": 30.0, "end_time": 95.0, "title": "The border"}],
        "thumbnails": [
            {"url": "https://i.ytimg.com/vi/Qp7Rs3Tu9Vw/default.jpg", "width": 120,
             "height": 90, "preference": -13},
            {"url": "https://i.ytimg.com/vi_webp/Qp7Rs3Tu9Vw/maxresdefault.webp?sqp=-oay&rs=AOn4",
             "width": 1280, "height": 720, "preference": -2},
            {"url": "https://i.ytimg.com/vi/Qp7Rs3Tu9Vw/maxresdefault.jpg", "width": 1280,
             "height": 720, "preference": -1},
        ],
        "formats": [
            {"format_id": "139", "ext": "m4a", "acodec": "mp4a.40.5", "vcodec": "none",
             "abr": 48, "url": SIGNED + "&itag=139", "http_headers": {"Cookie": "x"}},
            {"format_id": "140", "ext": "m4a", "acodec": "mp4a.40.2", "vcodec": "none",
             "abr": 129, "url": SIGNED + "&itag=140"},
        ],
        "subtitles": {"en": [{"ext": "vtt", "url": "https://www.youtube.com/api/timedtext?sig=1"}]},
        "automatic_captions": {
            "en": [{"ext": "vtt", "url": "https://www.youtube.com/api/timedtext?kind=asr"}],
            "ka": [{"ext": "vtt", "url": "https://www.youtube.com/api/timedtext?tlang=ka"}],
        },
    }


def test_info_json_path_is_trimmed_to_the_kept_fields() -> None:
    info = process_result(raw_youtube_result())
    assert info["format_id"] == "140"  # yt-dlp really processed it: bestaudio[ext=m4a]
    trimmed = trim_info(info)
    text = json.dumps(trimmed)
    assert "googlevideo" not in text
    assert "timedtext" not in text
    assert "sqp=" not in text
    assert not [k for k in trimmed if k.startswith("_")]
    assert {"formats", "requested_formats", "http_headers", "url"}.isdisjoint(trimmed)
    assert trimmed["thumbnails"] == [{"url": "https://i.ytimg.com/vi/Qp7Rs3Tu9Vw/maxresdefault.jpg",
                                      "width": 1280, "height": 720, "id": "2"}]
    assert trimmed["subtitles"] == {"en": [{"ext": "vtt"}]}
    assert trimmed["automatic_captions"] == {"en": [], "ka": []}
    assert trimmed["chapters"][1]["title"] == "The border"


def test_video_from_trimmed_info(tmp_path: Path) -> None:
    video = video_from_info(trim_info(process_result(raw_youtube_result())), tmp_path, "ep")
    assert video.id == "Qp7Rs3Tu9Vw"
    assert video.duration == 95.0
    assert video.upload_date == date(2025, 9, 25)
    assert video.thumbnail is not None
    assert video.thumbnail.width == 1280
    assert [c.title for c in video.chapters] == ["Platform one", "The border"]
    assert video.subtitle_langs == ("en",)
    assert video.caption_langs == ("en", "ka")
    assert video.embed_url == "https://www.youtube-nocookie.com/embed/Qp7Rs3Tu9Vw"


def test_example_cache_reads_back() -> None:
    path = REPO / "cache" / cache_rel("Lm4Nq8Rt2Ws")
    video = video_from_info(json.loads(path.read_text(encoding="utf-8")), path, "cafe")
    assert next(c.title for c in video.chapters) == "Introducción"  # from the description
    assert video.thumbnail
    assert video.thumbnail.url.endswith("/maxresdefault.jpg")


def test_trim_keeps_the_thumbnail_record_and_nothing_that_expires() -> None:
    sha = "ab" * 32
    record = {"file": f"images/{sha}.jpg", "sha256": sha, "width": 1280, "height": 720}
    info = {**process_result(raw_youtube_result()),
            "_companion_thumbnail": {**record, "url": SIGNED, "fetched": "2025-10-01"}}
    trimmed = trim_info(info)
    assert trimmed["_companion_thumbnail"] == record
    assert trim_info(trimmed) == trimmed
    for bad in ({**record, "file": "../../x.jpg"}, {**record, "sha256": "cd" * 32},
                {**record, "width": "1280"}, {**record, "file": f"images/{sha}.gif"}, "x"):
        assert "_companion_thumbnail" not in trim_info({**info, "_companion_thumbnail": bad})


def test_example_cache_has_every_thumbnail() -> None:
    for path in sorted((REPO / "cache" / "youtube").glob("*.info.json")):
        record = json.loads(path.read_text(encoding="utf-8"))["_companion_thumbnail"]
        image = REPO / "cache" / record["file"]
        assert hashlib.sha256(image.read_bytes()).hexdigest() == record["sha256"]
        assert image.stat().st_size < 60_000, path.name
        assert (record["width"], record["height"]) == (1280, 720)


def test_damaged_info_is_a_pair_error(tmp_path: Path) -> None:
    with pytest.raises(PairError) as caught:
        video_from_info({"id": "x", "title": 3}, tmp_path / "x.info.json", "slug")
    assert "companion fetch --refresh slug" in caught.value.fix


QUICK = YtDlpSource(timeout=5, retries=0)


@pytest.fixture(scope="module")
def m4a(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return sine(tmp_path_factory.mktemp("media") / "tone.m4a", 2.0).read_bytes()


def test_fetch_info_and_captions_from_a_local_page(server: Server, m4a: bytes,
                                                   tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nგამარჯობა\n"
    url = media_page(server, "abc", m4a, vtt=vtt, lang="ka", title="ტესტი")
    info, sub, automatic = QUICK.info(url, "episodes/ep.md", lang="ka", workdir=tmp_path)
    assert info["title"].startswith("ტესტი")
    assert sub is not None
    assert "გამარჯობა" in sub.read_text(encoding="utf-8")
    assert automatic is False
    assert trim_info(info)["subtitles"] == {"ka": [{"ext": "vtt"}]}


def test_download_audio_from_a_local_page(server: Server, m4a: bytes, tmp_path: Path) -> None:
    path = QUICK.audio(media_page(server, "abc", m4a), "episodes/ep.md", tmp_path)
    assert path.read_bytes() == m4a


@pytest.mark.parametrize(("status", "words"), [(404, "unavailable"), (403, "refused")])
def test_missing_or_private_video(server: Server, tmp_path: Path, status: int,
                                  words: str) -> None:
    server.routes["/watch/gone"] = Reply(b"no", "text/html", status)
    with pytest.raises(FetchError) as caught:
        QUICK.info(server.url("/watch/gone"), "episodes/ep.md", lang="en", workdir=tmp_path)
    assert caught.value.where == "episodes/ep.md"
    assert words in caught.value.message
    assert caught.value.fix
    assert not list(tmp_path.iterdir())


def test_no_network(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/watch/x"
    with pytest.raises(FetchError) as caught:
        QUICK.info(url, "episodes/ep.md", lang="en", workdir=tmp_path)
    assert "no network" in caught.value.message
    assert "connect" in caught.value.fix


def test_timeout(server: Server, tmp_path: Path) -> None:
    server.routes["/watch/slow"] = Reply(hang=True)
    with pytest.raises(FetchError) as caught:
        YtDlpSource(timeout=1, retries=0).info(server.url("/watch/slow"), "episodes/ep.md",
                                               lang="en", workdir=tmp_path)
    assert "in time" in caught.value.message


@pytest.mark.parametrize(("message", "words"), [
    ("ERROR: [youtube] x: Private video. Sign in if you've been granted access", "private"),
    ("ERROR: [youtube] x: Video unavailable. This video has been removed", "unavailable"),
    ("ERROR: [youtube] x: The uploader has not made this video available in your country",
     "region"),
])
def test_youtube_messages_get_a_fix(message: str, words: str) -> None:
    error = fetch_error(message, "episodes/ep.md", "https://www.youtube.com/watch?v=x")
    assert words in error.message
    assert error.fix
    assert error.where == "episodes/ep.md"


def with_caption_urls(server: Server, manual: bool) -> dict[str, Any]:
    raw = raw_youtube_result()
    server.routes["/manual.vtt"] = Reply(b"WEBVTT\n\n00:00.000 --> 00:01.000\nmanual\n", "text/vtt")
    server.routes["/auto.vtt"] = Reply(b"WEBVTT\n\n00:00.000 --> 00:01.000\nauto\n", "text/vtt")
    raw["subtitles"] = {"ka": [{"ext": "vtt", "url": server.url("/manual.vtt")}]} if manual \
        else {}
    raw["automatic_captions"] = {lang: [{"ext": "vtt", "url": server.url("/auto.vtt")}]
                                 for lang in ("ka", "ka-orig", "en")}
    return raw


@pytest.mark.parametrize(("manual", "text"), [(True, "manual"), (False, "auto")])
def test_manual_captions_first_automatic_as_fallback(server: Server, tmp_path: Path,
                                                     manual: bool, text: str) -> None:
    info = process_result(with_caption_urls(server, manual), captions=("ka", tmp_path))
    path, automatic = chosen_caption(info, "ka")
    assert path is not None
    assert text in path.read_text(encoding="utf-8")
    assert automatic is not manual
    assert not any("googlevideo" in r for r in server.requests)
