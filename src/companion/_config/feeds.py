"""Feed definitions: ``feeds/<slug>.toml``, one show per file, validated at the edge.

`load_feeds(site)` reads them all and hands back the valid definitions and the
problems found (a definition with an error is left out); `select_episodes`
picks a show's episodes, newest first.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from companion._config import podcasting as _p20
from companion._config.audio import read_audio
from companion._config.categories import APPLE_CATEGORIES, is_category, is_subcategory, suggest
from companion._config.project import (
    inside,
    notify_problems,
    project_rel,
    public_hubs,
    read_toml,
)
from companion._errors import Problem
from companion._model import (
    AudioSettings,
    Credit,
    Episode,
    FeedDefinition,
    FeedSelection,
    Funding,
    MediaUrl,
    Person,
    PodrollEntry,
)
from companion._site_model import RemoteFeed, Show, Site
from companion._text import NOT_XML, did_you_mean, is_language, whole_number

T = TypeVar("T")

PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

KNOWN_KEYS = frozenset({
    "title", "description", "author", "language", "artwork", "explicit", "type", "copyright",
    "link", "locked", "medium", "audio_format", "podcast_guid", "apple_podcasts_url",
    "spotify_show_url", "youtube_url", "castbox_url", "categories", "owner", "funding",
    "select",
    # issue 16, item 7 (moves)
    "moved_from",
    # issue 16A: analytics prefixes, archive pages, more of Podcasting 2.0
    "enclosure_prefix", "max_items", "license", "txt", "update_frequency", "podroll",
    # issue 25: loudness and encoding, over companion.toml's [audio]
    "audio",
    # issue 25: the show's people, with pictures (`[[people]]`)
    "people",
})
#: The most items a feed's `max_items` may keep in the main feed (and in each archive page).
MAX_ITEMS = 100_000
OWNER_KEYS = frozenset({"name", "email"})
FUNDING_KEYS = frozenset({"url", "text"})
SELECT_KEYS = frozenset({"languages", "categories", "tags", "episodes", "include_hidden"})
MEDIUMS = frozenset({"podcast", "music", "video", "film", "audiobook", "newsletter", "blog",
                     "courses"})

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: A feed's file name names its folder in the site and its ledger (cache/ledger/<name>.json):
#: kept short enough that every name made from it, temporary ones too, fits in the 255 bytes
#: a file system allows.
MAX_FEED_NAME = 100
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+$")


def _is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host, no credentials, nothing that breaks markup."""
    try:
        parts = urlsplit(value)
        credentials = parts.username is not None or parts.password is not None
        host = parts.hostname
    except ValueError:
        return False
    return (parts.scheme.lower() in ("http", "https") and bool(host) and not credentials
            and not any(ch.isspace() or ch in '<>"`' for ch in value))


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def podcast_guid_for(feed_url: str) -> str:
    """The Podcast Index `podcast:guid`: UUIDv5 of the feed URL without scheme and end slashes."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def show_of(feed: FeedDefinition, site: Site) -> Show:
    """The show a feed definition makes on `site`, before its artwork is placed: its feed
    URL, its page, its `podcast:guid` (given, else the UUIDv5 of its first feed URL: the
    oldest of `moved_from`, or this one), the WebSub hubs it names, for a moved feed its
    `itunes:new-feed-url`, and the other shows it recommends (`podcast:podroll`)."""
    url = site.feed_url(feed.slug)
    podroll = tuple(RemoteFeed(_guid(e.slug, e.podcast_guid, e.moved_from, site),
                               site.feed_url(e.slug), e.medium) for e in feed.podroll)
    return Show(feed, url, site.show_url(feed.slug),
                _guid(feed.slug, feed.podcast_guid, feed.moved_from, site),
                hubs=public_hubs(site.notify), new_feed_url=url if feed.moved_from else None,
                podroll=podroll)


def _guid(slug: str, given: str | None, moved_from: tuple[str, ...], site: Site) -> str:
    """A show's `podcast:guid`: given, else the UUIDv5 of its first feed URL (the oldest
    of `moved_from`, or its own): a moved feed keeps its GUID."""
    first = old_feed_url(moved_from[0], site) if moved_from else site.feed_url(slug)
    return given or podcast_guid_for(first)


def old_feed_url(moved_from: str, site: Site) -> str:
    """A `moved_from` entry as a feed URL: a feed name of this site, or a URL as written."""
    return moved_from if "://" in moved_from else site.feed_url(moved_from)


def enclosure_url(show: Show, site: Site, path: str) -> MediaUrl:
    """The URL a show gives a media file of the site: behind its analytics prefix, if any
    (the file's path, its key in the bucket, stays as it is)."""
    return MediaUrl(_p20.apply_prefix(show.definition.enclosure_prefix, show.guid,
                                      site.media_url(path)))


@dataclass(frozen=True)
class FeedsResult:
    feeds: list[FeedDefinition]
    problems: list[Problem] = field(default_factory=list)


def load_feeds(site: Site) -> FeedsResult:
    """Every ``feeds/*.toml``, sorted by slug; invalid ones are reported and left out (and
    a ``[notify]`` URL holding a secret, which no feed names, is warned of)."""
    feeds: list[FeedDefinition] = []
    problems: list[Problem] = notify_problems(site.notify)
    choices: dict[str, Podroll] = {}
    folder = site.feeds_dir
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    for path in files:
        feed, found, choices[path.stem] = _read_feed(path, site)
        problems.extend(found)
        if feed is not None:
            feeds.append(feed)
    clashes = _move_clashes(feeds, site)
    problems.extend(clashes.values())
    kept = [f for f in feeds if f.slug not in clashes]
    return FeedsResult([_with_podroll(f, kept, choices[f.slug], problems) for f in kept],
                       problems)


def _move_clashes(feeds: Sequence[FeedDefinition], site: Site) -> dict[str, Problem]:
    """A `moved_from` name that is still a feed of its own, or that two feeds claim: the
    old address can redirect to one place only (by the feed that claims it)."""
    names = {f.slug for f in feeds}
    claimed: dict[str, str] = {}
    clashes: dict[str, Problem] = {}
    for feed in feeds:
        for old in feed.moved_from:
            where = project_rel(feed.path, site)
            if old in names:
                clashes[feed.slug] = Problem(
                    "error", where, f"moved_from {old!r}: feeds/{old}.toml is still a feed of "
                    "its own, so its address cannot redirect here",
                    f"remove feeds/{old}.toml if {feed.slug} replaces it, or remove "
                    f"{old!r} from moved_from", "moved_from")
            elif claimed.setdefault(old, feed.slug) != feed.slug:
                clashes[feed.slug] = Problem(
                    "error", where, f"moved_from {old!r} is claimed by {claimed[old]} too: "
                    "an old address redirects to one feed only",
                    f"keep {old!r} in one feed definition's moved_from", "moved_from")
    return clashes


#: What a definition's `podroll` asks for: None every other show (the default), else slugs.
Podroll = tuple[str, ...] | None


def _with_podroll(feed: FeedDefinition, feeds: Sequence[FeedDefinition], choice: Podroll,
                  problems: list[Problem]) -> FeedDefinition:
    """The definition with the project's other shows it recommends: every other one, or
    those its `podroll` names (a name that is no show is a warning)."""
    others = {f.slug: f for f in feeds if f.slug != feed.slug}
    wanted = sorted(others) if choice is None else list(dict.fromkeys(choice))
    for slug in wanted:
        if slug not in others:
            problems.append(Problem("warning", f"feeds/{feed.slug}.toml",
                                    f"podroll names {slug!r}, which is not another show of "
                                    "the project", f"name one of: {', '.join(others) or '-'}",
                                    "podroll"))
    entries = tuple(PodrollEntry(s, others[s].podcast_guid, others[s].medium,
                                 others[s].moved_from, others[s].language)
                    for s in wanted if s in others)
    return dataclasses.replace(feed, podroll=entries)


def load_feed(path: Path, site: Site) -> tuple[FeedDefinition | None, list[Problem]]:
    """One feed definition, or None and the errors that keep it out (its podroll is left
    empty: `load_feeds` knows the other shows)."""
    feed, problems, _choice = _read_feed(path, site)
    return feed, problems


def _read_feed(path: Path, site: Site
               ) -> tuple[FeedDefinition | None, list[Problem], Podroll]:
    """One definition, its problems, and what its `podroll` asks for."""
    where = project_rel(path, site)
    if not _SLUG.match(path.stem):
        return None, [Problem("error", where, "the file name is not URL-safe: it becomes the "
                              "feed's address", "rename it with a-z, 0-9 and hyphens only, "
                              "e.g. feeds/my-show.toml", "file name")], ()
    if len(path.stem) > MAX_FEED_NAME:
        return None, [Problem("error", where, f"the file name is too long ({len(path.stem)} "
                              f"characters; at most {MAX_FEED_NAME}): it names the feed's folder "
                              "and its ledger", "rename it to something shorter, e.g. "
                              "feeds/my-show.toml", "file name")], ()
    if path.is_symlink() and not inside(path, site.root):
        return None, [Problem("error", where, "a symbolic link that points outside the project; "
                              "not followed", "copy the file into feeds/ instead")], ()
    if not path.is_file():
        return None, [Problem("error", where, "not a regular file (a pipe, device or folder)",
                              "remove it from feeds/")], ()
    try:
        data = read_toml(path)
    except ValueError as exc:
        fix = "save the file as UTF-8" if str(exc) == "not UTF-8" else "correct the TOML syntax"
        return None, [Problem("error", where, str(exc), fix)], ()
    reader = _Reader(where)
    feed = reader.feed(path, data, site)
    errors = [p for p in reader.problems if p.severity == "error"]
    return (None if errors else feed), reader.problems, reader.podroll_choice(data)


class _Reader:
    """Reads one TOML table into a FeedDefinition, collecting problems as it goes."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def error(self, name: str, message: str, fix: str) -> None:
        self.problems.append(Problem("error", self.where, message, fix, name))

    def warn(self, name: str, message: str, fix: str) -> None:
        self.problems.append(Problem("warning", self.where, message, fix, name))

    def feed(self, path: Path, data: dict[str, Any], site: Site) -> FeedDefinition:
        self.unknown(data, KNOWN_KEYS, "")
        title = self.text(data, "title", required=True)
        owner = self.owner(data.get("owner"))
        return FeedDefinition(
            slug=path.stem, path=path, title=title,
            description=self.text(data, "description"),
            author=self.text(data, "author") or owner.name or site.title,
            owner=owner,
            language=self.language(data, site),
            artwork=self.artwork(data, site),
            categories=self.categories(data.get("categories", [])),
            explicit=self.flag(data, "explicit", False),
            type=self.choice(data, "type", ("episodic", "serial"), "episodic"),  # type: ignore[arg-type]
            copyright=self.text(data, "copyright") or None,
            link=self.url(data, "link"),
            funding=self.funding(data.get("funding", [])),
            locked=self.flag(data, "locked", True),
            medium=self.choice(data, "medium", tuple(sorted(MEDIUMS)), "podcast"),
            audio_format=self.choice(data, "audio_format", ("mp3", "m4a"), "mp3"),  # type: ignore[arg-type]
            podcast_guid=self.guid(data),
            apple_podcasts_url=self.url(data, "apple_podcasts_url"),
            spotify_show_url=self.url(data, "spotify_show_url"),
            youtube_url=self.url(data, "youtube_url"),
            castbox_url=self.url(data, "castbox_url"),
            select=self.selection(data.get("select", {})),
            moved_from=self.moved_from(data.get("moved_from", []), path.stem),
            # issue 16A: analytics prefixes, archive pages, more of Podcasting 2.0
            enclosure_prefix=self.p20(data, "enclosure_prefix", _p20.read_prefix),
            max_items=self.max_items(data),
            license=self.p20(data, "license", _p20.read_license),
            txt=self.p20(data, "txt", _p20.read_txt) or (),
            update_frequency=self.p20(data, "update_frequency", _p20.read_update_frequency),
            audio=self.audio(data, site),
            people=self.p20(data, "people", _people) or (),
        )

    def audio(self, data: dict[str, Any], site: Site) -> AudioSettings | None:
        """The feed's ``[audio]`` over the project's; None without one (the project's)."""
        if "audio" not in data:
            return None
        settings, problems = read_audio(data["audio"], site.audio)
        for name, message, fix in problems:
            self.error(name, message, fix)
        return settings

    def moved_from(self, value: object, slug: str) -> tuple[str, ...]:
        """Where the feed was published before: feed names of this site (a renamed
        definition) or absolute http(s) feed URLs (another base_url, another host)."""
        if isinstance(value, str):
            value = [value]
        fix = ('write moved_from = ["old-name"] (a renamed definition) or '
               '["https://old.example.org/show/feed.xml"]')
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error("moved_from", "moved_from must be a list of feed names or URLs", fix)
            return ()
        found: list[str] = []
        for entry in (v.strip() for v in value):
            is_name = bool(_SLUG.match(entry)) and len(entry) <= MAX_FEED_NAME
            if entry == slug:
                self.error("moved_from", f"moved_from {entry!r} is this feed's own name",
                           "name the feed it was published as before")
            elif is_name or _is_web_url(entry):
                found.append(entry)
            else:
                self.error("moved_from", f"moved_from {entry!r} is neither a feed name nor "
                           "an absolute http(s) URL", fix)
        return tuple(dict.fromkeys(found))

    def p20(self, data: dict[str, Any], name: str, read: Callable[[object, str], T]) -> T | None:
        """A Podcasting 2.0 value (`_config.podcasting`), or None when absent or invalid."""
        return _p20.read_value(data, name, read, self.error)

    def max_items(self, data: dict[str, Any]) -> int | None:
        value = data.get("max_items")
        if value is None:
            return None
        number = whole_number(value, 1, MAX_ITEMS)
        if number is None:
            self.error("max_items", f"max_items must be a whole number from 1 to "
                       f"{MAX_ITEMS:,}, not {value!r}", "write max_items = 300")
        return number

    def podroll_choice(self, data: dict[str, Any]) -> Podroll:
        """`podroll`: true (every other show, the default), false, or a list of feed names."""
        value = data.get("podroll", True)
        if value is True:
            return None
        if value is False:
            return ()
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            return tuple(value)
        self.error("podroll", "podroll must be true, false or a list of feed names",
                   'write podroll = ["es", "ka"] (feeds/es.toml, feeds/ka.toml)')
        return ()

    def unknown(self, table: dict[str, Any], known: frozenset[str], prefix: str) -> None:
        for key in table:
            if key not in known:
                hint = did_you_mean(key, known)
                self.error(prefix + key, f"unknown setting {prefix}{key}",
                           (f"{hint} " if hint else "")
                           + f"(known settings are: {', '.join(sorted(known))})")

    def text(self, data: dict[str, Any], name: str, required: bool = False,
             prefix: str = "") -> str:
        value = data.get(name)
        if isinstance(value, str) and NOT_XML.sub("", value).strip():
            return NOT_XML.sub("", value).strip()
        if value is not None and not isinstance(value, str):
            self.error(prefix + name, f"{prefix}{name} must be a string",
                       f'write it as {name} = "..."')
        elif required:
            self.error(prefix + name, f"{prefix}{name} is missing", f'add {name} = "..."')
        return ""

    def flag(self, data: dict[str, Any], name: str, default: bool) -> bool:
        value = data.get(name, default)
        if isinstance(value, bool):
            return value
        self.error(name, f"{name} must be true or false", f"write {name} = true or false")
        return default

    def choice(self, data: dict[str, Any], name: str, options: tuple[str, ...],
               default: str) -> str:
        value = data.get(name, default)
        if value in options:
            return str(value)
        self.error(name, f"{name} {value!r} is not one of: {', '.join(options)}",
                   f'write {name} = "{default}"')
        return default

    def url(self, data: dict[str, Any], name: str) -> str | None:
        value = self.text(data, name)
        if value and not _is_web_url(value):
            shown = repr(value) if "@" not in value else "(a URL with a user name or password)"
            self.error(name, f"{name} {shown} is not an absolute http(s) URL",
                       'write it as "https://host/path", with no user:password@ and '
                       "spaces or quotes percent-encoded")
            return None
        return value or None

    def artwork(self, data: dict[str, Any], site: Site) -> str | None:
        """An https URL, or a path to an image file inside the project."""
        value = self.text(data, "artwork")
        if not value:
            return None
        if value.lower().startswith(("http://", "https://")):
            return self.url(data, "artwork")
        first = value.replace("\\", "/").split("/", 1)[0]
        if (":" in first or value.startswith(("/", "\\", "~"))
                or ".." in Path(value.replace("\\", "/")).parts
                or not inside(site.root / value, site.root)
                or ((site.root / value).exists() and not (site.root / value).is_file())):
            self.error("artwork", f"artwork {value!r} is not a file in the project",
                       'write a path relative to the project, e.g. "feeds/artwork/show.png", '
                       "or an https URL")
            return None
        return value

    def owner(self, value: object) -> Person:
        if not isinstance(value, dict):
            if value is not None:
                self.error("owner", "[owner] must be a table", "write [owner] name, email")
            self.error("owner.email", "owner email is missing",
                       'add [owner] with email = "podcasts@example.org" (Apple requires it)')
            return Person("")
        self.unknown(value, OWNER_KEYS, "owner.")
        name = self.text(value, "name", prefix="owner.")
        email = self.text(value, "email", prefix="owner.")
        if not email:
            self.error("owner.email", "owner email is missing",
                       'add email = "podcasts@example.org" under [owner] (Apple requires it)')
        elif not is_email(email):
            self.error("owner.email", f"owner email {email!r} is not a valid address",
                       'write it as "name@example.org"')
        return Person(name, email or None)

    def language(self, data: dict[str, Any], site: Site) -> str:
        code = self.text(data, "language") or site.language
        if not is_language(code):
            self.error("language", f"language {code!r} is not a well-formed language code",
                       'use a BCP 47 code such as "en", "ka", "ar", "es" or "pt-BR"')
        return code

    def categories(self, value: object) -> tuple[tuple[str, str | None], ...]:
        if not isinstance(value, list):
            self.error("categories", "categories must be a list of lists",
                       'write categories = [["News", "Politics"], ["Society & Culture"]]')
            return ()
        found: list[tuple[str, str | None]] = []
        for entry in value:
            pair = self.category(entry)
            if pair is not None:
                found.append(pair)
        return tuple(found)

    def category(self, entry: object) -> tuple[str, str | None] | None:
        if isinstance(entry, str):
            entry = [entry]
        if (not isinstance(entry, list) or not 1 <= len(entry) <= 2
                or not all(isinstance(x, str) for x in entry)):
            self.error("categories", f"category {entry!r} is not [category] or "
                       "[category, subcategory]", 'write ["News", "Politics"]')
            return None
        name, sub = entry[0], (entry[1] if len(entry) == 2 else None)
        if not is_category(name):
            hint = suggest(name, list(APPLE_CATEGORIES))
            self.error("categories", f"{name!r} is not an Apple Podcasts category",
                       f"did you mean {hint!r}?" if hint else
                       f"use one of: {', '.join(APPLE_CATEGORIES)}")
            return None
        if sub is not None and not is_subcategory(name, sub):
            subs = APPLE_CATEGORIES[name]
            hint = suggest(sub, subs)
            self.error("categories", f"{sub!r} is not a subcategory of {name!r}",
                       f"did you mean {hint!r}?" if hint else
                       (f"use one of: {', '.join(subs)}" if subs else
                        f"{name!r} has no subcategories: write [{name!r}]"))
            return None
        return name, sub

    def funding(self, value: object) -> tuple[Funding, ...]:
        if not isinstance(value, list):
            self.error("funding", "funding must be a list of [[funding]] tables",
                       'write [[funding]] url = "https://..." text = "..."')
            return ()
        found: list[Funding] = []
        for entry in value:
            if not isinstance(entry, dict):
                self.error("funding", "each [[funding]] must be a table", "give url and text")
                continue
            self.unknown(entry, FUNDING_KEYS, "funding.")
            url = self.url(entry, "url")
            if url is None:
                self.error("funding.url", "funding url is missing", 'add url = "https://..."')
                continue
            found.append(Funding(url, self.text(entry, "text", prefix="funding.") or url))
        return tuple(found)

    def guid(self, data: dict[str, Any]) -> str | None:
        value = self.text(data, "podcast_guid")
        if not value:
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            self.error("podcast_guid", f"podcast_guid {value!r} is not a UUID",
                       "remove it to use the UUIDv5 of the feed URL")
            return None

    def selection(self, value: object) -> FeedSelection:
        if not isinstance(value, dict):
            self.error("select", "[select] must be a table", "write [select] languages = [...]")
            return FeedSelection()
        self.unknown(value, SELECT_KEYS, "select.")
        hidden = value.get("include_hidden", True)
        if not isinstance(hidden, bool):
            self.error("select.include_hidden", "include_hidden must be true or false",
                       "write include_hidden = false")
            hidden = True
        return FeedSelection(
            languages=tuple(x.lower() for x in self.strings(value, "languages")),
            categories=self.strings(value, "categories"),
            tags=self.strings(value, "tags"),
            episodes=self.strings(value, "episodes"),
            include_hidden=hidden,
        )

    def strings(self, table: dict[str, Any], name: str) -> tuple[str, ...]:
        value = table.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            self.error(f"select.{name}", f"select.{name} must be a list of strings",
                       f'write {name} = ["..."]')
            return ()
        return tuple(value)


# --- selection ---------------------------------------------------------------------------


def _language_matches(lang: str, wanted: Sequence[str]) -> bool:
    lang = lang.lower()
    return any(lang == w or lang.startswith(w + "-") for w in wanted)


def _overlaps(have: Iterable[str], wanted: Sequence[str]) -> bool:
    folded = {w.casefold() for w in wanted}
    return any(h.casefold() in folded for h in have)


def selects(selection: FeedSelection, episode: Episode) -> bool:
    """Whether `episode` belongs to a feed with this selection."""
    article = episode.article
    if selection.episodes and episode.slug not in selection.episodes:
        return False
    if article.hidden and not selection.include_hidden:
        return False
    if selection.languages and not _language_matches(article.lang, selection.languages):
        return False
    if selection.categories and not _overlaps(article.categories, selection.categories):
        return False
    return not selection.tags or _overlaps(article.tags, selection.tags)


_NO_DATE = datetime.min


def episode_date(episode: Episode) -> datetime | None:
    return episode.article.date


def _sort_key(episode: Episode) -> float:
    when = episode_date(episode)
    return when.timestamp() if when is not None else float("-inf")


def select_episodes(feed: FeedDefinition, episodes: Iterable[Episode]) -> list[Episode]:
    """The feed's episodes, newest first (by date, then slug); undated ones last."""
    chosen = sorted((e for e in episodes if selects(feed.select, e)), key=lambda e: e.slug)
    return sorted(chosen, key=_sort_key, reverse=True)


def _people(value: object, name: str) -> tuple[Credit, ...]:
    """`[[people]]`: the show's people (name, role, group, image, link), hosts unless said."""
    return _p20.read_credits(value, name, "host")
