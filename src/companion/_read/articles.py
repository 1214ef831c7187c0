"""The read stage: article files in ``episodes/`` become `Article`s.

Markdown (``.md``, ``.markdown``) carries Jekyll front matter; plain text
(``.txt``) may carry front matter, a ``<stem>.yml`` sidecar, or nothing, in which
case its title, language and date are inferred and recorded in
`Article.inferred`. `read_project` reads every file and collects every problem
in one pass; `read_article` reads one file and raises the first `ReadError`.
"""

from __future__ import annotations

import stat
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from companion._config import podcasting as _p20
from companion._config.project import inside, project_rel
from companion._errors import Problem, ReadError
from companion._model import (
    Article,
    ArticleFormat,
    Credit,
    Identity,
    Inference,
    Link,
    Place,
    Site,
)
from companion._read import links as _links_module
from companion._read.files import (
    ARTICLE_SUFFIXES,
    MARKDOWN_SUFFIXES,
    SIDECAR_SUFFIXES,
    walk,
)
from companion._read.lang import (
    dateline_place,
    detect_language,
    direction,
    find_dateline,
    infer_title,
    normalize_lang,
)
from companion._read.slugs import make_slug, split_jekyll_name
from companion._text import clean_text, nearest, whole_number

if TYPE_CHECKING:  # the cache (SQLite) is the build's: `check` reads without it
    from companion._read.parsed import ParsedCache

KNOWN_KEYS = frozenset({
    "layout", "title", "author", "categories", "tags", "image", "video", "spotify",
    "description", "featured", "hidden", "date", "lang", "guid", "audio", "season", "episode",
    "episode_type", "explicit", "slug", "published", "draft",
    "remote_audio",  # issue 16, item 4: an imported show's enclosure kept at its own URL
    # issue 16A: podcast:person, podcast:location, podcast:license
    "hosts", "guests", "location", "license",
    "people",  # issue 25: people with pictures (name, role, group, image, link)
})
#: Keys that Jekyll, its common themes and plugins (and Hugo) use: kept in `extra`, quietly.
THEME_KEYS = frozenset({
    "permalink", "excerpt", "excerpt_separator", "redirect_from", "redirect_to",
    "last_modified_at", "category", "comments", "share", "related", "toc", "toc_label",
    "toc_icon", "toc_sticky", "header", "teaser", "classes", "sidebar", "author_profile",
    "read_time", "show_date", "sitemap", "pin", "seo_title", "canonical_url", "subtitle",
    "summary", "keywords", "modified", "updated", "lastmod", "render_with_liquid",
    "pagination", "math", "mathjax", "image_alt", "image_caption", "caption", "credit",
    "source", "weight", "aliases", "series", "publishDate", "expiryDate",
    "thumbnail", "cover", "feature", "feature_image", "og_image", "twitter", "lang_ref",
    "translations", "ref", "type", "id", "uuid", "menu", "nav_order", "parent",
    "search", "robots", "noindex", "show_excerpts", "tagline", "overlay_image", "mermaid",
})
DRAFTS_DIR = "_drafts"  # episodes/_drafts/...: drafts, as in Jekyll
_EPISODE_TYPES = ("full", "trailer", "bonus")
#: An article is text someone wrote: anything larger is a mistake (a pasted binary, a dump).
MAX_ARTICLE_BYTES = 2_000_000
#: Front matter is a handful of keys: a YAML alias bomb expands far beyond this.
MAX_FRONT_MATTER_NODES = 20_000
#: The largest season or episode number (apps show them; none counts this far).
MAX_NUMBER = 999_999
#: A YAML integer longer than this stays text: a field that wants a number says what is wrong
#: (Python refuses to read integers of more than 4,300 digits, with a message about itself).
MAX_YAML_DIGITS = 30
#: companion's own namespace for episode GUIDs (UUIDv5). Never change it.
GUID_NAMESPACE = uuid.UUID("89b64a9b-cf28-4b0a-b902-a9f7ffea180c")


