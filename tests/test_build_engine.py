"""The incremental build machinery, driven by fake stages (independent of the real ones)."""

from __future__ import annotations

import dataclasses
import gc
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from companion import Clock, FeedDefinition, OutputFile, Problem, RenderError, Site
from companion._build.engine import _TENDER, YOUNG, build
from companion._build.result import BuildResult
from companion._build.seam import EpisodeBuild, Flags, Nav, Rendered
from companion._lifecycle.ledger import PublishedIndex
from companion._model import FeedSelection, Person
from companion._site_model import Identity

RENDERS: list[str] = []
FEED_RENDERS: list[str] = []
PAGE_RENDERS: list[str] = []  # the shows' pages
RELINKS: list[str] = []


def nav_html(nav: Nav) -> str:
    return "<nav>" + " ".join(f"{rel}={slug}:{title}" for rel, slug, title in nav) + "</nav>"


@dataclass(frozen=True)
class Entry:
    slug: str
    title: str
    lang: str


def meta_of(path: Path) -> tuple[dict[str, str], str]:
    head, _, body = path.read_text().partition("\n\n")
    return dict(line.split(": ", 1) for line in head.splitlines()), body


def identify(path: Path) -> Identity | None:
    """The identity the fake renderer reads (None: a broken article)."""
    meta, body = meta_of(path)
    if "BROKEN" in body:
        return None
    slug = meta.get("slug", path.stem)
    date = datetime.fromisoformat(meta["date"]) if "date" in meta else None
    return Identity(slug, meta.get("guid", slug), meta.get("draft") == "true", date,
                    meta.get("hidden") == "true")


class FakeRenderer:
    def __init__(self, site: Site, feeds: Sequence[FeedDefinition]) -> None:
        self.site = site
        self.feeds = list(feeds)
        template = site.templates_dir / "page.html"
        self.template = template.read_text() if template.exists() else "<h1>{title}</h1>{body}"

    def episodes(self, jobs: Sequence[tuple[Path, Flags]]) -> list[EpisodeBuild]:
        return [self.one(path, flags) for path, flags in jobs]

    def one(self, path: Path, flags: Flags) -> EpisodeBuild:
        identity = identify(path)
        build = self.render(path, flags.settled(identity))
        return dataclasses.replace(build, identity=identity)

    def render(self, path: Path, flags: Flags) -> EpisodeBuild:
        meta, body = meta_of(path)
        source = path.relative_to(self.site.root).as_posix()
        if "CRASH" in body:
            raise RenderError("the renderer broke", where=path.name, fix="mend it")
        if "BROKEN" in body:
            return EpisodeBuild(source, "", (source,), (), None, None, (),
                                (Problem("error", path.name, "broken article", "mend it"),))
        slug = meta.get("slug", path.stem)
        entry = Entry(slug, meta["title"], meta["lang"])
        selected = tuple(self.members(entry))
        if not flags.render:
            return EpisodeBuild(source, slug, (source,), (), None, None, (), selected=selected,
                                title=entry.title, guid=meta.get("guid", slug))
        extra = self.site.cache_dir / f"{slug}.json"
        body += extra.read_text() if extra.exists() else ""
        RENDERS.append(slug)
        mark = "" if flags.mark == "live" else f"[{flags.mark}]"
        html = (mark + self.template.format(title=entry.title, body=body)
                + nav_html(flags.nav)).encode()
        problems = (Problem("warning", path.name, "short"),) if len(body) < 5 else ()
        return EpisodeBuild(
            source=source, slug=slug,
            deps=(f"{self.site.cache}/{slug}.json",),
            files=(OutputFile(f"episodes/{slug}/index.html", "text/html", data=html),),
            entry=entry, item=(entry.title, body), feeds=selected if flags.in_feeds else (),
            problems=problems, guid=meta.get("guid", slug), selected=selected,
            title=entry.title)

    def members(self, entry: Any) -> list[str]:
        return [f.slug for f in self.feeds if entry.lang in f.select.languages]

    def relink(self, slug: str, nav: Nav, read: Any) -> OutputFile | None:
        page = read(f"episodes/{slug}/index.html")
        if page is None or b"<nav>" not in page or "NOPATCH" in self.template:
            return None
        RELINKS.append(slug)
        head = page.decode().split("<nav>")[0]
        return OutputFile(f"episodes/{slug}/index.html", "text/html",
                          data=(head + nav_html(nav)).encode())

    def feed(self, feed: FeedDefinition, items: Sequence[Any]) -> Rendered:
        FEED_RENDERS.append(feed.slug)
        xml = "".join(f"<item>{title}|{body}</item>" for title, body in items)
        return Rendered((
            OutputFile(f"{feed.slug}/feed.xml", "application/rss+xml", "feed",
                       data=f"<rss><title>{feed.title}</title>{xml}</rss>".encode()),
        ))

    def show_page(self, feed: FeedDefinition, items: Sequence[Any]) -> Rendered:
        PAGE_RENDERS.append(feed.slug)
        index = "".join(title for title, _body in items)
        return Rendered((OutputFile(f"{feed.slug}/index.html", "text/html",
                                    data=index.encode()),))

    def site_pages(self, entries: Sequence[Any], feeds_of: Sequence[Sequence[str]],
                   shows: Sequence[str]) -> Rendered:
        titles = ",".join(e.title for e in entries)
        return Rendered((OutputFile("index.html", "text/html", data=titles.encode()),
                         OutputFile("robots.txt", "text/plain", data=b"User-agent: *\n")))


