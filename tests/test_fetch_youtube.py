"""fetch against today's YouTube, without the network: yt-dlp run for real against a local
server (its generic extractor) and YouTube's recorded answers (`RecordedYouTubeIE`), each
failure diagnosed with its own fix; 429 stops the run asking; degraded downloads refused;
[fetch] settings reach yt-dlp; fresh videos settle."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import make_article, make_site, media_page
    from tests._httpserver import Reply, Server
    from tests._media import sine
    from tests._youtube_ie import RecordedYouTubeIE
except ImportError:
    from _fixtures_pair import make_article, make_site, media_page  # type: ignore[no-redef]
    from _httpserver import Reply, Server  # type: ignore[no-redef]
    from _media import sine  # type: ignore[no-redef]
    from _youtube_ie import RecordedYouTubeIE  # type: ignore[no-redef]

from companion._config.fetch import merge_fetch, parse_extractor_args, parse_fetch
from companion._errors import ProjectError
from companion._fetch import FetchOptions, fetch
from companion._fetch import quality as _quality
from companion._fetch.diagnose import YouTubeError, classify, parse_retry_after
from companion._fetch.video import YtDlpSource, process_result, settings_options
from companion._site_model import FetchSettings


def source(**kw: Any) -> YtDlpSource:
    """yt-dlp for a local server: fast, no real waits (the waits are recorded)."""
    waits: list[float] = []
    values: dict[str, Any] = {"timeout": 5, "retries": 0, "sleep": waits.append,
                              "extractors": (RecordedYouTubeIE,), "js_runtimes": {}}
    values.update(kw)
    return YtDlpSource(**values)


def info_error(src: YtDlpSource, url: str, tmp_path: Path) -> YouTubeError:
    with pytest.raises(YouTubeError) as caught:
        src.info(url, "episodes/ep.md", lang="en", workdir=tmp_path)
    assert caught.value.where == "episodes/ep.md"
    return caught.value


# --- YouTube's own messages, through yt-dlp's real machinery --------------------------

@pytest.mark.parametrize(("video", "code", "fix_words"), [
    ("botcheck", "bot-check", ["cookies", "PO token", "another network"]),
    ("age", "age-restricted", ["cookies", "may watch"]),
    ("members", "members-only", ["cookies", "member"]),
    ("private", "private", ["public or unlisted"]),
    ("removed", "removed", ["`video:` link"]),
    ("geo", "geo-blocked", ["proxy", "region"]),
    ("ratelimit", "rate-limited", ["wait", "sleep_requests"]),
    ("sabr", "sabr", ["update yt-dlp"]),
    ("noruntime", "js-runtime", ["deno", "doctor"]),
])
def test_each_youtube_failure_gets_its_own_diagnosis(server: Server, tmp_path: Path,
                                                     video: str, code: str,
                                                     fix_words: list[str]) -> None:
    """With ignore_no_formats_error, yt-dlp only warns; the empty info is diagnosed."""
    error = info_error(source(), server.url(f"/yt/{video}"), tmp_path)
    assert error.cause.code == code
    for words in fix_words:
        assert words in error.fix
    if code == "bot-check":
        assert "public" not in error.fix  # never "make it public"
        assert "you\u2019re not a bot" in error.message


def test_a_download_gets_the_exceptions_and_geo_its_countries(server: Server,
                                                             tmp_path: Path) -> None:
    """Without ignore_no_formats_error (a download), yt-dlp raises: GeoRestrictedError with
    the countries, ExtractorError with the reason."""
    with pytest.raises(YouTubeError) as caught:
        source().audio(server.url("/yt/geo"), "episodes/ep.md", tmp_path)
    assert caught.value.cause.code == "geo-blocked"
    assert "GE, AZ" in caught.value.fix
    with pytest.raises(YouTubeError) as caught:
        source().audio(server.url("/yt/botcheck"), "episodes/ep.md", tmp_path)
    assert caught.value.cause.code == "bot-check"


@pytest.mark.parametrize(("video", "code"), [("noruntime", "js-runtime"), ("sabr", "sabr")])
def test_a_warning_before_a_generic_error_is_the_diagnosis(server: Server, tmp_path: Path,
                                                           video: str, code: str) -> None:
    """yt-dlp#15012: without a runtime the visible error is a later "Requested format is
    not available" / "No video formats found!"; the warning before it says why."""
    with pytest.raises(YouTubeError) as caught:
        source().audio(server.url(f"/yt/{video}"), "episodes/ep.md", tmp_path)
    assert caught.value.cause.code == code


