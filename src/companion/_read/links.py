"""Links in articles: YouTube and Spotify ids, tracking-free URLs, source links.

Everything here is pure string work: no network. URLs are edited as text (never
re-encoded), so the parameters and fragments that are kept stay byte-for-byte.

`clean_url` is the one cleaning rule for every URL the project emits: source links,
links in bodies and summaries (Markdown links, autolinks, bare URLs in plain text:
`clean_text_urls`), chapter URLs and the paste-ready texts. It removes parameters
that only track the reader (``utm_*``, ``fbclid``, ``gclid``, ``dclid``, ``msclkid``,
``mc_cid``, ``mc_eid``, ``igshid``, ``igsh``, ``ref_src``, ...; ``si``, ``feature``,
``ab_channel``, ... on YouTube, Spotify and Instagram share links) and keeps every
other parameter (``v``, ``t``, ``list``, ``start``, ``id``, ...), their order and
encoding, and the fragment (text fragments ``#:~:text=`` included).

Why a list of our own rather than a package. Measured on the cases above (14 URLs:
what must go, what must stay, order and percent-encoding kept):
``courlan`` 1.4 (maintained) passed 6: it sorts the query and keeps ``si`` and
``ab_channel``; ``Unalix-Rev`` 0.9.1 (ClearURLs' rules, a 2024 snapshot) passed 9: it
keeps a bare ``?utm_source``, ``ab_channel`` and ``igsh``, and drops Amazon's
``tag``; ``url-unwrap`` (ClearURLs' rules) passed 10 with the same misses and
downloads the rules at run time (no network in a build); ``detrack`` 0.4.1 passed 8:
it keeps ``ab_channel``, ``feature`` and ``ref_src`` and removes ``si`` on every
site; ``sanitizr`` passed 7; ``url-sanitize`` shells out to a native binary that
its wheel does not ship. None fits, so the rule stays this short list, kept in one
place; ClearURLs' global rules are the reference it follows.

The source links of a Markdown body come from one pass over pulldown-cmark's events
(`pyromark`, compiled: 30x faster than markdown-it-py here), with linkify-it finding the
bare URLs in the text (`FastLinkify`, linear in the length of the text).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import mdurl
import pyromark
from linkify_it import LinkifyIt

from companion._model import ArticleFormat, Link

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{22}")
_YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
_YOUTUBE_PATHS = {"embed", "shorts", "live", "v", "e"}
_SPOTIFY_HOSTS = {"open.spotify.com", "play.spotify.com"}
_SPOTIFY_KINDS = {"episode", "show", "track", "album", "playlist", "artist", "user", "audiobook",
                  "chapter"}

#: Parameters that only track the reader, on any site.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "mc_eid", "mc_cid", "igshid", "igsh",
    "_ga", "_gl", "yclid", "ref_src", "ref_url", "twclid", "ttclid", "srsltid", "_hsenc",
    "_hsmi", "mkt_tok", "oly_enc_id", "oly_anon_id", "vero_id", "wickedid", "rb_clickid",
    "s_cid", "wt_mc", "cmpid",
})
#: Parameters that only track the reader on YouTube, Spotify and Instagram share links.
_SHARE_PARAMS = frozenset({"si", "ab_channel", "feature", "pp", "nd", "context"})
_INSTAGRAM_HOSTS = {"instagram.com", "www.instagram.com", "m.instagram.com"}


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def domain(url: str) -> str:
    """The host of `url`, lower case, without a leading ``www.``."""
    host = _host(url)
    return host[4:] if host.startswith("www.") else host


def _segments(url: str) -> list[str]:
    try:
        return [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return []


def _is_youtube(host: str) -> bool:
    bare = host[4:] if host.startswith("www.") else host
    return bare in _YOUTUBE_HOSTS or bare == "youtu.be"


def youtube_id(url: str) -> str | None:
    """The 11-character video id of any YouTube video URL, or None."""
    host = _host(url.strip())
    bare = host[4:] if host.startswith("www.") else host
    segments = _segments(url.strip())
    candidate: str | None = None
    if bare == "youtu.be" and segments:
        candidate = segments[0]
    elif bare in _YOUTUBE_HOSTS:
        if segments[:1] == ["watch"]:
            candidate = dict(parse_qsl(urlsplit(url.strip()).query)).get("v")
        elif len(segments) >= 2 and segments[0] in _YOUTUBE_PATHS:
            candidate = segments[1]
    if candidate and _YOUTUBE_ID.fullmatch(candidate):
        return candidate
    return None


def spotify_kind(url: str) -> tuple[str, str] | None:
    """("episode", id), ("show", id), ... for an open.spotify.com URL; None otherwise.

    Lets a caller tell "a Spotify URL, but a show" from "not Spotify at all".
    """
    if _host(url.strip()) not in _SPOTIFY_HOSTS:
        return None
    segments = _segments(url.strip())
    if segments[:1] and segments[0].startswith("intl-"):
        segments = segments[1:]
    if segments[:1] and segments[0] in ("embed", "embed-podcast"):
        segments = segments[1:]
    if len(segments) >= 2 and segments[0] in _SPOTIFY_KINDS:
        return segments[0], segments[1]
    return ("unknown", "")


def spotify_episode_id(url: str) -> str | None:
    """The 22-character id of a Spotify episode URL (share, embed, locale), or None."""
    kind = spotify_kind(url)
    if kind and kind[0] == "episode" and _SPOTIFY_ID.fullmatch(kind[1]):
        return kind[1]
    return None


def _is_tracking(key: str, share_link: bool) -> bool:
    name = key.lower()
    if name.startswith("utm_") or name in TRACKING_PARAMS:
        return True
    return share_link and name in _SHARE_PARAMS


def clean_url(url: str) -> str:
    """`url` without tracking parameters; everything else (order, encoding, fragment) kept."""
    url = url.strip()
    rest, hash_mark, fragment = url.partition("#")
    base, question, query = rest.partition("?")
    if not question:
        return url
    host = _host(base)
    share = _is_youtube(host) or host in _SPOTIFY_HOSTS or host in _INSTAGRAM_HOSTS
    kept = [part for part in query.split("&")
            if part and not _is_tracking(part.partition("=")[0], share)]
    cleaned = base + ("?" + "&".join(kept) if kept else "")
    return cleaned + (hash_mark + fragment if hash_mark else "")


def clean_text_urls(text: str) -> str:
    """`text` with every bare http(s) URL in it cleaned by `clean_url` (punctuation a
    sentence put after a URL stays where it was)."""
    return _BARE_URL.sub(_clean_match, text)


def _clean_match(match: re.Match[str]) -> str:
    url = _trim(match.group(0))
    return clean_url(url) + match.group(0)[len(url):]


def _is_web(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


#: The longest run of text without a space or control character that linkify-it reads.
#: It is quadratic within such a run (each link's path scans for a closing bracket or
#: quote up to the run's end), so a longer run is linked by `_LONG_RUN_URL`, linearly.
_RUN_LIMIT = 2048
#: What a run needs for linkify-it to find a link in it: a scheme's ``:`` or ``//``, a
#: host's dot or an e-mail's ``@``.
_LINK_MARK = re.compile(r"[:./@]")
#: A dot before a word character: what a TLD or an IP address needs (a literal first
#: character, so the search skips from dot to dot at C speed).
_DOT_WORD = re.compile(r"\.\w")
#: A link in an over-long run: a written-out http(s) URL or a ``www.`` host, up to the
#: first character no URL path takes (trailing punctuation is trimmed by `_trim`).
_LONG_RUN_URL = re.compile(r"""(?<![\w.@/-])(?:https?://|www\.)[^\s<>"'\[\]{}()`|]+""",
                           re.IGNORECASE)


