"""Show notes: one `ShowNotes` per episode, written out for each place it lands.

`show_notes` gathers the summary, chapters, sources and the episode's other
homes (the feed an item is in: `for_feed`); `notes_html` is the sanitized fragment
for `content:encoded` and the page, `notes_text` the plain text for the feed's
`description`, `notes_youtube` and `notes_spotify` the text to paste into those
platforms. Each plain text fits its platform's limit (`_render.limits`, in bytes
where the platform counts bytes): it is cut at a sentence or a list item, never
inside a URL, and when sources are left out it says so ("and N more sources:
<episode page>"). `fit_*` say what was cut; `youtube_chapters_problem` why YouTube
would refuse the chapter list.

Every URL in the notes has been cleaned of tracking parameters (`_read.links`), and
the URLs in the summary are links in HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from urllib.parse import urlsplit

from companion._model import Article, Chapter, Episode, Link
from companion._read.lang import find_dateline
from companion._read.links import clean_text_urls, clean_url
from companion._read.markdown import lead_blocks, linkify_text, sanitize_html, text_blocks
from companion._render.i18n import t, tn
from companion._render.limits import (
    APPLE_DESCRIPTION,
    SPOTIFY_DESCRIPTION,
    YOUTUBE_DESCRIPTION,
    Limit,
)
from companion._site_model import Site

_SENTENCE_END = re.compile(r"[.!?؟।。…](?:[\"'”’»)\]]*)(?=\s|$)")
_LEAD_SENTENCES = 3
_LEAD_CHARS = 600

_YT_MIN_CHAPTERS = 3
_YT_MIN_GAP = 10.0
_SHORT_URL = 60


@dataclass(frozen=True)
class Home:
    """A place where the episode lives: its page, the article, YouTube, Spotify, the feed."""

    label: str
    url: str
    kind: str  # "article" | "youtube" | "spotify" | "feed" | "page"


@dataclass(frozen=True)
class ShowNotes:
    lang: str
    direction: str
    summary: str
    chapters: tuple[Chapter, ...]
    sources: tuple[Link, ...]
    homes: tuple[Home, ...]
    duration: float | None = None  # the video's seconds: YouTube's last-chapter rule needs it


@dataclass(frozen=True)
class Fitted:
    """A plain text within its platform's limit, and what had to go for it to fit."""

    text: str
    limit: Limit
    cut: bool = False  # anything was shortened or left out
    sources_left: int = 0  # sources left out (the text ends with "and N more sources")
    chapters_refused: str = ""  # why YouTube would refuse the chapter list ("" if kept)


def show_notes(episode: Episode, site: Site, *, page_url: str | None = None,
               feed_url: str | None = None, article_url: str | None = None,
               feeds: Sequence[tuple[str, str]] = ()) -> ShowNotes:
    """The show notes of an episode: summary, chapters, sources and other homes. `feeds`
    are the (title, URL) of the feeds it is in; `feed_url` one feed without a title."""
    article = episode.article
    named: list[tuple[str | None, str]] = [(None, feed_url)] if feed_url else []
    named += feeds
    return ShowNotes(
        lang=article.lang,
        direction=article.direction,
        summary=summary(episode),
        chapters=tuple(replace(c, url=clean_url(c.url)) if c.url else c
                       for c in episode.chapters),
        sources=article.links,
        homes=_homes(episode, page_url, named, article_url),
        duration=_duration(episode),
    )


def for_feed(notes: ShowNotes, title: str, url: str) -> ShowNotes:
    """The notes of an item in one feed: its feed is the only one they name and link."""
    homes = [h for h in notes.homes if h.kind != "feed"]
    homes.append(_feed_home(notes.lang, title, url))
    return replace(notes, homes=tuple(homes))


def _duration(episode: Episode) -> float | None:
    """The video's length (YouTube's chapter rules are about the video), else the audio's."""
    if episode.youtube is not None and episode.youtube.duration:
        return episode.youtube.duration
    return episode.audio.duration if episode.audio else None


