"""The built example feeds, checked as an independent validator would check them.

Apple Podcasts' RSS requirements, the Podcast Index `podcast:` namespace
(guid, locked, transcript, chapters + the JSON chapters format 1.2.0, person,
funding, medium, season, episode) and RSS 2.0 itself: every rule here is one a
directory or a validator applies to a real feed, run on the real build of the
bundled example project.
"""

from __future__ import annotations

import json
import re
import struct
import uuid
from collections import Counter
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from companion import Site
from companion._build.result import BuildResult
from companion._config.categories import APPLE_CATEGORIES

BASE = "https://podcasts.example.org/"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
PODCAST_INDEX_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
LANGS = ("en", "es", "ka", "ar")
# RFC 822 as RSS 2.0 uses it (four-digit years, numeric zone).
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


@pytest.fixture(scope="module")
def out(built_example: tuple[Site, BuildResult]) -> Path:
    site, result = built_example
    assert [p for p in result.problems if p.severity == "error"] == []
    return site.out_dir


def channel(out: Path, lang: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring((out / lang / "feed.xml").read_bytes(), parser)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    chans = root.findall("channel")
    assert len(chans) == 1
    return chans[0]


def local(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    path = out / url.removeprefix(BASE)
    assert path.is_file(), url
    return path


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG; asserts it is RGB (Apple: "RGB colorspace")."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = struct.unpack(">II", data[16:24])
        assert data[25] in (2, 6), f"PNG colour type {data[25]} is not RGB"
        return int(width), int(height)
    assert data.startswith(b"\xff\xd8"), "artwork is neither PNG nor JPEG"
    i = 2
    while i < len(data):
        assert data[i] == 0xFF
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            assert data[i + 9] == 3, f"JPEG with {data[i + 9]} components is not RGB"
            return int(width), int(height)
        i += 2 + length
    raise AssertionError("no SOF marker in JPEG")


def text_of(elem: etree._Element, path: str) -> str:
    found = elem.findall(path, NS)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0].text or ""


@pytest.mark.parametrize("lang", LANGS)
def test_channel_meets_apple_requirements(out: Path, lang: str) -> None:
    ch = channel(out, lang)
    assert text_of(ch, "title").strip()
    assert text_of(ch, "description").strip()
    assert len(text_of(ch, "description")) <= 4000
    assert text_of(ch, "language") == lang
    assert text_of(ch, "itunes:author").strip()
    assert text_of(ch, "itunes:explicit") in ("true", "false")
    assert text_of(ch, "itunes:type") in ("episodic", "serial")
    owner = ch.findall("itunes:owner", NS)
    assert len(owner) == 1
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", text_of(owner[0], "itunes:email"))
    assert text_of(ch, "link").startswith(BASE)
    images = ch.findall("itunes:image", NS)
    assert len(images) == 1
    href = images[0].get("href") or ""
    assert href.endswith((".jpg", ".png"))
    width, height = image_size(local(out, href).read_bytes())
    assert width == height, (href, width, height)
    assert 1400 <= width <= 3000, (href, width, height)
    cats = ch.findall("itunes:category", NS)
    assert cats
    for cat in cats:
        top = cat.get("text")
        assert top in APPLE_CATEGORIES, top
        for sub in cat.findall("itunes:category", NS):
            assert sub.get("text") in APPLE_CATEGORIES[top], (top, sub.get("text"))
            assert not sub.findall("itunes:category", NS)


@pytest.mark.parametrize("lang", LANGS)
def test_rss_2_channel(out: Path, lang: str) -> None:
    ch = channel(out, lang)
    # RSS 2.0: no channel element that may occur once occurs twice.
    once = {"title", "link", "description", "language", "copyright", "lastBuildDate", "pubDate",
            "generator", "docs", "image", "ttl", f"{{{NS['itunes']}}}author",
            f"{{{NS['itunes']}}}explicit", f"{{{NS['itunes']}}}type",
            f"{{{NS['itunes']}}}summary", f"{{{NS['podcast']}}}guid",
            f"{{{NS['podcast']}}}locked", f"{{{NS['podcast']}}}medium"}
    counts = Counter(child.tag for child in ch if isinstance(child.tag, str))
    assert {tag: n for tag, n in counts.items() if tag in once and n > 1} == {}
    for name in ("lastBuildDate", "pubDate"):
        for elem in ch.findall(name):
            assert RFC822.match(elem.text or ""), elem.text
    selfs = [a for a in ch.findall("atom:link", NS) if a.get("rel") == "self"]
    assert len(selfs) == 1
    assert selfs[0].get("href") == f"{BASE}{lang}/feed.xml"
    assert selfs[0].get("type") == "application/rss+xml"
    image = ch.find("image")
    if image is not None:
        assert text_of(image, "url") == ch.find("itunes:image", NS).get("href")  # type: ignore[union-attr]
        assert text_of(image, "title") == text_of(ch, "title")
        assert text_of(image, "link") == text_of(ch, "link")


@pytest.mark.parametrize("lang", LANGS)
def test_podcast_namespace_channel(out: Path, lang: str) -> None:
    ch = channel(out, lang)
    bare = f"{BASE}{lang}/feed.xml".split("://", 1)[1].rstrip("/")
    guid = text_of(ch, "podcast:guid")
    assert guid == str(uuid.uuid5(PODCAST_INDEX_NAMESPACE, bare))
    assert uuid.UUID(guid).version == 5
    locked = ch.find("podcast:locked", NS)
    assert locked is not None
    assert locked.text in ("yes", "no")
    assert locked.get("owner") == text_of(ch, "itunes:owner/itunes:email")
    assert text_of(ch, "podcast:medium") in (
        "podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "courses")
    for funding in ch.findall("podcast:funding", NS):
        url = funding.get("url") or ""
        assert urlsplit(url).scheme == "https"
        assert urlsplit(url).netloc
        assert (funding.text or "").strip()
        assert len(funding.text or "") <= 128


def items(out: Path) -> list[tuple[str, etree._Element]]:
    return [(lang, item) for lang in LANGS for item in channel(out, lang).findall("item")]


def test_every_feed_has_items(out: Path) -> None:
    counts = Counter(lang for lang, _ in items(out))
    assert all(counts[lang] >= 1 for lang in LANGS), counts


def test_items_meet_apple_and_rss_requirements(out: Path) -> None:
    guids: list[str] = []
    for lang, item in items(out):
        where = f"{lang}: {item.findtext('title')}"
        assert text_of(item, "title").strip(), where
        assert text_of(item, "itunes:title") == text_of(item, "title"), where
        description = text_of(item, "description")
        assert description.strip(), where
        assert len(description) <= 4000, where
        assert text_of(item, "link").startswith(BASE), where
        guid = item.findall("guid")
        assert len(guid) == 1, where
        assert (guid[0].text or "").strip(), where
        if guid[0].get("isPermaLink", "true") == "true":
            assert urlsplit(guid[0].text or "").scheme in ("http", "https"), where
        guids.append(guid[0].text or "")
        pub = text_of(item, "pubDate")
        assert RFC822.match(pub), (where, pub)
        assert parsedate_to_datetime(pub).tzinfo is not None
        duration = text_of(item, "itunes:duration")
        assert re.fullmatch(r"\d+|(\d+:)?\d{1,2}:\d{2}", duration), (where, duration)
        assert int(duration.split(":")[0]) > 0 or ":" in duration, where
        assert text_of(item, "itunes:explicit") in ("true", "false"), where
        assert text_of(item, "itunes:episodeType") in ("full", "trailer", "bonus"), where
        counts = Counter(child.tag for child in item if isinstance(child.tag, str))
        doubles = {t: n for t, n in counts.items() if n > 1 and t not in {
            f"{{{NS['podcast']}}}transcript", f"{{{NS['podcast']}}}person",
            f"{{{NS['podcast']}}}alternateEnclosure", f"{{{NS['podcast']}}}location"}}
        assert doubles == {}, where
        for name in ("season", "episode"):
            it = item.findall(f"itunes:{name}", NS)
            pi = item.findall(f"podcast:{name}", NS)
            if it:
                assert re.fullmatch(r"[1-9]\d*", it[0].text or ""), where
            if pi:
                assert re.fullmatch(r"\d+(\.\d+)?", pi[0].text or ""), where
                assert it, where
                assert float(pi[0].text or "") == float(it[0].text or ""), where
    assert len(guids) == len(set(guids)), "GUIDs repeat across feeds"


def test_enclosures_are_exact(out: Path) -> None:
    for lang, item in items(out):
        enclosures = item.findall("enclosure")
        assert len(enclosures) == 1, lang
        enc = enclosures[0]
        path = local(out, enc.get("url") or "")
        assert int(enc.get("length") or "-1") == path.stat().st_size
        head = path.read_bytes()[:12]
        kind = enc.get("type")
        if kind == "audio/mpeg":
            assert path.suffix == ".mp3"
            assert head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
        else:
            assert kind in ("audio/mp4", "audio/x-m4a", "audio/aac", "audio/ogg", "audio/opus")


def test_episode_artwork_is_a_jpeg_or_png_url(out: Path) -> None:
    for _, item in items(out):
        for image in item.findall("itunes:image", NS):
            href = image.get("href") or ""
            assert urlsplit(href).scheme == "https"
            assert urlsplit(href).path.lower().endswith((".jpg", ".jpeg", ".png")), href
            if href.startswith(BASE):  # published by us: Apple's rules for show art apply
                width, height = image_size(local(out, href).read_bytes())
                assert width == height, (href, width, height)
                assert 1400 <= width <= 3000, (href, width, height)


def test_transcripts(out: Path) -> None:
    kinds = {"text/vtt", "application/x-subrip", "application/srt", "text/html",
             "text/plain", "application/json"}
    seen = 0
    for lang, item in items(out):
        for tr in item.findall("podcast:transcript", NS):
            seen += 1
            assert tr.get("type") in kinds
            assert tr.get("language") == lang
            assert tr.get("rel") in (None, "captions")
            path = local(out, tr.get("url") or "")
            data = path.read_text(encoding="utf-8")
            if tr.get("type") == "text/vtt":
                assert data.startswith("WEBVTT")
                assert path.suffix == ".vtt"
            else:
                assert re.match(r"1\r?\n\d{2}:\d{2}:\d{2},\d{3} --> ", data)
    assert seen >= 4


def test_chapters_json_follows_the_spec(out: Path) -> None:
    seen = 0
    for _, item in items(out):
        for ch in item.findall("podcast:chapters", NS):
            seen += 1
            assert ch.get("type") == "application/json+chapters"
            doc = json.loads(local(out, ch.get("url") or "").read_bytes())
            assert isinstance(doc, dict)
            assert doc["version"] == "1.2.0"
            allowed = {"version", "chapters", "author", "title", "podcastName", "description",
                       "fileName", "waypoints"}
            assert set(doc) <= allowed, set(doc) - allowed
            chapters = doc["chapters"]
            assert isinstance(chapters, list)
            assert chapters
            starts = []
            duration = int(text_of(item, "itunes:duration"))
            for chapter in chapters:
                assert set(chapter) <= {"startTime", "endTime", "title", "img", "url", "toc",
                                        "location"}
                assert isinstance(chapter["startTime"], int | float)
                assert not isinstance(chapter["startTime"], bool)
                assert 0 <= chapter["startTime"] <= duration
                if "endTime" in chapter:
                    assert chapter["endTime"] > chapter["startTime"]
                    assert chapter["endTime"] <= duration + 1
                if "title" in chapter:
                    assert isinstance(chapter["title"], str)
                    assert chapter["title"].strip()
                for key in ("img", "url"):
                    if key in chapter:
                        assert urlsplit(chapter[key]).scheme in ("http", "https")
                starts.append(chapter["startTime"])
            assert starts == sorted(starts)
            assert len(set(starts)) == len(starts)
    assert seen >= 3


def test_persons(out: Path) -> None:
    for _, item in items(out):
        for person in item.findall("podcast:person", NS):
            assert (person.text or "").strip()
            assert len(person.text or "") <= 128
            role = person.get("role", "host")
            assert role.lower() == role
            for key in ("href", "img"):
                if person.get(key):
                    assert urlsplit(person.get(key) or "").scheme in ("http", "https")


def test_links_are_absolute(out: Path) -> None:
    for lang in LANGS:
        root = etree.parse(str(out / lang / "feed.xml")).getroot()
        for elem in root.iter():
            if not isinstance(elem.tag, str):
                continue
            for attr in ("href", "url"):
                value = elem.get(attr)
                if value is not None:
                    assert urlsplit(value).scheme in ("http", "https"), (elem.tag, value)
            if elem.tag in ("link", "url"):
                assert urlsplit(elem.text or "").scheme in ("http", "https")


def test_content_encoded_is_html_without_script(out: Path) -> None:
    import lxml.html

    for _, item in items(out):
        html = text_of(item, "content:encoded")
        frag = lxml.html.fragment_fromstring(html, create_parent="div")
        assert not frag.xpath("//script|//iframe|//@*[starts-with(name(), 'on')]")
