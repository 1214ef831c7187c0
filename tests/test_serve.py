"""`companion serve`: a real server in a subprocess, a real edit, a real rebuild."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from companion import Site
from companion._content_types import cache_control, content_type
from companion._serve.server import (
    EVENTS_PATH,
    RELOAD_SCRIPT,
    Reloads,
    make_server,
    server_url,
    watched,
)

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read(), response.headers.get("Cache-Control", "")


def poll(url: str, want: bytes, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    body = b""
    while time.monotonic() < deadline:
        try:
            _status, body, _cc = fetch(url)
        except OSError:
            body = b""
        if want in body:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{want!r} never appeared at {url}")


def test_watched_paths(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="t", base_url="https://x.org/")
    assert watched(site, str(tmp_path / "episodes" / "a.md"))
    assert watched(site, str(tmp_path / "companion.toml"))
    assert watched(site, str(tmp_path / "templates" / "episode.html"))
    assert watched(site, str(tmp_path / "cache" / "youtube" / "x.info.json"))
    assert not watched(site, str(tmp_path / "site" / "index.html"))
    assert not watched(site, str(tmp_path / ".companion" / "build-state.json"))
    assert not watched(site, str(tmp_path / "cache" / "published" / "x.mp3"))
    assert not watched(site, str(tmp_path / "episodes" / ".tmp-123.md"))
    assert not watched(site, "/elsewhere/episodes/a.md")


@pytest.fixture
def static_site(tmp_path: Path) -> Path:
    """A small built site: pages, a feed, an enclosure, a stylesheet, and what the server
    must never hand out (a writer's temporary file, a link leading out, a bare folder)."""
    out = tmp_path / "site"
    for rel, data in {"index.html": b"<html><body><p>hello</p></body></html>",
                      "show/feed.xml": b"<rss/>", "assets/style.css": b"body{}",
                      "episodes/x/index.html": b"<p>episode</p>",
                      "media/a.mp3": bytes(range(256)) * 4, "artwork/ab.jpg": b"\xff\xd8",
                      "episodes/.tmp-1.html": b"half", "empty/.keep": b""}.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    (tmp_path / "secret.txt").write_text("outside")
    (out / "leak.txt").symlink_to(tmp_path / "secret.txt")
    return out


@contextmanager
def running(out: Path, reloads: Reloads | None = None) -> Iterator[str]:
    server = make_server(out, "127.0.0.1", 0, reloads)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_url(server)
    finally:
        if reloads is not None:
            reloads.close()
        server.shutdown()
        server.server_close()


def ask(url: str, path: str, method: str = "GET",
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_server_answers_like_the_static_host(static_site: Path) -> None:
    with running(static_site) as url:
        assert url.startswith("http://127.0.0.1:")
        for path, site_path in (("/", "index.html"), ("/show/feed.xml", "show/feed.xml"),
                                ("/media/a.mp3", "media/a.mp3"),
                                ("/assets/style.css", "assets/style.css"),
                                ("/artwork/ab.jpg", "artwork/ab.jpg")):
            status, headers, body = ask(url, path)
            assert status == 200, path
            assert headers["Content-Type"] == content_type(site_path), path
            assert headers["Cache-Control"] == cache_control(site_path), path  # as published
            assert headers["Accept-Ranges"] == "bytes"
            assert headers["ETag"].startswith('"')
            assert body == (static_site / site_path).read_bytes()
            assert int(headers["Content-Length"]) == len(body)


def test_byte_ranges(static_site: Path) -> None:
    data = (static_site / "media" / "a.mp3").read_bytes()
    with running(static_site) as url:
        for asked, start, end in (("bytes=10-19", 10, 19), ("bytes=1000-", 1000, 1023),
                                  ("bytes=-24", 1000, 1023), ("bytes=1020-5000", 1020, 1023),
                                  ("bytes=0-0", 0, 0)):
            status, headers, body = ask(url, "/media/a.mp3", headers={"Range": asked})
            assert status == 206, asked
            assert headers["Content-Range"] == f"bytes {start}-{end}/1024", asked
            assert body == data[start:end + 1], asked
            assert headers["Content-Length"] == str(end - start + 1)
        status, headers, body = ask(url, "/media/a.mp3", headers={"Range": "bytes=2000-"})
        assert (status, headers["Content-Range"], body) == (416, "bytes */1024", b"")
        status, _h, body = ask(url, "/media/a.mp3", headers={"Range": "bytes=0-1,5-6"})
        assert (status, len(body)) == (200, 1024)  # several ranges: the whole file
        etag = ask(url, "/media/a.mp3")[1]["ETag"]
        status, _h, body = ask(url, "/media/a.mp3",
                               headers={"Range": "bytes=0-9", "If-Range": etag})
        assert (status, body) == (206, data[:10])
        status, _h, body = ask(url, "/media/a.mp3",
                               headers={"Range": "bytes=0-9", "If-Range": '"old"'})
        assert (status, len(body)) == (200, 1024)  # the file changed: all of it


def test_etag_and_if_none_match(static_site: Path) -> None:
    with running(static_site) as url:
        status, headers, _ = ask(url, "/show/feed.xml")
        etag = headers["ETag"]
        status, headers, body = ask(url, "/show/feed.xml", headers={"If-None-Match": etag})
        assert (status, body) == (304, b"")
        assert headers["ETag"] == etag
        assert headers["Cache-Control"] == cache_control("show/feed.xml")
        assert ask(url, "/show/feed.xml", headers={"If-None-Match": '"other"'})[0] == 200
        (static_site / "show" / "feed.xml").write_bytes(b"<rss>changed</rss>")
        status, headers, body = ask(url, "/show/feed.xml", headers={"If-None-Match": etag})
        assert (status, body) == (200, b"<rss>changed</rss>")
        assert headers["ETag"] != etag


def test_head_sends_the_headers_only(static_site: Path) -> None:
    with running(static_site) as url:
        status, headers, body = ask(url, "/media/a.mp3", method="HEAD")
        assert (status, body) == (200, b"")
        assert headers["Content-Length"] == "1024"
        assert headers["Content-Type"] == "audio/mpeg"
        status, headers, body = ask(url, "/media/a.mp3", method="HEAD",
                                    headers={"Range": "bytes=0-9"})
        assert (status, headers["Content-Range"], body) == (206, "bytes 0-9/1024", b"")


def test_only_the_built_site_is_served(static_site: Path) -> None:
    with running(static_site) as url:
        status, headers, _ = ask(url, "/episodes/x")
        assert (status, headers["Location"]) == (301, "/episodes/x/")
        assert ask(url, "/episodes/x/")[2] == b"<p>episode</p>"
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/episodes/.tmp-1.html",
                     "/leak.txt", "/empty/", "/missing.html", "/empty/.keep"):
            assert ask(url, path)[0] == 404, path
        assert ask(url, "/index.html", method="POST")[0] == 501


def test_pages_reload_after_a_build_in_the_preview_only(static_site: Path) -> None:
    reloads = Reloads()
    with running(static_site, reloads) as url:
        _status, headers, page = ask(url, "/")
        assert page.endswith(RELOAD_SCRIPT + b"</body></html>")
        assert int(headers["Content-Length"]) == len(page)
        assert ask(url, "/media/a.mp3")[2] == (static_site / "media/a.mp3").read_bytes()
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", EVENTS_PATH)
        stream = connection.getresponse()
        assert stream.getheader("Content-Type") == "text/event-stream"
        assert stream.readline() == b": connected\n"
        reloads.bump()  # a rebuild finished
        lines = [stream.readline() for _ in range(2)]
        assert b"data: reload\n" in lines
        connection.close()
    assert b"EventSource" not in (static_site / "index.html").read_bytes()  # files untouched
    with running(static_site) as url:  # without a watcher: the site as published
        assert ask(url, "/")[2] == (static_site / "index.html").read_bytes()


def test_serve_opens_the_browser_and_lists_problems_as_check_does(
        make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"episodes/2025-01-01-silent.md": (
        "---\ntitle: Silent\nlang: en\ndate: 2025-01-01\n---\nNo audio here.\n"),
        "feeds/show.toml": 'title = "Show"\ndescription = "d"\nlanguage = "en"\n'
                           '[owner]\nname = "O"\nemail = "o@example.org"\n'})
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    port = free_port()
    env = {**os.environ, "BROWSER": str(browser), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "-C", str(root), "serve", "--no-watch", "--open",
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        poll(f"http://127.0.0.1:{port}/", b"<html")
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=15)
    text = output.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert opened.read_text().strip() == f"http://127.0.0.1:{port}/"
    checked = subprocess.run([sys.executable, "-m", "companion", "-C", str(root), "check"],
                             capture_output=True, text=True, env=env, timeout=60)
    listed = [line for line in checked.stdout.splitlines()
              if line.startswith(("error:", "warning:", "info:"))]
    assert any("no audio" in line for line in listed)
    assert all(line in text for line in listed), text