@dataclass(frozen=True)
class ReadResult:
    """Every article that could be read (sorted by date, then slug) and every problem."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Fields:
    """Front-matter values with their errors: each getter records a Problem and moves on."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where
        self.problems: list[Problem] = []

    def error(self, key: str, message: str, fix: str) -> None:
        self.problems.append(Problem("error", self.where, message, fix, key))

    def warn(self, key: str, message: str, fix: str) -> None:
        self.problems.append(Problem("warning", self.where, message, fix, key))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def switch(self, key: str) -> bool | None:
        """A strict true/false: a quoted word ("no", "false") or anything else is an error,
        since Jekyll reads a quoted "no" as true and would publish a draft."""
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.error(key, f"{key} must be true or false (unquoted), not {value!r}",
                   f"write {key}: false or {key}: true, without quotes")
        return None

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, (dict, list)):
            if value is not None:
                self.error(key, f"{key} must be a single value, not a list or mapping",
                           f'write it as {key}: "..."')
            return None
        text = clean_text(str(value)).strip()
        return text or None

    def words(self, key: str) -> tuple[str, ...]:
        """A YAML list or a space-separated string (Jekyll semantics)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, (list, tuple)):
            words = (clean_text(str(v)).strip() for v in value
                     if v is not None and not isinstance(v, (dict, list)))
            return tuple(w for w in words if w)
        if isinstance(value, dict):
            self.error(key, f"{key} must be a list or a space-separated string",
                       f"write it as {key}: [one, two]")
            return ()
        return tuple(clean_text(str(value)).split())

    def flag(self, key: str, default: bool | None) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
            return value.strip().lower() in ("true", "yes")
        self.error(key, f"{key} must be true or false, not {value!r}", f"write {key}: true")
        return default

    def positive(self, key: str) -> int | None:
        """A whole number from 1 to `MAX_NUMBER`, in ASCII digits ("²" or "٣" are not)."""
        value = self.data.get(key)
        if value is None:
            return None
        number = whole_number(value, 1, MAX_NUMBER)
        if number is None:
            shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:37]}..."
            self.error(key, f"{key} must be a whole number from 1 to {MAX_NUMBER:,}, "
                       f"not {shown}", f"write {key}: 1 (in the digits 0-9)")
        return number


# -- files ---------------------------------------------------------------------------------


def _orphan_sidecar(path: Path, site: Site) -> Problem | None:
    if path.suffix.lower() not in SIDECAR_SUFFIXES or path.with_suffix(".txt").exists():
        return None
    return Problem("warning", project_rel(path, site),
                   "a sidecar with no .txt article of the same name; ignored",
                   f"rename it to match its article, e.g. {path.stem}.txt")


# -- bytes to text -------------------------------------------------------------------------


def _read_bytes(path: Path, where: str) -> bytes:
    """The file's bytes; a FIFO, device or folder, or a file over the size limit, is refused
    before anything is read (so neither a pipe nor a huge file can stall the read)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ReadError("not a regular file (a pipe, device or folder)", where=where,
                        fix="remove it from episodes/")
    if info.st_size > MAX_ARTICLE_BYTES:
        raise ReadError(f"the file is too large ({info.st_size:,} bytes; at most "
                        f"{MAX_ARTICLE_BYTES:,})", where=where,
                        fix="an article is text: remove what does not belong in it")
    with path.open("rb") as handle:
        return handle.read(MAX_ARTICLE_BYTES + 1)


def _decode(raw: bytes, where: str) -> str:
    fix = "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)"
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ReadError(f"the file is too large ({len(raw):,} bytes; at most "
                        f"{MAX_ARTICLE_BYTES:,})", where=where,
                        fix="an article is text: remove what does not belong in it")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("the file is UTF-16, not UTF-8", where=where, fix=fix)
    if b"\x00" in raw:
        raise ReadError("a binary file, not an article", where=where,
                        fix="remove it from episodes/ or save the article as UTF-8 text")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start:exc.start + 1].hex()
        raise ReadError(f"not UTF-8 (byte 0x{byte} at offset {exc.start}; "
                        "Latin-1 or Windows-1252?)", where=where, fix=fix) from None
    if not text.strip():
        raise ReadError("the file is empty", where=where,
                        fix="write the article, or delete the file")
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))


