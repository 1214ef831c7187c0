"""The episode lifecycle and the publish gate, through the real command line.

Drafts (`published: false`, `draft: true`, `episodes/_drafts/`), scheduled articles
(a future date, in the site's time zone), hidden pages, previews, empty feeds, a
broken article among good ones, and a publish that refuses a build with errors.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from companion._cli.main import main

REPO = Path(__file__).resolve().parent.parent
ART = REPO / "feeds" / "artwork" / "es.png"
MP3 = REPO / "media" / "night-trains.mp3"
NOW = "2026-03-01T12:00:00+00:00"

SITE = ('[site]\ntitle = "Desk"\nbase_url = "https://pod.example.org/"\nlanguage = "en"\n'
        '{extra}[publish]\ntarget = "public"\n')
FEED = """\
title = "{title}"
description = "A show about things."
author = "Desk"
language = "en"
artwork = "feeds/artwork/show.png"
categories = [["News"]]
[owner]
name = "Desk"
email = "desk@example.org"
[select]
{select}
"""


def article(title: str, guid: str, front: str = "", lang: str = "en") -> str:
    return (f"---\ntitle: \"{title}\"\nlang: {lang}\naudio: media/a.mp3\nguid: {guid}\n"
            f"{front}---\nSome words about {title}.\n")


def project(root: Path, files: dict[str, str], *, extra: str = "",
            feeds: dict[str, str] | None = None) -> Path:
    (root / "feeds" / "artwork").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "episodes").mkdir()
    shutil.copy(ART, root / "feeds" / "artwork" / "show.png")
    shutil.copy(MP3, root / "media" / "a.mp3")
    (root / "companion.toml").write_text(SITE.format(extra=extra), encoding="utf-8")
    for slug, select in (feeds or {"show": 'languages = ["en"]'}).items():
        (root / "feeds" / f"{slug}.toml").write_text(
            FEED.format(title=slug.title(), select=select), encoding="utf-8")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(root), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, out + err
    return code, out, err


def items(feed: Path) -> list[str]:
    root = etree.fromstring(feed.read_bytes())
    return [str(t) for t in root.xpath("//item/title/text()")]


def public_tree(root: Path) -> set[str]:
    folder = root / "public"
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            and ".companion" not in p.parts}


GOOD = {
    "episodes/2026-01-05-first.md": article("First", "g-first"),
    "episodes/2026-01-06-second.md": article("Second", "g-second"),
}


def test_drafts_and_scheduled_stay_out_of_everything(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {
        **GOOD,
        "episodes/2026-01-07-unpublished.md": article("Unpublished", "g-u", "published: false\n"),
        "episodes/2026-01-08-hugo.md": article("Hugo draft", "g-h", "draft: true\n"),
        "episodes/_drafts/jekyll-draft.md": article("Jekyll draft", "g-j"),
        "episodes/2026-06-01-later.md": article("Later", "g-later"),
    })
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err
    assert items(root / "public" / "show" / "feed.xml") == ["Second", "First"]
    published = public_tree(root)
    for slug in ("unpublished", "hugo", "jekyll-draft", "later"):
        assert not any(slug in path for path in published), slug
    sitemap = (root / "public" / "sitemap.xml").read_text(encoding="utf-8")
    assert "later" not in sitemap
    assert "draft" not in sitemap
    code, out, _ = run(root, capsys, "check", "--json", "--now", NOW)
    states = {e["slug"]: e["state"] for e in json.loads(out)["episodes"]}
    assert states == {"first": "published", "second": "published", "unpublished": "draft",
                      "hugo": "draft", "jekyll-draft": "draft", "later": "scheduled"}
    code, out, _ = run(root, capsys, "check", "--now", NOW)
    assert "[scheduled for 2026-06-01 00:00 UTC]" in out
    # the date comes: a publish releases it, with no edit at all
    code, _out, err = run(root, capsys, "publish", "--now", "2026-06-01T00:00:00Z")
    assert code == 0, err
    assert items(root / "public" / "show" / "feed.xml") == ["Later", "Second", "First"]


def test_a_date_without_a_time_is_midnight_in_the_site_time_zone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {
        **GOOD, "episodes/2026-03-02-tbilisi.md": article("Tbilisi", "g-t"),
        "episodes/2026-01-09-offset.md": article(
            "Offset", "g-o", "date: 2026-03-02 09:00:00 +0400\n")},
        extra='timezone = "Asia/Tbilisi"\n')
    # 2026-03-01T20:30Z is 2026-03-02 00:30 in Tbilisi (UTC+4): midnight there has passed
    _code, out, _ = run(root, capsys, "check", "--json", "--now", "2026-03-01T20:30:00Z")
    states = {e["slug"]: e["state"] for e in json.loads(out)["episodes"]}
    assert states["tbilisi"] == "published"
    assert states["offset"] == "scheduled"  # 09:00 +04 = 05:00 UTC, still to come
    _code, out, _ = run(root, capsys, "check", "--json", "--now", "2026-03-01T19:30:00Z")
    assert {e["slug"]: e["state"] for e in json.loads(out)["episodes"]}["tbilisi"] == \
        "scheduled"


def test_the_clock_comes_from_the_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "p", {**GOOD, "episodes/2026-06-01-later.md":
                                    article("Later", "g-later")})
    monkeypatch.setenv("COMPANION_NOW", "2026-07-01")
    code, _out, _err = run(root, capsys, "build")
    assert code == 0
    assert "Later" in items(root / "site" / "show" / "feed.xml")
    monkeypatch.setenv("COMPANION_NOW", "yesterday")
    code, _out, err = run(root, capsys, "build")
    assert code == 1
    assert "COMPANION_NOW" in err
    assert "not a date" in err


@pytest.mark.parametrize("value", ['"no"', "maybe", '"false"', "0"])
def test_an_invalid_published_value_is_an_error(tmp_path: Path, value: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {**GOOD, "episodes/2026-01-07-odd.md": article(
        "Odd", "g-odd", f"published: {value}\n")})
    code, out, _ = run(root, capsys, "check", "--now", NOW)
    assert code == 1
    line = next(ln for ln in out.splitlines() if ln.startswith("error"))
    assert "episodes/2026-01-07-odd.md: published: published must be true or false" in line
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 1
    assert "publish refused" in err
    assert not (root / "public").exists()


def test_previews_show_drafts_marked_and_are_never_published(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {
        **GOOD, "episodes/2026-01-07-draft.md": article("Draft", "g-d", "draft: true\n"),
        "episodes/2026-06-01-later.md": article("Later", "g-later")})
    code, out, _err = run(root, capsys, "build", "--drafts", "--future", "--now", NOW)
    assert code == 0
    assert "preview" in out
    page = (root / "site" / "episodes" / "draft" / "index.html").read_text(encoding="utf-8")
    assert "Draft: not published" in page
    assert '<meta name="robots" content="noindex">' in page
    later = (root / "site" / "episodes" / "later" / "index.html").read_text(encoding="utf-8")
    assert "Scheduled: not published before" in later
    code, _out, err = run(root, capsys, "publish", "--no-build", "--now", NOW)
    assert code == 1
    assert "preview" in err
    assert not (root / "public").exists()
    assert not (root / "cache" / "ledger").exists()  # a preview records nothing
    code, _out, err = run(root, capsys, "publish", "--now", NOW)  # builds for real first
    assert code == 0, err
    assert items(root / "public" / "show" / "feed.xml") == ["Second", "First"]
    assert not (root / "public" / "episodes" / "draft").exists()


def test_hidden_pages_exist_but_are_not_listed(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {
        **GOOD, "episodes/2026-01-07-hidden.md": article("Hidden", "g-hid", "hidden: true\n")},
        feeds={"show": 'languages = ["en"]',
               "visible": 'languages = ["en"]\ninclude_hidden = false'})
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0, err
    site = root / "site"
    assert (site / "episodes" / "hidden" / "index.html").exists()
    assert "Hidden" in items(site / "show" / "feed.xml")  # include_hidden: the default
    assert "Hidden" not in items(site / "visible" / "feed.xml")
    assert "Hidden" not in (site / "show" / "index.html").read_text(encoding="utf-8")
    assert "episodes/hidden" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "Second" in (site / "show" / "index.html").read_text(encoding="utf-8")


def test_pages_agree_with_feeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An article without audio gets its page but is not listed or counted as an episode."""
    no_audio = article("Silent", "g-s").replace("audio: media/a.mp3\n", "")
    root = project(tmp_path / "p", {**GOOD, "episodes/2026-01-07-silent.md": no_audio})
    code, out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0
    assert "no audio: the episode is left out of show" in err
    site = root / "site"
    assert (site / "episodes" / "silent" / "index.html").exists()
    assert items(site / "show" / "feed.xml") == ["Second", "First"]
    assert "Silent" not in (site / "show" / "index.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<bdi>2 episodes</bdi>" in home  # two episodes, not three
    page = (site / "episodes" / "silent" / "index.html").read_text(encoding="utf-8")
    assert "feed.xml" not in page  # it links no feed that does not carry it
    code, out, _ = run(root, capsys, "check", "--now", NOW)
    assert "[page only, in no feed (no audio)]" in out


def test_a_broken_article_among_good_ones(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """build writes every good episode and feed and exits 1; publish sends nothing; after
    the fix, publish sends the good episodes; an empty new feed is a warning only."""
    broken = article("Broken", "g-b").replace("media/a.mp3", "media/typo.mp3")
    root = project(tmp_path / "p", {
        **GOOD, "episodes/2026-01-07-broken.md": broken,
        "episodes/2026-01-08-yaml.md": "---\ntitle: [unclosed\n---\nbody\n",
        "episodes/2026-01-09-draft.md": article("Draft", "g-d", "draft: true\n"),
        "episodes/2026-06-01-later.md": article("Later", "g-later")},
        feeds={"show": 'languages = ["en"]', "french": 'languages = ["fr"]'})
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 1
    assert items(root / "site" / "show" / "feed.xml") == ["Second", "First"]
    errors = [ln for ln in err.splitlines() if ln.startswith("error")]
    assert any("episodes/2026-01-07-broken.md: audio:" in ln for ln in errors), err
    assert any("episodes/2026-01-08-yaml.md: front matter:" in ln for ln in errors), err
    assert any(ln.startswith("warning: feeds/french.toml: select:") for ln in err.splitlines())
    assert not (root / "site" / "french").exists()
    code, out, err = run(root, capsys, "publish", "--now", NOW, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["refused"]
    assert report["sent"]["files"] == 0
    assert {p["where"] for p in report["problems"] if p["severity"] == "error"} == {
        "episodes/2026-01-07-broken.md", "episodes/2026-01-08-yaml.md"}
    code, _out, err = run(root, capsys, "publish", "--now", NOW, "--dry-run")
    assert code == 1
    assert "publish would be refused" in err
    assert not (root / "public").exists()
    (root / "episodes/2026-01-07-broken.md").write_text(article("Broken", "g-b"))
    (root / "episodes/2026-01-08-yaml.md").unlink()
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err
    assert items(root / "public" / "show" / "feed.xml") == ["Broken", "Second", "First"]
    published = public_tree(root)
    assert not any(p.startswith("french/") for p in published)
    assert not any("draft" in p or "later" in p for p in published)
    code, _out, err = run(root, capsys, "publish", "--now", NOW, "--strict")
    assert code == 1
    assert "--strict" in err


def test_a_published_feed_that_would_be_empty_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", dict(GOOD))
    assert run(root, capsys, "publish", "--now", NOW)[0] == 0
    for rel, text in GOOD.items():
        (root / rel).write_text(text.replace("lang: en\n", "lang: en\ndraft: true\n"))
    code, out, _ = run(root, capsys, "check", "--now", NOW)
    assert code == 1
    assert "error: feeds/show.toml: select: the feed would have no episode" in out
    assert "2 draft (first, second)" in out
    assert "was published in show and is now a draft" in out
    code, _out, _err = run(root, capsys, "publish", "--now", NOW)
    assert code == 1
    assert items(root / "public" / "show" / "feed.xml") == ["Second", "First"]  # untouched


def test_unpublishing_removes_the_item_and_check_warns_first(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", dict(GOOD))
    assert run(root, capsys, "publish", "--now", NOW)[0] == 0
    first = root / "episodes/2026-01-05-first.md"
    first.write_text(first.read_text().replace("lang: en\n", "lang: en\npublished: false\n"))
    code, out, _ = run(root, capsys, "check", "--now", NOW)
    assert code == 0
    assert ("warning: episodes/2026-01-05-first.md: published: first was published in show and "
            "is now a draft") in out
    assert "subscribers have already downloaded it" in out
    code, out, err = run(root, capsys, "publish", "--now", NOW, "--prune")
    assert code == 0, err
    assert items(root / "public" / "show" / "feed.xml") == ["Second"]
    assert not (root / "public" / "episodes" / "first").exists()
    media = sorted(p.name for p in (root / "public" / "media").iterdir())
    assert len(media) == 2  # its audio is kept for the grace period (prune_grace_days)
    assert "kept for apps that still point at them" in out
    ledger = json.loads((root / "cache" / "ledger" / "show.json").read_text())
    assert ledger["episodes"]["g-first"]["removed"] == "2026-03-01"
    code, out, _ = run(root, capsys, "check", "--now", NOW)
    assert "is now a draft" not in out  # said once, before the publish that removed it


def test_a_title_edit_keeps_the_enclosure_url(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", dict(GOOD))
    assert run(root, capsys, "publish", "--now", NOW)[0] == 0

    def enclosures() -> dict[str, str]:
        tree = etree.fromstring((root / "public" / "show" / "feed.xml").read_bytes())
        return {str(i.findtext("guid")): str(i.find("enclosure").get("url"))
                for i in tree.iter("item")}

    before = enclosures()
    path = root / "episodes/2026-01-05-first.md"
    path.write_text(path.read_text().replace('"First"', '"First, corrected"'))
    code, out, err = run(root, capsys, "publish", "--now", NOW, "-v")
    assert code == 0, err
    assert enclosures() == before
    assert "First, corrected" in items(root / "public" / "show" / "feed.xml")
    media = before["g-first"].removeprefix("https://pod.example.org/")
    assert f"+ {media}" in out  # re-tagged in place, under the same URL
    from mutagen.id3 import ID3

    assert str(ID3(root / "public" / media)["TIT2"]) == "First, corrected"


def test_unknown_front_matter_keys_get_the_nearest_known_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = article("Typo", "g-typo", "vidoe: https://youtu.be/abcdefghijk\nspotfy: x\n"
                   "permalink: /old/url/\nredirect_from: [/a/]\nlayout: post\n")
    root = project(tmp_path / "p", {**GOOD, "episodes/2026-01-07-typo.md": typo})
    code, out, _ = run(root, capsys, "check", "--now", NOW)
    assert code == 0
    warnings = [ln for ln in out.splitlines() if ln.startswith("warning")]
    assert ("warning: episodes/2026-01-07-typo.md: vidoe: `vidoe`: unknown key; did you mean "
            "`video`? (rename it to `video`)") in warnings
    assert any("`spotfy`: unknown key; did you mean `spotify`?" in ln for ln in warnings)
    assert len(warnings) == 2  # permalink, redirect_from and layout are Jekyll's own


@pytest.mark.parametrize(("where", "text", "hint"), [
    ("companion.toml", '[site]\ntitle = "x"\nbase_url = "https://a.org/"\nlanguag = "en"\n',
     "did you mean `language`?"),
    ("companion.toml", '[sit]\ntitle = "x"\n', "did you mean `site`?"),
    ("feeds/show.toml", 'explict = true\n' + FEED.format(title="Show", select=""),
     "did you mean `explicit`?"),
    ("feeds/show.toml", FEED.format(title="Show", select='language = ["en"]'),
     "did you mean `languages`?"),
])
def test_unknown_settings_are_errors_with_the_nearest_known_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, text: str,
        hint: str) -> None:
    root = project(tmp_path / "p", dict(GOOD))
    (root / where).write_text(text, encoding="utf-8")
    code, out, err = run(root, capsys, "check")
    assert code == 1
    assert hint in out + err


@pytest.mark.parametrize("out", [".", "episodes", "episodes/x", "feeds", "templates", "cache",
                                 "media", ".companion", "..", "media/sub"])
def test_the_output_never_overlaps_the_sources(tmp_path: Path, out: str,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "p", dict(GOOD))
    monkeypatch.chdir(root)  # --out and --to are relative to the current folder
    def sources() -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and p.relative_to(root).parts[0] in (
                    "episodes", "feeds", "media", "companion.toml")}

    before = sources()
    code, _out, err = run(root, capsys, "build", "--out", out)
    assert code == 1
    assert "error:" in err
    assert "--out" in err
    code, _out, err = run(root, capsys, "publish", "--to", out)
    assert code == 1
    assert "--to" in err
    assert sources() == before


def test_the_output_never_overlaps_a_folder_an_article_points_into(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {**GOOD, "episodes/2026-01-07-art.md": article(
        "Art", "g-art").replace("audio: media/a.mp3", "audio: sounds/a.mp3")})
    (root / "sounds").mkdir()
    shutil.copy(MP3, root / "sounds" / "a.mp3")
    code, _out, err = run(root, capsys, "build", "--out", str(root / "sounds"))
    assert code == 1
    assert "overlaps sounds/a.mp3" in err
    code, _out, err = run(root, capsys, "publish", "--to", str(root / "site"))
    assert code == 1
    assert "overlaps the build folder" in err


def test_paths_in_companion_toml_are_relative_to_the_project(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "p", dict(GOOD))
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err
    assert (root / "public" / "show" / "feed.xml").exists()
    assert (root / "site" / "show" / "feed.xml").exists()
    assert not (tmp_path / "public").exists()
    code, _out, err = run(root, capsys, "publish", "--now", NOW, "--to", "elsewhere")
    assert code == 0, err
    assert (tmp_path / "elsewhere" / "show" / "feed.xml").exists()


def test_publish_no_build_refuses_a_build_older_than_the_sources(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", dict(GOOD))
    assert run(root, capsys, "build", "--now", NOW)[0] == 0
    assert run(root, capsys, "publish", "--no-build", "--now", NOW)[0] == 0
    path = root / "episodes/2026-01-05-first.md"
    path.write_text(path.read_text().replace('"First"', '"First, edited"'))
    code, _out, err = run(root, capsys, "publish", "--no-build", "--now", NOW)
    assert code == 1
    assert "older than the sources: episodes/2026-01-05-first.md changed" in err
    (root / "episodes/2026-02-01-new.md").write_text(article("New", "g-new"))
    assert run(root, capsys, "build", "--now", NOW)[0] == 0
    assert run(root, capsys, "publish", "--no-build", "--now", NOW)[0] == 0
    (root / "episodes/2026-02-02-newer.md").write_text(article("Newer", "g-newer"))
    code, _out, err = run(root, capsys, "publish", "--no-build", "--now", NOW)
    assert code == 1
    assert "articles were added or removed" in err


def test_a_draft_sharing_a_guid_with_a_published_episode(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", dict(GOOD))
    assert run(root, capsys, "publish", "--now", NOW)[0] == 0
    (root / "episodes/2026-02-01-copy.md").write_text(
        article("Copy", "g-first", "draft: true\n"))
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err  # a draft claims nothing
    (root / "episodes/2026-02-01-copy.md").write_text(article("Copy", "g-first"))
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 1
    assert ("error: episodes/2026-02-01-copy.md: guid: same guid 'g-first' as "
            "episodes/2026-01-05-first.md, which was published with it") in err
    assert items(root / "site" / "show" / "feed.xml") == ["Second", "First"]


def test_many_articles_of_one_slug_make_one_short_line_each(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Five articles of one title: five errors, each naming three others and a count."""
    files = {f"episodes/2026-01-0{n}-weekly.md": article("Weekly news", f"g-{n}",
                                                           "slug: weekly\n")
             for n in range(1, 6)}
    root = project(tmp_path / "p", files)
    code, out, err = run(root, capsys, "check", "--now", NOW)
    assert code == 1
    lines = [ln for ln in (out + err).splitlines() if "same slug 'weekly'" in ln]
    assert len(lines) == 5, out + err
    assert all(ln.count("episodes/") == 4 and "and 1 more: all are" in ln for ln in lines)
    assert all("slug: weekly-2" in ln for ln in lines)