class FakeStages:
    def __init__(self, published: PublishedIndex | None = None) -> None:
        self.index = published or PublishedIndex()

    def load_feeds(self, site: Site) -> tuple[list[FeedDefinition], list[Problem]]:
        feeds = []
        for path in sorted(site.feeds_dir.glob("*.toml")):
            data = tomllib.loads(path.read_text())
            feeds.append(FeedDefinition(
                slug=path.stem, path=path, title=data["title"], description="", author="a",
                owner=Person("a"), language=data["lang"], artwork=None,
                select=FeedSelection(languages=(data["lang"],))))
        return feeds, []

    def published(self, site: Site) -> PublishedIndex:
        return self.index

    def page_inputs(self, site: Site) -> list[Path]:
        folder = site.templates_dir
        return sorted(folder.iterdir()) if folder.is_dir() else []

    def renderer(self, site: Site, feeds: Sequence[FeedDefinition]) -> FakeRenderer:
        return FakeRenderer(site, feeds)


def article(root: Path, slug: str, lang: str = "en", body: str = "some words",
            title: str | None = None) -> Path:
    path = root / "episodes" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"title: {title or slug.title()}\nlang: {lang}\n\n{body}")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Site:
    root = tmp_path / "proj"
    (root / "feeds").mkdir(parents=True)
    (root / "companion.toml").write_text('[site]\ntitle="t"\nbase_url="https://x.org/"\n')
    (root / "feeds" / "en.toml").write_text('title = "English"\nlang = "en"\n')
    (root / "feeds" / "ka.toml").write_text('title = "Georgian"\nlang = "ka"\n')
    for i in range(3):
        article(root, f"en-{i}", "en")
        article(root, f"ka-{i}", "ka")
    RENDERS.clear()
    FEED_RENDERS.clear()
    PAGE_RENDERS.clear()
    RELINKS.clear()
    return Site(root=root, title="t", base_url="https://x.org/")


def run(site: Site, **kwargs: Any) -> BuildResult:
    RENDERS.clear()
    FEED_RENDERS.clear()
    PAGE_RENDERS.clear()
    RELINKS.clear()
    kwargs.setdefault("jobs", 1)
    return build(site, stages=FakeStages(), **kwargs)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for p in root.rglob("*") if p.is_file()}


