"""The real stages end to end on the bundled example project."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import feedparser
import pytest

import companion
from companion._cli.main import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(example_project: Path) -> Path:
    if (REPO / "media").is_dir() and not (example_project / "media").exists():
        shutil.copytree(REPO / "media", example_project / "media")
    return example_project


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_example_builds_every_output(project: Path) -> None:
    proj = companion.load_project(project)
    site = proj.site
    result = proj.build(jobs=1)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert (result.episodes, result.feeds, result.rendered) == (7, 6, 7)
    out = site.out_dir
    for name in ("index.html", "sitemap.xml", "robots.txt", "assets/style.css",
                 "assets/player.js", "favicon.ico"):
        assert (out / name).is_file(), name
    pages = sorted(p.parent.name for p in (out / "episodes").glob("*/index.html"))
    assert len(pages) == 7
    assert "cafe-de-altura" in pages
    for lang in ("ka", "ar", "es", "en", "fa"):
        parsed = feedparser.parse((out / lang / "feed.xml").read_bytes())
        assert not parsed.bozo, lang
        assert parsed.entries, lang
        for entry in parsed.entries:
            enclosure = entry.enclosures[0]
            media = out / enclosure.href.removeprefix(site.base_url)
            assert media.stat().st_size == int(enclosure.length)
    sitemap = (out / "sitemap.xml").read_text()
    assert sitemap.count("<url>") == 1 + 6 + 7


def test_example_rebuild_is_incremental(project: Path, tmp_path: Path) -> None:
    proj = companion.load_project(project)
    site = proj.site
    proj.build(jobs=1)
    feed = site.out_dir / "es" / "feed.xml"
    first = feed.read_bytes()
    kept = tmp_path / "first-feed.xml"
    os.link(feed, kept)  # the inode the first build wrote: never to be written through
    again = proj.build(jobs=1)
    assert (again.written, again.rendered, again.feeds_rendered) == (0, 0, 0)
    article = next((project / "episodes").glob("*cafe-de-altura.md"))
    article.write_text(article.read_text(encoding="utf-8").replace(
        "tres agricultores", "cuatro agricultores"), encoding="utf-8")
    edited = proj.build(jobs=1)
    assert (edited.rendered, edited.feeds_rendered) == (1, 1)
    assert b"cuatro agricultores" in feed.read_bytes()
    assert kept.read_bytes() == first
    proj.build(tmp_path / "forced", force=True, jobs=1)  # the edit: as a whole build has it
    assert tree(site.out_dir) == tree(tmp_path / "forced")


def test_example_build_is_deterministic(project: Path, tmp_path: Path) -> None:
    proj = companion.load_project(project)
    site = proj.site
    proj.build(jobs=1)
    proj.build(tmp_path / "second", force=True, jobs=2)
    assert tree(site.out_dir) == tree(tmp_path / "second")


def test_cli_build_prints_a_summary(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-C", str(project), "build", "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "7 episodes" in out
    assert "6 feeds" in out
    assert main(["-C", str(project), "build", "--force"]) == 0
    assert "0 written" in capsys.readouterr().out


def test_parallel_real_build_matches_serial(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from corpus import make_corpus

    root = tmp_path / "corpus"
    root.mkdir()
    make_corpus(root, 52)
    proj = companion.load_project(root)
    site = proj.site
    parallel = proj.build(jobs=2)
    serial = proj.build(tmp_path / "serial", force=True, jobs=1)
    assert parallel.rendered == serial.rendered == 52
    assert [p for p in parallel.problems if p.severity == "error"] == []
    first, second = tree(site.out_dir), tree(tmp_path / "serial")
    assert first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert differ == [], "".join(difflib.unified_diff(
        first[differ[0]].decode("utf-8", "replace").splitlines(keepends=True),
        second[differ[0]].decode("utf-8", "replace").splitlines(keepends=True),
        f"parallel/{differ[0]}", f"serial/{differ[0]}"))


def test_example_template_and_feed_changes(project: Path) -> None:
    proj = companion.load_project(project)
    site = proj.site
    proj.build(jobs=1)
    theme = REPO / "src" / "companion" / "_render" / "theme" / "partials" / "footer.html"
    override = project / "templates" / "partials" / "footer.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text("<!-- local -->\n" + theme.read_text(encoding="utf-8"),
                        encoding="utf-8")
    result = proj.build(jobs=1)
    assert (result.rendered, result.site_rendered) == (7, True)
    assert b"<!-- local -->" in (site.out_dir / "episodes/cafe-de-altura/index.html").read_bytes()
    feed_toml = project / "feeds" / "es.toml"
    feed_toml.write_text(feed_toml.read_text(encoding="utf-8").replace(
        'title = "Mesa del Cáucaso"', 'title = "Mesa del Cáucaso Sur"'), encoding="utf-8")
    result = proj.build(jobs=1)
    assert (result.rendered, result.feeds_rendered) == (1, 1)
    assert "Mesa del Cáucaso Sur".encode() in (site.out_dir / "es" / "feed.xml").read_bytes()


def test_feeds_assembled_from_item_parts_equal_whole_renders(project: Path) -> None:
    """The built feeds (assembled from each episode's kept row and item bytes) are byte for
    byte what feedgen renders from the whole episodes in one go."""
    from companion._build.prepare import Preparer
    from companion._config.feeds import load_feeds, select_episodes, selects
    from companion._pair.cache import Cache
    from companion._pair.episodes import pair_episode
    from companion._read.articles import read_with_problems
    from companion._read.files import discover
    from companion._render.pages import PageRenderer
    from companion._render.rss import ItemParts, render_feed
    from companion._render.site import light, render_episode

    proj = companion.load_project(project)
    site = proj.site
    proj.build(jobs=1)
    feeds = load_feeds(site).feeds
    preparer, pages = Preparer(site), PageRenderer(site)
    episodes, parts = [], []
    for source in discover(site):
        article, _problems = read_with_problems(source, site)
        if article is None or article.draft or article.date is None:
            continue
        episode, _found = pair_episode(article, site, Cache(site.cache_dir))
        chosen = [f for f in feeds if selects(f.select, episode)]
        rep = preparer.episode(episode, chosen, [])  # its people's pictures placed
        episodes.append(light(rep.episode))
        parts.append(render_episode(rep, site, pages).parts)
    checked = 0
    for feed in feeds:
        media: dict[str, ItemParts] = {e.guid: p[feed.slug] for e, p in zip(
            episodes, parts, strict=True) if feed.slug in p}
        whole = render_feed(preparer.show(feed).show, select_episodes(feed, episodes), media)
        assert (site.out_dir / feed.slug / "feed.xml").read_bytes() == whole, feed.slug
        checked += len(media)
    assert checked >= 5


def test_a_forced_build_takes_parses_from_the_cache_by_content(project: Path) -> None:
    from companion._model import Link
    from companion._read.articles import read_article
    from companion._read.parsed import ParsedCache

    proj = companion.load_project(project)
    proj.build(jobs=1)
    assert (project / ".companion" / "read.sqlite").is_file()
    before = tree(proj.site.out_dir)
    article = next((project / "episodes").glob("*cafe-de-altura.md"))
    text = article.read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2].strip("\n")
    forced = proj.build(jobs=1, force=True)  # every article read again, none parsed again
    assert forced.rendered == forced.episodes == 7  # every episode of the example
    assert tree(proj.site.out_dir) == before
    head = text[:len(text) - len(text.split("---\n", 2)[2])]
    article.write_text(head + text[len(head):] + "\nSee [more](https://new.example.org/"
                       "?utm_source=x).\n", encoding="utf-8")
    proj.build(jobs=1, force=True)  # new bytes: parsed again
    page = (proj.site.out_dir / "episodes" / "cafe-de-altura" / "index.html").read_text()
    assert "https://new.example.org/" in page
    assert "utm_source" not in page

    cache = ParsedCache(project / ".companion")  # a new process, as it were
    own = read_article(article, proj.site)  # its video and Spotify URLs are no sources
    exclude = [url for url in (own.video, own.spotify) if url]
    kept = cache.links(body, "markdown", exclude, lambda: pytest.fail("parsed again"))
    assert kept
    assert all(isinstance(link, Link) for link in kept)
    fresh = (Link("https://x.example/", "x", "x.example"),)
    assert cache.links(body + "!", "markdown", [], lambda: fresh) == fresh
    cache.close()


def test_the_quick_start_leaves_the_example_ledgers_as_committed(project: Path,
                                                                 tmp_path: Path) -> None:
    """The README's first command publishes the example: every feed's ledger is
    committed with what that publish records, so a fresh clone stays clean."""
    before = tree(project / "cache" / "ledger")
    outcome = companion.load_project(project).publish(str(tmp_path / "public"))
    assert outcome.ok
    assert not outcome.refused
    assert tree(project / "cache" / "ledger") == before
