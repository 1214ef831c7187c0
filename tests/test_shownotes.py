"""Show notes: contents, the limits of each place they are pasted, and the interface words."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from companion import Chapter, Episode, Link, Site, SpotifyEpisode
from companion._render.i18n import direction, format_date, t
from companion._render.limits import Limit
from companion._render.shownotes import (
    ShowNotes,
    cut,
    notes_html,
    notes_spotify,
    notes_text,
    notes_youtube,
    show_notes,
    split_sentences,
    youtube_chapters_ok,
)
from tests._browser import article, youtube
from tests.test_markdown import assert_inert

SITE = Site(root=Path("/tmp/project"), title="Show", base_url="https://pod.example.org/")
PAGE = "https://pod.example.org/episodes/x/"
CHARS_4000 = Limit("test", max_chars=4000)
FEED = "https://pod.example.org/en/feed.xml"

BODY = """First sentence here. Second sentence follows! Third one? Fourth is too many.

Second paragraph is not needed.
"""


def episode(body: str = BODY, **kw: object) -> Episode:
    links = tuple(Link(f"https://news{i}.example.org/story/{i}?id={i}", f"Story {i}",
                       f"news{i}.example.org") for i in range(3))
    values: dict[str, object] = {"links": links, "youtube_id": "abcdefghijk"}
    values.update(kw)
    return Episode(
        article("x", "en", "An episode", body, **values), guid="g",
        youtube=youtube("abcdefghijk", "Video title", "Video description.", duration=150.0),
        spotify=SpotifyEpisode("4XgHKQm17uIi39qzDIrs99"),
        chapters=(Chapter(0, "Intro"), Chapter(30, "Part one"), Chapter(90, "Part two")),
    )


def notes_of(ep: Episode | None = None, **kw: str) -> ShowNotes:
    return show_notes(ep or episode(), SITE, page_url=PAGE, feed_url=FEED,
                      article_url=kw.get("article_url", "https://paper.example.org/x"))


def test_summary_is_the_description_when_given() -> None:
    notes = notes_of(episode(description="  The producer's summary.  "))
    assert notes.summary == "The producer's summary."


def test_summary_is_the_lead_otherwise() -> None:
    notes = notes_of()
    assert notes.summary == "First sentence here. Second sentence follows! Third one?"


def test_lead_takes_a_second_paragraph_when_the_first_is_short() -> None:
    body = "#### Heading\n\nOnly one sentence.\n\nAnother one. And more. And more still."
    notes = notes_of(episode(body))
    assert notes.summary == "Only one sentence.\n\nAnother one. And more."


def test_lead_of_a_plain_text_article() -> None:
    notes = notes_of(episode("Line one. Line two.\nLine three.\n\nNext.", format="text"))
    assert notes.summary == "Line one. Line two. Line three."


def test_lead_of_a_plain_text_article_skips_its_dateline() -> None:
    body = "BATUMI, 1 October 2025\n\nDock workers walked off the job. They want pay.\n"
    assert notes_of(episode(body, format="text")).summary == (
        "Dock workers walked off the job. They want pay.")
    dashed = "TBILISI, 3 March 2025 — The port opened. Ships came.\n\nMore."
    assert notes_of(episode(dashed, format="text")).summary == "The port opened. Ships came."


def test_lead_in_arabic_and_georgian() -> None:
    assert split_sentences("هل هذا سؤال؟ نعم هذا جواب.") == ["هل هذا سؤال؟", "نعم هذا جواب."]
    assert split_sentences("პირველი წინადადება. მეორე.") == ["პირველი წინადადება.", "მეორე."]


def test_sources_chapters_and_homes() -> None:
    ep = episode()
    notes = notes_of(ep)
    assert notes.sources == ep.article.links
    assert notes.chapters == ep.chapters
    assert [(h.kind, h.url) for h in notes.homes] == [
        ("page", PAGE), ("article", "https://paper.example.org/x"),
        ("youtube", "https://www.youtube.com/watch?v=abcdefghijk"),
        ("spotify", "https://open.spotify.com/episode/4XgHKQm17uIi39qzDIrs99"),
        ("feed", FEED),
    ]
    assert notes.lang == "en"
    assert notes.direction == "ltr"


def test_homes_are_in_the_articles_language() -> None:
    ep = episode()
    ka = replace(ep, article=replace(ep.article, lang="ka"))
    labels = {h.kind: h.label for h in notes_of(ka).homes}
    assert labels["youtube"] == "უყურეთ YouTube-ზე"
    assert labels["spotify"] == "მოუსმინეთ Spotify-ზე"


def test_notes_html_lists_sources_with_domain_and_noopener() -> None:
    out = notes_html(notes_of())
    root = lxml.html.fragment_fromstring(out, create_parent="div")
    items = root.xpath("//ol/li")
    assert [li.xpath("string(a)") for li in items] == ["Story 0", "Story 1", "Story 2"]
    assert "news1.example.org" in items[1].text_content()
    assert all("noopener" in a.get("rel") for a in root.xpath("//a"))
    assert root.xpath("//p")[0].text.startswith("First sentence")
    assert "01:30 Part two" in out
    assert root.xpath("//h2/text()") == ["Chapters", "Sources", "Elsewhere"]


def test_hostile_article_and_youtube_description_give_inert_notes() -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    links = (Link("javascript:alert(3)", "<b onclick=x>bad</b>", "evil"),
             Link("https://ok.example.org/", hostile, "ok.example.org"))
    ep = episode(body="", description=None, links=links)
    ep = replace(ep, youtube=youtube("abcdefghijk", hostile, f"Watch {hostile}. Now."),
                 chapters=(Chapter(0, hostile),))
    notes = notes_of(ep)
    assert "Watch" in notes.summary  # the video's description is the fallback summary
    out = notes_html(notes)
    assert_inert(out)
    assert "<script" not in out
    assert "&lt;script&gt;" in out


def test_notes_text_contains_everything_when_it_fits() -> None:
    text = notes_text(notes_of())
    assert text.startswith("First sentence here.")
    assert "Chapters:\n00:00 Intro\n00:30 Part one\n01:30 Part two" in text
    assert "- Story 2: https://news2.example.org/story/2?id=2" in text
    assert f"RSS feed: {FEED}" in text


def _many_sources(n: int) -> tuple[Link, ...]:
    return tuple(Link(f"https://source{i}.example.org/a/very/long/path/to/article-{i}"
                      f"?query=value&other={i}", f"Source number {i}", f"source{i}.example.org")
                 for i in range(n))


@pytest.mark.parametrize("limit", [4000, 1000, 500, 333, 250])
def test_notes_text_limit_never_cuts_a_url(limit: int) -> None:
    long_summary = " ".join(f"Sentence number {i} talks about https://x.example.org/p{i} ."
                            for i in range(200))
    ep = episode(description=long_summary, links=_many_sources(200))
    notes = notes_of(ep)
    text = notes_text(notes, limit=Limit("test", max_chars=limit))
    assert len(text) <= limit
    known = {s.url for s in notes.sources} | {h.url for h in notes.homes} | {
        f"https://x.example.org/p{i}" for i in range(200)}
    for url in re.findall(r"https?://\S+", text):
        assert url in known, url
    for line in text.splitlines():
        if line.startswith("- Source"):
            assert re.fullmatch(r"- Source number \d+: https://\S+", line)


def test_notes_text_cuts_the_summary_at_a_sentence_end() -> None:
    summary = "A short sentence. " * 300
    text = notes_text(notes_of(episode(description=summary.strip())), limit=CHARS_4000)
    assert len(text) <= 4000
    assert text.split("\n\n")[0].endswith("sentence.")
    assert FEED in text  # the homes are kept


def test_notes_text_drops_whole_source_lines() -> None:
    ep = episode(links=_many_sources(100))
    text = notes_text(notes_of(ep), limit=CHARS_4000)
    kept = [line for line in text.splitlines() if line.startswith("- ")]
    assert 0 < len(kept) < 100
    assert kept == [f"- Source number {i}: {s.url}" for i, s in
                    enumerate(_many_sources(len(kept)))]


def test_cut_falls_back_to_a_word_boundary() -> None:
    assert cut("no sentence end here at all https://example.org/long/url", 40) \
        == "no sentence end here at all…"
    assert cut("short", 10) == "short"


def test_youtube_notes_have_chapter_lines_when_youtube_accepts_them() -> None:
    out = notes_youtube(notes_of())
    assert "00:00 Intro\n00:30 Part one\n01:30 Part two" in out
    assert "youtube.com/watch" not in out  # the video itself is not a home to list there
    assert len(out) <= 5000


@pytest.mark.parametrize("chapters", [
    (Chapter(5, "Late start"), Chapter(30, "b"), Chapter(90, "c")),
    (Chapter(0, "a"), Chapter(30, "b")),
    (Chapter(0, "a"), Chapter(30, "b"), Chapter(35, "too close")),
])
def test_youtube_notes_omit_chapters_that_break_the_rules(chapters: tuple[Chapter, ...]) -> None:
    ep = replace(episode(), chapters=chapters)
    assert not youtube_chapters_ok(chapters)
    out = notes_youtube(notes_of(ep))
    assert not re.search(r"^\d\d:\d\d ", out, flags=re.MULTILINE)


def test_youtube_notes_have_no_angle_brackets_and_respect_the_limit() -> None:
    ep = episode(description="Use <b>tags</b> here. " * 400, links=_many_sources(100))
    out = notes_youtube(notes_of(ep))
    assert "<" not in out
    assert ">" not in out
    assert len(out) <= 5000


def test_spotify_notes() -> None:
    out = notes_spotify(notes_of())
    assert out.startswith("First sentence here.")
    assert "open.spotify.com" not in out
    assert "https://www.youtube.com/watch?v=abcdefghijk" in out
    assert len(notes_spotify(notes_of(episode(links=_many_sources(200))))) <= 4000


# -- interface words ------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "word"), [
    ("ka", "წყაროები"), ("ar", "المصادر"), ("es", "Fuentes"), ("fr", "Sources"),
    ("ru", "Источники"), ("tr", "Kaynaklar"), ("en", "Sources"),
])
def test_words_per_language(lang: str, word: str) -> None:
    assert t(lang, "Sources") == word


def test_fallbacks() -> None:
    assert t("xx", "Chapters") == "Chapters"  # unknown language: English
    assert t("es-MX", "Chapters") == "Capítulos"  # a region falls back to its language
    assert t("ka", "A key nobody translated") == "A key nobody translated"
    assert direction("ar") == "rtl"
    assert direction("ka") == "ltr"
    assert direction("fa-IR") == "rtl"


def test_localized_dates() -> None:
    day = date(2025, 7, 20)
    assert format_date(day, "ka") == "20 ივლისი, 2025"
    assert "يوليو" in format_date(day, "ar")
    assert format_date(day, "es") == "20 de julio de 2025"
    assert format_date(day, "en") == "July 20, 2025"
    assert format_date(day, "zz") == "July 20, 2025"
    assert format_date(day, "pt-br") == "20 de julho de 2025"


def test_bare_url_sources_show_a_short_url_once() -> None:
    bare = Link("https://www.example.org/books/market?id=1", "https://www.example.org/books/market?id=1",
                "example.org")
    notes = notes_of(episode(links=(bare,)))
    assert "- https://www.example.org/books/market?id=1\n" in notes_text(notes) + "\n"
    root = lxml.html.fragment_fromstring(notes_html(notes), create_parent="div")
    assert root.xpath("string(//ol/li)") == "example.org/books/market"



def test_notes_text_keeps_sources_in_order_without_gaps() -> None:
    links = tuple(Link(f"https://s{i}.example.org/" + "p" * (300 if i == 5 else 5), f"S{i}",
                       f"s{i}.example.org") for i in range(40))
    notes = notes_of(episode(links=links))
    budget = len(notes_text(replace(notes, sources=links[:5]))) + 40 \
        + len("\nand 35 more sources: " + PAGE)
    text = notes_text(notes, limit=Limit("test", max_chars=budget))
    kept = [line for line in text.splitlines() if line.startswith("- ")]
    assert kept == [f"- S{i}: {links[i].url}" for i in range(5)]  # S5 is too long: stop there
