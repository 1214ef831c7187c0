"""The match: each article against the videos of the channel and the episodes of the show,
ranked by language, text, links, dates and kind, then assigned one to one across all
articles (maximum total confidence), with a status per side.

Precision first: a pair needs a confidence above `MatchSettings.threshold` *and* a clear
margin over the runner-up, both the article's own runner-up and another article that
wants the same entry; everything that fits about equally is `ambiguous`, for a producer
to settle. The text score is TF-IDF cosine over light stems (see benchmarks/README.md,
"Pairing", for the methods measured), computed through an inverted index of each
language's block: no loop over every article and entry pair."""

from __future__ import annotations

import heapq
import importlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from operator import itemgetter

from companion._match.catalog import Catalog, CatalogEntry, Source
from companion._match.model import (
    Candidate,
    Decisions,
    MatchArticle,
    MatchSettings,
    Proposal,
    Side,
    SideProposal,
)
from companion._match.text import (
    Vector,
    bm25,
    char_grams,
    counts,
    idf_of,
    normalize,
    tfidf,
    words,
)
from companion._read.lang import detect_languages
from companion._read.links import clean_url

#: Kinds that are an article's companion; "was_live" joins them with `settings.live`.
_COMPANIONS = {"video", "episode"}
_SURE_LETTERS = 24  # fewer letters than this and a detected language is a guess
_COMMON = 0.2  # a term in more than this share of a block's documents is not indexed
_SAMPLE = 250  # characters of a description that language detection reads
_QUERY = 32  # an article's most weighted terms look candidates up...
_POOL = 30  # ...and this many candidates are scored in full


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


# -- languages, links, dates ------------------------------------------------------------------

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
    if entry.language and entry.language != detected and letters < _SURE_LETTERS * 3:
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
    if abs(delta) > settings.max_days:
        return 0.0, "too far in time"
    if delta < 0:
        return max(0.0, 1.0 - (-delta - before) / 30.0), f"{delta:+.0f} days (before)"
    return max(0.3, 1.0 - (delta - after) / settings.max_days), f"{delta:+.0f} days"


# -- documents and the index ------------------------------------------------------------------

def _doc_text(entry: CatalogEntry, other: CatalogEntry | None) -> tuple[str, str]:
    description = entry.description
    if other is not None and len(other.description) > len(description):
        description = other.description
    return entry.title, description


@dataclass
class _Block:
    """The documents of one language and side: IDF and an inverted index."""

    idf: dict[str, float]
    default: float
    postings: dict[str, list[tuple[int, float]]]


def _build_block(docs: list[_Doc], texts: dict[int, list[str]],
                 article_terms: list[list[str]], method: str) -> _Block:
    idf, default = idf_of([texts[d.index] for d in docs] + article_terms)
    average = sum(len(texts[d.index]) for d in docs) / max(1, len(docs))
    limit = max(3, _COMMON * (len(docs) + len(article_terms)))
    df: dict[str, int] = defaultdict(int)
    for d in docs:
        for t in set(texts[d.index]):
            df[t] += 1
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for d in docs:
        d.vector = bm25(counts(texts[d.index]), idf, default,
                        len(texts[d.index]) / (average or 1.0)) if method == "bm25" \
            else tfidf(counts(texts[d.index]), idf, default)
        weights = [idf.get(t, default) for t in d.title_terms]
        d.title_weights = {t: w / sum(weights) for t, w in zip(d.title_terms, weights,
                                                               strict=True)}
        for term, weight in d.vector.items():
            if df[term] <= limit:
                postings[term].append((d.index, weight))
    return _Block(idf, default, postings)


def _weighted(title: list[str], body: list[str]) -> list[str]:
    return title + title + body  # a title counts twice


@dataclass(frozen=True)
class _Text:
    """An article's text as both sides compare it, made once."""

    terms: list[str]  # title twice, then the body: stems or character n-grams
    words: frozenset[str]  # its stems
    urls: frozenset[str]  # its own addresses, normalised (paths as they are)


def _article_text(article: MatchArticle, method: str) -> _Text:
    title, body = words(article.title), words(article.text)
    terms = _weighted(title, body) if method != "tfidf-char" else _weighted(
        char_grams(article.title), char_grams(article.text))
    urls = frozenset(normal_url(u) if "://" in u else "/" + u.strip("/") for u in article.urls)
    return _Text(terms, frozenset(title + body), urls)


