"""`build`: the whole pipeline, incremental, parallel when there is much to do.

    feeds/*.toml ─load─▶ FeedDefinitions ──────────────────────────────┐
    episodes/* ─identify─▶ lifecycle, one slug and GUID per article ─┐  │
               ─(changed only)─ read ─ pair ─ render ─▶ episode files, entry, item
                                                                       ├─▶ feed.xml + show page
                                                                       └─▶ index, sitemap, robots

The stage calls live behind two small seams so the machinery can be tested
with fakes: `Stages` (what every process needs once: feeds, the ledger of what
was published, an article's identity, the files that affect every page) and
`Renderer` (one per process: renders a batch of articles, a feed, the site
pages). `RealStages` binds them to the real stage modules.

Before anything is rendered, every article's identity (slug, GUID, draft, date,
hidden) is known, from its front matter or from the last build: `_lifecycle`
decides what is live, and which of two articles claiming one slug or GUID keeps
it. A broken article is reported and renders nothing; every other article and
feed is still built. A feed with no item is not written (see `_feed`).

What each output depends on is hashed into a key (see `_incremental`); an
unchanged key and an unchanged file on disk mean nothing is rendered or written.
Feeds and the site pages are assembled from per-episode parts kept in
``.companion/parts.sqlite``, so an edit to one article re-renders that article, the
feeds it belongs to and the index pages, and nothing else.

An episode's page links its older and newer neighbours in its first show (`Flags.nav`).
Who is in which show is known only once every episode is paired, so the build
renders with the neighbours the last build knew, then has the renderer put the
right ones into the pages whose neighbours turned out different (a new episode, a
changed title, every page of a first build): a patch of the written page, or, for
a page it cannot patch, a second render.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

from companion._build.folders import check_output_folder
from companion._build.pool import CHUNK, Done, parallel, save_items, save_packed
from companion._build.result import BuildResult
from companion._build.seam import (
    E,
    EpisodeBuild,
    Flags,
    I,
    Rendered,
    Renderer,
    Stages,
    base_deps,
    project_relative,
)
from companion._build.settle import Settling
from companion._build.state import (
    BuildState,
    EpisodeState,
    FeedState,
    FileHashes,
    LostPart,
    Parts,
    digest,
    digest_object,
    identity_data,
    load_state,
    save_state,
)
from companion._build.writer import Writer
from companion._clock import clock_now
from companion._errors import Problem, RenderError, Severity
from companion._lifecycle.lifecycle import UNREADABLE, empty_feed_problem
from companion._model import Episode, FeedDefinition, FeedSelection
from companion._read.files import discover
from companion._site_model import Clock, Identity, OutputFile, Site, Standing, Status
from companion._version import __version__

if TYPE_CHECKING:  # the process pool is imported when a build is large enough to use one

    from companion._model import Episode
    from companion._render.rss import FeedItems

Progress = Callable[[str, int, int], None]

PARALLEL_FROM = 48  # fewer changed articles than this render in-process

ENTRY_BATCH = 500  # index entries decoded at a time for the site pages


def default_stages() -> Stages[Episode, FeedItems]:
    from companion._build.stages import RealStages

    return RealStages()


def build(site: Site, out: Path | None = None, *, force: bool = False, jobs: int | None = None,
          progress: Progress | None = None, stages: Stages[E, I] | None = None,
          clock: Clock | None = None) -> BuildResult:
    """Build the site into `out` (default: the project's ``out`` folder), incrementally.

    `force` ignores what the previous build left; `jobs` caps worker processes (default:
    all cores); `clock` is the moment the build is for and whether it previews drafts or
    scheduled articles (default: now, no preview). A broken article or feed is reported
    in the result's problems and the rest is built; a `CompanionError` is raised only when
    nothing can be built (the output folder, the templates).
    """
    folder = (out or site.out_dir).absolute()
    check_output_folder(site, folder, "--out" if out else "[site] out")
    chosen: Stages[Any, Any] = stages if stages is not None else default_stages()
    with _still_heap() as loaded:
        job = _Build(site, folder, chosen, force, jobs or os.cpu_count() or 1,
                     progress or _silent, clock or Clock(clock_now(site.tz)))
        loaded()
        return job.run()


YOUNG = 50_000  # new objects between two of the collector's passes during a build
_TENDER = threading.Lock()  # held by the build that tends the collector (one at a time)


@contextmanager
def _still_heap() -> Iterator[Callable[[], None]]:
    """The collector paused while the last build's state is loaded (until `loaded` is
    called), then told to leave what exists by then alone until the build is over, and to
    pass over the new objects less often: the state of 10,000 episodes is a million small
    objects that are never garbage during the build, and the build makes a few for each
    episode; scanning them again and again took a tenth of a no-change build. All given
    back to the collector at the end (a `serve` process builds again and again). A build
    that runs while another thread's does leaves the collector to that one."""
    if not _TENDER.acquire(blocking=False):
        yield _silent_loaded
        return
    was_on, thresholds = gc.isenabled(), gc.get_threshold()
    gc.disable()

    def loaded() -> None:
        gc.freeze()
        gc.set_threshold(max(thresholds[0], YOUNG), *thresholds[1:])
        if was_on:
            gc.enable()

    try:
        yield loaded
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if was_on:
            gc.enable()
        _TENDER.release()


