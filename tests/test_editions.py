"""Issue 25: the same story in other languages (`ref:`, a sidecar's `translations:`) links
its editions; the people of a show or an episode with their pictures; each episode's
embeddable player. Built through the real command line."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

import companion
from tests.test_lifecycle import ART, NOW, article, project, run

PODCAST = "https://podcastindex.org/namespace/1.0"
EN = "episodes/2026-01-05-trains.md"
ES = "episodes/2026-01-05-trenes.md"
FEEDS = {"en": 'languages = ["en"]', "es": 'languages = ["es"]'}


def page(root: Path, slug: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((root / "site" / "episodes" / slug / "index.html").read_bytes())


def editions(doc: lxml.html.HtmlElement) -> dict[str, str]:
    return {str(link.get("hreflang")): str(link.get("href"))
            for link in doc.xpath('//head/link[@rel="alternate"][@hreflang]')}


def switcher(doc: lxml.html.HtmlElement) -> list[tuple[str, str, str | None]]:
    return [(str(a.get("lang")), a.text_content(), a.get("aria-current"))
            for a in doc.xpath('//nav[@class="languages"]//a')]


def test_a_shared_ref_links_the_editions_and_a_third_joins_on_the_next_build(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {
        EN: article("Trains", "g-en", "ref: night-trains\n"),
        ES: article("Trenes", "g-es", "ref: night-trains\n", lang="es"),
        "episodes/2026-01-06-other.md": article("Other", "g-other")}, feeds=FEEDS)
    spanish = root / "feeds" / "es.toml"  # the Spanish show, in Spanish
    spanish.write_text(spanish.read_text(encoding="utf-8").replace(
        'language = "en"', 'language = "es"'), encoding="utf-8")
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0, err
    en, es = page(root, "trains"), page(root, "trenes")
    both = {"en": "https://pod.example.org/episodes/trains/",
            "es": "https://pod.example.org/episodes/trenes/",
            "x-default": "https://pod.example.org/episodes/trains/"}  # the site's language
    assert editions(en) == editions(es) == both
    assert switcher(en) == [("en", "English", "page"), ("es", "Español", None)]
    assert switcher(es) == [("en", "English", None), ("es", "Español", "page")]
    assert es.xpath('//nav[@class="languages"]/@aria-label') == ["Idiomas"]
    assert editions(page(root, "other")) == {}  # a story in one language links nothing
    shows = {"en": "https://pod.example.org/en/", "es": "https://pod.example.org/es/",
             "x-default": "https://pod.example.org/en/"}  # the shows of its podroll
    for slug in ("en", "es"):
        show = lxml.html.fromstring((root / "site" / slug / "index.html").read_bytes())
        assert editions(show) == shows
        assert [c for _lang, _name, c in switcher(show)] == \
            (["page", None] if slug == "en" else [None, "page"])
    again = companion.load_project(root).build(now=datetime.fromisoformat(NOW))
    assert (again.rendered, again.written) == (0, 0)  # the editions are kept, not redone
    assert page(root, "other").xpath('//nav[@class="languages"]') == []

    # a sidecar's translations: names the others by slug; the next build links all three
    (root / "episodes" / "2026-01-05-poezda.txt").write_text("Поезда.\n\nНочной поезд.\n",
                                                              encoding="utf-8")
    (root / "episodes" / "2026-01-05-poezda.yml").write_text(
        "title: Поезда\nlang: ru\naudio: media/a.mp3\ntranslations: [trains]\n",
        encoding="utf-8")
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0, err
    for slug in ("trains", "trenes", "poezda"):
        assert sorted(editions(page(root, slug))) == ["en", "es", "ru", "x-default"], slug
    assert switcher(page(root, "trenes"))[2] == ("ru", "Русский", None)

    # and when the Spanish one leaves the story, the others stop naming it
    (root / ES).write_text(article("Trenes", "g-es", lang="es"), encoding="utf-8")
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0, err
    assert sorted(editions(page(root, "trains"))) == ["en", "ru", "x-default"]
    assert editions(page(root, "trenes")) == {}


def test_people_with_pictures_in_the_feed_and_on_the_page(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    people = ('\n[[people]]\nname = "Nino Beridze"\nrole = "host"\nimage = "people/nino.png"\n'
              'link = "https://desk.example.org/nino"\n'
              '\n[[people]]\nname = "Levan"\nrole = "producer"\ngroup = "creative direction"\n')
    root = project(tmp_path / "p", {
        EN: article("Trains", "g-en"),
        "episodes/2026-01-06-guest.md": article(
            "Guest", "g-guest", "people:\n  - name: Ana\n    role: guest\n"
            "    image: https://cdn.example.net/ana.jpg\n  - name: Giorgi\n    role: co-host\n"),
    }, feeds={"show": 'languages = ["en"]' + people})
    (root / "people").mkdir()
    shutil.copy(ART, root / "people" / "nino.png")
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0, err
    feed = etree.parse(str(root / "site" / "show" / "feed.xml"))
    channel = feed.xpath("/rss/channel/podcast:person", namespaces={"podcast": PODCAST})
    assert [(p.text, p.get("role"), p.get("group"), p.get("href")) for p in channel] == [
        ("Nino Beridze", "host", None, "https://desk.example.org/nino"),
        ("Levan", "producer", "creative direction", None)]
    img = str(channel[0].get("img"))
    assert img.startswith("https://pod.example.org/artwork/")
    assert img.endswith(".jpg")
    assert (root / "site" / img.removeprefix("https://pod.example.org/")).is_file()
    guest = feed.xpath('//item[title="Guest"]/podcast:person', namespaces={"podcast": PODCAST})
    assert [(p.text, p.get("role"), p.get("img")) for p in guest] == [
        ("Ana", "guest", "https://cdn.example.net/ana.jpg"), ("Giorgi", "co-host", None)]

    trains = page(root, "trains")  # no people of its own: the show's, with Nino's picture
    people_list = trains.xpath('//ul[@class="people-list"]/li')
    assert [li.xpath('string(.//span[@class="person-name"])') for li in people_list] == [
        "Nino Beridze", "Levan"]
    assert [li.xpath('string(.//span[@class="person-role"])') for li in people_list] == [
        "Host", "Producer"]
    assert people_list[0].xpath(".//img/@src")[0].startswith("../../artwork/")
    shown = page(root, "guest").xpath('//ul[@class="people-list"]//img')
    assert shown == []  # Ana's picture is on another host: not loaded by the page


def test_every_episode_with_audio_has_an_embed_page_and_its_snippet(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {EN: article("Trains", "g-en", "ref: x\n")})
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0, err
    embed_file = root / "site" / "episodes" / "trains" / "embed" / "index.html"
    embed = lxml.html.fromstring(embed_file.read_bytes())
    assert embed.xpath("//audio/source/@src")  # the player
    assert embed.xpath("//header | //footer | //nav") == []  # no site chrome
    assert embed.xpath('//meta[@name="robots"]/@content') == ["noindex"]
    assert embed.xpath('//link[@rel="canonical"]/@href') == [
        "https://pod.example.org/episodes/trains/"]
    outside = [u for u in embed.xpath("//@src | //@href")
               if "://" in u and not u.startswith("https://pod.example.org/")]
    assert outside == []  # nothing of another host
    snippet = page(root, "trains").xpath('//textarea[@id="embed-snippet"]/text()')[0]
    frame = lxml.html.fragment_fromstring(snippet)
    assert frame.tag == "iframe"
    assert frame.get("src") == "https://pod.example.org/episodes/trains/embed/"
    assert frame.get("title") == "Trains"
    sitemap = (root / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "/embed/" not in sitemap


def test_check_names_a_ref_alone_two_of_one_language_and_an_unknown_translation(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {
        EN: article("Trains", "g-en", "ref: trains\n"),
        "episodes/2026-01-05-trains-again.md": article("Trains again", "g-en2", "ref: trains\n"),
        "episodes/2026-01-06-alone.md": article("Alone", "g-alone", "ref: lonely\n"),
        "episodes/2026-01-07-named.md": article("Named", "g-named",
                                                "translations: [trenes]\n")}, feeds=FEEDS)
    code, out, err = run(root, capsys, "check", "--now", NOW)
    said = out + err
    assert "ref 'lonely' is this article's alone" in said
    assert ("ref 'trains': this article and episodes/2026-01-05-trains.md are both in en"
            in said)
    assert "translations names 'trenes', which is no article's slug" in said
    assert code == 0  # warnings: the pages are still built, unlinked
