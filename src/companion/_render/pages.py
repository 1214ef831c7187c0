"""Landing pages: an episode page, an index per feed, the site index, sitemap and robots.

Templates come from the project's `templates/` first, then the bundled `theme/`
(so a project overrides one file, e.g. `partials/footer.html`, and keeps the
rest). Everything is autoescaped; the only raw HTML is the sanitized show notes
and the JSON-LD, which is escaped for a `<script>` element. Links between the
site's own pages are relative, so the site works at the root of a host and
under a prefix; canonical, feed and Open Graph URLs are absolute.

Interface words are gettext messages (`jinja2.ext.i18n`, the catalogs of `i18n`),
installed for each page's language before it renders; where a language has no
catalog the words are English and say so (`lang="en"` on what carries them).
Nothing on a page loads from another host before the listener acts: YouTube and
Spotify are facades (`page_parts`). The stylesheet and the player script are
linked with a hash of their bytes (``style.css?v=...``), so a browser never keeps
an old one after a change.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, NamedTuple

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup

from companion import _paths
from companion._errors import RenderError
from companion._model import Episode, FeedDefinition, Link
from companion._render import page_parts as parts
from companion._render.i18n import (
    direction,
    format_date,
    has_catalog,
    localize_digits,
    primary,
    t,
    tn,
    translations,
    ui_language,
)
from companion._render.shownotes import ShowNotes, link_text, summary_html, timestamp
from companion._render.social import (
    associated_media,
    index_og,
    index_twitter,
    iso_duration,
    og,
    safe_url,
    short,
    twitter,
)
from companion._site_model import Neighbour, PlacedImage, RenderEpisode, Show, Sister, Site
from companion._text import NOT_XML

THEME_DIR = _paths.THEME_DIR
_NEIGHBOURS = "partials/neighbours.html"
_TEMPLATES = ("episode.html", "feed_index.html", "site_index.html", "embed.html", _NEIGHBOURS)
# Where the theme marks the neighbours on an episode's page, so a build can put in new ones
# without rendering the page again (`relink`).
_NEIGHBOURS_BLOCK = re.compile(
    rb"<!--companion:neighbours ([A-Za-z0-9-]{1,35})-->\n.*?<!--/companion:neighbours-->\n",
    re.S)
# The mark of a page's sister-language editions (a digest of their languages and pages): a
# page whose editions changed is rendered again, not patched.
_EDITIONS_MARK = re.compile(rb"<!--companion:editions [0-9a-f]{16}-->")


@dataclass(frozen=True)
class _Nav:
    label: str
    href: str


@dataclass(frozen=True)
class _Url:
    label: str
    url: str


class PageRenderer:
    """Renders the site's HTML pages and side files; templates are compiled once."""

    def __init__(self, site: Site, bytecode_cache: BytecodeCache | None = None) -> None:
        """`bytecode_cache` (the build's) keeps the compiled templates between runs."""
        self.site = site
        self._loader = ChoiceLoader([FileSystemLoader(site.templates_dir),
                                     FileSystemLoader(THEME_DIR)])
        self._env = Environment(
            loader=self._loader,
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=bytecode_cache,
            extensions=["jinja2.ext.i18n"],
        )
        self._env.filters["digits"] = _digits
        self._templates = {name: self._load(name) for name in _TEMPLATES}
        self._assets = {"style": _versioned(_paths.STYLESHEET, self.stylesheet()),
                        "player": _versioned(_paths.PLAYER_SCRIPT, self.player_script())}

    def _load(self, name: str) -> Template:
        try:
            return self._env.get_template(name)
        except TemplateError as exc:
            raise RenderError(f"template {name} does not compile: {exc}",
                              where=str(self.site.templates_dir / name),
                              fix="correct the template, or delete it to use the bundled one",
                              ) from None

    def _render(self, name: str, context: dict[str, Any]) -> bytes:
        return self._text(name, context).encode("utf-8")

    def _text(self, name: str, context: dict[str, Any]) -> str:
        """A template rendered with the words of `context["lang"]` (one page at a time: the
        translations are installed in the environment)."""
        i18n: Any = self._env  # the i18n extension adds the method at run time
        i18n.install_gettext_translations(translations(context["lang"]).catalog, newstyle=True)
        try:
            text = self._templates[name].render(context)
        except TemplateError as exc:
            raise RenderError(f"template {name} failed: {exc}",
                              where=str(self.site.templates_dir / name),
                              fix="use only the variables the bundled template uses",
                              ) from None
        # Control characters from untrusted text (a YouTube description, a feed title) are
        # not allowed in HTML: drop them, whatever the template did with the text.
        return NOT_XML.sub("", text)

    def _relative(self, url: str | None, root: str) -> str | None:
        """A URL inside the site, made relative to the page (so previews and prefixes work);
        None for anything that is not http(s) or relative."""
        if url and url.startswith(self.site.base_url):
            return root + url[len(self.site.base_url):]
        return safe_url(url)

    def _base(self, path: str, lang: str, canonical: str) -> dict[str, Any]:
        return {
            "site": self.site, "lang": lang, "dir": direction(lang), "t": partial(t, lang),
            "ui": ui_attribute(lang), "root": "../" * path.count("/"), "canonical": canonical,
            "alternates": [], "og": [], "twitter": [], "jsonld": "", "nav": [],
            "subscribe": [], "description": "", "robots": "", "preview": "",
            "assets": self._assets, "icons": [], "subscribe_shows": [],
            "editions": [], "editions_mark": "", "people": [], "embed": None,
        }

    def _relative_to(self, root: str) -> parts.Relative:
        return partial(self._relative, root=root)

    # -- episode page --------------------------------------------------------------------

    def episode(self, rep: RenderEpisode, notes: ShowNotes) -> bytes:
        """The landing page of an episode, at `_paths.episode_page(slug)`. A draft or
        scheduled episode in a preview (``--drafts``, ``--future``) says so and asks search
        engines to stay away."""
        episode = rep.episode
        lang = notes.lang
        path = _paths.episode_page(episode.slug)
        context = self._base(path, lang, rep.page_url)
        context["dir"] = notes.direction
        root = context["root"]
        context.update(self._episode_body(rep, notes, root))
        context.update(self._episode_head(rep, notes))
        context["nav"] = [_Nav(show.title, f"{root}{_paths.feed_index(show.slug)}")
                          for show in rep.shows]
        context["subscribe"] = [_Url(f"{t(lang, 'RSS feed')}: {show.title}", show.feed_url)
                                for show in rep.shows]
        context["subscribe_shows"] = [parts.show_links(show, safe_url, len(rep.shows) > 1)
                                      for show in rep.shows]
        context["icons"] = parts.icons(rep.shows[0] if rep.shows else None,
                                       self._relative_to(root))
        context["neighbours"] = self._neighbours(lang, rep.neighbours, root)
        context["preview"] = _preview(rep.mark, episode, lang)
        context["robots"] = "noindex" if context["preview"] else ""
        context["editions"] = parts.editions((episode.article.lang, episode.slug), rep.sisters,
                                             self.site, root)
        context["editions_mark"] = Markup(_editions_mark(rep.sisters))  # noqa: S704 (a digest)
        if context["audio"]:
            context["embed"] = parts.embed_code(
                self.site.url(_paths.episode_embed(episode.slug)).removesuffix("index.html"),
                episode.title)
        return self._render("episode.html", context)

    def embed(self, rep: RenderEpisode, notes: ShowNotes) -> bytes | None:
        """The episode's player alone (no site chrome, nothing of another host), at
        `_paths.episode_embed(slug)`, for other sites to frame; None without audio."""
        path = _paths.episode_embed(rep.episode.slug)
        context = self._base(path, notes.lang, rep.page_url)
        context["dir"] = notes.direction
        context.update(self._player_body(rep, notes, context["root"]))
        if not context["audio"]:
            return None
        context["page_title"] = f"{rep.episode.title} · {self.site.title}"
        context["robots"] = "noindex"
        return self._render("embed.html", context)

    def _player_body(self, rep: RenderEpisode, notes: ShowNotes,
                     root: str) -> dict[str, Any]:
        """What the player needs (the embed page is it alone): the episode's title and
        show, the audio, the speeds, the chapters."""
        lang = notes.lang
        first = rep.shows[0] if rep.shows else None
        return {
            "title": rep.episode.title,
            "show": {"title": first.title, "href": f"{root}{_paths.feed_index(first.slug)}"}
            if first else None,
            "audio": self._player(rep, root, lang),
            "speeds": parts.speeds(lang),
            "chapters": [_seek_item(c.start, c.title, lang) for c in notes.chapters],
        }

    def _episode_body(self, rep: RenderEpisode, notes: ShowNotes,
                      root: str) -> dict[str, Any]:
        episode, lang = rep.episode, notes.lang
        relative = self._relative_to(root)
        youtube_id = episode.youtube.id if episode.youtube else episode.article.youtube_id
        spotify_id = episode.spotify.id if episode.spotify else episode.article.spotify_id
        first = rep.shows[0] if rep.shows else None
        return {
            **self._player_body(rep, notes, root),
            "facts": parts.facts(episode, lang),
            "picture": parts.picture(rep.picture, relative),
            "summary_html": Markup(summary_html(notes)),  # noqa: S704 (sanitized by nh3)
            "youtube": parts.youtube_facade(youtube_id, rep.video_picture, relative)
            if youtube_id else None,
            "spotify": parts.spotify_facade(spotify_id, first.thumb if first else None,
                                            relative) if spotify_id else None,
            "sources": [_source(s) for s in notes.sources if safe_url(s.url)],
            "cues": [_cue(cue.start, cue.end, cue.text, lang) for cue in rep.cues],
            "transcript_files": parts.transcript_files(rep.transcripts, lang, relative),
            "homes": [h for h in notes.homes if h.kind not in ("page", "feed")
                      and safe_url(h.url)],
            "people": parts.people(episode.article.people or (first.people if first else ()),
                                   lang, relative),
        }

    def _player(self, rep: RenderEpisode, root: str, lang: str) -> dict[str, Any] | None:
        media = rep.player
        url = self._relative(media.url, root) if media else None
        if media is None or url is None:
            return None
        square = rep.image or (rep.shows[0].thumb if rep.shows else None)
        art = self._relative(square.url, root) if square else None
        found = parts.player(media, url, art, lang)
        video = rep.page_video
        video_url = self._relative(video.url, root) if video else None
        found["video"] = parts.download(video, video_url, lang) if video and video_url else None
        return found

    def _neighbours(self, lang: str, neighbours: Sequence[Neighbour], root: str) -> Markup:
        """The older and newer episodes, between the marks `relink` finds."""
        items = [{"rel": n.rel, "title": n.title, "href": f"{root}{_paths.episode_page(n.slug)}"}
                 for n in neighbours]
        html = self._text(_NEIGHBOURS, {"lang": lang, "ui": ui_attribute(lang),
                                        "neighbours": items})
        return Markup(f"<!--companion:neighbours {lang}-->\n"  # noqa: S704 (rendered above)
                      f"{html}<!--/companion:neighbours-->\n")

    def relink(self, page: bytes, neighbours: Sequence[Neighbour],
               sisters: Sequence[Sister] = ()) -> bytes | None:
        """An episode's page with other neighbours: the block between the theme's marks
        rendered again; None when the page has no such block (a project's own template) or
        its sister-language editions are not `sisters` (it is rendered again)."""
        found = _NEIGHBOURS_BLOCK.search(page)
        marked = _EDITIONS_MARK.search(page)
        if found is None or (marked.group(0).decode("ascii") if marked else "") != \
                _editions_mark(sisters):
            return None
        lang = found.group(1).decode("ascii")
        root = "../" * _paths.episode_page("x").count("/")
        block = str(self._neighbours(lang, neighbours, root)).encode("utf-8")
        return page[:found.start()] + block + page[found.end():]

    def _episode_head(self, rep: RenderEpisode, notes: ShowNotes) -> dict[str, Any]:
        episode = rep.episode
        youtube_id = episode.youtube.id if episode.youtube else episode.article.youtube_id
        description = short(notes.summary)
        image = rep.image if rep.image and safe_url(rep.image.url) else None
        return {
            "page_title": f"{episode.title} · {self.site.title}",
            "description": description,
            "alternates": [{"title": show.title, "url": show.feed_url} for show in rep.shows],
            "og": og(episode, description, rep.page_url, rep.player, image, youtube_id,
                      self.site.title),
            "twitter": twitter(episode, description, image, youtube_id),
            "jsonld": json_ld(self._episode_ld(rep, notes, image)),
        }

    def _episode_ld(self, rep: RenderEpisode, notes: ShowNotes,
                    image: PlacedImage | None) -> dict[str, Any]:
        episode = rep.episode
        article = episode.article
        canonical = rep.page_url
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "PodcastEpisode", "@id": canonical,
            "url": canonical, "name": episode.title, "description": notes.summary,
            "inLanguage": notes.lang,
        }
        if article.date:
            data["datePublished"] = article.date.isoformat()
        if article.episode is not None:
            data["episodeNumber"] = article.episode
        if article.author:
            data["author"] = {"@type": "Person", "name": article.author}
        if image:
            data["image"] = image.url
        seconds = parts.seconds_of(episode)
        if seconds:
            data["duration"] = iso_duration(seconds)
        data["associatedMedia"] = associated_media(episode, rep.player, image, seconds)
        data["partOfSeries"] = [self._series_ref(show) for show in rep.shows]
        data["sameAs"] = [h.url for h in notes.homes if h.kind in ("youtube", "spotify")]
        return {k: v for k, v in data.items() if v not in ([], None, "")}

    def _series_ref(self, show: Show) -> dict[str, Any]:
        return {"@type": "PodcastSeries", "name": show.title, "url": show.page_url,
                "webFeed": show.feed_url}

    # -- feed index ----------------------------------------------------------------------

    def feed_index(self, show: Show, episodes: Sequence[Episode]) -> bytes:
        """The page of one show: where to subscribe, and its episodes, newest first."""
        lang = show.definition.language
        return self.show_page(show, [listing(e, lang) for e in newest_first(episodes)])

    def show_page(self, show: Show, listed: Sequence[Listing]) -> bytes:
        """`feed_index` from the episodes' lines (`listing`), in the order given."""
        feed = show.definition
        path = _paths.feed_index(feed.slug)
        canonical = show.page_url
        context = self._base(path, feed.language, canonical)
        root = context["root"]
        image_url = show.artwork.url if show.artwork else None
        square = show.thumb or show.artwork
        context.update({
            "page_title": f"{feed.title} · {self.site.title}" if feed.title != self.site.title
            else feed.title,
            "title": feed.title, "show_description": feed.description,
            "description": short(feed.description),
            "picture": parts.picture([square] if square else [], self._relative_to(root)),
            "subscribe": _subscribe_links(feed, show.feed_url),
            "subscribe_shows": [parts.show_links(show, safe_url, False)],
            "icons": parts.icons(show, self._relative_to(root)),
            "alternates": [{"title": feed.title, "url": show.feed_url}],
            "items": [_episode_item(line, root) for line in listed],
            "nav": [_Nav(t(feed.language, "Home"), f"{root}{_paths.SITE_INDEX}"),
                    _Nav(feed.title, f"{root}{_paths.feed_index(feed.slug)}")],
            "og": index_og(feed.title, feed.description, canonical, image_url,
                            self.site.title),
            "twitter": index_twitter(feed.title, feed.description, image_url),
            "jsonld": json_ld(self._series_ld(feed, canonical, show.feed_url, image_url)),
            "editions": parts.show_editions(show, self.site, root),
            "people": parts.people(show.people, feed.language, self._relative_to(root)),
        })
        return self._render("feed_index.html", context)

    def _series_ld(self, feed: FeedDefinition, canonical: str, feed_url: str,
                   image_url: str | None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "PodcastSeries", "@id": canonical,
            "url": canonical, "name": feed.title, "description": feed.description,
            "inLanguage": feed.language, "webFeed": feed_url,
            "author": {"@type": "Person", "name": feed.author},
            "associatedMedia": {"@type": "MediaObject", "contentUrl": feed_url,
                                "encodingFormat": "application/rss+xml"},
        }
        if image_url:
            data["image"] = image_url
        same_as = [u for u in (feed.apple_podcasts_url, feed.spotify_show_url) if u]
        if same_as:
            data["sameAs"] = same_as
        return data

    # -- site index, sitemap, robots, stylesheet -------------------------------------------

    def site_index(self, shows: Sequence[tuple[Show, int]]) -> bytes:
        """The home page: every show with its number of episodes."""
        lang = self.site.language
        context = self._base(_paths.SITE_INDEX, lang, self.site.home_url())
        context.update({
            "icons": parts.icons(home_show([show for show, _count in shows], lang),
                                 self._relative_to("")),
            "page_title": self.site.title, "title": self.site.title,
            "show_description": self.site.description,
            "description": short(self.site.description),
            "shows": [self._show_item(show, count) for show, count in shows],
            "nav": [_Nav(show.title, _paths.feed_index(show.slug)) for show, _count in shows],
            "alternates": [{"title": show.title, "url": show.feed_url}
                           for show, _count in shows],
            "og": index_og(self.site.title, self.site.description, self.site.home_url(),
                            None, self.site.title),
            "twitter": index_twitter(self.site.title, self.site.description, None),
            "jsonld": json_ld(self._site_ld(shows)),
        })
        return self._render("site_index.html", context)

    def _site_ld(self, shows: Sequence[tuple[Show, int]]) -> dict[str, Any]:
        base = self.site.home_url()
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "WebSite", "@id": base, "url": base,
            "name": self.site.title, "inLanguage": self.site.language,
        }
        if self.site.description:
            data["description"] = self.site.description
        data["hasPart"] = [self._series_ref(show) for show, _count in shows]
        return data

    def _show_item(self, show: Show, count: int) -> dict[str, Any]:
        feed = show.definition
        lang = feed.language
        thumb = show.thumb
        url = self._relative(thumb.url, "") if thumb else None
        return {
            "title": feed.title, "description": feed.description,
            "count": tn(ui_language(lang), "%(num)s episode", "%(num)s episodes", count),
            "href": _paths.feed_index(feed.slug), "lang": lang, "ui": ui_attribute(lang),
            "dir": direction(lang), "feed_url": show.feed_url, "t_rss": t(lang, "RSS feed"),
            "thumb": {"url": url, "width": thumb.size[0], "height": thumb.size[1]}
            if thumb and thumb.size and url else None,
        }

    def sitemap(self, urls: Sequence[tuple[str, date | None]]) -> bytes:
        """sitemap.xml for the given absolute URLs and their last change."""
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for url, changed in urls:
            lastmod = f"<lastmod>{_day(changed).isoformat()}</lastmod>" if changed else ""
            # &, < and > (xml.sax.saxutils.escape's; importing it imports urllib.request)
            lines.append(f"<url><loc>{html.escape(url, quote=False)}</loc>{lastmod}</url>")
        lines.append("</urlset>")
        return ("\n".join(lines) + "\n").encode("utf-8")

    def robots(self) -> bytes:
        """robots.txt: everything may be crawled; where the sitemap is."""
        text = f"User-agent: *\nAllow: /\n\nSitemap: {self.site.file_url(_paths.SITEMAP)}\n"
        return text.encode("utf-8")

    def stylesheet(self) -> bytes:
        """The stylesheet: the project's `templates/assets/style.css`, else the theme's."""
        return self._asset("assets/style.css").encode("utf-8")

    def player_script(self) -> bytes:
        """The player: the project's `templates/assets/player.js`, else the theme's,
        minified (rjsmin)."""
        from rjsmin import jsmin

        return (str(jsmin(self._asset("assets/player.js"))).strip() + "\n").encode("utf-8")

    def _asset(self, name: str) -> str:
        source, _filename, _uptodate = self._loader.get_source(self._env, name)
        return source


