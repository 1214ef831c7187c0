"""`companion import FEED`: an existing show becomes a companion project, subscribers kept.

The old feed (a URL, fetched through the one HTTP client, or a file) is read with lxml
(no entities, no network) and turned into:

- one article per item, ``episodes/YYYY-MM-DD-<slug>.md``: its title, date (as the feed
  gives it, offset kept), description as the body, its ``guid`` exactly as written (an
  item without one keeps the enclosure URL, which is what apps fell back to), and the
  enclosure URL as ``audio:`` with ``remote_audio: true``, so the published feed keeps
  the URLs subscribers already downloaded;
- for each enclosure, the cache record of the remote-audio mode (`_pair.remote`): size
  and type from the enclosure, duration from ``itunes:duration``, read once;
- a feed definition, ``feeds/<name>.toml``: the channel's title, description, author,
  language, artwork, categories, owner and ``podcast:guid`` (the old feed's, or the one
  the Podcast Index derives from the old URL), ``moved_from`` the old URL, and a
  ``[select]`` of the tag every imported article carries;
- ``companion.toml`` when the project has none (title and language from the channel,
  `base_url` as given).

An item whose GUID the project already has is left alone, so importing again adds only
what is new. Nothing is written before everything was read and checked.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from companion._errors import ProjectError, ReadError
from companion._files import atomic_write
from companion._model import RemoteAudio
from companion._read.slugs import make_slug
from companion._redact import url_secrets
from companion._text import clean_text, normalize_lang, whole_number

MAX_FEED_BYTES = 64 * 1024 ** 2
CHUNK = 1 << 20  # bytes read from a feed file at a time
IMPORT_DEADLINE = 120.0  # seconds the download of a feed may take in all
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS = {"itunes": ITUNES, "podcast": PODCAST, "content": CONTENT}
_FEED_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


@dataclass(frozen=True)
class ImportedItem:
    guid: str
    title: str
    date: datetime
    body: str
    enclosure: RemoteAudio | None
    image: str | None = None
    season: int | None = None
    episode: int | None = None
    episode_type: str | None = None
    explicit: bool | None = None


@dataclass(frozen=True)
class ImportedShow:
    title: str
    description: str
    link: str
    language: str | None
    author: str | None
    artwork: str | None
    categories: tuple[tuple[str, ...], ...]
    owner: tuple[str, str] | None
    podcast_guid: str | None
    explicit: bool
    type: str
    items: tuple[ImportedItem, ...]
    skipped: tuple[str, ...] = ()  # items left out, each with why


@dataclass
class ImportReport:
    """What an import wrote and kept, and the steps that move the subscribers."""

    feed: str
    written: list[Path] = field(default_factory=list)
    kept: int = 0  # items the project already had (by GUID)
    skipped: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"ok": True, "feed": self.feed, "written": [str(p) for p in self.written],
                "kept": self.kept, "skipped": self.skipped, "steps": self.steps,
                "problems": []}


# -- reading the old feed ------------------------------------------------------------------


def parse_feed(data: bytes, where: str) -> ImportedShow:
    """The show an RSS feed describes; not a well-formed RSS 2.0 feed -> `ReadError`."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ReadError(f"not a well-formed feed: {exc.msg} (line {exc.lineno})",
                        where=where, fix="give the address of the RSS feed itself (not the "
                        "show's web page), or a complete copy of it") from None
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise ReadError(f"not an RSS feed (its root is <{etree.QName(root).localname}>)",
                        where=where, fix="give an RSS 2.0 podcast feed (<rss><channel>...)")
    items, skipped = [], []
    for number, node in enumerate(channel.findall("item"), 1):
        item = _item(node)
        if isinstance(item, str):
            skipped.append(f"item {number}: {item}")
        else:
            items.append(item)
    return ImportedShow(
        title=_text(channel, "title") or "Imported show",
        description=_text(channel, "description") or _text(channel, "itunes:summary") or "",
        link=_text(channel, "link") or "", language=_language(_text(channel, "language")),
        author=_text(channel, "itunes:author"), artwork=_artwork(channel),
        categories=_categories(channel), owner=_owner(channel),
        podcast_guid=_text(channel, "podcast:guid"),
        explicit=(_text(channel, "itunes:explicit") or "").lower() in ("yes", "true"),
        type="serial" if _text(channel, "itunes:type") == "serial" else "episodic",
        items=tuple(items), skipped=tuple(skipped))


def _text(node: Any, path: str) -> str | None:
    found = node.find(path, NS)
    if found is None:
        return None
    text = clean_text("".join(found.itertext())).strip()
    return text or None