def test_cold_build_writes_everything(project: Site) -> None:
    result = run(project)
    assert (result.episodes, result.feeds, result.rendered) == (6, 2, 6)
    assert result.written == 6 + 2 * 2 + 2
    assert (result.unchanged, result.removed) == (0, 0)
    out = project.out_dir
    assert (out / "episodes" / "en-0" / "index.html").read_bytes() == \
        b"<h1>En-0</h1>some words<nav>prev=en-1:En-1</nav>"
    assert b"En-0|some words" in (out / "en" / "feed.xml").read_bytes()
    assert (out / "index.html").read_bytes() == b"En-0,En-1,En-2,Ka-0,Ka-1,Ka-2"


def test_no_change_rebuild_renders_and_writes_nothing(project: Site) -> None:
    run(project)
    before = mtimes(project.out_dir)
    state = project.root / ".companion" / "build-state.bin"
    state_mtime = state.stat().st_mtime_ns
    result = run(project)
    assert (result.written, result.removed, result.rendered) == (0, 0, 0)
    assert result.unchanged == 12
    assert (RENDERS, FEED_RENDERS, result.site_rendered) == ([], [], False)
    assert mtimes(project.out_dir) == before
    assert state.stat().st_mtime_ns == state_mtime


def test_edit_one_article_renders_it_its_feed_and_the_index(project: Site) -> None:
    run(project)
    before = mtimes(project.out_dir)
    article(project.root, "en-1", "en", body="new words")
    result = run(project)
    assert RENDERS == ["en-1"]
    assert FEED_RENDERS == ["en"]
    assert PAGE_RENDERS == []  # the show's page lists entries: none changed
    assert not result.site_rendered  # its index entry did not change
    changed = {k for k, v in mtimes(project.out_dir).items() if before[k] != v}
    assert changed == {"episodes/en-1/index.html", "en/feed.xml"}
    assert result.written == 2
    article(project.root, "en-1", "en", body="new words", title="Renamed")
    result = run(project)
    assert (RENDERS, FEED_RENDERS, result.site_rendered) == (["en-1"], ["en"], True)
    assert PAGE_RENDERS == ["en"]
    assert (project.out_dir / "en" / "index.html").read_bytes() == b"En-0RenamedEn-2"
    assert (project.out_dir / "index.html").read_bytes() == b"En-0,Renamed,En-2,Ka-0,Ka-1,Ka-2"
    # its neighbours name it: their pages are patched with the new title, not rendered
    assert sorted(RELINKS) == ["en-0", "en-2"]
    assert "Renamed" in (project.out_dir / "episodes" / "en-0" / "index.html").read_text()
    assert result.written == 4 + 2


def test_edit_that_keeps_the_bytes_rewrites_nothing(project: Site) -> None:
    run(project)
    path = project.root / "episodes" / "en-1.md"
    path.write_text(path.read_text())  # new mtime, same bytes
    os.utime(path, ns=(5, 5))
    result = run(project)
    assert (RENDERS, result.written) == ([], 0)


def test_template_change_renders_every_page(project: Site) -> None:
    run(project)
    (project.root / "templates").mkdir()
    (project.root / "templates" / "page.html").write_text("<h2>{title}</h2>{body}")
    result = run(project)
    assert sorted(RENDERS) == ["en-0", "en-1", "en-2", "ka-0", "ka-1", "ka-2"]
    assert result.written == 6  # pages; feeds and index have the same bytes
    page = project.out_dir / "episodes" / "ka-2" / "index.html"
    assert page.read_bytes().startswith(b"<h2>")


def test_feed_definition_change_touches_that_feed_only(project: Site) -> None:
    run(project)
    before = mtimes(project.out_dir)
    (project.root / "feeds" / "ka.toml").write_text('title = "ქართული"\nlang = "ka"\n')
    run(project)
    assert FEED_RENDERS == ["ka"]
    assert sorted(RENDERS) == ["ka-0", "ka-1", "ka-2"]
    changed = {k for k, v in mtimes(project.out_dir).items() if before[k] != v}
    assert changed == {"ka/feed.xml"}


