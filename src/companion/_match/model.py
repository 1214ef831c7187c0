"""The matcher's records: what it reads of an article (`MatchArticle`), what a producer
decided (`Decisions`), how strict it is (`MatchSettings`), and what it proposes
(`Proposal`, one per article, with a `SideProposal` for the video and one for the show)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from companion._match.catalog import CatalogEntry, Source
from companion._model import Article
from companion._read.lang import primary
from companion._read.markdown import plain_text

#: One side's outcome: `paired` (sure enough to write), `ambiguous` (several fit about
#: equally: a producer chooses), `unmatched` (nothing plausible), `already` (the article
#: carries the id).
Status = Literal["paired", "ambiguous", "unmatched", "already"]

#: The two sides of an article: its YouTube video, and its show episode (a Spotify
#: episode and/or an item of the show's RSS feed, joined).
Side = Literal["youtube", "show"]

#: Front-matter keys that give an article's own address (besides its page URL).
_URL_KEYS = ("permalink", "canonical_url", "canonical", "source_url", "source", "original_url",
             "url", "link")


@dataclass(frozen=True)
class MatchArticle:
    """An article as the matcher reads it."""

    key: str  # project-relative path, e.g. "episodes/2025-10-01-x.txt" (Article.relpath)
    slug: str
    title: str
    title_inferred: bool  # True when the title was inferred from a plain-text first line
    text: str  # the body as plain text
    lang: str  # BCP 47 primary subtag, lower case
    date: datetime | None  # timezone-aware
    urls: tuple[str, ...] = ()  # the article's own addresses (page URL, permalink, source)
    youtube_id: str | None = None  # already in the article (status "already")
    spotify_id: str | None = None

    @classmethod
    def from_article(cls, article: Article, page_url: str | None = None) -> MatchArticle:
        """The matcher's view of `article`; `page_url` is its page under `base_url`."""
        urls: list[str] = [page_url] if page_url else []
        for key in _URL_KEYS:
            value = article.extra.get(key)
            if isinstance(value, str) and value.strip() and value.strip() not in urls:
                urls.append(value.strip())
        text = plain_text(article.body) if article.format == "markdown" else article.body
        inferred = any(item.field == "title" for item in article.inferred)
        return cls(key=article.relpath, slug=article.slug, title=article.title,
                   title_inferred=inferred, text=text, lang=primary(article.lang),
                   date=article.date, urls=tuple(urls), youtube_id=article.youtube_id,
                   spotify_id=article.spotify_id)


@dataclass(frozen=True)
class Decisions:
    """What producers recorded: `chosen[slug][source] = id` settles an article's side
    (source "youtube", "spotify" or "rss"); `rejected[slug]` holds (source, id) pairs that
    are never proposed for that article again."""

    chosen: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    rejected: Mapping[str, frozenset[tuple[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class MatchSettings:
    """How the matcher decides. The defaults are tuned on tests/pairing (0 wrong pairs)."""

    live: bool = False  # let live-stream recordings (was_live, post_live) be candidates
    threshold: float = 0.6  # a pair needs at least this confidence...
    margin: float = 0.15  # ...and this much more than the runner-up
    days_before: float = 3.0  # a candidate may appear this many days before the article
    days_after: float = 5.0  # ...and this many after, before the date counts against it;
    fade_days: float = 14.0  # beyond, its weight falls to nothing over this many days
    max_days: float = 120.0  # candidates are looked up this far around the article
    candidates: int = 5  # candidates listed per side
    method: str = "tfidf"  # the text similarity ("tfidf", "tfidf-char", "bm25")


@dataclass(frozen=True)
class Candidate:
    """One ranked candidate of a side, with why it scored as it did."""

    source: Source
    id: str
    title: str
    score: float  # 0..1
    reasons: tuple[str, ...] = ()
    entry: CatalogEntry | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SideProposal:
    """One side's outcome for one article."""

    status: Status
    id: str | None = None  # the chosen (or already carried) id: a video id, or for the
    # show side the Spotify episode id, else the RSS item's guid
    entry: CatalogEntry | None = None  # the chosen entry (the Spotify one on the show side
    # when both are known; `Proposal.rss` has the RSS item)
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    warning: str | None = None  # e.g. an `already` id the catalog does not know


UNMATCHED = SideProposal("unmatched")


@dataclass(frozen=True)
class Proposal:
    """What the matcher proposes for one article, both sides."""

    key: str
    slug: str
    youtube: SideProposal = UNMATCHED
    show: SideProposal = UNMATCHED
    spotify_id: str | None = None  # the show side's Spotify episode id (paired or already)
    audio: str | None = None  # the enclosure URL of the matched show-RSS item
    rss: CatalogEntry | None = None  # the matched show-RSS item (duration, title, audio)

    @property
    def status(self) -> Status:
        """Both sides in one word: `ambiguous` if a side is, else `paired` if a side is,
        else `already` if a side is, else `unmatched`."""
        statuses = (self.youtube.status, self.show.status)
        for status in ("ambiguous", "paired", "already"):
            if status in statuses:
                return status
        return "unmatched"

    @property
    def confidence(self) -> float:
        """The confidence of what `status` says: the lowest of the sides that say it."""
        sides = [s for s in (self.youtube, self.show) if s.status == self.status]
        return round(min(s.confidence for s in sides), 3) if sides else 0.0

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(s.warning for s in (self.youtube, self.show) if s.warning)

    @property
    def youtube_id(self) -> str | None:
        """The video id when that side is paired or already, else None."""
        return self.youtube.id if self.youtube.status in ("paired", "already") else None

    def as_json(self) -> dict[str, Any]:
        """The record `companion pair --json` prints for this article."""
        show_known = self.show.status in ("paired", "already")
        candidates = [c for side in (self.youtube, self.show) for c in side.candidates]
        return {
            "path": self.key,
            "status": self.status,
            "youtube": self.youtube_id,
            "spotify": self.spotify_id if show_known else None,
            "audio": self.audio if show_known else None,
            "confidence": self.confidence,
            "candidates": [{"source": c.source, "id": c.id, "title": c.title,
                            "score": round(c.score, 3)} for c in candidates],
        }
