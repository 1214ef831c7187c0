"""Moves that keep subscribers and links: what the build leaves at an old address.

- **A moved feed** (a feed definition with ``moved_from``): at each old address on this
  site (``<old>/feed.xml``), a copy of the feed as it is now, which carries
  ``itunes:new-feed-url`` (`_render.feedlinks`), and at the old show page an HTML fallback;
  both redirect to the new address.
- **A renamed episode**: its page's older slugs (the ones the build state remembers, and
  the ones the ledger of published GUIDs recorded, so a fresh clone knows them too) and
  the paths its ``redirect_from:`` names (Jekyll's key) get an HTML fallback
  (`_render.redirects`) that redirects to its page.

Every redirect is listed in `_paths.REDIRECTS` (a dotfile of the site, never published);
publish gives each of these objects the ``x-amz-website-redirect-location`` of its new
address, which an S3 website endpoint answers with a 301. A path that the site uses for
something else is never taken over: the live page or feed wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from companion import _paths
from companion._content_types import cache_policy, content_type
from companion._errors import Problem
from companion._lifecycle.ledger import LEDGER_DIR, PublishedIndex
from companion._model import FeedDefinition
from companion._render.i18n import count
from companion._site_model import Identity, OutputFile, Site

#: Where a redirect never goes: what the site keeps under fixed names.
RESERVED = ("media/", "artwork/", "assets/", ".")
_UNSAFE = frozenset('\\"<>`{}|^#?\x7f')
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}")


@dataclass(frozen=True)
class Page:
    """An episode page of this build: its GUID, slug, title, its article's identity."""

    guid: str
    slug: str
    title: str
    identity: Identity | None = None
    source: str = ""


@dataclass
class Redirects:
    """What the build leaves at old addresses, and the older slugs to remember."""

    files: list[OutputFile] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)  # site path -> new URL
    moved: dict[str, str] = field(default_factory=dict)  # older slug -> GUID
    problems: list[Problem] = field(default_factory=list)

    def listing(self) -> OutputFile:
        """`_paths.REDIRECTS`: every redirect of the site, for publish."""
        data = json.dumps({"format": "companion-redirects", "version": 1,
                           "redirects": dict(sorted(self.targets.items()))},
                          ensure_ascii=False, indent=1, sort_keys=True)
        return OutputFile(_paths.REDIRECTS, "application/json", "page",
                          data=(data + "\n").encode("utf-8"))


class Mover:
    """Collects the redirects of one build; `taken` are the paths the site already uses."""

    def __init__(self, site: Site, taken: Iterable[str]) -> None:
        self.site = site
        self.taken = set(taken)
        self.found = Redirects()

    def add(self, path: str, location: str, data: bytes) -> bool:
        if path in self.taken or path.startswith(RESERVED):
            return False
        self.taken.add(path)
        self.found.targets[path] = location
        self.found.files.append(OutputFile(path, content_type(path), cache_policy(path),
                                           data=data))
        return True

    # -- feeds ------------------------------------------------------------------------

    def feeds(self, feeds: Sequence[FeedDefinition],
              read: Callable[[str], bytes | None]) -> None:
        """Each written feed's old addresses on this site: a copy of the feed (it carries
        itunes:new-feed-url) and a fallback of the show page."""
        from companion._render.redirects import redirect_page

        for feed in (f for f in feeds if f.moved_from):
            data = read(_paths.feed_xml(feed.slug))
            for old in feed.moved_from:
                path = self.local_path(old)
                if data is None or path is None:
                    continue
                self.add(path, self.site.feed_url(feed.slug), data)
                page = path.rpartition("/")[0] + "/index.html" if "/" in path else "index.html"
                if path.endswith("/feed.xml") and page != "index.html":
                    self.add(page, self.site.show_url(feed.slug),
                             redirect_page(self.site.show_url(feed.slug), feed.title,
                                           feed.language))

    def local_path(self, old: str) -> str | None:
        """The site path of an old feed address, when it is on this site."""
        if "://" not in old:
            return _paths.feed_xml(old)
        return site_path(old, self.site.base_url)

    # -- episode pages ----------------------------------------------------------------

    def pages(self, pages: Sequence[Page], remembered: Mapping[str, str],
              before: Iterable[tuple[str, str]], index: PublishedIndex) -> None:
        """Each page's older slugs and its redirect_from paths."""
        by_guid = {p.guid: p for p in pages}
        older = dict(remembered)
        older.update(index.was)
        older.update({slug: guid for guid, slug in index.guids.items()})
        older.update({slug: guid for guid, slug in before})
        live = {p.slug for p in pages}
        for slug, guid in sorted(older.items()):
            page = by_guid.get(guid)
            if page is None or slug == page.slug or slug in live:
                continue
            if self.page(_paths.episode_page(slug), page):
                self.found.moved[slug] = guid
        for page in pages:
            for wanted in page.identity.redirect_from if page.identity else ():
                self.redirect_from(wanted, page)

    def page(self, path: str, page: Page) -> bool:
        from companion._render.redirects import redirect_page

        url = self.site.episode_url(page.slug)
        return self.add(path, url, redirect_page(url, page.title, self.site.language))

    def redirect_from(self, wanted: str, page: Page) -> None:
        path = page_path(wanted, self.site.base_url)
        if path is None:
            self.found.problems.append(Problem(
                "warning", page.source, f"redirect_from {wanted!r} is not an address of this "
                "site (an http(s) URL of another host, or not a page path): no redirect is "
                "made for it", "give a path of this site, e.g. /2019/05/old-name/ or "
                "/old-name.html", "redirect_from"))
        elif not self.page(path, page) and path != _paths.episode_page(page.slug):
            self.found.problems.append(Problem(
                "warning", page.source, f"redirect_from {wanted!r}: the site already has "
                f"{path} (another page, a feed or a file it keeps), so it is left as it is",
                "remove it from redirect_from, or rename what is there", "redirect_from"))