def test_feed_selection_change_moves_episodes(project: Site) -> None:
    run(project)
    (project.root / "feeds" / "en.toml").write_text('title = "English"\nlang = "ka"\n')
    run(project)
    assert "Ka-0|" in (project.out_dir / "en" / "feed.xml").read_text()
    assert "En-0" not in (project.out_dir / "en" / "feed.xml").read_text()


def test_new_cache_file_renders_its_episode(project: Site) -> None:
    run(project)
    (project.root / "cache").mkdir()
    (project.root / "cache" / "ka-0.json").write_text("{fetched}")
    run(project)
    assert RENDERS == ["ka-0"]
    page = project.out_dir / "episodes" / "ka-0" / "index.html"
    assert page.read_text().endswith("{fetched}<nav>prev=ka-1:Ka-1</nav>")


def test_force_renders_everything_but_writes_no_equal_bytes(project: Site) -> None:
    run(project)
    result = run(project, force=True)
    assert len(RENDERS) == 6
    assert sorted(FEED_RENDERS) == ["en", "ka"]
    assert result.written == 0


def test_output_deleted_by_hand_comes_back(project: Site) -> None:
    run(project)
    (project.out_dir / "episodes" / "en-2" / "index.html").unlink()
    (project.out_dir / "index.html").unlink()
    result = run(project)
    assert RENDERS == ["en-2"]
    assert result.written == 2
    assert (project.out_dir / "episodes" / "en-2" / "index.html").exists()


def test_stale_outputs_are_removed(project: Site) -> None:
    run(project)
    (project.out_dir / "mine.txt").write_text("not ours")
    (project.root / "episodes" / "ka-1.md").unlink()
    result = run(project)
    assert result.removed == 1
    assert not (project.out_dir / "episodes" / "ka-1").exists()
    assert (project.out_dir / "mine.txt").exists()
    assert "Ka-1" not in (project.out_dir / "ka" / "feed.xml").read_text()
    (project.root / "feeds" / "ka.toml").unlink()
    result = run(project)
    assert not (project.out_dir / "ka").exists()
    assert result.removed == 2


def test_warnings_come_back_on_every_build(project: Site) -> None:
    article(project.root, "tiny", body="x")
    first = run(project)
    second = run(project)
    assert [p.where for p in first.problems] == ["tiny.md"]
    assert second.problems == first.problems


def test_a_broken_article_is_reported_and_the_rest_is_built(project: Site) -> None:
    article(project.root, "bad", body="BROKEN")
    result = run(project)
    assert [(p.severity, p.where, p.message) for p in result.errors] == [
        ("error", "bad.md", "broken article")]
    assert sorted(RENDERS) == ["en-0", "en-1", "en-2", "ka-0", "ka-1", "ka-2"]
    assert (project.out_dir / "en" / "feed.xml").exists()
    assert (project.out_dir / "index.html").exists()
    again = run(project)  # the error comes back from the state, nothing is rendered
    assert (RENDERS, again.errors) == ([], result.errors)


def test_duplicate_slug_leaves_both_out_and_builds_the_rest(project: Site) -> None:
    path = article(project.root, "other")
    path.write_text("title: X\nlang: en\nslug: en-0\n\nbody")
    result = run(project)
    assert sorted(p.where for p in result.errors) == ["episodes/en-0.md", "episodes/other.md"]
    assert all(p.field == "slug" for p in result.errors)
    assert not (project.out_dir / "episodes" / "en-0").exists()
    assert "En-0" not in (project.out_dir / "en" / "feed.xml").read_text()
    assert (project.out_dir / "episodes" / "en-1" / "index.html").exists()


