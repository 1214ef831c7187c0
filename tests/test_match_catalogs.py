"""parse_catalog: each saved format companion reads (yt-dlp -j / -J / flat, YouTube's channel
feed, Spotify's Web API answers, a podcast RSS feed), and each bad input as one
CatalogError naming the file and what to do."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from companion._errors import CatalogError, CompanionError
from companion._match import parse_catalog


def _info(vid: str, **extra: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"id": vid, "title": f"Video {vid}", "description": "About it.",
                            "upload_date": "20251003", "timestamp": 1759478400,
                            "duration": 600, "extractor": "youtube",
                            "webpage_url": f"https://www.youtube.com/watch?v={vid}"}
    info.update(extra)
    return info


def test_ytdlp_json_lines_kinds_languages_and_dates() -> None:
    lines = [
        _info("aaaaaaaaaaa", language="ka"),
        _info("bbbbbbbbbbb", automatic_captions={"ru-orig": [], "en": []}),
        _info("ccccccccccc", duration=40),
        _info("ddddddddddd", webpage_url="https://www.youtube.com/shorts/ddddddddddd",
              duration=150),
        _info("eeeeeeeeeee", live_status="was_live"),
        _info("fffffffffff", live_status="is_upcoming", timestamp=None, upload_date=None,
              release_timestamp=1760000000),
        _info("ggggggggggg", live_status="is_live"),
        _info("hhhhhhhhhhh", media_type="short", duration=170),
        _info("iiiiiiiiiii", timestamp=None, description="Read https://news.example/a?x=1 now"),
    ]
    data = "\n".join(json.dumps(i) for i in lines).encode()
    [catalog] = parse_catalog(data, "saved/channel.jsonl")
    by_id = {e.id: e for e in catalog.entries}
    assert catalog.source == "youtube"
    assert catalog.complete
    assert (by_id["aaaaaaaaaaa"].language, by_id["aaaaaaaaaaa"].language_evidence) == (
        "ka", "declared")
    assert (by_id["bbbbbbbbbbb"].language, by_id["bbbbbbbbbbb"].language_evidence) == (
        "ru", "captions")
    kinds = {vid: e.kind for vid, e in by_id.items()}
    assert kinds == {"aaaaaaaaaaa": "video", "bbbbbbbbbbb": "video", "ccccccccccc": "short",
                     "ddddddddddd": "short", "eeeeeeeeeee": "was_live",
                     "fffffffffff": "upcoming", "ggggggggggg": "live", "hhhhhhhhhhh": "short",
                     "iiiiiiiiiii": "video"}
    assert by_id["aaaaaaaaaaa"].date == datetime(2025, 10, 3, 8, tzinfo=UTC)
    assert by_id["iiiiiiiiiii"].date == datetime(2025, 10, 3, tzinfo=UTC)
    assert by_id["iiiiiiiiiii"].date_precision == "day"
    assert by_id["iiiiiiiiiii"].links == ("https://news.example/a?x=1",)


def test_ytdlp_single_video_and_nested_channel_tabs_flat() -> None:
    [one] = parse_catalog(json.dumps(_info("aaaaaaaaaaa")).encode(), "one.json")
    assert [e.id for e in one.entries] == ["aaaaaaaaaaa"]
    flat = {"_type": "url", "ie_key": "Youtube", "url": "https://www.youtube.com/watch?v=x",
            "title": "A title", "duration": 321, "thumbnails": [{"url": "https://i/x.jpg"}]}
    channel = {"_type": "playlist", "id": "UCx", "channel": "Desk", "title": "Desk", "entries": [
        {"_type": "playlist", "id": "UCx", "title": "Desk - Videos",
         "entries": [{**flat, "id": "vvvvvvvvvvv"},
                     {**flat, "id": "uuuuuuuuuuu", "live_status": "is_upcoming"}]},
        {"_type": "playlist", "id": "UCx", "title": "Desk - Shorts", "entries": [
            {**flat, "id": "sssssssssss", "url": "https://www.youtube.com/shorts/sssssssssss",
             "duration": None}]},
        {"_type": "url", "ie_key": "YoutubeTab", "id": "PLx", "url": "https://y/playlist"},
    ]}
    [catalog] = parse_catalog(json.dumps(channel).encode(), "flat.json")
    by_id = {e.id: e for e in catalog.entries}
    assert set(by_id) == {"vvvvvvvvvvv", "uuuuuuuuuuu", "sssssssssss"}
    assert all(e.flat and e.date is None for e in by_id.values())
    assert not catalog.complete
    assert catalog.title == "Desk"
    assert (by_id["uuuuuuuuuuu"].kind, by_id["sssssssssss"].kind) == ("upcoming", "short")
    assert by_id["vvvvvvvvvvv"].duration == 321


def _episode(eid: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": eid, "name": f"Episode {eid}", "description": "Plain text.",
        "html_description": "<p>Plain <a href=\"https://news.example/x\">text</a>.</p>",
        "duration_ms": 1234000, "release_date": "2025-10-03", "release_date_precision": "day",
        "language": "en", "languages": ["en-US"], "type": "episode", "is_playable": True,
        "external_urls": {"spotify": f"https://open.spotify.com/episode/{eid}"},
        "images": [{"url": "https://i.scdn.co/image/x", "height": 640, "width": 640}]}
    item.update(extra)
    return item


def _page(items: list[dict[str, Any]], offset: int = 0) -> dict[str, Any]:
    return {"href": "https://api.spotify.com/v1/shows/s/episodes", "items": items, "limit": 50,
            "next": None, "offset": offset, "previous": None, "total": len(items)}


def test_spotify_page_pages_and_show() -> None:
    a, b = "A" * 22, "B" * 22
    [one] = parse_catalog(json.dumps(_page([_episode(a)])).encode(), "page.json")
    entry = one.entries[0]
    assert (one.source, entry.id, entry.language, entry.duration) == ("spotify", a, "en", 1234)
    assert entry.date == datetime(2025, 10, 3, tzinfo=UTC)
    assert entry.kind == "episode"
    assert entry.links == ("https://news.example/x",)
    pages = [_page([_episode(a)]), _page([_episode(b, release_date="2025-09",
                                                    release_date_precision="month")], 50)]
    [both] = parse_catalog(json.dumps(pages).encode(), "pages.json")
    assert [e.id for e in both.entries] == [a, b]
    assert both.entries[1].date_precision == "month"
    show = {"type": "show", "id": "s", "name": "The Desk", "episodes": _page([_episode(b)])}
    [whole] = parse_catalog(json.dumps(show).encode(), "show.json")
    assert whole.title == "The Desk"
    assert whole.entries[0].channel == "The Desk"


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>The Desk</title><language>ka</language>
<item><title><![CDATA[First &amp; best]]></title><guid isPermaLink="false">g-1</guid>
<pubDate>Fri, 03 Oct 2025 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Hello <b>there</b>.<br/>See <a href="https://news.example/a/">it</a></p>]]></description>
<enclosure url="https://anchor.fm/s/1/a.mp3" length="123" type="audio/mpeg"/>
<itunes:duration>01:02:03</itunes:duration><link>https://podcasters.example/ep1</link></item>
<item><title>Second</title><guid>g-2</guid><itunes:duration>75</itunes:duration>
<content:encoded><![CDATA[<p>Rich</p>]]></content:encoded>
<enclosure url="https://anchor.fm/s/1/b.mp3" length="9" type="audio/mpeg"/></item>
</channel></rss>"""


