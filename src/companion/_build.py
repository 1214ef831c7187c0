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
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import companion
from companion._errors import CompanionError, Problem, ReadError, RenderError, Severity
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
from companion._model import Audio, Episode, FeedDefinition, OutputFile, Site
from companion._writer import Writer

if TYPE_CHECKING:  # the process pool is imported when a build is large enough to use one
    from concurrent.futures import Future

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
    guid: str = ""  # the episode's GUID (explicit, or derived from its video or audio)


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
        self.parts = Parts(site.root)
        usable = previous and self.parts.exist()
        self.old = old if usable and not force else BuildState()
        self.writer = Writer(self.out, previous)
        self.hashes = FileHashes(site.root, {} if force else old.files)
        self.new = BuildState(out_dir=str(self.out))
        self.problems: list[Problem] = []
        self._renderer: Renderer | None = None
        self._entries: dict[str, Any] = {}
        self._slugs: dict[str, str] = {}
        self._guids: dict[str, str] = {}
        self.rendered = 0
        self.feeds_rendered = 0
        self.site_rendered = False

    # -- run ----------------------------------------------------------------------------

    def run(self) -> BuildResult:
        feeds, problems = self.stages.load_feeds(self.site)
        self.problems.extend(problems)
        self.feeds = {f.slug: f for f in feeds}
        self.feed_keys = {f.slug: self._feed_key(f) for f in feeds}
        self.pages_key = self.new.pages_key = self._pages_key()
        sources = discover(self.site)
        dirty = self._clean_episodes(sources)
        self._render_episodes(dirty)
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
        same_pages = self.pages_key == self.old.pages_key
        dirty: list[str] = []
        for source in sources:
            state = self.old.episodes.get(source)
            if state is None or not self._still_good(source, state, recheck, same_pages):
                dirty.append(source)
        return dirty

    def _still_good(self, source: str, state: EpisodeState, recheck: bool,
                    same_pages: bool) -> bool:
        feeds = state.feeds
        if recheck:
            entry = self._entry(source)
            if entry is None:
                return False
            feeds = sorted(self.renderer.members(entry))
        fast = same_pages and not recheck and self.hashes.all_unchanged(state.deps)
        if not fast and self._episode_key(state.deps, feeds) != state.key:
            return False
        if not self.writer.keep_all(state.outputs):
            return False
        self._claim(state.slug, state.guid, source)
        self.new.episodes[source] = (state if feeds is state.feeds
                                     else dataclasses.replace(state, feeds=feeds))
        if state.problems:
            self.problems.extend(_problem(p) for p in state.problems)
        return True

    def _render_episodes(self, dirty: list[str]) -> None:
        total = len(dirty)
        self.progress("render", 0, total)
        for done, (build, digests) in enumerate(self._renders(dirty), start=1):
            self._take(build, *digests)
            self.progress("render", done, total)

    def _renders(self, dirty: list[str]) -> Iterator[tuple[EpisodeBuild, tuple[str, str]]]:
        paths = [self.site.root / source for source in dirty]
        if self.jobs > 1 and len(paths) >= PARALLEL_FROM:
            yield from _parallel(self.site, self.stages, list(self.feeds.values()), paths,
                                 self.jobs)
        else:
            for start in range(0, len(paths), CHUNK):
                yield from _save_items(self.parts, self.renderer.episodes(
                    paths[start:start + CHUNK]))

    def _take(self, build: EpisodeBuild, entry_digest: str, item_digest: str) -> None:
        self._claim(build.slug, build.guid, build.source)
        outputs: dict[str, str] = {}
        for file in build.files:
            self.writer.write(file, build.hashes.get(file.path))
            outputs[file.path] = self.writer.records[file.path][2]
        deps = sorted(set(build.deps) | set(base_deps(build.source)))
        feeds = sorted(build.feeds)
        self.new.episodes[build.source] = EpisodeState(
            build.slug, deps, self._episode_key(deps, feeds), outputs, feeds,
            entry_digest, item_digest, [p.to_json() for p in build.problems], build.guid)
        self._entries.pop(build.source, None)  # the new one is in the parts cache
        self.problems.extend(build.problems)
        self.rendered += 1

    def _claim(self, slug: str, guid: str, source: str) -> None:
        """One slug and one GUID, one article: a second one is the producer's error, named
        before any of its files is written. Both are claimed by episodes carried over from
        the last build too (from the state), so the claim holds when only one of the two
        articles changed."""
        other = self._slugs.setdefault(slug, source)
        if other != source:
            first, second = sorted((other, source))
            raise ReadError(f"same slug {slug!r} as {first}", where=second, field="slug",
                            fix=f"give one of {first} and {second} its own slug")
        other = self._guids.setdefault(guid, source) if guid else source
        if other != source:
            first, second = sorted((other, source))
            raise ReadError(f"same guid {guid!r} as {first}", where=second, field="guid",
                            fix=f"give one of {first} and {second} its own guid: in the "
                                "front matter (two articles of one video or Spotify episode "
                                "share the GUID derived from it)")

    def _entry(self, source: str) -> Any:
        """An episode's index entry: this build's, else the last build's (None if lost)."""
        entry = self._entries.get(source)
        if entry is None:
            try:
                entry = self._entries[source] = self.parts.load_entry(source)
            except (OSError, EOFError, pickle.UnpicklingError):
                return None
        return entry

    # -- feeds and site pages -------------------------------------------------------------

    def _feed(self, feed: FeedDefinition, sources: list[str]) -> None:
        members = [s for s in sources if s in self.new.episodes
                   and feed.slug in self.new.episodes[s].feeds]
        digests = (f"{s}={self.new.episodes[s].entry}:{self.new.episodes[s].item}"
                   for s in members)
        key = digest(self.pages_key, self.feed_keys[feed.slug], *digests)
        old = self.old.feeds.get(feed.slug)
        if old is not None and old.key == key and self.writer.keep_all(old.outputs):
            self.new.feeds[feed.slug] = FeedState(key, old.outputs, self.feed_keys[feed.slug],
                                                  old.problems)
            self.problems.extend(_problem(p) for p in old.problems)
            return
        parts = [self._part(s) for s in members]
        rendered = self.renderer.feed(feed, [p[0] for p in parts], [p[1] for p in parts])
        outputs = self._write_all(rendered.files)
        self.problems.extend(rendered.problems)
        self.new.feeds[feed.slug] = FeedState(key, outputs, self.feed_keys[feed.slug],
                                              [p.to_json() for p in rendered.problems])
        self.feeds_rendered += 1

    def _part(self, source: str) -> tuple[Any, Any]:
        try:
            return self.parts.load(source)
        except (OSError, EOFError, pickle.UnpicklingError):
            raise _lost(source, self.parts) from None

    def _entries_of(self, sources: Iterable[str]) -> list[Any]:
        entries = []
        for source in sources:
            entry = self._entry(source)
            if entry is None:
                raise _lost(source, self.parts)
            entries.append(entry)
        return entries

    def _site_pages(self, sources: list[str]) -> None:
        parts = (f"{s}={self.new.episodes[s].entry}" for s in sources if s in self.new.episodes)
        feeds = (f"{slug}={key}" for slug, key in sorted(self.feed_keys.items()))
        key = digest(self.pages_key, *feeds, *parts)
        if key == self.old.site_key and self.writer.keep_all(self.old.site_outputs):
            self.new.site_key, self.new.site_outputs = key, self.old.site_outputs
            return
        rendered = self.renderer.site_pages(
            self._entries_of(s for s in sources if s in self.new.episodes))
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
            self.parts.drop(source)

    def _save(self, removed: bool) -> None:
        changed = (removed or self.rendered or self.feeds_rendered or self.site_rendered
                   or self.writer.written or self.hashes.hashed
                   or self.hashes.seen.keys() != self.old.files.keys()
                   or self.new.episodes.keys() != self.old.episodes.keys())
        if not changed:
            return
        self.new.files = dict(self.hashes.seen)
        self.new.outputs = dict(self.writer.records)
        save_state(self.site.root, self.new)