#: libyaml's parser when PyYAML was built with it (every wheel on PyPI is): 7x faster
#: than the pure-Python one, with the same answers; it also refuses nesting deeper than
#: 1,000 levels by itself.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader) \
    if yaml.__with_libyaml__ else yaml.SafeLoader


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """safe_load, but dates stay text: the date field parses them, with a good message."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


def _int_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A YAML integer, or its text when it is absurdly long (see `MAX_YAML_DIGITS`)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    text = loader.construct_scalar(node)
    if isinstance(text, str) and len(text) > MAX_YAML_DIGITS:
        return text
    return loader.construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes `node` stands for once every alias is expanded (memoized, so linear)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a recursive alias counts once
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    sizes[id(node)] = total = min(total, MAX_FRONT_MATTER_NODES + 1)
    return total


def _load_yaml(text: str, where: str, first_line: int) -> dict[str, Any]:
    fix = ("correct the YAML; quote values that contain ': ' or start with a special "
           "character")
    loader = _Loader(text)
    try:  # composed once: the alias check and the values come from the same nodes
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_FRONT_MATTER_NODES:
            raise ReadError("front matter is too large once its YAML aliases (*name) are "
                            "expanded", where=where, field="front matter",
                            fix="write the values out instead of repeating aliases")
        data = None if node is None else loader.construct_document(node)
    except RecursionError:
        raise ReadError("front matter is nested too deeply", where=where,
                        field="front matter", fix=fix) from None
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + first_line}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReadError(f"front matter is not valid YAML ({line}{problem})", where=where,
                        field="front matter", fix=fix) from None
    finally:
        loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReadError(f"front matter must be a mapping of keys, not a {type(data).__name__}",
                        where=where, field="front matter",
                        fix="write one 'key: value' per line between the --- lines")
    return {str(key): value for key, value in data.items()}


def _split_front_matter(text: str, where: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter or None, body)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            data = _load_yaml("\n".join(lines[1:number]), where, first_line=2)
            return data, "\n".join(lines[number + 1:])
    raise ReadError("front matter is not closed", where=where, field="front matter",
                    fix="end the front matter with a line of three dashes: ---")


def _sidecar(path: Path, site: Site) -> dict[str, Any]:
    found = [path.with_suffix(s) for s in SIDECAR_SUFFIXES if path.with_suffix(s).is_file()]
    if not found:
        return {}
    where = project_rel(found[0], site)
    if len(found) > 1:
        raise ReadError("two sidecars for one article", where=where,
                        fix=f"keep one of {found[0].name} and {found[1].name}")
    if found[0].is_symlink() and not inside(found[0], site.root):
        raise ReadError("a symbolic link that points outside the project; not followed",
                        where=where, fix="copy the sidecar into episodes/")
    text = _decode(_read_bytes(found[0], where), where)
    return _load_yaml(text, where, first_line=1)


# -- fields --------------------------------------------------------------------------------


def _as_datetime(value: Any, tz: tzinfo = UTC) -> datetime:
    """A date, datetime or ISO string as an aware datetime (without an offset: in `tz`, a date
    alone at midnight there); ValueError otherwise."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = datetime.fromisoformat(text)
        except ValueError:
            result = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")  # Jekyll's " +0000"
            if len(text) > 19:
                result = datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    else:
        raise ValueError(f"not a date: {value!r}")
    return result if result.tzinfo else result.replace(tzinfo=tz)


def _name_date(path: Path, where: str, tz: tzinfo = UTC) -> datetime | None:
    parts, _ = split_jekyll_name(path.stem)
    if parts is None:
        return None
    try:
        return datetime(*parts, tzinfo=tz)
    except ValueError:
        raise ReadError(f"the date in the file name ({path.stem[:10]}) does not exist",
                        where=where, field="date",
                        fix="rename the file to YYYY-MM-DD-slug with a real date") from None


def _date(fields: _Fields, path: Path, dateline: date | None,
          inferred: list[Inference], tz: tzinfo = UTC) -> datetime | None:
    if fields.data.get("date") not in (None, ""):
        try:
            return _as_datetime(fields.data["date"], tz)
        except (ValueError, OverflowError):
            fields.error("date", f"{fields.data['date']!r} is not a date",
                         "write date: 2025-09-02 or date: 2025-09-02 18:30:00 +0400")
            return None
    from_name = _name_date(path, fields.where, tz)
    if from_name is not None or dateline is None:
        return from_name
    inferred.append(Inference("date", dateline.isoformat(), "from the dateline"))
    return datetime.combine(dateline, time(), tzinfo=tz)


