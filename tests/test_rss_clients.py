"""The example feeds as real podcast clients read them: gPodder's podcastparser, feedparser."""

from __future__ import annotations

import dataclasses
import html
import io
from pathlib import Path

import feedparser
import lxml.html
import podcastparser
import pytest

try:
    from tests._episodes import media_map, sample_episode, show_for
except ImportError:  # tests/ run as a plain folder
    from _episodes import media_map, sample_episode, show_for  # type: ignore[no-redef]
from companion import Chapter, Episode, FeedDefinition, Site
from companion._config.feeds import load_feeds, select_episodes
from companion._config.project import load_site
from companion._render.rss import render_feed

REPO = Path(__file__).resolve().parent.parent
LANGS = ["ka", "ar", "es", "en"]
CHAPTERS = {
    "ka": (Chapter(0, "შესავალი"), Chapter(95.5, "ღამის ცვლა")),
    "ar": (Chapter(0, "مقدمة"), Chapter(130, "الميناء & السوق")),
    "es": (Chapter(0, "Introducción"), Chapter(61.25, "La cosecha")),
    "en": (Chapter(0, "Intro"), Chapter(600, "Baku <arrival>")),
}


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site(REPO)


@pytest.fixture(scope="module")
def feeds(site: Site) -> dict[str, FeedDefinition]:
    return {f.slug: f for f in load_feeds(site).feeds}


def episodes_for(lang: str) -> list[Episode]:
    first = sample_episode(lang, chapters=CHAPTERS[lang])
    second = sample_episode(lang, slug=f"{first.slug}-2", guid=f"urn:companion:{lang}:2",
                            title=f"{first.title} 2", date=first.article.date.replace(
                                year=2026) if first.article.date else None)
    return [first, second]


def rendered(lang: str, site: Site, feeds: dict[str, FeedDefinition]) -> tuple[bytes,
                                                                                list[Episode]]:
    chosen = select_episodes(feeds[lang], episodes_for(lang) + episodes_for(
        "en" if lang != "en" else "ka"))
    return render_feed(show_for(feeds[lang], site), chosen, media_map(chosen)), chosen


@pytest.mark.parametrize("lang", LANGS)
def test_podcastparser(lang: str, site: Site, feeds: dict[str, FeedDefinition]) -> None:
    data, chosen = rendered(lang, site, feeds)
    parsed = podcastparser.parse(f"https://podcasts.example.org/{lang}/feed.xml",
                                 io.BytesIO(data))
    feed = feeds[lang]
    assert parsed["title"] == feed.title
    assert parsed["cover_url"].startswith("https://podcasts.example.org/artwork/")
    assert parsed["explicit"] is False
    assert parsed["type"] == "episodic"
    assert parsed["itunes_owner"] == {"name": "Caucasus Desk", "email": "podcasts@example.org"}
    # podcastparser 0.6 knows the podcast: namespace only under its old GitHub URI, not the
    # spec's https://podcastindex.org/namespace/1.0, so it skips podcast:* (funding, locked,
    # transcript, chapters); feedparser reads them (below), and nothing breaks here.
    assert "funding_url" not in parsed
    media = media_map(chosen)
    assert [e["guid"] for e in parsed["episodes"]] == [e.guid for e in chosen]
    for item, episode in zip(parsed["episodes"], chosen, strict=True):
        ref = media[episode.guid]
        assert item["title"] == episode.title
        assert item["total_time"] == round(ref.media.duration)
        assert item["enclosures"] == [{"url": ref.url, "file_size": ref.length,
                                       "mime_type": "audio/mpeg"}]
        assert item["link"] == ref.page_url
        assert item["published"] == int(episode.article.date.timestamp())  # type: ignore[union-attr]
        assert item["explicit"] is False
        assert item["description"] == episode.article.description
        titles = [c["title"] for c in item.get("chapters", [])]
        assert titles == [c.title for c in episode.chapters]
        starts = [c["start"] for c in item["chapters"]]
        assert starts == [int(c.start) for c in episode.chapters]


