"""The Georgian seed article end to end: 35 sources, tracking parameters, byte limits.

The seed is read from ../shared/seeds (never copied into the repository) into a copy
of the example project, dated by its file name and paired with a cached video written
here: yt-dlp's metadata, audio (the example's own files), captions with YouTube's
``Language:`` header line and a long cue, and the Spotify oEmbed record.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

import companion
from companion._cli.main import main
from tests.conftest import copy_example, seeds_or_skip

VIDEO = "02el3F-AjQw"
SPOTIFY = "4XgHKQm17uIi39qzDIrs99"
SLUG = "azerbaijan-russia"
TRACKERS = ("utm_", "fbclid", "si=", "ab_channel")
TEXT_FILES = (".html", ".xml", ".json", ".vtt", ".srt", ".txt", ".css")

INFO = {
    "id": VIDEO, "title": "აზერბაიჯანი, რუსეთი და კავკასია — ვიდეო", "duration": 1501,
    "description": (
        "ვიდეო აზერბაიჯანისა და რუსეთის ურთიერთობაზე.\n\n"
        "0:00 შესავალი\n1:35 ისტორია\n6:50 ენერგეტიკა\n14:50 ისრაელი და ირანი\n"
        "22:00 დასკვნა\n\n"
        "გამოგვიწერეთ: https://www.facebook.com/caucasusdesk?fbclid=IwAR0xyz&ref=share\n"
        "Telegram: https://t.me/caucasusdesk?utm_source=youtube&utm_medium=description"),
    "upload_date": "20250720", "timestamp": 1752998400, "channel": "FYI Georgia",
    "channel_url": "https://www.youtube.com/channel/UCq7cDesk0Example0Audio1",
    "webpage_url": f"https://www.youtube.com/watch?v={VIDEO}", "uploader": "FYI Georgia",
    "extractor": "youtube", "extractor_key": "Youtube", "tags": ["აზერბაიჯანი", "რუსეთი"],
    "chapters": [{"start_time": s, "end_time": e, "title": t} for s, e, t in (
        (0.0, 95.0, "შესავალი"), (95.0, 410.0, "ისტორია"), (410.0, 890.0, "ენერგეტიკა"),
        (890.0, 1320.0, "ისრაელი და ირანი"), (1320.0, 1501.0, "დასკვნა"))],
    "subtitles": {"ka": [{"ext": "vtt"}]}, "automatic_captions": {}, "thumbnails": [],
}
CAPTIONS = ("WEBVTT\nLanguage: ka\n\n00:00:00.000 --> 00:00:09.500\n"
            "ამ ეპიზოდში ვსაუბრობთ აზერბაიჯანისა და რუსეთის ურთიერთობაზე, "
            "ენერგეტიკაზე და რეგიონის ახალ რეალობაზე.\n\n"
            "00:00:09.500 --> 00:00:12.000\nგამარჯობა.\n")


def _cache_the_video(project: Path) -> None:
    cache = project / "cache"
    (cache / "youtube" / f"{VIDEO}.info.json").write_text(
        json.dumps(INFO, ensure_ascii=False, indent=2), encoding="utf-8")
    audio = json.loads((cache / "audio" / "youtube-Xk3mT9aPq2E.json").read_text("utf-8"))
    audio["source"] = f"youtube:{VIDEO}"
    (cache / "audio" / f"youtube-{VIDEO}.json").write_text(json.dumps(audio), "utf-8")
    (cache / "transcripts" / f"{VIDEO}.ka.vtt").write_text(CAPTIONS, encoding="utf-8")
    (cache / "transcripts" / f"{VIDEO}.ka.srt").write_text("", encoding="utf-8")
    (cache / "transcripts" / f"{VIDEO}.json").write_text(json.dumps(
        {"id": VIDEO, "transcripts": [{"lang": "ka", "automatic": False}]}), "utf-8")
    (cache / "spotify" / f"{SPOTIFY}.json").write_text(json.dumps({
        "title": "აზერბაიჯანი, რუსეთი და კავკასია — ვიდეო", "type": "rich", "version": "1.0",
        "provider_name": "Spotify",
        "iframe_url": f"https://open.spotify.com/embed/episode/{SPOTIFY}?utm_source=oembed",
        "thumbnail_url": "https://image-cdn-ak.spotifycdn.com/image/ab67656300000ka"}),
        "utf-8")


@pytest.fixture(scope="module")
def seed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (seed,) = seeds_or_skip("000_*.txt")
    project = copy_example(tmp_path_factory.mktemp("seed") / "project")
    shutil.copy(seed, project / "episodes" / f"2025-07-20-{SLUG}.md")
    _cache_the_video(project)
    built = companion.load_project(project).build(jobs=1)
    assert [p for p in built.problems if p.severity == "error"] == []
    return project


def _sources(html: str) -> list[tuple[str, str]]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    (heading,) = [h for h in root.iter("h2") if h.text_content() == "წყაროები"]
    items = heading.getnext().findall("li")
    return [(li.find("a").get("href"), li.find("a").text_content()) for li in items]


def test_all_35_sources_in_order_on_the_page_and_in_content_encoded(seed_project: Path) -> None:
    project = companion.load_project(seed_project)
    article = next(a for a in project.check().articles if a.slug == SLUG)
    expected = [link.url for link in article.links]
    assert len(expected) == len(set(expected)) == 35
    page = (project.site.out_dir / "episodes" / SLUG / "index.html").read_text("utf-8")
    root = lxml.html.fromstring(page)
    on_page = [(a.get("href"), a.text_content().strip())
               for a in root.xpath("//ol[@class='source-list']/li/a")]
    feed = etree.parse(str(project.site.out_dir / "ka" / "feed.xml"))
    (item,) = [i for i in feed.iter("item") if SLUG in i.findtext("link")]
    encoded = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    for found in (on_page, _sources(encoded)):
        assert [href for href, _text in found] == expected
        assert all(text and not text.startswith("http") for _href, text in found)


def test_no_tracking_parameter_anywhere_in_the_build(seed_project: Path) -> None:
    out = companion.load_project(seed_project).site.out_dir
    files = [p for p in out.rglob("*") if p.suffix in TEXT_FILES]
    assert any(SLUG in str(p) for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        for tracker in TRACKERS:
            assert tracker not in text, (path, tracker)


def test_the_feed_description_fits_apple_and_says_what_it_left_out(seed_project: Path) -> None:
    project = companion.load_project(seed_project)
    feed = etree.parse(str(project.site.out_dir / "ka" / "feed.xml"))
    (item,) = [i for i in feed.iter("item") if SLUG in i.findtext("link")]
    description = item.findtext("description")
    assert len(description.encode("utf-8")) <= 4000  # as it stands in the feed (escaped)
    last = description.rstrip().splitlines()[-1]
    page = project.site.episode_url(SLUG)
    match = re.fullmatch(r"და კიდევ (\d+) წყარო: (\S+)", last)
    assert match, last
    assert match.group(2) == page
    kept = [line for line in description.splitlines() if line.startswith("- ")]
    assert len(kept) + int(match.group(1)) == 35
    assert "კავკასიის მაგიდა (RSS არხი): https://podcasts.example.org/ka/feed.xml" in description


def test_notes_for_youtube_fit_5000_bytes_without_angle_brackets(
        seed_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(seed_project), "notes", SLUG, "--for", "youtube"]) == 0
    captured = capsys.readouterr()
    text = captured.out
    assert 4000 < len(text.encode("utf-8")) <= 5000
    assert "<" not in text
    assert ">" not in text
    assert "00:00 შესავალი\n01:35 ისტორია" in text  # YouTube takes these chapters
    assert re.search(r"; \d+ sources? left out", captured.err)
    written = seed_project / ".companion" / "notes" / SLUG / "youtube.txt"
    assert written.read_text(encoding="utf-8") == text  # the build wrote the same text


def test_check_warns_that_the_texts_were_cut(seed_project: Path) -> None:
    result = companion.load_project(seed_project).check()
    cut = [p for p in result.problems if p.field == "notes" and SLUG in p.where]
    assert {p.severity for p in cut} == {"warning"}
    assert any("YouTube description" in p.message and "5,000 bytes" in p.message for p in cut)
    assert any("feed description" in p.message and "4,000 bytes" in p.message for p in cut)