# -- helpers ------------------------------------------------------------------------------


def _source(link: Link) -> dict[str, str]:
    text = link_text(link)
    domain = "" if text.startswith(link.domain) else link.domain
    return {"url": link.url, "text": text, "domain": domain}


def newest_first(episodes: Sequence[Episode]) -> list[Episode]:
    """Episodes by date, newest first; undated ones last, then by slug."""
    dated = sorted((e for e in episodes if e.article.date), key=lambda e: e.slug)
    dated.sort(key=lambda e: e.article.date or datetime.min, reverse=True)
    undated = sorted((e for e in episodes if not e.article.date), key=lambda e: e.slug)
    return [*dated, *undated]


def ui_attribute(lang: str) -> Markup:
    """` lang="en" dir="ltr"` for what carries interface words on a page whose language has
    no catalog (they are English there); nothing otherwise."""
    if has_catalog(lang) or primary(lang) == "en":
        return Markup("")
    return Markup(' lang="en" dir="ltr"')


def home_show(shows: Sequence[Show], lang: str) -> Show | None:
    """The show that stands for the site (its icon): the first in the site's language, else
    the first."""
    same = [show for show in shows if primary(show.definition.language) == primary(lang)]
    chosen = same or list(shows)
    return chosen[0] if chosen else None