def test_duplicate_slug_goes_to_the_published_article(project: Site) -> None:
    path = article(project.root, "other")
    path.write_text("title: X\nlang: en\nslug: en-0\nguid: g-other\n\nbody")
    stages = FakeStages(PublishedIndex({"en-0": "en-0"}, {"en": 3}))
    result = build(project, stages=stages, jobs=1)
    assert [p.where for p in result.errors] == ["episodes/other.md"]
    assert "which was published with it" in result.errors[0].message
    assert (project.out_dir / "episodes" / "en-0" / "index.html").read_bytes().startswith(
        b"<h1>En-0</h1>some words<nav>")


def test_duplicate_guid_keeps_the_published_one_in_the_feed(project: Site) -> None:
    path = article(project.root, "twin")
    path.write_text("title: Twin\nlang: en\nguid: en-1\n\nbody")
    unpublished = run(project)
    feed = (project.out_dir / "en" / "feed.xml").read_text()
    assert "Twin|" not in feed
    assert "En-1|" not in feed
    assert sorted(p.where for p in unpublished.errors) == ["episodes/en-1.md",
                                                          "episodes/twin.md"]
    assert (project.out_dir / "episodes" / "twin" / "index.html").exists()  # pages stay
    stages = FakeStages(PublishedIndex({"en-1": "en-1"}, {"en": 3}))
    published = build(project, stages=stages, jobs=1)
    feed = (project.out_dir / "en" / "feed.xml").read_text()
    assert "En-1|" in feed
    assert "Twin|" not in feed
    assert [p.where for p in published.errors] == ["episodes/twin.md"]


def test_drafts_and_scheduled_articles_are_not_built(project: Site) -> None:
    article(project.root, "draft").write_text("title: Draft\nlang: en\ndraft: true\n\nbody")
    article(project.root, "later").write_text(
        "title: Later\nlang: en\ndate: 2030-01-01T09:00:00+00:00\n\nbody")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    result = run(project, clock=Clock(now))
    assert sorted(RENDERS) == ["en-0", "en-1", "en-2", "ka-0", "ka-1", "ka-2"]
    assert not (project.out_dir / "episodes" / "draft").exists()
    assert not (project.out_dir / "episodes" / "later").exists()
    assert {s.slug: s.status for s in result.standings}["later"] == "scheduled"
    assert {s.slug: s.status for s in result.standings}["draft"] == "draft"
    preview = run(project, clock=Clock(now, drafts=True, future=True))
    assert sorted(RENDERS) == ["draft", "later"]
    assert preview.preview
    assert (project.out_dir / "episodes" / "draft" / "index.html").read_bytes().startswith(
        b"[draft]")
    assert "Later|" in (project.out_dir / "en" / "feed.xml").read_text()
    run(project, clock=Clock(now))  # back to the real thing: the previews go
    assert not (project.out_dir / "episodes" / "draft").exists()
    assert "Later|" not in (project.out_dir / "en" / "feed.xml").read_text()


def test_a_scheduled_article_is_released_by_the_clock_alone(project: Site) -> None:
    article(project.root, "later").write_text(
        "title: Later\nlang: en\ndate: 2030-01-01T09:00:00+00:00\n\nbody")
    run(project, clock=Clock(datetime(2029, 12, 31, tzinfo=UTC)))
    assert not (project.out_dir / "episodes" / "later").exists()
    result = run(project, clock=Clock(datetime(2030, 1, 1, 9, tzinfo=UTC)))
    assert RENDERS == ["later"]
    assert result.standings[[s.slug for s in result.standings].index("later")].status == "live"
    assert "Later|" in (project.out_dir / "en" / "feed.xml").read_text()


def test_an_empty_feed_is_not_written(project: Site) -> None:
    (project.root / "feeds" / "fr.toml").write_text('title = "French"\nlang = "fr"\n')
    result = run(project)
    assert not (project.out_dir / "fr").exists()
    assert [(p.severity, p.where) for p in result.warnings] == [("warning", "feeds/fr.toml")]
    assert "matches no article" in result.warnings[0].message
    assert result.feeds_written == ("en", "ka")