class FastLinkify(LinkifyIt):  # type: ignore[misc]
    """linkify-it with the same answers, sooner: `pretest` and `test` first ask the cheap
    questions their big patterns imply (a schema written out, an ``@``, a host-like word)
    and run those patterns only when the answer may be yes.

    And in linear time: no link spans a space or control character (linkify-it's
    ``src_ZCc``), so `match` runs linkify-it on each run between them, which gives the
    same links as one run over the whole text; a run longer than `_RUN_LIMIT` (hostile
    input: no prose has one) is linked by a simple, linear pattern instead."""

    def _compile(self) -> None:  # linkify-it's own: runs again on new schemas or TLDs
        super()._compile()
        names = [name for name, value in self._compiled.items() if name and value]
        hint = "|".join(re.escape(name) for name in names) or r"(?!)"
        self._schema_hint = re.compile(hint, re.IGNORECASE)
        self._schema_ends = {name[-1].lower() for name in names} | {
            name[-1].upper() for name in names}
        self._schema_test = re.compile(self.re["schema_test"], re.IGNORECASE)
        self._host_test = re.compile(self.re["host_fuzzy_test"], re.IGNORECASE)
        self._runs = re.compile(f"(?:(?!{self.re['src_ZCc']}).)+", re.DOTALL)
        self._space = re.compile(self.re["src_ZCc"])

    def _long_run(self, text: str, start: int, end: int, anchored: bool) -> list[Any]:
        found: list[Any] = []
        for url in _LONG_RUN_URL.finditer(text, start, end):
            if anchored and url.start() != start:
                break
            last = url.start() + len(_trim(url.group(0)))
            schema = "" if url.group(0)[:4].lower() == "www." else "http:"
            if last > url.start() + 4:
                found.append(self._create_match(text, schema, url.start(), last))
            if anchored:
                break
        return found

    def match(self, text: str) -> list[Any] | None:
        if not self._may_link(text):
            return None
        found: list[Any] = []
        for run in self._runs.finditer(text):
            start, end = run.span()
            if end - start > _RUN_LIMIT:
                found += self._long_run(text, start, end, anchored=False)
            elif _LINK_MARK.search(run.group(0)):
                for link in super().match(run.group(0)) or ():
                    link.index += start
                    link.last_index += start
                    found.append(link)
        return found or None

    def match_at_start(self, text: str) -> Any:
        space = self._space.search(text, 0, _RUN_LIMIT + 1)
        if space is None and len(text) > _RUN_LIMIT:
            links = self._long_run(text, 0, len(text), anchored=True)
            return links[0] if links else None
        return super().match_at_start(text[:space.start()] if space else text)

    def _may_have_schema(self, text: str) -> bool:
        # a schema's last character (":" or "/") is found at C speed, the names are not
        return any(end in text for end in self._schema_ends) and \
            self._schema_hint.search(text) is not None

    def _may_have_host(self, text: str) -> bool:
        """linkify-it's fuzzy host test, asked only when its pattern can match: it needs
        a dot before a word character (a TLD, an IP address), ``www.`` or ``localhost``
        (case folded, as its IGNORECASE pattern folds them)."""
        if _DOT_WORD.search(text) is None:
            folded = text.casefold()
            if "www." not in folded and "localhost" not in folded:
                return False
        return self._host_test.search(text) is not None

    def _may_link(self, text: str) -> bool:
        # every way linkify-it can find a link needs a schema, a host-like word or an @
        return "@" in text or self._may_have_schema(text) or self._may_have_host(text)

    def pretest(self, text: str) -> bool:
        # linkify-it: re.search("(" + schema_test + ")|(" + host_fuzzy_test + ")|@", text, I)
        return ("@" in text or self._may_have_host(text)
                or (self._may_have_schema(text) and self._schema_test.search(text) is not None))

    def test(self, text: str) -> bool:
        # every way linkify-it's `test` can say yes needs a schema, a host-like word or an @
        if not text or not self._may_link(text):
            return False
        return bool(super().test(text))


