"""`companion pair`'s work once the catalogs are read (`_catalogs` reads them, in the API):
the articles matched against them with the producers' decisions (``pairing.toml``),
`--choose` and `--reject` recorded, and with `--accept` the paired ids written into the
articles and the show's RSS items into ``pairing.toml``.

    articles + catalogs + pairing.toml ─match─▶ proposals ─accept─▶ video:/spotify: lines,
                                                                    [[show]] records

Everything to write is computed and checked first; then each file is replaced atomically
(`_project.accept`), the articles before ``pairing.toml``: an interrupted accept leaves each
file as it was or fully updated, and running it again finishes the work (an article that
carries its id is `already`, and its show item is recorded then).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from companion._config.project import project_rel
from companion._errors import PairError, Problem
from companion._files import atomic_write
from companion._match import (
    Catalog,
    CatalogEntry,
    Decisions,
    MatchArticle,
    MatchSettings,
    Proposal,
    match,
    orphans,
)
from companion._model import Article, ShowItem
from companion._project.accept import Edit, edit_for, id_lines, write_edits
from companion._read.pairing import Pairing, pairing_path, read_pairing, render_pairing
from companion._read.select import find_article, select_articles
from companion._site_model import Site


@dataclass(frozen=True)
class PairReport:
    """What `companion pair` found and did; `to_json()` is what ``--json`` prints."""

    proposals: tuple[Proposal, ...]
    articles: tuple[Article, ...]  # in the proposals' order
    notes: tuple[Problem, ...] = ()  # the catalogs' notes, the matcher's warnings
    written: tuple[str, ...] = ()  # project-relative files written (articles, pairing.toml)
    orphans: tuple[CatalogEntry, ...] = ()  # with `orphans`: what no article claims
    completed: int = 0  # flat-listed candidates whose full info was fetched, then matched again

    def to_json(self) -> dict[str, Any]:
        """``{"articles": [...]}``: one record per article (`Proposal.as_json`)."""
        return {"articles": [p.as_json() for p in self.proposals]}

    def orphans_json(self) -> dict[str, Any]:
        return {"orphans": [{"source": e.source, "id": e.id, "title": e.title,
                             "date": e.date.isoformat() if e.date else None, "url": e.url}
                            for e in self.orphans]}


def match_settings(site: Site) -> MatchSettings:
    """The matcher's settings from `[pair]`."""
    settings = MatchSettings(live=site.pair.live)
    if site.pair.date_window_days is not None:
        settings = replace(settings, max_days=float(site.pair.date_window_days))
    return settings


def readable_articles(site: Site) -> tuple[list[Article], list[Problem]]:
    """Every article that can be read, and the errors of those that cannot."""
    from companion._read.articles import read_project

    read = read_project(site)
    return read.articles, [p for p in read.problems if p.severity == "error"]


def propose(site: Site, articles: Sequence[Article], catalogs: Sequence[Catalog],
            pairing: Pairing) -> list[Proposal]:
    """The matcher's proposal for each article, with the recorded decisions. A show item
    accepted before (``[[show]]``) holds like an id the article carries: its side is
    `already`."""
    seen = [MatchArticle.from_article(a, site.episode_url(a.slug)) for a in articles]
    chosen = {slug: dict(sides) for slug, sides in pairing.chosen.items()}
    for slug, item in pairing.shows.items():
        sides = chosen.setdefault(slug, {})
        if "rss" not in sides and "spotify" not in sides:
            sides["rss"] = item.guid
    found = match(seen, catalogs, decisions=Decisions(chosen, pairing.rejected),
                  settings=match_settings(site))
    return [_accepted(p, pairing.shows.get(p.slug)) for p in found]


def _accepted(proposal: Proposal, item: ShowItem | None) -> Proposal:
    """The show side `already` when it is the item accepted before."""
    rss = proposal.rss
    if item is None or rss is None or rss.id != item.guid or proposal.show.status != "paired":
        return proposal
    return replace(proposal, show=replace(proposal.show, status="already"))


def flat_candidates(proposals: Sequence[Proposal]) -> list[str]:
    """The videos from a flat listing (no description, no date) among the candidates of an
    article whose video is not settled: the ones worth a full extraction."""
    return list(dict.fromkeys(
        c.id for p in proposals if p.youtube.status in ("ambiguous", "unmatched")
        for c in p.youtube.candidates
        if c.source == "youtube" and c.entry is not None and c.entry.flat))


