"""The real stages behind the build engine's seams: for one article, read, pair,
prepare (the side effects: tagged audio, artwork copies, the paste-ready notes in
``.companion/notes/``) and render (pure).

    article ─read─▶ Article ─pair─▶ Episode ─prepare─▶ RenderEpisode ─render─▶ files, items

`RealStages` is what `build()` uses unless told otherwise; `SiteRenderer` (one per
process) holds what is costly to make: the templates, the placed shows.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from companion._build.seam import EpisodeBuild, Flags, Nav, Rendered, base_deps
from companion._errors import CompanionError, Problem
from companion._lifecycle.ledger import PublishedIndex
from companion._model import Article, Episode, FeedDefinition
from companion._site_model import Identity, Neighbour, OutputFile, Sister, Site

if TYPE_CHECKING:  # the render (feedgen, Jinja2) is imported when something is rendered
    from jinja2.bccache import Bucket, BytecodeCache

    from companion._render.rss import FeedItems

Build = EpisodeBuild["Episode", "FeedItems"]


class RealStages:
    """The stage modules of companion behind the `Stages` seam."""

    def load_feeds(self, site: Site) -> tuple[list[FeedDefinition], list[Problem]]:
        from companion._config.feeds import load_feeds

        result = load_feeds(site)
        return result.feeds, result.problems

    def published(self, site: Site) -> PublishedIndex:
        from companion._lifecycle.ledger import published_index

        return published_index(site)

    def page_inputs(self, site: Site) -> list[Path]:
        """The theme, its interface words (the catalogs) and the project's templates."""
        from companion._paths import LOCALE_DIR, THEME_DIR

        files = [p for p in THEME_DIR.rglob("*") if p.is_file()]
        files += sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
        if site.templates_dir.is_dir():
            files += [p for p in site.templates_dir.rglob("*") if p.is_file()]
        return sorted(files)

    def renderer(self, site: Site, feeds: Sequence[FeedDefinition]) -> SiteRenderer:
        return SiteRenderer(site, feeds)