def test_rss_items() -> None:
    [catalog] = parse_catalog(RSS.encode(), "show.xml")
    first, second = catalog.entries
    assert (catalog.source, catalog.title) == ("rss", "The Desk")
    assert (first.id, first.title, first.duration) == ("g-1", "First &amp; best", 3723)
    assert first.description.split() == ["Hello", "there", ".", "See", "it"]
    assert first.audio_url == "https://anchor.fm/s/1/a.mp3"
    assert first.audio_length == 123
    assert first.date == datetime(2025, 10, 3, 10, tzinfo=UTC)
    assert first.language == "ka"
    assert first.links == ("https://news.example/a/",)
    assert (second.duration, second.description, second.date) == (75, "Rich", None)


def test_rss_entities_are_never_resolved(tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    hostile = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
               '<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
               '<guid>g</guid></item></channel></rss>').encode()
    try:
        catalogs = parse_catalog(hostile, "hostile.xml")
    except CatalogError:
        return
    assert "TOPSECRET" not in catalogs[0].entries[0].title


def test_youtube_channel_feed() -> None:
    feed = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015"
 xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
<title>Desk</title>
<entry><id>yt:video:aaaaaaaaaaa</id><yt:videoId>aaaaaaaaaaa</yt:videoId><title>One</title>
<link rel="alternate" href="https://www.youtube.com/watch?v=aaaaaaaaaaa"/>
<published>2025-10-03T10:00:00+00:00</published>
<media:group><media:description>Words here.</media:description></media:group></entry>
</feed>"""
    [catalog] = parse_catalog(feed, "feed.xml")
    entry = catalog.entries[0]
    assert (entry.id, entry.description, entry.date) == (
        "aaaaaaaaaaa", "Words here.", datetime(2025, 10, 3, 10, tzinfo=UTC))
    assert not catalog.complete


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"  \n ", "empty"),
    (b"\xff\xfe\x00h\x00i", "UTF-8"),
    (b"hello there", "neither JSON nor XML"),
    (b'{"id": "aaaaaaaaaaa", "title": "cut', "truncated"),
    (b'{"id": "a", "extractor": "youtube"}\n{"id": "b", "extr', "line 2"),
    (b'{"kind": "something else"}', "unknown kind"),
    (b"[]", "empty JSON list"),
    (b"[1, 2]", "not objects"),
    (b'{"error": {"status": 401, "message": "Invalid access token"}}', "401"),
    (b'{"error": {"status": 429, "message": "rate"}}', "429"),
    (b'{"href": "h", "items": [], "limit": 50}', "no episodes"),
    (b'{"_type": "playlist", "id": "x", "entries": []}', "no videos"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
     "no items"),
    (b"<rss><channel><item>", "broken XML"),
    (b"<html><body>Not a feed</body></html>", "<html>"),
], ids=["empty", "blank", "utf16", "text", "truncated", "truncated-lines", "unknown",
        "empty-list", "numbers", "spotify-401", "spotify-429", "no-episodes", "no-videos",
        "rss-no-items", "broken-xml", "html"])
def test_bad_catalogs_are_one_error_naming_the_file(data: bytes, words: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data, "saved/catalog.bin")
    error = caught.value
    assert isinstance(error, CompanionError)
    assert error.where == "saved/catalog.bin"
    assert words in error.message
    assert error.fix
    assert "\n" not in str(error)


def test_spotify_401_says_to_check_the_credentials() -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(b'{"error": {"status": 401, "message": "The access token expired"}}',
                      "spotify")
    assert "SPOTIFY_CLIENT_ID" in caught.value.fix
    assert "The access token expired" in caught.value.message