def test_an_empty_feed_whose_articles_cannot_be_read_says_so(project: Site) -> None:
    """An article that cannot be read has no known selection: a feed left empty by such
    articles does not claim its selection matches no article."""
    for i in range(3):
        article(project.root, f"ka-{i}", "ka", body="BROKEN")
    result = run(project)
    empty = [p for p in result.warnings if p.where == "feeds/ka.toml"]
    assert len(empty) == 1
    assert "matches no article that could be read; 3 articles could not be read" \
        in empty[0].message


def test_a_published_feed_that_would_be_empty_is_an_error(project: Site) -> None:
    run(project)
    for i in range(3):
        article(project.root, f"ka-{i}").write_text(
            f"title: Ka-{i}\nlang: ka\ndraft: true\n\nbody")
    stages = FakeStages(PublishedIndex({}, {"ka": 3}))
    result = build(project, stages=stages, jobs=1)
    assert [(p.where, p.field) for p in result.errors] == [("feeds/ka.toml", "select")]
    assert "3 draft (ka-0, ka-1, ka-2)" in result.errors[0].message
    assert not (project.out_dir / "ka" / "feed.xml").exists()


def test_a_killed_build_leaves_no_orphan(project: Site) -> None:
    run(project)
    journal = project.root / ".companion" / "journal"
    orphan = project.out_dir / "media" / "orphan.mp3"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"tagged by a build that was killed")
    journal.write_text(f"{project.out_dir.resolve()}\tmedia/orphan.mp3\n")
    result = run(project)
    assert not orphan.exists()
    assert result.removed == 1
    assert not journal.exists()
    (project.out_dir / "media").mkdir()
    theirs = project.out_dir / "media" / "theirs.mp3"
    theirs.write_bytes(b"not written by companion")
    run(project, force=True)
    assert theirs.exists()  # never a file it did not write


def test_two_fresh_builds_are_identical(project: Site, tmp_path: Path) -> None:
    run(project)
    run(project, out=tmp_path / "again", force=True)
    assert tree(project.out_dir) == tree(tmp_path / "again")


def test_parallel_build_matches_serial(project: Site, tmp_path: Path) -> None:
    for i in range(80):
        article(project.root, f"many-{i:03}", "ka" if i % 3 else "en", body=f"body {i} " * 50)
    serial = run(project)
    parallel = build(project, tmp_path / "par", stages=FakeStages(), jobs=2, force=True)
    assert parallel.rendered == serial.rendered == 86
    assert tree(project.out_dir) == tree(tmp_path / "par")


def test_parallel_build_renders_in_the_calling_process_too(project: Site,
                                                           tmp_path: Path) -> None:
    """Two jobs are one worker process and this one: the parent renders chunks while the
    worker's are not back (RENDERS counts only the renders of this process)."""
    for i in range(80):
        article(project.root, f"many-{i:03}", body=f"body {i} " * 50)
    RENDERS.clear()
    build(project, stages=FakeStages(), jobs=2)
    local = len(RENDERS)
    assert 0 < local <= 86 - 2 * 24  # the worker holds two chunks from the start
    assert tree(project.out_dir) == tree(build_serial(project, tmp_path))


def build_serial(project: Site, tmp_path: Path) -> Path:
    run(project, out=tmp_path / "serial", force=True)
    return tmp_path / "serial"


def test_parallel_renderer_error_keeps_where_and_fix(project: Site) -> None:
    for i in range(60):
        article(project.root, f"many-{i:03}")
    article(project.root, "many-bad", body="CRASH")
    with pytest.raises(RenderError) as info:
        build(project, stages=FakeStages(), jobs=2)
    assert (info.value.where, info.value.fix) == ("many-bad.md", "mend it")


