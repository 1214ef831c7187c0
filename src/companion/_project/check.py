"""`check`: read every article, decide what a build would publish, and list every problem.

It reads the project as the build does and takes the same decisions (`_lifecycle`:
drafts, schedules, one slug and GUID per article, empty feeds), from the cache only,
without rendering: what it says is what ``build`` and ``publish`` will do. It also
says which paste-ready notes had to be cut to fit their platform (`_build.notes`).

    articles ─read─▶ lifecycle + clashes ─pair (the cache)─▶ standings ─▶ feed rules
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from companion._clock import clock_now
from companion._errors import CompanionError, Problem
from companion._lifecycle.ledger import Ledger
from companion._lifecycle.lifecycle import Claim, empty_feed_problem, resolve_claims, status_of
from companion._model import Article, Episode, FeedDefinition
from companion._pair.episodes import no_audio_fix
from companion._read.stories import story_problems
from companion._site_model import Clock, PlacedMedia, Site, Standing, Status

if TYPE_CHECKING:
    from companion._render.rss import ItemParts


@dataclass(frozen=True)
class CheckResult:
    """Every article that could be read, what becomes of each, and every problem."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    standings: list[Standing] = field(default_factory=list)

    def failed(self, strict: bool = False) -> bool:
        """Errors fail a check; with `strict`, warnings too."""
        bad = ("error", "warning") if strict else ("error",)
        return any(p.severity in bad for p in self.problems)

    def standing(self, article: Article) -> Standing | None:
        return next((s for s in self.standings if s.source == article.relpath), None)


def check_project(site: Site, *, now: datetime | None = None) -> CheckResult:
    """Read, decide, pair from the cache and apply the feed rules; never raises for what
    an article, a feed definition or a cache file holds (it is reported)."""
    from companion._config.feeds import load_feeds
    from companion._lifecycle.ledger import published_index
    from companion._lifecycle.moves import vanished_feeds
    from companion._read.articles import article_notes, read_project
    from companion._read.identity import article_guid

    read = read_project(site)
    problems = [*read.problems, *article_notes(site, read.articles)]
    index = published_index(site)
    problems += [e.problem() for e in index.problems]
    clock = Clock(now or clock_now(site.tz))
    status = {a.relpath: status_of(a.draft, a.date, clock.now) for a in read.articles}
    resolution = resolve_claims(
        [Claim(a.relpath, a.slug, article_guid(a)) for a in read.articles
         if status[a.relpath] == "live"], index.guids)
    problems += resolution.problems()
    loaded = load_feeds(site)
    problems += loaded.problems
    episodes = _pair(site, [a for a in read.articles if status[a.relpath] != "draft"
                            and a.relpath not in resolution.dropped], status, problems)
    standings = [_standing(a, status[a.relpath], episodes.get(a.relpath), loaded.feeds,
                           a.relpath in resolution.no_feed, a.relpath in resolution.dropped)
                 for a in read.articles]
    problems += _audio_problems(standings, problems, {a.relpath: a for a in read.articles})
    problems += _video_problems(standings, episodes, loaded.feeds)
    problems += _feed_rules(site, loaded.feeds, episodes, standings, index.feeds)
    problems += _notes_problems(site, loaded.feeds, episodes, standings)
    problems += _sound_problems(site, loaded.feeds, episodes, standings)
    problems += story_problems(read.articles)
    problems += catalog_problems(read.articles)
    problems += spotify_note(site)
    problems += vanished_feeds(site, loaded.feeds, index)
    return CheckResult(read.articles, problems, standings)


def _notes_problems(site: Site, feeds: Sequence[FeedDefinition], episodes: Mapping[str, Episode],
                    standings: Sequence[Standing]) -> list[Problem]:
    """What the paste-ready notes of each paired episode had to give up to fit."""
    from companion._project.notes import notes_problems

    selected = {s.source: set(s.selected) for s in standings}
    return [p for source, episode in episodes.items() for p in notes_problems(
        episode, site, [f for f in feeds if f.slug in selected.get(source, set())])]


def _sound_problems(site: Site, feeds: Sequence[FeedDefinition],
                    episodes: Mapping[str, Episode], standings: Sequence[Standing]
                    ) -> list[Problem]:
    """Each episode's loudness, true peak and range, as fetched and as published, from the
    cache (issue 25): `_pair.loudness` says it, and warns of one off its target."""
    from companion._pair.loudness import loudness_problems

    shows = {s.source: set(s.feeds) for s in standings}
    return [p for source, episode in episodes.items() for p in loudness_problems(
        site, episode, [f for f in feeds if f.slug in shows.get(source, set())])]


