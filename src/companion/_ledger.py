"""The published-GUID ledger: every GUID ever built into a feed, with its slug and title.

One JSON file per feed, ``<cache>/ledger/<feed-slug>.json``, committed with the
project. The build calls `update_ledger` after writing a feed; `check` compares
the ledger with the feed as it would be built now (see `_rules.ledger_problems`),
so a GUID that changed or an episode that disappeared is noticed before
subscribers get duplicates or lose an episode. Entries are only ever added or
refreshed, never removed; the file is written only when it changes, with sorted
keys, so an unchanged build leaves it byte-identical.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from companion._errors import FeedError
from companion._model import Episode, Site

LEDGER_DIR = "ledger"


@dataclass(frozen=True)
class LedgerEntry:
    guid: str
    slug: str
    title: str


@dataclass(frozen=True)
class Ledger:
    """The GUIDs a feed has published, by GUID."""

    feed: str
    entries: Mapping[str, LedgerEntry] = field(default_factory=dict)

    def by_slug(self) -> dict[str, LedgerEntry]:
        return {e.slug: e for e in self.entries.values()}

    def with_episodes(self, episodes: Iterable[Episode]) -> Ledger:
        entries = dict(self.entries)
        for episode in episodes:
            entries[episode.guid] = LedgerEntry(episode.guid, episode.slug, episode.title)
        return Ledger(self.feed, entries)

    def to_json(self) -> bytes:
        data = {"feed": self.feed, "episodes": {
            guid: {"slug": e.slug, "title": e.title}
            for guid, e in sorted(self.entries.items())}}
        return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def ledger_path(site: Site, feed_slug: str) -> Path:
    return site.cache_dir / LEDGER_DIR / f"{feed_slug}.json"


def load_ledger(site: Site, feed_slug: str) -> Ledger:
    """The feed's ledger; an empty one when the feed was never built."""
    path = ledger_path(site, feed_slug)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Ledger(feed_slug)
    return parse_ledger(raw, feed_slug, str(path))


def parse_ledger(raw: bytes, feed_slug: str, where: str) -> Ledger:
    try:
        data = json.loads(raw)
        episodes = data["episodes"]
        entries = {str(guid): LedgerEntry(str(guid), str(e["slug"]), str(e.get("title", "")))
                   for guid, e in episodes.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FeedError(f"the published-GUID ledger is damaged ({exc})", where=where,
                        fix="restore it from version control (git checkout -- the file)"
                        ) from None
    return Ledger(feed_slug, entries)


def update_ledger(site: Site, feed_slug: str, episodes: Iterable[Episode]) -> bool:
    """Record the GUIDs just built into the feed; True when the file changed."""
    path = ledger_path(site, feed_slug)
    old = load_ledger(site, feed_slug)
    data = old.with_episodes(episodes).to_json()
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True
