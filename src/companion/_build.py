"""`build`: the whole pipeline, incremental, parallel when there is much to do.

    feeds/*.toml ─load─▶ FeedDefinitions ──────────────────┐
    episodes/* ─(changed only)─ read ─ pair ─ render ─▶ episode files, entry, item
                                                            ├─▶ feed.xml + feed page
                                                            └─▶ index, sitemap, robots

The stage calls live behind two small seams so the machinery can be tested
with fakes: `Stages` (what every process needs once: feeds, the files that
affect every page) and `Renderer` (one per process: renders a batch of
articles, a feed, the site pages). `companion._stages.RealStages` binds them
to the real stage modules.

What each output depends on is hashed into a key (see `_incremental`); an
unchanged key and an unchanged file on disk mean nothing is rendered or written.
Feeds and the site pages are assembled from per-episode parts kept in
``.companion/parts/``, so an edit to one article re-renders that article, the
feeds it belongs to and the index pages, and nothing else.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import companion
from companion._errors import CompanionError, Problem, ReadError, Severity
from companion._incremental import (
    BuildState,
    EpisodeState,
    FeedState,
    FileHashes,
    Parts,
    digest,
    digest_object,
    load_state,
    save_state,
)
from companion._model import FeedDefinition, OutputFile, Site
from companion._writer import Writer

Progress = Callable[[str, int, int], None]

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
SIDECAR_SUFFIXES = (".yml", ".yaml")
PARALLEL_FROM = 48  # fewer changed articles than this render in-process
CHUNK = 24  # articles per worker task


@dataclass(frozen=True)
class BuildResult:
    written: int
    unchanged: int
    removed: int
    episodes: int
    feeds: int
    problems: list[Problem] = field(default_factory=list)
    rendered: int = 0  # episodes rendered this time (the rest came from the last build)
    feeds_rendered: int = 0
    site_rendered: bool = False


@dataclass(frozen=True)
class EpisodeBuild:
    """What one article renders to."""

    source: str  # project-relative path of the article file
    slug: str
    deps: tuple[str, ...]  # project-relative files it was made from (may not exist)
    files: tuple[OutputFile, ...]
    entry: Any  # small and picklable: what the index pages and feed selection need
    item: Any  # picklable: what a feed needs of it beyond the entry (None: not in feeds)
    feeds: tuple[str, ...]  # slugs of the feeds it belongs to
    problems: tuple[Problem, ...] = ()
    hashes: Mapping[str, str] = field(default_factory=dict)  # sha256 of `source` files


@dataclass(frozen=True)
class Rendered:
    """Files and problems of a feed or of the site pages."""

    files: tuple[OutputFile, ...]
    problems: tuple[Problem, ...] = ()


class Renderer(Protocol):
    """One per process: holds what is costly to make (templates, Markdown parser)."""

    def episodes(self, sources: Sequence[Path]) -> list[EpisodeBuild]: ...

    def members(self, entry: Any) -> list[str]: ...

    def feed(self, feed: FeedDefinition, entries: Sequence[Any],
             items: Sequence[Any]) -> Rendered: ...

    def site_pages(self, entries: Sequence[Any]) -> Rendered: ...


class Stages(Protocol):
    """The stage calls a build makes; picklable, so worker processes get a copy."""

    def load_feeds(self, site: Site) -> tuple[list[FeedDefinition], list[Problem]]: ...

    def page_inputs(self, site: Site) -> list[Path]: ...

    def renderer(self, site: Site, feeds: Sequence[FeedDefinition]) -> Renderer: ...


def default_stages() -> Stages:
    return RealStages()


def build(site: Site, out: Path | None = None, *, force: bool = False, jobs: int | None = None,
          progress: Progress | None = None, stages: Stages | None = None) -> BuildResult:
    """Build the site into `out` (default: the project's ``out`` folder), incrementally.

    `force` ignores what the previous build left; `jobs` caps worker processes (default:
    all cores). A `CompanionError` aborts the build; warnings come back as problems.
    """
    job = _Build(site, out or site.out_dir, stages or default_stages(), force,
                 jobs or os.cpu_count() or 1, progress or _silent)
    return job.run()


def _silent(stage: str, done: int, total: int) -> None:
    return None


def discover(site: Site) -> list[str]:
    """Project-relative paths of the article files under episodes/, sorted."""
    found: list[str] = []
    root = site.episodes_dir
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder).relative_to(site.root).as_posix()
        found.extend(f"{base}/{name}" for name in files
                     if not name.startswith(".") and name.lower().endswith(ARTICLE_SUFFIXES))
    return sorted(found)


def base_deps(source: str) -> tuple[str, ...]:
    """An article and the sidecars it may have."""
    if not source.lower().endswith(".txt"):
        return (source,)
    stem = source[: -len(".txt")]
    return (source, *(stem + suffix for suffix in SIDECAR_SUFFIXES))


def code_fingerprint() -> str:
    """The package version and its code files' stat: new code renders everything again."""
    folder = Path(companion.__file__).parent
    stats = []
    for path in sorted(folder.rglob("*.py")):
        stat = path.stat()
        stats.append(f"{path.relative_to(folder)}:{stat.st_mtime_ns}:{stat.st_size}")
    return digest(companion.__version__, *stats)


# -- the build -----------------------------------------------------------------------------


class _Build:
    def __init__(self, site: Site, out: Path, stages: Stages, force: bool, jobs: int,
                 progress: Progress) -> None:
        self.site = site
        self.out = out.resolve()
        self.stages = stages
        self.jobs = max(1, jobs)
        self.progress = progress
        old = load_state(site.root)
        previous = old.outputs if old.out_dir == str(self.out) else {}
        self.old = BuildState() if force or not previous else old
        self.writer = Writer(self.out, previous)
        self.hashes = FileHashes(site.root, {} if force else old.files)
        self.parts = Parts(site.root)
        self.new = BuildState(out_dir=str(self.out))
        self.problems: list[Problem] = []
        self._renderer: Renderer | None = None
        self._entries: dict[str, Any] | None = None
        self.fresh_entries: dict[str, Any] = {}
        self.rendered = 0
        self.feeds_rendered = 0
        self.site_rendered = False

    # -- run ----------------------------------------------------------------------------

    def run(self) -> BuildResult:
        feeds, problems = self.stages.load_feeds(self.site)
        self.problems.extend(problems)
        self.feeds = {f.slug: f for f in feeds}
        self.feed_keys = {f.slug: self._feed_key(f) for f in feeds}
        self.pages_key = self._pages_key()
        sources = discover(self.site)
        dirty = self._clean_episodes(sources)
        self._render_episodes(dirty)
        self._check_slugs()
        for feed in feeds:
            self._feed(feed, sources)
        self._site_pages(sources)
        removed = self.writer.remove_stale()
        self._drop_parts(sources)
        self._save(bool(removed))
        return self._result(len(sources))

    def _result(self, episodes: int) -> BuildResult:
        counts = self.writer.counts()
        problems = sorted(set(self.problems), key=lambda p: (p.where, p.message))
        return BuildResult(counts.written, counts.unchanged, counts.removed, episodes,
                           len(self.feeds), problems, self.rendered, self.feeds_rendered,
                           self.site_rendered)

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = self.stages.renderer(self.site, list(self.feeds.values()))
        return self._renderer

    # -- keys ---------------------------------------------------------------------------

    def _pages_key(self) -> str:
        inputs = sorted(str(p) for p in self.stages.page_inputs(self.site))
        return digest(code_fingerprint(), str(self.out), self.site.base_url,
                      self.hashes.hash("companion.toml"), self.hashes.hash_many(inputs))

    def _feed_key(self, feed: FeedDefinition) -> str:
        rel = _project_rel(feed.path, self.site)
        artwork = feed.artwork or ""
        local = "" if not artwork or "://" in artwork else self.hashes.hash(artwork)
        return digest(digest_object(feed), self.hashes.hash(rel), local)

    def _episode_key(self, deps: Iterable[str], feeds: Iterable[str]) -> str:
        member_keys = (f"{slug}={self.feed_keys.get(slug, '')}" for slug in sorted(feeds))
        return digest(self.pages_key, self.hashes.hash_many(deps), *member_keys)

    def _feeds_changed(self) -> bool:
        old = {slug: state.defkey for slug, state in self.old.feeds.items()}
        return old != self.feed_keys

    # -- episodes -----------------------------------------------------------------------

    def _clean_episodes(self, sources: list[str]) -> list[str]:
        """Carry over every episode whose key and outputs still hold; return the others."""
        recheck = self._feeds_changed()
        dirty: list[str] = []
        for source in sources:
            state = self.old.episodes.get(source)
            if state is None or not self._still_good(source, state, recheck):
                dirty.append(source)
        return dirty

    def _still_good(self, source: str, state: EpisodeState, recheck: bool) -> bool:
        feeds = state.feeds
        if recheck:
            entry = self.entries().get(source)
            if entry is None:
                return False
            feeds = sorted(self.renderer.members(entry))
        if self._episode_key(state.deps, feeds) != state.key:
            return False
        if not self.writer.keep_all(state.outputs):
            return False
        self.new.episodes[source] = EpisodeState(
            state.slug, state.deps, state.key, state.outputs, feeds, state.entry, state.item,
            state.problems)
        self.problems.extend(_problem(p) for p in state.problems)
        return True

    def _render_episodes(self, dirty: list[str]) -> None:
        total = len(dirty)
        self.progress("render", 0, total)
        for done, (build, item_digest) in enumerate(self._renders(dirty), start=1):
            self._take(build, item_digest)
            self.progress("render", done, total)

    def _renders(self, dirty: list[str]) -> Iterator[tuple[EpisodeBuild, str]]:
        paths = [self.site.root / source for source in dirty]
        if self.jobs > 1 and len(paths) >= PARALLEL_FROM:
            yield from _parallel(self.site, self.stages, list(self.feeds.values()), paths,
                                 self.jobs)
        else:
            for start in range(0, len(paths), CHUNK):
                yield from _save_items(self.parts, self.renderer.episodes(
                    paths[start:start + CHUNK]))

    def _take(self, build: EpisodeBuild, item_digest: str) -> None:
        outputs: dict[str, str] = {}
        for file in build.files:
            self.writer.write(file, build.hashes.get(file.path))
            outputs[file.path] = self.writer.records[file.path][2]
        deps = sorted(set(build.deps) | set(base_deps(build.source)))
        feeds = sorted(build.feeds)
        self.new.episodes[build.source] = EpisodeState(
            build.slug, deps, self._episode_key(deps, feeds), outputs, feeds,
            digest_object(build.entry), item_digest, [p.to_json() for p in build.problems])
        self.fresh_entries[build.source] = build.entry
        self.problems.extend(build.problems)
        self.rendered += 1

    def _check_slugs(self) -> None:
        seen: dict[str, str] = {}
        for source, state in sorted(self.new.episodes.items()):
            other = seen.setdefault(state.slug, source)
            if other != source:
                raise ReadError(f"same slug {state.slug!r} as {other}", where=source,
                                field="slug", fix=f"give one of {other} and {source} its own slug")

    def entries(self) -> dict[str, Any]:
        """Every episode's index entry: last build's, updated with this build's."""
        if self._entries is None:
            self._entries = self.parts.load_entries()
        self._entries.update(self.fresh_entries)
        self.fresh_entries = {}
        return self._entries

    # -- feeds and site pages -------------------------------------------------------------

    def _feed(self, feed: FeedDefinition, sources: list[str]) -> None:
        members = [s for s in sources if s in self.new.episodes
                   and feed.slug in self.new.episodes[s].feeds]
        parts = (f"{s}={self.new.episodes[s].entry}:{self.new.episodes[s].item}"
                 for s in members)
        key = digest(self.pages_key, self.feed_keys[feed.slug], *parts)
        old = self.old.feeds.get(feed.slug)
        if old is not None and old.key == key and self.writer.keep_all(old.outputs):
            self.new.feeds[feed.slug] = FeedState(key, old.outputs, self.feed_keys[feed.slug],
                                                  old.problems)
            self.problems.extend(_problem(p) for p in old.problems)
            return
        entries = self.entries()
        items = [self.parts.load_item(s) for s in members]
        rendered = self.renderer.feed(feed, [entries[s] for s in members], items)
        outputs = self._write_all(rendered.files)
        self.problems.extend(rendered.problems)
        self.new.feeds[feed.slug] = FeedState(key, outputs, self.feed_keys[feed.slug],
                                              [p.to_json() for p in rendered.problems])
        self.feeds_rendered += 1

    def _site_pages(self, sources: list[str]) -> None:
        parts = (f"{s}={self.new.episodes[s].entry}" for s in sources if s in self.new.episodes)
        feeds = (f"{slug}={key}" for slug, key in sorted(self.feed_keys.items()))
        key = digest(self.pages_key, *feeds, *parts)
        if key == self.old.site_key and self.writer.keep_all(self.old.site_outputs):
            self.new.site_key, self.new.site_outputs = key, self.old.site_outputs
            return
        entries = self.entries()
        rendered = self.renderer.site_pages(
            [entries[s] for s in sources if s in self.new.episodes])
        self.new.site_key, self.new.site_outputs = key, self._write_all(rendered.files)
        self.problems.extend(rendered.problems)
        self.site_rendered = True

    def _write_all(self, files: Iterable[OutputFile]) -> dict[str, str]:
        outputs: dict[str, str] = {}
        for file in files:
            self.writer.write(file)
            outputs[file.path] = self.writer.records[file.path][2]
        return outputs

    # -- state ----------------------------------------------------------------------------

    def _drop_parts(self, sources: list[str]) -> None:
        gone = set(self.old.episodes) - set(sources)
        for source in gone:
            self.parts.drop_item(source)

    def _save(self, removed: bool) -> None:
        changed = (removed or self.rendered or self.feeds_rendered or self.site_rendered
                   or self.writer.written or self.hashes.seen != self.old.files
                   or self.new.episodes.keys() != self.old.episodes.keys())
        if not changed:
            return
        if self.rendered or self._entries is not None:
            entries = self.entries()
            self.parts.save_entries({s: entries[s] for s in sorted(self.new.episodes)})
        self.new.files = dict(self.hashes.seen)
        self.new.outputs = dict(self.writer.records)
        save_state(self.site.root, self.new)


_SEVERITY: dict[str | None, Severity] = {"error": "error", "warning": "warning", "info": "info"}


def _problem(data: Mapping[str, str | None]) -> Problem:
    return Problem(_SEVERITY.get(data.get("severity"), "warning"), data.get("where") or "",
                   data.get("message") or "", data.get("fix") or "",
                   data.get("field"))


def _project_rel(path: Path, site: Site) -> str:
    try:
        return path.resolve().relative_to(site.root).as_posix()
    except ValueError:
        return str(path)


# -- worker processes ----------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(site: Site, stages: Stages, feeds: list[FeedDefinition]) -> None:
    _WORKER["renderer"] = stages.renderer(site, feeds)
    _WORKER["parts"] = Parts(site.root)


def _work(paths: list[Path]) -> list[tuple[EpisodeBuild, str]] | _Failure:
    try:
        return list(_save_items(_WORKER["parts"], _WORKER["renderer"].episodes(paths)))
    except CompanionError as exc:
        return _Failure(type(exc), exc.message, exc.where, exc.field, exc.fix)


@dataclass(frozen=True)
class _Failure:
    """A `CompanionError` raised in a worker, carried back whole (with where and fix)."""

    kind: type[CompanionError]
    message: str
    where: str
    field: str | None
    fix: str

    def error(self) -> CompanionError:
        return self.kind(self.message, where=self.where, field=self.field, fix=self.fix)


def _save_items(parts: Parts, builds: Iterable[EpisodeBuild]
                ) -> Iterator[tuple[EpisodeBuild, str]]:
    """Store each episode's feed part on disk; hand back the build without it."""
    for build in builds:
        item_digest = parts.save_item(build.source, build.item)
        yield dataclasses.replace(build, item=None), item_digest


def _parallel(site: Site, stages: Stages, feeds: list[FeedDefinition], paths: list[Path],
              jobs: int) -> Iterator[tuple[EpisodeBuild, str]]:
    """Render in `jobs` processes, at most 2 chunks per process in flight, results streamed
    in completion order (memory stays flat however many articles there are)."""
    chunks = iter([paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)])
    with ProcessPoolExecutor(jobs, initializer=_init_worker,
                             initargs=(site, stages, feeds)) as pool:
        pending: set[Future[list[tuple[EpisodeBuild, str]] | _Failure]] = set()
        for chunk in chunks:
            pending.add(pool.submit(_work, chunk))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                if isinstance(result, _Failure):
                    raise result.error()
                yield from result
                chunk = next(chunks, [])
                if chunk:
                    pending.add(pool.submit(_work, chunk))


class RealStages:
    """The real stage modules (filled in as they land)."""