def _silent_loaded() -> None:
    return None


def _silent(stage: str, done: int, total: int) -> None:
    return None


def code_fingerprint() -> str:
    """The package version and its code files' stat: new code renders everything again."""
    folder = Path(__file__).resolve().parent.parent
    stats = []
    for path in sorted(folder.rglob("*.py")):
        stat = path.stat()
        stats.append(f"{path.relative_to(folder)}:{stat.st_mtime_ns}:{stat.st_size}")
    return digest(__version__, *stats)


def describe_selection(select: FeedSelection) -> str:
    parts = [f"{name} = [{', '.join(values)}]" for name, values in (
        ("languages", select.languages), ("categories", select.categories),
        ("tags", select.tags), ("episodes", select.episodes)) if values]
    return "; ".join(parts) or "every article"


# -- the build -----------------------------------------------------------------------------


class _Build(Settling, Generic[E, I]):
    def __init__(self, site: Site, out: Path, stages: Stages[E, I], force: bool, jobs: int,
                 progress: Progress, clock: Clock) -> None:
        self.site = site
        self.out = out.resolve()
        self.stages = stages
        self.jobs = max(1, jobs)
        self.progress = progress
        self.clock = clock
        old = load_state(site.root)
        previous = old.outputs if old.out_dir == str(self.out) else {}  # the writer copies
        self.parts: Parts[E, I] = Parts(site.root)
        usable = previous and self.parts.exist()
        self.old = old if usable and not force else BuildState()
        # who was in which show last time (the first guess of neighbours), and the moves;
        # when the last build is not reused, that alone is kept of it, not its files
        self.known = old if self.old is old else _known(old)
        self.writer = Writer(self.out, previous, journal=site.root / ".companion" / "journal")
        self.hashes = FileHashes(site.root, {} if force else old.files)
        self.new = BuildState(out_dir=str(self.out), preview=clock.preview)
        self.problems: list[Problem] = []
        self._renderer: Renderer[E, I] | None = None
        self._entries: dict[str, E] = {}
        self.identities: dict[str, Identity | None] = {}
        self.status: dict[str, Status] = {}
        self.flags: dict[str, Flags] = {}
        self._rendered: set[str] = set()
        self._checked: set[str] = set()  # project files known to lie outside the output
        self.feeds_rendered = 0
        self.site_rendered = False

    # -- run ----------------------------------------------------------------------------

    def run(self) -> BuildResult:
        feeds, problems = self.stages.load_feeds(self.site)
        self.problems.extend(problems)
        self.feeds = {f.slug: f for f in feeds}
        self.feed_keys = {f.slug: self._feed_key(f) for f in feeds}
        self.published = self.stages.published(self.site)
        self.problems.extend(e.problem() for e in self.published.problems)
        self.pages_key = self.new.pages_key = self._pages_key()
        sources = discover(self.site)
        unread = self._identify(sources)
        clashing = self._decide(sources, unread)  # a first guess when some are unread
        self._navigate(sources, self.known.episodes)  # as the last build knew the shows
        self._check_files(self.identities.values())  # as far as they are known yet
        if unread:
            self._render_episodes(unread)  # read once, in the workers: identities arrive
            clashing = self._decide(sources)
        again = self._unsettled(unread, clashing)
        read = set(unread)
        dirty = self._clean_episodes([s for s in sources if s not in read], clashing)
        self._render_episodes(again + dirty)
        if not self._same_shows(sources, unread):
            self._relink(self._navigate(sources, self.new.episodes))
        standings = self._standings(sources)
        written = [f.slug for f in feeds if self._feed(f, sources, standings)]
        self._site_pages(sources, written)
        self._moves(sources, written)
        removed = self.writer.remove_stale()
        self._drop_parts(sources)
        self._save(bool(removed))
        return self._result(len(sources), standings, written)

    def _result(self, episodes: int, standings: list[Standing],
                written: list[str]) -> BuildResult:
        counts = self.writer.counts()
        problems = sorted(set(self.problems), key=lambda p: (p.where, p.message))
        return BuildResult(counts.written, counts.unchanged, counts.removed, episodes,
                           len(self.feeds), problems, len(self._rendered), self.feeds_rendered,
                           self.site_rendered, tuple(standings), self.clock.preview,
                           tuple(written))

    @property
    def renderer(self) -> Renderer[E, I]:
        if self._renderer is None:
            self._renderer = self.stages.renderer(self.site, list(self.feeds.values()))
        return self._renderer

    # -- keys ---------------------------------------------------------------------------

    def _pages_key(self) -> str:
        inputs = sorted(str(p) for p in self.stages.page_inputs(self.site))
        return digest(code_fingerprint(), str(self.out), self.site.base_url,
                      self.hashes.hash("companion.toml"), self.hashes.hash_many(inputs))

    def _feed_key(self, feed: FeedDefinition) -> str:
        rel = project_relative(feed.path, self.site)
        artwork = feed.artwork or ""
        local = "" if not artwork or "://" in artwork else self.hashes.hash(artwork)
        return digest(digest_object(feed), self.hashes.hash(rel), local)

    def _episode_key(self, deps: Iterable[str], feeds: Iterable[str], flags: Flags) -> str:
        member_keys = (f"{slug}={self.feed_keys.get(slug, '')}" for slug in sorted(feeds))
        return digest(self.pages_key, self.hashes.hash_many(deps), flags.key, *member_keys)

    def _feeds_changed(self) -> bool:
        old = {slug: state.defkey for slug, state in self.old.feeds.items()}
        return old != self.feed_keys

    # -- episodes -----------------------------------------------------------------------

    def _clean_episodes(self, sources: list[str], clashing: set[str]) -> list[str]:
        """Carry over every episode whose key and outputs still hold; return the others
        (and those in a clash: a new article may have written over their files)."""
        recheck = self._feeds_changed()
        same_pages = self.pages_key == self.old.pages_key
        dirty: list[str] = []
        for source in sources:
            state = self.old.episodes.get(source)
            if state is None or source in clashing \
                    or not self._still_good(source, state, recheck, same_pages):
                dirty.append(source)
        return dirty

    def _still_good(self, source: str, state: EpisodeState, recheck: bool,
                    same_pages: bool) -> bool:
        flags = self.flags[source]
        if state.flags != flags.key or not same_pages:
            return False
        if recheck:  # a feed definition changed: does its selection still say the same?
            entry = self._entry(source) if state.page else None
            if entry is None or sorted(self.renderer.members(entry)) != sorted(state.selected):
                return False
        fast = not recheck and self.hashes.all_unchanged(state.deps)
        if not fast and self._episode_key(state.deps, state.feeds, flags) != state.key:
            return False
        if not self.writer.keep_all(state.outputs):
            return False
        self.new.episodes[source] = state
        if state.problems:
            self.problems.extend(_problem(p) for p in state.problems)
        return True

    def _relink(self, sources: list[str]) -> None:
        """Give the pages whose neighbours changed their new neighbours: patched by the
        renderer where it can, rendered again where it cannot."""
        again: list[str] = []
        for source in sources:
            state = self.new.episodes.get(source)
            if state is None or not state.page:
                continue
            flags = self.flags[source]
            file = self.renderer.relink(state.slug, flags.nav, self._output_bytes)
            if file is None:
                again.append(source)
                continue
            self.writer.release([file.path])
            self.writer.write(file)
            outputs = {**state.outputs, file.path: self.writer.records[file.path][2]}
            self.new.episodes[source] = dataclasses.replace(
                state, outputs=outputs, flags=flags.key,
                key=self._episode_key(state.deps, state.feeds, flags))
        for source in again:
            self.writer.release(self.new.episodes[source].outputs)
        if again:
            self._render_episodes(again)

    def _output_bytes(self, path: str) -> bytes | None:
        """A file this build (or the last) wrote, as it is now; None when it is not there."""
        try:
            return self.writer.target(path).read_bytes()
        except (OSError, RenderError):
            return None

    def _render_episodes(self, dirty: list[str]) -> None:
        total = len(dirty)
        if not total:
            return
        self.progress("render", 0, total)
        for done, (build, digests) in enumerate(self._renders(dirty), start=1):
            self._take(build, *digests)
            self.progress("render", done, total)

    def _renders(self, dirty: list[str]) -> Iterator[Done[E, I]]:
        jobs = [(self.site.root / source, self.flags[source]) for source in dirty]
        if self.jobs > 1 and len(jobs) >= PARALLEL_FROM:
            for packed in parallel(self.site, self.stages, list(self.feeds.values()), jobs,
                                   self.jobs, self.renderer):
                yield from save_packed(self.parts, packed)
        else:
            for start in range(0, len(jobs), CHUNK):
                yield from save_items(self.parts, self.renderer.episodes(
                    jobs[start:start + CHUNK]))

    def _take(self, build: EpisodeBuild[E, I], entry_digest: str, item_digest: str) -> None:
        flags = self.flags[build.source]
        if flags.clock is not None:  # read for the first time: its identity is known now
            self.identities[build.source] = build.identity
            self._check_files([build.identity])
            flags = self.flags[build.source] = flags.settled(build.identity)
            if any(f.path in self.writer.records and f.cache != "immutable"
                   for f in build.files):
                return  # a clash of slugs: rendered again once the claims are settled
        outputs: dict[str, str] = {}
        for file in build.files:
            self.writer.write(file, build.hashes.get(file.path))
            outputs[file.path] = self.writer.records[file.path][2]
        deps = sorted(set(build.deps) | set(base_deps(build.source)))
        feeds = sorted(build.feeds)
        self.new.episodes[build.source] = EpisodeState(
            build.slug, deps, self._episode_key(deps, feeds, flags), outputs, feeds,
            entry_digest, item_digest, [p.to_json() for p in build.problems], build.guid,
            identity_data(self.identities.get(build.source)), flags.key,
            list(build.selected), build.title, build.why, dict(build.media),
            bool(entry_digest), build.lang)
        self._entries.pop(build.source, None)  # the new one is in the parts cache
        self.problems.extend(build.problems)
        self._rendered.add(build.source)

    def _entry(self, source: str) -> E | None:
        """An episode's index entry: this build's, else the last build's (None if lost)."""
        entry = self._entries.get(source)
        if entry is None:
            try:
                entry = self._entries[source] = self.parts.load_entry(source)
            except (OSError, EOFError, pickle.UnpicklingError):
                return None
        return entry

    def _standings(self, sources: list[str]) -> list[Standing]:
        found: list[Standing] = []
        for source in sources:
            state = self.new.episodes.get(source)
            identity = self.identities.get(source)
            if state is None:
                continue
            why = state.why if identity is not None else UNREADABLE
            if self.flags[source].render and not self.flags[source].in_feeds:
                why = why or "another article has its GUID"
            found.append(Standing(
                source, state.slug, state.title, self.status.get(source, "live"),
                identity.date if identity else None, bool(identity and identity.hidden),
                tuple(state.feeds), tuple(state.selected), why))
        return found

    # -- feeds and site pages -------------------------------------------------------------

    def _feed(self, feed: FeedDefinition, sources: list[str],
              standings: Sequence[Standing]) -> bool:
        """Render the feed and its show page; a feed with no item is not written: a warning
        for a show that was never published, an error for one that was (publishing it
        empty would empty its subscribers' apps). True when the feed was written."""
        members = [s for s in sources if s in self.new.episodes
                   and feed.slug in self.new.episodes[s].feeds]
        if not members:
            self._empty(feed, standings)
            return False
        states = [self.new.episodes[s] for s in members]
        key = digest(self.pages_key, self.feed_keys[feed.slug],
                     *(f"{s}={st.entry}:{st.item}" for s, st in zip(members, states, strict=True)))
        # the show's page lists the members' entries: an edit of a body leaves it as it is
        page_key = digest(self.pages_key, self.feed_keys[feed.slug],
                          *(f"{s}={st.entry}" for s, st in zip(members, states, strict=True)))
        items = [(st.guid, st.slug, st.title, st.media.get(feed.slug, "")) for st in states]
        old = self.old.feeds.get(feed.slug)
        if old is not None and old.key == key and self.writer.keep_all(old.outputs) \
                and self.writer.keep_all(old.page):
            self.new.feeds[feed.slug] = dataclasses.replace(old, items=items)
            self.problems.extend(_problem(p) for p in old.problems)
            return True
        rendered = self._items(lambda: self.renderer.feed(feed, self.parts.stream_items(members)))
        outputs = self._write_all(rendered.files)
        if old is not None and old.page_key == page_key and self.writer.keep_all(old.page):
            page = old.page
        else:
            page = self._write_all(self._items(lambda: self.renderer.show_page(
                feed, self.parts.stream_items(members))).files)
        self.problems.extend(rendered.problems)
        self.new.feeds[feed.slug] = FeedState(key, outputs, self.feed_keys[feed.slug],
                                              [p.to_json() for p in rendered.problems], items,
                                              page_key, page)
        self.feeds_rendered += 1
        return True

    def _empty(self, feed: FeedDefinition, standings: Sequence[Standing]) -> None:
        self.problems.append(empty_feed_problem(
            project_relative(feed.path, self.site), feed.slug, describe_selection(feed.select),
            standings, self.published.feeds.get(feed.slug, 0)))

    def _items(self, render: Callable[[], Rendered]) -> Rendered:
        """`render`, which reads the parts store: a part it cannot read is named."""
        try:
            return render()
        except (LostPart, EOFError, pickle.UnpicklingError) as exc:
            raise _lost(getattr(exc, "filename", None) or "an episode",
                        self.parts.folder) from None

    def _entries_of(self, sources: Sequence[str]) -> list[E]:
        """The index entries of `sources`: those this build holds, the rest read in one
        go (and not kept)."""
        missing = [s for s in sources if s not in self._entries]
        try:
            loaded = dict(zip(missing, self.parts.load_entries(missing), strict=True))
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            raise _lost(getattr(exc, "filename", None) or "an episode",
                        self.parts.folder) from None
        return [self._entries[s] if s in self._entries else loaded[s] for s in sources]

    def _stream_entries(self, sources: Sequence[str]) -> Iterator[E]:
        """The index entries of `sources`, in order, a batch at a time and none kept: the
        site pages of 10,000 episodes never hold every entry at once."""
        for start in range(0, len(sources), ENTRY_BATCH):
            batch = sources[start:start + ENTRY_BATCH]
            yield from self._entries_of(batch)

    def _site_pages(self, sources: list[str], shows: list[str]) -> None:
        pages = [s for s in sources if s in self.new.episodes and self.new.episodes[s].page]
        parts = (f"{s}={self.new.episodes[s].entry}:{','.join(self.new.episodes[s].feeds)}"
                 for s in pages)
        feeds = (f"{slug}={key}" for slug, key in sorted(self.feed_keys.items()))
        key = digest(self.pages_key, *feeds, "|".join(shows), *parts)
        if key == self.old.site_key and self.writer.keep_all(self.old.site_outputs):
            self.new.site_key, self.new.site_outputs = key, self.old.site_outputs
            return
        rendered = self.renderer.site_pages(
            self._stream_entries(pages), [self.new.episodes[s].feeds for s in pages], shows)
        self.new.site_key, self.new.site_outputs = key, self._write_all(rendered.files)
        self.problems.extend(rendered.problems)
        self.site_rendered = True

    def _moves(self, sources: list[str], written: list[str]) -> None:
        """What old addresses keep: moved feeds, renamed pages (`_lifecycle.moves`)."""
        from companion._lifecycle.moves import Mover, Page

        mover = Mover(self.site, self.writer.records)
        mover.feeds([self.feeds[slug] for slug in written], self._output_bytes)
        pages = [Page(st.guid, st.slug, st.title, self.identities.get(s), s)
                 for s in sources if (st := self.new.episodes.get(s)) is not None and st.page]
        before = [(st.guid, st.slug) for st in self.known.episodes.values() if st.page]
        mover.pages(pages, self.known.moved, before, self.published)
        found = mover.found
        self._write_all([*found.files, *([found.listing()] if found.targets else [])])
        self.new.moved = found.moved
        self.problems.extend(found.problems)

    def _write_all(self, files: Iterable[OutputFile]) -> dict[str, str]:
        outputs: dict[str, str] = {}
        for file in files:
            self.writer.write(file)
            outputs[file.path] = self.writer.records[file.path][2]
        return outputs

    # -- state ----------------------------------------------------------------------------

    def _drop_parts(self, sources: list[str]) -> None:
        """Forget the parts of articles that are gone, and their paste-ready notes (unless
        another article has their slug now)."""
        from companion._build.notes import drop_notes

        gone = set(self.old.episodes) - set(sources)
        slugs = {state.slug for state in self.new.episodes.values()}
        self.parts.drop_many(gone)
        for source in gone:
            slug = self.old.episodes[source].slug
            if slug and slug not in slugs:
                drop_notes(self.site, slug)

    def _save(self, removed: bool) -> None:
        errors = sum(p.severity == "error" for p in self.problems)
        warnings = sum(p.severity == "warning" for p in self.problems)
        self.new.errors, self.new.warnings = errors, warnings
        changed = (removed or self._rendered or self.feeds_rendered or self.site_rendered
                   or self.writer.written or self.hashes.hashed or self.writer.journaled
                   or self.hashes.seen.keys() != self.old.files.keys()
                   or self.new.episodes.keys() != self.old.episodes.keys()
                   or (errors, warnings, self.new.preview, self.new.next_release)
                   != (self.old.errors, self.old.warnings, self.old.preview,
                       self.old.next_release)
                   or self.new.feeds.keys() != self.old.feeds.keys()
                   or self.new.moved != self.known.moved)
        if changed:
            self.new.files = dict(self.hashes.seen)
            self.new.outputs = dict(self.writer.records)
            save_state(self.site.root, self.new)
        self.parts.close()
        self.writer.close_journal()


_SEVERITY: dict[str | None, Severity] = {"error": "error", "warning": "warning", "info": "info"}


def _known(state: BuildState) -> BuildState:
    """What a build that does not reuse the last one (``--force``, a lost parts store)
    still asks of it: each episode's slug, GUID, identity, title, shows and page, and the
    moved pages; not its files, outputs and parts digests (most of its memory)."""
    return BuildState(episodes={
        source: EpisodeState(st.slug, [], "", {}, st.feeds, "", "", guid=st.guid,
                             ident=st.ident, title=st.title, page=st.page)
        for source, st in state.episodes.items()}, moved=state.moved)


def _problem(data: Mapping[str, str | None]) -> Problem:
    return Problem(_SEVERITY.get(data.get("severity"), "warning"), data.get("where") or "",
                   data.get("message") or "", data.get("fix") or "",
                   data.get("field"))


def _lost(source: str, folder: Path) -> RenderError:
    return RenderError(f"the build cache has no parts for {source}", where=str(folder),
                       fix="run `companion build --force`")
