"""Spotify's Web API for episode metadata: a local server answering in the documented shapes
(the accounts service's token, "Get Episode", 401 with a token to renew, 429 with
Retry-After), oEmbed as the fallback, and what a build reads back."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import make_article, make_site
    from tests._httpserver import Call, Reply, Server
except ImportError:
    from _fixtures_pair import make_article, make_site  # type: ignore[no-redef]
    from _httpserver import Call, Reply, Server  # type: ignore[no-redef]

from companion._fetch import FetchOptions, fetch
from companion._pair.spotify import cache_rel, episode_from_oembed

EPISODE_ID = "4rOoJ6Egrf8K2IrywzwOMk"
SECRET = "app-secret-0123456789"
TOKEN = "BQDaccess-token-abcdef"
EPISODE = {  # Spotify Web API reference: EpisodeObject (trimmed to what fetch keeps)
    "id": EPISODE_ID, "type": "episode", "uri": f"spotify:episode:{EPISODE_ID}",
    "name": "The harbour strike", "description": "Dock workers walked off the job.",
    "html_description": "<p>Dock workers walked off the job.</p>", "duration_ms": 1834000,
    "release_date": "2026-01-05", "release_date_precision": "day", "language": "en",
    "languages": ["en"], "explicit": False,
    "images": [{"url": "https://i.scdn.co/image/ab6765630000ba8a", "height": 640,
                "width": 640}],
    "external_urls": {"spotify": f"https://open.spotify.com/episode/{EPISODE_ID}"},
    "audio_preview_url": "https://p.scdn.co/mp3-preview/x",
}
OEMBED = {"type": "rich", "version": "1.0", "title": "oEmbed title",
          "thumbnail_url": "https://i.scdn.co/image/oembed",
          "iframe_url": f"https://open.spotify.com/embed/episode/{EPISODE_ID}"}


class Spotify:
    """The accounts service and the Web API on one local server."""

    def __init__(self, server: Server, episode_replies: list[Reply]) -> None:
        self.server = server
        self.episode_replies = episode_replies
        self.tokens = 0
        server.routes["/api/token"] = self.token
        server.routes[f"/v1/episodes/{EPISODE_ID}"] = self.episode
        server.routes["/oembed"] = Reply(json.dumps(OEMBED).encode(), "application/json")

    def token(self, call: Call) -> Reply:
        self.tokens += 1
        expected = base64.b64encode(f"client-id-1:{SECRET}".encode()).decode()
        if call.headers.get("authorization") != f"Basic {expected}":
            return Reply(json.dumps({"error": "invalid_client",
                                     "error_description": "Invalid client secret"}).encode(),
                         "application/json", 400)
        return Reply(json.dumps({"access_token": f"{TOKEN}{self.tokens}",
                                 "token_type": "Bearer", "expires_in": 3600}).encode(),
                     "application/json")

    def episode(self, call: Call) -> Reply:
        assert "market=GE" in call.path
        return self.episode_replies.pop(0) if len(self.episode_replies) > 1 else \
            self.episode_replies[0]


def ok() -> Reply:
    return Reply(json.dumps(EPISODE).encode(), "application/json")


def error(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    return Reply(json.dumps({"error": {"status": status, "message": message}}).encode(),
                 "application/json", status, headers=headers)


def spotify_server(monkeypatch: pytest.MonkeyPatch, secret: str) -> Server:
    """A started local server that the environment names as Spotify, and the app's
    credentials (client-id-1, `secret`) in the environment."""
    started = Server().start()
    monkeypatch.setenv("COMPANION_SPOTIFY_API", started.url("/v1"))
    monkeypatch.setenv("COMPANION_SPOTIFY_ACCOUNTS", started.url(""))
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "client-id-1")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", secret)
    return started


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Any:
    started = spotify_server(monkeypatch, SECRET)
    yield started
    started.stop()


def run(server: Server, tmp_path: Path) -> tuple[Any, dict[str, Any], Path]:
    from dataclasses import replace

    site = make_site(tmp_path / "p")
    site = replace(site, pair=replace(site.pair, market="ge"))
    article = make_article(site, "ep", spotify_id=EPISODE_ID)
    report = fetch([article], site, options=FetchOptions(
        oembed_url=server.url("/oembed"), retries=1, retry_wait=0, formats=()))
    path = site.cache_dir / cache_rel(EPISODE_ID)
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return report, data, site.cache_dir


def test_the_web_api_gives_the_episode_metadata(server: Server, tmp_path: Path) -> None:
    spotify = Spotify(server, [ok()])
    report, data, _ = run(server, tmp_path)
    assert report.ok, report.failed
    assert not report.warnings, report.warnings
    episode = episode_from_oembed(EPISODE_ID, data)
    assert episode.title == "The harbour strike"
    assert episode.description == "Dock workers walked off the job."
    assert episode.html_description == "<p>Dock workers walked off the job.</p>"
    assert episode.duration_ms == 1834000
    assert (episode.release_date, episode.release_date_precision) == ("2026-01-05", "day")
    assert episode.languages == ("en",)
    assert episode.images == (("https://i.scdn.co/image/ab6765630000ba8a", 640, 640),)
    assert episode.thumbnail_url == "https://i.scdn.co/image/ab6765630000ba8a"
    assert "audio_preview_url" not in json.dumps(data)
    assert spotify.tokens == 1
    assert not any(c.path.startswith("/oembed") for c in server.calls)
    bearer = [c.headers.get("authorization") for c in server.calls if "/v1/" in c.path]
    assert bearer == [f"Bearer {TOKEN}1"]


def test_an_expired_token_is_renewed_once(server: Server, tmp_path: Path) -> None:
    spotify = Spotify(server, [error(401, "The access token expired"), ok()])
    report, data, _ = run(server, tmp_path)
    assert report.ok
    assert spotify.tokens == 2
    assert data["web_api"]["duration_ms"] == 1834000


def test_429_is_asked_again_after_retry_after_then_oembed_serves(server: Server,
                                                                 tmp_path: Path) -> None:
    Spotify(server, [error(429, "API rate limit exceeded", ("Retry-After", "0"))])
    report, data, _ = run(server, tmp_path)
    assert report.ok
    (warning,) = report.warnings
    assert "limits this app's requests" in warning.message
    assert "oEmbed served" in warning.message
    assert data["title"] == "oEmbed title"
    assert "web_api" not in data
    episode_calls = [c for c in server.calls if "/v1/episodes" in c.path]
    assert len(episode_calls) == 2  # asked again once (retries=1) after Retry-After


def test_rejected_credentials_fall_back_to_oembed_and_never_show_the_secret(
        server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Spotify(server, [ok()])
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "wrong-secret-98765")
    report, data, cache = run(server, tmp_path)
    assert report.ok
    (warning,) = report.warnings
    assert "refused the app's credentials" in warning.message
    assert "wrong-secret-98765" not in json.dumps(report.to_json())
    assert data["title"] == "oEmbed title"
    for path in cache.rglob("*"):
        if path.is_file():
            assert b"wrong-secret" not in path.read_bytes()


def test_an_unknown_episode_fails_it(server: Server, tmp_path: Path) -> None:
    Spotify(server, [error(404, "Non existing id")])
    report, _, _ = run(server, tmp_path)
    (failure,) = report.failed
    assert "does not know the episode" in failure.message
    assert "`spotify:` link" in failure.fix


def test_without_credentials_oembed_alone(server: Server, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    spotify = Spotify(server, [ok()])
    monkeypatch.delenv("SPOTIFY_CLIENT_ID")
    monkeypatch.delenv("SPOTIFY_CLIENT_SECRET")
    report, data, _ = run(server, tmp_path)
    assert report.ok
    assert not report.warnings
    assert data["title"] == "oEmbed title"
    assert spotify.tokens == 0