def _prepare_docs(docs: list[_Doc], method: str) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = {}
    samples: dict[int, str] = {}
    for d in docs:
        title, description = _doc_text(d.entry, d.rss if d.rss is not d.entry else None)
        title_words = words(title)
        texts[d.index] = _weighted(title_words, words(description)) if method != "tfidf-char" \
            else _weighted(char_grams(title), char_grams(description))
        d.title_terms = tuple(dict.fromkeys(title_words))
        d.links = frozenset(normal_url(u) for u in d.entry.links + (d.rss.links if d.rss else ()))
        d.flat = d.entry.flat or not description
        samples[d.index] = f"{title}\n{description[:_SAMPLE]}"
    undeclared = [d for d in docs if not _declared(d.entry)]
    detected = dict(zip((d.index for d in undeclared),
                        detect_languages([samples[d.index] for d in undeclared]), strict=True))
    for d in docs:
        entry = d.entry if d.entry.language or d.rss is None else d.rss
        d.lang, d.lang_sure = _language(entry, samples[d.index], detected.get(d.index))
    return texts


# -- show episodes: Spotify and RSS joined ----------------------------------------------------

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


# -- scoring ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Scored:
    score: float
    doc: int
    reasons: tuple[str, ...]
    linked: bool = False  # the entry links the article's page: decisive
    raw: float | None = None  # the score before other articles' claims lowered it


#: How much a candidate loses for fitting another article too: a news bulletin or a
#: week's round-up quotes several articles, an article's own video fits one.
DIGEST = 0.6


def _in_series(found: list[_Scored], series: dict[int, int]) -> list[_Scored]:
    """A round-up or a bulletin (one of a series of same-titled entries) scores half."""
    out = [s if s.linked or s.doc not in series else _Scored(
        round(s.score * 0.5, 4), s.doc, (*s.reasons, f"one of {series[s.doc]} with this title"))
        for s in found]
    out.sort(key=lambda x: (-x.score, x.doc))
    return out


def _digests(ranked: dict[int, list[_Scored]]) -> dict[int, list[_Scored]]:
    """Each article's candidates, less what each candidate fits other articles."""
    best: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for number, found in ranked.items():
        for s in found:
            top = best[s.doc]
            top.append((s.score, number))
            if len(top) > 2:
                top.sort(reverse=True)
                top.pop()
    adjusted: dict[int, list[_Scored]] = {}
    for number, found in ranked.items():
        out = []
        for s in found:
            other = max((score for score, b in best[s.doc] if b != number), default=0.0)
            if s.linked or other <= 0.0:
                out.append(s)
                continue
            score = round(s.score * (1.0 - DIGEST * other), 4)
            out.append(_Scored(score, s.doc, (*s.reasons, f"fits another article {other:.2f}"),
                               raw=s.score))
        out.sort(key=lambda x: (-x.score, x.doc))
        adjusted[number] = out
    return adjusted


def _text_score(cosine: float, title_cover: float, flat: bool) -> float:
    if flat:  # a title alone: how much of it the article says, and cosine against it
        return min(1.0, 0.55 * title_cover + 0.9 * cosine)
    return min(1.0, 1.6 * cosine + 0.25 * title_cover)


