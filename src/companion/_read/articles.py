"""The read stage: article files in ``episodes/`` become `Article`s.

Markdown (``.md``, ``.markdown``) carries Jekyll front matter; plain text
(``.txt``) may carry front matter, a ``<stem>.yml`` sidecar, or nothing, in which
case its title, language and date are inferred and recorded in
`Article.inferred`. `read_project` reads every file and collects every problem
in one pass; `read_article` reads one file and raises the first `ReadError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from companion._config import podcasting as _p20
from companion._config.project import inside, project_rel
from companion._errors import Problem, ReadError
from companion._model import Article, ArticleFormat, Inference, Link, Place, ShowItem
from companion._read import links as _links_module
from companion._read.files import (
    ARTICLE_SUFFIXES,
    MARKDOWN_SUFFIXES,
    walk,
)
from companion._read.frontmatter import (
    decode,
    orphan_sidecar,
    read_bytes,
    sidecar,
    split_front_matter,
)
from companion._read.identity import guid_for, redirect_from, story_ref, translations_of
from companion._read.keys import KNOWN_KEYS, THEME_KEYS
from companion._read.lang import (
    dateline_place,
    detect_language,
    direction,
    find_dateline,
    infer_title,
    normalize_lang,
)
from companion._read.pairing import read_pairing
from companion._read.slugs import make_slug, split_jekyll_name
from companion._site_model import Identity, Site
from companion._text import clean_text, nearest, whole_number

if TYPE_CHECKING:  # the cache (SQLite) is the build's: `check` reads without it
    from companion._read.parsed import ParsedCache

DRAFTS_DIR = "_drafts"  # episodes/_drafts/...: drafts, as in Jekyll
_EPISODE_TYPES = ("full", "trailer", "bonus")
#: The largest season or episode number (apps show them; none counts this far).
MAX_NUMBER = 999_999


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
    text = decode(read_bytes(path, where), where)
    front, body = split_front_matter(text, where)
    is_markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    data = dict(front or {})
    if not is_markdown:
        data.update(sidecar(path, site))
    # A .txt that opens with Jekyll front matter is a Jekyll post: its body is Markdown.
    fmt: ArticleFormat = "markdown" if is_markdown or front is not None else "text"
    return _Source(data, body.strip("\n"), fmt)


def _title(fields: _Fields, source: _Source, inferred: list[Inference],
           show: ShowItem | None = None) -> tuple[str, str]:
    """(title, body): an inferred title's own line leaves the body. An article without a
    title of its own takes its show episode's (`pairing.toml`), its body kept whole."""
    given = fields.text("title")
    if given:
        return given, source.body
    if show is not None and show.title:
        inferred.append(Inference("title", show.title, "from the show's RSS episode"))
        return show.title, source.body
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
    slug = _slug(fields, path)
    damaged: list[Problem] = []
    try:
        show = read_pairing(site.root).shows.get(slug)
    except ReadError as exc:  # one error for the file (problems are counted once): the
        damaged.append(exc.problem())  # article is read without its show episode
        show = None
    title, body = _title(fields, source, inferred, show)
    video, video_id = _video(fields)
    spotify, spotify_id = _spotify(fields)
    article = Article(
        path=path, relpath=where, slug=slug, title=title, body=body,
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
        people=_p20.read_people(fields.data, _author(fields), fields.error),
        location=_location(fields, dateline_place(source.body), inferred),
        license=_p20.read_value(fields.data, "license", _p20.read_license, fields.error),
        show_item=show,
        chapters=_chapters(fields),
    )
    return (None if fields.failed else article), [*fields.problems, *damaged]


def _chapters(fields: _Fields) -> tuple[str, ...]:
    """`chapters:`: "MM:SS Title" lines (a list, or one block of lines), as written; the
    pair stage checks them against the audio's length."""
    value = fields.data.get("chapters")
    if value is None:
        return ()
    lines = value.splitlines() if isinstance(value, str) else value
    if not isinstance(lines, list) or any(
            isinstance(v, (dict, list)) or v is None for v in lines):
        fields.error("chapters", "chapters must be a list of \"MM:SS Title\" lines",
                     'write chapters: ["00:00 Welcome", "01:30 The story"]')
        return ()
    return tuple(t for t in (clean_text(str(v)).strip() for v in lines) if t)


def _remote_audio(fields: _Fields) -> bool:
    """`remote_audio: true`: the `audio:` URL is published as the enclosure, as it is."""
    remote = fields.switch("remote_audio") is True
    audio = fields.text("audio") or ""
    if remote and not audio.lower().startswith(("http://", "https://")):
        fields.error("remote_audio", "remote_audio: true needs `audio:` to be an http(s) URL "
                     "(the enclosure that stays where it is)",
                     "give the audio's URL in `audio:`, or remove remote_audio")
    return remote


def _location(fields: _Fields, place: str | None,
              inferred: list[Inference]) -> Place | None:
    """`location:` (a name, or name, geo, osm, country), else the place of the article's
    dateline ("BATUMI, 1 October 2025", "Baku, AZERTAC"), which `check` shows to confirm."""
    given = _p20.read_value(fields.data, "location", _p20.read_place, fields.error)
    if given is not None or "location" in fields.data or place is None:
        return given
    inferred.append(Inference("location", place, "from the dateline"))
    return Place(place)


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
        elif orphan := orphan_sidecar(item, site):
            problems.append(orphan)
    articles.sort(key=_order)
    return ReadResult(articles, list(dict.fromkeys(problems)))  # pairing.toml's error: once


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