def _language(value: str | None) -> str | None:
    try:
        return normalize_lang(value) if value else None
    except ValueError:
        return None


def _artwork(channel: Any) -> str | None:
    found = channel.find("itunes:image", NS)
    href = found.get("href") if found is not None else None
    return href.strip() if href else _text(channel, "image/url")


def _categories(channel: Any) -> tuple[tuple[str, ...], ...]:
    found = []
    for top in channel.findall("itunes:category", NS):
        name, sub = top.get("text"), top.find("itunes:category", NS)
        if name:
            found.append((name, sub.get("text")) if sub is not None and sub.get("text")
                         else (name,))
    return tuple(found)


def _owner(channel: Any) -> tuple[str, str] | None:
    name, email = _text(channel, "itunes:owner/itunes:name"), _text(
        channel, "itunes:owner/itunes:email")
    return (name or "", email) if email else None


def _item(node: Any) -> ImportedItem | str:
    """One item, or why it is left out."""
    enclosure = node.find("enclosure")
    url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
    guid_node = node.find("guid")
    guid = (guid_node.text or "").strip() if guid_node is not None else ""
    guid = guid or url
    if not guid:
        return "it has neither a guid nor an enclosure"
    date = _date(_text(node, "pubDate"))
    if date is None:
        return f"{guid}: no readable pubDate"
    body = _text(node, "content:encoded") or _text(node, "description") or _text(
        node, "itunes:summary") or ""
    image = node.find("itunes:image", NS)
    return ImportedItem(
        guid=guid, title=_text(node, "title") or _text(node, "itunes:title") or guid,
        date=date, body=body, enclosure=_enclosure(enclosure, url, node),
        image=(image.get("href") or "").strip() or None if image is not None else None,
        season=whole_number(_text(node, "itunes:season") or "", 1, 10 ** 6),
        episode=whole_number(_text(node, "itunes:episode") or "", 1, 10 ** 6),
        episode_type=_episode_type(_text(node, "itunes:episodeType")),
        explicit=_explicit(_text(node, "itunes:explicit")))


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        found = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def _enclosure(node: Any, url: str, item: Any) -> RemoteAudio | None:
    if not url.startswith(("http://", "https://")):
        return None
    size = whole_number((node.get("length") or "").strip(), 1, 1 << 44)
    kind = (node.get("type") or "").strip() or "audio/mpeg"
    if size is None:
        return RemoteAudio(url, 0, kind, 0.0)
    return RemoteAudio(url, size, kind, duration_seconds(_text(item, "itunes:duration")))


def duration_seconds(value: str | None) -> float:
    """``itunes:duration`` (seconds, ``MM:SS`` or ``HH:MM:SS``) in seconds; 0 unknown."""
    parts = (value or "").split(":")
    if not 1 <= len(parts) <= 3:
        return 0.0
    total = 0.0
    for part in parts:
        number = whole_number(part.split(".")[0].strip(), 0, 10 ** 7)
        if number is None:
            return 0.0
        total = total * 60 + number
    return total


def _episode_type(value: str | None) -> str | None:
    return value.lower() if value and value.lower() in ("full", "trailer", "bonus") else None


def _explicit(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.lower() in ("yes", "true", "explicit")


# -- writing the project -------------------------------------------------------------------


def feed_name(show: ImportedShow, given: str | None, where: str) -> str:
    if given:
        if not _FEED_NAME.fullmatch(given):
            raise ProjectError(f"--feed {given!r} is not a feed name", where=where,
                               fix="use a-z, 0-9, '.', '_' and '-' (at most 100)")
        return given
    return make_slug(show.title)[:60].strip("-") or "show"


def front_matter(item: ImportedItem, tag: str, lang: str | None) -> str:
    data: dict[str, Any] = {"title": item.title, "date": item.date.isoformat(),
                            "guid": item.guid}
    if lang:
        data["lang"] = lang
    if item.enclosure is not None:
        data.update({"audio": item.enclosure.url, "remote_audio": True})
    data["tags"] = [tag]
    optional = {"image": item.image, "season": item.season, "episode": item.episode,
                "episode_type": item.episode_type, "explicit": item.explicit}
    data.update({k: v for k, v in optional.items() if v is not None})
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10 ** 6)
    return f"---\n{text}---\n{item.body}\n"


