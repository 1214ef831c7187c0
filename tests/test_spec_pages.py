"""The built example pages, checked as an accessibility/SEO validator would check them.

`<html lang>` and `dir`, one `<h1>` and headings in order, images with
dimensions and alt, Open Graph/Twitter/JSON-LD present and valid, canonical and
feed autodiscovery, nothing loaded from another host (the players are facades
that load on a click), and nothing that needs JavaScript to read or listen.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from companion import Site
from companion._build.result import BuildResult

BASE = "https://podcasts.example.org/"
EMBED_HOSTS = {"www.youtube-nocookie.com", "open.spotify.com"}
RTL = {"ar", "fa", "he", "ur"}


@pytest.fixture(scope="module")
def out(built_example: tuple[Site, BuildResult]) -> Path:
    return built_example[0].out_dir


def pages(out: Path) -> list[Path]:
    found = sorted(out.rglob("*.html"))
    assert len(found) >= 11
    return found


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_bytes())


def test_lang_and_direction(out: Path) -> None:
    for path in pages(out):
        doc = parse(path)
        lang = doc.get("lang") or ""
        assert lang, path
        primary = lang.split("-")[0]
        assert doc.get("dir") == ("rtl" if primary in RTL else "ltr"), path
    arabic = parse(out / "episodes" / "swq-alktb" / "index.html")
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    # Timestamps and sizes are isolated as left-to-right runs inside the mirrored page.
    stamps = arabic.xpath("//span[contains(@class, 'stamp')]")
    assert stamps
    assert all(s.get("dir") == "ltr" for s in stamps)


def test_stylesheet_mirrors_by_logical_properties(out: Path) -> None:
    css = (out / "assets" / "style.css").read_text(encoding="utf-8")
    for physical in ("margin-left", "margin-right", "padding-left", "padding-right",
                     "text-align: left", "text-align: right", "float: left", "float: right",
                     "border-left", "border-right"):
        assert physical not in css, physical


def test_one_h1_and_headings_in_order(out: Path) -> None:
    for path in pages(out):
        doc = parse(path)
        heads = doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")
        levels = [int(h.tag[1]) for h in heads]
        assert levels.count(1) == 1, path
        assert levels[0] == 1, path
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (path, levels)
        assert all(h.text_content().strip() for h in heads), path


def test_images_have_size_and_alt(out: Path) -> None:
    for path in pages(out):
        for img in parse(path).iter("img"):
            assert img.get("alt") is not None, path
            assert (img.get("width") or "").isdigit()
            assert (img.get("height") or "").isdigit()


def test_social_metadata(out: Path) -> None:
    for path in (out / "episodes").glob("*/index.html"):
        doc = parse(path)
        props = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
        names = {m.get("name"): m.get("content") for m in doc.xpath("//meta[@name]")}
        canonical = doc.xpath("//link[@rel='canonical']/@href")
        assert canonical == [f"{BASE}episodes/{path.parent.name}/"]
        assert props["og:url"] == canonical[0]
        for key in ("og:title", "og:type", "og:description", "og:site_name"):
            assert props.get(key), (path, key)
        assert names.get("twitter:card") in ("summary", "summary_large_image", "player")
        assert names.get("twitter:title")
        assert names.get("description")
        for key in ("og:image", "og:audio", "twitter:image", "twitter:player"):
            if props.get(key) or names.get(key):
                assert urlsplit(props.get(key) or names.get(key) or "").scheme == "https"
        blocks = doc.xpath("//script[@type='application/ld+json']")
        assert len(blocks) == 1
        data = json.loads(blocks[0].text)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "PodcastEpisode"
        assert data["url"] == canonical[0]
        assert data["inLanguage"] == doc.get("lang")
        assert data["name"] == doc.xpath("string(//h1)").strip()


def test_feed_autodiscovery(out: Path) -> None:
    for lang in ("en", "es", "ka", "ar"):
        for path in (out / lang / "index.html",):
            alts = parse(path).xpath("//link[@rel='alternate'][@type='application/rss+xml']")
            assert [a.get("href") for a in alts] == [f"{BASE}{lang}/feed.xml"]
            assert alts[0].get("title")
    for path in (out / "episodes").glob("*/index.html"):
        alts = parse(path).xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href")
        assert alts
        assert all(h.startswith(BASE) and h.endswith("/feed.xml") for h in alts)
    home = parse(out / "index.html")
    assert home.xpath("//link[@rel='alternate'][@type='application/rss+xml']")


def test_nothing_loads_from_another_host(out: Path) -> None:
    for path in pages(out):
        doc = parse(path)
        assert not doc.xpath("//iframe|//object|//embed"), path  # players wait for a click
        embeds = {urlsplit(src).netloc for src in doc.xpath("//@data-embed")}
        assert embeds <= EMBED_HOSTS, (path, embeds)
        loaded = doc.xpath("//img/@src|//img/@srcset|//script/@src|//link[@rel='stylesheet']"
                           "/@href|//source/@src|//audio/@src|//video/@src"
                           "|//link[@rel='preload']/@href|//link[contains(@rel, 'icon')]/@href")
        for url in (u for value in loaded for u in value.split(", ")):
            assert not urlsplit(url).netloc, (path, url)
        scripts = doc.xpath("//script[@src]/@src")
        assert all(urlsplit(src).path.endswith("assets/player.js") for src in scripts), path
        css = (out / "assets" / "style.css").read_text(encoding="utf-8")
        assert "@import" not in css
        assert "url(http" not in css


def test_works_without_javascript(out: Path) -> None:
    for path in (out / "episodes").glob("*/index.html"):
        doc = parse(path)
        # Everything to read and listen is in the markup, not produced by script.
        audio = doc.xpath("//audio[@controls]")
        assert audio, path
        sources = audio[0].xpath(".//source/@src")
        assert sources
        assert all(s.endswith((".mp3", ".m4a")) for s in sources)
        assert doc.xpath("//a[contains(@href, '/media/')][@download]"), "a plain download link"
        # hidden: only the controls the script brings to life (the native player stands in)
        hidden = {e.get("class") for e in doc.xpath("//*[@hidden]")}
        assert hidden <= {"controls", "transcript-search"}, (path, hidden)
        assert not doc.xpath("//noscript"), path
        for chapter in doc.xpath("//ol[@class='chapter-list']//a/@href"):
            assert chapter.startswith("#t="), path
        for facade in doc.xpath("//a[@data-embed]"):  # plain links to the video, the episode
            assert facade.get("href").startswith(("https://www.youtube.com/watch?v=",
                                                  "https://open.spotify.com/episode/"))
        inline = [s for s in doc.xpath("//script[not(@src)]")
                  if s.get("type") != "application/ld+json"]
        assert inline == [], path
        assert [s.get("defer") is not None for s in doc.xpath("//script[@src]")] == [True]


def test_internal_links_are_relative_and_resolve(out: Path) -> None:
    for path in pages(out):
        for href in parse(path).xpath("//a/@href|//link/@href|//img/@src|//source/@src"):
            if urlsplit(href).scheme or href.startswith("#"):
                continue
            target = (path.parent / urlsplit(href).path).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), (path, href)


def test_every_page_has_social_metadata_and_json_ld(out: Path) -> None:
    embeds = [p for p in pages(out) if p.parent.name == "embed"]
    assert embeds  # a player for other sites' frames: noindex, no cards of its own
    assert all(parse(p).xpath("//meta[@name='robots']/@content") == ["noindex"] for p in embeds)
    for path in (p for p in pages(out) if p not in embeds):
        doc = parse(path)
        canonical = doc.xpath("//link[@rel='canonical']/@href")
        assert len(canonical) == 1, path
        assert canonical[0].startswith(BASE), path
        props = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
        names = {m.get("name"): m.get("content") for m in doc.xpath("//meta[@name]")}
        assert props.get("og:url") == canonical[0], path
        assert props.get("og:title"), path
        assert names.get("twitter:card"), path
        assert names.get("twitter:title") == props["og:title"], path
        blocks = doc.xpath("//script[@type='application/ld+json']")
        assert len(blocks) == 1, path
        data = json.loads(blocks[0].text)
        assert data["@context"] == "https://schema.org", path
        assert data["url"] == canonical[0], path
        assert data["inLanguage"] == doc.get("lang"), path
