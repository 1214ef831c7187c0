"""The build's first steps for each article: who it is (its identity, from the last
build or from the render that reads it) and how it is rendered this time (its lifecycle
and its claims on a slug and a GUID, settled on every identity at once; its neighbours
in its first show).

A mixin of `engine._Build`: the attributes below are the build's own.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from companion._build.folders import check_output_folder
from companion._build.seam import Flags, Nav, base_deps
from companion._build.state import ABSENT, BuildState, EpisodeState, FileHashes, identity_of
from companion._build.stories import sister_nav
from companion._build.writer import Writer
from companion._errors import Problem
from companion._lifecycle.ledger import PublishedIndex
from companion._lifecycle.lifecycle import Claim, included, resolve_claims, status_of
from companion._model import FeedDefinition
from companion._site_model import Clock, Identity, Site, Status


class Settling:
    """Identities, lifecycle and claims (see the module docstring)."""

    site: Site
    out: Path
    clock: Clock
    pages_key: str
    old: BuildState
    known: BuildState
    new: BuildState
    hashes: FileHashes
    writer: Writer
    published: PublishedIndex
    feeds: dict[str, FeedDefinition]  # by slug, in the order of the feeds
    problems: list[Problem]
    identities: dict[str, Identity | None]
    status: dict[str, Status]
    flags: dict[str, Flags]
    _rendered: set[str]
    _checked: set[str]

    def _identify(self, sources: list[str]) -> list[str]:
        """The identity of every article whose files did not change, from the last build;
        return the others: they are read (once) by the render, which hands their identity
        back. Until then the last build's identity of each stands in as a guess (the order
        of the shows' pages)."""
        again = self.pages_key != self.old.pages_key  # companion.toml (the time zone) changed
        unread: list[str] = []
        last, known, identities = self.old.episodes, self.known.episodes, self.identities
        for source in sources:
            state = last.get(source)
            if state is not None and not again and self._same_files(base_deps(source)):
                identities[source] = identity_of(state.ident)
                continue
            unread.append(source)
            guess = known.get(source)
            identities[source] = identity_of(guess.ident) if guess is not None else None
        return unread

    def _same_files(self, rels: Sequence[str]) -> bool:
        """Whether `rels` are as the last build saw them: by stat, else by their bytes."""
        if self.hashes.all_unchanged(rels):
            return True
        known = self.old.files
        return all(self.hashes.hash(rel) == (known[rel][2] if rel in known else ABSENT)
                   for rel in rels)

    def _check_files(self, identities: Iterable[Identity | None]) -> None:
        """No article's local audio or artwork may lie in the output folder (each project
        file checked once a build, before anything of the article that names it is
        written)."""
        files = {f for i in identities if i is not None for f in i.files} - self._checked
        if files or not self._checked:
            check_output_folder(self.site, self.out, "the output folder", sorted(files))
            self._checked |= files | {""}

    def _decide(self, sources: list[str], unread: Sequence[str] = ()) -> set[str]:
        """Lifecycle and clashes: how each article is rendered this time; return the
        articles that share a slug or a GUID with another. `unread` articles are not known
        yet: they get flags the renderer settles from what it reads (`Flags.settled`), and
        the others' flags are a first guess (for the neighbours), settled again once every
        identity is known."""
        waiting = set(unread)
        claims: list[Claim] = []
        for source in sources:
            identity = self.identities[source]
            if identity is None or source in waiting:
                continue
            status = self.status[source] = status_of(identity.draft, identity.date,
                                                     self.clock.now)
            if included(status, self.clock):
                claims.append(Claim(source, identity.slug, identity.guid))
        resolution = resolve_claims(claims, self.published.guids)
        for source in sources:
            nav = self.flags[source].nav if source in self.flags else ()
            status = self.status.get(source, "live")
            if source in waiting:
                self.flags[source] = Flags(nav=nav, clock=self.clock)
            elif self.identities[source] is None:
                self.flags[source] = Flags(nav=nav)  # cannot be read: the render says why
            elif source in resolution.dropped or not included(status, self.clock):
                self.flags[source] = Flags(render=False, mark=status, nav=nav)
            else:
                self.flags[source] = Flags(mark=status, nav=nav,
                                           in_feeds=source not in resolution.no_feed)
        if waiting:
            return set()
        self.problems.extend(resolution.problems())
        pending = [i.date for s, i in self.identities.items()
                   if i is not None and self.status.get(s) == "scheduled" and i.date]
        self.new.next_release = min(pending).isoformat() if pending else ""
        return _clashing(claims)

    def _navigate(self, sources: list[str], states: Mapping[str, EpisodeState]) -> list[str]:
        """Set each article's neighbours (`Flags.nav`) in its first show, newest first as
        the show's page lists them (hidden ones left out), from who `states` say is in
        which show; return the articles whose neighbours changed."""
        flags, identities = self.flags, self.identities
        members: dict[str, list[str]] = {slug: [] for slug in self.feeds}
        paged: list[str] = []  # with a page this time (hidden ones too: their sisters)
        order: dict[str, tuple[bool, float, str]] = {}
        for source in sources:
            state, identity = states.get(source), identities.get(source)
            if state is None or identity is None or not state.page \
                    or not flags[source].render:
                continue
            paged.append(source)
            if identity.hidden:
                continue
            order[source] = _newest_first(identity)
            for slug in state.feeds:
                listed = members.get(slug)
                if listed is not None:
                    listed.append(source)
        nav: dict[str, Nav] = {}
        for listed in members.values():  # in the order of the feeds: the first show wins
            listed.sort(key=order.__getitem__)
            last = len(listed) - 1
            for at, source in enumerate(listed):
                if source in nav:
                    continue
                older = states[listed[at + 1]] if at < last else None
                newer = states[listed[at - 1]] if at > 0 else None
                nav[source] = (*((("prev", older.slug, older.title),) if older else ()),
                               *((("next", newer.slug, newer.title),) if newer else ()))
        for source, sisters in sister_nav(paged, identities, states).items():
            nav[source] = (*nav.get(source, ()), *sisters)
        moved: list[str] = []
        for source in sources:
            was, now = flags[source], nav.get(source, ())
            if was.nav != now:
                flags[source] = dataclasses.replace(was, nav=now)
                moved.append(source)
        return moved

    def _same_shows(self, sources: list[str], unread: list[str]) -> bool:
        """Whether the shows are as the first guess of neighbours had them: no article was
        read or rendered since, and each has the very state the guess was made from (then
        `_navigate` again would find every neighbour as it is: it is skipped)."""
        if unread or self._rendered:
            return False
        new, known = self.new.episodes, self.known.episodes
        return all(new.get(s) is known.get(s) for s in sources)

    def _unsettled(self, rendered: list[str], clashing: set[str]) -> list[str]:
        """Of the articles rendered before the lifecycle was settled, those to render again:
        their settled flags differ from those they were rendered with (a clash), or they
        share a slug or GUID with another (whose files theirs may have overwritten).
        Their outputs are released to be claimed anew."""
        again: list[str] = []
        for source in rendered:
            state = self.new.episodes.get(source)
            if state is not None and state.flags == self.flags[source].key \
                    and source not in clashing:
                continue
            again.append(source)
            if state is not None:
                self.writer.release(state.outputs)
                del self.new.episodes[source]
                self._rendered.discard(source)
        return again


def _newest_first(identity: Identity) -> tuple[bool, float, str]:
    """The order of a show's page: newest first, undated last, then by slug."""
    when = identity.date
    return (when is None, -when.timestamp() if when else 0.0, identity.slug)


def _clashing(claims: Sequence[Claim]) -> set[str]:
    """The sources of the claims that share a slug or a GUID with another."""
    slugs = Counter(c.slug for c in claims)
    guids = Counter(c.guid for c in claims)
    return {c.source for c in claims if slugs[c.slug] > 1 or guids[c.guid] > 1}