def summary(episode: Episode) -> str:
    """The `description` front matter, else the article's lead, else the video's."""
    article = episode.article
    if article.description and article.description.strip():
        return clean_text_urls(article.description.strip())
    found = lead(article)
    if not found and episode.youtube:
        found = _lead_of(text_blocks(episode.youtube.description))
    return clean_text_urls(found)


def lead(article: Article) -> str:
    """The first paragraph(s) of the body as plain text: two or three sentences.

    A plain-text article's opening dateline ("BATUMI, 1 October 2025") is not part of it.
    Only as much of a Markdown body is parsed as the lead takes.
    """
    if article.format == "text":
        return _lead_of(text_blocks(without_dateline(article.body)))
    return _lead_of(lead_blocks(article.body))


def without_dateline(body: str) -> str:
    """A plain-text body without the dateline on its first line (what follows a dashed
    dateline on that line stays)."""
    dateline = find_dateline(body)
    if dateline is None:
        return body
    _head, newline, rest = body.lstrip().partition("\n")
    return f"{dateline.rest}{newline}{rest}" if dateline.rest else rest


def _lead_of(paragraphs: Iterable[str]) -> str:
    taken: list[str] = []
    count = 0
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)[: _LEAD_SENTENCES - count]
        taken.append(" ".join(sentences))
        count += len(sentences)
        if count >= 2 or sum(map(len, taken)) >= _LEAD_CHARS:
            break
    return cut("\n\n".join(taken), _LEAD_CHARS * 2)


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph (a sentence ends with . ! ? ؟ । 。 and a space)."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    return [s for s in [*sentences, rest] if s]


def _homes(episode: Episode, page_url: str | None, feeds: Sequence[tuple[str | None, str]],
           article_url: str | None) -> tuple[Home, ...]:
    lang = episode.article.lang
    homes: list[Home] = []
    if page_url:
        homes.append(Home(t(lang, "Episode page"), page_url, "page"))
    if article_url:
        homes.append(Home(t(lang, "Read the article"), clean_url(article_url), "article"))
    if episode.youtube:
        url = f"https://www.youtube.com/watch?v={episode.youtube.id}"
        homes.append(Home(t(lang, "Watch on YouTube"), url, "youtube"))
    if episode.spotify:
        homes.append(Home(t(lang, "Listen on Spotify"), episode.spotify.url, "spotify"))
    homes += [_feed_home(lang, title, url) for title, url in feeds]
    return tuple(homes)


def _feed_home(lang: str, title: str | None, url: str) -> Home:
    label = t(lang, "RSS feed")  # "My Show (RSS feed): URL", not "RSS feed: My Show: URL"
    return Home(f"{title} ({label})" if title else label, url, "feed")


