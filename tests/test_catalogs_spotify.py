"""The Spotify show through the Web API, and the show's RSS, read into the catalogs' cache:
a local server answers in the shapes Spotify documents (the client-credentials token, "Get
Show Episodes" pages following `next`, the error object, 429 with Retry-After) and as a
feed host does (ETag, 304)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from companion._catalogs import read_catalogs, spotify_credentials
from companion._catalogs.spotify import SpotifyCredentials
from companion._catalogs.store import read_index
from companion._errors import CatalogSourceError
from companion._site_model import Site
from tests._catalogs import SHOW_ID, Events, every_byte, local_options, pair_site
from tests._httpserver import Call, Reply, Server

SECRET = "s3cr3t-planted-Zq9XwV"  # planted: no cache file or message may hold it
CREDENTIALS = SpotifyCredentials("app-id-123", SECRET)


def episode(n: int) -> dict[str, object]:
    """A SimplifiedEpisodeObject, as Spotify documents it."""
    eid = f"ep{n:04d}".ljust(22, "x")
    return {"id": eid, "name": f"Episode {n}", "type": "episode", "uri": f"spotify:episode:{eid}",
            "description": f"Notes of episode {n}.", "html_description": f"<p>Notes {n}</p>",
            "duration_ms": 600000 + n, "explicit": False, "is_externally_hosted": False,
            "is_playable": True, "languages": ["ka"], "language": "ka",
            "release_date": f"2026-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}",
            "release_date_precision": "day", "audio_preview_url": None,
            "external_urls": {"spotify": f"https://open.spotify.com/episode/{eid}"},
            "href": f"https://api.spotify.com/v1/episodes/{eid}",
            "images": [{"url": "https://i.scdn.co/image/ab", "height": 640, "width": 640}]}


@dataclass
class Spotify:
    """The accounts service and the Web API of one show, served by `server`."""

    server: Server
    episodes: list[dict[str, object]] = field(default_factory=list)  # newest first
    token_status: int = 200
    api_replies: list[Reply] = field(default_factory=list)  # answered first, in turn
    tokens: int = 0

    def __post_init__(self) -> None:
        self.server.routes["/accounts/api/token"] = self.token
        self.server.routes[f"/v1/shows/{SHOW_ID}/episodes"] = self.page

    def token(self, call: Call) -> Reply:
        self.tokens += 1
        expected = base64.b64encode(f"{CREDENTIALS.client_id}:{SECRET}".encode()).decode()
        form = parse_qs(call.body.decode())
        if (self.token_status != 200 or call.headers.get("authorization") != f"Basic {expected}"
                or form.get("grant_type") != ["client_credentials"]):
            return Reply(json.dumps({"error": "invalid_client",
                                     "error_description": "Invalid client secret"}).encode(),
                         "application/json", 400)
        return Reply(json.dumps({"access_token": f"token-{self.tokens}", "token_type": "Bearer",
                                 "expires_in": 3600}).encode(), "application/json")

    def page(self, call: Call) -> Reply:
        if self.api_replies:
            return self.api_replies.pop(0)
        if call.headers.get("authorization") != f"Bearer token-{self.tokens}":
            return error(401, "The access token expired")
        query = parse_qs(urlsplit(call.path).query)
        if query.get("market") is None:
            return error(404, "Non existing id")  # Spotify: no market, no content
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        items = self.episodes[offset:offset + limit]
        following = offset + limit < len(self.episodes)
        base = self.server.url(f"/v1/shows/{SHOW_ID}/episodes")
        body = {"href": f"{base}?offset={offset}&limit={limit}", "limit": limit,
                "offset": offset, "total": len(self.episodes), "items": items,
                "previous": None,
                "next": f"{base}?offset={offset + limit}&limit={limit}&market="
                        f"{query['market'][0]}" if following else None}
        return Reply(json.dumps(body).encode(), "application/json")

    def api_calls(self) -> list[Call]:
        return [c for c in self.server.calls if c.path.startswith("/v1/")]


def error(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    """The Web API's error object."""
    return Reply(json.dumps({"error": {"status": status, "message": message}}).encode(),
                 "application/json", status, headers=headers)


@pytest.fixture
def show(server: Server) -> Spotify:
    return Spotify(server, [episode(n) for n in range(120, 0, -1)])