def test_lost_build_cache_means_a_full_render(project: Site) -> None:
    run(project)
    for name in ("parts.sqlite", "parts.sqlite-wal", "parts.sqlite-shm"):
        (project.root / ".companion" / name).unlink(missing_ok=True)
    result = run(project)
    assert (result.rendered, result.written) == (6, 0)


def test_a_part_missing_from_the_store_is_named_with_the_fix(project: Site) -> None:
    """A feed assembled after an edit reads its other members' parts: one that the store
    lost is one clear error, with the command that mends it (not a traceback)."""
    import sqlite3

    run(project)
    with sqlite3.connect(project.root / ".companion" / "parts.sqlite") as db:
        db.execute("DELETE FROM items WHERE key = ?", ("episodes/en-0.md",))
    article(project.root, "en-1", "en", body="new words")
    with pytest.raises(RenderError) as info:
        run(project)
    assert "no parts" in str(info.value)
    assert info.value.fix == "run `companion build --force`"
    assert run(project, force=True).rendered == 6


def test_progress_is_reported(project: Site) -> None:
    seen: list[tuple[str, int, int]] = []
    build(project, stages=FakeStages(), jobs=1, progress=lambda *a: seen.append(a))
    assert seen[0] == ("render", 0, 6)
    assert seen[-1] == ("render", 6, 6)


# -- neighbours: each page links the older and newer episode of its first show ---------------


def dated(root: Path, slug: str, day: int, title: str | None = None) -> Path:
    path = article(root, slug, "en", title=title)
    text = path.read_text()
    path.write_text(text.replace("\n\n", f"\ndate: 2025-01-{day:02d}T08:00:00+00:00\n\n", 1))
    return path


def page_of(site: Site, slug: str) -> str:
    return (site.out_dir / "episodes" / slug / "index.html").read_text()


def test_a_cold_build_gives_every_page_its_neighbours_rendering_each_once(project: Site) -> None:
    for n, slug in enumerate(("en-0", "en-1", "en-2")):
        dated(project.root, slug, 10 + n)
    result = run(project)
    assert sorted(RENDERS) == ["en-0", "en-1", "en-2", "ka-0", "ka-1", "ka-2"]  # once each
    assert result.rendered == 6
    # newest first: en-2 (12th), en-1, en-0; "prev" is the older one, "next" the newer
    assert page_of(project, "en-2").endswith("<nav>prev=en-1:En-1</nav>")
    assert page_of(project, "en-1").endswith("<nav>prev=en-0:En-0 next=en-2:En-2</nav>")
    assert page_of(project, "en-0").endswith("<nav>next=en-1:En-1</nav>")
    assert result.written == 6 + 2 * 2 + 2  # a patched page counts once


def test_a_new_episode_patches_its_neighbours_pages_without_rendering_them(
        project: Site) -> None:
    for n, slug in enumerate(("en-0", "en-1", "en-2")):
        dated(project.root, slug, 10 + n)
    run(project)
    assert run(project).written == 0  # nothing moved
    dated(project.root, "en-3", 20, title="Newest")
    run(project)
    assert RENDERS == ["en-3"]
    assert RELINKS == ["en-2", "en-3"]  # the old newest, and the new one (first guess: none)
    assert page_of(project, "en-2").endswith("<nav>prev=en-1:En-1 next=en-3:Newest</nav>")
    assert page_of(project, "en-3").endswith("<nav>prev=en-2:En-2</nav>")
    assert run(project).written == 0


def test_a_page_that_cannot_be_patched_is_rendered_again(project: Site) -> None:
    (project.root / "templates").mkdir()
    (project.root / "templates" / "page.html").write_text("<h1>{title}</h1>{body} NOPATCH")
    for n, slug in enumerate(("en-0", "en-1")):
        dated(project.root, slug, 10 + n)
    run(project)
    assert sorted(RENDERS) == sorted(2 * ["en-0", "en-1", "en-2", "ka-0", "ka-1", "ka-2"])
    assert page_of(project, "en-1").endswith("NOPATCH<nav>prev=en-0:En-0</nav>")
    assert run(project).written == 0


