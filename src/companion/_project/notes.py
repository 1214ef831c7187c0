"""The paste-ready show notes for the commands: `Project.notes` and ``companion notes``
give an episode's texts (and the feed's, for Apple), and `check` says when one had to be
cut or lost its chapter list (`notes_problems`). The build writes the same texts
(`_build.notes`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from companion._build.notes import NAMES, paste_texts
from companion._errors import Problem
from companion._model import Episode, FeedDefinition
from companion._render.i18n import count
from companion._site_model import Site

if TYPE_CHECKING:
    from companion._render.shownotes import Fitted


def notes_problems(episode: Episode, site: Site,
                   feeds: Sequence[FeedDefinition]) -> list[Problem]:
    """A warning for each paste-ready text that had to be cut; a note for a chapter list
    YouTube would refuse (the YouTube text leaves it out) and for a title too long for
    YouTube's."""
    from companion._render.limits import YOUTUBE_TITLE

    where = episode.article.relpath
    problems: list[Problem] = []
    for target, fitted in paste_texts(episode, site, feeds).items():
        if fitted.cut:
            problems.append(Problem(
                "warning", where, f"the {NAMES[target]} is cut to fit "
                f"{fitted.limit.name}'s {fitted.limit.most:,} {fitted.limit.unit}"
                + (f": {count(fitted.sources_left, 'source')} left out, listed on the episode page"
                   if fitted.sources_left else ""),
                "shorten the summary (description:) or the list of sources", "notes"))
        # a note where the episode has a video (its description is where the list goes);
        # `companion notes --for youtube` says it for any episode
        if fitted.chapters_refused and episode.youtube is not None:
            problems.append(Problem(
                "info", where, "the chapter list is left out of the YouTube description: "
                f"{fitted.chapters_refused}",
                "for YouTube's list: at least 3 chapters, the first at 00:00, each 10 s or more "
                "(in `chapters:`, or in the video's description)", "chapters"))
    if not YOUTUBE_TITLE.fits(episode.title) or YOUTUBE_TITLE.prepare(episode.title) \
            != episode.title:
        problems.append(Problem(
            "info", where, f"the title ({len(episode.title)} characters) does not fit "
            f"YouTube's: at most {YOUTUBE_TITLE.most} characters, no < or >",
            "shorten the title for YouTube", "title"))
    return problems


def notes_for(site: Site, slug: str, target: str) -> Fitted:
    """The paste-ready text of one episode (any state: draft, scheduled, published) for
    `target` ("youtube", "spotify" or "apple"), from the project and the cache."""
    from companion._config.feeds import load_feeds, selects
    from companion._errors import PairError
    from companion._pair.cache import Cache
    from companion._pair.episodes import pair_episode
    from companion._read.articles import read_project
    from companion._read.identity import article_guid
    from companion._read.select import find_article
    from companion._render.shownotes import TARGETS

    if target not in TARGETS:
        raise PairError(f"unknown notes target {target!r}", where="companion notes",
                        fix=f"choose one of {', '.join(TARGETS)}")
    article = find_article(slug, read_project(site).articles, "companion notes")
    episode, _problems = pair_episode(article, site, Cache(site.cache_dir))
    bare = Episode(article, article_guid(article))
    feeds = [f for f in load_feeds(site).feeds if selects(f.select, bare)]
    return paste_texts(episode, site, feeds)[target]
