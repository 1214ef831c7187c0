"""A new article, as Hugo's ``hugo new`` and jekyll-compose's ``jekyll post`` make one.

`new_article` writes ``episodes/YYYY-MM-DD-<slug>.md`` with Jekyll front matter (title,
date, language, and the video and Spotify links when given), a draft unless asked to
publish it (``draft: true``, as Hugo writes it). It never overwrites a file, reads what
it wrote back as a build would (so what it writes is valid), and says which feeds
select the article and what it still needs before a feed carries it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from companion._config.feeds import load_feeds, selects
from companion._config.project import project_rel
from companion._errors import ProjectError, ReadError
from companion._lifecycle.lifecycle import status_of
from companion._model import Episode
from companion._read import links as _links
from companion._read.articles import read_article
from companion._read.files import discover
from companion._read.identity import article_guid
from companion._read.slugs import make_slug, split_jekyll_name
from companion._site_model import Site, Status
from companion._text import clean_text, normalize_lang

BODY = """\
Write the article here. Links in the text become the episode's sources, cleaned of
tracking parameters.
"""


@dataclass(frozen=True)
class NewArticle:
    """What `companion new` wrote, and what becomes of it."""

    path: Path
    relpath: str
    slug: str
    date: datetime
    status: Status  # "draft", "scheduled" (a date to come) or "live"
    feeds: tuple[str, ...]  # the feeds whose [select] takes it
    needs: tuple[str, ...] = ()  # what it still needs before a feed carries it

    def to_json(self) -> dict[str, Any]:
        return {"ok": True, "path": self.relpath, "slug": self.slug,
                "date": self.date.isoformat(), "state": self.status,
                "feeds": list(self.feeds), "needs": list(self.needs), "problems": []}


def _field(message: str, field: str, fix: str) -> ProjectError:
    return ProjectError(message, where="companion new", field=field, fix=fix)


def _front(title: str, when: datetime, lang: str, video: str | None, spotify: str | None,
           draft: bool) -> str:
    data: dict[str, Any] = {"title": title}
    data.update({key: value for key, value in (("lang", lang), ("video", video),
                                               ("spotify", spotify)) if value})
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    date = when.strftime("%Y-%m-%d %H:%M:%S %z")  # Jekyll's own form
    return f"---\n{text}date: {date}\n" + ("draft: true\n" if draft else "") + "---\n\n"


def _check_links(video: str | None, spotify: str | None) -> None:
    if video and _links.youtube_id(video) is None:
        raise _field(f"{video!r} is not a YouTube video URL", "--video",
                     "use the video's link, e.g. https://www.youtube.com/watch?v=VIDEO_ID")
    if spotify and _links.spotify_episode_id(spotify) is None:
        raise _field(f"{spotify!r} is not a Spotify episode URL", "--spotify",
                     "use the episode's share link: https://open.spotify.com/episode/ID")


def _language(lang: str | None, site: Site) -> str:
    try:
        return normalize_lang(lang or site.language)
    except ValueError:
        raise _field(f"{lang!r} is not a language tag", "--lang",
                     "write a BCP 47 tag such as en, ka, ar, es or pt-br") from None


def _taken(site: Site, slug: str) -> str | None:
    """The article whose file name already gives `slug`, if any."""
    for rel in discover(site):
        stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if make_slug(split_jekyll_name(stem)[1]) == slug:
            return rel
    return None


def _write_new(path: Path, text: str) -> None:
    """Create `path` with `text`; never over an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def new_article(site: Site, title: str, when: datetime, *, now: datetime | None = None,
                lang: str | None = None, video: str | None = None,
                spotify: str | None = None, publish: bool = False) -> NewArticle:
    """Write a new article dated `when` (a draft unless `publish`), as it stands at `now`
    (default: `when`); see the module docstring."""
    title = " ".join(clean_text(title).split())
    slug = make_slug(title)
    if not slug:
        raise _field("no URL-safe slug can be made from the title", "title",
                     "give a title with letters or digits in it")
    language = _language(lang, site)
    _check_links(video, spotify)
    other = _taken(site, slug)
    if other is not None:
        raise _field(f"an article with the slug {slug!r} exists: {other}", "title",
                     "choose another title, or edit that article")
    day = when.astimezone(site.tz)
    path = site.episodes_dir / f"{day:%Y-%m-%d}-{slug}.md"
    try:
        _write_new(path, _front(title, day, language, video, spotify, not publish) + BODY)
    except FileExistsError:
        raise _field(f"{project_rel(path, site)} exists already", "title",
                     "choose another title or date") from None
    return _outcome(site, path, now or when)


def _outcome(site: Site, path: Path, now: datetime) -> NewArticle:
    try:
        article = read_article(path, site)
    except ReadError:
        path.unlink(missing_ok=True)  # what companion writes must read back; never leave junk
        raise
    episode = Episode(article, article_guid(article))
    feeds = tuple(f.slug for f in load_feeds(site).feeds if selects(f.select, episode))
    status = status_of(article.draft, article.date, now)
    needs = [need for need, missing in (
        ("remove `draft: true` from its front matter when it is ready (or make it with "
         "--publish)", article.draft),
        ("give it audio: run `companion pair` to find its video and episode in the channel's "
         "and show's catalogs, or add `video: <YouTube URL>` and run `companion fetch`, or "
         "`audio: <a file in the project or a URL>`",
         not article.youtube_id and not article.audio),
        ("add a feed whose [select] takes it (feeds/*.toml)", not feeds)) if missing]
    assert article.date is not None
    return NewArticle(path, article.relpath, article.slug, article.date, status, feeds,
                      tuple(needs))