def site_with_show(tmp_path: Path, extra: str = "") -> Site:
    return pair_site(tmp_path / "p", f'spotify_show = "spotify:show:{SHOW_ID}"\n{extra}')


def read(site: Site, server: Server, *, offline: bool = False, again: bool = False,
         credentials: SpotifyCredentials | None = CREDENTIALS, **options: object
         ) -> tuple[list[Path], list[str]]:
    result = read_catalogs(site, site.pair, offline=offline, credentials=credentials,
                           options=local_options(server, **options), again=again)
    return [f.path for f in result.files], [str(n) for n in result.notes]


def pages_of(path: Path) -> list[dict[str, object]]:
    data = json.loads(path.read_bytes())
    assert isinstance(data, list)
    return data


def test_the_show_is_read_page_after_page_in_the_api_s_own_shape(tmp_path: Path,
                                                                   server: Server,
                                                                   show: Spotify) -> None:
    site = site_with_show(tmp_path)
    events = Events()
    result = read_catalogs(site, site.pair, offline=False, credentials=CREDENTIALS,
                           options=local_options(server), progress=events)
    (file,) = result.files
    assert (file.source, file.origin, file.fresh) == (
        "spotify", f"https://open.spotify.com/show/{SHOW_ID}", True)
    assert file.path == site.cache_dir / "catalogs" / f"spotify-{SHOW_ID}.json"
    pages = pages_of(file.path)
    assert [p["offset"] for p in pages] == [0, 50, 100]
    assert [i["id"] for p in pages for i in p["items"]] == [e["id"] for e in show.episodes]
    assert pages[0]["items"][0] == show.episodes[0]  # items kept as answered
    assert show.tokens == 1
    assert all("market=US" in c.path and "limit=50" in c.path for c in show.api_calls())
    record = read_index(site).sources[file.origin]
    assert len(record.ids) == 120
    assert record.ids == tuple(sorted(record.ids))
    assert [e.done for e in events.seen if e.stage == "episodes"] == [50, 100, 120]
    assert SECRET.encode() not in every_byte(site.root)
    assert b"token-1" not in every_byte(site.root)  # nor the access token
    assert {e.total for e in events.seen if e.stage == "episodes"} == {120}


def test_the_next_run_asks_only_for_what_is_new(tmp_path: Path, server: Server,
                                                show: Spotify) -> None:
    site = site_with_show(tmp_path, 'market = "ge"\n')
    read(site, server)
    show.episodes[:0] = [episode(n) for n in (123, 122, 121)]
    before = len(show.api_calls())
    (path,), _ = read(site, server)
    asked = show.api_calls()[before:]
    # page 1 holds the 3 new episodes and 47 known ones; page 2 only known ones: stop there
    assert [parse_qs(urlsplit(c.path).query)["offset"] for c in asked] == [["0"], ["50"]]
    assert all("market=GE" in c.path for c in asked)
    ids = [i["id"] for p in pages_of(path) for i in p["items"]]
    assert ids == [e["id"] for e in show.episodes]  # each episode once, newest first
    assert len(read_index(site).sources[f"https://open.spotify.com/show/{SHOW_ID}"].ids) == 123
    before = len(show.api_calls())
    read(site, server)
    assert len(show.api_calls()) - before == 1  # nothing new: one page says so


def test_wrong_credentials_say_which_variables_to_check_and_never_the_secret(
        tmp_path: Path, server: Server, show: Spotify) -> None:
    site = site_with_show(tmp_path)
    show.token_status = 400
    with pytest.raises(CatalogSourceError) as caught:
        read(site, server)
    text = str(caught.value)
    assert "SPOTIFY_CLIENT_ID" in text
    assert "invalid_client" in text
    assert SECRET not in text
    assert SECRET not in repr(CREDENTIALS)
    assert SECRET.encode() not in every_byte(site.root)


def test_an_expired_token_is_asked_again_once(tmp_path: Path, server: Server,
                                              show: Spotify) -> None:
    site = site_with_show(tmp_path)
    show.api_replies.append(error(401, "The access token expired"))
    (path,), _ = read(site, server)
    assert show.tokens == 2
    assert len(pages_of(path)) == 3
    show.api_replies.extend([error(401, "The access token expired")] * 2)
    with pytest.raises(CatalogSourceError, match="refused the app's access token") as caught:
        read(site, server, again=True)
    assert "SPOTIFY_CLIENT_SECRET" in caught.value.fix