@pytest.mark.slow
def test_serve_rebuilds_on_edit(example_project: Path) -> None:
    if (REPO / "media").is_dir() and not (example_project / "media").exists():
        shutil.copytree(REPO / "media", example_project / "media")
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "-C", str(example_project), "serve", "--port",
         str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        page = f"http://127.0.0.1:{port}/episodes/cafe-de-altura/"
        first = poll(page, b"Caf")
        article = next((example_project / "episodes").glob("*cafe-de-altura.md"))
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("title: \"Café de altura", "title: \"Café recién "
                                        "editado", 1), encoding="utf-8")
        second = poll(page, "Café recién editado".encode())
        assert second != first
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    text_out = output.decode("utf-8", "replace")
    assert proc.returncode == 0, text_out
    assert f"http://127.0.0.1:{port}/" in text_out
    assert "Traceback" not in text_out


def test_rebuild_reads_changed_settings_and_survives_errors(tmp_path: Path) -> None:
    from companion._serve.server import ServeEvent, rebuild

    (tmp_path / "companion.toml").write_text(
        '[site]\ntitle = "Old"\nbase_url = "https://x.org/"\n', encoding="utf-8")
    (tmp_path / "episodes").mkdir()
    site = Site(root=tmp_path, title="Old", base_url="https://x.org/")
    events: list[ServeEvent] = []
    reloads = Reloads()
    (tmp_path / "companion.toml").write_text(
        '[site]\ntitle = "New"\nbase_url = "https://x.org/"\n', encoding="utf-8")
    site = rebuild(site, tmp_path / "site", ("companion.toml",), events.append,
                   reloads=reloads)
    assert site.title == "New"
    assert events[-1].kind == "rebuilt"
    assert reloads.count == 1  # open pages reload
    (tmp_path / "companion.toml").write_text("[site\n", encoding="utf-8")
    same = rebuild(site, tmp_path / "site", ("companion.toml",), events.append,
                   reloads=reloads)
    assert same is site
    assert events[-1].kind == "failed"
    assert events[-1].error is not None
    assert reloads.count == 1  # a failed build reloads nothing


