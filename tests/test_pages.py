"""Landing pages built from hand-made episodes: structure, metadata, safety, overrides."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest

from companion import Chapter, Episode, Link, RenderError, Site, _paths
from companion._render.pages import PageRenderer, json_ld, newest_first
from companion._render.shownotes import show_notes
from tests._browser import (
    BASE_URL,
    SampleSite,
    article,
    build_sample_site,
    sample_episodes,
    sample_feeds,
    youtube,
)
from tests._episodes import page_for, show_for
from tests.conftest import seeds_or_skip

KA, AR, EN = "2025-07-20-azerbaijan-russia", "2025-09-10-caspian-ports", "2025-09-25-night-trains"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSite:
    return build_sample_site(tmp_path_factory.mktemp("pages") / "out")


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def meta(doc: lxml.html.HtmlElement, prop: str) -> list[str]:
    found = doc.xpath(f'//meta[@property="{prop}" or @name="{prop}"]/@content')
    return [str(v) for v in found]


def ld(doc: lxml.html.HtmlElement) -> dict[str, object]:
    (script,) = doc.xpath('//script[@type="application/ld+json"]')
    data = json.loads(script.text)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(("slug", "lang", "direction"), [
    (KA, "ka", "ltr"), (AR, "ar", "rtl"), (EN, "en", "ltr")])
def test_episode_page_structure(sample: SampleSite, slug: str, lang: str,
                                direction: str) -> None:
    doc = parse(sample.pages[slug])
    assert doc.get("lang") == lang
    assert doc.get("dir") == direction
    assert len(doc.xpath("//h1")) == 1
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in pairwise(levels))
    for landmark in ("header", "nav", "main", "footer"):
        assert doc.xpath(f"//{landmark}"), landmark
    skip = doc.xpath("//body/*[1]")[0]
    assert skip.tag == "a"
    assert skip.get("href") == "#main"
    assert doc.xpath('//main[@id="main"]')
    assert doc.xpath('//meta[@name="viewport"]')
    (style,) = doc.xpath('//link[@rel="stylesheet"]/@href')
    assert re.fullmatch(r"\.\./\.\./assets/style\.css\?v=[0-9a-f]{10}", style)
    assert doc.xpath('//link[@rel="canonical"]/@href') == [f"{BASE_URL}episodes/{slug}/"]


def test_episode_page_media(sample: SampleSite) -> None:
    doc = parse(sample.pages[KA])
    (audio,) = doc.xpath("//audio")
    assert audio.get("controls") is not None
    assert audio.get("preload") == "none"
    (source,) = audio.xpath("source")
    assert source.get("type") == "audio/mpeg"
    assert (sample.pages[KA].parent / source.get("src")).resolve().is_file()
    (img,) = doc.xpath('//img[contains(@class, "picture")]')
    assert (img.get("width"), img.get("height")) == ("300", "300")
    # YouTube and Spotify are facades: plain links, our own picture, nothing of theirs loaded
    assert doc.xpath("//iframe") == []
    (video,) = doc.xpath('//a[contains(@class, "facade youtube")]')
    assert video.get("href") == "https://www.youtube.com/watch?v=02el3F-AjQw"
    assert video.get("data-embed") == \
        "https://www.youtube-nocookie.com/embed/02el3F-AjQw?autoplay=1"
    assert not urlsplit(video.xpath("img/@src")[0]).netloc
    (spotify,) = doc.xpath('//a[contains(@class, "facade spotify")]')
    assert spotify.get("href") == "https://open.spotify.com/episode/4XgHKQm17uIi39qzDIrs99"
    assert spotify.get("data-embed") == \
        "https://open.spotify.com/embed/episode/4XgHKQm17uIi39qzDIrs99"
    notes = [p.text_content() for p in doc.xpath('//p[@class="facade-note"]')]
    assert any("open.spotify.com" in n for n in notes)
    assert any("youtube-nocookie.com" in n for n in notes)


def test_player_knows_its_length_before_it_plays(sample: SampleSite) -> None:
    doc = parse(sample.pages[EN])
    (player,) = doc.xpath('//section[@class="player"]')
    assert player.get("data-duration") == "3.000"
    assert player.xpath('.//span[@class="total"]/text()') == ["0:03"]
    speeds = player.xpath(".//select/option/@value")
    assert speeds == ["0.75", "1", "1.25", "1.5", "1.75", "2"]
    assert player.xpath('.//button[@data-skip="-15"]')
    assert player.xpath('.//button[@data-skip="30"]')
    assert player.xpath('.//div[@class="controls"]/@hidden') == [""]  # shown by the script


def test_episode_page_chapters_sources_transcript(sample: SampleSite) -> None:
    doc = parse(sample.pages[AR])
    chapter_links = doc.xpath('//ol[@class="chapter-list"]//a')
    assert [a.get("href") for a in chapter_links] == ["#t=0", "#t=15", "#t=30"]
    assert "الموانئ" in chapter_links[1].text_content()
    assert "chapters.json" not in doc.xpath("string(//main)")  # a file for apps, not people
    sources = doc.xpath('//ol[@class="source-list"]/li/a')
    assert [a.get("href") for a in sources] == ["https://port.example.az/report"]
    assert sources[0].get("rel") == "noopener"
    assert doc.xpath('//ol[@class="source-list"]/li/span[@class="domain"]/text()') == [
        "port.example.az"]
    cues = doc.xpath('//div[@class="cues"]/p')
    assert cues[0].text_content().strip() == "00:00 First cue <b>not bold</b>"
    assert [c.get("data-end") for c in cues] == ["5", "20"]
    assert doc.xpath('//div[@class="cues"]//b') == []  # cue text escaped
    assert doc.xpath("//details") == []  # the heading is not repeated as an expander
    (files,) = doc.xpath('//p[@class="transcript-files"]')
    assert files.xpath("a/@href") == [f"../../episodes/{AR}/transcript.ar.vtt"]
    assert files.xpath("a/text()") == ["WebVTT"]
    assert "(ar" not in files.text_content()
    assert doc.xpath('//script[@src][contains(@src, "assets/player.js")]')


def test_episode_page_metadata(sample: SampleSite) -> None:
    doc = parse(sample.pages[KA])
    assert meta(doc, "og:type") == ["article"]
    assert meta(doc, "og:audio")[0].startswith(f"{BASE_URL}media/")
    assert meta(doc, "og:video") == ["https://www.youtube.com/watch?v=02el3F-AjQw"]
    assert meta(doc, "og:image")[0].startswith(f"{BASE_URL}artwork/")
    assert meta(doc, "twitter:card") == ["player"]
    assert doc.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href') == [
        f"{BASE_URL}ka/feed.xml"]
    data = ld(doc)
    assert data["@type"] == "PodcastEpisode"
    assert data["name"] == "როგორ გაუთამამდა აზერბაიჯანი რუსეთს"
    media_types = [m["@type"] for m in data["associatedMedia"]]  # type: ignore[attr-defined]
    assert media_types == ["AudioObject", "VideoObject"]
    series = data["partOfSeries"]
    assert series == [{"@type": "PodcastSeries", "name": "კავკასიის მაგიდა",
                       "url": f"{BASE_URL}ka/", "webFeed": f"{BASE_URL}ka/feed.xml"}]


def test_georgian_page_speaks_georgian(sample: SampleSite) -> None:
    doc = parse(sample.pages[KA])
    headings = doc.xpath("//h2/text()")
    assert "წყაროები" in headings
    assert "თავები" in headings
    assert doc.xpath("//time/text()") == ["20 ივლისი, 2025", "40 წამი"]  # the length in words
    assert doc.xpath("//time/@datetime") == ["2025-07-20", "PT40S"]
    assert doc.xpath('//a[@class="skip-link"]/text()') == ["მთავარ შინაარსზე გადასვლა"]


def test_english_title_is_escaped(sample: SampleSite) -> None:
    raw = sample.pages[EN].read_text(encoding="utf-8")
    assert "Night trains &lt;return&gt;" in raw
    assert "<return>" not in raw


def test_feed_index(sample: SampleSite) -> None:
    doc = parse(sample.pages["ka"])
    assert doc.get("lang") == "ka"
    assert doc.xpath("//h1/text()") == ["კავკასიის მაგიდა"]
    links = doc.xpath('//ol[@class="episode-list"]//a/@href')
    assert links == [f"../episodes/{KA}/index.html"]
    assert (sample.pages["ka"].parent / links[0]).resolve().is_file()
    apps = doc.xpath('//section[@class="subscribe"]//a[@class="app"]')
    assert [a.text for a in apps] == ["Apple Podcasts", "Pocket Casts", "Overcast",
                                      "AntennaPod", "Podcast Addict"]
    assert apps[0].get("href") == "https://podcasts.apple.com/ge/podcast/id1234567890"
    feed_url = f"{BASE_URL}ka/feed.xml"
    assert apps[3].get("href") == ("https://antennapod.org/deeplink/subscribe?url="
                                   + quote(feed_url, safe="") + "&title="
                                   + quote("კავკასიის მაგიდა", safe=""))
    assert apps[4].get("href") == "https://podcastaddict.com/feed/" + quote(feed_url, safe="")
    assert apps[1].get("href") == "pktc://subscribe/podcasts.example.org/shows/ka/feed.xml"
    (copy,) = doc.xpath('//a[@data-copy]')
    assert copy.get("href") == copy.get("data-copy") == feed_url
    data = ld(doc)
    assert data["@type"] == "PodcastSeries"
    assert data["webFeed"] == f"{BASE_URL}ka/feed.xml"
    ar = parse(sample.pages["ar"])
    assert ar.get("dir") == "rtl"
    assert "https://open.spotify.com/show/1Xy2Zw3Vu4Ts5Rq6Po7Nm8" in ar.xpath("//a/@href")


def test_feed_index_is_newest_first() -> None:
    episodes = sample_episodes()
    assert [e.slug for e in newest_first(episodes)] == [EN, AR, KA]
    undated = replace(episodes[0], article=replace(episodes[0].article, date=None))
    assert newest_first([undated, episodes[1]])[-1] is undated


def test_site_index(sample: SampleSite) -> None:
    doc = parse(sample.pages["index"])
    assert doc.get("lang") == "en"
    shows = doc.xpath('//ul[@class="show-list"]/li')
    assert [li.get("lang") for li in shows] == ["ka", "ar", "en"]
    assert shows[0].xpath(".//a/@href")[0] == "ka/index.html"
    assert "1 ეპიზოდი" in shows[0].text_content()


def test_sitemap_and_robots(sample: SampleSite) -> None:
    tree = lxml.etree.fromstring((sample.root / _paths.SITEMAP).read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert tree.xpath("//s:loc/text()", namespaces=ns)[0] == f"{BASE_URL}episodes/{KA}/"
    assert tree.xpath("//s:lastmod/text()", namespaces=ns)[0] == "2025-07-20"
    robots = (sample.root / _paths.ROBOTS).read_text()
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots


def test_stylesheet_is_small_logical_and_has_script_fonts(sample: SampleSite) -> None:
    css = (sample.root / _paths.STYLESHEET).read_text()
    assert len(css) < 12_000
    assert "margin-inline" in css
    assert not re.search(r"(margin|padding)-(left|right)|float:\s*(left|right)", css)
    assert "Noto Sans Georgian" in css
    assert "Noto Naskh Arabic" in css
    assert "@import" not in css
    assert "url(" not in css  # no web fonts to download


def test_internal_links_resolve(sample: SampleSite) -> None:
    for page in sample.pages.values():
        doc = parse(page)
        for ref in doc.xpath("//a/@href|//link/@href|//img/@src|//source/@src|//script/@src"):
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("#"):
                continue
            target = (page.parent / parts.path).resolve()
            assert target.is_file(), (page, ref)


def _hostile_episode() -> Episode:
    evil = '</script><script>alert(1)</script><img src=x onerror="alert(2)">'
    body = (f"Lead {evil} text.\n\n[bad](javascript:alert(3)) "
            f"<a href=\"javascript:alert(4)\" onclick=\"x()\">a</a>\n")
    return Episode(
        article("hostile", "en", f"Title {evil}", body, description=None,
                links=(Link("https://ok.example.org/", f"text {evil}", "ok.example.org"),
                       Link("javascript:alert(6)", "js", "evil"),
                       Link(" JavaScript:alert(7)", "js", "evil")),
                author=evil, youtube_id="abcdefghijk"),
        guid="h", youtube=youtube("abcdefghijk", evil, f"Desc {evil}"),
        chapters=(Chapter(0, evil), Chapter(20, "b"), Chapter(40, "c")),
    )


def test_hostile_episode_page_has_no_executable_markup(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title=f"Site {'<script>x()</script>'}", base_url=BASE_URL)
    episode = _hostile_episode()
    shows = tuple(show_for(f, site) for f in sample_feeds()[2:])
    page = page_for(site, episode, shows=shows, audio_url=site.url("media/a.mp3"),
                    audio_length=10, cues=((0.0, 1.0, "<script>alert(5)</script>"),))
    doc = lxml.html.fromstring(page)
    scripts = doc.xpath("//script")
    assert [s.get("type") for s in scripts] == ["application/ld+json", None]
    assert "alert" not in (scripts[1].text or "")
    for element in doc.iter():
        for name in element.attrib:
            assert not name.lower().startswith("on"), name
    hrefs = doc.xpath("//a/@href") + doc.xpath("//@src")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert doc.xpath('//ol[@class="source-list"]/li/a/@href') == ["https://ok.example.org/"]
    text = page.decode()
    ld_text = text.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in ld_text
    assert json.loads(ld_text)["name"].startswith("Title </script>")


def test_json_ld_escapes_markup() -> None:
    out = json_ld({"x": "</script><!-- & ü"})
    assert str(out) == '{"x":"\\u003c/script\\u003e\\u003c!-- \\u0026 ü"}'


def test_non_http_urls_never_become_links(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="T", base_url=BASE_URL)
    episode = sample_episodes()[2]
    page = page_for(site, episode, audio_url="javascript:alert(1)",
                    image_url="data:image/svg+xml,<svg onload=alert(2)>", image_size=(1, 1),
                    chapters_url="vbscript:x", transcripts=(("x", "vtt", "javascript:alert(3)"),))
    doc = lxml.html.fromstring(page)
    assert doc.xpath("//audio|//img|//ul[@class='transcript-files']") == []
    assert not meta(doc, "og:image")
    assert not meta(doc, "og:audio")
    assert not [h for h in doc.xpath("//@href|//@src") if ":" in h
                and urlsplit(h).scheme not in ("http", "https")]


def test_project_templates_override_the_theme(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="T", base_url=BASE_URL)
    (tmp_path / "templates" / "partials").mkdir(parents=True)
    (tmp_path / "templates" / "partials" / "footer.html").write_text(
        '<footer><p class="custom">{{ t("Subscribe") }} {{ site.title }}</p></footer>\n',
        encoding="utf-8")
    (tmp_path / "templates" / "assets").mkdir()
    (tmp_path / "templates" / "assets" / "style.css").write_text("body{color:#000}\n")
    renderer = PageRenderer(site)
    doc = lxml.html.fromstring(renderer.site_index([]))
    assert doc.xpath('//footer/p[@class="custom"]/text()') == ["Subscribe T"]
    assert renderer.stylesheet() == b"body{color:#000}\n"


def test_a_broken_project_template_is_a_render_error(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="T", base_url=BASE_URL)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "episode.html").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        PageRenderer(site)
    assert caught.value.where.endswith("episode.html")
    assert caught.value.fix


def test_example_project_override_is_used(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent.parent
    if not (repo / "templates" / "partials" / "footer.html").is_file():
        pytest.skip("the example project has no footer override")
    shutil.copytree(repo / "templates", tmp_path / "templates")
    site = Site(root=tmp_path, title="T", base_url=BASE_URL)
    page = PageRenderer(site).site_index([(show_for(sample_feeds()[0], site), 3)])
    doc = lxml.html.fromstring(page)
    assert doc.xpath('//footer[contains(@class, "site-footer")]')
    assert "companion" in doc.xpath("string(//footer)")


def test_page_urls_work_under_a_prefix(sample: SampleSite) -> None:
    doc = parse(sample.pages[EN])
    page_url = f"http://127.0.0.1/{sample.root.name}/episodes/{EN}/index.html"
    home = doc.xpath('//p[@class="site-title"]/a/@href')[0]
    assert urljoin(page_url, home) == f"http://127.0.0.1/{sample.root.name}/index.html"


# -- the Georgian seed ----------------------------------------------------------------------

SEED_SLUG = "2025-07-20-azerbaijan-russia"


def _seed_article(make_project):  # type: ignore[no-untyped-def]
    from companion._config.project import load_site
    from companion._read import articles as read

    seeds = seeds_or_skip("000_*.txt")
    root = make_project({f"episodes/{SEED_SLUG}.md": seeds[0].read_text(encoding="utf-8")})
    site = load_site(root)
    return site, read.read_article(root / "episodes" / f"{SEED_SLUG}.md", site)


def test_georgian_seed_page(make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site, seed = _seed_article(make_project)
    episode = Episode(seed, guid="seed")
    notes = show_notes(episode, site, page_url=site.url(_paths.episode_dir(seed.slug)))
    shows = (show_for(replace(sample_feeds()[0], title="კავკასია"), site),)
    page = page_for(site, episode, shows=shows)
    doc = lxml.html.fromstring(page)
    assert doc.get("lang") == "ka"
    hrefs = [str(h) for h in doc.xpath('//ol[@class="source-list"]/li/a/@href')]
    assert len(hrefs) == 35
    assert len(set(hrefs)) == 35
    assert hrefs == [link.url for link in seed.links]
    assert not [h for h in hrefs if "utm_" in h]
    assert "წყაროები" in doc.xpath("//h2/text()")
    assert doc.xpath('//a[@class="skip-link"]/text()') == ["მთავარ შინაარსზე გადასვლა"]
    assert notes.summary.startswith("კავკასიაში მნიშვნელოვანი გეოპოლიტიკური ძვრებია")
    assert doc.xpath('//a[@href="https://www.youtube.com/watch?v=02el3F-AjQw"]'
                     '[@data-embed="https://www.youtube-nocookie.com/embed/02el3F-AjQw'
                     '?autoplay=1"]')
    first = doc.xpath('//ol[@class="source-list"]/li/a')[0]
    assert first.get("href").startswith("https://president.az/")