def test_hidden_episodes_are_nobodys_neighbour(project: Site) -> None:
    for n, slug in enumerate(("en-0", "en-1", "en-2")):
        dated(project.root, slug, 10 + n)
    path = project.root / "episodes" / "en-1.md"
    path.write_text(path.read_text().replace("\n\n", "\nhidden: true\n\n", 1))
    run(project)
    assert page_of(project, "en-2").endswith("<nav>prev=en-0:En-0</nav>")
    assert page_of(project, "en-1").endswith("<nav></nav>")


def test_a_changed_date_reorders_the_neighbours_after_a_no_change_build(project: Site) -> None:
    for n, slug in enumerate(("en-0", "en-1", "en-2")):
        dated(project.root, slug, 10 + n)
    run(project)
    again = run(project)  # nothing read or rendered: the neighbours are worked out once
    assert (again.rendered, again.written, RELINKS) == (0, 0, [])
    moved = dated(project.root, "en-0", 20)  # the oldest becomes the newest
    later = moved.stat().st_mtime_ns + 10**9  # as big as before: its time says it changed
    os.utime(moved, ns=(later, later))
    run(project)
    assert RENDERS == ["en-0"]
    assert page_of(project, "en-0").endswith("<nav>prev=en-2:En-2</nav>")
    assert page_of(project, "en-2").endswith("<nav>prev=en-1:En-1 next=en-0:En-0</nav>")
    assert page_of(project, "en-1").endswith("<nav>next=en-2:En-2</nav>")
    assert run(project).written == 0


def test_a_removed_article_joins_its_neighbours_though_none_is_read(project: Site) -> None:
    for n, slug in enumerate(("en-0", "en-1", "en-2")):
        dated(project.root, slug, 10 + n)
    run(project)
    (project.root / "episodes" / "en-1.md").unlink()
    result = run(project)
    assert result.removed == 1
    assert page_of(project, "en-2").endswith("<nav>prev=en-0:En-0</nav>")
    assert page_of(project, "en-0").endswith("<nav>next=en-2:En-2</nav>")
    assert run(project).written == 0


class CollectorSeen(FakeStages):
    """Notes how the collector stands while the build runs (feeds load after the state)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, int]] = []

    def load_feeds(self, site: Site) -> tuple[list[FeedDefinition], list[Problem]]:
        self.seen.append((gc.get_freeze_count(), gc.get_threshold()[0]))
        return super().load_feeds(site)


def test_a_build_gives_the_collector_back_as_it_found_it(project: Site) -> None:
    thresholds = gc.get_threshold()
    stages = CollectorSeen()
    build(project, stages=stages, jobs=1)
    frozen, young = stages.seen.pop()
    assert frozen > 0  # the loaded state left alone during the build
    assert young == YOUNG
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == (True, thresholds, 0)
    gc.disable()
    try:
        run(project)
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()
    assert gc.get_freeze_count() == 0


def test_a_build_beside_another_leaves_the_collector_to_it(project: Site) -> None:
    thresholds = gc.get_threshold()
    stages = CollectorSeen()
    with _TENDER:  # as while another thread's build runs
        build(project, stages=stages, jobs=1)
    assert stages.seen.pop() == (0, thresholds[0])
    assert (gc.isenabled(), gc.get_threshold()) == (True, thresholds)


def test_a_shared_dependency_that_appears_rebuilds_every_article(project: Site) -> None:
    run(project)
    assert run(project).rendered == 0  # pairing.toml absent then and now: asked once
    (project.root / "pairing.toml").write_text("# who is paired with whom\n")
    assert run(project).rendered == 6
    assert run(project).rendered == 0
