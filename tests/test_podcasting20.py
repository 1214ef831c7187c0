"""More of Podcasting 2.0 (issue 16, item 6) and analytics prefixes (item 3): each tag only
when its data exists, written as the podcast namespace documents it; `check` refuses a
prefix that is not https or that would double a scheme."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

import companion
from tests._groups import require

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
OWNER = '[owner]\nname = "o"\nemail = "o@example.org"\n'
FEED = 'title = "{slug}"\ndescription = "d"\nauthor = "a"\nlanguage = "en"\n'

ARTICLE = """---
title: {title}
lang: en
date: 2025-10-0{n}
audio: media/tone.mp3
{extra}---

{body}
"""


def project_with(make_project: Callable[..., Path], tmp_path: Path, feeds: dict[str, str],
                 articles: list[tuple[str, str]]) -> Path:
    from tests._media import sine

    require("media", "ffmpeg")
    files: dict[str, str | bytes] = {f"feeds/{slug}.toml": text for slug, text in feeds.items()}
    for n, (extra, body) in enumerate(articles, start=1):
        files[f"episodes/2025-10-0{n}-ep{n}.md"] = ARTICLE.format(
            title=f"Episode {n}", n=n, extra=extra, body=body)
    files["media/tone.mp3"] = sine(tmp_path / "tone.mp3", 1.0).read_bytes()
    return make_project(files)


def built_feed(project: Path, slug: str) -> etree._Element:
    return etree.parse(str(build(project, slug))).getroot().find("channel")


def build(project: Path, slug: str) -> Path:
    proj = companion.load_project(project)
    result = proj.build(jobs=1)
    assert not [p for p in result.problems if p.severity == "error"], result.problems
    return proj.site.out_dir / slug / "feed.xml"


def test_every_extra_tag_from_what_the_project_says(make_project: Callable[..., Path],
                                                    tmp_path: Path) -> None:
    extras = (
        'license = { name = "my-licence", url = "https://example.org/licence" }\n'
        'txt = [{ text = "verify-abc123", purpose = "verify" }, "plain note"]\n'
        'update_frequency = { text = "Every Monday", rrule = "FREQ=WEEKLY;BYDAY=MO" }\n'
        'enclosure_prefix = "https://op3.dev/e,pg={podcast_guid}/"\n')
    hosts = ("hosts:\n  - name: Nino Beridze\n    href: https://example.org/nino\n"
             "guests:\n  - Levan Tskhadaia\n  - name: Ana Ghvinianidze\n    role: Producer\n"
             "    group: Creative Direction\n"
             "location:\n  name: Batumi\n  geo: geo:41.6168,41.6367\n  osm: R1997541\n"
             "  country: GE\nlicense: cc-by-4.0\n")
    project = project_with(make_project, tmp_path, {
        "show": FEED.format(slug="show") + extras + OWNER,
        "other": FEED.format(slug="other") + OWNER}, [
        (hosts, "Dock workers walked off the job."),
        ("episode_type: trailer\nseason: 2\n", "A trailer for the season."),
        ("author: Mariam Kapanadze\n", "BATUMI, 3 October 2025 — The port reopened."),
        ("", "Baku, AZERTAC\n\nThe ferry to Turkmenbashi sailed again.")])
    channel = built_feed(project, "show")
    guid = channel.findtext("podcast:guid", namespaces=NS)
    licence = channel.find("podcast:license", NS)
    assert (licence.text, licence.get("url")) == ("my-licence", "https://example.org/licence")
    assert [(t.text, t.get("purpose")) for t in channel.findall("podcast:txt", NS)] == [
        ("verify-abc123", "verify"), ("plain note", None)]
    frequency = channel.find("podcast:updateFrequency", NS)
    assert (frequency.text, frequency.get("rrule")) == ("Every Monday", "FREQ=WEEKLY;BYDAY=MO")
    [remote] = channel.findall("podcast:podroll/podcast:remoteItem", NS)
    assert remote.get("feedUrl").endswith("/other/feed.xml")
    assert remote.get("feedGuid")
    [trailer] = channel.findall("podcast:trailer", NS)
    assert (trailer.text, trailer.get("season"), trailer.get("type")) == (
        "Episode 2", "2", "audio/mpeg")
    assert trailer.get("url").startswith(f"https://op3.dev/e,pg={guid}/")
    items = {i.findtext("title"): i for i in channel.findall("item")}
    first = items["Episode 1"]
    people = [(p.text, p.get("role"), p.get("group"), p.get("href"))
              for p in first.findall("podcast:person", NS)]
    assert people == [("Nino Beridze", "host", None, "https://example.org/nino"),
                      ("Levan Tskhadaia", "guest", None, None),
                      ("Ana Ghvinianidze", "producer", "creative direction", None)]
    place = first.find("podcast:location", NS)
    assert (place.text, place.get("geo"), place.get("osm"), place.get("country")) == (
        "Batumi", "geo:41.6168,41.6367", "R1997541", "ge")
    assert first.findtext("podcast:license", namespaces=NS) == "cc-by-4.0"
    third = items["Episode 3"]
    assert [p.text for p in third.findall("podcast:person", NS)] == ["Mariam Kapanadze"]
    assert third.findtext("podcast:location", namespaces=NS) == "Batumi"  # the dateline
    assert items["Episode 4"].findtext("podcast:location", namespaces=NS) == "Baku"
    for item in channel.findall("item"):  # the prefix on every media URL of the item
        assert item.find("enclosure").get("url").startswith(f"https://op3.dev/e,pg={guid}/")
        for source in item.findall("podcast:alternateEnclosure/podcast:source", NS):
            assert source.get("uri").startswith(f"https://op3.dev/e,pg={guid}/")


def test_partytime_reads_the_extras(make_project: Callable[..., Path],
                                    tmp_path: Path) -> None:
    """The Podcast Index's parser (podcast-partytime) reads what companion writes."""
    from tests._partytime import partytime

    project = project_with(make_project, tmp_path, {
        "show": FEED.format(slug="show") + 'license = "cc-by-4.0"\n'
        'txt = [{ text = "verify-abc123", purpose = "verify" }]\n' + OWNER,
        "other": FEED.format(slug="other") + OWNER}, [
        ("hosts: [Nino Beridze]\nguests:\n  - {name: Ana G, role: producer, "
         "group: creative direction}\nlocation: {name: Batumi, geo: \"geo:41.6,41.6\"}\n",
         "Dock workers walked off the job."),
        ("episode_type: trailer\nseason: 2\n", "A trailer.")])
    parsed = partytime(build(project, "show"))
    assert parsed["license"]["identifier"] == "cc-by-4.0"
    assert parsed["podcastTxt"] == [{"value": "verify-abc123", "purpose": "verify"}]
    assert [r["feedUrl"] for r in parsed["podroll"]] == ["https://pod.example.org/other/feed.xml"]
    assert [t["title"] for t in parsed["trailers"]] == ["Episode 2"]
    items = {i["title"]: i for i in parsed["items"]}
    people = [(p["name"], p["role"].lower(), p["group"].lower())
              for p in items["Episode 1"]["podcastPeople"]]
    assert people == [("Nino Beridze", "host", "cast"),
                      ("Ana G", "producer", "creative direction")]
    assert items["Episode 1"]["podcastLocation"]["name"] == "Batumi"


