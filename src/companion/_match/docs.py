"""The candidates the match ranks: one `_Doc` per video, and per show episode (a Spotify
episode and/or an RSS item, joined on title, date and duration); their language, dates,
kinds and series; and what no article claims (`orphans`) or an id names (`find_entry`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from companion._match.catalog import Catalog, CatalogEntry, Source
from companion._match.model import MatchArticle, MatchSettings, Proposal
from companion._match.text import Vector, words
from companion._read.links import clean_url

#: Kinds that are an article's companion; "was_live" joins them with `settings.live`.
_COMPANIONS = {"video", "episode"}


_SURE_LETTERS = 40  # fewer letters than this and a detected language is a guess...


_OWN_SCRIPT = {"ka", "hy"}  # ...unless its script is the language's alone


@dataclass
class _Doc:
    """One candidate: a video, or a show episode (a Spotify episode and/or an RSS item)."""

    index: int
    source: Source
    id: str
    entry: CatalogEntry  # the Spotify entry of a joined show episode, else its own
    rss: CatalogEntry | None = None  # the RSS item of a show episode
    spotify: CatalogEntry | None = None
    lang: str | None = None
    lang_sure: bool = False
    links: frozenset[str] = frozenset()
    vector: Vector = field(default_factory=dict)
    title_terms: tuple[str, ...] = ()
    title_weights: dict[str, float] = field(default_factory=dict)  # idf shares of the title
    numbers: frozenset[str] = frozenset()  # the numbers its title and description give
    flat: bool = False

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def date(self) -> datetime | None:
        return (self.rss.date if self.rss and self.rss.date else None) or self.entry.date

    @property
    def duration(self) -> float | None:
        return self.entry.duration or (self.rss.duration if self.rss else None)

    @property
    def ids(self) -> tuple[tuple[Source, str], ...]:
        found: list[tuple[Source, str]] = [(self.source, self.id)]
        if self.rss is not None and self.source != "rss":
            found.append(("rss", self.rss.id))
        return tuple(found)


def _declared(entry: CatalogEntry) -> bool:
    return bool(entry.language) and entry.language_evidence in ("declared", "captions")


def _language(entry: CatalogEntry, text: str, detected: str | None) -> tuple[str | None, bool]:
    """(the entry's language, whether that is sure): declared or from captions, else
    `detected` from its title and description (a guess when the text is short)."""
    if _declared(entry):
        return entry.language, True
    letters = sum(1 for ch in text if ch.isalpha())
    if detected is None:
        return entry.language, False
    if detected in _OWN_SCRIPT:
        return detected, True
    if entry.language and entry.language != detected and letters < _SURE_LETTERS * 2:
        return entry.language, False  # a feed's language against a short guess
    return detected, letters >= _SURE_LETTERS


def normal_url(url: str) -> str:
    """`url` compared as an address: no scheme, no leading www., no tracking parameters,
    no fragment, no trailing slash, host in lower case."""
    cleaned = clean_url(url.strip()).split("#", 1)[0]
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", cleaned, flags=re.IGNORECASE)
    address, question, query = bare.partition("?")
    host, _slash, path = address.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{host}/{path}".rstrip("/") + (question + query if query else "")


def _date_factor(doc: _Doc, article: MatchArticle,
                 settings: MatchSettings) -> tuple[float, str]:
    when = doc.date
    if when is None or article.date is None:
        return 0.9, "no date to compare"
    delta = (when - article.date).total_seconds() / 86400
    precision = doc.entry.date_precision
    if precision in ("month", "year"):
        slack = 31.0 if precision == "month" else 366.0
        return (0.9, "dated by month or year") if abs(delta) <= slack else (0.0, "too far")
    slack = 1.5 if precision == "approximate" else 0.0
    before, after = settings.days_before + slack, settings.days_after + slack
    if -before <= delta <= after:
        return 1.0, f"{delta:+.0f} days"
    outside = -delta - before if delta < 0 else delta - after
    fade = settings.fade_days / 2 if delta < 0 else settings.fade_days  # earlier is rarer
    factor = max(0.0, 1.0 - outside / fade)
    return factor, f"{delta:+.0f} days" + (" (before)" if delta < 0 else "")


def _doc_text(entry: CatalogEntry, other: CatalogEntry | None) -> tuple[str, str]:
    description = entry.description
    if other is not None and len(other.description) > len(description):
        description = other.description
    return entry.title, description


@lru_cache(maxsize=8192)
def _title_key(title: str) -> str:
    return " ".join(words(title))


def _same_episode(spotify: CatalogEntry, rss: CatalogEntry) -> float:
    """How surely a Spotify episode and an RSS item are one episode (0 when not)."""
    title_a, title_b = _title_key(spotify.title), _title_key(rss.title)
    days = None
    if spotify.date and rss.date:
        days = abs((spotify.date - rss.date).total_seconds()) / 86400
    close = days is None or days <= 2.0
    durations = spotify.duration is not None and rss.duration is not None
    same_length = durations and abs(spotify.duration - rss.duration) <= max(  # type: ignore[operator]
        3.0, 0.01 * spotify.duration)  # type: ignore[operator]
    if title_a and title_a == title_b and close:
        return 1.0 if same_length or not durations else 0.8
    if same_length and days is not None and days <= 1.0:
        shared = set(title_a.split()) & set(title_b.split())
        return 0.7 if len(shared) >= 2 else 0.0
    return 0.0


def show_episodes(catalogs: Sequence[Catalog]) -> list[tuple[CatalogEntry | None,
                                                              CatalogEntry | None]]:
    """The show's episodes: (Spotify entry, RSS item) pairs joined on title, date and
    duration; an entry with no counterpart stands alone."""
    spotify = [e for c in catalogs if c.source == "spotify" for e in c.entries]
    rss = [e for c in catalogs if c.source == "rss" for e in c.entries]
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(rss):
        by_title[_title_key(item.title)].append(i)
    by_day: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(rss):
        if item.date:
            by_day[item.date.date().isoformat()].append(i)
    pairs: list[tuple[float, int, int]] = []
    for s, episode in enumerate(spotify):
        near = set(by_title.get(_title_key(episode.title), ()))
        if episode.date:
            for shift in (-1, 0, 1):
                day = datetime.fromordinal(episode.date.toordinal() + shift).date().isoformat()
                near.update(by_day.get(day, ()))
        for r in near:
            if (score := _same_episode(episode, rss[r])) > 0:
                pairs.append((score, s, r))
    used_s: set[int] = set()
    used_r: set[int] = set()
    joined: list[tuple[CatalogEntry | None, CatalogEntry | None]] = []
    for _score, s, r in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if s not in used_s and r not in used_r:
            used_s.add(s)
            used_r.add(r)
            joined.append((spotify[s], rss[r]))
    joined += [(e, None) for i, e in enumerate(spotify) if i not in used_s]
    joined += [(None, e) for i, e in enumerate(rss) if i not in used_r]
    return joined


_DIGITS = re.compile(r"\d+")


SERIES = 3  # this many entries with one title (digits aside) are a series: round-ups


def _series(docs: list[_Doc]) -> dict[int, int]:
    """Documents whose title, digits aside, at least `SERIES` documents share: a weekly
    round-up, a daily bulletin ("Week in review | 04.10.2025"). -> index: how many."""
    groups: dict[str, list[int]] = defaultdict(list)
    for d in docs:
        key = " ".join(_DIGITS.sub(" ", " ".join(words(d.title))).split())
        groups[key].append(d.index)
    return {i: len(members) for members in groups.values() if len(members) >= SERIES
            for i in members}


def _eligible(doc: _Doc, settings: MatchSettings) -> bool:
    if doc.entry.extra.get("unavailable"):
        return False
    kind = doc.entry.kind
    return kind in _COMPANIONS or (settings.live and kind == "was_live")


def _video_docs(catalogs: Sequence[Catalog]) -> list[_Doc]:
    seen: dict[str, _Doc] = {}
    for catalog in catalogs:
        if catalog.source != "youtube":
            continue
        for entry in catalog.entries:
            known = seen.get(entry.id)
            if known is None or (known.entry.flat and not entry.flat):
                seen[entry.id] = _Doc(0, "youtube", entry.id, entry)
    docs = list(seen.values())
    for i, d in enumerate(docs):
        d.index = i
    return docs


def _show_docs(catalogs: Sequence[Catalog]) -> list[_Doc]:
    docs: list[_Doc] = []
    for spotify, rss in show_episodes(catalogs):
        main = spotify or rss
        assert main is not None
        docs.append(_Doc(len(docs), main.source, main.id, main, rss=rss, spotify=spotify))
    return docs


def orphans(proposals: Iterable[Proposal], catalogs: Sequence[Catalog]) -> list[CatalogEntry]:
    """The videos and show episodes (Spotify and RSS) no article claims: paired or
    carried. Shorts, live streams and upcoming premieres are left out."""
    claimed: set[tuple[str, str]] = set()
    for p in proposals:
        if p.youtube.status in ("paired", "already") and p.youtube.id:
            claimed.add(("youtube", p.youtube.id))
        if p.spotify_id:
            claimed.add(("spotify", p.spotify_id))
        if p.rss is not None:
            claimed.add(("rss", p.rss.id))
        if p.show.status in ("paired", "already") and p.show.id:
            claimed.add((p.show.entry.source if p.show.entry else "spotify", p.show.id))
    joined = {e.id: (s, r) for s, r in show_episodes(catalogs) for e in (s, r) if e}
    left = []
    for catalog in catalogs:
        for entry in catalog.entries:
            if entry.kind not in _COMPANIONS or (entry.source, entry.id) in claimed:
                continue
            partner = joined.get(entry.id)
            if partner and any(e is not None and (e.source, e.id) in claimed
                               for e in partner):
                continue
            left.append(entry)
    return left


def find_entry(catalogs: Sequence[Catalog], entry_id: str) -> CatalogEntry | None:
    """The entry of any catalog whose id (video id, Spotify episode id, RSS guid) is
    `entry_id`: what `pair --choose SLUG ID` and `--reject SLUG ID` name."""
    return next((e for c in catalogs for e in c.entries if e.id == entry_id), None)