def _source_of(key: str, catalogs: Sequence[Catalog], doing: str) -> str:
    sources = {e.source for c in catalogs for e in c.entries if e.id == key}
    if not sources:
        raise PairError(f"{key!r} is in none of the catalogs", where=doing,
                        fix="give a candidate's id as `companion pair` lists it (a video id, "
                            "a Spotify episode id or an RSS item's guid)")
    return sorted(sources)[-1] if len(sources) > 1 else next(iter(sources))


def decide(pairing: Pairing, articles: Sequence[Article], catalogs: Sequence[Catalog],
           choose: Sequence[tuple[str, str]], reject: Sequence[tuple[str, str]]) -> Pairing:
    """`pairing` with the choices and rejections recorded (by slug; a name is checked)."""
    chosen = {slug: dict(v) for slug, v in pairing.chosen.items()}
    rejected = {slug: set(v) for slug, v in pairing.rejected.items()}
    for name, key in choose:
        slug = find_article(name, articles, "companion pair --choose").slug
        source = _source_of(key, catalogs, "companion pair --choose")
        chosen.setdefault(slug, {})[source] = key
        rejected.get(slug, set()).discard((source, key))
    for name, key in reject:
        slug = find_article(name, articles, "companion pair --reject").slug
        source = _source_of(key, catalogs, "companion pair --reject")
        rejected.setdefault(slug, set()).add((source, key))
        if chosen.get(slug, {}).get(source) == key:
            del chosen[slug][source]
    return Pairing({s: v for s, v in chosen.items() if v},
                   {s: frozenset(v) for s, v in rejected.items() if v}, pairing.shows)


def _show_item(entry: CatalogEntry) -> ShowItem | None:
    if not entry.audio_url or not entry.audio_url.lower().startswith(("http://", "https://")):
        return None
    title = " ".join(entry.title.split()) or None
    return ShowItem(entry.id, entry.audio_url, entry.audio_type, entry.audio_length, title,
                    entry.duration)


def accept_edits(site: Site, articles: Sequence[Article], proposals: Sequence[Proposal],
                 pairing: Pairing, names: Sequence[str]) -> tuple[list[Edit], Pairing]:
    """The files to write for the articles `names` selects (all when empty): the paired ids
    into each article, the matched show-RSS items into the pairing records. Ambiguous and
    unmatched articles (by their status, both sides in one word) are left alone."""
    by_key = {p.key: p for p in proposals}
    shows = dict(pairing.shows)
    edits: list[Edit] = []
    for article in select_articles(names, articles, "companion pair --accept"):
        proposal = by_key[article.relpath]
        if proposal.status in ("ambiguous", "unmatched"):
            continue
        youtube = proposal.youtube.id if proposal.youtube.status == "paired" else None
        show_known = proposal.show.status in ("paired", "already")
        spotify = proposal.spotify_id if proposal.show.status == "paired" else None
        lines = id_lines(youtube if not article.youtube_id else None,
                         spotify if not article.spotify_id else None)
        if lines:
            edits.append(edit_for(article, lines, site))
        item = _show_item(proposal.rss) if show_known and proposal.rss is not None else None
        if item is not None:
            shows[article.slug] = item
    return edits, Pairing(pairing.chosen, pairing.rejected, shows)


def write_pairing(site: Site, pairing: Pairing, before: Pairing) -> bool:
    """``pairing.toml`` written when its records change (a file a producer edited by hand,
    its comments, is left alone otherwise); whether it was."""
    if pairing == before:
        return False
    atomic_write(pairing_path(site.root), render_pairing(pairing), make_parent=False)
    return True


def run_pair(site: Site, catalogs: Sequence[Catalog], *, accept: Sequence[str] | None = None,
             choose: Sequence[tuple[str, str]] = (), reject: Sequence[tuple[str, str]] = (),
             want_orphans: bool = False, notes: Sequence[Problem] = (),
             completed: int = 0) -> PairReport:
    """Match, record the decisions, and with `accept` (a list of names, empty for all) write
    what was paired. Raises before writing anything when something cannot be written."""
    articles, errors = readable_articles(site)
    before = read_pairing(site.root)
    pairing = decide(before, articles, catalogs, choose, reject)
    proposals = propose(site, articles, catalogs, pairing)
    written: list[str] = []
    if accept is not None:
        edits, pairing = accept_edits(site, articles, proposals, pairing, accept)
        write_edits(edits)
        written += [project_rel(e.path, site) for e in edits]
    if write_pairing(site, pairing, before):
        written.append(pairing_path(site.root).name)
    problems = [*errors, *notes, *(Problem("warning", p.key, w) for p in proposals
                                   for w in p.warnings)]
    return PairReport(tuple(proposals), tuple(articles), tuple(problems), tuple(written),
                      tuple(orphans(proposals, catalogs)) if want_orphans else (), completed)