#: The one Markdown parser: pulldown-cmark (CommonMark) through `pyromark`, with tables
#: and strikethrough. Immutable: built once, shared by every caller in a process.
MARKDOWN = pyromark.Markdown(options=pyromark.Options.ENABLE_TABLES
                             | pyromark.Options.ENABLE_STRIKETHROUGH)
_LINKIFY = FastLinkify()
_A_OPEN = re.compile(r"<a\s", re.IGNORECASE)
_A_CLOSE = re.compile(r"</a\s*>", re.IGNORECASE)


def shown_url(url: str) -> str:
    """A URL as a link's text shows it: percent-escapes and punycode host names decoded
    (markdown-it's ``normalizeLinkText``, which linkify and autolinks used)."""
    parsed = mdurl.parse(url, slashes_denote_host=True)
    if parsed.hostname and "xn--" in parsed.hostname and (
            not parsed.protocol or parsed.protocol in ("http:", "https:")):
        with contextlib.suppress(UnicodeError):
            host = ".".join(label[4:].encode("ascii").decode("punycode")
                            if label.startswith("xn--") else label
                            for label in parsed.hostname.split("."))
            parsed = parsed._replace(hostname=host)
    return str(mdurl.decode(mdurl.format(parsed), mdurl.DECODE_DEFAULT_CHARS + "%"))