class _Side:
    """One side's documents, indexed by language."""

    def __init__(self, docs: list[_Doc], articles: Sequence[MatchArticle],
                 texts: Sequence[_Text], settings: MatchSettings) -> None:
        self.docs = docs
        self.settings = settings
        self.texts = texts
        doc_terms = _prepare_docs(docs, settings.method)
        self.blocks: dict[str, _Block] = {}
        for lang in {d.lang for d in docs if d.lang}:
            members = [d for d in docs if d.lang == lang]
            own = [t.terms for t, a in zip(texts, articles, strict=True) if a.lang == lang]
            self.blocks[lang] = _build_block(members, doc_terms, own, settings.method)
        self.linking: dict[str, list[int]] = defaultdict(list)
        for d in docs:
            for link in d.links:
                self.linking[link].append(d.index)
                path = link.partition("/")[2].partition("?")[0].strip("/")
                if path:  # an article's permalink is a path on the newsroom's site
                    self.linking["/" + path].append(d.index)
        self.when = [d.date.timestamp() if d.date else None for d in docs]
        # "fuzz": rapidfuzz's token set ratio instead of the cosine (measured, not kept:
        # an optional library, see benchmarks/README.md, "Pairing")
        self.fuzz = importlib.import_module("rapidfuzz.fuzz") if settings.method == "fuzz" \
            else None

    def _fuzzy(self, number: int, article: MatchArticle, doc: _Doc) -> float:
        lead = normalize(f"{article.title} {article.text[:600]}")
        other = normalize(f"{doc.title} {doc.entry.description[:600]}")
        return float(self.fuzz.token_set_ratio(lead, other)) / 100.0 * 0.6  # type: ignore[union-attr]

    def _linked(self, article: MatchArticle, urls: frozenset[str]) -> set[int]:
        found = {i for url in urls for i in self.linking.get(url, ())}
        return {i for i in found if self.docs[i].lang == article.lang or not self.docs[i].lang_sure}

    def rank(self, number: int, article: MatchArticle, excluded: set[int]) -> list[_Scored]:
        block = self.blocks.get(article.lang)
        text = self.texts[number]
        linked = self._linked(article, text.urls) if text.urls else set()
        if block is None and not linked:
            return []
        vector = tfidf(counts(text.terms), block.idf, block.default) if block else {}
        query = heapq.nlargest(_QUERY, vector.items(), key=itemgetter(1)) \
            if len(vector) > _QUERY else vector.items()
        acc: dict[int, float] = defaultdict(float)
        postings = block.postings if block else {}
        for term, weight in query:
            for index, other in postings.get(term, ()):
                acc[index] += weight * other
        if article.date is not None:
            now = article.date.timestamp()
            low = now - (self.settings.days_before + 31) * 86400
            high = now + self.settings.max_days * 86400
            when = self.when
            acc = {i: v for i, v in acc.items()
                   if when[i] is None or low <= when[i] <= high}  # type: ignore[operator]
        pool = {i for i, _v in heapq.nlargest(_POOL, acc.items(), key=itemgetter(1))} | linked
        found = []
        for index in sorted(pool - excluded):
            doc = self.docs[index]
            mine = doc.vector
            cosine = sum(vector[t] * mine[t] for t in mine.keys() & vector.keys())
            if self.fuzz is not None:
                cosine = self._fuzzy(number, article, doc)
            scored = self._score(doc, article, cosine, text.words, index in linked)
            if scored is not None:
                found.append(scored)
        found.sort(key=lambda s: (-s.score, s.doc))
        return found

    def _score(self, doc: _Doc, article: MatchArticle, cosine: float, present: frozenset[str],
               linked: bool) -> _Scored | None:
        factor, when = _date_factor(doc, article, self.settings)
        if linked:
            return _Scored(1.0, doc.index, ("its description links the article", when), True)
        if factor <= 0:
            return None
        cover = sum(w for t, w in doc.title_weights.items() if t in present)
        text = _text_score(cosine, cover, doc.flat)
        score = text * factor
        reasons = [f"text {text:.2f} (cosine {cosine:.2f}, title {cover:.0%})", when]
        if doc.flat:
            score *= 0.9
            reasons.append("flat listing: title only")
        if not doc.lang_sure:
            score = min(score, self.settings.threshold - 0.01)
            reasons.append("language unsure")
        if score < 0.08:
            return None
        return _Scored(round(score, 4), doc.index, tuple(reasons))


# -- assignment -------------------------------------------------------------------------------

