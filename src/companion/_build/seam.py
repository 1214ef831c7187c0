"""The seam between the build's machinery (`engine`) and the stage calls it makes
(`stages`): the protocols `Stages` and `Renderer` and the types they speak, in one module
that both sides import, so neither imports the other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from companion._build.state import digest
from companion._errors import Problem
from companion._lifecycle.ledger import PublishedIndex
from companion._lifecycle.lifecycle import included, status_of
from companion._model import FeedDefinition
from companion._read.files import SIDECAR_SUFFIXES
from companion._read.pairing import PAIRING_FILE
from companion._site_model import Clock, Identity, OutputFile, Site, Status

#: An episode's neighbours in its first show: ("prev" for the older, "next" for the newer,
#: its slug, its title).
Nav = tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Flags:
    """How one article is rendered this time."""

    render: bool = True  # False: read only (a draft, a scheduled or a dropped article)
    mark: Status = "live"  # a draft or scheduled article in a preview says so on its page
    in_feeds: bool = True  # False: another article keeps its GUID, it gets a page only
    nav: Nav = ()  # the episodes its page links to as older and newer
    #: Set on a first render, before the build knows the article's identity (it is read
    #: once, by the renderer): the renderer settles `render` and `mark` from the article's
    #: own draft flag and date (`settled`), as if it kept its slug and GUID; the build
    #: renders it again in the rare case a clash says otherwise.
    clock: Clock | None = None

    def settled(self, identity: Identity | None) -> Flags:
        """The flags to render with, once the renderer has read the article's identity
        (None: it cannot be read; the render says why)."""
        if self.clock is None:
            return self
        if identity is None:
            return Flags(nav=self.nav)
        status = status_of(identity.draft, identity.date, self.clock.now)
        return Flags(render=included(status, self.clock), mark=status, nav=self.nav)

    @property
    def key(self) -> str:
        base = f"{int(self.render)}{self.mark}{int(self.in_feeds)}"
        return f"{base}:{digest(*(chr(31).join(n) for n in self.nav))}" if self.nav else base


E = TypeVar("E")  # an episode's index entry: what the index pages and feed selection need
I = TypeVar("I")  # noqa: E741 (a type variable)  an episode's feed items: what a feed needs of it beyond the entry


@dataclass(frozen=True)
class EpisodeBuild(Generic[E, I]):
    """What one article renders to."""

    source: str  # project-relative path of the article file
    slug: str
    deps: tuple[str, ...]  # project-relative files it was made from (may not exist)
    files: tuple[OutputFile, ...]
    entry: E | None  # small and picklable: what the index pages need (None: no page)
    item: I | None  # picklable: what a feed needs of it beyond the entry
    feeds: tuple[str, ...]  # slugs of the feeds it is an item of
    problems: tuple[Problem, ...] = ()
    hashes: Mapping[str, str] = field(default_factory=dict)  # sha256 of `source` files
    guid: str = ""  # the episode's GUID (explicit, or derived from its video or audio)
    selected: tuple[str, ...] = ()  # feeds whose selection matches it (ready or not)
    title: str = ""
    why: str = ""  # why an article that feeds select is in none ("no audio", ...)
    media: Mapping[str, str] = field(default_factory=dict)  # feed slug -> enclosure path
    lang: str = ""  # the article's language
    #: The article's identity as this render read it (None: it cannot be read): the
    #: build settles slugs, GUIDs and the lifecycle from it, with no read of its own.
    identity: Identity | None = None


@dataclass(frozen=True)
class Rendered:
    """Files and problems of a feed or of the site pages."""

    files: tuple[OutputFile, ...]
    problems: tuple[Problem, ...] = ()


class Renderer(Protocol[E, I]):
    """One per process: holds what is costly to make (templates, Markdown parser)."""

    def episodes(self, jobs: Sequence[tuple[Path, Flags]]) -> list[EpisodeBuild[E, I]]: ...

    def members(self, entry: E) -> list[str]: ...

    def feed(self, feed: FeedDefinition, items: Iterable[I]) -> Rendered:
        """The feed's files from its members' items (what the episodes rendered for it:
        `EpisodeBuild.item`), in any order, each decoded as it comes (a batch at a time:
        keep what the feed needs of each, not it); the show's page is `show_page`'s."""
        ...

    def show_page(self, feed: FeedDefinition, items: Iterable[I]) -> Rendered:
        """The show's page, which lists the members (made from what their entries hold:
        the build renders it again only when an entry changed)."""
        ...

    def site_pages(self, entries: Iterable[E], feeds_of: Sequence[Sequence[str]],
                   shows: Sequence[str]) -> Rendered:
        """The index, sitemap and the other site-wide files. `entries` come one at a
        time (decoded a batch at a time): keep what the pages need of each, not it."""
        ...

    def relink(self, slug: str, nav: Nav, read: Callable[[str], bytes | None]
               ) -> OutputFile | None:
        """The episode's page (as `read` gives a site path's bytes) with `nav` as its
        neighbours; None when it cannot be patched (it is rendered again)."""
        ...


class Stages(Protocol[E, I]):
    """The stage calls a build makes; picklable, so worker processes get a copy."""

    def load_feeds(self, site: Site) -> tuple[list[FeedDefinition], list[Problem]]: ...

    def published(self, site: Site) -> PublishedIndex: ...

    def page_inputs(self, site: Site) -> list[Path]: ...

    def renderer(self, site: Site, feeds: Sequence[FeedDefinition]) -> Renderer[E, I]: ...


def base_deps(source: str) -> tuple[str, ...]:
    """An article, the sidecars it may have, and ``pairing.toml`` (its show episode)."""
    if not source.lower().endswith(".txt"):
        return (source, PAIRING_FILE)
    stem = source[: -len(".txt")]
    return (source, *(stem + suffix for suffix in SIDECAR_SUFFIXES), PAIRING_FILE)


def project_relative(path: Path, site: Site) -> str:
    try:
        return path.resolve().relative_to(site.root).as_posix()
    except ValueError:
        return str(path)
