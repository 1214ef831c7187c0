"""The pair stage: GUIDs, pairing from the cache only, and fetch against a local server."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import REPO, make_article, make_site, media_page, tree
    from tests._httpserver import Reply, Server
    from tests._media import sine
except ImportError:
    from _fixtures_pair import REPO, make_article, make_site, media_page, tree  # type: ignore[no-redef]
    from _httpserver import Reply, Server  # type: ignore[no-redef]
    from _media import sine  # type: ignore[no-redef]

from companion._errors import PairError
from companion._pair import (
    GUID_NAMESPACE,
    FetchEvent,
    FetchOptions,
    episode_guid,
    fetch,
    pair_project,
)
from companion._project import load_site

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
    from companion._read import read_project

    if not (example_project / "media").exists():  # the shared fixture may not copy media/
        shutil.copytree(REPO / "media", example_project / "media")
    site = load_site(example_project)
    result = pair_project(read_project(site).articles, site)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert len(result.episodes) == 6
    assert all(e.audio is not None and e.audio.duration > 10 for e in result.episodes)
    assert all(e.youtube is not None for e in result.episodes)
    assert sum(1 for e in result.episodes if e.chapters) == 5
    assert sum(1 for e in result.episodes if e.transcripts) == 3
    assert sum(1 for e in result.episodes if e.spotify and e.spotify.title) == 4
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

@pytest.fixture
def server() -> Iterator[Server]:
    running = Server().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def m4a(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return sine(tmp_path_factory.mktemp("media") / "tone.m4a", 3.0).read_bytes()


def options(server: Server) -> FetchOptions:
    return FetchOptions(youtube_url=server.url("/watch/{id}"), oembed_url=server.url("/oembed"),
                        timeout=5, retries=0, jobs=2)


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