_SEVERITY: dict[str | None, Severity] = {"error": "error", "warning": "warning", "info": "info"}


def _problem(data: Mapping[str, str | None]) -> Problem:
    return Problem(_SEVERITY.get(data.get("severity"), "warning"), data.get("where") or "",
                   data.get("message") or "", data.get("fix") or "",
                   data.get("field"))


def _lost(source: str, parts: Parts) -> RenderError:
    return RenderError(f"the build cache has no parts for {source}", where=str(parts.folder),
                       fix="run `companion build --force`")


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


def _work(paths: list[Path]) -> list[tuple[EpisodeBuild, tuple[str, str]]] | _Failure:
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
                ) -> Iterator[tuple[EpisodeBuild, tuple[str, str]]]:
    """Store each episode's parts on disk; hand back the build without them (memory stays
    flat: feeds and index pages read them back when needed) and their digests."""
    for build in builds:
        digests = parts.save(build.source, build.entry, build.item)
        yield dataclasses.replace(build, entry=None, item=None), digests


def _parallel(site: Site, stages: Stages, feeds: list[FeedDefinition], paths: list[Path],
              jobs: int) -> Iterator[tuple[EpisodeBuild, tuple[str, str]]]:
    """Render in `jobs` processes, at most 2 chunks per process in flight, results streamed
    in completion order (memory stays flat however many articles there are)."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    chunks = iter([paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)])
    with ProcessPoolExecutor(jobs, initializer=_init_worker,
                             initargs=(site, stages, feeds)) as pool:
        pending: set[Future[list[tuple[EpisodeBuild, tuple[str, str]]] | _Failure]] = set()
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


# -- the real stages -----------------------------------------------------------------------


class RealStages:
    """The stage modules of companion behind the `Stages` seam."""

    def load_feeds(self, site: Site) -> tuple[list[FeedDefinition], list[Problem]]:
        from companion._feeds import load_feeds

        result = load_feeds(site)
        return result.feeds, result.problems

    def page_inputs(self, site: Site) -> list[Path]:
        theme = Path(companion.__file__).resolve().parent / "theme"  # _pages.THEME_DIR
        files = [p for p in theme.rglob("*") if p.is_file()]
        if site.templates_dir.is_dir():
            files += [p for p in site.templates_dir.rglob("*") if p.is_file()]
        return sorted(files)

    def renderer(self, site: Site, feeds: Sequence[FeedDefinition]) -> Renderer:
        return SiteRenderer(site, feeds)


def light(episode: Episode) -> Episode:
    """The episode without what only its own page needs (body, links, video description):
    enough for feed selection, feed items, index pages and the sitemap."""
    article = dataclasses.replace(episode.article, body="", links=(), extra={})
    video = episode.youtube and dataclasses.replace(episode.youtube, description="")
    return dataclasses.replace(episode, article=article, youtube=video)


@dataclass(frozen=True)
class _Published:
    """An episode's published audio for one feed."""

    file: OutputFile
    sha256: str
    url: str
    size: int
    mime_type: str
    duration: float