def _versioned(path: str, data: bytes) -> str:
    """A site path with a hash of its bytes as a query, so browsers never keep an old copy."""
    return f"{path}?v={hashlib.sha256(data).hexdigest()[:10]}"


def _preview(mark: str, episode: Episode, lang: str) -> str:
    """The banner of a preview page: a draft, or scheduled for a date."""
    lang = ui_language(lang)
    if mark == "draft":
        return t(lang, "Draft: not published")
    if mark == "scheduled":
        when = episode.article.date
        if when is None:
            return t(lang, "Scheduled: not published yet")
        return t(lang, "Scheduled: not published before %(date)s") % {
            "date": format_date(when, lang)}
    return ""


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _seek_item(start: float, text: str, lang: str) -> dict[str, str]:
    """A chapter or a transcript line: where it starts (in the interface's digits)."""
    return {"seconds": f"{max(start, 0.0):g}",
            "stamp": localize_digits(timestamp(start), ui_language(lang)), "title": text,
            "text": text}


def _cue(start: float, end: float, text: str, lang: str) -> dict[str, str]:
    return {**_seek_item(start, text, lang), "end": f"{max(end, start, 0.0):g}"}


def _subscribe_links(feed: FeedDefinition, feed_url: str) -> list[_Url]:
    """The footer's links of earlier themes (`subscribe`, kept for projects' templates)."""
    links = [_Url(t(feed.language, "RSS feed"), feed_url)]
    if safe_url(feed.apple_podcasts_url):
        links.append(_Url("Apple Podcasts", str(feed.apple_podcasts_url)))
    if safe_url(feed.spotify_show_url):
        links.append(_Url("Spotify", str(feed.spotify_show_url)))
    return links


