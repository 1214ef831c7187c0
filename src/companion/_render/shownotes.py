"""Show notes: one `ShowNotes` per episode, written out for each place it lands.

`show_notes` gathers the summary, chapters, sources and the episode's other
homes; `notes_html` is the sanitized fragment for `content:encoded` and the
page, `notes_text` the plain text for the feed's `description` (within a limit,
cut at a sentence end, never inside a URL), `notes_youtube` and `notes_spotify`
the text to paste into those platforms.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urlsplit

from companion._model import Article, Chapter, Episode, Link, Site
from companion._read.lang import find_dateline
from companion._read.markdown import lead_blocks, sanitize_html, text_blocks
from companion._render.i18n import t

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


def show_notes(episode: Episode, site: Site, *, page_url: str | None = None,
               feed_url: str | None = None, article_url: str | None = None) -> ShowNotes:
    """The show notes of an episode: summary, chapters, sources and other homes."""
    article = episode.article
    return ShowNotes(
        lang=article.lang,
        direction=article.direction,
        summary=summary(episode),
        chapters=episode.chapters,
        sources=article.links,
        homes=_homes(episode, page_url, feed_url, article_url),
    )


def summary(episode: Episode) -> str:
    """The `description` front matter, else the article's lead, else the video's."""
    article = episode.article
    if article.description and article.description.strip():
        return article.description.strip()
    found = lead(article)
    if not found and episode.youtube:
        found = _lead_of(text_blocks(episode.youtube.description))
    return found


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


def _homes(episode: Episode, page_url: str | None, feed_url: str | None,
           article_url: str | None) -> tuple[Home, ...]:
    lang = episode.article.lang
    homes: list[Home] = []
    if page_url:
        homes.append(Home(t(lang, "Episode page"), page_url, "page"))
    if article_url:
        homes.append(Home(t(lang, "Read the article"), article_url, "article"))
    if episode.youtube:
        url = f"https://www.youtube.com/watch?v={episode.youtube.id}"
        homes.append(Home(t(lang, "Watch on YouTube"), url, "youtube"))
    if episode.spotify:
        homes.append(Home(t(lang, "Listen on Spotify"), episode.spotify.url, "spotify"))
    if feed_url:
        homes.append(Home(t(lang, "RSS feed"), feed_url, "feed"))
    return tuple(homes)


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
    return sanitize_html("".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs))


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


def notes_text(notes: ShowNotes, limit: int = 4000) -> str:
    """Plain text for the feed's `description`, at most `limit` characters."""
    return _fit_text(notes, limit, chapters=chapter_lines(notes.chapters), skip=())


def notes_youtube(notes: ShowNotes, limit: int = 5000) -> str:
    """Text to paste into a YouTube description: chapter lines only when YouTube accepts them."""
    chapters = chapter_lines(notes.chapters) if youtube_chapters_ok(notes.chapters) else []
    text = _fit_text(notes, limit, chapters=chapters, skip=("youtube",))
    return text.replace("<", "‹").replace(">", "›")  # YouTube refuses angle brackets


def notes_spotify(notes: ShowNotes, limit: int = 4000) -> str:
    """Text to paste into Spotify for Creators' episode description."""
    return _fit_text(notes, limit, chapters=chapter_lines(notes.chapters), skip=("spotify",))


def chapter_lines(chapters: Sequence[Chapter]) -> list[str]:
    """`00:00 Title`, one line per chapter."""
    return [f"{timestamp(c.start)} {' '.join(c.title.split())}" for c in chapters]


def youtube_chapters_ok(chapters: Sequence[Chapter]) -> bool:
    """YouTube's rules: the first at 00:00, at least three, each at least 10 s long."""
    if len(chapters) < _YT_MIN_CHAPTERS or int(chapters[0].start) != 0:
        return False
    starts = [int(c.start) for c in chapters]
    return all(b - a >= _YT_MIN_GAP for a, b in pairwise(starts))


def _fit_text(notes: ShowNotes, limit: int, *, chapters: list[str],
              skip: tuple[str, ...]) -> str:
    homes = [f"{h.label}: {h.url}" for h in notes.homes if h.kind not in skip]
    sources = [f"- {' '.join(link_text(s).split())}: {s.url}" if has_anchor(s) else f"- {s.url}"
               for s in notes.sources]
    reserve = len("\n".join(homes)) + 2 if homes else 0
    head = cut(notes.summary, max(limit - reserve, limit // 2))
    sections: dict[str, list[str]] = {"homes": [], "chapters": [], "sources": []}
    candidates = [("homes", homes), ("chapters", chapters), ("sources", sources)]
    for name, lines in candidates:  # in order of importance; each keeps a prefix of its lines
        for line in lines:
            sections[name].append(line)
            if len(_render(notes, head, sections)) > limit:
                sections[name].pop()
                break
    return _render(notes, head, sections)


def _render(notes: ShowNotes, head: str, sections: dict[str, list[str]]) -> str:
    blocks = [head] if head else []
    if sections["chapters"]:
        blocks.append(t(notes.lang, "Chapters") + ":\n" + "\n".join(sections["chapters"]))
    if sections["sources"]:
        blocks.append(t(notes.lang, "Sources") + ":\n" + "\n".join(sections["sources"]))
    if sections["homes"]:
        blocks.append("\n".join(sections["homes"]))
    return "\n\n".join(blocks)


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters: at the last sentence end, else the last space."""
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if m.end() <= limit]
    if ends:
        return text[: ends[-1]].rstrip()
    spaces = [m.start() for m in re.finditer(r"\s", text[: max(limit - 1, 0)])]
    if not spaces or spaces[-1] == 0:
        return ""
    return text[: spaces[-1]].rstrip() + "…"