def _draft(fields: _Fields, path: Path, site: Site) -> bool:
    """`published: false`, `draft: true`, or a file under episodes/_drafts/."""
    published, draft = fields.switch("published"), fields.switch("draft")
    try:
        in_drafts = DRAFTS_DIR in path.relative_to(site.episodes_dir).parts[:-1]
    except ValueError:
        in_drafts = False
    return published is False or draft is True or in_drafts


def _unknown_keys(fields: _Fields) -> None:
    """A key companion does not know, and no Jekyll theme uses, is most likely a typo."""
    for key in fields.data:
        if key in KNOWN_KEYS or key in THEME_KEYS:
            continue
        hint = nearest(key, KNOWN_KEYS)
        if hint:
            fields.warn(key, f"`{key}`: unknown key; did you mean `{hint}`?",
                        f"rename it to `{hint}`")
        else:
            fields.warn(key, f"`{key}`: unknown key, ignored",
                        "remove it, or keep it if a template of yours reads it")


def _lang(fields: _Fields, sample: str, site: Site, inferred: list[Inference],
          cache: ParsedCache | None = None) -> str:
    given = fields.text("lang")
    if given:
        try:
            return normalize_lang(given)
        except ValueError:
            fields.error("lang", f"{given!r} is not a language tag",
                         "write a BCP 47 tag such as en, ka, ar, es or pt-br")
            return site.language.lower()
    found = (cache.language(sample, lambda: detect_language(sample)) if cache is not None
             else detect_language(sample))
    if found is None:
        inferred.append(Inference("lang", site.language.lower(),
                                  "the site's language; the text was too short to tell"))
        return site.language.lower()
    inferred.append(Inference("lang", found, "detected from the text"))
    return found


def _video(fields: _Fields) -> tuple[str | None, str | None]:
    url = fields.text("video")
    if url is None:
        return None, None
    found = _links_module.youtube_id(url)
    if found is None:
        fields.error("video", f"{url!r} is not a YouTube video URL",
                     "use the video's link, e.g. https://www.youtube.com/watch?v=VIDEO_ID")
    return url, found


def _spotify(fields: _Fields) -> tuple[str | None, str | None]:
    url = fields.text("spotify")
    if url is None:
        return None, None
    found = _links_module.spotify_episode_id(url)
    if found is None:
        kind = _links_module.spotify_kind(url)
        what = f"a Spotify {kind[0]} URL, not an episode" if kind else "not a Spotify URL"
        fields.error("spotify", f"{url!r} is {what}",
                     "use the episode's share link: https://open.spotify.com/episode/EPISODE_ID")
    return url, found


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return (parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
            and not any(ch.isspace() or ch in '<>"' for ch in value))


def _project_file(fields: _Fields, key: str, root: Path, example: str) -> str | None:
    """An http(s) URL, or a relative path to a file inside the project (after following
    symbolic links); anything else (file:, javascript:, data:, absolute, ..) is an error."""
    value = fields.text(key)
    if value is None:
        return None
    if value.lower().startswith(("http://", "https://")):
        if not _is_http_url(value):
            fields.error(key, f"{value!r} is not a valid http(s) URL",
                         f"write the full address, e.g. https://example.org/{example}")
        return value
    first = value.replace("\\", "/").split("/", 1)[0]
    if (":" in first or value.startswith(("/", "\\", "~"))
            or ".." in Path(value.replace("\\", "/")).parts):
        fields.error(key, f"{value!r} is neither an http(s) URL nor a path in the project",
                     f"write a path relative to the project, e.g. {example}")
        return value
    if not inside(root / value, root):
        fields.error(key, f"{value!r} leads outside the project (a symbolic link?)",
                     f"copy the file into the project, e.g. {example}")
    elif (root / value).exists() and not (root / value).is_file():
        fields.error(key, f"{value!r} is not a regular file (a folder, pipe or device)",
                     f"give the path of the file itself, e.g. {example}")
    return value


def _episode_type(fields: _Fields) -> Any:
    value = (fields.text("episode_type") or "full").lower()
    if value not in _EPISODE_TYPES:
        fields.error("episode_type", f"{value!r} is not full, trailer or bonus",
                     "write episode_type: full")
        return "full"
    return value