def test_an_upcoming_premiere_waits_and_is_not_a_failure(server: Server,
                                                         tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    article = make_article(site, "ep", youtube_id="premiere")
    report = fetch([article], site, options=FetchOptions(
        youtube_url=server.url("/yt/{id}"), video=source(), retries=0))
    assert report.ok
    (waiting,) = report.waiting
    assert "not aired yet" in waiting.message
    assert waiting.severity == "info"


def test_a_missing_runtime_warning_reaches_the_report(server: Server, tmp_path: Path) -> None:
    server.routes["/media/noruntime-ok.m4a"] = Reply(
        sine(tmp_path / "t.m4a", 2.0).read_bytes(), "audio/mp4")
    site = make_site(tmp_path / "p")
    article = make_article(site, "ep", youtube_id="noruntime-ok")
    report = fetch([article], site, options=FetchOptions(
        youtube_url=server.url("/yt/{id}"), video=source(), retries=0, formats=(),
        settings=FetchSettings(min_audio_kbps=0)))  # the test tone is 32 kbit/s
    assert report.ok, report.failed
    (warning,) = report.warnings
    assert "No supported JavaScript runtime" in warning.message
    assert "yt-dlp[default,deno]" in warning.fix


# --- the generic extractor against a local server ------------------------------------

def test_429_stops_the_run_asking_youtube_and_says_when(server: Server,
                                                        tmp_path: Path) -> None:
    server.routes["/watch/aaa"] = Reply(b"slow down", "text/plain", 429,
                                        headers=(("Retry-After", "3600"),))
    media_page(server, "bbb", sine(tmp_path / "t.m4a", 2.0).read_bytes())
    site = make_site(tmp_path / "p")
    articles = [make_article(site, slug, youtube_id=slug) for slug in ("aaa", "bbb")]
    report = fetch(articles, site, options=FetchOptions(
        youtube_url=server.url("/watch/{id}"), video=source(), retries=0, jobs=1))
    assert not report.ok
    assert report.causes == {"aaa": "rate-limited", "bbb": "rate-limited"}
    assert not any(r.startswith("/watch/bbb") for r in server.requests)  # never asked
    assert "run fetch again after" in report.stopped
    assert report.failed[1].message.startswith("not asked")
    retry = datetime.strptime(report.stopped.rsplit("after ", 1)[1][:16], "%Y-%m-%d %H:%M")
    assert retry.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(minutes=50)


def test_403_is_not_called_private(server: Server, tmp_path: Path) -> None:
    server.routes["/watch/x"] = Reply(b"no", "text/html", 403)
    error = info_error(source(), server.url("/watch/x"), tmp_path)
    assert error.cause.code == "forbidden"
    assert "public" not in error.fix
    assert "cookies" in error.fix


def test_a_truncated_download_is_retried_with_backoff_then_succeeds(server: Server,
                                                                    tmp_path: Path) -> None:
    audio = sine(tmp_path / "t.m4a", 2.0).read_bytes()
    media_page(server, "cut", audio)
    server.routes["/media/cut.m4a"] = Reply(audio, "audio/mp4", truncate=len(audio) // 2)
    waits: list[float] = []

    def wait(seconds: float) -> None:  # the server mends itself while fetch waits
        waits.append(seconds)
        if len(waits) == 2:
            server.routes["/media/cut.m4a"] = Reply(audio, "audio/mp4")

    src = source(retries=3, backoff=1.0, sleep=wait)
    path = src.audio(server.url("/watch/cut"), "episodes/ep.md", tmp_path)
    assert path.read_bytes() == audio
    assert len(waits) == 2
    assert 1.0 <= waits[0] < 2.0
    assert 2.0 <= waits[1] < 4.0


def test_a_truncated_download_that_stays_broken_fails_bounded(server: Server,
                                                              tmp_path: Path) -> None:
    audio = sine(tmp_path / "t.m4a", 2.0).read_bytes()
    media_page(server, "cut", audio)
    server.routes["/media/cut.m4a"] = Reply(audio, "audio/mp4", truncate=100)
    waits: list[float] = []
    with pytest.raises(YouTubeError) as caught:
        source(retries=2, backoff=50.0, max_backoff=60.0, sleep=waits.append).audio(
            server.url("/watch/cut"), "episodes/ep.md", tmp_path)
    assert caught.value.cause.code == "truncated"
    assert len(waits) == 2
    assert max(waits) <= 120.0


def test_a_360p_only_format_list_is_refused_and_the_good_file_kept(server: Server,
                                                                   tmp_path: Path) -> None:
    audio = sine(tmp_path / "t.m4a", 2.0).read_bytes()
    media_page(server, "low", audio)
    page = ('<!doctype html><html><head><title>Low</title></head><body><video controls>'
            '<source src="/media/low.m4a" type="video/mp4" res="360" label="360p">'
            "</video></body></html>")
    site = make_site(tmp_path / "p")
    article = make_article(site, "ep", youtube_id="low")
    options = FetchOptions(youtube_url=server.url("/watch/{id}"), video=source(), retries=0,
                           formats=())
    assert fetch([article], site, options=options).ok  # an audio page: a good file
    record = site.cache_dir / "audio" / "youtube-low.json"
    before = record.read_bytes()
    server.routes["/watch/low"] = Reply(page.encode())
    report = fetch([article], site, refresh=True, options=options)
    assert report.throttled == ["ep"]
    assert report.causes == {"ep": "throttled"}
    assert "360p" in report.failed[0].message
    assert record.read_bytes() == before  # the previous good file is kept
    marker = site.cache_dir / "fetch" / "throttled" / "low.json"
    assert marker.is_file()
    server.routes["/watch/low"] = media_page(server, "low", audio) and server.routes["/watch/low"]
    again = fetch([article], site, options=options)  # no --refresh: retried all the same
    assert again.ok
    assert again.fetched == ["ep"]
    assert not marker.exists()


def recorded(server: Server, audio: bytes, **fmt: Any) -> dict[str, Any]:
    server.routes["/media/a.m4a"] = Reply(audio, "audio/mp4")
    return {"_type": "video", "id": "Qp7Rs3Tu9Vw", "title": "t", "duration": 95,
            "extractor": "youtube", "extractor_key": "Youtube",
            "webpage_url": "https://www.youtube.com/watch?v=Qp7Rs3Tu9Vw",
            "formats": [{"format_id": "140", "url": server.url("/media/a.m4a"), "ext": "m4a",
                         "vcodec": "none", "acodec": "mp4a.40.2", **fmt}]}


@pytest.mark.parametrize(("fmt", "floor", "words"), [
    ({}, 64, "32 kbit/s, below the floor of 64"),
    ({}, 0, "lasts 2 s where the video lasts 95 s"),
    ({"format_id": "18", "height": 360, "vcodec": "avc1"}, 64, "only format 18"),
])
def test_degraded_downloads_are_named(server: Server, tmp_path: Path, fmt: dict[str, Any],
                                      floor: int, words: str) -> None:
    """yt-dlp downloads a recorded YouTube info's format; what came is compared with it."""
    raw = recorded(server, sine(tmp_path / "t.m4a", 2.0).read_bytes(), **fmt)
    info = process_result(raw, captions=("en", tmp_path))  # downloads captions only
    from yt_dlp import YoutubeDL

    with YoutubeDL({"quiet": True, "outtmpl": {"default": str(tmp_path / "dl.%(ext)s")},
                    "cachedir": False}) as ydl:
        done = ydl.process_ie_result(dict(raw), download=True)
    path = Path(done["requested_downloads"][0]["filepath"])
    assert info["duration"] == 95
    found = _quality.degraded(done, path, floor, "episodes/ep.md")
    assert found is not None
    assert words in found


# --- the settings reach yt-dlp --------------------------------------------------------

TOML = {"cookies": "cookies.txt", "cookies_from_browser": "firefox:work",
        "proxy": "http://user:pw@127.0.0.1:3128", "rate_limit": "2M", "sleep_requests": 1.5,
        "sleep_interval": [5, 30], "max_downloads": 3, "min_audio_kbps": 96,
        "settle_hours": 2, "extractor_args": {"youtube": {"player_client": ["default"],
                                                          "po_token": "web.gvs+TOKENVALUE"}}}


def test_fetch_settings_become_yt_dlp_options(tmp_path: Path) -> None:
    settings = parse_fetch(TOML, "companion.toml")
    assert settings.rate_limit == 2 * 1024 ** 2
    opts = settings_options(settings, tmp_path)
    assert opts["cookiefile"] == str(tmp_path / "cookies.txt")
    assert opts["cookiesfrombrowser"] == ("firefox", "work", None, None)
    assert opts["proxy"] == "http://user:pw@127.0.0.1:3128"
    assert opts["sleep_interval_requests"] == 1.5
    assert opts["extractor_args"] == {"youtube": {"player_client": ["default"],
                                                  "po_token": ["web.gvs+TOKENVALUE"]}}
    src = YtDlpSource(settings=settings, root=tmp_path, js_runtimes={"deno": {"path": "/x"}})
    assert src._pace() == {"ratelimit": 2 * 1024 ** 2, "sleep_interval": 5.0,
                           "max_sleep_interval": 30.0}
    from companion._fetch.video import Log

    params = src.params(Log())
    assert params["js_runtimes"] == {"deno": {"path": "/x"}}
    assert "no_warnings" not in params


def test_yt_dlp_accepts_the_options(tmp_path: Path) -> None:
    """YoutubeDL itself takes them (a cookies file it can load; its js_runtimes format)."""
    from yt_dlp import YoutubeDL

    (tmp_path / "cookies.txt").write_text("# Netscape HTTP Cookie File\n", encoding="utf-8")
    settings = merge_fetch(parse_fetch(TOML, "c"), {"cookies_from_browser": ""}, "flags")
    from companion._fetch.runtime import find_runtime
    from companion._fetch.video import Log

    runtime = find_runtime()
    src = YtDlpSource(settings=settings, root=tmp_path)
    with YoutubeDL(src.params(Log())) as ydl:
        assert ydl.cookiejar is not None
        if runtime is not None:
            assert ydl._js_runtimes[runtime.name].info.path == runtime.path


@pytest.mark.parametrize(("table", "field"), [
    ({"cookie": "x"}, "fetch.cookie"),
    ({"rate_limit": "fast"}, "fetch.rate_limit"),
    ({"sleep_interval": [30, 5]}, "fetch.sleep_interval"),
    ({"max_downloads": 0}, "fetch.max_downloads"),
    ({"extractor_args": {"youtube": {"player_client": [1]}}}, "fetch.extractor_args.youtube"
                                                             ".player_client"),
    ({"cookies_from_browser": "netscape"}, "fetch.cookies_from_browser"),
    ({"proxy": "user:SECRETPW@host"}, "fetch.proxy"),
])
def test_bad_fetch_settings_are_one_clear_error(table: dict[str, Any], field: str) -> None:
    with pytest.raises(ProjectError) as caught:
        parse_fetch(table, "companion.toml")
    assert caught.value.field == field
    assert caught.value.fix
    assert "SECRETPW" not in str(caught.value)
    if "cookie" in table:
        assert "did you mean `cookies`" in caught.value.fix


def test_extractor_args_flag_syntax() -> None:
    assert parse_extractor_args(["youtube:player_client=default,-web;po_token=web.gvs+T"],
                                "x") == {"youtube": {"player_client": ("default", "-web"),
                                                     "po_token": ("web.gvs+T",)}}
    with pytest.raises(ProjectError):
        parse_extractor_args(["player_client=default"], "x")


# --- the report's limits: max_downloads, settle ---------------------------------------

def test_max_downloads_leaves_the_rest_for_the_next_run(server: Server,
                                                        tmp_path: Path) -> None:
    audio = sine(tmp_path / "t.m4a", 2.0).read_bytes()
    for slug in ("v1", "v2", "v3"):
        media_page(server, slug, audio)
    site = make_site(tmp_path / "p")
    articles = [make_article(site, slug, youtube_id=slug) for slug in ("v1", "v2", "v3")]
    options = FetchOptions(youtube_url=server.url("/watch/{id}"), video=source(), retries=0,
                           formats=(), jobs=1, settings=FetchSettings(max_downloads=2))
    report = fetch(articles, site, options=options)
    assert report.ok
    assert report.fetched == ["v1", "v2"]
    assert [p.where for p in report.waiting] == ["episodes/v3.md"]
    assert "max_downloads" in report.waiting[0].message
    assert fetch(articles, site, options=options).fetched == ["v3"]


def test_a_fresh_video_gets_its_captions_on_a_later_run_once(
        server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/subs/fresh-ok.en.vtt"] = Reply(
        b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n", "text/vtt")
    uploaded = datetime(2026, 1, 5, 9, tzinfo=UTC)  # RecordedYouTubeIE's "fresh"
    site = make_site(tmp_path / "p")
    article = make_article(site, "ep", youtube_id="fresh-ok")
    server.routes["/media/fresh-ok.m4a"] = Reply(
        sine(tmp_path / "t.m4a", 2.0).read_bytes(), "audio/mp4")
    options = FetchOptions(youtube_url=server.url("/yt/{id}"), video=source(), retries=0,
                           formats=(), settings=FetchSettings(min_audio_kbps=0))
    record = site.cache_dir / "transcripts" / "fresh-ok.json"
    marker = site.cache_dir / "fetch" / "settle" / "fresh-ok.json"
    monkeypatch.setenv("COMPANION_NOW", (uploaded + timedelta(hours=1)).isoformat())
    assert fetch([article], site, options=options).ok
    assert json.loads(record.read_text(encoding="utf-8"))["transcripts"] == []
    assert marker.is_file()
    assert fetch([article], site, options=options).cached == ["ep"]  # still settling
    monkeypatch.setenv("COMPANION_NOW", (uploaded + timedelta(hours=7)).isoformat())
    assert fetch([article], site, options=options).fetched == ["ep"]
    assert json.loads(record.read_text(encoding="utf-8"))["transcripts"] == [
        {"lang": "en", "automatic": False}]
    assert not marker.exists()
    asked = len(server.requests)
    assert fetch([article], site, options=options).cached == ["ep"]  # once
    assert len(server.requests) == asked


def test_classify_is_most_specific_first() -> None:
    # a bot check that also says "sign in" and mentions cookies is a bot check
    assert classify(["Sign in to confirm you\u2019re not a bot. Use --cookies"]) is not None
    assert classify(["Sign in to confirm you\u2019re not a bot"]).code == "bot-check"  # type: ignore[union-attr]
    assert classify(["Sign in to confirm your age"]).code == "age-restricted"  # type: ignore[union-attr]
    assert classify(["HTTP Error 429: Too Many Requests"]).code == "rate-limited"  # type: ignore[union-attr]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("120", now) == now + timedelta(seconds=120)
    assert parse_retry_after("Thu, 01 Jan 2026 01:00:00 GMT", now) == now + timedelta(hours=1)
    assert parse_retry_after("soon", now) is None


def test_json_report_lists_every_failure_with_its_fix(server: Server, tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    articles = [make_article(site, v, youtube_id=v) for v in ("private", "removed")]
    report = fetch(articles, site, options=FetchOptions(
        youtube_url=server.url("/yt/{id}"), video=source(), retries=0))
    data = json.loads(json.dumps(report.to_json()))
    assert data["ok"] is False
    assert data["failed"] == 2
    assert data["causes"] == {"private": "private", "removed": "removed"}
    assert all(p["fix"] for p in data["problems"])


def test_fetch_flags_reach_yt_dlp_and_bad_ones_are_one_line(
        make_project: Any, server: Server, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from companion._cli.main import main

    root = make_project({"episodes/2025-10-20-ep.md": "---\ntitle: T\nlang: en\ndate: "
                         "2025-10-20\nvideo: https://www.youtube.com/watch?v=botcheck-ab\n---\n\n"
                         "Body.\n"})
    assert main(["fetch", "--help"]) == 0
    helptext = capsys.readouterr().out
    for flag in ("--cookies", "--cookies-from-browser", "--proxy", "--rate-limit",
                 "--sleep-requests", "--sleep-interval", "--max-downloads",
                 "--extractor-args", "--min-audio-kbps", "--settle-hours"):
        assert flag in helptext
    assert main(["--project", str(root), "fetch", "--rate-limit", "fast"]) == 1
    err = capsys.readouterr().err
    assert "rate_limit 'fast' is not a rate" in err
    assert "Traceback" not in err
    options = FetchOptions(youtube_url=server.url("/yt/{id}"), video=source(), retries=0)
    assert main(["--project", str(root), "fetch", "--json", "--max-downloads", "1",
                 "--sleep-requests", "0"], fetch_options=options) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["causes"] == {"ep": "bot-check"}
    assert "not a bot" in data["problems"][0]["message"]
    assert data["youtube_stopped"]
