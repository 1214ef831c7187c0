"""Feed rules: what Apple Podcasts and the podcast apps expect of a feed.

`feed_problems(show, episodes, parts, where)` returns Problems, each with a
message and a fix. Errors keep a feed from being accepted; warnings are worth
fixing (``check --strict`` treats them as errors); info says what the build
fixes on its own (artwork made compliant). Pure: the artwork's own problems come
from where it was placed (`_pair.artwork`), and nothing is read or written here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from companion._config.feeds import is_email
from companion._errors import Problem, Severity
from companion._model import Episode, FeedDefinition
from companion._render.limits import APPLE_DESCRIPTION, PODCAST_FUNDING, PODCAST_PERSON
from companion._render.podcast_ext import ITUNES_NS, PODCAST_NS
from companion._render.rss import DESCRIPTION_LIMIT, ItemParts, render_feed
from companion._site_model import Show, Site
from companion._text import is_language

ENCLOSURE_TYPES = frozenset({
    "audio/mpeg", "audio/x-m4a", "audio/mp4", "audio/m4a", "audio/aac",
    "video/mp4", "video/x-m4v", "video/quicktime",
})
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def feed_problems(show: Show, episodes: Sequence[Episode], parts: Mapping[str, ItemParts],
                  where: str, artwork: Sequence[Problem] = ()) -> list[Problem]:
    """Everything to say about one feed and its episodes; `artwork` is what placing the
    show's artwork found (a local file that is not compliant, or that cannot be read)."""
    feed = show.definition
    problems = channel_problems(feed, show, where)
    problems += artwork_problems(feed, where, artwork)
    for episode in episodes:
        problems += episode_problems(episode, parts.get(episode.guid))
    problems += duplicate_guid_problems(episodes, where)
    problems += archive_problems(feed, len(episodes), where)
    reported = {p.field for p in problems}
    problems += [p for p in rendered_problems(show, episodes, parts, where)
                 if p.field not in reported]
    return problems


#: A main feed larger than this is one apps commonly give up on: Podverse's parser timed out
#: on a 4.9 MB feed (github.com/podverse/podverse-rn/issues/1297), an online reader refused
#: a 7 MB one (github.com/pyvideo/pyvideo/issues/10), and FeedBurner-style proxies stop
#: processing feeds beyond their size limit (podlove.org/paged-feeds). Neither Apple nor
#: Spotify publishes a byte limit for feeds.
FEED_SIZE_WARNING = 4_000_000
#: Apple's directory lists at most about 300 episodes of a show (theaudacitytopodcast.com,
#: TAP302, "Directory limits don't affect your subscribers").
APPLE_LISTED = 300


def archive_problems(feed: FeedDefinition, count: int, where: str) -> list[Problem]:
    """`max_items` that pages episodes out of the feed: Apple Podcasts and Spotify read the
    feed alone (not its RFC 5005 archive pages), so those episodes leave them."""
    if feed.max_items is None or count <= feed.max_items:
        return []
    return [Problem(
        "warning", where, f"max_items = {feed.max_items}: the feed keeps the newest "
        f"{feed.max_items} of {count} episodes and pages the other {count - feed.max_items} "
        "into archive pages (RFC 5005), which only readers that implement RFC 5005 follow; "
        "Apple Podcasts and Spotify read the feed alone, so those older episodes leave them",
        f"raise max_items (Apple lists about {APPLE_LISTED} episodes anyway), or go ahead if "
        "the older episodes may leave Apple Podcasts and Spotify", "max_items")]


def size_problems(feed: FeedDefinition, size: int, count: int, where: str) -> list[Problem]:
    """A feed that has grown beyond what apps commonly load (`FEED_SIZE_WARNING`)."""
    if size <= FEED_SIZE_WARNING:
        return []
    fix = ("lower max_items" if feed.max_items else
           f"set max_items (e.g. max_items = {min(count // 2, APPLE_LISTED)}) to page older "
           "episodes into archive pages")
    return [Problem("warning", where, f"the feed is {size / 1_000_000:.1f} MB ({count} items): "
                    f"apps commonly time out on or refuse feeds over "
                    f"{FEED_SIZE_WARNING // 1_000_000} MB, and every app downloads all of "
                    "it at each refresh", fix + ", or shorten the show notes", "size")]


