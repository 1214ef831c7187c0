"""The pair stage: GUIDs, pairing from the cache only; fetch (real yt-dlp) against a local
server, then pairing what it cached."""

from __future__ import annotations

import io
import json
import shutil
import uuid
from pathlib import Path

import pytest
from PIL import Image

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import REPO, make_article, make_site, media_page, tree
    from tests._httpserver import Reply, Server
    from tests._media import sine
except ImportError:
    from _fixtures_pair import REPO, make_article, make_site, media_page, tree  # type: ignore[no-redef]
    from _httpserver import Reply, Server  # type: ignore[no-redef]
    from _media import sine  # type: ignore[no-redef]

from companion import PairError
from companion._config.project import load_site
from companion._fetch import FetchEvent, FetchOptions, fetch
from companion._fetch.video import YtDlpSource
from companion._pair import thumbnails as _thumbnails
from companion._pair.episodes import episode_guid, pair_project
from companion._read.identity import GUID_NAMESPACE

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nგამარჯობა\n"
OEMBED = json.dumps({"type": "rich", "version": "1.0", "title": "Spotify title",
                     "iframe_url": "https://open.spotify.com/embed/episode/sp1",
                     "thumbnail_url": "https://i.scdn.co/image/x"}).encode()


# --- GUIDs ----------------------------------------------------------------------------------

