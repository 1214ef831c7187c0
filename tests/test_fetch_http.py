"""The network seams of fetch: one HTTP client (user agent, retries, errors, size cap), and a
`VideoSource` in place of yt-dlp. Requests go to an `httpx.MockTransport`, never the network."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import REPO, FakeVideo, make_article, make_site
    from tests._media import sine
except ImportError:
    from _fixtures_pair import REPO, FakeVideo, make_article, make_site  # type: ignore[no-redef]
    from _media import sine  # type: ignore[no-redef]

from companion import FetchError, __version__
from companion._fetch import FetchOptions, fetch
from companion._fetch.http import client, download
from companion._fetch.spotify import fetch_oembed

Handler = Callable[[httpx.Request], httpx.Response]
VIDEO = "https://www.youtube.com/watch?v=vid1"
THUMB = "https://i.ytimg.com/vi/vid1/maxresdefault.jpg"
AUDIO = "https://files.example.org/episodes/ep.mp3"
OEMBED = {"type": "rich", "version": "1.0", "title": "Spotify title",
          "iframe_url": "https://open.spotify.com/embed/episode/sp1"}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 180), (20, 120, 220)).save(out, "JPEG")
    return out.getvalue()


def recorded(handler: Handler) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering with `handler` that keeps every request it is sent."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return httpx.MockTransport(record), seen


def answers(*replies: httpx.Response | Exception) -> Handler:
    """A handler giving `replies` in turn (an exception is raised), the last one for ever."""
    queue = list(replies)

    def handler(request: httpx.Request) -> httpx.Response:
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    return handler


def oembed(http: httpx.Client, where: str = "episodes/ep.md") -> dict[str, object]:
    return fetch_oembed(http, "sp1", where, base_url="https://open.spotify.com/oembed")


def test_every_request_fetch_makes_carries_the_one_user_agent(tmp_path: Path) -> None:
    files = {"/oembed": httpx.Response(200, json=OEMBED),
             "/vi/vid1/maxresdefault.jpg": httpx.Response(
                 200, content=jpeg(), headers={"content-type": "image/jpeg"}),
             "/episodes/ep.mp3": httpx.Response(
                 200, content=sine(tmp_path / "ep.mp3", 2.0).read_bytes(),
                 headers={"content-type": "audio/mpeg"})}
    transport, seen = recorded(lambda request: files[request.url.path])
    video = FakeVideo({VIDEO: {"id": "vid1", "title": "A video", "thumbnails": [
        {"url": THUMB, "width": 320, "height": 180}]}})
    site = make_site(tmp_path / "p")
    article = make_article(site, "ep", youtube_id="vid1", spotify_id="sp1", audio=AUDIO)
    report = fetch([article], site, options=FetchOptions(transport=transport, video=video))
    assert (report.fetched, report.failed, report.warnings) == (["ep"], [], [])
    assert video.asked == [VIDEO]  # the audio came from its URL, not the video
    assert sorted(str(r.url.copy_with(query=None)) for r in seen) == [
        AUDIO, THUMB, "https://open.spotify.com/oembed"]
    assert {r.headers["user-agent"] for r in seen} == {
        f"companion/{__version__} (podcast companion publisher)"}
    assert seen[[r.url.path for r in seen].index("/vi/vid1/maxresdefault.jpg")].headers[
        "accept"] == "image/*"


@pytest.mark.parametrize("status", [503, 429, 502])
def test_a_busy_answer_is_asked_again(status: int) -> None:
    transport, seen = recorded(answers(httpx.Response(status), httpx.Response(200, json=OEMBED)))
    with client(FetchOptions(transport=transport, retry_wait=0)) as http:
        assert oembed(http)["title"] == "Spotify title"
    assert len(seen) == 2


def test_a_download_is_asked_again_after_a_503(tmp_path: Path) -> None:
    transport, seen = recorded(answers(httpx.Response(503, text="busy"),
                                       httpx.Response(200, content=b"x" * 100)))
    with client(FetchOptions(transport=transport, retry_wait=0)) as http:
        path = download(http, AUDIO, tmp_path / "ep.mp3", "episodes/ep.md", 1000, "fix it")
    assert path.read_bytes() == b"x" * 100
    assert len(seen) == 2


def test_retries_give_up_with_the_last_answer() -> None:
    transport, seen = recorded(answers(httpx.Response(503)))
    with client(FetchOptions(transport=transport, retries=2, retry_wait=0)) as http, \
            pytest.raises(FetchError, match="HTTP 503"):
        oembed(http)
    assert len(seen) == 3


@pytest.mark.parametrize("error", [httpx.ConnectError("[Errno 111] Connection refused"),
                                   httpx.ConnectTimeout("timed out")])
def test_a_failed_connection_is_retried_then_one_clear_error(error: Exception,
                                                             tmp_path: Path) -> None:
    transport, seen = recorded(answers(error))
    with client(FetchOptions(transport=transport, retries=2, retry_wait=0)) as http, \
            pytest.raises(FetchError) as caught:
        download(http, AUDIO, tmp_path / "ep.mp3", "episodes/ep.md", 1000, "fix it")
    assert len(seen) == 3
    assert AUDIO in caught.value.message
    assert caught.value.where == "episodes/ep.md"
    assert "connection" in caught.value.fix
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert not (tmp_path / "ep.mp3").exists()


def test_a_timeout_names_the_url_and_the_episode(tmp_path: Path) -> None:
    transport, seen = recorded(answers(httpx.ReadTimeout("read timed out")))
    site = make_site(tmp_path / "p")
    article = make_article(site, "ep", audio=AUDIO, guid="g")
    report = fetch([article], site, options=FetchOptions(transport=transport, retry_wait=0))
    (failure,) = report.failed
    assert failure.message == f"{AUDIO} did not answer in time"
    assert failure.where == "episodes/ep.md"
    assert "companion fetch" in failure.fix
    assert len(seen) == 1  # an answer that is late is not asked again
    assert not (site.cache_dir / "audio").exists()


def test_a_connection_error_to_spotify_names_the_episode() -> None:
    transport, _ = recorded(answers(httpx.ConnectError("Name or service not known")))
    with client(FetchOptions(transport=transport, retries=0)) as http, \
            pytest.raises(FetchError) as caught:
        oembed(http, "episodes/sp.md")
    assert caught.value.message == ("could not reach Spotify for https://open.spotify.com/"
                                    "episode/sp1 (Name or service not known)")
    assert caught.value.where == "episodes/sp.md"


def chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 100):
        yield b"x" * 100


@pytest.mark.parametrize("reply", [
    httpx.Response(200, content=b"x" * 2000),  # Content-Length says too much
    httpx.Response(200, content=chunks(2000)),  # no Content-Length: counted while streaming
])
def test_a_download_larger_than_the_cap_is_refused(reply: httpx.Response,
                                                   tmp_path: Path) -> None:
    transport, _ = recorded(answers(reply))
    with client(FetchOptions(transport=transport)) as http, \
            pytest.raises(FetchError, match="larger than 1000 bytes") as caught:
        download(http, AUDIO, tmp_path / "ep.mp3", "episodes/ep.md", 1000, "fix it")
    assert caught.value.fix == "fix it"
    assert not (tmp_path / "ep.mp3").exists()


def test_an_audio_url_answering_404_fails_the_episode(tmp_path: Path) -> None:
    transport, _ = recorded(answers(httpx.Response(404, text="gone")))
    site = make_site(tmp_path / "p")
    article = make_article(site, "ep", audio=AUDIO, guid="g")
    (failure,) = fetch([article], site, options=FetchOptions(transport=transport)).failed
    assert failure.message == f"{AUDIO} answered HTTP 404"
    assert "`audio:` URL" in failure.fix


def test_a_build_imports_neither_httpx_nor_yt_dlp() -> None:
    code = ("import sys, companion._build.engine, companion._cli.main, companion._pair.episodes;"
            " print(sorted(m for m in ('httpx', 'yt_dlp') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO / "src")}
                         ).stdout
    assert json.loads(out.replace("'", '"')) == []