def catalog_problems(articles: Sequence[Article]) -> list[Problem]:
    """A note for each article whose language has no interface catalog: its page's words
    (Published, Chapters, Play...) are in English, its own text in its language."""
    from companion._render.i18n import catalog_languages, has_catalog, primary

    known = ", ".join(sorted(catalog_languages()))
    return [Problem("info", a.relpath, f"language {a.lang!r} has no interface catalog: its "
                    "page's labels and buttons are in English",
                    f"companion has catalogs for {known}; a new one is "
                    f"src/companion/_render/locale/{primary(a.lang)}/LC_MESSAGES/messages.po "
                    "(CONTRIBUTING.md, Translations)", "lang")
            for a in articles if not has_catalog(a.lang)]


def _pair(site: Site, articles: Sequence[Article], status: Mapping[str, Status],
          problems: list[Problem]) -> dict[str, Episode]:
    """Pair from the cache; a scheduled article's problems are warnings (it is not
    published yet, but its time will come), a damaged cache file is named."""
    from companion._pair.cache import Cache
    from companion._pair.episodes import pair_episode

    cache = Cache(site.cache_dir)
    episodes: dict[str, Episode] = {}
    for article in articles:
        try:
            episode, found = pair_episode(article, site, cache)
        except CompanionError as exc:
            found, episode = [exc.problem()], None
        if status[article.relpath] == "scheduled":
            found = [_later(p) for p in found]
        problems.extend(found)
        if episode is not None:
            episodes[article.relpath] = episode
    return episodes


def _later(problem: Problem) -> Problem:
    severity = "warning" if problem.severity == "error" else problem.severity
    return Problem(severity, problem.where, f"{problem.message} (scheduled: needed when it "
                   "is released)", problem.fix, problem.field)


def _standing(article: Article, status: Status, episode: Episode | None,
              feeds: Sequence[FeedDefinition], no_feed: bool, dropped: bool) -> Standing:
    from companion._config.feeds import selects
    from companion._read.identity import article_guid

    selected = tuple(f.slug for f in feeds
                     if selects(f.select, episode or Episode(article, article_guid(article))))
    ready = status == "live" and not dropped and not no_feed and article.date is not None
    audio = episode is not None and episode.has_audio
    kept = tuple(s for s in selected if s not in _videoless(episode, feeds))
    why = ""
    if status == "live" and selected and not (ready and audio and kept):
        why = ("another article has its slug" if dropped else
               "another article has its GUID" if no_feed else
               "no date" if article.date is None else
               "no audio" if episode is not None and not audio else
               "no video" if episode is not None else "its pairing failed")
    return Standing(article.relpath, article.slug, article.title, status, article.date,
                    article.hidden, kept if ready and audio else (), selected, why)


def _videoless(episode: Episode | None, feeds: Sequence[FeedDefinition]) -> set[str]:
    """The video feeds an episode without a fetched MP4 stays out of (as the build does)."""
    if episode is None or episode.video_file is not None:
        return set()
    return {f.slug for f in feeds if f.medium == "video"}


def _video_problems(standings: Sequence[Standing], episodes: Mapping[str, Episode],
                    feeds: Sequence[FeedDefinition]) -> list[Problem]:
    from companion._build.prepare import no_video_problem

    found = []
    for s in standings:
        episode = episodes.get(s.source)
        missing = [x for x in s.selected if x in _videoless(episode, feeds)]
        if episode is not None and missing and s.status == "live" and \
                (s.feeds or s.why == "no video"):
            found.append(no_video_problem(episode.article, missing))
    return found


def _audio_problems(standings: Sequence[Standing], problems: Sequence[Problem],
                    articles: Mapping[str, Article]) -> list[Problem]:
    from companion._pair.episodes import PAIR_FIX, audio_source

    failed = {p.where for p in problems if p.field == "audio" and p.severity == "error"}
    found = [Problem("warning", s.source, "no audio: the episode is left out of "
                     f"{', '.join(s.selected)} (its page is published without a player)",
                     no_audio_fix(articles.get(s.source)), "audio")
             for s in standings if s.why == "no audio" and s.source not in failed]
    told = {p.where for p in found} | failed
    # an article in no feed for another reason (no date, no feed selects it) is still told
    # where its audio will come from: nothing names its video, show episode or audio file
    found += [Problem("info", s.source, "no audio yet: the article names no video, show "
                      "episode or audio file", PAIR_FIX, "audio")
              for s in standings if s.source not in told and s.status != "draft"
              and (a := articles.get(s.source)) is not None and audio_source(a) is None]
    return found