# -- feeds that were published and are gone ---------------------------------------------


def vanished_feeds(site: Site, feeds: Sequence[FeedDefinition],
                   index: PublishedIndex) -> list[Problem]:
    """A feed the ledger says was published (with episodes in it) that no feed definition
    publishes at that address any more, and no ``moved_from`` claims: its subscribers get
    nothing new, and nothing tells their apps where the show went."""
    claimed = {old for f in feeds for old in f.moved_from}
    claimed |= {site.feed_url(old) for old in claimed if "://" not in old}
    current = {f.slug for f in feeds}
    found: list[Problem] = []
    for slug, live in sorted(index.feeds.items()):
        url = index.urls.get(slug) or site.feed_url(slug)
        if live == 0 or url in claimed or slug in claimed:
            continue
        if slug not in current:
            found.append(_vanished(site, slug, url, f'moved_from = ["{slug}"]', live))
        elif url != site.feed_url(slug):
            found.append(_vanished(site, slug, url, f'moved_from = ["{url}"]', live))
    return found


def _vanished(site: Site, slug: str, url: str, key: str, live: int) -> Problem:
    where = f"{site.cache}/{LEDGER_DIR}/{slug}.json"
    return Problem("warning", where, f"the feed {url} was published with "
                   f"{count(live, 'episode')} and has disappeared from the site: its "
                   "subscribers get no new episode, and nothing tells their apps where the "
                   "show went",
                   f"add {key} to the feed definition that replaces it (its old address "
                   "then carries itunes:new-feed-url and redirects); if the show has ended, "
                   "leave it", "moved_from")


def site_path(url: str, base_url: str) -> str | None:
    """The site path of an absolute URL on this site (None: another host or prefix)."""
    if not url.startswith(base_url):
        return None
    return _clean(unquote(urlsplit(url[len(base_url) - 1:]).path))


def page_path(wanted: str, base_url: str) -> str | None:
    """The file a redirect_from address is served from: ``/old/`` and ``/old`` ->
    ``old/index.html``, ``/old.html`` as it is; None when it is not a page of this site
    (another host, or a file such as ``/old.php`` that a static site cannot answer)."""
    if "://" in wanted:
        if not wanted.startswith(base_url):
            return None
        wanted = wanted[len(base_url) - 1:]
    wanted = unquote(wanted.split("#", 1)[0].split("?", 1)[0]).strip()
    bare = wanted.strip("/")
    if not bare:
        return None
    suffix = PurePosixPath(bare).suffix
    if wanted.endswith("/") or not _EXTENSION.fullmatch(suffix):
        return _clean(f"{bare}/index.html")
    return _clean(bare) if suffix.lower() in (".html", ".htm") else None


def _clean(path: str) -> str | None:
    """A site path without its leading slash; None when it has `..`, empty or hidden parts
    or characters a URL path cannot carry as they are."""
    path = path.lstrip("/")
    parts = path.split("/")
    if (not path or any(part in ("", ".", "..") or part.startswith(".") for part in parts)
            or any(ch.isspace() or ch in _UNSAFE or ord(ch) < 0x20 for ch in path)):
        return None
    return path
