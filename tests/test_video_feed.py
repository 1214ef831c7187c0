"""Video feeds (issue 16, item 1): the example's `medium = "video"` show encloses MP4s
(H.264 + AAC, faststart) with their exact length and duration, lists every rendition as
``podcast:alternateEnclosure``, behind its analytics prefix, and its items play in
Chromium's ``<video>``; its pages offer the video download; `fetch` gets a video only for
the episodes a video feed selects, through yt-dlp's format selector."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from lxml import etree

import companion
from companion._config.podcasting import apply_prefix
from companion._fetch import FetchOptions
from companion._fetch.video import YtDlpSource
from companion._pair.video import probe_video
from companion._site_model import Site
from tests._browser import serve
from tests._fixtures_pair import FakeVideo
from tests._groups import require
from tests._httpserver import Reply, Server
from tests._seaweed import SeaweedServer, s3_env, seaweed  # noqa: F401

NS = {"podcast": "https://podcastindex.org/namespace/1.0",
      "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
OP3 = "https://op3.dev/e,pg={podcast_guid}/"


def local_file(site: Site, url: str, guid: str) -> Path:
    """The built file an enclosure URL (behind the video show's OP3 prefix) names."""
    plain = url.replace(OP3.replace("{podcast_guid}", guid), "https://", 1)
    assert plain.startswith(site.base_url), url
    return site.out_dir / plain[len(site.base_url):]


def channel(feed: Path) -> Any:
    return etree.parse(str(feed)).getroot().find("channel")


def test_the_video_feed_encloses_exact_mp4s(built_example: tuple[Site, Any]) -> None:
    require("media", "ffmpeg", "ffprobe")
    site, _ = built_example
    root = channel(site.out_dir / "video" / "feed.xml")
    guid = root.findtext("podcast:guid", namespaces=NS)
    assert root.findtext("podcast:medium", namespaces=NS) == "video"
    items = root.findall("item")
    assert len(items) == 2  # the English episodes, both with a video in the cache
    for item in items:
        enclosure = item.find("enclosure")
        assert enclosure.get("type") == "video/mp4"
        url = enclosure.get("url")
        assert url.startswith(f"https://op3.dev/e,pg={guid}/podcasts.example.org/media/")
        file = local_file(site, url, guid)
        assert int(enclosure.get("length")) == file.stat().st_size
        info = probe_video(file, "test")
        assert (info.vcodec, info.acodec, info.publishable) == ("h264", "aac", True)
        assert file.read_bytes()[4:8] == b"ftyp"
        assert b"moov" in file.read_bytes()[:4096]  # faststart: the index before the data
        seconds = int(item.findtext("itunes:duration", namespaces=NS))
        assert seconds == round(info.duration)


def test_every_item_lists_its_renditions(built_example: tuple[Site, Any]) -> None:
    """The video feed lists the MP4 (default) and the audio; the English audio feed the
    audio (default) and the MP4; every source a media file of the site, with its size."""
    site, _ = built_example
    for slug, first, second in (("video", "video/mp4", "audio/mpeg"),
                                ("en", "audio/mpeg", "video/mp4")):
        root = channel(site.out_dir / slug / "feed.xml")
        guid = root.findtext("podcast:guid", namespaces=NS)
        for item in root.findall("item"):
            alternates = item.findall("podcast:alternateEnclosure", NS)
            assert [a.get("type") for a in alternates] == [first, second]
            assert [a.get("default") for a in alternates] == ["true", None]
            enclosure = item.find("enclosure")
            sources = [a.find("podcast:source", NS).get("uri") for a in alternates]
            assert sources[0] == enclosure.get("url")
            for alternate, uri in zip(alternates, sources, strict=True):
                file = local_file(site, uri, guid)
                assert int(alternate.get("length")) == file.stat().st_size
                assert "youtube.com" not in uri
    for slug in ("ar", "es", "fa", "ka"):  # no video feed selects them: the audio only
        root = channel(site.out_dir / slug / "feed.xml")
        for item in root.findall("item"):
            alternates = item.findall("podcast:alternateEnclosure", NS)
            assert [a.get("type") for a in alternates] in (["audio/mpeg"], ["audio/mp4"])


def test_feedparser_reads_the_video_enclosures(built_example: tuple[Site, Any]) -> None:
    site, _ = built_example
    parsed = feedparser.parse((site.out_dir / "video" / "feed.xml").read_bytes())
    assert not parsed.bozo
    for entry in parsed.entries:
        [link] = [x for x in entry.links if x.rel == "enclosure"]
        assert link.type == "video/mp4"
        assert int(link.length) > 0


def test_partytime_reads_the_renditions(built_example: tuple[Site, Any]) -> None:
    """The Podcast Index's parser reads each item's renditions as the namespace means them."""
    from tests._partytime import partytime

    site, _ = built_example
    video = partytime(site.out_dir / "video" / "feed.xml")
    assert video["medium"] == "video"
    assert video["license"]["identifier"] == "cc-by-4.0"
    assert {r["feedUrl"] for r in video["podroll"]} == {
        f"https://podcasts.example.org/{s}/feed.xml" for s in ("ar", "en", "es", "fa", "ka")}
    for item in video["items"]:
        assert item["enclosure"]["type"] == "video/mp4"
        kinds = [(a["type"], a["default"]) for a in item["alternativeEnclosures"]]
        assert kinds == [("video/mp4", True), ("audio/mpeg", False)]
        assert item["alternativeEnclosures"][0]["height"] == 180
        assert item["alternativeEnclosures"][0]["integrity"]["type"] == "sri"
    audio = partytime(site.out_dir / "en" / "feed.xml")
    for item in audio["items"]:
        assert [a["type"] for a in item["alternativeEnclosures"]] == ["audio/mpeg",
                                                                     "video/mp4"]


def test_prefixes_stay_out_of_the_site_files(built_example: tuple[Site, Any]) -> None:
    """The prefix is in URLs only: the files (the bucket's keys) are where they always are."""
    site, _ = built_example
    names = [p.relative_to(site.out_dir).as_posix() for p in site.out_dir.rglob("*")]
    assert not [n for n in names if "op3" in n or "pg=" in n]
    assert [n for n in names if n.startswith("media/") and n.endswith(".mp4")]


def test_the_page_offers_the_video_download(built_example: tuple[Site, Any]) -> None:
    site, _ = built_example
    page = (site.out_dir / "episodes" / "night-trains" / "index.html").read_text("utf-8")
    assert 'type="video/mp4" download>Download the video</a> <bdi>(MP4, 0.1 MB)</bdi>' in page
    other = (site.out_dir / "episodes" / "cafe-de-altura" / "index.html").read_text("utf-8")
    assert "video/mp4" not in other  # no video feed selects it


@pytest.mark.browser
def test_the_downloads_show_beside_the_player(built_example: tuple[Site, Any],
                                              browser: Any) -> None:
    """With the player enhanced by its script, on a phone, the audio and the video can
    still be downloaded: both links are on screen, not only in the page's source."""
    site, _ = built_example
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        with serve(site.out_dir) as base:
            page.goto(f"{base}episodes/night-trains/")
            page.wait_for_selector(".player.enhanced")
            for name in ("Download the audio", "Download the video"):
                link = page.locator(".player .download a", has_text=name)
                assert link.is_visible(), name
                assert link.bounding_box()["height"] > 0, name
    finally:
        context.close()


@pytest.mark.browser
def test_the_video_items_play_in_chromium(built_example: tuple[Site, Any],
                                          browser: Any) -> None:
    """Each MP4 the video feed encloses plays in Chromium's <video> (served with byte
    ranges, as a podcast app's player would get it): time passes, the picture has a size."""
    site, _ = built_example
    root = channel(site.out_dir / "video" / "feed.xml")
    guid = root.findtext("podcast:guid", namespaces=NS)
    files = [local_file(site, item.find("enclosure").get("url"), guid)
             for item in root.findall("item")]
    (site.out_dir / "play.html").write_text("<!doctype html><title>play</title><video "
                                             "id=v muted playsinline></video>", "utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        with serve(site.out_dir) as base:
            page.goto(f"{base}play.html")
            for file in files:
                rel = file.relative_to(site.out_dir).as_posix()
                state = page.evaluate("""async (src) => {
                    const v = document.getElementById('v');
                    v.src = src;
                    await v.play();
                    await new Promise((ok) => {
                        const done = () => v.currentTime > 0.5 ? ok() : setTimeout(done, 50);
                        done();
                    });
                    return {time: v.currentTime, width: v.videoWidth, height: v.videoHeight,
                            error: v.error && v.error.code};
                }""", f"{base}{rel}")
                assert state["error"] is None
                assert state["time"] > 0.5
                assert (state["width"], state["height"]) == (320, 180)
    finally:
        (site.out_dir / "play.html").unlink()
        context.close()


# -- fetch: the video only where a video feed asks for it, through the format selector ----

ARTICLE = """---
title: {title}
lang: {lang}
date: 2025-10-20
video: https://www.youtube.com/watch?v={vid}
---

Dock workers at the harbour walked off the job this morning over unpaid overtime.
"""
FEED = ('title = "{slug}"\ndescription = "d"\nauthor = "a"\nlanguage = "{lang}"\n'
        'medium = "{medium}"\n[owner]\nname = "o"\nemail = "o@example.org"\n'
        '[select]\nlanguages = ["{lang}"]\n')


def refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no HTTP request expected, got {request.url}")


def make_mp4(path: Path, height: int, vcodec: str = "libx264") -> Path:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc=size={height * 16 // 9}x{height}:rate=5:duration=2", "-f",
                    "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", vcodec,
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
                   check=True)
    return path


def test_fetch_gets_videos_only_for_a_video_feed(make_project: Callable[..., Path],
                                                 tmp_path: Path) -> None:
    require("media", "ffmpeg", "ffprobe")
    from tests._media import sine

    en, es = ("https://www.youtube.com/watch?v=Vv1Ww2Xx3Yy",
              "https://www.youtube.com/watch?v=Ee1Ss2Pp3Aa")
    video = FakeVideo({en: {"id": "Vv1Ww2Xx3Yy", "title": "v"},
                       es: {"id": "Ee1Ss2Pp3Aa", "title": "e"}},
                      audio_file=sine(tmp_path / "tone.mp3", 2.0),
                      video_file=make_mp4(tmp_path / "tall.mp4", 1440))
    project = make_project({
        "episodes/2025-10-20-en.md": ARTICLE.format(title="En", lang="en", vid="Vv1Ww2Xx3Yy"),
        "episodes/2025-10-20-es.md": ARTICLE.format(title="Es", lang="es", vid="Ee1Ss2Pp3Aa"),
        "feeds/watch.toml": FEED.format(slug="watch", lang="en", medium="video"),
        "feeds/oir.toml": FEED.format(slug="oir", lang="es", medium="podcast")})
    proj = companion.load_project(project)
    proj.fetch(options=FetchOptions(video=video, transport=httpx.MockTransport(refuse)))
    records = sorted(p.name for p in (project / "cache" / "video").iterdir())
    assert records == ["youtube-Vv1Ww2Xx3Yy.json"]  # the Spanish show is audio only
    record = json.loads((project / "cache" / "video" / records[0]).read_text("utf-8"))
    assert record["height"] == 1080  # 1440 lines were scaled down to the feed's limit
    info = probe_video(project / "cache" / record["file"], "test")
    assert (info.vcodec, info.acodec, info.height) == ("h264", "aac", 1080)
    result = proj.build(jobs=1)
    assert not [p for p in result.problems if p.severity == "error"]
    feed = (proj.site.out_dir / "watch" / "feed.xml").read_text("utf-8")
    assert 'type="video/mp4"' in feed


def test_a_video_feed_without_the_video_warns_and_leaves_the_episode_out(
        make_project: Callable[..., Path], tmp_path: Path) -> None:
    require("media", "ffmpeg", "ffprobe")
    from tests._media import sine

    article = ARTICLE.format(title="En", lang="en", vid="Vv1Ww2Xx3Yy").replace(
        "date:", "audio: media/en.mp3\ndate:")
    project = make_project({
        "episodes/2025-10-20-en.md": article,
        "media/en.mp3": sine(tmp_path / "en.mp3", 2.0).read_bytes(),
        "feeds/watch.toml": FEED.format(slug="watch", lang="en", medium="video"),
        "feeds/listen.toml": FEED.format(slug="listen", lang="en", medium="podcast")})
    proj = companion.load_project(project)
    result = proj.build(jobs=1)
    [warning] = [p for p in result.problems if "no video" in p.message]
    assert "watch" in warning.message
    assert "companion fetch" in (warning.fix or "")
    assert 'type="audio/mpeg"' in (proj.site.out_dir / "listen" / "feed.xml").read_text()
    assert not (proj.site.out_dir / "watch" / "feed.xml").exists()
    checked = [p for p in proj.check().problems if p.field == "video"]
    assert [(p.severity, p.where) for p in checked] == [("warning", "episodes/2025-10-20-en.md")]
    assert "watch" in checked[0].message


def test_yt_dlp_downloads_the_h264_rendition_without_re_encoding(tmp_path: Path) -> None:
    """Real yt-dlp against a local page offering an H.264 + AAC MP4: the selector takes it
    and `make_mp4` only remuxes it (same streams, faststart)."""
    require("media", "ffmpeg", "ffprobe")
    from companion._pair.video import make_mp4 as publishable

    source = make_mp4(tmp_path / "src.mp4", 360)
    server = Server().start()
    try:
        server.routes["/media/Vv1Ww2Xx3Yy.mp4"] = Reply(source.read_bytes(), "video/mp4")
        server.routes["/watch/Vv1Ww2Xx3Yy"] = Reply(
            b'<!doctype html><html><head><title>A video</title></head><body><video controls>'
            b'<source src="/media/Vv1Ww2Xx3Yy.mp4" type="video/mp4"></video></body></html>')
        work = tmp_path / "work"
        work.mkdir()
        got = YtDlpSource(timeout=5, retries=0).video(server.url("/watch/Vv1Ww2Xx3Yy"),
                                                      "episodes/en.md", work)
    finally:
        server.stop()
    assert got.read_bytes() == source.read_bytes()  # downloaded as it is
    out = publishable(got, tmp_path / "out.mp4", "episodes/en.md")
    before, after = probe_video(source, "t"), probe_video(out, "t")
    assert (after.vcodec, after.acodec, after.height) == (before.vcodec, before.acodec, 360)
    assert b"moov" in out.read_bytes()[:4096]


def test_the_example_video_is_small(tmp_path: Path) -> None:
    """The example cache's MP4s stay tiny (they are committed)."""
    from tests._fixtures_pair import REPO

    files = list((REPO / "cache" / "media").glob("*.mp4"))
    assert len(files) == 2
    assert all(f.stat().st_size < 100_000 for f in files)
    assert shutil.which("ffprobe") is None or all(
        probe_video(f, "t").publishable for f in files)


def test_apply_prefix_follows_op3() -> None:
    assert apply_prefix(OP3, "g", "https://a.example/m/x.mp3") == \
        "https://op3.dev/e,pg=g/a.example/m/x.mp3"
    assert apply_prefix("https://op3.dev/e/", "g", "http://a.example/x.mp3") == \
        "https://op3.dev/e/http://a.example/x.mp3"
    assert apply_prefix(None, "g", "https://a.example/x.mp3") == "https://a.example/x.mp3"


@pytest.mark.s3
def test_op3_prefixes_are_in_the_feed_not_in_bucket_keys(
        built_example: tuple[Site, Any], s3_env: SeaweedServer) -> None:  # noqa: F811
    """Published to SeaweedFS: the video feed's enclosures carry OP3's prefix, the objects
    (the MP4s among them) sit at their own keys, none of which names OP3."""
    import uuid

    from companion._publish.choice import open_target
    from companion._publish.run import publish
    from companion._publish.s3 import S3Target
    from companion._site_model import PublishSettings

    site, _ = built_example
    bucket = s3_env.make_bucket()
    target = open_target(f"s3://{bucket}/{uuid.uuid4().hex[:8]}",
                         PublishSettings(addressing_style="path"),
                         endpoint_url=s3_env.endpoint, project_root=Path.cwd())
    assert isinstance(target, S3Target)
    report = publish(site.out_dir, target)
    assert "video/feed.xml" in report.sent
    listed = target.client.list_objects_v2(Bucket=bucket, Prefix=target.prefix)
    keys = [o["Key"] for o in listed["Contents"]]
    assert not [k for k in keys if "op3" in k or "pg=" in k]
    root = channel(site.out_dir / "video" / "feed.xml")
    guid = root.findtext("podcast:guid", namespaces=NS)
    for item in root.findall("item"):
        url = item.find("enclosure").get("url")
        assert url.startswith(f"https://op3.dev/e,pg={guid}/podcasts.example.org/")
        key = target.key(local_file(site, url, guid).relative_to(site.out_dir).as_posix())
        assert key in keys
        head = target.client.head_object(Bucket=bucket, Key=key)
        assert head["ContentType"] == "video/mp4"
        assert head["ContentLength"] == int(item.find("enclosure").get("length"))
    stored = target.client.get_object(Bucket=bucket, Key=target.key("video/feed.xml"))
    assert f"https://op3.dev/e,pg={guid}/".encode() in stored["Body"].read()


def _format(fid: str, ext: str, vcodec: str, acodec: str, height: int | None = None,
            tbr: int | None = None) -> dict[str, Any]:
    return {"format_id": fid, "ext": ext, "vcodec": vcodec, "acodec": acodec,
            "height": height, "width": height and height * 16 // 9, "tbr": tbr,
            "url": f"https://media.invalid/{fid}", "protocol": "https"}


YOUTUBE_LIKE = [  # the shape of a YouTube video's formats (ids as YouTube's)
    _format("140", "m4a", "none", "mp4a.40.2", tbr=129),
    _format("251", "webm", "none", "opus", tbr=140),
    _format("137", "mp4", "avc1.640028", "none", 1080, 4000),
    _format("248", "webm", "vp9", "none", 1080, 3000),
    _format("399", "mp4", "av01.0.08M.08", "none", 1080, 2500),
    _format("313", "webm", "vp9", "none", 2160, 15000),
    _format("401", "mp4", "av01.0.12M.08", "none", 2160, 12000),
    _format("18", "mp4", "avc1.42001E", "mp4a.40.2", 360, 500),
]


@pytest.mark.parametrize(("formats", "chosen"), [
    (YOUTUBE_LIKE, "137+140"),  # H.264 1080p + AAC, merged into MP4 as they are
    ([f for f in YOUTUBE_LIKE if f["format_id"] != "137"], "18"),  # the best H.264 + AAC
    # no H.264: the best at most 1080p (make_mp4 then re-encodes it once)
    ([f for f in YOUTUBE_LIKE if f["format_id"] not in ("137", "18")], "399+251"),
    ([f for f in YOUTUBE_LIKE if f["format_id"] in ("313", "251")], "313+251"),  # and scales
])
def test_the_format_selector_prefers_h264_and_aac_up_to_1080p(
        formats: list[dict[str, Any]], chosen: str) -> None:
    """yt-dlp's own format selection (sorted as it sorts, no network) with `VIDEO_FORMAT`."""
    from yt_dlp import YoutubeDL

    from companion._fetch.video import VIDEO_FORMAT

    info = {"id": "Vv1Ww2Xx3Yy", "title": "t", "formats": [dict(f) for f in formats],
            "extractor": "youtube", "extractor_key": "Youtube",
            "webpage_url": "https://www.youtube.com/watch?v=Vv1Ww2Xx3Yy"}
    with YoutubeDL({"quiet": True, "no_warnings": True, "format": VIDEO_FORMAT,
                    "merge_output_format": "mp4/mkv"}) as ydl:
        result = ydl.process_ie_result(info, download=False)
    assert result["format_id"] == chosen