def test_explicit_guid_wins(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert episode_guid(make_article(site, guid="urn:x", youtube_id="abc")) == "urn:x"


def test_guid_follows_youtube_then_spotify_then_slug(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    yt = make_article(site, youtube_id="abc", spotify_id="sp")
    assert episode_guid(yt) == str(uuid.uuid5(GUID_NAMESPACE, "youtube:abc"))
    renamed = make_article(site, "other-name", title="New title", youtube_id="abc")
    assert episode_guid(renamed) == episode_guid(yt)
    assert episode_guid(make_article(site, spotify_id="sp")) == str(
        uuid.uuid5(GUID_NAMESPACE, "spotify:sp"))
    assert episode_guid(make_article(site, "s")) == str(uuid.uuid5(GUID_NAMESPACE, "slug:s"))
    assert str(GUID_NAMESPACE) == "89b64a9b-cf28-4b0a-b902-a9f7ffea180c"


def test_slug_guid_is_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = pair_project([make_article(site, "plain")], site)
    (problem,) = result.problems
    assert problem.severity == "warning"
    assert problem.field == "guid"
    assert "renaming" in problem.message
    assert f'guid: "{result.episodes[0].guid}"' in problem.fix


# --- pairing from the cache -------------------------------------------------------------------

def test_example_project_pairs_offline(example_project: Path) -> None:
    from companion._read.articles import read_project

    if not (example_project / "media").exists():  # the shared fixture may not copy media/
        shutil.copytree(REPO / "media", example_project / "media")
    site = load_site(example_project)
    result = pair_project(read_project(site).articles, site)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert len(result.episodes) == 7
    assert all(e.audio is not None and e.audio.duration > 10 for e in result.episodes)
    assert all(e.youtube is not None for e in result.episodes)
    assert sum(1 for e in result.episodes if e.chapters) == 6
    assert sum(1 for e in result.episodes if e.transcripts) == 4
    assert sum(1 for e in result.episodes if e.spotify and e.spotify.title) == 5
    trains = next(e for e in result.episodes if e.slug == "night-trains")
    assert trains.audio is not None
    assert trains.audio.source == "media/night-trains.mp3"


def test_uncached_video_names_the_episode_and_fetch(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = pair_project([make_article(site, "new-one", youtube_id="zzz")], site)
    errors = [p for p in result.problems if p.severity == "error"]
    assert {p.where for p in errors} == {"episodes/new-one.md"}
    assert all("companion fetch new-one" in p.fix for p in errors)
    assert result.episodes[0].youtube is None


def test_damaged_cache_file_is_a_pair_error(tmp_path: Path) -> None:
    site = make_site(tmp_path, with_example_cache=True)
    info = site.cache_dir / "youtube" / "Hb3Kd9Lp2Qs.info.json"
    info.write_text('{"id": "Hb3Kd9Lp2Qs", "title": [1, 2', encoding="utf-8")
    before = tree(site.cache_dir)
    with pytest.raises(PairError) as caught:
        pair_project([make_article(site, "harbour-strike", youtube_id="Hb3Kd9Lp2Qs")], site)
    assert str(info) in str(caught.value)
    assert caught.value.fix == "run `companion fetch --refresh harbour-strike`"
    assert tree(site.cache_dir) == before


def test_producer_file_that_is_not_audio(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "ep.mp3").write_text("not audio at all " * 100, encoding="utf-8")
    result = pair_project([make_article(site, "ep", audio="media/ep.mp3", guid="g")], site)
    (problem,) = result.problems
    assert problem.where == "episodes/ep.md"
    assert "not audio" in problem.message


# --- fetch against a local server -------------------------------------------------------------

@pytest.fixture(scope="module")
def m4a(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return sine(tmp_path_factory.mktemp("media") / "tone.m4a", 3.0).read_bytes()


QUICK = YtDlpSource(timeout=5, retries=0)


def options(server: Server) -> FetchOptions:
    return FetchOptions(youtube_url=server.url("/watch/{id}"), oembed_url=server.url("/oembed"),
                        timeout=5, retries=0, jobs=2, video=QUICK)


def test_fetch_fills_the_cache_and_pair_reads_it(server: Server, m4a: bytes,
                                                 tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a, vtt=VTT, lang="ka")
    server.routes["/oembed"] = Reply(OEMBED, "application/json")
    good = make_article(site, "good", lang="ka", youtube_id="vid1", spotify_id="sp1")
    gone = make_article(site, "gone", youtube_id="vid2")
    events: list[FetchEvent] = []
    report = fetch([good, gone], site, progress=events.append, options=options(server))
    assert report.fetched == ["good"]
    (failure,) = report.failed
    assert failure.where == "episodes/gone.md"
    assert "unavailable" in failure.message
    assert {(e.slug, e.state) for e in events} == {
        ("good", "start"), ("good", "done"), ("gone", "start"), ("gone", "failed")}
    assert not (site.cache_dir / "youtube" / "vid2.info.json").exists()

    result = pair_project([good], site)
    (episode,) = result.episodes
    assert episode.youtube is not None
    assert episode.spotify is not None
    assert episode.spotify.title == "Spotify title"
    assert episode.audio is not None
    assert episode.audio.mime_type == "audio/mp4"
    assert episode.audio.path.read_bytes().index(b"moov") < episode.audio.path.read_bytes(
        ).index(b"mdat")  # remuxed with +faststart
    assert [t.lang for t in episode.transcripts] == ["ka"]
    record = json.loads((site.cache_dir / "audio" / "youtube-vid1.json").read_text("utf-8"))
    assert sorted(record["files"]) == ["m4a", "mp3"]


def test_refetch_changes_nothing(server: Server, m4a: bytes, tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a)
    article = make_article(site, "ep", youtube_id="vid1")
    assert fetch([article], site, options=options(server)).fetched == ["ep"]
    before, asked = tree(site.cache_dir), len(server.requests)
    assert fetch([article], site, options=options(server)).cached == ["ep"]
    assert len(server.requests) == asked  # nothing asked: all cached
    assert fetch([article], site, refresh=True, options=options(server)).ok
    assert len(server.requests) > asked
    assert tree(site.cache_dir) == before  # identical audio and metadata: nothing changed


def test_failed_fetch_leaves_the_cache_as_it_was(server: Server, m4a: bytes,
                                                 tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a)
    article = make_article(site, "ep", youtube_id="vid1")
    assert fetch([article], site, options=options(server)).ok
    before = tree(site.cache_dir)
    server.routes["/media/vid1.m4a"] = Reply(m4a[: len(m4a) // 4], "audio/mp4")
    report = fetch([article], site, refresh=True, options=options(server))
    (failure,) = report.failed
    assert failure.where == "episodes/ep.md"
    assert failure.fix
    assert tree(site.cache_dir) == before


def test_producer_audio_url_is_downloaded(server: Server, tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    server.routes["/files/ep.mp3"] = Reply(sine(tmp_path / "ep.mp3").read_bytes(), "audio/mpeg")
    server.routes["/files/page.mp3"] = Reply(b"<html>login</html>" * 40, "text/html")
    url = server.url("/files/ep.mp3")
    good = make_article(site, "ep", audio=url, guid="g1")
    bad = make_article(site, "bad", audio=server.url("/files/page.mp3"), guid="g2")
    report = fetch([good, bad], site, options=options(server))
    assert report.fetched == ["ep"]
    assert "not audio" in report.failed[0].message
    (episode,) = pair_project([good], site).episodes
    assert episode.audio is not None
    assert episode.audio.source == url
    assert episode.audio.path.parent == site.cache_dir / "media"


def test_fetch_reports_a_damaged_record_and_refresh_repairs_it(server: Server, m4a: bytes,
                                                               tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a)
    article = make_article(site, "ep", youtube_id="vid1")
    assert fetch([article], site, options=options(server)).ok
    good = tree(site.cache_dir)
    record = site.cache_dir / "audio" / "youtube-vid1.json"
    record.write_text("{ this is not json", encoding="utf-8")
    damaged = tree(site.cache_dir)
    (failure,) = fetch([article], site, options=options(server)).failed
    assert str(record) in failure.message
    assert failure.fix == "run `companion fetch --refresh ep`"
    assert tree(site.cache_dir) == damaged
    assert fetch([article], site, refresh=True, options=options(server)).ok
    assert tree(site.cache_dir) == good


# --- thumbnails -------------------------------------------------------------------------------

def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (1280, 720)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=80)
    return out.getvalue()


def with_thumbnail(server: Server, video_id: str, reply: Reply) -> str:
    """The video page names a thumbnail (og:image, as yt-dlp's generic extractor reads it)."""
    path = f"/thumbs/{video_id}.jpg"
    server.routes[path] = reply
    page = server.routes[f"/watch/{video_id}"]
    meta = f'<meta property="og:image" content="{server.url(path)}">'
    server.routes[f"/watch/{video_id}"] = Reply(
        page.body.replace(b"</head>", meta.encode() + b"</head>"))
    return path


def thumbnail_record(site_dir: Path, video_id: str) -> dict[str, object] | None:
    info = json.loads((site_dir / "youtube" / f"{video_id}.info.json").read_text("utf-8"))
    record: dict[str, object] | None = info.get(_thumbnails.RECORD_KEY)
    return record


def test_fetch_caches_the_thumbnail_and_pair_exposes_it(server: Server, m4a: bytes,
                                                       tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a)
    image = jpeg((200, 30, 30))
    path = with_thumbnail(server, "vid1", Reply(image, "image/jpeg"))
    article = make_article(site, "ep", youtube_id="vid1")
    report = fetch([article], site, options=options(server))
    assert (report.fetched, report.warnings) == (["ep"], [])
    assert path in server.requests
    record = thumbnail_record(site.cache_dir, "vid1")
    assert record is not None
    sha = _thumbnails.checked(image, "x").record["sha256"]
    assert record == {"file": f"images/{sha}.jpg", "sha256": sha, "width": 1280, "height": 720}
    stored = site.cache_dir / "images" / f"{sha}.jpg"
    assert stored.read_bytes() == image
    assert not [p for p in site.cache_dir.rglob("*") if p.name.startswith((".tmp-", ".work-"))]

    result = pair_project([article], site)
    assert result.problems == []
    (episode,) = result.episodes
    assert episode.youtube is not None
    assert episode.youtube.thumbnail_file == stored


def test_refresh_downloads_the_thumbnail_again(server: Server, m4a: bytes,
                                               tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a)
    path = with_thumbnail(server, "vid1", Reply(jpeg((0, 0, 200)), "image/jpeg"))
    article = make_article(site, "ep", youtube_id="vid1")
    assert fetch([article], site, options=options(server)).ok
    first = thumbnail_record(site.cache_dir, "vid1")
    server.routes[path] = Reply(jpeg((0, 200, 0)), "image/jpeg")
    assert fetch([article], site, options=options(server)).cached == ["ep"]
    assert thumbnail_record(site.cache_dir, "vid1") == first
    assert fetch([article], site, refresh=True, options=options(server)).fetched == ["ep"]
    second = thumbnail_record(site.cache_dir, "vid1")
    assert second is not None
    assert second != first
    (episode,) = pair_project([article], site).episodes
    assert episode.youtube is not None
    assert episode.youtube.thumbnail_file is not None
    assert episode.youtube.thumbnail_file.read_bytes() == jpeg((0, 200, 0))


@pytest.mark.parametrize(("reply", "words"), [
    (Reply(b"gone", "text/plain", 404), "HTTP 404"),
    (Reply(b"<html>consent page</html>", "text/html"), "not an image"),
    (Reply(b"\xff\xd8 not really a jpeg", "image/jpeg"), "not a readable image"),
    (Reply(b"GIF89a" + bytes(64), "image/gif"), "not a readable image"),
])
def test_a_bad_thumbnail_is_a_warning_and_the_episode_still_fetches(
        server: Server, m4a: bytes, tmp_path: Path, reply: Reply, words: str) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a)
    path = with_thumbnail(server, "vid1", reply)
    article = make_article(site, "ep", youtube_id="vid1")
    report = fetch([article], site, options=options(server))
    assert report.ok
    assert report.fetched == ["ep"]
    (warning,) = report.warnings
    assert (warning.severity, warning.where, warning.field) == ("warning", "episodes/ep.md",
                                                                "image")
    assert words in warning.message
    assert "companion fetch ep" in warning.fix
    assert thumbnail_record(site.cache_dir, "vid1") is None
    assert not (site.cache_dir / "images").exists()

    result = pair_project([article], site)
    (episode,) = result.episodes
    assert episode.youtube is not None
    assert episode.youtube.thumbnail_file is None
    assert [p.severity for p in result.problems] == ["warning"]
    assert "thumbnail" in result.problems[0].message

    # the next fetch tries the thumbnail again (only the thumbnail)
    server.routes[path] = Reply(jpeg((9, 9, 9)), "image/jpeg")
    asked = len(server.requests)
    again = fetch([article], site, options=options(server))
    assert (again.fetched, again.warnings) == (["ep"], [])
    assert server.requests[asked:] == [path]
    assert thumbnail_record(site.cache_dir, "vid1") is not None


def test_a_thumbnail_larger_than_the_limit_is_refused(server: Server, m4a: bytes,
                                                      tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a)
    with_thumbnail(server, "vid1", Reply(jpeg((1, 2, 3)), "image/jpeg"))
    article = make_article(site, "ep", youtube_id="vid1")
    small = FetchOptions(youtube_url=server.url("/watch/{id}"), timeout=5, retries=0,
                         max_image_bytes=1000, video=QUICK)
    report = fetch([article], site, options=small)
    assert report.fetched == ["ep"]
    (warning,) = report.warnings
    assert "larger than 1000 bytes" in warning.message


def test_a_failed_refresh_keeps_the_thumbnail_cached_before(server: Server, m4a: bytes,
                                                            tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    media_page(server, "vid1", m4a)
    path = with_thumbnail(server, "vid1", Reply(jpeg((50, 50, 50)), "image/jpeg"))
    article = make_article(site, "ep", youtube_id="vid1")
    assert fetch([article], site, options=options(server)).ok
    before = thumbnail_record(site.cache_dir, "vid1")
    server.routes[path] = Reply(b"gone", "text/plain", 404)
    report = fetch([article], site, refresh=True, options=options(server))
    assert report.ok
    assert len(report.warnings) == 1
    assert thumbnail_record(site.cache_dir, "vid1") == before


def test_a_damaged_thumbnail_record_is_a_pair_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p", with_example_cache=True)
    path = site.cache_dir / "youtube" / "Qp7Rs3Tu9Vw.info.json"
    info = json.loads(path.read_text("utf-8"))
    info[_thumbnails.RECORD_KEY] = {"file": "../../etc/passwd", "sha256": "x"}
    path.write_text(json.dumps(info), encoding="utf-8")
    article = make_article(site, "ep", youtube_id="Qp7Rs3Tu9Vw")
    with pytest.raises(PairError) as caught:
        pair_project([article], site)
    assert str(path) in caught.value.message
    assert caught.value.fix == "run `companion fetch --refresh ep`"
