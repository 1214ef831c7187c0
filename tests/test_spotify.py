"""Spotify through its oEmbed endpoint, served here by a local HTTP server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import closed_port, make_article, make_site
    from tests._httpserver import Reply, Server
except ImportError:
    from _fixtures_pair import closed_port, make_article, make_site  # type: ignore[no-redef]
    from _httpserver import Reply, Server  # type: ignore[no-redef]

from companion import FetchError, SpotifyEpisode
from companion._fetch import FetchOptions
from companion._fetch.http import client
from companion._fetch.spotify import fetch_oembed
from companion._pair.cache import Cache
from companion._pair.episodes import pair_episode
from companion._pair.spotify import episode_from_oembed

EPISODE = "7Hj6Gf5Ds4Aq3Wz2Xc1Vb0"


def oembed(kind: str = "episode") -> bytes:
    return json.dumps({
        "html": f'<iframe src="https://open.spotify.com/embed/{kind}/{EPISODE}"></iframe>',
        "iframe_url": f"https://open.spotify.com/embed/{kind}/{EPISODE}?utm_source=oembed",
        "width": 456, "height": 152, "version": "1.0", "provider_name": "Spotify",
        "type": "rich", "title": "The night train", "thumbnail_width": 300,
        "thumbnail_url": "https://image-cdn-ak.spotifycdn.com/image/ab67656300",
    }).encode()


def ask(base_url: str, where: str = "episodes/ep.md", timeout: float = 5) -> dict[str, Any]:
    """The oEmbed record through the one fetch client (no retries: the answer as it is)."""
    with client(FetchOptions(timeout=timeout, retries=0)) as http:
        return fetch_oembed(http, EPISODE, where, base_url=base_url)


def test_links_come_from_the_id() -> None:
    episode = SpotifyEpisode(EPISODE)
    assert episode.url == f"https://open.spotify.com/episode/{EPISODE}"
    assert episode.embed_url == f"https://open.spotify.com/embed/episode/{EPISODE}"


def test_oembed_title_and_thumbnail(server: Server) -> None:
    server.routes["/oembed"] = Reply(oembed(), "application/json")
    data = ask(server.url("/oembed"))
    assert "html" not in data
    episode = episode_from_oembed(EPISODE, data)
    assert episode.title == "The night train"
    assert episode.thumbnail_url == "https://image-cdn-ak.spotifycdn.com/image/ab67656300"
    (asked,) = server.requests
    assert "url=https%3A%2F%2Fopen.spotify.com%2Fepisode%2F" + EPISODE in asked


@pytest.mark.parametrize(("reply", "words"), [
    (Reply(b"<html>Page not found</html>", "text/html", 404), "does not know"),
    (Reply(b"<html>captcha</html>", "text/html", 200), "not JSON"),
    (Reply(b"[1, 2]", "application/json", 200), "not a JSON object"),
    (Reply(b"busy", "text/plain", 503), "HTTP 503"),
    (Reply(oembed("show"), "application/json", 200), "a Spotify show"),
])
def test_bad_answers_are_clear_errors(server: Server, reply: Reply, words: str) -> None:
    server.routes["/oembed"] = reply
    with pytest.raises(FetchError) as caught:
        ask(server.url("/oembed"))
    assert words in caught.value.message
    assert caught.value.where == "episodes/ep.md"
    assert caught.value.fix


def test_no_network_and_timeout(server: Server) -> None:
    with pytest.raises(FetchError, match="could not reach"):
        ask(f"http://127.0.0.1:{closed_port()}/oembed", "e.md")
    server.routes["/oembed"] = Reply(hang=True)
    with pytest.raises(FetchError, match="in time"):
        ask(server.url("/oembed"), "e.md", timeout=0.5)


def test_a_show_link_in_an_article_is_a_problem(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    article = make_article(site, spotify="https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk")
    episode, problems = pair_episode(article, site, Cache(site.cache_dir))
    assert episode.spotify is None
    assert [p.field for p in problems if p.severity == "error"] == ["spotify"]
    assert "show, not an episode" in problems[-1].message
