"""Archive-sized feeds (issue 16, item 5): `max_items` keeps the newest N items in the feed
and pages the rest into RFC 5005 archive documents that feedparser can follow; `check`
warns that Apple Podcasts and Spotify do not follow them, and about feeds too large."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
from lxml import etree

import companion
from companion import _paths
from companion._model import Episode, FeedDefinition, Person
from companion._render.rss import feed_files
from companion._render.rules import FEED_SIZE_WARNING, archive_problems, size_problems
from companion._site_model import Site
from tests._episodes import make_episode, media_for, show_for

SITE = Site(root=Path("/project"), title="Test", base_url="https://podcasts.example.org/")
FH = "http://purl.org/syndication/history/1.0"
ATOM = "http://www.w3.org/2005/Atom"
START = datetime(2000, 1, 1, tzinfo=UTC)


def feed(**changes: object) -> FeedDefinition:
    definition = FeedDefinition(
        slug="show", path=Path("/project/feeds/show.toml"), title="The Show",
        description="A show.", author="Desk", owner=Person("Desk", "podcasts@example.org"),
        language="en", artwork="https://cdn.example.org/show.jpeg",
        categories=(("News", None),))
    return dataclasses.replace(definition, **changes)  # type: ignore[arg-type]


def episodes(count: int) -> list[Episode]:
    """`count` episodes, one a day, the oldest first (no chapters: the items stay small)."""
    return [make_episode(f"ep-{n:05d}", guid=f"guid-{n:05d}", chapters=(), transcripts=(),
                         date=START + timedelta(days=n)) for n in range(count)]


def documents(count: int, limit: int | None) -> dict[str, bytes]:
    found = episodes(count)
    files = feed_files(show_for(feed(max_items=limit), SITE), found,
                       {e.guid: media_for(e) for e in found})
    return {f.path: f.data or b"" for f in files}


def follow(files: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """Read the feed with feedparser, then each archive page its ``prev-archive`` links lead
    to, as an RFC 5005 client does; returns (every entry's GUID, the documents read)."""
    url = "https://podcasts.example.org/show/feed.xml"
    guids: list[str] = []
    read: list[str] = []
    while url:
        path = url.removeprefix(SITE.base_url)
        assert path not in read, f"a loop of archive links at {path}"
        read.append(path)
        parsed = feedparser.parse(files[path])
        assert not parsed.bozo, parsed.bozo_exception
        guids += [entry.id for entry in parsed.entries]
        prev = [link.href for link in parsed.feed.links if link.rel == "prev-archive"]
        url = prev[0] if prev else ""
    return guids, read


def test_ten_thousand_episodes_page_into_archives_that_feedparser_follows() -> None:
    files = documents(10_000, 300)
    main = etree.fromstring(files["show/feed.xml"])
    assert len(main.findall("channel/item")) == 300
    assert main.find(f"channel/{{{FH}}}archive") is None  # the subscription feed is not one
    assert len(files["show/feed.xml"]) < 400_000
    pages = sorted(p for p in files if p != "show/feed.xml")
    assert len(pages) == 33  # 9,700 older episodes, 300 a page, the newest page 100
    guids, read = follow(files)
    assert len(read) == 34
    assert len(guids) == len(set(guids)) == 10_000
    assert guids[:2] == ["guid-09999", "guid-09998"]  # newest first, page after page
    assert guids[-1] == "guid-00000"
    for path in pages:
        root = etree.fromstring(files[path]).find("channel")
        assert root.find(f"{{{FH}}}archive") is not None
        links = {link.get("rel"): link.get("href") for link in root.findall(f"{{{ATOM}}}link")}
        assert links["current"] == "https://podcasts.example.org/show/feed.xml"
        assert links["self"] == f"https://podcasts.example.org/{path}"


def test_the_oldest_archive_pages_stay_as_they_are_when_episodes_are_added() -> None:
    """Page 1 holds the oldest 300, page 2 the next 300...: a new episode changes the feed and
    the newest archive page, never a full page."""
    before, after = documents(1_000, 300), documents(1_001, 300)
    assert sorted(before) == sorted(after) == ["show/archive/1.xml", "show/archive/2.xml",
                                               "show/archive/3.xml", "show/feed.xml"]
    changed = sorted(p for p in before if before[p] != after[p])
    assert changed == ["show/archive/3.xml", "show/feed.xml"]
    more = documents(1_100, 300)
    assert more["show/archive/1.xml"] == before["show/archive/1.xml"]
    assert more["show/archive/2.xml"] == before["show/archive/2.xml"]


def test_without_max_items_there_are_no_archive_pages() -> None:
    files = documents(400, None)
    assert list(files) == ["show/feed.xml"]
    root = etree.fromstring(files["show/feed.xml"])
    assert len(root.findall("channel/item")) == 400
    assert not root.xpath("//atom:link[@rel='prev-archive']", namespaces={"atom": ATOM})


def test_archive_and_size_warnings() -> None:
    [warning] = archive_problems(feed(max_items=300), 10_000, "feeds/show.toml")
    assert warning.severity == "warning"
    assert "Apple Podcasts and Spotify" in warning.message
    assert "9700" in warning.message
    assert archive_problems(feed(max_items=300), 300, "feeds/show.toml") == []
    assert archive_problems(feed(), 10_000, "feeds/show.toml") == []
    [big] = size_problems(feed(), FEED_SIZE_WARNING + 1, 5_000, "feeds/show.toml")
    assert "max_items" in (big.fix or "")
    assert size_problems(feed(), FEED_SIZE_WARNING, 5_000, "feeds/show.toml") == []


ARTICLE = """---
title: Episode {n}
lang: en
date: {date}
audio: media/tone.mp3
---

The harbour, day {n}.
"""
FEED = ('title = "Show"\ndescription = "d"\nauthor = "a"\nlanguage = "en"\n'
        'max_items = {limit}\n[owner]\nname = "o"\nemail = "o@example.org"\n')


def test_a_build_writes_only_the_pages_that_changed(make_project: Callable[..., Path],
                                                    tmp_path: Path) -> None:
    """Through the engine: a project of 25 episodes, max_items 10; a new episode rewrites the
    feed and the newest archive page only; `check` warns about the archive."""
    from tests._groups import require
    from tests._media import sine

    require("media", "ffmpeg")
    files: dict[str, str | bytes] = {
        f"episodes/2025-01-{n:02d}-ep-{n}.md": ARTICLE.format(n=n, date=f"2025-01-{n:02d}")
        for n in range(1, 26)}
    files["media/tone.mp3"] = sine(tmp_path / "tone.mp3", 1.0).read_bytes()
    files["feeds/show.toml"] = FEED.format(limit=10)
    project = make_project(files)
    proj = companion.load_project(project)
    result = proj.build(jobs=1)
    assert not [p for p in result.problems if p.severity == "error"], result.problems
    out = proj.site.out_dir
    names = ["show/feed.xml", *(_paths.feed_archive("show", n) for n in (1, 2))]
    before = {name: (out / name).read_bytes() for name in names}
    assert len(etree.fromstring(before["show/feed.xml"]).findall("channel/item")) == 10
    (project / "episodes" / "2025-01-26-ep-26.md").write_text(
        ARTICLE.format(n=26, date="2025-01-26"), encoding="utf-8")
    proj.build(jobs=1)
    after = {name: (out / name).read_bytes() for name in names}
    assert [n for n in names if before[n] != after[n]] == ["show/feed.xml",
                                                           "show/archive/2.xml"]
    checked = proj.check()
    assert [p for p in checked.problems if p.field == "max_items"]