def timestamp(seconds: float) -> str:
    """`MM:SS`, or `H:MM:SS` from an hour on."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def has_anchor(link: Link) -> bool:
    """Whether a source link has anchor text of its own (not its URL)."""
    text = link.text.strip()
    return bool(text) and text != link.url and not text.startswith(("http://", "https://"))


def link_text(link: Link) -> str:
    """What a source link shows: its anchor text, or a short form of a bare URL
    (domain and path, no scheme or query)."""
    if has_anchor(link):
        return link.text.strip()
    parts = urlsplit(link.url)
    short = (parts.netloc.removeprefix("www.") + parts.path).rstrip("/") or link.domain
    return short if len(short) <= _SHORT_URL else short[: _SHORT_URL - 1] + "…"


# -- HTML ---------------------------------------------------------------------------------


def summary_html(notes: ShowNotes) -> str:
    """The summary as sanitized paragraphs."""
    paragraphs = [p.strip() for p in notes.summary.split("\n\n") if p.strip()]
    return sanitize_html("".join(f"<p>{linkify_text(p)}</p>\n" for p in paragraphs))


def notes_html(notes: ShowNotes) -> str:
    """Sanitized HTML: summary, chapters with timestamps, sources, other homes."""
    parts = [summary_html(notes)]
    if notes.chapters:
        items = "".join(f"<li>{timestamp(c.start)} {html.escape(c.title)}</li>\n"
                        for c in notes.chapters)
        parts.append(f"<h2>{_h(notes, 'Chapters')}</h2>\n<ul>\n{items}</ul>\n")
    if notes.sources:
        items = "".join(_source_li(link) for link in notes.sources)
        parts.append(f"<h2>{_h(notes, 'Sources')}</h2>\n<ol>\n{items}</ol>\n")
    if notes.homes:
        items = "".join(f'<li><a href="{html.escape(h.url)}">{html.escape(h.label)}</a></li>\n'
                        for h in notes.homes)
        parts.append(f"<h2>{_h(notes, 'Elsewhere')}</h2>\n<ul>\n{items}</ul>\n")
    return sanitize_html("".join(parts))


def _h(notes: ShowNotes, key: str) -> str:
    return html.escape(t(notes.lang, key))


def _source_li(link: Link) -> str:
    anchor = f'<a href="{html.escape(link.url)}">{html.escape(link_text(link))}</a>'
    if not has_anchor(link):
        return f"<li>{anchor}</li>\n"
    return f"<li>{anchor} <small>({html.escape(link.domain)})</small></li>\n"


# -- plain text ---------------------------------------------------------------------------


def notes_text(notes: ShowNotes, limit: Limit = APPLE_DESCRIPTION) -> str:
    """Plain text for the feed's `description`, within Apple's limit."""
    return fit_text(notes, limit).text


def fit_text(notes: ShowNotes, limit: Limit = APPLE_DESCRIPTION) -> Fitted:
    return _fit(notes, limit, chapter_lines(notes.chapters), skip=())


def notes_youtube(notes: ShowNotes, limit: Limit = YOUTUBE_DESCRIPTION) -> str:
    """Text to paste into a YouTube description: chapter lines only when YouTube accepts them."""
    return fit_youtube(notes, limit).text


def fit_youtube(notes: ShowNotes, limit: Limit = YOUTUBE_DESCRIPTION) -> Fitted:
    refused = youtube_chapters_problem(notes.chapters, notes.duration)
    chapters = [] if refused else chapter_lines(notes.chapters)
    fitted = _fit(notes, limit, chapters, skip=("youtube",))
    return replace(fitted, text=limit.prepare(fitted.text), chapters_refused=refused)


def notes_spotify(notes: ShowNotes, limit: Limit = SPOTIFY_DESCRIPTION) -> str:
    """Text to paste into Spotify for Creators' episode description."""
    return fit_spotify(notes, limit).text


def fit_spotify(notes: ShowNotes, limit: Limit = SPOTIFY_DESCRIPTION) -> Fitted:
    return _fit(notes, limit, chapter_lines(notes.chapters), skip=("spotify",))


#: The paste-ready texts by target: what ``companion notes --for`` takes.
TARGETS = {"youtube": fit_youtube, "spotify": fit_spotify, "apple": fit_text}


def chapter_lines(chapters: Sequence[Chapter]) -> list[str]:
    """`00:00 Title`, one line per chapter."""
    return [f"{timestamp(c.start)} {' '.join(c.title.split())}" for c in chapters]


def youtube_chapters_ok(chapters: Sequence[Chapter], duration: float | None = None) -> bool:
    """YouTube's rules: the first at 00:00, at least three, ascending, each at least 10 s
    long, the last one too (it ends at `duration`, else at its own end)."""
    return not youtube_chapters_problem(chapters, duration) and bool(chapters)


def youtube_chapters_problem(chapters: Sequence[Chapter], duration: float | None) -> str:
    """Why YouTube would refuse these chapters ("" when it takes them, or there are none)."""
    if not chapters:
        return ""
    if len(chapters) < _YT_MIN_CHAPTERS:
        return f"YouTube needs at least {_YT_MIN_CHAPTERS} chapters; there are {len(chapters)}"
    if int(chapters[0].start) != 0:
        return f"the first chapter starts at {timestamp(chapters[0].start)}; YouTube needs 00:00"
    end = duration if duration is not None else chapters[-1].end
    if end is None:
        return "the episode's duration is unknown, so the last chapter's length cannot be checked"
    starts = [int(c.start) for c in chapters] + [int(end)]
    for chapter, (a, b) in zip(chapters, pairwise(starts), strict=True):
        if b - a < _YT_MIN_GAP:
            return (f"chapter {timestamp(chapter.start)} {chapter.title!r} lasts {max(b - a, 0)} s;"
                    f" YouTube needs at least {int(_YT_MIN_GAP)} s each, ascending")
    return ""


