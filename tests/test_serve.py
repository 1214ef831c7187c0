"""`companion serve`: a real server in a subprocess, a real edit, a real rebuild."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from companion import Site
from companion._build.serve import make_server, server_url, watched

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


def test_server_binds_loopback_and_disables_caching(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>hello</p>")
    (tmp_path / "feed.xml").write_text("<rss/>")
    server = make_server(tmp_path, "127.0.0.1", 0)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = server_url(server)
        assert url.startswith("http://127.0.0.1:")
        status, body, cache = fetch(url)
        assert (status, body, cache) == (200, b"<p>hello</p>", "no-cache")
        with urllib.request.urlopen(url + "feed.xml", timeout=5) as response:
            assert response.headers["Content-Type"].startswith("application/rss+xml")
    finally:
        server.shutdown()
        server.server_close()


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
    from companion._build.serve import ServeEvent, rebuild

    (tmp_path / "companion.toml").write_text(
        '[site]\ntitle = "Old"\nbase_url = "https://x.org/"\n', encoding="utf-8")
    (tmp_path / "episodes").mkdir()
    site = Site(root=tmp_path, title="Old", base_url="https://x.org/")
    events: list[ServeEvent] = []
    (tmp_path / "companion.toml").write_text(
        '[site]\ntitle = "New"\nbase_url = "https://x.org/"\n', encoding="utf-8")
    site = rebuild(site, tmp_path / "site", ("companion.toml",), events.append)
    assert site.title == "New"
    assert events[-1].kind == "rebuilt"
    (tmp_path / "companion.toml").write_text("[site\n", encoding="utf-8")
    same = rebuild(site, tmp_path / "site", ("companion.toml",), events.append)
    assert same is site
    assert events[-1].kind == "failed"
    assert events[-1].error is not None


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