def test_no_tag_without_its_data(make_project: Callable[..., Path], tmp_path: Path) -> None:
    project = project_with(make_project, tmp_path, {"show": FEED.format(slug="show") + OWNER},
                           [("", "The port reopened on Friday.")])
    channel = built_feed(project, "show")
    for tag in ("license", "txt", "updateFrequency", "podroll", "trailer"):
        assert channel.find(f"podcast:{tag}", NS) is None, tag
    [item] = channel.findall("item")
    for tag in ("person", "location", "license"):
        assert item.find(f"podcast:{tag}", NS) is None, tag
    assert item.find("enclosure").get("url").startswith("https://pod.example.org/media/")


@pytest.mark.parametrize(("prefix", "said"), [
    ("http://op3.dev/e/", "not an https URL"),
    ("op3.dev/e/", "not an https URL"),
    ("https://op3.dev/e/https://", "double a scheme"),
    ("https://dts.podtrac.com/redirect.mp3/http://", "double a scheme"),
    ("https://op3.dev/e,pg={guid}/", "cannot fill in"),
    ("https://op3.dev/e", "does not end with /"),
])
def test_check_refuses_a_bad_prefix(make_project: Callable[..., Path], prefix: str,
                                    said: str) -> None:
    project = make_project({"feeds/show.toml": FEED.format(slug="show")
                            + f'enclosure_prefix = "{prefix}"\n' + OWNER})
    found = companion.load_project(project).check()
    [error] = [p for p in found.problems if p.field == "enclosure_prefix"]
    assert error.severity == "error"
    assert said in error.message
    assert error.where == "feeds/show.toml"
    assert found.failed()


@pytest.mark.parametrize(("field", "value"), [
    ("update_frequency", '"fortnightly-ish"'),
    ("update_frequency", '{ text = "x", rrule = "FREQ=SOMETIMES" }'),
    ("max_items", "0"),
    ("license", '{ url = "https://example.org/l" }'),
    ("podroll", '"all"'),
])
def test_check_names_a_bad_value(make_project: Callable[..., Path], field: str,
                                 value: str) -> None:
    project = make_project({"feeds/show.toml": FEED.format(slug="show")
                            + f"{field} = {value}\n" + OWNER})
    found = companion.load_project(project).check()
    assert [p for p in found.problems if p.field == field and p.severity == "error"]


def test_a_bad_place_in_front_matter_is_named(make_project: Callable[..., Path]) -> None:
    project = make_project({"episodes/2025-10-01-ep.md": (
        "---\ntitle: T\nlang: en\nlocation:\n  name: Batumi\n  geo: 41.6,41.6\n---\n\nText.\n")})
    found = companion.load_project(project).check()
    [problem] = [p for p in found.problems if p.field == "location"]
    assert "geo" in problem.message
    assert "geo:" in (problem.fix or "")