class SiteRenderer:
    """The real `Renderer`: read, pair, show notes, pages, feeds (one per process)."""

    def __init__(self, site: Site, feeds: Sequence[FeedDefinition]) -> None:
        from companion._pages import PageRenderer

        self.site = site
        self.feeds = list(feeds)
        self.pages = PageRenderer(site)
        self._artwork: dict[str, Any] = {}

    # -- episodes ---------------------------------------------------------------------------

    def episodes(self, sources: Sequence[Path]) -> list[EpisodeBuild]:
        from companion._pair import pair_project
        from companion._read import article_notes, read_article

        articles = [read_article(path, self.site) for path in sources]
        paired = pair_project(articles, self.site)
        notes = article_notes(self.site, articles) + paired.problems
        return [self.episode(e, [p for p in notes if p.where == e.article.relpath])
                for e in paired.episodes]

    def members(self, entry: Any) -> list[str]:
        from companion._feeds import selects

        return [f.slug for f in self.feeds if selects(f.select, entry)]

    def episode(self, episode: Episode, problems: list[Problem]) -> EpisodeBuild:
        from companion import _paths

        feeds = [f for f in self.feeds if f.slug in self.members(episode)]
        page_url = self.site.url(_paths.episode_dir(episode.slug))
        files: list[OutputFile] = []
        hashes: dict[str, str] = {}
        audio = self._audio(episode, feeds, page_url, problems)
        for published in audio.values():
            files.append(published.file)
            hashes[published.file.path] = published.sha256
        image = self._image(episode, files, problems)
        chapters_url = self._chapters(episode, files)
        transcripts = self._transcripts(episode, files)
        notes = self._notes(episode, feeds, page_url)
        first = next(iter(audio.values()), None)
        files.append(site_file(_paths.episode_page(episode.slug), self._page(
            episode, notes, feeds, first, image, chapters_url, transcripts)))
        item = self._item(episode, notes, audio, image[0], chapters_url, transcripts, page_url,
                          feeds)
        return EpisodeBuild(episode.article.relpath, episode.slug, _deps(episode, self.site),
                            tuple(files), light(episode), item, tuple(f.slug for f in feeds),
                            tuple(problems), hashes, episode.guid)

    def _audio(self, episode: Episode, feeds: Sequence[FeedDefinition], page_url: str,
               problems: list[Problem]) -> dict[str, _Published]:
        from companion._audio import published_audio

        if episode.audio is None:
            return {}
        shows: list[tuple[str, str, str, bytes | None]] = [
            (f.slug, f.title, f.audio_format, self._show_art(f)) for f in feeds]
        shows = shows or [("", self.site.title, _own_format(episode), None)]
        out: dict[str, _Published] = {}
        for slug, title, fmt, art in shows:
            try:
                audio = published_audio(episode, self.site, show_title=title, fmt=fmt,
                                        page_url=page_url, artwork=art)
            except CompanionError as exc:
                problems.append(exc.problem())
                continue
            out[slug] = _published(audio, self.site)
        return out

    def _show_art(self, feed: FeedDefinition) -> bytes | None:
        art = self._show_artwork(feed)
        return art.output.data if art.output is not None else None

    def _show_artwork(self, feed: FeedDefinition) -> Any:
        from companion._artwork import show_artwork

        if feed.slug not in self._artwork:
            self._artwork[feed.slug] = show_artwork(feed, self.site)
        return self._artwork[feed.slug]

    def _image(self, episode: Episode, files: list[OutputFile],
               problems: list[Problem]) -> tuple[str | None, tuple[int, int] | None]:
        """The episode's `image:`, else its cached YouTube thumbnail, as a compliant copy
        (see `_artwork.episode_artwork`); never a hotlinked i.ytimg.com URL."""
        from companion._artwork import episode_artwork

        art = episode_artwork(episode, self.site)
        problems.extend(art.problems)
        if art.output is not None:
            files.append(art.output)
        return art.url, art.size

    def _chapters(self, episode: Episode, files: list[OutputFile]) -> str | None:
        from companion import _paths
        from companion._chapters import chapters_json
        from companion._content_types import CHAPTERS_TYPE

        if not episode.chapters:
            return None
        path = _paths.chapters_json(episode.slug)
        files.append(OutputFile(path, CHAPTERS_TYPE, "page",
                                data=chapters_json(episode.chapters, episode.title)))
        return self.site.url(path)

    def _transcripts(self, episode: Episode, files: list[OutputFile]) -> _Transcripts:
        from companion import _paths

        refs: list[tuple[str, str, str]] = []
        links: list[tuple[str, str]] = []
        for transcript in episode.transcripts:
            for kind, source in (("vtt", transcript.vtt), ("srt", transcript.srt)):
                path = _paths.transcript(episode.slug, transcript.lang, kind)
                files.append(site_file(path, source.read_bytes()))
                url = self.site.url(path)
                refs.append((url, "text/vtt" if kind == "vtt" else "application/x-subrip",
                             transcript.lang))
                links.append((f"{transcript.lang} ({kind.upper()})", url))
        return _Transcripts(tuple(refs), tuple(links), _cues(episode))

    def _notes(self, episode: Episode, feeds: Sequence[FeedDefinition], page_url: str) -> Any:
        from companion._feeds import feed_url
        from companion._shownotes import show_notes

        first = feeds[0] if feeds else None
        return show_notes(episode, self.site, page_url=page_url,
                          feed_url=feed_url(first, self.site) if first else None)

    def _page(self, episode: Episode, notes: Any, feeds: Sequence[FeedDefinition],
              audio: _Published | None, image: tuple[str | None, tuple[int, int] | None],
              chapters_url: str | None, transcripts: _Transcripts) -> bytes:
        return self.pages.episode(
            episode, notes, feeds=feeds, audio_url=audio.url if audio else None,
            audio_type=audio.mime_type if audio else None,
            audio_length=audio.size if audio else None, image_url=image[0],
            image_size=image[1], chapters_url=chapters_url,
            transcript_cues=transcripts.cues, transcript_urls=transcripts.links)

    def _item(self, episode: Episode, notes: Any, audio: Mapping[str, _Published],
              image_url: str | None, chapters_url: str | None, transcripts: _Transcripts,
              page_url: str, feeds: Sequence[FeedDefinition]) -> dict[str, Any]:
        """Per feed slug: the `MediaRef` and the rendered ``<item>`` bytes (the feed is
        assembled from those, so an edit re-renders one item, not the whole feed)."""
        from companion._rss import MediaRef, render_item
        from companion._shownotes import notes_html, notes_text

        if not audio:
            return {}
        text, html = notes_text(notes), notes_html(notes)
        by_slug = {f.slug: f for f in feeds}
        lightened = light(episode)  # what the feed stage sees of it
        items: dict[str, Any] = {}
        for slug, a in audio.items():
            ref = MediaRef(a.url, a.size, a.mime_type, a.duration, image_url, chapters_url,
                           transcripts.refs, page_url, text, html)
            feed = by_slug.get(slug)
            xml = render_item(feed, lightened, self.site, ref) if feed is not None else b""
            items[slug] = (ref, xml)
        return items

    # -- feeds and site pages ---------------------------------------------------------------

    def feed(self, feed: FeedDefinition, entries: Sequence[Any],
             items: Sequence[Any]) -> Rendered:
        from companion import _paths
        from companion._feeds import feed_url, select_episodes
        from companion._ledger import update_ledger
        from companion._rss import feed_file
        from companion._rules import episode_problems

        parts = {e.guid: i[feed.slug] for e, i in zip(entries, items, strict=True)
                 if feed.slug in i}
        media = {guid: ref for guid, (ref, _xml) in parts.items()}
        xmls = {guid: xml for guid, (_ref, xml) in parts.items()}
        episodes = select_episodes(feed, entries)
        art = self._show_artwork(feed)
        problems = [*art.problems]
        problems += [p for e in episodes for p in episode_problems(e, media.get(e.guid))]
        feed_out = feed_file(feed, episodes, self.site, media, artwork_url=art.url, items=xmls)
        index = self.pages.feed_index(feed, episodes, feed_url=feed_url(feed, self.site),
                                      image_url=art.url)
        update_ledger(self.site, feed.slug, [e for e in episodes if e.guid in media])
        files = [feed_out,
                 site_file(_paths.feed_index(feed.slug), index)]
        if art.output is not None:
            files.append(art.output)
        return Rendered(tuple(files), tuple(problems))

    def site_pages(self, entries: Sequence[Any]) -> Rendered:
        from companion import _paths
        from companion._feeds import select_episodes

        counts = [(f, len(select_episodes(f, entries))) for f in self.feeds]
        urls: list[tuple[str, Any]] = [(self.site.base_url, None)]
        urls += [(self.site.url(_paths.feed_index(f.slug).removesuffix("index.html")), None)
                 for f in self.feeds]
        urls += [(self.site.url(_paths.episode_dir(e.slug)), e.article.date) for e in entries]
        return Rendered((
            site_file(_paths.SITE_INDEX, self.pages.site_index(counts)),
            site_file(_paths.SITEMAP, self.pages.sitemap(urls)),
            site_file(_paths.ROBOTS, self.pages.robots()),
            site_file(_paths.STYLESHEET, self.pages.stylesheet()),
        ))