def _fit(notes: ShowNotes, limit: Limit, chapters: list[str], skip: tuple[str, ...]) -> Fitted:
    """The notes within `limit`: the summary (cut at a sentence end when it must be), the
    other homes, the chapters (all or none), then as many sources as fit, in order, with a
    last line saying how many were left out and where they are."""
    homes = [f"{h.label}: {h.url}" for h in notes.homes if h.kind not in skip]
    page = next((h.url for h in notes.homes if h.kind == "page"), "")
    sources = [f"- {' '.join(link_text(s).split())}: {s.url}" if has_anchor(s) else f"- {s.url}"
               for s in notes.sources]
    whole = _Parts(notes.lang, notes.summary, homes, chapters, sources, page=page)
    if limit.fits(whole.render()):
        return Fitted(whole.render(), limit)
    least = replace(whole, head="", chapters=[], sources=[], left=len(sources))
    budget = max(limit.most - limit.size(least.render()) - 2, limit.most // 2)
    head = cut(notes.summary, budget, limit.size)
    while head and not limit.fits(replace(least, head=head, homes=[]).render()):
        budget //= 2  # a tiny limit: the summary gives way to the homes and the sources line
        head = cut(notes.summary, budget, limit.size)
    parts = replace(least, head=head, homes=_prefix(
        homes, lambda h: replace(least, head=head, homes=h).render(), limit))
    if chapters and limit.fits(replace(parts, chapters=chapters).render()):
        parts = replace(parts, chapters=chapters)
    kept = _prefix(sources, lambda s: replace(
        parts, sources=s, left=len(sources) - len(s)).render(), limit)
    parts = replace(parts, sources=kept, left=len(sources) - len(kept))
    return Fitted(parts.render(), limit, cut=True, sources_left=len(sources) - len(kept))


def _prefix(lines: list[str], render: Callable[[list[str]], str], limit: Limit) -> list[str]:
    """The longest prefix of `lines` whose rendering fits `limit` (a binary search: the size
    only grows with the prefix)."""
    low, high = 0, len(lines)
    while low < high:
        middle = (low + high + 1) // 2
        if limit.fits(render(lines[:middle])):
            low = middle
        else:
            high = middle - 1
    return lines[:low]


@dataclass(frozen=True)
class _Parts:
    """The blocks of a plain-text show notes, and how they are put together."""

    lang: str
    head: str
    homes: list[str]
    chapters: list[str]
    sources: list[str]
    left: int = 0  # sources left out
    page: str = ""  # where they all are

    def render(self) -> str:
        blocks = [self.head] if self.head else []
        if self.homes:
            blocks.append("\n".join(self.homes))
        if self.chapters:
            blocks.append(t(self.lang, "Chapters") + ":\n" + "\n".join(self.chapters))
        lines = [*self.sources]
        if self.left:
            lines.append(more_sources(self.lang, self.left, self.page))
        if lines:
            blocks.append(t(self.lang, "Sources") + ":\n" + "\n".join(lines))
        return "\n\n".join(blocks)


def more_sources(lang: str, count: int, page: str) -> str:
    """The line that ends a cut list of sources: "and 8 more sources: <page>"."""
    words = tn(lang, "and %(num)s more source", "and %(num)s more sources", count)
    return f"{words}: {page}" if page else words


def cut(text: str, limit: int, measure: Callable[[str], int] = len) -> str:
    """`text` within `limit` (as `measure` counts: characters by default): at the last
    sentence end that fits, else the last space, with an ellipsis."""
    if measure(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    fitting = [end for end in ends if measure(text[:end].rstrip()) <= limit]
    if fitting:
        return text[: fitting[-1]].rstrip()
    spaces = [m.start() for m in re.finditer(r"\s", text) if m.start() > 0]
    fitting = [at for at in spaces if measure(text[:at].rstrip() + "…") <= limit]
    if not fitting:
        return ""
    return text[: fitting[-1]].rstrip() + "…"
