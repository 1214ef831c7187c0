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
                + (f": {fitted.sources_left} source(s) left out, listed on the episode page"
                   if fitted.sources_left else ""),
                "shorten the summary (description:) or the list of sources", "notes"))
        if fitted.chapters_refused:  # a note: the build leaves the list out on its own
            problems.append(Problem(
                "info", where, "the chapter list is left out of the YouTube description: "
                f"{fitted.chapters_refused}",
                "fix the chapter times in the video description", "chapters"))
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
    from companion._render.shownotes import TARGETS

    if target not in TARGETS:
        raise PairError(f"unknown notes target {target!r}", where="companion notes",
                        fix=f"choose one of {', '.join(TARGETS)}")
    found = [a for a in read_project(site).articles if a.slug == slug]
    if not found:
        raise PairError(f"no episode with slug {slug}", where="companion notes",
                        fix="`companion check` lists the episodes and their slugs")
    episode, _problems = pair_episode(found[0], site, Cache(site.cache_dir))
    bare = Episode(found[0], article_guid(found[0]))
    feeds = [f for f in load_feeds(site).feeds if selects(f.select, bare)]
    return paste_texts(episode, site, feeds)[target]
