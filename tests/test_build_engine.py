"""The incremental build machinery, driven by fake stages (independent of the real ones)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from companion._build import BuildResult, EpisodeBuild, Rendered, build
from companion._errors import Problem, ReadError
from companion._model import FeedDefinition, FeedSelection, OutputFile, Person, Site

RENDERS: list[str] = []
FEED_RENDERS: list[str] = []


@dataclass(frozen=True)
class Entry:
    slug: str
    title: str
    lang: str


class FakeRenderer:
    def __init__(self, site: Site, feeds: Sequence[FeedDefinition]) -> None:
        self.site = site
        self.feeds = list(feeds)
        template = site.templates_dir / "page.html"
        self.template = template.read_text() if template.exists() else "<h1>{title}</h1>{body}"

    def episodes(self, sources: Sequence[Path]) -> list[EpisodeBuild]:
        return [self.one(path) for path in sources]

    def one(self, path: Path) -> EpisodeBuild:
        head, _, body = path.read_text().partition("\n\n")
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        if "BROKEN" in body:
            raise ReadError("broken article", where=path.name, fix="mend it")
        slug = meta.get("slug", path.stem)
        extra = self.site.cache_dir / f"{slug}.json"
        body += extra.read_text() if extra.exists() else ""
        RENDERS.append(slug)
        entry = Entry(slug, meta["title"], meta["lang"])
        html = self.template.format(title=entry.title, body=body).encode()
        problems = (Problem("warning", path.name, "short"),) if len(body) < 5 else ()
        return EpisodeBuild(
            source=path.relative_to(self.site.root).as_posix(), slug=slug,
            deps=(f"{self.site.cache}/{slug}.json",),
            files=(OutputFile(f"episodes/{slug}/index.html", "text/html", data=html),),
            entry=entry, item=body, feeds=tuple(self.members(entry)), problems=problems)

    def members(self, entry: Any) -> list[str]:
        return [f.slug for f in self.feeds if entry.lang in f.select.languages]

    def feed(self, feed: FeedDefinition, entries: Sequence[Any],
             items: Sequence[Any]) -> Rendered:
        FEED_RENDERS.append(feed.slug)
        xml = "".join(f"<item>{e.title}|{i}</item>" for e, i in zip(entries, items, strict=True))
        index = "".join(e.title for e in entries)
        return Rendered((
            OutputFile(f"{feed.slug}/feed.xml", "application/rss+xml", "feed",
                       data=f"<rss><title>{feed.title}</title>{xml}</rss>".encode()),
            OutputFile(f"{feed.slug}/index.html", "text/html", data=index.encode()),
        ))

    def site_pages(self, entries: Sequence[Any]) -> Rendered:
        titles = ",".join(e.title for e in entries)
        return Rendered((OutputFile("index.html", "text/html", data=titles.encode()),
                         OutputFile("robots.txt", "text/plain", data=b"User-agent: *\n")))


class FakeStages:
    def load_feeds(self, site: Site) -> tuple[list[FeedDefinition], list[Problem]]:
        feeds = []
        for path in sorted(site.feeds_dir.glob("*.toml")):
            data = tomllib.loads(path.read_text())
            feeds.append(FeedDefinition(
                slug=path.stem, path=path, title=data["title"], description="", author="a",
                owner=Person("a"), language=data["lang"], artwork=None,
                select=FeedSelection(languages=(data["lang"],))))
        return feeds, []

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
    return Site(root=root, title="t", base_url="https://x.org/")


def run(site: Site, **kwargs: Any) -> BuildResult:
    RENDERS.clear()
    FEED_RENDERS.clear()
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
    assert (out / "episodes" / "en-0" / "index.html").read_bytes() == b"<h1>En-0</h1>some words"
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
    assert not result.site_rendered  # its index entry did not change
    changed = {k for k, v in mtimes(project.out_dir).items() if before[k] != v}
    assert changed == {"episodes/en-1/index.html", "en/feed.xml"}
    assert result.written == 2
    article(project.root, "en-1", "en", body="new words", title="Renamed")
    result = run(project)
    assert (RENDERS, FEED_RENDERS, result.site_rendered) == (["en-1"], ["en"], True)
    assert (project.out_dir / "index.html").read_bytes() == b"En-0,Renamed,En-2,Ka-0,Ka-1,Ka-2"
    assert result.written == 4


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
    assert page.read_text().endswith("{fetched}")


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


def test_user_error_aborts(project: Site) -> None:
    article(project.root, "bad", body="BROKEN")
    with pytest.raises(ReadError, match="broken article"):
        run(project)


def test_duplicate_slug_is_an_error(project: Site) -> None:
    path = article(project.root, "other")
    path.write_text("title: X\nlang: en\nslug: en-0\n\nbody")
    with pytest.raises(ReadError, match="en-0"):
        run(project)


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


def test_parallel_user_error_keeps_where_and_fix(project: Site) -> None:
    for i in range(60):
        article(project.root, f"many-{i:03}")
    article(project.root, "many-bad", body="BROKEN")
    with pytest.raises(ReadError) as info:
        build(project, stages=FakeStages(), jobs=2)
    assert (info.value.where, info.value.fix) == ("many-bad.md", "mend it")


def test_lost_build_cache_means_a_full_render(project: Site) -> None:
    import shutil

    run(project)
    shutil.rmtree(project.root / ".companion" / "parts")
    result = run(project)
    assert (result.rendered, result.written) == (6, 0)


def test_progress_is_reported(project: Site) -> None:
    seen: list[tuple[str, int, int]] = []
    build(project, stages=FakeStages(), jobs=1, progress=lambda *a: seen.append(a))
    assert seen[0] == ("render", 0, 6)
    assert seen[-1] == ("render", 6, 6)