def bare_links(text: str) -> Iterator[tuple[str, str]]:
    """(URL, text shown) of each URL that linkify-it finds in a run of plain text."""
    if not _LINKIFY.test(text):
        return
    for match in _LINKIFY.match(text) or ():
        shown = match.text
        if not match.schema:
            shown = shown_url("http://" + shown).replace("http://", "", 1)
        elif match.schema != "mailto:" or shown.startswith("mailto:"):
            shown = shown_url(shown)
        yield str(match.url), shown


def markdown_events(body: str) -> Iterator[tuple[str, Any]]:
    """pulldown-cmark's events of a Markdown body as (kind, value): ("Start", tag),
    ("End", tag), ("Text", text), ("Code", text), ("InlineHtml", html), ("SoftBreak",
    None), ... A tag is a name ("Paragraph") or a one-key mapping ({"Link": {...}})."""
    events: Iterator[Any] = MARKDOWN.events(body)
    for event in events:
        if type(event) is str:
            yield event, None
        else:
            yield next(iter(event.items()))


def tag_name(tag: Any) -> str:
    """The name of a Start or End event's tag."""
    return tag if type(tag) is str else str(next(iter(tag)))


def _markdown_links(body: str) -> Iterator[tuple[str, str]]:
    """(href, anchor text) of every link of a Markdown body, in order: inline, reference
    and autolinks, and the URLs linkify-it finds in the text outside links, images, code
    and raw ``<a>`` elements. An image's alt text is no anchor text."""
    href: str | None = None
    auto = False
    text: list[str] = []
    image = html_link = 0
    for kind, value in markdown_events(body):
        if kind == "Text":
            if href is not None:
                text.append("" if image else value)
            elif not image and not html_link:
                yield from bare_links(value)
        elif kind in ("Code", "SoftBreak", "HardBreak"):
            if href is not None and not image:
                text.append(value or " ")
        elif kind == "Start" and type(value) is dict:
            if "Link" in value:
                link = value["Link"]
                href, text = link["dest_url"].strip(), []
                auto = link["link_type"] in ("Autolink", "Email")
            elif "Image" in value:
                image += 1
        elif kind == "End" and value == "Link" and href is not None:
            shown = "".join(text).strip()
            yield href, shown_url(shown) if auto else shown
            href = None
        elif kind == "End" and value == "Image":
            image -= 1
        elif kind == "InlineHtml":
            html_link += 1 if _A_OPEN.match(value) else -1 if (
                html_link and _A_CLOSE.match(value)) else 0


_BARE_URL = re.compile(r"""https?://[^\s<>"'\[\]{}]+""", re.IGNORECASE)
_TRAILING = ".,;:!?…»”’'\""


def _trim(url: str) -> str:
    """Drop punctuation a sentence put after a URL; keep balanced parentheses."""
    opened, closed = url.count("("), url.count(")")
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING or (last == ")" and opened < closed):
            closed -= last == ")"
            end -= 1
        else:
            break
    return url[:end]


def _text_links(body: str) -> Iterator[tuple[str, str]]:
    for match in _BARE_URL.finditer(body):
        url = _trim(match.group(0))
        yield url, ""


def extract_links(body: str, format: ArticleFormat,
                  exclude: Iterable[str] = ()) -> tuple[Link, ...]:
    """The source links of an article body: cleaned, http(s) only, de-duplicated, in order.

    `exclude` holds URLs that are not source links (the article's own video and
    Spotify episode); they are compared after cleaning.
    """
    found = _markdown_links(body) if format == "markdown" else _text_links(body)
    skip = {clean_url(url) for url in exclude}
    seen: dict[str, Link] = {}
    for href, text in found:
        if not _is_web(href):
            continue
        url = clean_url(href)
        if url in skip or url in seen:
            continue
        is_bare = not text or text in (href, url)
        seen[url] = Link(url=url, text=url if is_bare else text, domain=domain(url))
    return tuple(seen.values())
