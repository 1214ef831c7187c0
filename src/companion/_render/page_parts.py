"""The parts of an episode's page a listener uses, as plain data for the templates.

The facts under the title (date, length, season, episode, hosts), the picture, the
player's settings, the click-to-load facades of YouTube and Spotify (nothing of
theirs loads before a click: our own copy of the picture, a plain link without
JavaScript), the transcript's files, and the subscribe buttons of a show. Words
come from the catalogs (`i18n.t`), dates, numbers and durations from CLDR.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote

from companion import _paths
from companion._model import Article, Credit, Episode, FeedDefinition
from companion._render.i18n import (
    direction,
    format_date,
    format_duration,
    format_number,
    iso_duration,
    language_name,
    localize_digits,
    primary,
    t,
    tn,
    ui_language,
)
from companion._site_model import (
    PlacedImage,
    PlacedMedia,
    PlacedTranscript,
    Show,
    Sister,
    Site,
)

Relative = Callable[[str | None], str | None]  # a URL made relative to the page (None: unsafe)

SPEEDS = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
MEDIA_FORMATS = {"audio/mpeg": "MP3", "audio/mp4": "M4A", "audio/ogg": "Ogg", "audio/aac": "AAC",
                 "video/mp4": "MP4"}
TRANSCRIPT_FORMATS = {"vtt": "WebVTT", "srt": "SRT"}


@dataclass(frozen=True)
class App:
    """A subscribe button: the app's name (a brand: never translated) and its link."""

    label: str
    url: str


# -- facts under the title ------------------------------------------------------------------


def seconds_of(episode: Episode) -> float | None:
    if episode.audio:
        return episode.audio.duration
    return episode.youtube.duration if episode.youtube else None


def facts(episode: Episode, lang: str) -> list[dict[str, Any]]:
    """Label and values of each fact, in `lang`'s interface language (labels, dates and
    numbers alike); a date also as ISO (for `<time>`)."""
    lang = ui_language(lang)
    article = episode.article
    found: list[dict[str, Any]] = []
    if article.date is not None:
        found.append({"label": t(lang, "Published"), "values": [format_date(article.date, lang)],
                      "iso": article.date.date().isoformat()})
    seconds = seconds_of(episode)
    if seconds:
        # Translators: how long the episode is (its audio, or its video)
        found.append({"label": t(lang, "Length"), "values": [format_duration(seconds, lang)],
                      "iso": iso_duration(seconds)})
    if article.season is not None:
        found.append(_fact(t(lang, "Season"), format_number(article.season, lang)))
    if article.episode is not None:
        found.append(_fact(t(lang, "Episode"), format_number(article.episode, lang)))
    hosts = hosts_of(article)
    if hosts:
        # Translators: who presents the episode (a label before one or more names)
        found.append(_fact(tn(lang, "Host", "Hosts", len(hosts)), *hosts))
    return found


def _fact(label: str, *values: str) -> dict[str, Any]:
    return {"label": label, "values": list(values), "iso": ""}


def hosts_of(article: Article) -> list[str]:
    """Who presents the episode: its `author` (the feed's ``podcast:person`` too)."""
    return [article.author] if article.author else []


def item_facts(episode: Episode, lang: str) -> list[dict[str, str]]:
    """The short line under an episode in a show's list: its date, its length, its number."""
    lang = ui_language(lang)
    article = episode.article
    found: list[dict[str, str]] = []
    if article.date is not None:
        found.append({"text": format_date(article.date, lang),
                      "iso": article.date.date().isoformat()})
    seconds = seconds_of(episode)
    if seconds:
        found.append({"text": format_duration(seconds, lang), "iso": iso_duration(seconds)})
    if article.episode is not None:
        number = format_number(article.episode, lang)
        # Translators: the episode's number in its show, e.g. "Episode 4"
        found.append({"text": t(lang, "Episode %(num)s") % {"num": number}, "iso": ""})
    return found


# -- the picture and the player ---------------------------------------------------------------


def picture(images: Sequence[PlacedImage], relative: Relative) -> dict[str, Any] | None:
    """An `<img>` with a copy per width (`srcset`), narrowest as its `src`."""
    usable = [(url, image) for image in images if (url := relative(image.url))]
    if not usable:
        return None
    width, height = usable[-1][1].size or (None, None)
    srcset = ", ".join(f"{url} {image.size[0]}w" for url, image in usable if image.size)
    return {"src": usable[0][0], "srcset": srcset if len(usable) > 1 else "",
            "width": width, "height": height, "square": width is not None and width == height}