def feed_definition(show: ImportedShow, tag: str, source: str, old_url: str | None) -> str:
    lines = [f"# imported from {toml_string(source)} by `companion import`"]
    if old_url:
        lines.append(f"moved_from = [{toml_string(old_url)}]")
    values: list[tuple[str, object]] = [
        ("title", show.title), ("description", show.description or show.title),
        ("author", show.author or (show.owner[0] if show.owner else None) or show.title),
        ("language", show.language), ("artwork", show.artwork),
        ("explicit", show.explicit), ("type", show.type),
        ("podcast_guid", show.podcast_guid)]
    lines += [f"{key} = {toml_string(value)}" for key, value in values if value is not None]
    if show.categories:
        lines.append("categories = [" + ", ".join(
            "[" + ", ".join(toml_string(c) for c in pair) + "]" for pair in show.categories) + "]")
    if show.owner:
        lines += ["", "[owner]", f"name = {toml_string(show.owner[0] or show.title)}",
                  f"email = {toml_string(show.owner[1])}"]
    lines += ["", "[select]", f"tags = [{toml_string(tag)}]", ""]
    text = "\n".join(lines)
    tomllib.loads(text)  # what it writes, it can read
    return text


def toml_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def site_config(show: ImportedShow, base_url: str) -> str:
    return (f"[site]\ntitle = {toml_string(show.title)}\nbase_url = {toml_string(base_url)}\n"
            f"language = {toml_string(show.language or 'en')}\n\n[publish]\ntarget = \"public\"\n")


def plan(show: ImportedShow, root: Path, name: str, known: Mapping[str, str]
         ) -> tuple[dict[Path, bytes], int]:
    """The files to write (path -> bytes) and how many items the project already has."""
    files: dict[Path, bytes] = {}
    kept = 0
    slugs = used_slugs(root)
    for item in show.items:
        if item.guid in known:
            kept += 1
            continue
        slug = _free_slug(item, slugs)
        slugs.add(slug)
        path = root / "episodes" / f"{item.date:%Y-%m-%d}-{slug}.md"
        files[path] = front_matter(item, name, show.language).encode("utf-8")
    return files, kept


def used_slugs(root: Path) -> set[str]:
    """The slugs the project's article files take (by their names: date-name.ext)."""
    from companion._read.slugs import split_jekyll_name

    folder = root / "episodes"
    paths = folder.rglob("*") if folder.is_dir() else ()
    return {split_jekyll_name(p.stem)[1] for p in paths if p.is_file()}


def _free_slug(item: ImportedItem, taken: set[str]) -> str:
    """The item's slug from its title; a title used before gets its date, then a number."""
    slug = make_slug(item.title) or "episode"
    if slug not in taken:
        return slug
    slug = f"{slug}-{item.date:%Y-%m-%d}"
    found, number = slug, 1
    while found in taken:
        number += 1
        found = f"{slug}-{number}"
    return found


def write_all(files: Mapping[Path, bytes]) -> list[Path]:
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    return list(files)


def move_steps(old_url: str | None, new_url: str) -> list[str]:
    old = old_url or "the old feed's address"
    return [
        "companion fetch is not needed: the enclosures stay where they are "
        "(remote_audio: true); build and publish: companion publish",
        f"on the old host, make {old} send apps to {new_url}: add "
        f"<itunes:new-feed-url>{new_url}</itunes:new-feed-url> to the old feed's <channel>, "
        "or answer the old address with a 301 redirect to the new one; keep it for at "
        "least four weeks (apps move at their next poll)",
        "update the feed address where you submitted the show (Apple Podcasts Connect, "
        "Spotify for Creators, the Podcast Index) if it does not follow the redirect",
        "moving the audio into the bucket is a separate, later step: remove "
        "remote_audio: true from an article and run companion fetch (its enclosure URL then "
        "changes, so apps download that episode again)",
    ]


def existing_guids(paths: Sequence[Path]) -> dict[str, str]:
    """`guid:` -> article path, of the project's articles (front matter only)."""
    found: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if not text.startswith("---"):
            continue
        head = text[3:].split("\n---", 1)[0]
        try:
            data = yaml.safe_load(head)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and data.get("guid") is not None:
            found[str(data["guid"])] = str(path)
    return found


# -- the whole import ----------------------------------------------------------------------


def _new_config(show: ImportedShow, base_url: str | None, config: Path) -> bytes:
    if not base_url or not base_url.startswith(("http://", "https://")):
        raise ProjectError("the project has no companion.toml, so the import needs the "
                           "show's new address", where=str(config),
                           fix="add --base-url https://podcasts.example.org/ (where the "
                               "site will be served)")
    return site_config(show, base_url.rstrip("/") + "/").encode("utf-8")