def _slug(fields: _Fields, path: Path) -> str:
    given = fields.text("slug")
    slug = make_slug(given or split_jekyll_name(path.stem)[1])
    if not slug:
        key = "slug" if given else "file name"
        fields.error(key, "no URL-safe slug can be made from it",
                     "add slug: some-words (a-z, 0-9 and hyphens)")
        return ""
    return slug


# -- one article ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """What the file holds before the fields are read."""

    front: dict[str, Any]
    body: str
    format: ArticleFormat


def _source(path: Path, site: Site, where: str) -> _Source:
    text = _decode(_read_bytes(path, where), where)
    front, body = _split_front_matter(text, where)
    is_markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    data = dict(front or {})
    if not is_markdown:
        data.update(_sidecar(path, site))
    # A .txt that opens with Jekyll front matter is a Jekyll post: its body is Markdown.
    fmt: ArticleFormat = "markdown" if is_markdown or front is not None else "text"
    return _Source(data, body.strip("\n"), fmt)


def _title(fields: _Fields, source: _Source, inferred: list[Inference]) -> tuple[str, str]:
    """(title, body): an inferred title's own line leaves the body."""
    given = fields.text("title")
    if given:
        return given, source.body
    found = infer_title(source.body, source.format)
    if found is None:
        fields.error("title", "no title, and none can be inferred from the text",
                     'add title: "..." to the front matter (or a .yml sidecar)')
        return "", source.body
    inferred.append(Inference("title", found.title, found.how))
    return found.title, found.body


def _extra(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in KNOWN_KEYS}


def _links(body: str, fmt: ArticleFormat, exclude: list[str],
           cache: ParsedCache | None) -> tuple[Link, ...]:
    if cache is None:
        return _links_module.extract_links(body, fmt, exclude=exclude)
    return cache.links(body, fmt, exclude,
                       lambda: _links_module.extract_links(body, fmt, exclude=exclude))


def _build(path: Path, site: Site, where: str,
           cache: ParsedCache | None = None) -> tuple[Article | None, list[Problem]]:
    source = _source(path, site, where)
    fields = _Fields(source.front, where)
    _unknown_keys(fields)
    inferred: list[Inference] = []
    dateline = find_dateline(source.body) if source.format == "text" else None
    title, body = _title(fields, source, inferred)
    video, video_id = _video(fields)
    spotify, spotify_id = _spotify(fields)
    article = Article(
        path=path, relpath=where, slug=_slug(fields, path), title=title, body=body,
        format=source.format,
        lang=(lang := _lang(fields, f"{title}\n{body}", site, inferred, cache)),
        direction=direction(lang),
        date=_date(fields, path, dateline.date if dateline else None, inferred, site.tz),
        author=_author(fields), description=fields.text("description"),
        categories=fields.words("categories"), tags=fields.words("tags"),
        image=_project_file(fields, "image", site.root, "episodes/images/cover.jpg"),
        video=video, youtube_id=video_id, spotify=spotify,
        spotify_id=spotify_id, guid=fields.text("guid"),
        audio=_project_file(fields, "audio", site.root, "media/episode.mp3"),
        season=fields.positive("season"), episode=fields.positive("episode"),
        episode_type=_episode_type(fields), explicit=fields.flag("explicit", None),
        featured=bool(fields.flag("featured", False)), hidden=bool(fields.flag("hidden", False)),
        draft=_draft(fields, path, site),
        layout=fields.text("layout"),
        links=_links(body, source.format, [u for u in (video, spotify) if u], cache),
        inferred=tuple(inferred), extra=_extra(source.front),
        remote_audio=_remote_audio(fields),
        people=_people(fields), location=_location(fields, dateline_place(source.body),
                                                   inferred),
        license=_p20.read_value(fields.data, "license", _p20.read_license, fields.error),
    )
    return (None if fields.failed else article), fields.problems


def _remote_audio(fields: _Fields) -> bool:
    """`remote_audio: true`: the `audio:` URL is published as the enclosure, as it is."""
    remote = fields.switch("remote_audio") is True
    audio = fields.text("audio") or ""
    if remote and not audio.lower().startswith(("http://", "https://")):
        fields.error("remote_audio", "remote_audio: true needs `audio:` to be an http(s) URL "
                     "(the enclosure that stays where it is)",
                     "give the audio's URL in `audio:`, or remove remote_audio")
    return remote
