"""The show's own RSS read into the catalogs' cache (as served, asked again only when it
changed), the `[pair]` settings, and the offline mode: no request at all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from companion._catalogs import read_catalogs
from companion._catalogs.store import read_index
from companion._errors import CatalogSourceError, ProjectError
from companion._site_model import Site
from tests._catalogs import SHOW_ID, Events, local_options, pair_site
from tests._httpserver import Call, Reply, Server


def feed(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><guid isPermaLink=\"false\">guid-{n}</guid>"
        f"<pubDate>Mon, 0{n + 1} Jun 2026 08:00:00 GMT</pubDate>"
        f"<enclosure url=\"https://cdn.example.org/{n}.mp3\" length=\"1000\" "
        f"type=\"audio/mpeg\"/></item>" for n, t in enumerate(titles))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            f'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
            f"<title>Desk radio</title><link>https://desk.example.org/</link>{items}"
            f"</channel></rss>").encode()


@dataclass
class FeedHost:
    """A feed host answering conditional requests."""

    body: bytes
    etag: str = '"v1"'

    def __call__(self, call: Call) -> Reply:
        if call.headers.get("if-none-match") == self.etag:
            return Reply(b"", "application/rss+xml", 304, headers=(("ETag", self.etag),))
        return Reply(self.body, "application/rss+xml; charset=utf-8", headers=(
            ("ETag", self.etag), ("Last-Modified", "Mon, 01 Jun 2026 08:00:00 GMT")))


def site_with_feed(tmp_path: Path, server: Server) -> Site:
    return pair_site(tmp_path / "p", f'show_rss = "{server.url("/rss")}"\n')


def test_the_feed_is_stored_as_served_and_asked_again_only_when_it_changed(
        tmp_path: Path, server: Server) -> None:
    host = FeedHost(feed("Один", "ერთი"))
    server.routes["/rss"] = host
    site = site_with_feed(tmp_path, server)
    options = local_options(server)
    (first,) = read_catalogs(site, site.pair, offline=False, credentials=None,
                             options=options).files
    assert first.path.read_bytes() == host.body
    assert first.path.parent == site.cache_dir / "catalogs"
    assert first.path.name.startswith("rss-127-0-0-1-rss-")
    assert first.path.suffix == ".xml"
    record = read_index(site).sources[server.url("/rss")]
    assert (record.etag, record.last_modified) == ('"v1"', "Mon, 01 Jun 2026 08:00:00 GMT")
    assert record.ids == ("guid-0", "guid-1")
    assert record.title == "Desk radio"

    read_catalogs(site, site.pair, offline=False, credentials=None, options=options)
    assert server.calls[-1].headers["if-none-match"] == '"v1"'
    assert server.calls[-1].headers["if-modified-since"] == "Mon, 01 Jun 2026 08:00:00 GMT"
    assert first.path.read_bytes() == host.body  # 304: the copy stays

    host.body, host.etag = feed("Один", "ერთი", "Tres"), '"v2"'
    read_catalogs(site, site.pair, offline=False, credentials=None, options=options)
    assert first.path.read_bytes() == host.body
    assert read_index(site).sources[server.url("/rss")].ids == ("guid-0", "guid-1", "guid-2")
    assert len(server.calls) == 3


def test_the_index_is_small_sorted_and_indented(tmp_path: Path, server: Server,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPANION_NOW", "2026-06-01T10:00:00+04:00")
    server.routes["/rss"] = FeedHost(feed("A"))
    server.routes["/b/rss"] = FeedHost(feed("B"))
    site = pair_site(tmp_path / "p", f'show_rss = ["{server.url("/rss")}", '
                                     f'"{server.url("/b/rss")}"]\n')
    read_catalogs(site, site.pair, offline=False, credentials=None,
                  options=local_options(server))
    text = (site.cache_dir / "catalogs" / "index.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert list(data["sources"]) == sorted([server.url("/rss"), server.url("/b/rss")])
    entry = data["sources"][server.url("/rss")]
    assert entry["kind"] == "rss"
    assert entry["read"] == "2026-06-01T06:00:00Z"


@pytest.mark.parametrize(("reply", "words"), [
    (Reply(b"gone", "text/plain", 404), "no feed at"),
    (Reply(b"no", "text/plain", 403), "refused to serve the feed"),
    (Reply(b"<html><body>Sign in</body></html>"), "is not an RSS feed"),
    (Reply(b"<rss><channel><item>", "application/rss+xml"), "is not a feed"),
    (Reply(b"down", "text/plain", 502), "answered HTTP 502"),
])
def test_a_bad_answer_is_one_message_naming_the_feed(tmp_path: Path, server: Server,
                                                     reply: Reply, words: str) -> None:
    server.routes["/rss"] = reply
    site = site_with_feed(tmp_path, server)
    with pytest.raises(CatalogSourceError, match=words) as caught:
        read_catalogs(site, site.pair, offline=False, credentials=None,
                      options=local_options(server))
    assert caught.value.where == server.url("/rss")
    assert caught.value.fix
    assert not (site.cache_dir / "catalogs").exists()


def test_a_feed_with_no_items_is_a_note_not_a_catalog(tmp_path: Path, server: Server) -> None:
    server.routes["/rss"] = FeedHost(feed())
    site = site_with_feed(tmp_path, server)
    result = read_catalogs(site, site.pair, offline=False, credentials=None,
                           options=local_options(server))
    assert result.files == ()
    (note,) = result.notes
    assert (note.severity, note.where) == ("warning", server.url("/rss"))
    assert "lists no videos or episodes" in note.message


def test_a_feed_beyond_the_size_cap_is_refused(tmp_path: Path, server: Server) -> None:
    server.routes["/rss"] = FeedHost(feed(*["x" * 200] * 20))
    site = site_with_feed(tmp_path, server)
    with pytest.raises(CatalogSourceError, match="more than 1,000 bytes"):
        read_catalogs(site, site.pair, offline=False, credentials=None,
                      options=local_options(server, max_bytes=1000))


def test_an_unreachable_source_says_to_try_again_or_go_offline(tmp_path: Path,
                                                               server: Server) -> None:
    site = site_with_feed(tmp_path, server)
    options = local_options(server)
    server.stop()
    with pytest.raises(CatalogSourceError, match="could not reach") as caught:
        read_catalogs(site, site.pair, offline=False, credentials=None, options=options)
    assert "companion pair" in caught.value.fix


def test_offline_reads_the_cache_and_asks_nothing(tmp_path: Path, server: Server) -> None:
    host = FeedHost(feed("Uno"))
    server.routes["/rss"] = host
    site = site_with_feed(tmp_path, server)
    options = local_options(server)
    read_catalogs(site, site.pair, offline=False, credentials=None, options=options)
    calls = len(server.calls)
    events = Events()
    (file,) = read_catalogs(site, site.pair, offline=True, credentials=None, options=options,
                            progress=events).files
    assert len(server.calls) == calls
    assert (file.source, file.fresh, file.path.read_bytes()) == ("rss", False, host.body)


def test_offline_with_a_source_never_read_names_it_and_the_way_out(tmp_path: Path,
                                                                   server: Server) -> None:
    site = pair_site(tmp_path / "p", f'youtube = "@desk"\nshow_rss = "{server.url("/rss")}"\n')
    with pytest.raises(CatalogSourceError) as caught:
        read_catalogs(site, site.pair, offline=True, credentials=None,
                      options=local_options(server))
    assert caught.value.message == "https://www.youtube.com/@desk has no cached catalog"
    assert caught.value.field == "pair.youtube"
    assert "--catalog FILE" in caught.value.fix
    assert server.calls == []


def test_pair_settings_are_read_and_checked(tmp_path: Path) -> None:
    site = pair_site(tmp_path / "a", f'youtube = "@desk"\nspotify_show = '
                                     f'"https://open.spotify.com/show/{SHOW_ID}?si=abc"\n'
                                     f'show_rss = "https://anchor.fm/s/abc/podcast/rss"\n'
                                     f'live = true\nmarket = "ge"\ndate_window_days = 21\n')
    assert site.pair.youtube == ("https://www.youtube.com/@desk",)
    assert site.pair.spotify_show == SHOW_ID
    assert site.pair.show_rss == ("https://anchor.fm/s/abc/podcast/rss",)
    assert (site.pair.live, site.pair.market, site.pair.date_window_days) == (True, "GE", 21)
    for given in (SHOW_ID, f"spotify:show:{SHOW_ID}",
                  f"https://open.spotify.com/intl-de/show/{SHOW_ID}"):
        assert pair_site(tmp_path / "b", f'spotify_show = "{given}"\n').pair.spotify_show \
            == SHOW_ID
    listed = pair_site(tmp_path / "c", 'youtube = ["https://www.youtube.com/watch?v=abc&list=PL1",'
                                       ' "https://www.youtube.com/channel/UC1234567890123456789012"]\n')
    assert listed.pair.youtube == ("https://www.youtube.com/playlist?list=PL1",
                                   "https://www.youtube.com/channel/UC1234567890123456789012")
    assert pair_site(tmp_path / "d", "").pair.any is False


@pytest.mark.parametrize(("pair", "field", "words"), [
    ('youtub = "@desk"\n', "pair.youtub", "did you mean `youtube`"),
    ('client_secret = "hunter2"\n', "pair.client_secret", "SPOTIFY_CLIENT_SECRET"),
    ('spotify_client_id = "abc"\n', "pair.spotify_client_id", "SPOTIFY_CLIENT_ID"),
    ('token = "abc"\n', "pair.token", "SPOTIFY_CLIENT_ID"),
    ('youtube = "https://youtu.be/dQw4w9WgXcQ"\n', "pair.youtube", "is a video"),
    ('youtube = "https://www.youtube.com/shorts/dQw4w9WgXcQ"\n', "pair.youtube", "is a video"),
    ('youtube = 3\n', "pair.youtube", "list of URLs"),
    ('show_rss = "ftp://x.org/rss"\n', "pair.show_rss", "not an absolute http(s) URL"),
    ('show_rss = "https://me:pw@x.org/rss"\n', "pair.show_rss", "user name or password"),
    ('spotify_show = "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk"\n',
     "pair.spotify_show", "not a Spotify show"),
    ('spotify_show = "4rOoJ6Egrf8K2Iryw"\n', "pair.spotify_show", "not a Spotify show"),
    ('market = "USA"\n', "pair.market", "not a country code"),
    ('live = "yes"\n', "pair.live", "true or false"),
    ('date_window_days = -1\n', "pair.date_window_days", "not a number of days"),
])
def test_a_wrong_pair_setting_is_one_message(tmp_path: Path, pair: str, field: str,
                                             words: str) -> None:
    with pytest.raises(ProjectError) as caught:
        pair_site(tmp_path, pair)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert "hunter2" not in str(caught.value)