def _hungarian(weights: list[list[float]]) -> list[int]:
    """For each row, the column it gets (-1 for none) maximising the total weight
    (rows <= columns; the classic O(n^2 m) shortest augmenting path)."""
    n, m = len(weights), len(weights[0]) if weights else 0
    top = max((w for row in weights for w in row), default=0.0)
    cost = [[top - w for w in row] for row in weights]
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    p, way = [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [math.inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], math.inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    result = [-1] * n
    for j in range(1, m + 1):
        if p[j]:
            result[p[j] - 1] = j - 1
    return result


def assign(edges: dict[int, dict[int, float]]) -> dict[int, int]:
    """Article -> document, one to one, maximising the total score of `edges`
    (article -> {document: score}); solved per connected component."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, row in edges.items():
        for d in row:
            parent[find(("a", a))] = find(("d", d))
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for a in edges:
        if edges[a]:
            groups[find(("a", a))].append(a)
    chosen: dict[int, int] = {}
    for rows in groups.values():
        columns = sorted({d for a in rows for d in edges[a]})
        if len(rows) == 1 or len(columns) == 1:
            best = max(((s, -d, a) for a in rows for d, s in edges[a].items()))
            chosen[best[2]] = -best[1]
            continue
        # dummy columns let a row stay unassigned (weight 0)
        grid = [[edges[a].get(d, 0.0) for d in columns] + [0.0] * len(rows) for a in rows]
        for a, j in zip(rows, _hungarian(grid), strict=True):
            if 0 <= j < len(columns) and edges[a].get(columns[j], 0.0) > 0:
                chosen[a] = columns[j]
    return chosen


# -- the match --------------------------------------------------------------------------------

def _candidate(doc: _Doc, scored: _Scored) -> list[Candidate]:
    found = [Candidate(doc.source, doc.id, doc.title, scored.score, scored.reasons, doc.entry)]
    if doc.rss is not None and doc.source != "rss":
        found.append(Candidate("rss", doc.rss.id, doc.rss.title, scored.score,
                               scored.reasons, doc.rss))
    return found


def _decided(side: Side, article: MatchArticle, docs: list[_Doc], by_id: dict[str, int],
             decisions: Decisions) -> tuple[SideProposal, int | None] | None:
    """The side's outcome when the article carries an id or a producer chose one."""
    chosen = decisions.chosen.get(article.slug, {})
    wanted = ["youtube"] if side == "youtube" else ["spotify", "rss"]
    for source in wanted:
        if source in chosen:
            index = by_id.get(chosen[source])
            doc = docs[index] if index is not None else None
            warning = None if doc else (f"the chosen {source} id {chosen[source]} is not in "
                                        "the catalogs")
            return SideProposal("paired", doc.id if doc else chosen[source],
                                doc.entry if doc else None, 1.0,
                                tuple(_candidate(doc, _Scored(1.0, index or 0, (
                                    "chosen by a producer",)))) if doc else (),
                                warning), index
    carried = article.youtube_id if side == "youtube" else article.spotify_id
    if carried is None:
        return None
    index = by_id.get(carried)
    return SideProposal("already", carried, docs[index].entry if index is not None else None,
                        1.0), index


def _check_already(proposal: SideProposal, index: int | None, number: int, side: _Side,
                   article: MatchArticle, has_catalog: bool) -> SideProposal:
    label = "video" if side.docs and side.docs[0].source == "youtube" else "episode"
    if index is None:
        if not has_catalog:
            return proposal
        return replace(proposal, confidence=0.5, warning=(
            f"{article.key} carries the {label} id {proposal.id}, which the catalogs do not "
            "know: check the id, or that the catalog is complete"))
    doc = side.docs[index]
    ranked = {s.doc: s for s in side.rank(number, article, set())}
    scored = ranked.get(index)
    unlike = scored is None or (scored.score < 0.2 and not scored.linked)
    mismatch = (doc.lang_sure and doc.lang and doc.lang != article.lang) or (
        unlike and not doc.flat)
    if mismatch:
        return replace(proposal, confidence=0.2, warning=(
            f"{article.key} ('{article.title}') carries the {label} {doc.id} "
            f"('{doc.title}'), which does not look like the same story: check the id"))
    return proposal


def _decide(number: int, ranked: list[_Scored], assigned: dict[int, int],
            owner: dict[int, int], wanting: dict[int, list[tuple[float, int]]],
            side: _Side) -> SideProposal:
    settings = side.settings
    mine = assigned.get(number)
    # entries that another article holds surely are not this one's candidates
    listed = [s for s in ranked if owner.get(s.doc, number) == number]
    candidates = tuple(c for s in listed[:settings.candidates]
                       for c in _candidate(side.docs[s.doc], s))
    if mine is not None:
        own = next(s for s in ranked if s.doc == mine)
        score = own.score
        if own.linked and not any(s.linked for s in listed if s.doc != mine):
            doc = side.docs[mine]
            return SideProposal("paired", doc.id, doc.entry, score, candidates)
        runner = max((s.score for s in listed if s.doc != mine), default=0.0)
        rival = max((score_b for score_b, b in wanting.get(mine, ()) if b != number),
                    default=0.0)
        if score >= settings.threshold and score - max(runner, rival) >= settings.margin:
            doc = side.docs[mine]
            return SideProposal("paired", doc.id, doc.entry, round(score, 3), candidates)
        return SideProposal("ambiguous", None, None, round(score, 3), candidates)
    if not listed:
        return SideProposal("unmatched")
    best = listed[0].score
    close = [s for s in listed if best - s.score < settings.margin]
    shared = max(s.raw or 0.0 for s in listed)  # fits as well as another article's
    if best >= settings.threshold or (len(close) > 1 and best >= 0.75 * settings.threshold) \
            or shared >= settings.threshold:
        return SideProposal("ambiguous", None, None, round(best, 3), candidates)
    return SideProposal("unmatched", None, None, round(best, 3), candidates)


def _match_side(side_name: Side, articles: Sequence[MatchArticle], texts: Sequence[_Text],
                docs: list[_Doc],
                decisions: Decisions, settings: MatchSettings, has_catalog: bool,
                support: Sequence[SideProposal] | None = None) -> list[SideProposal]:
    by_id: dict[str, int] = {}
    for d in docs:
        for _source, key in d.ids:
            by_id.setdefault(key, d.index)
    side = _Side(docs, articles, texts, settings)
    results: list[SideProposal | None] = [None] * len(articles)
    claimed: set[int] = set()
    fixed: dict[int, int | None] = {}
    for number, article in enumerate(articles):
        decided = _decided(side_name, article, docs, by_id, decisions)
        if decided is not None:
            proposal, index = decided
            results[number] = proposal
            fixed[number] = index
            if index is not None:
                claimed.add(index)
    excluded = set(claimed) | {d.index for d in docs if not _eligible(d, settings)}
    series = _series(docs)
    every = _digests({n: _in_series(side.rank(n, a, excluded), series)
                      for n, a in enumerate(articles)})
    ranked: dict[int, list[_Scored]] = {}
    for number, article in enumerate(articles):
        if results[number] is not None:
            continue
        rejected = decisions.rejected.get(article.slug, frozenset())
        found = [s for s in every[number]
                 if not any(pair in rejected for pair in docs[s.doc].ids)]
        if support is not None:
            found = _supported(found, support[number], side)
        ranked[number] = found
    edges = {n: {s.doc: s.score + (1.0 if s.linked else 0.0) for s in found
                 if s.score >= settings.threshold} for n, found in ranked.items()}
    assigned = assign(edges)
    wanting: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for number, found in ranked.items():
        best = found[0].score if found else 0.0
        for s in found:  # an article wants what fits it about as well as its best
            if s.score >= 0.75 * settings.threshold and s.score > best - settings.margin:
                wanting[s.doc].append((s.score, number))
    decided_now = {n: _decide(n, ranked[n], assigned, {}, wanting, side) for n in ranked}
    owner = {d: n for n, d in assigned.items() if decided_now[n].status == "paired"}
    for number in ranked:
        results[number] = _decide(number, ranked[number], assigned, owner, wanting, side)
    for number, index in fixed.items():
        carried = results[number]
        if carried is not None and carried.status == "already":
            results[number] = _check_already(carried, index, number, side,
                                             articles[number], has_catalog)
    return [r if r is not None else SideProposal("unmatched") for r in results]


def _supported(found: list[_Scored], video: SideProposal, side: _Side) -> list[_Scored]:
    """Show candidates whose length is the article's video's get a little more weight."""
    entry = video.entry
    if video.status not in ("paired", "already") or entry is None or entry.duration is None:
        return found
    boosted = []
    for s in found:
        duration = side.docs[s.doc].duration
        if duration is not None and s.score >= 0.2 and abs(duration - entry.duration) <= max(
                5.0, 0.03 * entry.duration):
            s = _Scored(min(1.0, round(s.score + 0.1, 4)), s.doc,
                        (*s.reasons, "as long as the article's video"))
        boosted.append(s)
    boosted.sort(key=lambda s: (-s.score, s.doc))
    return boosted


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


def match(articles: Sequence[MatchArticle], catalogs: Sequence[Catalog], *,
          decisions: Decisions | None = None,
          settings: MatchSettings | None = None) -> list[Proposal]:
    """One `Proposal` per article, in the same order."""
    decisions = decisions or Decisions()
    settings = settings or MatchSettings()
    has_video = any(c.source == "youtube" and c.complete for c in catalogs)
    has_show = any(c.source in ("spotify", "rss") and c.complete for c in catalogs)
    texts = [_article_text(a, settings.method) for a in articles]
    videos = _match_side("youtube", articles, texts, _video_docs(catalogs), decisions, settings,
                         has_video)
    show_docs = _show_docs(catalogs)
    shows = _match_side("show", articles, texts, show_docs, decisions, settings, has_show,
                        support=videos)
    by_id = {key: d for d in show_docs for _s, key in d.ids}
    proposals = []
    for article, video, show in zip(articles, videos, shows, strict=True):
        doc = by_id.get(show.id or "") if show.status in ("paired", "already") else None
        spotify_id = doc.spotify.id if doc and doc.spotify else (
            show.id if show.status == "already" else None)
        rss = doc.rss if doc else None
        proposals.append(Proposal(article.key, article.slug, video, show, spotify_id,
                                  rss.audio_url if rss else None, rss))
    return proposals


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