def site_file(path: str, data: bytes) -> OutputFile:
    """A site file with the Content-Type and cache policy of `_content_types`."""
    from companion._content_types import cache_policy, content_type

    return OutputFile(path, content_type(path), cache_policy(path), data=data)


@dataclass(frozen=True)
class _Transcripts:
    refs: tuple[tuple[str, str, str], ...]
    links: tuple[tuple[str, str], ...]
    cues: tuple[tuple[float, float, str], ...]


def _cues(episode: Episode) -> tuple[tuple[float, float, str], ...]:
    from companion._transcripts import parse_vtt

    if not episode.transcripts:
        return ()
    lang = episode.article.lang
    chosen = next((t for t in episode.transcripts if t.lang.split("-")[0] == lang),
                  episode.transcripts[0])
    cues = parse_vtt(chosen.vtt.read_text(encoding="utf-8"))
    return tuple((c.start, c.end, c.text) for c in cues)


def _own_format(episode: Episode) -> str:
    ext = episode.audio.extension if episode.audio else "mp3"
    return ext if ext in ("mp3", "m4a") else "mp3"


def _published(audio: Audio, site: Site) -> _Published:
    from companion import _paths

    path = _paths.media(audio.sha256, audio.extension)
    file = OutputFile(path, audio.mime_type, "immutable", source=audio.path)
    return _Published(file, audio.sha256, site.url(path), audio.size, audio.mime_type,
                      audio.duration)


def _deps(episode: Episode, site: Site) -> tuple[str, ...]:
    """The project files an episode was made from (cache records, transcripts, local files)."""
    from companion import _audio, _spotify, _youtube
    from companion._pair import audio_source

    article = episode.article
    cache = site.cache
    deps = [*base_deps(article.relpath)]
    if article.youtube_id:
        deps.append(f"{cache}/{_youtube.cache_rel(article.youtube_id)}")
        deps.append(f"{cache}/transcripts/{article.youtube_id}.json")
    if article.spotify_id:
        deps.append(f"{cache}/{_spotify.cache_rel(article.spotify_id)}")
    source = audio_source(article)
    if source and (source.startswith(("http://", "https://", "youtube:"))):
        deps.append(f"{cache}/{_audio.record_rel(source)}")
    elif source:
        deps.append(source)
    for transcript in episode.transcripts:
        deps += [_project_rel(transcript.vtt, site), _project_rel(transcript.srt, site)]
    if article.image and "://" not in article.image:
        deps.append(article.image)
    return tuple(dict.fromkeys(deps))