def clock(seconds: float) -> str:
    """`M:SS`, or `H:MM:SS` from an hour on: what the player shows."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def player(media: PlacedMedia, url: str, art: str | None, lang: str) -> dict[str, Any]:
    """What the player needs: the audio, its length (shown before it plays), a word on its
    format and size, the square artwork for the lock screen."""
    ui = ui_language(lang)
    return {"url": url, "type": media.type, "seconds": f"{media.duration:.3f}",
            "clock": localize_digits(clock(media.duration), ui), "about": about(media, lang),
            "art": art, "digits": localize_digits("0123456789", ui).strip("0123456789"),
            "back": localize_digits("15", ui), "forward": localize_digits("30", ui),
            "clock0": localize_digits("0:00", ui)}


def download(media: PlacedMedia, url: str, lang: str) -> dict[str, str]:
    """A file the page offers beside the player (the episode's MP4): its link, type, and a
    word on its format and size."""
    return {"url": url, "type": media.type, "about": about(media, lang)}


def about(media: PlacedMedia, lang: str) -> str:
    """"MP3, 0.2 MB": the format and size of a media file, in the page's language."""
    lang = ui_language(lang)
    kind = MEDIA_FORMATS.get(media.type, "")
    size = f"{format_number(round(media.size / 1_000_000, 1), lang)} MB" if media.size else ""
    return ", ".join(x for x in (kind, size) if x)


def speeds(lang: str) -> list[dict[str, str]]:
    lang = ui_language(lang)
    return [{"value": f"{rate:g}", "label": f"{format_number(rate, lang)}×"} for rate in SPEEDS]


# -- facades: YouTube and Spotify load on a click, never before ------------------------------


def youtube_facade(video_id: str, images: Sequence[PlacedImage],
                   relative: Relative) -> dict[str, Any]:
    return {"url": f"https://www.youtube.com/watch?v={quote(video_id)}",
            "embed": f"https://www.youtube-nocookie.com/embed/{quote(video_id)}?autoplay=1",
            "picture": picture(images, relative)}


def spotify_facade(episode_id: str, art: PlacedImage | None,
                   relative: Relative) -> dict[str, Any]:
    url = relative(art.url) if art is not None else None
    size = art.size if art is not None and art.size else (None, None)
    return {"url": f"https://open.spotify.com/episode/{quote(episode_id)}",
            "embed": f"https://open.spotify.com/embed/episode/{quote(episode_id)}",
            "art": {"url": url, "width": size[0], "height": size[1]} if url else None}


# -- transcripts --------------------------------------------------------------------------------


def transcript_files(placed: Sequence[PlacedTranscript], lang: str,
                     relative: Relative) -> list[dict[str, Any]]:
    """The transcript's files by language ("WebVTT", "SRT"); a language is named only when it
    is not the page's or there are several."""
    groups: dict[str, list[dict[str, str]]] = {}
    for transcript in placed:
        url = relative(transcript.url)
        if url:
            groups.setdefault(transcript.lang, []).append(
                {"label": TRANSCRIPT_FORMATS.get(transcript.kind, transcript.kind.upper()),
                 "url": url, "type": transcript.type})
    alone = len(groups) == 1
    return [{"language": "" if alone and primary(code) == primary(lang)
             else _capitalized(language_name(code, ui_language(lang))), "files": files}
            for code, files in groups.items()]


def _capitalized(name: str) -> str:
    """A language's name starting a label: its first letter upper case, where the script
    has cases (Georgian is written in Mkhedruli alone: "ქართული", never "Ქართული")."""
    first = name[:1]
    if "\u10d0" <= first <= "\u10ff":
        return name
    return first.upper() + name[1:]


# -- subscribe ----------------------------------------------------------------------------------


def subscribe_apps(feed: FeedDefinition, feed_url: str) -> list[App]:
    """The listening apps' buttons, plain links (no script of theirs). Apps that subscribe
    from a feed URL get a link made from it (Pocket Casts, Overcast, AntennaPod, Podcast
    Addict); the others (Apple Podcasts, Spotify, YouTube, Castbox) the show's own page
    there, when the feed definition gives it."""
    encoded = quote(feed_url, safe="")
    bare = feed_url.split("://", 1)[-1]
    made = {
        "Pocket Casts": f"pktc://subscribe/{quote(bare, safe='/:')}",
        "Overcast": f"overcast://x-callback-url/add?url={encoded}",
        "AntennaPod": f"https://antennapod.org/deeplink/subscribe?url={encoded}"
                      f"&title={quote(feed.title, safe='')}",
        "Podcast Addict": f"https://podcastaddict.com/feed/{encoded}",
    }
    given = {"Apple Podcasts": feed.apple_podcasts_url, "Spotify": feed.spotify_show_url,
             "YouTube": feed.youtube_url, "Castbox": feed.castbox_url}
    order = ("Apple Podcasts", "Spotify", "YouTube", "Pocket Casts", "Overcast", "AntennaPod",
             "Podcast Addict", "Castbox")
    links = {**made, **{name: url for name, url in given.items() if url}}
    return [App(name, links[name]) for name in order if name in links]


def show_links(show: Show, safe: Callable[[str | None], str | None],
               named: bool) -> dict[str, Any]:
    """A show's subscribe block: its apps, "copy the RSS link", its funding links."""
    feed = show.definition
    return {"slug": show.slug, "title": show.title, "named": named, "feed_url": show.feed_url,
            "apps": [app for app in subscribe_apps(feed, show.feed_url) if _app_url_ok(app, safe)],
            "funding": [{"url": f.url, "text": f.text} for f in feed.funding if safe(f.url)]}


def _app_url_ok(app: App, safe: Callable[[str | None], str | None]) -> bool:
    """Our own deep links are known good; a configured URL must be http(s)."""
    return app.url.startswith(("pktc://", "overcast://")) or safe(app.url) is not None


def icons(show: Show | None, relative: Relative) -> list[dict[str, str]]:
    """`<link>`s of the favicon (32 px) and the home-screen icon (180 px)."""
    found: list[dict[str, str]] = []
    for image in show.icons if show is not None else ():
        url = relative(image.url)
        if not url or image.size is None or not url.endswith(".png"):
            continue
        rel = "apple-touch-icon" if image.size[0] >= 120 else "icon"
        found.append({"rel": rel, "url": url, "sizes": f"{image.size[0]}x{image.size[1]}",
                      "type": "image/png" if rel == "icon" else ""})
    return found


# -- the story in other languages, its people, the player elsewhere ----------------------------


def editions(own: tuple[str, str], sisters: Sequence[Sister], site: Site, root: str,
             ) -> list[dict[str, Any]]:
    """The page and its sister-language editions, by language: each with its absolute URL
    (`hreflang` alternates), its path from the page (the header's switcher), the language's
    own name for itself, and, for `x-default`, the edition in the site's language (else the
    first). Empty when the story has no other edition."""
    pages = [(s.lang, site.episode_url(s.slug), f"{root}{_paths.episode_page(s.slug)}")
             for s in sisters]
    own_lang, own_slug = own
    return _editions((own_lang, site.episode_url(own_slug),
                      f"{root}{_paths.episode_page(own_slug)}"), pages, site)


def show_editions(show: Show, site: Site, root: str) -> list[dict[str, Any]]:
    """A show's sister-language editions: the shows of its podroll (by default every other
    show of the project) in other languages and of its medium, one per language."""
    feed = show.definition
    pages = [(e.language, site.show_url(e.slug), f"{root}{_paths.feed_index(e.slug)}")
             for e in feed.podroll if e.language and e.medium == feed.medium]
    return _editions((feed.language, site.show_url(feed.slug),
                      f"{root}{_paths.feed_index(feed.slug)}"), pages, site)


def _editions(own: tuple[str, str, str], others: Sequence[tuple[str, str, str]],
              site: Site) -> list[dict[str, Any]]:
    """(language, URL, path from the page) of a page and its editions, as `editions` says."""
    langs = {own[0].lower(): own}  # one edition per language (`check` warns of two)
    for other in others:
        langs.setdefault(other[0].lower(), other)
    if len(langs) < 2:
        return []
    found = sorted(langs.values())
    default = next((url for lang, url, _href in found
                    if primary(lang) == primary(site.language)), found[0][1])
    return [{"lang": lang, "url": url, "href": href,
             "name": _capitalized(language_name(lang, lang)), "dir": direction(lang),
             "current": url == own[1], "default": default}
            for lang, url, href in found]


def role_word(role: str, lang: str) -> str:
    """A person's role (of the Podcast Taxonomy, podcasting 2.0) as the page says it; ""
    for a role the pages have no word for."""
    words = {"host": tn(lang, "Host", "Hosts", 1),
             # Translators: a person's role in an episode (Podcast Taxonomy)
             "co-host": t(lang, "Co-host"), "guest": t(lang, "Guest"),
             "producer": t(lang, "Producer"), "editor": t(lang, "Editor")}
    return words.get(role, "")


def people(credits: Sequence[Credit], lang: str, relative: Relative) -> list[dict[str, Any]]:
    """The episode's people: name, link, role, and picture when it is the site's own (a
    picture from elsewhere would load another host before a click: it is left out)."""
    ui = ui_language(lang)
    found = []
    for credit in credits:
        img = relative(credit.img) if credit.img else None
        found.append({"name": credit.name, "href": relative(credit.href) if credit.href else None,
                      "img": img if img and "://" not in img else None,
                      "role": role_word(credit.role, ui)})
    return found


def embed_code(url: str, title: str) -> dict[str, str]:
    """The `<iframe>` another site pastes to play the episode there (its embed page)."""
    code = (f'<iframe src="{escape(url)}" title="{escape(title)}" width="100%" '
            f'height="{EMBED_HEIGHT}" style="border:0" loading="lazy"></iframe>')
    return {"url": url, "code": code}


#: Pixels high the embed page needs (title, controls, slider, chapter and download lines).
EMBED_HEIGHT = 190