def _people(fields: _Fields) -> tuple[Credit, ...]:
    """`hosts:` then `guests:` (names, or tables with role, href, img); with guests but no
    hosts, the `author` hosts (an item's people replace the show's, person.md)."""
    hosts = _p20.read_value(fields.data, "hosts", _hosts, fields.error) or ()
    guests = _p20.read_value(fields.data, "guests", _guests, fields.error) or ()
    others = _p20.read_value(fields.data, "people", _hosts, fields.error) or ()
    author = _author(fields)
    if (guests or others) and not hosts and not any(p.role == "host" for p in others) \
            and author:
        hosts = (Credit(author),)
    return (*hosts, *others, *guests)


def _hosts(value: object, name: str) -> tuple[Credit, ...]:
    return _p20.read_credits(value, name, "host")


def _guests(value: object, name: str) -> tuple[Credit, ...]:
    return _p20.read_credits(value, name, "guest")


def _location(fields: _Fields, place: str | None,
              inferred: list[Inference]) -> Place | None:
    """`location:` (a name, or name, geo, osm, country), else the place of the article's
    dateline ("BATUMI, 1 October 2025", "Baku, AZERTAC"), which `check` shows to confirm."""
    given = _p20.read_value(fields.data, "location", _p20.read_place, fields.error)
    if given is not None or "location" in fields.data or place is None:
        return given
    inferred.append(Inference("location", place, "from the dateline"))
    return Place(place)


def guid_for(explicit: str | None, youtube_id: str | None, spotify_id: str | None,
             slug: str) -> str:
    """Explicit `guid:` wins; else UUIDv5 of youtube:<id>, spotify:<id>, or slug:<slug>."""
    if explicit:
        return explicit
    if youtube_id:
        name = f"youtube:{youtube_id}"
    elif spotify_id:
        name = f"spotify:{spotify_id}"
    else:
        name = f"slug:{slug}"
    return str(uuid.uuid5(GUID_NAMESPACE, name))


def article_guid(article: Article) -> str:
    return guid_for(article.guid, article.youtube_id, article.spotify_id, article.slug)


def redirect_from(data: Mapping[str, Any]) -> tuple[str, ...]:
    """`redirect_from:` (jekyll-redirect-from): one old address of the page, or a list."""
    value = data.get("redirect_from")
    values = value if isinstance(value, list) else [value]
    found = (clean_text(str(v)).strip() for v in values
             if v is not None and not isinstance(v, (dict, list)))
    return tuple(dict.fromkeys(v for v in found if v))


def story_ref(data: Mapping[str, Any]) -> str | None:
    """`ref:` (as Jekyll's multilingual plugins write it): the key the languages of one
    story share."""
    value = data.get("ref")
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    return clean_text(str(value)).strip() or None


def translations_of(data: Mapping[str, Any]) -> tuple[str, ...]:
    """`translations:` (a sidecar's): the slugs of the same story in other languages."""
    value = data.get("translations")
    values = value if isinstance(value, list) else [value]
    found = (clean_text(str(v)).strip() for v in values
             if v is not None and not isinstance(v, (dict, list, bool)))
    return tuple(dict.fromkeys(v for v in found if v))


def identity_of(article: Article) -> Identity:
    """The identity of an article that was read whole (the same as `read_identity`'s)."""
    files = tuple(f for f in (article.audio, article.image) if f and "://" not in f)
    return Identity(article.slug, article_guid(article), article.draft, article.date,
                    article.hidden, files, redirect_from(article.extra),
                    story_ref(article.extra), translations_of(article.extra))


