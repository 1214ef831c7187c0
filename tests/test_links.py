"""Links: YouTube and Spotify ids, tracking-free URLs, source links of a body."""

from __future__ import annotations

import pytest
from linkify_it import LinkifyIt

from companion._read.links import (
    FastLinkify,
    clean_text_urls,
    clean_url,
    extract_links,
    spotify_episode_id,
    spotify_kind,
    youtube_id,
)


@pytest.mark.parametrize("url", [
    "https://www.youtube.com/embed/02el3F-AjQw",
    "https://www.youtube.com/watch?v=02el3F-AjQw",
    "https://www.youtube.com/watch?feature=share&v=02el3F-AjQw&t=225s",
    "https://youtube.com/watch?v=02el3F-AjQw&ab_channel=Someone",
    "https://youtu.be/02el3F-AjQw",
    "https://youtu.be/02el3F-AjQw?si=abc&t=12",
    "https://www.youtube.com/shorts/02el3F-AjQw",
    "https://www.youtube.com/live/02el3F-AjQw?feature=shared",
    "https://m.youtube.com/watch?v=02el3F-AjQw",
    "https://www.youtube-nocookie.com/embed/02el3F-AjQw?start=4",
    "https://www.youtube.com/v/02el3F-AjQw",
    "  https://www.youtube.com/watch?v=02el3F-AjQw  ",
])
def test_youtube_id_from_every_form(url: str) -> None:
    assert youtube_id(url) == "02el3F-AjQw"


@pytest.mark.parametrize("url", [
    "https://www.youtube.com/channel/UC1234567890",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/watch?list=PL123",
    "https://vimeo.com/123456",
    "https://youtu.be/",
    "https://www.youtube.com/embed/02el3F-AjQw-too-long",
    "not a url",
    "https://evil.example/watch?v=02el3F-AjQw",
])
def test_youtube_id_rejects_others(url: str) -> None:
    assert youtube_id(url) is None


@pytest.mark.parametrize("url", [
    "https://open.spotify.com/episode/4XgHKQm17uIi39qzDIrs99",
    "https://open.spotify.com/embed/episode/4XgHKQm17uIi39qzDIrs99",
    "https://open.spotify.com/episode/4XgHKQm17uIi39qzDIrs99?si=3f9a1b",
    "https://open.spotify.com/intl-es/episode/4XgHKQm17uIi39qzDIrs99",
    "https://open.spotify.com/embed-podcast/episode/4XgHKQm17uIi39qzDIrs99",
])
def test_spotify_episode_id(url: str) -> None:
    assert spotify_episode_id(url) == "4XgHKQm17uIi39qzDIrs99"


def test_spotify_show_is_not_an_episode_but_is_recognised() -> None:
    url = "https://open.spotify.com/show/4XgHKQm17uIi39qzDIrs99"
    assert spotify_episode_id(url) is None
    assert spotify_kind(url) == ("show", "4XgHKQm17uIi39qzDIrs99")
    assert spotify_kind("https://open.spotify.com/track/abc")[0] == "track"  # type: ignore[index]
    assert spotify_kind("https://example.org/episode/4XgHKQm17uIi39qzDIrs99") is None
    assert spotify_episode_id("https://open.spotify.com/episode/short") is None


@pytest.mark.parametrize(("url", "clean"), [
    ("https://www.rferl.org/a/1098628.html?utm_source", "https://www.rferl.org/a/1098628.html"),
    ("https://tass.com/politics/1984423?utm_source=chatgpt.com", "https://tass.com/politics/1984423"),
    ("https://x.org/a?id=3&utm_medium=x&fbclid=Iw&b=%E1%83%90",
     "https://x.org/a?id=3&b=%E1%83%90"),
    ("https://x.org/?gclid=1&dclid=2&msclkid=3&mc_eid=4&mc_cid=5&igshid=6&_ga=7&yclid=8"
     "&ref_src=twsrc", "https://x.org/"),
    ("https://www.youtube.com/watch?v=jCJ6DySjXGs&t=225s&ab_channel=%E1%83%AA%7CFYI",
     "https://www.youtube.com/watch?v=jCJ6DySjXGs&t=225s"),
    ("https://www.youtube.com/watch?v=jCJ6DySjXGs&list=PLx&index=2&feature=share",
     "https://www.youtube.com/watch?v=jCJ6DySjXGs&list=PLx&index=2"),
    ("https://youtu.be/jCJ6DySjXGs?si=AbCd", "https://youtu.be/jCJ6DySjXGs"),
    ("https://open.spotify.com/episode/4XgHKQm17uIi39qzDIrs99?si=3f9a",
     "https://open.spotify.com/episode/4XgHKQm17uIi39qzDIrs99"),
    ("https://shop.example.org/item?si=42", "https://shop.example.org/item?si=42"),
    ("https://www.csis.org/a#:~:text=A3:%20Beyond%20Russia,%20the%20main",
     "https://www.csis.org/a#:~:text=A3:%20Beyond%20Russia,%20the%20main"),
    ("https://x.org/a?utm_source=z#section-2", "https://x.org/a#section-2"),
    ("https://x.org/a?b=2&a=1", "https://x.org/a?b=2&a=1"),
    ("https://x.org/plain", "https://x.org/plain"),
    ("https://www.instagram.com/p/Cx1/?igsh=abc&si=x", "https://www.instagram.com/p/Cx1/"),
    ("https://www.youtube-nocookie.com/embed/02el3F-AjQw?start=4&si=Q",
     "https://www.youtube-nocookie.com/embed/02el3F-AjQw?start=4"),
    ("https://data.worldbank.org/indicator/NY.GDP?locations=AZ",
     "https://data.worldbank.org/indicator/NY.GDP?locations=AZ"),
])
def test_clean_url(url: str, clean: str) -> None:
    assert clean_url(url) == clean


