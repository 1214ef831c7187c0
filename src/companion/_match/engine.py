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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from operator import itemgetter

from companion._match.assign import assign
from companion._match.catalog import Catalog
from companion._match.docs import (
    _date_factor,
    _declared,
    _Doc,
    _doc_text,
    _eligible,
    _language,
    _series,
    _show_docs,
    _video_docs,
    normal_url,
)
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
    bm25,
    char_grams,
    counts,
    idf_of,
    normalize,
    numbers,
    tfidf,
    words,
)
from companion._read.lang import detect_languages

_COMMON = 0.2  # a term in more than this share of a block's documents is not indexed
_SAMPLE = 250  # characters of a description that language detection reads
_QUERY = 24  # an article's most weighted terms look candidates up...
_POOL = 30  # ...and this many candidates are scored in full


# -- languages, links, dates ------------------------------------------------------------------


# -- documents and the index ------------------------------------------------------------------


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
    numbers: frozenset[str]  # the numbers it gives
    urls: frozenset[str]  # its own addresses, normalised (paths as they are)


def _article_text(article: MatchArticle, method: str) -> _Text:
    title, body = words(article.title), words(article.text)
    terms = _weighted(title, body) if method != "tfidf-char" else _weighted(
        char_grams(article.title), char_grams(article.text))
    urls = frozenset(normal_url(u) if "://" in u else "/" + u.strip("/") for u in article.urls)
    return _Text(terms, frozenset(title + body), numbers(title + body), urls)


def _prepare_docs(docs: list[_Doc], method: str) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = {}
    samples: dict[int, str] = {}
    for d in docs:
        title, description = _doc_text(d.entry, d.rss if d.rss is not d.entry else None)
        title_words = words(title)
        d.numbers = numbers(title_words + words(description[:2000]))
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


#: The text score: the cosine, and a little for the share of the title's words the
#: article has (a title alone, in a flat listing, counts for more). Tuned on tests/pairing.
COSINE = 1.6
TITLE = 0.15
FLAT_COSINE, FLAT_TITLE = 0.9, 0.55
MIN_COSINE = 0.3  # below this, never a pair on text alone
UNNUMBERED = 0.9  # the weight left when an entry gives none of the article's numbers
CLOSE = 0.7  # several candidates this close to the threshold and each other: ambiguous
FOREIGN = 0.75  # the weight left for each number the entry gives and the article does not


def _text_score(cosine: float, title_cover: float, flat: bool) -> float:
    if flat:
        return min(1.0, FLAT_TITLE * title_cover + FLAT_COSINE * cosine)
    return min(1.0, COSINE * cosine + TITLE * title_cover)


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
            shared_terms = mine.keys() & vector.keys()
            cosine = sum(vector[t] * mine[t] for t in shared_terms)
            said = sum(mine[t] * mine[t] for t in shared_terms)  # the share the article says
            if self.fuzz is not None:
                cosine = self._fuzzy(number, article, doc)
            scored = self._score(doc, article, cosine, text, index in linked, said)
            if scored is not None:
                found.append(scored)
        found.sort(key=lambda s: (-s.score, s.doc))
        return found

    def _score(self, doc: _Doc, article: MatchArticle, cosine: float, text_of: _Text,
               linked: bool, said: float = 0.0) -> _Scored | None:
        factor, when = _date_factor(doc, article, self.settings)
        if linked:
            return _Scored(1.0, doc.index, ("its description links the article", when), True)
        if factor <= 0:
            return None
        cover = sum(w for t, w in doc.title_weights.items() if t in text_of.words)
        text = _text_score(cosine, cover, doc.flat)
        score = text * factor
        reasons = [f"text {text:.2f} (cosine {cosine:.2f}, title {cover:.0%}, said {said:.0%})",
                   when]
        foreign = sorted(doc.numbers - text_of.numbers)
        if foreign:  # a follow-up or another story gives numbers the article does not
            score *= FOREIGN ** min(3, len(foreign))
            reasons.append("numbers the article does not give: " + ", ".join(foreign[:3]))
        elif len(text_of.numbers) >= 2 and not doc.flat and not doc.numbers & text_of.numbers:
            score *= UNNUMBERED  # says none of the article's figures
            reasons.append("none of the article's numbers")
        if cosine < MIN_COSINE and not doc.flat:
            score = min(score, self.settings.threshold - 0.01)
            reasons.append("little text in common")
        if doc.flat:
            score *= 0.9
            reasons.append("flat listing: title only")
        if not doc.lang_sure:
            score = min(score, self.settings.threshold - 0.01)
            reasons.append("language unsure")
        if score < 0.08:
            return None
        return _Scored(round(score, 4), doc.index, tuple(reasons))


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
    if best >= settings.threshold or (len(close) > 1 and best >= CLOSE * settings.threshold) \
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
            if s.score >= CLOSE * settings.threshold and s.score > best - settings.margin:
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


def match(articles: Sequence[MatchArticle], catalogs: Sequence[Catalog], *,
          decisions: Decisions | None = None,
          settings: MatchSettings | None = None) -> list[Proposal]:
    """One `Proposal` per article, in the same order."""
    decisions = decisions or Decisions()
    settings = settings or MatchSettings()
    has_video = any(c.source == "youtube" and (c.complete or any(e.flat for e in c.entries))
                    for c in catalogs)  # a flat listing names every video too
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
        chosen = decisions.chosen.get(article.slug, {}).get("spotify")
        spotify_id = doc.spotify.id if doc and doc.spotify else (
            show.id if show.status == "already" or (doc is None and show.id == chosen)
            else None)
        rss = doc.rss if doc else None
        proposals.append(Proposal(article.key, article.slug, video, show, spotify_id,
                                  rss.audio_url if rss else None, rss))
    return proposals


