"""`companion pair` on bad input and a failing network: one message naming the file or the
source and what to do, exit 1, and nothing written to any article (nor pairing.toml)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from companion import load_project
from companion._errors import CatalogSourceError
from tests._catalogs import Replayed, local_options
from tests._fixtures_pair import closed_port, tree
from tests._httpserver import Reply, Server
from tests._pair_newsroom import ARTICLES, write_catalogs

MakeProject = Callable[..., Path]
SHOW_ID = "4rOoJ6Egrf8K2IrywzwOMk"


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(ARTICLES)


def run_pair(root: Path, capsys: pytest.CaptureFixture[str], *args: str
             ) -> tuple[int, str, str]:
    from companion._cli.main import main

    before = tree(root)
    code = main(["-C", str(root), "pair", "--accept", *args])
    captured = capsys.readouterr()
    assert tree(root) == before  # nothing written: no article, no sidecar, no pairing.toml
    return code, captured.out, captured.err


BAD_FILES = {
    "unknown.json": (b'{"hello": "world", "items": 3}', "of an unknown kind"),
    "truncated.jsonl": (b'{"id": "MetroTbs001", "title": "Vazisubani", "upload_date": "2025',
                        "truncated"),
    "empty-show.xml": (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Show'
                       b"</title></channel></rss>", "no items"),
    "spotify-error.json": (json.dumps({"error": {"status": 401, "message": "The access token "
                                                 "expired"}}).encode(), "SPOTIFY_CLIENT_ID"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_catalog_file_is_one_message_naming_it(
        name: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, words = BAD_FILES[name]
    good = write_catalogs(tmp_path / "saved", "https://audio.example/{guid}.mp3")
    bad = tmp_path / name
    bad.write_bytes(data)
    code, out, err = run_pair(project, capsys, "--catalog", str(good[0]), "--catalog",
                              str(bad))
    assert code == 1
    assert not out
    assert err.count("\n") == 1  # one line
    assert err.startswith(f"error: {bad}: ")
    assert words in err
    assert "Traceback" not in err


def test_a_missing_catalog_file_is_named(project: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_pair(project, capsys, "--catalog", str(tmp_path / "nowhere.json"))
    assert code == 1
    assert err.startswith(f"error: {tmp_path / 'nowhere.json'}: cannot read the catalog file")


def with_pair(root: Path, section: str) -> Path:
    with (root / "companion.toml").open("a", encoding="utf-8") as toml:
        toml.write(f"\n[pair]\n{section}")
    return root


@pytest.fixture
def services(server: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    """Spotify's and YouTube's addresses at the local server, credentials set."""
    monkeypatch.setenv("COMPANION_SPOTIFY_API", server.url("/v1"))
    monkeypatch.setenv("COMPANION_SPOTIFY_ACCOUNTS", server.url("/accounts"))
    monkeypatch.setenv("COMPANION_YOUTUBE_FEEDS", server.url("/feeds/videos.xml"))
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "newsroom-app")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "s3cr3t-value-never-shown")
    return server


def test_wrong_credentials_are_one_message_without_the_secret(
        project: Path, services: Server, capsys: pytest.CaptureFixture[str]) -> None:
    services.routes["/accounts/api/token"] = Reply(json.dumps(
        {"error": "invalid_client", "error_description": "Invalid client secret"}).encode(),
        "application/json", 400)
    code, _out, err = run_pair(with_pair(project, f'spotify_show = "{SHOW_ID}"\n'), capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert "SPOTIFY_CLIENT_ID" in err
    assert "s3cr3t-value-never-shown" not in err


def test_expired_credentials_are_one_message(project: Path, services: Server,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    services.routes["/accounts/api/token"] = Reply(json.dumps(
        {"access_token": "t", "token_type": "Bearer", "expires_in": 3600}).encode(),
        "application/json")
    services.routes[f"/v1/shows/{SHOW_ID}/episodes"] = Reply(json.dumps(
        {"error": {"status": 401, "message": "The access token expired"}}).encode(),
        "application/json", 401)
    code, _out, err = run_pair(with_pair(project, f'spotify_show = "{SHOW_ID}"\n'), capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert f"https://open.spotify.com/show/{SHOW_ID}" in err or "Spotify" in err


def test_a_channel_url_that_is_a_video_is_one_message(
        project: Path, services: Server, capsys: pytest.CaptureFixture[str]) -> None:
    services.routes["/one.html"] = Reply(b"<html><head><title>One</title></head><body>"
                                         b'<video src="/media/one.mp4"></video></body></html>')
    url = services.url("/one.html")
    code, _out, err = run_pair(with_pair(project, f'youtube = ["{url}"]\n'), capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert url in err
    assert "is a video, not a channel or playlist" in err


def test_a_failed_network_is_one_message_naming_the_source(
        project: Path, services: Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/podcast/rss"
    code, _out, err = run_pair(with_pair(project, f'show_rss = ["{url}"]\n'), capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert url in err


def test_offline_without_a_cached_catalog_says_how_to_get_one(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = with_pair(project, 'show_rss = ["https://anchor.example/s/1/podcast/rss"]\n')
    code, _out, err = run_pair(root, capsys, "--offline")
    assert code == 1
    assert "has no cached catalog" in err
    assert "--catalog FILE" in err


def test_a_private_playlist_is_one_error_naming_it(project: Path, server: Server) -> None:
    playlist = "https://www.youtube.com/playlist?list=PLprivate0123"
    root = with_pair(project, f'youtube = ["{playlist}"]\n')
    lister = Replayed(failures={playlist: "ERROR: [youtube:tab] PLprivate0123: This playlist "
                                          "is private"})
    before = tree(root)
    with pytest.raises(CatalogSourceError) as caught:
        load_project(root).pair(accept=True, options=local_options(server, lister=lister))
    assert caught.value.where == playlist
    assert "private" in caught.value.message
    assert tree(root) == before


def test_a_damaged_pairing_toml_is_one_message(project: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from companion._cli.main import main

    (project / "pairing.toml").write_text('[[show]]\nslug = "metro"\nguid = "g"\n'
                                          'audio = "ftp://host/a.mp3"\n', encoding="utf-8")
    good = write_catalogs(tmp_path / "saved", "https://audio.example/{guid}.mp3")
    code, _out, err = run_pair(project, capsys, "--catalog", str(good[0]))
    assert code == 1
    assert err == ("error: pairing.toml: show[0].audio: not an http(s) URL (write the "
                   "enclosure's URL, as the show's RSS gives it)\n")
    assert main(["-C", str(project), "check"]) == 1
    out = capsys.readouterr().out
    assert out.count("pairing.toml") == 1  # once, not once per article
    assert " 1 error," in out  # and the articles are read without it, not each an error