@pytest.mark.parametrize("lang", LANGS)
def test_feedparser(lang: str, site: Site, feeds: dict[str, FeedDefinition]) -> None:
    data, chosen = rendered(lang, site, feeds)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == feeds[lang].title
    assert parsed.feed.language == lang
    # feedparser 6 maps only yes/clean for itunes:explicit; Apple's true/false read as None
    assert parsed.feed.get("itunes_explicit") in (None, False)
    assert parsed.feed.podcast_funding == {"url": "https://example.org/support"}
    assert parsed.feed.podcast_locked == {"owner": "podcasts@example.org"}
    assert parsed.feed.podcast_guid
    media = media_map(chosen)
    assert [e.id for e in parsed.entries] == [e.guid for e in chosen]
    for entry, episode in zip(parsed.entries, chosen, strict=True):
        ref = media[episode.guid]
        assert entry.title == episode.title
        assert entry.itunes_duration == str(round(ref.media.duration))
        (enclosure,) = entry.enclosures
        assert (enclosure.href, int(enclosure.length), enclosure.type) == (
            ref.url, ref.length, "audio/mpeg")
        assert entry.content[0].value == ref.description_html
        assert entry.published_parsed is not None
        assert entry.link == ref.page_url
        # feedparser keeps the attributes of the last podcast:transcript / podcast:chapters
        assert entry.podcast_transcript == {
            "url": ref.transcripts[-1].url, "type": "application/x-subrip",
            "language": lang, "rel": "captions"}
        assert entry.podcast_chapters == {"url": ref.chapters_url,
                                          "type": "application/json+chapters"}
        assert entry.podcast_person == {"role": "host"}  # feedparser keeps attributes only
        chapters = entry.psc_chapters["chapters"]
        assert [c["title"] for c in chapters] == [c.title for c in episode.chapters]
        assert [c["start_parsed"].total_seconds() for c in chapters] == [
            c.start for c in episode.chapters]


NASTY = "Tom & Jerry <script>alert(1)</script> ]]>\x00\x07\x1b end"
CLEAN = "Tom & Jerry <script>alert(1)</script> ]]> end"


def test_untrusted_text_survives_both_parsers(site: Site,
                                              feeds: dict[str, FeedDefinition]) -> None:
    episode = sample_episode("en", title=NASTY, description=NASTY,
                             chapters=(Chapter(0, NASTY),))
    media = media_map([episode])
    media[episode.guid] = dataclasses.replace(media[episode.guid], description_text=NASTY,
                                              description_html=f"<p>{NASTY}</p>")
    data = render_feed(show_for(feeds["en"], site), [episode], media)
    parsed = podcastparser.parse("https://podcasts.example.org/en/feed.xml", io.BytesIO(data))
    (item,) = parsed["episodes"]
    assert item["title"] == CLEAN
    assert item["chapters"][0]["title"] == CLEAN
    # podcastparser reads <description> as HTML: the tags go, the words stay
    # <description> is read as HTML, so its plain text is HTML-escaped: shown, it is the text
    assert item["description"] == html.escape(CLEAN, quote=False)
    fp = feedparser.parse(data)
    assert fp.bozo == 0, fp.get("bozo_exception")
    (entry,) = fp.entries
    assert entry.title == CLEAN
    assert entry.psc_chapters["chapters"][0]["title"] == CLEAN
    # feedparser sanitizes HTML content: the script is gone, the text is still there
    assert "<script" not in entry.content[0].value
    assert entry.content[0].value == "<p>Tom & Jerry  ]]&gt; end</p>"
    assert entry.summary_detail.type == "text/html"
    assert entry.summary == html.escape(CLEAN, quote=False)


def test_markup_in_a_description_reaches_a_reader_as_text(
        site: Site, feeds: dict[str, FeedDefinition]) -> None:
    """feedparser says what it saw: HTML whose only markup is entities, nothing for its
    sanitizer to remove (before, it saw a <b> element and had to strip onmouseover)."""
    hostile = 'Read <b onmouseover="alert(1)">this</b> & that'
    feed = dataclasses.replace(feeds["en"], description=hostile)
    episode = sample_episode("en", description=hostile)
    media = media_map([episode])
    media[episode.guid] = dataclasses.replace(media[episode.guid], description_text=hostile)
    fp = feedparser.parse(render_feed(show_for(feed, site), [episode], media))
    assert fp.bozo == 0, fp.get("bozo_exception")
    for detail in (fp.entries[0].summary_detail, fp.feed.subtitle_detail):
        assert detail.type == "text/html"
        assert detail.value == html.escape(hostile, quote=False)  # onmouseover kept, as text
        shown = lxml.html.fragment_fromstring(detail.value, create_parent="div")
        assert shown.text_content() == hostile
        assert not shown.xpath("//b")
