"""`companion fetch`: offline when everything is cached, a summary and exit 1 on failures."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import REPO, FakeVideo, closed_port, media_page, tree
    from tests._httpserver import Reply, Server
    from tests._media import sine
except ImportError:
    from _fixtures_pair import (  # type: ignore[no-redef]
        REPO,
        FakeVideo,
        closed_port,
        media_page,
        tree,
    )
    from _httpserver import Reply, Server  # type: ignore[no-redef]
    from _media import sine  # type: ignore[no-redef]

from companion._cli.main import main
from companion._fetch import FetchOptions
from companion._fetch.video import YtDlpSource

ARTICLE = """---
title: A new episode
lang: en
date: 2025-10-20
video: https://www.youtube.com/watch?v=Zz9Yy8Xx7Ww
---

Dock workers at the harbour walked off the job this morning over unpaid overtime.
"""


def with_media(project: Path) -> Path:
    if not (project / "media").exists():  # the shared fixture may not copy media/
        shutil.copytree(REPO / "media", project / "media")
    return project


def test_everything_cached_runs_offline(example_project: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    project = with_media(example_project)
    before = tree(project / "cache")
    assert main(["--project", str(project), "fetch", "--jobs", "2"]) == 0
    assert "fetched 0 episodes, 7 already cached" in capsys.readouterr().out
    assert tree(project / "cache") == before


def test_unknown_slug_is_a_clear_error(example_project: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(example_project), "fetch", "no-such-episode"]) == 1
    err = capsys.readouterr().err
    assert "no-such-episode" in err
    assert "companion check" in err
    assert "Traceback" not in err


def local(youtube_url: str) -> FetchOptions:
    """Fetch options for real yt-dlp against a local URL, failing fast."""
    return FetchOptions(youtube_url=youtube_url, video=YtDlpSource(timeout=5, retries=0),
                        retries=0, timeout=5)


def test_failures_are_summarised_and_exit_1(make_project: Callable[..., Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"episodes/2025-10-20-new-episode.md": ARTICLE})
    offline = local(f"http://127.0.0.1:{closed_port()}/watch/{{id}}")
    assert main(["--project", str(project), "fetch", "--format", "m4a"],
                fetch_options=offline) == 1
    captured = capsys.readouterr()
    assert "fetched 0 episodes" in captured.out
    assert "1 episode failed" in captured.err
    assert "2025-10-20-new-episode.md" in captured.err
    assert "no network" in captured.err
    assert "Traceback" not in captured.err
    assert not (project / "cache" / "youtube").exists()


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--refresh", "--jobs", "--format"):
        assert option in out


def test_a_missing_thumbnail_is_a_warning_not_a_failure(
        make_project: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"episodes/2025-10-20-new-episode.md": ARTICLE})
    server = Server().start()
    try:
        media_page(server, "Zz9Yy8Xx7Ww", sine(tmp_path / "tone.m4a", 2.0).read_bytes())
        page = server.routes["/watch/Zz9Yy8Xx7Ww"]
        meta = f'<meta property="og:image" content="{server.url("/thumbs/gone.jpg")}">'
        server.routes["/watch/Zz9Yy8Xx7Ww"] = Reply(
            page.body.replace(b"</head>", meta.encode() + b"</head>"))
        assert main(["--project", str(project), "fetch", "--format", "m4a"],
                    fetch_options=local(server.url("/watch/{id}"))) == 0
    finally:
        server.stop()
    captured = capsys.readouterr()
    assert "fetched 1 episode" in captured.out
    assert "1 warning" in captured.err
    assert "2025-10-20-new-episode.md" in captured.err
    assert "HTTP 404" in captured.err
    assert "failed" not in captured.err
    assert (project / "cache" / "youtube" / "Zz9Yy8Xx7Ww.info.json").is_file()
    assert not (project / "cache" / "images").exists()


def refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no HTTP request expected, got {request.url}")


def test_without_format_fetch_prepares_what_the_feeds_ask_for(
        make_project: Callable[..., Path], tmp_path: Path) -> None:
    """Feeds that want m4a and mp3 get both; a project with no feed gets mp3."""
    url = "https://www.youtube.com/watch?v=Zz9Yy8Xx7Ww"
    video = FakeVideo({url: {"id": "Zz9Yy8Xx7Ww", "title": "A new episode"}},
                      audio_file=sine(tmp_path / "tone.mp3", 2.0))
    options = FetchOptions(video=video, transport=httpx.MockTransport(refuse))
    feed = ('title = "{lang}"\ndescription = "d"\nauthor = "a"\nlanguage = "en"\n'
            'audio_format = "{fmt}"\n[owner]\nname = "o"\nemail = "o@example.org"\n')
    bare = make_project({"episodes/2025-10-20-new-episode.md": ARTICLE}, name="bare")
    assert main(["--project", str(bare), "fetch"], fetch_options=options) == 0
    both = make_project({"episodes/2025-10-20-new-episode.md": ARTICLE,
                         "feeds/a.toml": feed.format(lang="a", fmt="m4a"),
                         "feeds/b.toml": feed.format(lang="b", fmt="mp3")}, name="both")
    assert main(["--project", str(both), "fetch"], fetch_options=options) == 0
    assert [audio_formats(project) for project in (bare, both)] == [["mp3"], ["m4a", "mp3"]]
    assert video.asked == [url, url] * 2  # info, then audio, for each project


def audio_formats(project: Path) -> list[str]:
    record = project / "cache" / "audio" / "youtube-Zz9Yy8Xx7Ww.json"
    return sorted(json.loads(record.read_text(encoding="utf-8"))["files"])
