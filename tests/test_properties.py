"""Property tests (hypothesis): whatever a user writes or a damaged remote holds, companion
answers with its own errors, never another exception.

Six readers, 2,000 generated examples each (12,000 in all), run in-process on the pure
parsing functions: an article's front matter, companion.toml, a feed definition, an
old feed that `companion import` reads, a target's manifest and its lock. Each may
accept the input or refuse it with a `CompanionError` (or a `Problem`); any other
exception fails the test. The examples are
derandomized, so a run is reproducible; the strategies lean on what broke before:
Unicode digits, integers past Python's 4,300-digit limit, NaN and the infinities, deep
nesting, markup characters.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import string
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion import CompanionError, Site
from companion._config.feeds import load_feed
from companion._config.project import load_site
from companion._publish.manifest import MANIFEST_FORMAT, parse_manifest
from companion._publish.targets import LockInfo, lock_held_error
from companion._read.articles import KNOWN_KEYS, read_with_problems

pytestmark = pytest.mark.slow

#: 2,000 examples a reader (COMPANION_EXAMPLES changes it, to explore or to debug).
EXAMPLES = settings(max_examples=int(os.environ.get("COMPANION_EXAMPLES", "2000")),
                    deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

#: Text that broke things before: Unicode digits, markup, control characters, URLs.
NASTY = st.sampled_from(["²", "٣", "۴", "1e400", "-0", "0x1F", "[/]", "[link=x]y[/link]",
                         "[bold]", ":smile:", "\x00", "\u202e", "http://u:p@h/", "..",
                         "9" * 4301, "", " ", "nan", "inf", "true", "~", "&a", "*a", "!!int 3"])
TEXT = st.one_of(NASTY, st.text(max_size=40))


class Digits(int):
    """An integer of `self` digits, written out only when rendered (hypothesis itself
    cannot print integers past Python's 4,300-digit limit)."""

    def text(self) -> str:
        return "9" * int(self)


NUMBER = st.one_of(st.integers(), st.integers(min_value=300, max_value=6000).map(Digits),
                   st.floats(allow_nan=True, allow_infinity=True))
LEAF = st.one_of(st.none(), st.booleans(), NUMBER, TEXT)
VALUE = st.recursive(LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)
#: Nesting past what the parsers' recursion allows (about 500 levels in YAML and TOML).
DEEP = st.sampled_from([3, 120, 700]).map(lambda n: "[" * n + "]" * n)


def _sometimes_deep(n: int) -> str:
    """Rarely deep (PyYAML's scanner is quadratic in the depth: a tenth of a second a
    document), so that 10,000 examples stay within minutes: one value in 30, away from the
    bounds hypothesis favours."""
    return "[" * 700 + "]" * 700 if n == 17 else "[" * n + "]" * n


SOMETIMES_DEEP = st.integers(min_value=0, max_value=30).map(_sometimes_deep)


# -- front matter -----------------------------------------------------------------------------

def _yaml_scalar(value: Any) -> str:
    """A YAML rendering of `value` that YAML parsers read back (JSON is YAML, mostly)."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, Digits):
        return value.text()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return json.dumps(str(value))


FRONT_KEY = st.one_of(st.sampled_from(sorted(KNOWN_KEYS)), TEXT)
FRONT = st.dictionaries(FRONT_KEY, VALUE, max_size=8)
RAW_LINE = st.one_of(TEXT, st.sampled_from(["key: [", "a: &x b\nc: *x", "- list", ": : :",
                                            "title: |\n  multi", "\t tab: 1"]))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("properties")
    (root / "episodes").mkdir()
    (root / "feeds").mkdir()
    (root / "companion.toml").write_text(
        '[site]\ntitle = "T"\nbase_url = "https://pod.example.org/"\n', encoding="utf-8")
    return load_site(root)


def _front_matter_text(front: dict[str, Any], raw: list[str], deep: str = "") -> str:
    lines = [f"{json.dumps(str(k))}: {_yaml_scalar(v)}" for k, v in front.items()]
    lines += [f"tags: {deep}"] if deep else []
    return "---\nlang: en\ntitle: t\n" + "\n".join([*lines, *raw]) + "\n---\nBody.\n"


@EXAMPLES
@given(front=FRONT, raw=st.lists(RAW_LINE, max_size=2), deep=SOMETIMES_DEEP)
def test_front_matter(site: Site, front: dict[str, Any], raw: list[str], deep: str) -> None:
    path = site.episodes_dir / "2025-01-01-a.md"
    path.write_text(_front_matter_text(front, raw, deep), encoding="utf-8",
                    errors="surrogatepass")
    with contextlib.suppress(CompanionError):
        read_with_problems(path, site)


# -- TOML -------------------------------------------------------------------------------------

def _toml_value(value: Any, depth: int = 0) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else
                                                 "-inf" if value == -math.inf else repr(value))
    if isinstance(value, Digits):
        return value.text()
    if isinstance(value, int):
        return str(value)
    if value is None:
        return '""'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v, depth + 1)}"
                               for k, v in value.items()) + "}"
    return json.dumps(str(value))


def _toml(tables: dict[str, dict[str, Any]], top: dict[str, Any], deep: str) -> str:
    lines = [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in top.items()]
    if deep:
        lines.append(f"deep = {deep}")
    for name, table in tables.items():
        lines.append(f"[{json.dumps(str(name))}]")
        lines += [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


SITE_KEYS = st.sampled_from(["title", "base_url", "language", "description", "timezone",
                             "out", "cache", "target", "endpoint_url", "region",
                             "addressing_style", "acl", "profile", "prune_grace_days",
                             "youtube", "spotify_show", "show_rss", "live", "market",
                             "date_window_days"])
TABLE = st.dictionaries(st.one_of(SITE_KEYS, TEXT), VALUE, max_size=6)
SECTIONS = st.dictionaries(st.one_of(st.sampled_from(["site", "publish", "notify", "pair"]),
                                     TEXT),
                           TABLE, max_size=3)


@EXAMPLES
@given(tables=SECTIONS, top=st.dictionaries(TEXT, VALUE, max_size=2),
       deep=SOMETIMES_DEEP)
def test_companion_toml(tmp_path_factory: pytest.TempPathFactory, tables: dict[str, Any],
                        top: dict[str, Any], deep: str) -> None:
    root = tmp_path_factory.getbasetemp() / "toml-site"
    root.mkdir(exist_ok=True)
    (root / "companion.toml").write_text(_toml(tables, top, deep), encoding="utf-8",
                                         errors="surrogatepass")
    with contextlib.suppress(CompanionError):
        load_site(root)


FEED_KEYS = st.sampled_from(["title", "description", "author", "language", "artwork",
                             "explicit", "type", "copyright", "link", "locked", "medium",
                             "audio_format", "podcast_guid", "apple_podcasts_url",
                             "spotify_show_url", "categories", "moved_from"])
FEED_TABLES = st.dictionaries(st.sampled_from(["owner", "select", "funding"]), TABLE,
                              max_size=3)


@EXAMPLES
@given(top=st.dictionaries(st.one_of(FEED_KEYS, TEXT), VALUE, max_size=8),
       tables=FEED_TABLES, deep=SOMETIMES_DEEP,
       name=st.text(alphabet=string.ascii_lowercase + "-._", min_size=1, max_size=120))
def test_feed_definition(site: Site, top: dict[str, Any], tables: dict[str, Any], deep: str,
                         name: str) -> None:
    path = site.feeds_dir / f"a{name}.toml"
    path.write_text(_toml(tables, top, deep), encoding="utf-8", errors="surrogatepass")
    try:
        load_feed(path, site)  # problems come back as Problems: nothing may be raised
    finally:
        path.unlink()


# -- an imported feed (remote input) -------------------------------------------------------------

ITEM_PARTS = st.fixed_dictionaries(
    {"title": TEXT, "pubDate": st.one_of(TEXT, st.just("Tue, 05 Jan 2021 06:00:00 +0000"),
                                         st.just("Wed, 31 Feb 2021 25:61:00 GMT")),
     "guid": TEXT, "description": TEXT, "itunes:duration": st.one_of(TEXT, NUMBER.map(str)),
     "itunes:episode": st.one_of(TEXT, NUMBER.map(str)), "url": TEXT,
     "length": st.one_of(TEXT, NUMBER.map(str))})


def _rss(channel: dict[str, str], items: list[dict[str, str]]) -> bytes:
    from xml.sax.saxutils import escape, quoteattr

    def element(name: str, text: str) -> str:
        return f"<{name}>{escape(text)}</{name}>"

    body = "".join(element(k, v) for k, v in channel.items())
    for item in items:
        url, length = item.pop("url"), item.pop("length")
        body += ("<item>" + "".join(element(k, v) for k, v in item.items())
                 + f"<enclosure url={quoteattr('https://h/' + url)} length={quoteattr(length)}"
                 ' type="audio/mpeg"/></item>')
    xml = ('<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
           f'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>{body}'
           "</channel></rss>")
    return xml.encode("utf-8", "surrogatepass")


CHANNEL = st.dictionaries(st.sampled_from(["title", "description", "language", "itunes:author",
                                           "podcast:guid", "itunes:type", "itunes:explicit"]),
                          TEXT, max_size=7)


@EXAMPLES
@given(feed=st.one_of(st.builds(_rss, CHANNEL, st.lists(ITEM_PARTS, max_size=3)),
                      st.binary(max_size=64), DEEP.map(str.encode)))
def test_imported_feed(feed: bytes) -> None:
    """An old feed is parsed, and what the import would write reads back (or a
    `CompanionError` says why not)."""
    from companion._fetch.importer import feed_definition, front_matter, parse_feed

    with contextlib.suppress(CompanionError):
        show = parse_feed(feed, "old-feed.xml")
        feed_definition(show, "show", "https://old/feed.xml", "https://old/feed.xml")
        for item in show.items:
            front_matter(item, "show", show.language)


def _atom(entries: list[dict[str, str]]) -> bytes:
    """A YouTube channel feed of `entries` (any text in any element)."""
    body = "".join("<entry>" + "".join(f"<{k}>{_xml_text(v)}</{k}>" for k, v in e.items())
                   + "</entry>" for e in entries)
    return ('<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
            f'xmlns:media="http://search.yahoo.com/mrss/">{body}</feed>'
            ).encode("utf-8", "surrogatepass")


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


ATOM_ENTRY = st.dictionaries(st.sampled_from(["yt:videoId", "title", "published",
                                              "yt:channelId", "media:group"]), TEXT,
                             max_size=5)


@EXAMPLES
@given(feed=st.one_of(st.builds(_atom, st.lists(ATOM_ENTRY, max_size=3)),
                      st.builds(_rss, CHANNEL, st.lists(ITEM_PARTS, max_size=3)),
                      st.binary(max_size=64), DEEP.map(str.encode)))
def test_catalog_feeds(feed: bytes) -> None:
    """What `companion pair` reads of a channel's Atom feed and a show's RSS (the catalog
    files themselves are the catalog parser's) is lines of JSON, or a `CompanionError`."""
    from companion._catalogs.rss import feed_items
    from companion._catalogs.youtube import parse_feed

    with contextlib.suppress(CompanionError):
        for line in parse_feed(feed, "feed.xml", "@desk"):
            json.dumps(line, ensure_ascii=False).encode("utf-8")
    with contextlib.suppress(CompanionError):
        ids, title = feed_items(feed, "https://example.org/rss")
        json.dumps([ids, title], ensure_ascii=False).encode("utf-8")


# -- manifests and locks -------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """`value` for json.dumps: a `Digits` becomes a placeholder that `_json_bytes` writes out."""
    if isinstance(value, Digits):
        return f"@@digits:{int(value)}@@"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json_bytes(value: Any) -> bytes:
    text = json.dumps(_plain(value), allow_nan=True)
    while '"@@digits:' in text:
        start = text.index('"@@digits:')
        end = text.index('@@"', start)
        text = text[:start] + "9" * int(text[start + 10:end]) + text[end + 3:]
    return text.encode("utf-8", "surrogatepass")


ENTRY = st.fixed_dictionaries({"sha256": VALUE, "size": st.one_of(NUMBER, VALUE),
                               "content_type": VALUE, "cache_control": VALUE},
                              optional={"etag": VALUE, "since": st.one_of(NUMBER, VALUE)})
MANIFEST = st.fixed_dictionaries(
    {"format": st.one_of(st.just(MANIFEST_FORMAT), TEXT),
     "version": st.one_of(st.sampled_from([1, 2]), NUMBER),
     "files": st.one_of(st.dictionaries(TEXT, ENTRY, max_size=3), VALUE)},
    optional={"stale": st.dictionaries(TEXT, ENTRY, max_size=3), "released": VALUE,
              "pending": VALUE})
GARBAGE = st.one_of(st.binary(max_size=64), DEEP.map(str.encode),
                    st.just(b'{"size": Infinity}'), st.just(b"\xff\xfe{}"))


@EXAMPLES
@given(data=st.one_of(MANIFEST.map(_json_bytes), VALUE.map(_json_bytes), GARBAGE))
def test_manifest(data: bytes) -> None:
    with contextlib.suppress(CompanionError):
        parse_manifest(data, "s3://bucket/prefix/")


LOCK = st.fixed_dictionaries(
    {"owner": VALUE, "host": VALUE, "pid": st.one_of(NUMBER, VALUE),
     "time": st.one_of(NUMBER, VALUE), "token": VALUE},
    optional={"expires": st.one_of(NUMBER, VALUE)})


@EXAMPLES
@given(data=st.one_of(LOCK.map(_json_bytes), VALUE.map(_json_bytes), GARBAGE),
       released=TEXT)
def test_lock(data: bytes, released: str) -> None:
    holder = LockInfo.parse(data)  # a lease, or None: never an exception
    if holder is not None:
        holder.describe()
        holder.free(time.time(), released)
    assert isinstance(lock_held_error("s3://bucket/.companion/lock", holder), CompanionError)


def test_the_readers_saw_the_cases_that_broke_before(site: Site) -> None:
    """The strategies' nastiest values, once each, explicitly (not left to chance)."""
    path = site.episodes_dir / "2025-01-01-a.md"
    for front in ({"season": "²"}, {"episode": Digits(4500)}, {"episode": float("nan")}):
        path.write_text(_front_matter_text(front, []), encoding="utf-8")
        article, problems = read_with_problems(path, site)
        assert article is None
        assert [p.field for p in problems if p.severity == "error"] == list(front)
    for data in (b'{"format": "companion-manifest", "version": 2, "files": {"a": {"size": '
                 b'Infinity, "sha256": "", "content_type": "", "cache_control": ""}}}',
                 b"[" * 100_000):
        with pytest.raises(CompanionError, match="--rebuild-manifest"):
            parse_manifest(data, "x")
    for raw in ({"time": 1e300}, {"time": float("nan")}, {"pid": 1 << 64}):
        lock = {"owner": "a", "host": "b", "pid": 7, "time": 1.0, "token": "t", **raw}
        assert LockInfo.parse(_json_bytes(lock)) is None
    root = Path(site.root) / "toml-check"
    root.mkdir(exist_ok=True)
    (root / "companion.toml").write_text("[site]\nx = " + "9" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(CompanionError, match="number is too long"):
        load_site(root)