def read_identity(path: Path, site: Site) -> Identity:
    """An article's slug, GUID, lifecycle and local files, from its front matter and name
    only (no Markdown, no language detection): what the build settles before rendering.
    Raises `ReadError` when the article cannot be read."""
    path = Path(path)
    where = project_rel(path, site)
    try:
        if path.is_symlink() and not inside(path, site.root):
            raise ReadError("a symbolic link that points outside the project", where=where)
        source = _source(path, site, where)
    except OSError as exc:
        raise ReadError(f"cannot read the file: {exc.strerror}", where=where) from None
    fields = _Fields(source.front, where)
    dateline = find_dateline(source.body) if source.format == "text" else None
    _video_url, video_id = _video(fields)
    _spotify_url, spotify_id = _spotify(fields)
    slug = _slug(fields, path)
    files = [fields.text(key) for key in ("audio", "image")]
    identity = Identity(
        slug=slug, guid=guid_for(fields.text("guid"), video_id, spotify_id, slug),
        draft=_draft(fields, path, site),
        date=_date(fields, path, dateline.date if dateline else None, [], site.tz),
        hidden=bool(fields.flag("hidden", False)),
        files=tuple(f for f in files if f and "://" not in f),
        redirect_from=redirect_from(source.front), ref=story_ref(source.front),
        translations=translations_of(source.front))
    if fields.failed:
        first = next(p for p in fields.problems if p.severity == "error")
        raise ReadError(first.message, where=where, field=first.field, fix=first.fix)
    return identity


def _author(fields: _Fields) -> str | None:
    value = fields.data.get("author")
    if isinstance(value, list):
        names = (clean_text(str(v)).strip() for v in value if not isinstance(v, (dict, list)))
        return ", ".join(n for n in names if n) or None
    return fields.text("author")


def _read(path: Path, site: Site,
          cache: ParsedCache | None = None) -> tuple[Article | None, list[Problem]]:
    where = project_rel(path, site)
    try:
        if path.is_symlink() and not inside(path, site.root):
            raise ReadError("a symbolic link that points outside the project; not followed",
                            where=where, fix="copy the file into episodes/ instead")
        return _build(path, site, where, cache)
    except ReadError as exc:
        return None, [exc.problem()]
    except OSError as exc:
        return None, [Problem("error", where, f"cannot read the file: {exc.strerror}",
                              "check that it exists and is readable")]


def read_with_problems(path: Path, site: Site, cache: ParsedCache | None = None,
                       ) -> tuple[Article | None, list[Problem]]:
    """Read one article file: the article (None when it has an error) and every problem,
    warnings (unknown keys) included. With `cache` (the build's), its links and language
    come from an earlier read of the same text (`_read.parsed`)."""
    return _read(Path(path), site, cache)


def read_article(path: Path, site: Site) -> Article:
    """Read one article file; raise `ReadError` (file, field, fix) for the first problem."""
    article, problems = _read(Path(path), site)
    errors = [p for p in problems if p.severity == "error"]
    if article is None or errors:
        first = errors[0]
        raise ReadError(first.message, where=first.where, field=first.field, fix=first.fix)
    return article


# -- the project ---------------------------------------------------------------------------


def read_project(site: Site) -> ReadResult:
    """Read every article under episodes/ and collect every problem in one pass.

    Two articles with one slug or GUID are both returned: `_lifecycle.resolve_claims`
    settles such a clash (with the ledger of what was published)."""
    articles: list[Article] = []
    problems: list[Problem] = []
    if not site.episodes_dir.is_dir():
        return ReadResult([], [Problem("error", "episodes", "the episodes folder is missing",
                                       "create episodes/ and put the articles in it")])
    for item in walk(site):
        if isinstance(item, Problem):
            problems.append(item)
        elif item.suffix.lower() in ARTICLE_SUFFIXES:
            article, found = _read(item, site)
            problems.extend(found)
            articles.extend([article] if article else [])
        elif orphan := _orphan_sidecar(item, site):
            problems.append(orphan)
    articles.sort(key=_order)
    return ReadResult(articles, problems)


def _order(article: Article) -> tuple[datetime, str]:
    return (article.date or datetime.min.replace(tzinfo=UTC), article.slug)


def article_notes(site: Site, articles: list[Article]) -> list[Problem]:
    """Warnings and notes about readable articles: a missing date, every inference."""
    problems: list[Problem] = []
    for article in articles:
        if article.date is None:
            problems.append(Problem(
                "warning", article.relpath, "no date: the page is published, but an "
                "episode without a date is in no feed", field="date",
                fix="name the file YYYY-MM-DD-slug, or add date: YYYY-MM-DD "
                    "(front matter or a .yml sidecar)"))
        for guess in article.inferred:
            problems.append(Problem(
                "info", article.relpath, f"{guess.field} {guess.how}: {guess.value!r}",
                field=guess.field, fix=f"to confirm or change it, add {guess.field}: ... "
                                       "to the front matter or a .yml sidecar"))
    return problems