def _bytecode_cache(folder: Path) -> BytecodeCache:
    """Jinja2's compiled templates in `folder`, best effort: a cache that cannot be
    written (a full disk, a file size limit) costs the next build a compile, never this
    build its pages; the output files then report the disk themselves, by name."""
    from jinja2 import FileSystemBytecodeCache

    class _BestEffort(FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    return _BestEffort(str(folder))


class SiteRenderer:
    """The real `Renderer`: read, pair, prepare and render (one per process)."""

    def __init__(self, site: Site, feeds: Sequence[FeedDefinition]) -> None:
        from companion._build.prepare import Preparer
        from companion._read.parsed import ParsedCache
        from companion._render.pages import PageRenderer

        self.site = site
        self.feeds = list(feeds)
        compiled = site.root / ".companion" / "templates"  # Jinja2's compiled templates
        compiled.mkdir(parents=True, exist_ok=True)
        self.pages = PageRenderer(site, _bytecode_cache(compiled))
        self.prepare = Preparer(site)
        self.parsed = ParsedCache(site.root / ".companion")

    def members(self, entry: Episode) -> list[str]:
        from companion._config.feeds import selects

        return [f.slug for f in self.feeds if selects(f.select, entry)]

    # -- episodes ---------------------------------------------------------------------------

    def episodes(self, jobs: Sequence[tuple[Path, Flags]]) -> list[Build]:
        done = [self._identified(path, flags) for path, flags in jobs]
        self.parsed.flush()
        return done

    def _identified(self, path: Path, flags: Flags) -> Build:
        """`_one`, with the identity of the article it read (its only read this build)."""
        from companion._read.articles import read_with_problems
        from companion._read.identity import identity_of

        article, problems = read_with_problems(path, self.site, self.parsed)
        identity = identity_of(article) if article is not None else _identity(path, self.site)
        build = self._one(path, flags.settled(identity), article, problems)
        return dataclasses.replace(build, identity=identity)

    def _one(self, path: Path, flags: Flags, article: Article | None,
             problems: list[Problem]) -> Build:
        """Pair and render one article read; a broken one comes back with its problems and
        no file, a draft or scheduled one (not in a preview) read and paired, its
        paste-ready notes written, but not rendered."""
        from companion._config.project import project_rel
        from companion._pair.cache import Cache
        from companion._pair.episodes import pair_episode
        from companion._read.articles import article_notes
        from companion._read.identity import article_guid

        source = project_rel(path, self.site)
        if article is None:
            return EpisodeBuild(source, "", base_deps(source), (), None, None, (),
                                tuple(problems))
        problems += article_notes(self.site, [article])
        bare = Episode(article=article, guid=article_guid(article))
        selected = tuple(self.members(bare))
        if not flags.render:
            deps = self._unreleased_notes(bare, flags, selected)
            return EpisodeBuild(source, article.slug, deps, (), None, None, (),
                                tuple(problems), guid=bare.guid, selected=selected,
                                title=article.title)
        try:
            episode, found = pair_episode(article, self.site, Cache(self.site.cache_dir))
        except CompanionError as exc:  # a damaged cache record: name it, render the rest
            return EpisodeBuild(source, article.slug, base_deps(source), (), None, None, (),
                                (*problems, exc.problem()), guid=bare.guid,
                                selected=selected, title=article.title)
        return self.episode(episode, [*problems, *found], flags, selected)

    def _unreleased_notes(self, bare: Episode, flags: Flags,
                          selected: Sequence[str]) -> tuple[str, ...]:
        """A draft or scheduled episode's paste-ready notes (the YouTube text is pasted before
        the release), from what the cache has; the files they were made from."""
        from companion._build.notes import write_notes
        from companion._pair.cache import Cache
        from companion._pair.episodes import pair_episode

        source = bare.article.relpath
        if flags.mark == "live":  # left out for a clash: its slug's notes are another's
            return base_deps(source)
        try:
            episode, _found = pair_episode(bare.article, self.site, Cache(self.site.cache_dir))
        except CompanionError:  # reported when it is released; the notes wait for a fix
            return base_deps(source)
        write_notes(episode, self.site, [f for f in self.feeds if f.slug in selected])
        return _deps(episode, self.site)

    def episode(self, episode: Episode, problems: list[Problem], flags: Flags | None = None,
                selected: Sequence[str] | None = None) -> Build:
        from companion._build.notes import write_notes
        from companion._pair.episodes import no_audio_fix
        from companion._render.site import light, render_episode

        flags = flags or Flags()
        if selected is None:
            selected = self.members(episode)
        dated = episode.article.date is not None  # an item needs its pubDate
        feeds = [f for f in self.feeds if f.slug in selected] if flags.in_feeds and dated \
            else []
        failed = any(p.field == "audio" and p.severity == "error" for p in problems)
        if not episode.has_audio and feeds and not failed:
            problems.append(Problem(
                "warning", episode.article.relpath, "no audio: the episode is left out of "
                f"{', '.join(f.slug for f in feeds)} (its page is published without a player)",
                no_audio_fix(episode.article), "audio"))
        rep = self.prepare.episode(episode, feeds, problems, flags.mark, _neighbours(flags.nav),
                                   _sisters(flags.nav))
        write_notes(episode, self.site, [show.definition for show in rep.shows])
        why = ""
        if selected and not rep.shows:
            why = ("another article has its GUID" if not flags.in_feeds
                   else "no date" if not dated
                   else "no audio" if not episode.has_audio
                   else "no video" if all(f.medium == "video" for f in feeds)
                   else "its audio failed")
        out = render_episode(rep, self.site, self.pages)
        placed = [*rep.media.values(), *rep.video.values()]
        return EpisodeBuild(
            episode.article.relpath, episode.slug, _deps(episode, self.site), out.files,
            light(rep.episode), out.items, tuple(s.slug for s in rep.shows), tuple(problems),
            {m.path: m.sha256 for m in placed if not m.remote}, episode.guid, tuple(selected),
            episode.title, why, {s.slug: rep.enclosure(s).path for s in rep.shows},
            episode.article.lang)

    # -- feeds and site pages ---------------------------------------------------------------

    def feed(self, feed: FeedDefinition, items: Iterable[FeedItems]) -> Rendered:
        from companion._build.feedfiles import spool_feed
        from companion._render.site import show_images, show_problems

        prepared = self.prepare.show(feed)
        show = prepared.show
        files, rows, size = spool_feed(show, (i[feed.slug] for i in items),
                                       self.site.root / ".companion" / "feeds")
        return Rendered((*files, *show_images(show)),
                        (*prepared.problems, *show_problems(show, rows, size)))

    def show_page(self, feed: FeedDefinition, items: Iterable[FeedItems]) -> Rendered:
        from companion._render.site import render_show_page

        show = self.prepare.show(feed).show
        rows = (i[feed.slug][0] for i in items)
        return Rendered((render_show_page(show, rows, self.pages),))

    def relink(self, slug: str, nav: Nav, read: Callable[[str], bytes | None]
               ) -> OutputFile | None:
        from companion._render.site import relink_page

        return relink_page(self.pages, slug, _neighbours(nav), read, _sisters(nav))

    def site_pages(self, entries: Iterable[Episode], feeds_of: Sequence[Sequence[str]],
                   shows: Sequence[str]) -> Rendered:
        from companion._render.site import render_home

        written = [self.prepare.show(f).show for f in self.feeds if f.slug in shows]
        return Rendered(render_home(self.site, written, entries, feeds_of, self.pages))


def _identity(path: Path, site: Site) -> Identity | None:
    """The identity of an article that cannot be read whole: its front matter may still
    name its slug and GUID, which it keeps claiming (None: not even that)."""
    from companion._read.articles import read_identity

    try:
        return read_identity(path, site)
    except CompanionError:
        return None


def _neighbours(nav: Nav) -> tuple[Neighbour, ...]:
    return tuple(Neighbour("prev" if rel == "prev" else "next", slug, title)
                 for rel, slug, title in nav if rel in ("prev", "next"))


def _sisters(nav: Nav) -> tuple[Sister, ...]:
    """The sister-language editions `nav` names ("lang:<lang>" entries, by language)."""
    return tuple(Sister(rel.removeprefix("lang:"), slug, title)
                 for rel, slug, title in nav if rel.startswith("lang:"))


def _deps(episode: Episode, site: Site) -> tuple[str, ...]:
    """The project files an episode was made from (cache records, transcripts, local files)."""
    from companion._build.seam import project_relative
    from companion._pair import audio as _audio
    from companion._pair import remote as _remote
    from companion._pair import spotify as _spotify
    from companion._pair import video as _video
    from companion._pair import youtube as _youtube
    from companion._pair.episodes import audio_source

    article = episode.article
    cache = site.cache
    deps = [*base_deps(article.relpath)]
    if article.youtube_id:
        deps.append(f"{cache}/{_youtube.cache_rel(article.youtube_id)}")
        deps.append(f"{cache}/transcripts/{article.youtube_id}.json")
        deps.append(f"{cache}/{_video.record_rel(f'youtube:{article.youtube_id}')}")
    if article.spotify_id:
        deps.append(f"{cache}/{_spotify.cache_rel(article.spotify_id)}")
    source = audio_source(article)
    if source and article.remote_audio:
        deps.append(f"{cache}/{_remote.record_rel(source)}")
    elif source and (source.startswith(("http://", "https://", "youtube:"))):
        deps.append(f"{cache}/{_audio.record_rel(source)}")
    elif source:
        deps.append(source)
    for transcript in episode.transcripts:
        deps += [project_relative(transcript.vtt, site), project_relative(transcript.srt, site)]
    if article.image and "://" not in article.image:
        deps.append(article.image)
    return tuple(dict.fromkeys(deps))