def spotify_note(site: Site, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """`[pair]` names a Spotify show but the Web API's credentials are not set: what they
    would add (the same note `companion pair` gives, without the network)."""
    import os

    env = os.environ if environ is None else environ
    if not site.pair.spotify_show or (env.get("SPOTIFY_CLIENT_ID", "").strip()
                                      and env.get("SPOTIFY_CLIENT_SECRET", "").strip()):
        return []
    return [Problem(
        "info", "companion.toml", "the show's Spotify episodes cannot be read: Spotify's Web "
        "API needs an app's credentials; with them, `companion pair` also gives each paired "
        "article its Spotify episode id (its Spotify link and embed); the show's RSS pairs "
        "the audio without them",
        "set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (an app at "
        "https://developer.spotify.com/dashboard) and run `companion pair`",
        "pair.spotify_show")]


def _feed_rules(site: Site, feeds: Sequence[FeedDefinition], episodes: Mapping[str, Episode],
                standings: Sequence[Standing], published: Mapping[str, int]) -> list[Problem]:
    from companion._build.engine import describe_selection
    from companion._build.prepare import Preparer
    from companion._config.feeds import select_episodes
    from companion._errors import FeedError
    from companion._lifecycle.ledger import load_ledger
    from companion._render.rules import feed_problems, feed_where

    problems: list[Problem] = []
    prepare = Preparer(site)
    for feed in feeds:
        members = [episodes[s.source] for s in standings if feed.slug in s.feeds]
        where = feed_where(feed, site)
        try:
            ledger: Ledger | None = load_ledger(site, feed.slug)
        except FeedError:
            ledger = None  # reported once, by the published index
        chosen = select_episodes(feed, members)
        if not members:
            problems.append(empty_feed_problem(where, feed.slug, describe_selection(
                feed.select), standings, published.get(feed.slug, 0)))
        else:
            show = prepare.show(feed)
            parts = {e.guid: ref for e in chosen
                     if (ref := preview_parts(e, feed, site)) is not None}
            problems += feed_problems(show.show, chosen, parts, where, show.problems)
        if ledger is not None:
            problems += ledger_problems(ledger, chosen, where, standings)
    return problems


def preview_parts(episode: Episode, feed: FeedDefinition, site: Site) -> ItemParts | None:
    """What a build would publish for `episode` in `feed`, as far as `check` can tell without
    making the tagged copy: the enclosure's URL, and the format the feed publishes (its size
    is the source's, which tags change by a few hundred bytes)."""
    from companion import _paths
    from companion._pair.audio import MIME
    from companion._render.rss import ItemParts

    if episode.remote_audio is not None:
        from companion._build.prepare import remote_media

        return ItemParts(remote_media(episode.remote_audio, [feed.slug])[feed.slug],
                         site.episode_url(episode.slug),
                         description_text=episode.article.description or "")
    audio = episode.audio
    if audio is None:
        return None
    fmt = feed.audio_format
    key = _paths.enclosure_key(episode.guid, feed.slug, episode.slug, audio.sha256)
    path = _paths.media(key, fmt)
    media = PlacedMedia(path, site.media_url(path), audio.size, MIME[fmt], audio.duration,
                        audio.sha256, audio.path)
    return ItemParts(media, site.episode_url(episode.slug),
                     description_text=episode.article.description or "")


def ledger_problems(ledger: Ledger, episodes: Sequence[Episode], where: str,
                    standings: Sequence[Standing] = ()) -> list[Problem]:
    """Compare what the feed held at its last publish with what it holds now: a GUID that
    changed, or an episode that the next publish takes out of the feed."""
    now = {e.guid for e in episodes}
    by_slug = {e.slug: e for e in episodes}
    states = {s.slug: s for s in standings}
    problems: list[Problem] = []
    for guid, entry in sorted(ledger.live().items()):
        if guid in now:
            continue
        current = by_slug.get(entry.slug)
        state = states.get(entry.slug)
        if current is not None:
            problems.append(Problem(
                "error", current.article.relpath,
                f"GUID changed: {entry.slug} was published as {guid!r}, now {current.guid!r}; "
                "subscribers would get it twice",
                f'put guid: "{guid}" in its front matter', "guid"))
        elif state is not None and state.status != "live":
            problems.append(Problem(
                "warning", state.source,
                f"{entry.slug} was published in {ledger.feed} and is now "
                f"{'a draft' if state.status == 'draft' else 'scheduled again'}: the next "
                "publish takes it out of the feed, but subscribers have already downloaded it",
                "publish it again to keep it, or go ahead if it is meant to go", "published"))
        else:
            reason = f" ({state.why})" if state is not None and state.why else ""
            problems.append(Problem(
                "warning", where,
                f"episode leaves the feed: {entry.title!r} ({entry.slug}, GUID {guid!r}) was "
                f"published in this feed and is no longer in it{reason}; subscribers have "
                "already downloaded it", "restore the article, or go ahead if it is removed "
                "on purpose (`publish --prune` then deletes its files)", "episodes"))
    return problems