class Listing(NamedTuple):
    """An episode's line on its show's page, made when the episode is rendered (kept by
    the build with its feed item, so a show's page needs no other episode decoded)."""

    title: str
    slug: str
    facts: tuple[dict[str, str], ...]
    description: str


def listing(episode: Episode, lang: str) -> Listing:
    """The episode's `Listing` on the page of a show in `lang`."""
    return Listing(episode.title, episode.slug, tuple(parts.item_facts(episode, lang)),
                   short(episode.article.description or ""))


def _episode_item(line: Listing, root: str) -> dict[str, Any]:
    return {"title": line.title, "href": f"{root}{_paths.episode_page(line.slug)}",
            "facts": list(line.facts), "description": line.description}


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` escaped."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))  # noqa: S704


@pass_context
def _digits(context: Context, text: str) -> str:
    """The `digits` filter: `text` in the digits of the page's interface language."""
    return localize_digits(text, ui_language(str(context["lang"])))


def _editions_mark(sisters: Sequence[Sister]) -> str:
    """The page's mark of its sister-language editions ("" when it has none)."""
    if not sisters:
        return ""
    key = "\n".join(f"{s.lang} {s.slug}" for s in sisters)
    return f"<!--companion:editions {hashlib.sha256(key.encode()).hexdigest()[:16]}-->"