def feed_where(feed: FeedDefinition, site: Site) -> str:
    try:
        return feed.path.relative_to(site.root).as_posix()
    except ValueError:
        return f"feeds/{feed.slug}.toml"


# --- the channel -------------------------------------------------------------------------


def channel_problems(feed: FeedDefinition, show: Show, where: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(severity: Severity, field: str, message: str, fix: str) -> None:
        problems.append(Problem(severity, where, message, fix, field))

    if not feed.title.strip():
        add("error", "title", "the show has no title", 'add title = "..."')
    if not feed.description.strip():
        add("error", "description", "the show has no description (Apple requires one)",
            'add description = "..."')
    elif APPLE_DESCRIPTION.size(feed.description) > DESCRIPTION_LIMIT:
        add("error", "description", f"the description is "
            f"{APPLE_DESCRIPTION.size(feed.description)} bytes, over Apple's "
            f"{DESCRIPTION_LIMIT}", "shorten it")
    for funding in feed.funding:
        if not PODCAST_FUNDING.fits(funding.text):
            add("warning", "funding.text", f"funding text {funding.text!r} is "
                f"{len(funding.text)} characters; podcast apps may cut it after "
                f"{PODCAST_FUNDING.most}", "shorten it")
    if not feed.categories:
        add("error", "categories", "no Apple Podcasts category (Apple requires one)",
            'add categories = [["News", "Politics"]]')
    if not feed.author.strip():
        add("warning", "author", "no author", 'add author = "..."')
    if not feed.owner.email:
        add("warning", "owner.email", "no owner email (Apple uses it to verify the show)",
            'add email = "..." under [owner]')
    elif not is_email(feed.owner.email):
        add("error", "owner.email", f"owner email {feed.owner.email!r} is not valid",
            'write it as "name@example.org"')
    if not is_language(feed.language):
        add("error", "language", f"language {feed.language!r} is not a well-formed code",
            'use a BCP 47 code such as "en" or "pt-BR"')
    for name, url in (("link", feed.link), ("apple_podcasts_url", feed.apple_podcasts_url),
                      ("spotify_show_url", feed.spotify_show_url),
                      ("youtube_url", feed.youtube_url), ("castbox_url", feed.castbox_url)):
        problems += url_problems(url, where, name)
    problems += url_problems(show.feed_url, where, "base_url")
    for funding in feed.funding:
        problems += url_problems(funding.url, where, "funding.url")
    return problems


def url_problems(url: str | None, where: str, field: str) -> list[Problem]:
    """An absolute https URL is fine; http is a warning; anything else an error."""
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc:
        return []
    if parts.scheme == "http" and parts.netloc:
        return [Problem("warning", where, f"{url} is http, not https",
                        "serve it over https: Apple and many apps refuse plain http", field)]
    return [Problem("error", where, f"{url!r} is not an absolute https URL",
                    "use a full https://... URL", field)]


def artwork_problems(feed: FeedDefinition, where: str,
                     placed: Sequence[Problem] = ()) -> list[Problem]:
    if not feed.artwork:
        return [Problem("error", where, "the show has no artwork (Apple requires it)",
                        'add artwork = "feeds/artwork/show.png" (1400-3000 px square)',
                        "artwork")]
    if urlsplit(feed.artwork).scheme in ("http", "https"):
        problems = url_problems(feed.artwork, where, "artwork")
        if not urlsplit(feed.artwork).path.lower().endswith(_IMAGE_SUFFIXES):
            problems.append(Problem(
                "warning", where, f"artwork URL {feed.artwork} does not end in .jpg or .png",
                "give a local file so companion can check it and publish a compliant copy",
                "artwork"))
        return problems
    return list(placed)


# --- episodes ----------------------------------------------------------------------------


def episode_problems(episode: Episode, ref: ItemParts | None) -> list[Problem]:
    where = episode.article.relpath
    if not episode.title.strip():
        return [Problem("error", where, "the episode has no title", "add a title", "title")]
    if ref is None:
        return [Problem("warning", where, "no audio: the episode is left out of the feed",
                        "run `companion fetch`, or give `audio:` in the front matter", "audio")]
    problems = url_problems(ref.url, where, "enclosure")
    if ref.mime_type not in ENCLOSURE_TYPES:
        problems.append(Problem(
            "error", where, f"enclosure type {ref.mime_type!r} is not one Apple accepts",
            f"publish audio as MP3 or M4A (accepted: {', '.join(sorted(ENCLOSURE_TYPES))})",
            "audio"))
    if ref.length <= 0:
        problems.append(Problem("error", where, "enclosure length is not the file size",
                                "rebuild so the length is the exact size in bytes", "audio"))
    for field, url in (("image", ref.image_url), ("page", ref.page_url),
                       ("chapters", ref.chapters_url)):
        problems += url_problems(url, where, field)
    size = APPLE_DESCRIPTION.size(ref.description_text)
    if size > DESCRIPTION_LIMIT:
        problems.append(Problem(
            "warning", where, f"show notes are {size} bytes; the feed's description is cut "
            f"to {DESCRIPTION_LIMIT}", "shorten the show notes", "description"))
    author = episode.article.author
    if author and not PODCAST_PERSON.fits(author):
        problems.append(Problem(
            "warning", where, f"the author is {len(author)} characters; "
            f"podcast apps may cut podcast:person after {PODCAST_PERSON.most}",
            "shorten the author", "author"))
    return problems


def duplicate_guid_problems(episodes: Sequence[Episode], where: str) -> list[Problem]:
    counts = Counter(e.guid for e in episodes)
    problems: list[Problem] = []
    for guid, count in sorted(counts.items()):
        if count > 1:
            same = sorted((e.slug, e.article.relpath) for e in episodes if e.guid == guid)
            slugs = ", ".join(slug for slug, _ in same)
            files = ", ".join(path for _, path in same)
            problems.append(Problem(
                "error", where, f"GUID {guid!r} is used by {count} episodes ({slugs}: {files})",
                "give each episode its own guid: in the front matter (two articles of one "
                "video or Spotify episode share the GUID derived from it)", "guid"))
    return problems


# --- the rendered document ---------------------------------------------------------------

_NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS}
_REQUIRED = (
    ("title", "channel/title"),
    ("description", "channel/description"),
    ("language", "channel/language"),
    ("artwork", "channel/itunes:image/@href"),
    ("categories", "channel/itunes:category/@text"),
    ("explicit", "channel/itunes:explicit"),
    ("author", "channel/itunes:author"),
    ("owner.email", "channel/itunes:owner/itunes:email"),
)


def rendered_problems(show: Show, episodes: Sequence[Episode], parts: Mapping[str, ItemParts],
                      where: str) -> list[Problem]:
    """Render the feed and look for Apple's required tags in the result."""
    try:
        data = render_feed(show, episodes, parts)
        root = etree.fromstring(data)
    except (ValueError, etree.XMLSyntaxError) as exc:
        return [Problem("error", where, f"the feed cannot be rendered as XML: {exc}",
                        "report this as a bug in companion", None)]
    problems = size_problems(show.definition, len(data), len(root.findall("channel/item")),
                             where)
    for field, path in _REQUIRED:
        if not root.xpath(path, namespaces=_NS):
            problems.append(Problem("error", where, f"the rendered feed has no {path}",
                                    f"set {field} in the feed definition", field))
    return problems