def read_source(source: str, cwd: Path, options: Any) -> tuple[bytes, str, str | None]:
    """The feed's bytes, where to say it came from, and its URL (None: a file)."""
    if source.startswith(("http://", "https://")):
        return _download(source, options), source, source
    path = (cwd / source).expanduser()
    try:
        return _read_file(path), str(path), None
    except FileNotFoundError:
        raise ReadError("no such feed file", where=str(path),
                        fix="give the feed's URL (https://...) or the path of a saved copy"
                        ) from None
    except OSError as exc:
        raise ReadError(f"cannot read the feed: {exc.strerror}", where=str(path),
                        fix="check the path and its permissions") from None


def _read_file(path: Path, cap: int = MAX_FEED_BYTES) -> bytes:
    """The file's bytes, read a chunk at a time and never more than `cap`: a file larger
    is refused by its size before a byte is read, and one that grows as it is read (a
    pipe, a device, a log) when the bytes read pass the cap."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > cap:
            raise _file_too_large(path, f"is {size:,} bytes, more than the {cap:,} bytes "
                                        "companion reads of a feed")
        data = bytearray()
        while chunk := file.read(min(CHUNK, cap + 1 - len(data))):
            data += chunk
            if len(data) > cap:
                raise _file_too_large(path, f"went on past {cap:,} bytes as it was read (it "
                                            "grows, or never ends): more than companion reads "
                                            "of a feed")
    return bytes(data)


def _file_too_large(path: Path, how: str) -> ReadError:
    return ReadError(f"the feed file {how}",
                     where=str(path), fix="check that this is the show's RSS feed (a feed is "
                     "rarely that large), saved whole")


def _download(url: str, options: Any) -> bytes:
    from dataclasses import replace

    from companion._errors import FetchError
    from companion._fetch.http import client, request_errors
    from companion._http import body

    options = replace(options, deadline=min(options.deadline, IMPORT_DEADLINE))
    with client(options) as http, request_errors(url, url, "companion import"), \
            http.stream("GET", url) as answer:
        if answer.status_code != 200:
            raise FetchError(f"{url} answered HTTP {answer.status_code}", where=url,
                             fix="check the feed's address (open it in a browser)")
        data = bytearray()
        for chunk in body(http, answer):
            data += chunk
            if len(data) > MAX_FEED_BYTES:
                raise FetchError(f"{url} is larger than {MAX_FEED_BYTES:,} bytes", where=url,
                                 fix="check that this is the show's RSS feed (a feed is "
                                     "rarely that large)")
    return bytes(data)


def run_import(root: Path, source: str, *, name: str | None = None,
               base_url: str | None = None, cwd: Path | None = None,
               options: Any = None) -> ImportReport:
    """Import the show at `source` into the project at `root` (see the module docstring)."""
    from companion._config.project import CONFIG_NAME, load_site
    from companion._fetch.job import FetchOptions
    from companion._pair import remote as _remote
    from companion._pair.cache import Cache

    data, where, old_url = read_source(source, cwd or Path.cwd(), options or FetchOptions())
    show = parse_feed(data, where)
    feed = feed_name(show, name, where)
    definition = root / "feeds" / f"{feed}.toml"
    if definition.exists() and f"tags = [{toml_string(feed)}]" not in definition.read_text(
            encoding="utf-8", errors="replace"):
        raise ProjectError(f"feeds/{feed}.toml exists and is another show's", where=str(
            definition), fix=f"give the imported show another name: --feed {feed}-imported")
    config = root / CONFIG_NAME
    written = [] if config.is_file() else write_all({config: _new_config(show, base_url,
                                                                         config)})
    site = load_site(root)
    files: dict[Path, bytes] = {}
    if not definition.exists():
        files[definition] = feed_definition(show, feed, source if old_url else Path(where).name,
                                            old_url).encode("utf-8")
    known = existing_guids(sorted((root / "episodes").rglob("*.md"))
                           if (root / "episodes").is_dir() else [])
    articles, kept = plan(show, root, feed, known)
    files.update(articles)
    written += write_all(files)
    cache = Cache(site.cache_dir)
    new = [i for i in show.items if i.guid not in known and i.enclosure is not None]
    for item in new:
        if item.enclosure and item.enclosure.size and _remote.cached(
                cache, item.enclosure.url, item.guid) is None:
            _remote.store(cache, item.enclosure)
    skipped = list(show.skipped) + [
        f"{i.guid}: the enclosure gives no length; its audio is read by `companion fetch`"
        for i in new if i.enclosure is not None and not i.enclosure.size]
    if old_url and (secrets := url_secrets(old_url)) and definition in files:
        skipped.append(f"the feed's URL carries a secret ({', '.join(secrets)}): feeds/{feed}"
                       ".toml keeps it in moved_from as given (it names the old feed); remove "
                       "it there before you share the project")
    return ImportReport(feed, written, kept, skipped, move_steps(old_url, site.feed_url(feed)))