def test_clean_text_urls_cleans_every_bare_url_and_keeps_the_punctuation() -> None:
    text = ("Read https://a.example/x?utm_source=tg&id=2, then "
            "(https://youtu.be/02el3F-AjQw?si=Q&t=12). And https://b.example/y?fbclid=1.")
    assert clean_text_urls(text) == ("Read https://a.example/x?id=2, then "
                                     "(https://youtu.be/02el3F-AjQw?t=12). And "
                                     "https://b.example/y.")


def test_extract_markdown_links_every_kind_in_order() -> None:
    body = (
        "Intro [first](https://a.example/one?utm_source=x) and <https://b.example/auto>.\n\n"
        "A [reference][ref] link, a bare www.cexample.com/page and https://d.example/bare.\n\n"
        "Again [same as first](https://a.example/one?fbclid=2), "
        "[mail](mailto:me@example.org), [js](javascript:alert(1)), [rel](/local/path),\n"
        "![image](https://img.example/pic.png)\n\n"
        "[ref]: https://www.e.example/ref \"Title\"\n"
    )
    links = extract_links(body, "markdown")
    assert [link.url for link in links] == [
        "https://a.example/one", "https://b.example/auto", "https://www.e.example/ref",
        "http://www.cexample.com/page", "https://d.example/bare",
    ]
    assert links[0].text == "first"  # the first anchor text wins
    assert links[2].text == "reference"
    assert links[2].domain == "e.example"
    assert links[4].text == "https://d.example/bare"


def test_extract_links_excludes_the_articles_own_urls() -> None:
    body = "[video](https://youtu.be/02el3F-AjQw?si=1) and [src](https://s.example/)"
    links = extract_links(body, "markdown", exclude=["https://youtu.be/02el3F-AjQw"])
    assert [link.url for link in links] == ["https://s.example/"]


def test_extract_links_keeps_bytes_of_kept_parts() -> None:
    url = "https://x.example/%E1%83%90?q=a%20b&utm_source=y#:~:text=a,b"
    links = extract_links(f"[t]({url})", "markdown")
    assert links[0].url == "https://x.example/%E1%83%90?q=a%20b#:~:text=a,b"


def test_extract_text_links_trim_punctuation() -> None:
    body = ("See https://a.example/x?utm_source=tg, then (https://b.example/y) and "
            "https://c.example/wiki/Thing_(band). Also https://a.example/x again, "
            "and ftp://old.example/file.")
    links = extract_links(body, "text")
    assert [link.url for link in links] == [
        "https://a.example/x", "https://b.example/y", "https://c.example/wiki/Thing_(band)",
    ]
    assert links[0].domain == "a.example"


@pytest.mark.parametrize("text", [
    "", "plain words. No link here", "see example.com.", "www.example.org/x", "a@b.com",
    "HTTPS://X.ORG", "ſ http://x", "//cdn.example.net/x", "mailto:a@b.c", "ftp:// nothing",
    "news47.example.org/es/2/20?utm_source=feed", "e.g. i.e. a.m.", "localhost:8000",
    "1.2.3.4", "xhttp://y.org", "_http://y.org", "ひらがな.jp", "http:", "x//",
])
def test_fast_linkify_answers_as_linkify_it(text: str) -> None:
    slow, fast = LinkifyIt(), FastLinkify()
    assert fast.pretest(text) == slow.pretest(text)
    assert fast.test(text) == slow.test(text)
    assert ([(m.url, m.index, m.last_index) for m in fast.match(text) or []]
            == [(m.url, m.index, m.last_index) for m in slow.match(text) or []])
