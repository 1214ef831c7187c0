"""No secret leaves companion: a cookie value, a PO token, a proxy's password and Spotify's
client secret, all in play in one `companion fetch` (flags, companion.toml, the cookies
file, the environment), never reach stdout, stderr, --json, the crash log or the cache."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import closed_port
    from tests._httpserver import Call, Reply, Server
    from tests.test_fetch_spotify_api import spotify_server
except ImportError:
    from _fixtures_pair import closed_port  # type: ignore[no-redef]
    from _httpserver import Call, Reply, Server  # type: ignore[no-redef]
    from test_fetch_spotify_api import spotify_server  # type: ignore[no-redef]

from companion._cli.main import main
from companion._fetch import FetchOptions
from companion._fetch.video import YtDlpSource

COOKIE = "COOKIEVALUEsecret777"
PO_TOKEN = "POTOKENsecret888"
PROXY_PASSWORD = "PROXYPASSsecret999"
SPOTIFY_SECRET = "SPOTIFYsecret000111"
#: The app's credentials as a Basic header carries them (an answer may echo it).
BASIC = base64.b64encode(f"client-id-1:{SPOTIFY_SECRET}".encode()).decode()
SECRETS = (COOKIE, PO_TOKEN, PROXY_PASSWORD, SPOTIFY_SECRET, BASIC)
ARTICLE = """---
title: A new episode
lang: en
date: 2025-10-20
video: https://www.youtube.com/watch?v=Zz9Yy8Xx7Ww
spotify: https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk
---

Dock workers at the harbour walked off the job this morning.
"""


def echo_secret(call: Call) -> Reply:
    """An accounts service that refuses and echoes what it was sent (the worst case)."""
    return Reply(json.dumps({"error": "invalid_client",
                             "error_description": f"bad {call.headers.get('authorization')} "
                                                  f"{SPOTIFY_SECRET}"}).encode(),
                 "application/json", 400)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Any:
    started = spotify_server(monkeypatch, SPOTIFY_SECRET)
    started.routes["/api/token"] = echo_secret
    started.routes["/oembed"] = Reply(b'{"type": "rich", "title": "t"}', "application/json")
    yield started
    started.stop()


def secret_project(make_project: Callable[..., Path]) -> Path:
    spotify_only = "\n".join(x for x in ARTICLE.splitlines() if not x.startswith("video:"))
    root = make_project({"episodes/2025-10-20-new-episode.md": ARTICLE,
                         "episodes/2025-10-21-spotify-only.md": spotify_only.replace(
                             "A new episode", "Spotify only").replace("4rOoJ6Eg", "5sPpK7Fh")})
    (root / "cookies.txt").write_text(
        "# Netscape HTTP Cookie File\n"
        f".youtube.com\tTRUE\t/\tTRUE\t1893456000\tSID\t{COOKIE}\n", encoding="utf-8")
    with (root / "companion.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[fetch]\ncookies = "cookies.txt"\n')
    return root


def flags() -> list[str]:
    return ["--proxy", f"http://user:{PROXY_PASSWORD}@127.0.0.1:{closed_port()}",
            "--extractor-args", f"youtube:po_token=web.gvs+{PO_TOKEN}"]


def assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} in {where}"


def test_no_secret_reaches_any_output(make_project: Callable[..., Path], server: Server,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = secret_project(make_project)
    options = FetchOptions(youtube_url=server.url("/watch/{id}"), oembed_url=server.url(
        "/oembed"), retries=0, video=YtDlpSource(timeout=5, retries=0, js_runtimes={}))
    for extra in ([], ["--json"], ["-v"]):
        code = main(["--project", str(root), "fetch", "--refresh", *flags(), *extra],
                    fetch_options=options)
        out, err = capsys.readouterr()
        assert code == 1  # the proxy does not answer: the video fails
        assert_clean(out, f"stdout {extra}")
        assert_clean(err, f"stderr {extra}")
        if extra == ["--json"]:
            data = json.loads(out)
            assert data["failed"] == 1
            assert any("Spotify refused" in p["message"] for p in data["problems"]), data
            assert any("proxy did not answer" in p["message"] for p in data["problems"])
        else:
            assert "failed" in err
    for path in (root / "cache").rglob("*"):
        if path.is_file():
            assert_clean(path.read_bytes().decode("utf-8", "replace"), str(path))


def test_no_secret_reaches_the_crash_log(make_project: Callable[..., Path], server: Server,
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import companion._fetch

    root = secret_project(make_project)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in fetch")

    monkeypatch.setattr(companion._fetch, "fetch", broken)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["--project", str(root), "fetch", *flags()]) == 70
    _, err = capsys.readouterr()
    assert_clean(err, "stderr")
    (log,) = (tmp_path / "xdg" / "companion").glob("companion-error-*.log")
    text = log.read_text(encoding="utf-8")
    assert "--extractor-args" in text
    assert "a bug in fetch" in text
    assert_clean(text, "the crash log")


def test_the_doctor_shows_no_secret(make_project: Callable[..., Path], server: Server,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = secret_project(make_project)
    for extra in ([], ["--json"]):
        main(["--project", str(root), "doctor", "--offline", *extra])
        out, err = capsys.readouterr()
        assert_clean(out + err, f"doctor {extra}")
        assert "youtube.com cookie" in out


def test_a_cookies_file_yt_dlp_would_print_is_refused_by_line_number(
        make_project: Callable[..., Path], server: Server,
        capfd: pytest.CaptureFixture[str]) -> None:
    root = secret_project(make_project)
    with (root / "cookies.txt").open("a", encoding="utf-8") as out:
        out.write(f".youtube.com\tTRUE\t/\tHSID\t{COOKIE}x\n")  # 5 fields: yt-dlp prints it
    assert main(["--project", str(root), "fetch"]) == 1
    out, err = capfd.readouterr()
    assert "line 3 of the cookies file is not a Netscape cookie line" in err
    assert_clean(out + err, "fetch with a broken cookies file")