def test_serve_without_watch_stops_on_ctrl_c(example_project: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "-C", str(example_project), "serve", "--no-watch",
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        poll(f"http://127.0.0.1:{port}/", b"<html")
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, output
    assert b"stopped" in output


def test_an_edit_before_the_watcher_starts_is_caught_up(example_project: Path) -> None:
    """An article edited after the first build but before the watcher is up (serve's
    first second) is rebuilt all the same: the watcher's first quiet moment runs one
    incremental build."""
    from companion import load_project
    from companion._serve.server import rebuild, watch_and_rebuild

    if (REPO / "media").is_dir() and not (example_project / "media").exists():
        shutil.copytree(REPO / "media", example_project / "media")
    site = load_project(example_project).site
    out = example_project / "site"
    events: list[object] = []
    rebuild(site, out, (), events.append)
    article = next((example_project / "episodes").glob("*cafe-de-altura.md"))
    article.write_text(article.read_text(encoding="utf-8").replace(
        'title: "Café de altura', 'title: "Café recién editado', 1), encoding="utf-8")
    stop = threading.Event()
    watcher = threading.Thread(target=watch_and_rebuild, args=(site, out, events.append, stop))
    watcher.start()
    try:
        page = out / "episodes" / "cafe-de-altura" / "index.html"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Café recién editado" not in page.read_text(
                encoding="utf-8"):
            time.sleep(0.2)
        assert "Café recién editado" in page.read_text(encoding="utf-8")
    finally:
        stop.set()
        watcher.join(10)
    assert len(events) == 2  # the first build, then the catch-up (no event for nothing)
