"""The published-GUID ledger: every episode a feed has carried in a successful publish.

One JSON file per feed, ``<cache>/ledger/<feed-slug>.json``, committed with the
project. Only a successful publish writes it (`record_publish`: never a dry run,
a preview or a build), so every rule that asks "was it published?" reads what
subscribers really got:

- `check` compares it with the feed as it would be built now (`_rules.ledger_problems`):
  a GUID that changed, an episode about to leave a feed;
- the build lets the article that was published keep a GUID or slug that a second
  article claims (`_lifecycle.resolve_claims`), and refuses to empty a feed that
  subscribers have (`PublishedIndex.feeds`).

An entry is never deleted: an episode that leaves the feed is marked ``removed``
(the date of the publish that removed it), so its GUID stays known. The file is
written only when it changes, with sorted keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from companion._errors import FeedError
from companion._files import atomic_write
from companion._site_model import Site

LEDGER_DIR = "ledger"


@dataclass(frozen=True)
class LedgerEntry:
    guid: str
    slug: str
    title: str
    media: str = ""  # the enclosure's site path when it was published
    published: str = ""  # ISO date of the first publish that carried it
    removed: str = ""  # ISO date of the publish that took it out of the feed ("" = in it)
    was: tuple[str, ...] = ()  # slugs it was published under before (its page's old homes)

    @property
    def live(self) -> bool:
        return not self.removed


@dataclass(frozen=True)
class PublishedItem:
    """One item of a built feed, as the build state records it for the ledger."""

    guid: str
    slug: str
    title: str
    media: str = ""


@dataclass(frozen=True)
class Ledger:
    """The GUIDs a feed has published, by GUID."""

    feed: str
    entries: Mapping[str, LedgerEntry] = field(default_factory=dict)
    url: str = ""  # the feed's URL at its last publish ("" = not recorded yet)

    def by_slug(self) -> dict[str, LedgerEntry]:
        return {e.slug: e for e in self.entries.values()}

    def live(self) -> dict[str, LedgerEntry]:
        """The entries the feed held after its last publish."""
        return {g: e for g, e in self.entries.items() if e.live}

    def published(self, items: Iterable[PublishedItem], when: datetime,
                  url: str = "") -> Ledger:
        """This ledger after a publish whose feed, at `url`, holds exactly `items`."""
        day = when.date().isoformat()
        entries = dict(self.entries)
        now = {item.guid for item in items}
        for item in items:
            old = entries.get(item.guid)
            first = old.published if old is not None and old.published else day
            entries[item.guid] = LedgerEntry(item.guid, item.slug, item.title, item.media, first,
                                             was=_was(old, item.slug))
        for guid, entry in entries.items():
            if guid not in now and entry.live:
                entries[guid] = replace(entry, removed=day)
        return Ledger(self.feed, entries, url or self.url)

    def to_json(self) -> bytes:
        episodes: dict[str, dict[str, object]] = {}
        for guid, e in sorted(self.entries.items()):
            data: dict[str, object] = {"slug": e.slug, "title": e.title}
            data.update({k: v for k, v in (("media", e.media), ("published", e.published),
                                           ("removed", e.removed)) if v})
            if e.was:
                data["was"] = list(e.was)
            episodes[guid] = data
        head = {"feed": self.feed, **({"url": self.url} if self.url else {})}
        text = json.dumps({**head, "episodes": episodes}, ensure_ascii=False, indent=2,
                          sort_keys=True)
        return (text + "\n").encode()


def _was(old: LedgerEntry | None, slug: str) -> tuple[str, ...]:
    """The slugs an entry was published under before, now that it goes out as `slug`."""
    if old is None:
        return ()
    return tuple(s for s in dict.fromkeys((*old.was, old.slug)) if s and s != slug)


def ledger_path(site: Site, feed_slug: str) -> Path:
    return site.cache_dir / LEDGER_DIR / f"{feed_slug}.json"


def load_ledger(site: Site, feed_slug: str) -> Ledger:
    """The feed's ledger; an empty one when the feed was never published."""
    path = ledger_path(site, feed_slug)
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return Ledger(feed_slug)
    except OSError as exc:
        raise FeedError(f"the published-GUID ledger cannot be read: {exc.strerror}",
                        where=str(path), fix="check the file's permissions") from None
    return parse_ledger(raw, feed_slug, str(path))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_ledger(raw: bytes, feed_slug: str, where: str) -> Ledger:
    try:
        data = json.loads(raw)
        episodes = data["episodes"]
        entries = {str(guid): LedgerEntry(str(guid), str(e["slug"]), _text(e.get("title")),
                                          _text(e.get("media")), _text(e.get("published")),
                                          _text(e.get("removed")), _slugs(e.get("was")))
                   for guid, e in episodes.items()}
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise FeedError(f"the published-GUID ledger is damaged ({type(exc).__name__})",
                        where=where,
                        fix="restore it from version control (git checkout -- the file)"
                        ) from None
    return Ledger(feed_slug, entries, _text(data.get("url")))


def _slugs(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def record_publish(site: Site, feed_slug: str, items: Iterable[PublishedItem],
                   when: datetime) -> bool:
    """Record a successful publish of the feed holding `items` (and the URL it was published
    at); True when the file changed."""
    path = ledger_path(site, feed_slug)
    data = load_ledger(site, feed_slug).published(list(items), when,
                                                  site.feed_url(feed_slug)).to_json()
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
        atomic_write(path, data)
    except OSError as exc:
        raise FeedError(f"cannot write the published-GUID ledger: {exc.strerror}",
                        where=str(path), fix="check the folder's permissions and free space, "
                                             "then run publish again") from None
    return True


@dataclass(frozen=True)
class PublishedIndex:
    """What every ledger says, for the build: published GUIDs and the feeds' sizes."""

    guids: Mapping[str, str] = field(default_factory=dict)  # GUID -> slug it was published as
    feeds: Mapping[str, int] = field(default_factory=dict)  # feed -> items at its last publish
    problems: tuple[FeedError, ...] = ()
    was: Mapping[str, str] = field(default_factory=dict)  # an older slug -> its GUID
    urls: Mapping[str, str] = field(default_factory=dict)  # feed -> its URL at its last publish

    @property
    def key(self) -> str:
        """A stable text of what the build depends on (for its incremental keys)."""
        return json.dumps([sorted(self.guids.items()), sorted(self.feeds.items())])


def published_index(site: Site) -> PublishedIndex:
    """Every ledger of the project, read once; a damaged one is reported and skipped."""
    folder = site.cache_dir / LEDGER_DIR
    guids: dict[str, str] = {}
    feeds: dict[str, int] = {}
    was: dict[str, str] = {}
    urls: dict[str, str] = {}
    problems: list[FeedError] = []
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for path in files:
        try:
            ledger = load_ledger(site, path.stem)
        except FeedError as exc:
            problems.append(exc)
            continue
        for guid, entry in ledger.entries.items():
            guids.setdefault(guid, entry.slug)
            was.update(dict.fromkeys(entry.was, guid))
        feeds[path.stem] = len(ledger.live())
        if ledger.url:
            urls[path.stem] = ledger.url
    return PublishedIndex(guids, feeds, tuple(problems), was, urls)