def test_a_rate_limit_is_waited_for_then_named_with_when_to_try_again(
        tmp_path: Path, server: Server, show: Spotify) -> None:
    site = site_with_show(tmp_path)
    show.api_replies.append(error(429, "API rate limit exceeded", ("Retry-After", "1")))
    (path,), _ = read(site, server, retries=1)
    assert len(pages_of(path)) == 3  # asked again after the pause, then read
    show.api_replies.append(error(429, "API rate limit exceeded", ("Retry-After", "150")))
    with pytest.raises(CatalogSourceError, match="limits the requests") as caught:
        read(site, server)
    assert "again in 3 minutes" in caught.value.fix
    assert json.loads(path.read_bytes())  # the cached catalog is still whole


@pytest.mark.parametrize(("status", "words", "fix"), [
    (404, "Spotify has no show", "spotify_show"),
    (400, "refused the request", "market"),
    (403, "refused to list the show", "development mode"),
    (503, "answered HTTP 503", "--offline"),
])
def test_an_error_object_is_one_message_naming_the_show(
        tmp_path: Path, server: Server, show: Spotify, status: int, words: str,
        fix: str) -> None:
    site = site_with_show(tmp_path)
    show.api_replies.append(error(status, "Something said by Spotify"))
    with pytest.raises(CatalogSourceError) as caught:
        read(site, server)
    assert words in caught.value.message
    assert "Something said by Spotify" in caught.value.message
    assert caught.value.where == f"https://open.spotify.com/show/{SHOW_ID}"
    assert fix in caught.value.fix
    assert not (site.cache_dir / "catalogs" / f"spotify-{SHOW_ID}.json").exists()


def test_an_answer_that_is_not_a_page_is_refused(tmp_path: Path, server: Server,
                                                 show: Spotify) -> None:
    site = site_with_show(tmp_path)
    show.api_replies.append(Reply(b"<html>maintenance</html>"))
    with pytest.raises(CatalogSourceError, match="not a page of episodes"):
        read(site, server)


def test_a_next_page_elsewhere_is_not_sent_the_token(tmp_path: Path, server: Server,
                                                     show: Spotify) -> None:
    site = site_with_show(tmp_path)
    page = {"items": [episode(1)], "offset": 0, "limit": 50, "total": 2,
            "next": "https://elsewhere.example.org/v1/shows/x/episodes?offset=50"}
    show.api_replies.append(Reply(json.dumps(page).encode(), "application/json"))
    with pytest.raises(CatalogSourceError, match="next page is elsewhere"):
        read(site, server)


def test_without_credentials_nothing_is_asked_and_a_note_says_what_the_api_adds(
        tmp_path: Path, server: Server, show: Spotify) -> None:
    site = site_with_show(tmp_path)
    files, notes = read(site, server, credentials=None)
    assert files == []
    assert server.calls == []
    (note,) = notes
    assert "SPOTIFY_CLIENT_ID" in note
    assert "Spotify episode id" in note
    read(site, server)  # once read with credentials, the cached catalog serves without them
    calls = len(server.calls)
    files, notes = read(site, server, credentials=None)
    assert [f.name for f in files] == [f"spotify-{SHOW_ID}.json"]
    assert len(notes) == 1
    assert len(server.calls) == calls


def test_credentials_come_from_the_environment_both_or_neither() -> None:
    assert spotify_credentials({}) is None
    found = spotify_credentials({"SPOTIFY_CLIENT_ID": "id", "SPOTIFY_CLIENT_SECRET": SECRET})
    assert found == SpotifyCredentials("id", SECRET)
    with pytest.raises(CatalogSourceError, match="SPOTIFY_CLIENT_SECRET is not set") as caught:
        spotify_credentials({"SPOTIFY_CLIENT_ID": "id"})
    assert SECRET not in str(caught.value)
    with pytest.raises(CatalogSourceError, match="SPOTIFY_CLIENT_ID is not set"):
        spotify_credentials({"SPOTIFY_CLIENT_SECRET": SECRET})
