"""``pairing.toml``, at the project's root and committed: what producers decided about
pairing, so that two producers (and CI) see the same decisions.

    [[chosen]]      # settles an ambiguous article: `companion pair --choose SLUG ID`
    slug = "2025-09-03-port"
    source = "youtube"          # "youtube", "spotify" or "rss"
    id = "dQw4w9WgXcQ"

    [[rejected]]    # a candidate that is wrong: never proposed again (`--reject SLUG ID`)
    slug = "2025-09-03-port"
    source = "youtube"
    id = "aaaaaaaaaaa"

    [[show]]        # the show's RSS item accepted for an article (`--accept`)
    slug = "2025-09-03-port"
    guid = "e5c1..."
    audio = "https://host.example/episode.mp3"   # the enclosure: the episode's audio
    type = "audio/mpeg"
    length = 1234567
    title = "The port reopens"
    duration = 1312.0

`read_pairing` reads it (a missing file is no decision at all); `render_pairing` writes it
back in the same form. Anything else in it is one `ReadError` naming the table and field.
"""

from __future__ import annotations

import functools
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion._errors import ReadError
from companion._model import ShowItem
from companion._text import finite_number, whole_number

PAIRING_FILE = "pairing.toml"
SOURCES = ("youtube", "spotify", "rss")
_MAX_BYTES = 1 << 44


@dataclass(frozen=True)
class Pairing:
    """The file's records: `chosen[slug][source] = id`, `rejected[slug]` = {(source, id)},
    `shows[slug]` = the accepted RSS item."""

    chosen: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    rejected: Mapping[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    shows: Mapping[str, ShowItem] = field(default_factory=dict)


def _fail(message: str, field_name: str | None, fix: str) -> ReadError:
    return ReadError(message, where=PAIRING_FILE, field=field_name, fix=fix)


def _optional(table: Mapping[str, Any], key: str, where: str) -> str | None:
    return None if table.get(key) is None else _text(table, key, where)


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip() or any(ord(c) < 32 for c in value):
        raise _fail("not a non-empty line of text", f"{where}.{key}",
                    f'write {key} = "..." (or run `companion pair` to write the file)')
    return value.strip()


def _tables(data: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise _fail(f"not an array of tables ([[{name}]])", name,
                    f"write each record as a [[{name}]] table")
    return value


def _source(table: Mapping[str, Any], where: str) -> str:
    source = _text(table, "source", where)
    if source not in SOURCES:
        raise _fail(f"{source!r} is no source", f"{where}.source",
                    'write source = "youtube", "spotify" or "rss"')
    return source


def _show(table: Mapping[str, Any], where: str) -> ShowItem:
    audio = _text(table, "audio", where)
    if not audio.lower().startswith(("http://", "https://")):
        raise _fail("not an http(s) URL", f"{where}.audio",
                    "write the enclosure's URL, as the show's RSS gives it")
    length = table.get("length")
    duration = table.get("duration")
    found_length = whole_number(length, 0, _MAX_BYTES) if length is not None else None
    found_duration = finite_number(duration, 0.0, 10 * 24 * 3600.0) \
        if duration is not None else None
    if (length is not None and found_length is None) or (
            duration is not None and found_duration is None):
        bad = "length" if length is not None and found_length is None else "duration"
        raise _fail("not a number", f"{where}.{bad}",
                    "write a whole number of bytes (length) or of seconds (duration)")
    return ShowItem(_text(table, "guid", where), audio, _optional(table, "type", where),
                    found_length, _optional(table, "title", where), found_duration)


def _decision(table: Mapping[str, Any], where: str) -> tuple[str, str, str]:
    """(slug, source, id) of a [[chosen]] or [[rejected]] record."""
    return _text(table, "slug", where), _source(table, where), _text(table, "id", where)


def parse_pairing(data: bytes) -> Pairing:
    """The records `data` (the file's bytes) holds; anything else -> `ReadError`."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError, UTF-8, 4,300 digits
        raise _fail(f"not valid TOML: {exc}", None, "correct the file, or remove it and "
                    "run `companion pair` again") from None
    chosen: dict[str, dict[str, str]] = {}
    rejected: dict[str, set[tuple[str, str]]] = {}
    shows: dict[str, ShowItem] = {}
    for number, table in enumerate(_tables(doc, "chosen")):
        slug, source, key = _decision(table, f"chosen[{number}]")
        chosen.setdefault(slug, {})[source] = key
    for number, table in enumerate(_tables(doc, "rejected")):
        slug, source, key = _decision(table, f"rejected[{number}]")
        rejected.setdefault(slug, set()).add((source, key))
    for number, table in enumerate(_tables(doc, "show")):
        shows[_text(table, "slug", f"show[{number}]")] = _show(table, f"show[{number}]")
    return Pairing(chosen, {k: frozenset(v) for k, v in rejected.items()}, shows)


def pairing_path(root: Path) -> Path:
    return root / PAIRING_FILE


def read_pairing(root: Path) -> Pairing:
    """The project's ``pairing.toml`` (no file: no records); a damaged one -> `ReadError`."""
    path = pairing_path(root)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Pairing()
    except OSError as exc:
        raise _fail(f"cannot read the file: {exc.strerror}", None,
                    "check that it is readable") from None
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _read_cached(path: str, mtime_ns: int, size: int) -> Pairing:
    """Read once per version of the file (a build reads it for every article)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read the file: {exc.strerror}", None,
                    "check that it is readable") from None
    return parse_pairing(data)


def _line(key: str, value: str | int | float) -> str:
    """`key = value` in TOML (a JSON string is a TOML basic string)."""
    shown = json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f") \
        if isinstance(value, str) else repr(value)
    return f"{key} = {shown}\n"


def render_pairing(pairing: Pairing) -> bytes:
    """The file for `pairing`, sorted (slug, source, id), so that a diff shows what changed."""
    out = ["# companion pair: what producers decided (commit it). See the README, "
           "\"Pairing\".\n"]
    for slug in sorted(pairing.chosen):
        for source, key in sorted(pairing.chosen[slug].items()):
            out += ["\n[[chosen]]\n", _line("slug", slug), _line("source", source),
                    _line("id", key)]
    for slug in sorted(pairing.rejected):
        for source, key in sorted(pairing.rejected[slug]):
            out += ["\n[[rejected]]\n", _line("slug", slug), _line("source", source),
                    _line("id", key)]
    for slug in sorted(pairing.shows):
        item = pairing.shows[slug]
        out += ["\n[[show]]\n", _line("slug", slug), _line("guid", item.guid),
                _line("audio", item.audio)]
        out += [_line(key, value) for key, value in (
            ("type", item.mime_type), ("length", item.length), ("title", item.title),
            ("duration", item.duration)) if value is not None]
    return "".join(out).encode("utf-8")
