"""Podcasting 2.0 values a producer writes, read and checked at the edge, and the analytics
prefix of a show's enclosures.

Feed definitions (``license``, ``txt``, ``update_frequency``, ``enclosure_prefix``) and
front matter (``hosts``, ``guests``, ``location``, ``license``) use the same readers, so a
value means the same in both. Each reader takes what TOML or YAML gave and returns the
model's record, or raises `Invalid` with what is wrong and how to write it. The rules are
the podcast namespace's (https://github.com/Podcastindex-org/podcast-namespace,
``docs/tags/person.md``, ``location.md``, ``license.md``, ``txt.md``,
``update-frequency.md``): node values of at most 128 characters (``txt``: 4,000),
``person`` roles of the Podcast Taxonomy, ``geo:`` URIs, OpenStreetMap ids, RFC 5545
recurrence rules.

An analytics prefix (OP3, Podtrac, Chartable...) goes in front of an enclosure's URL as
OP3 documents it (https://op3.dev/setup, "Examples"): ``https://op3.dev/e/`` + the URL
without ``https://``; an ``http://`` URL keeps its scheme after the prefix. OP3's
``pg=`` argument names the show: ``{podcast_guid}`` in a prefix is replaced by the
show's ``podcast:guid`` (``https://op3.dev/e,pg={podcast_guid}/``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from companion._model import Credit, License, Place, TxtRecord, UpdateFrequency
from companion._text import clean_text

#: The podcast namespace's limit for a node value ("may be truncated by aggregators").
NODE_CHARS = 128
#: ``podcast:txt`` node values (txt.md).
TXT_CHARS = 4000
PODCAST_GUID_FIELD = "{podcast_guid}"
_GEO = re.compile(r"^geo:-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?(,-?\d+(\.\d+)?)?$")
_OSM = re.compile(r"^[NWR]\d+(#\d+)?$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_FIELD = re.compile(r"\{[^{}]*\}")
_FREQUENCIES = {  # update-frequency.md's own examples
    "daily": ("FREQ=DAILY", "Daily"), "weekly": ("FREQ=WEEKLY", "Weekly"),
    "biweekly": ("FREQ=WEEKLY;INTERVAL=2", "Biweekly"),
    "monthly": ("FREQ=MONTHLY", "Monthly"), "yearly": ("FREQ=YEARLY", "Yearly"),
}


T = TypeVar("T")


class Invalid(ValueError):
    """A value that cannot be used: what is wrong (the message) and how to write it."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def read_value(data: Mapping[str, Any], name: str, read: Callable[[object, str], T],
               error: Callable[[str, str, str], None]) -> T | None:
    """`data[name]` through `read`; None when absent, or invalid (then `error(name, message,
    fix)` is told, as the feed and front-matter readers record their problems)."""
    if data.get(name) is None:
        return None
    try:
        return read(data[name], name)
    except Invalid as exc:
        error(name, str(exc), exc.fix)
        return None


def _text(value: object, name: str, limit: int = NODE_CHARS) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise Invalid(f"{name} must be text", f'write {name} as "..."')
    text = clean_text(str(value)).strip()
    if not text:
        raise Invalid(f"{name} is empty", f'write {name} as "..." or remove it')
    if len(text) > limit:
        raise Invalid(f"{name} is {len(text)} characters; the podcast namespace allows "
                      f"{limit} (apps cut the rest)", "shorten it")
    return text


def web_url(value: object, name: str) -> str:
    """An absolute http(s) URL with a host, without credentials or markup characters."""
    text = _text(value, name, 2000)
    try:
        parts = urlsplit(text)
        ok = (parts.scheme in ("http", "https") and bool(parts.hostname)
              and parts.username is None and parts.password is None)
    except ValueError:
        ok = False
    if not ok or any(ch.isspace() or ch in '<>"`' for ch in text):
        raise Invalid(f"{name} {text!r} is not an absolute http(s) URL",
                      'write it as "https://host/path"')
    return text


def _table(value: object, name: str, keys: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Invalid(f"{name} must be text or a table", f"see the README for {name}")
    unknown = sorted(str(k) for k in value if k not in keys)
    if unknown:
        raise Invalid(f"{name} has unknown keys: {', '.join(unknown)}",
                      f"use only {', '.join(sorted(keys))}")
    return value


# -- people -------------------------------------------------------------------------------

_CREDIT_KEYS = frozenset({"name", "role", "group", "href", "img", "link", "image"})


def read_credits(value: object, name: str, role: str) -> tuple[Credit, ...]:
    """`hosts:`, `guests:` or `people`: a name, or a list of names and tables (name, role,
    group, href or link, img or image); `role` is the role when a table does not give one."""
    entries = value if isinstance(value, list) else [value]
    return tuple(_credit(entry, name, role) for entry in entries if entry is not None)


def read_people(data: Mapping[str, Any], author: str | None,
                error: Callable[[str, str, str], None]) -> tuple[Credit, ...]:
    """An article's people: `hosts:`, then `people:` (roles as given, host by default),
    then `guests:`; with others but no host, the `author` hosts (an item's people replace
    the show's, person.md)."""
    hosts = read_value(data, "hosts", _hosts, error) or ()
    guests = read_value(data, "guests", _guests, error) or ()
    others = read_value(data, "people", _hosts, error) or ()
    if (guests or others) and not hosts and author \
            and not any(p.role == "host" for p in others):
        hosts = (Credit(author),)
    return (*hosts, *others, *guests)


def _hosts(value: object, name: str) -> tuple[Credit, ...]:
    return read_credits(value, name, "host")


def _guests(value: object, name: str) -> tuple[Credit, ...]:
    return read_credits(value, name, "guest")


def _credit(entry: object, name: str, role: str) -> Credit:
    if not isinstance(entry, Mapping):
        return Credit(_text(entry, name), role)
    table = _table(entry, name, _CREDIT_KEYS)
    if table.get("name") is None:
        raise Invalid(f"{name}: a person has no name", "give name: for every person")

    def optional(key: str) -> str | None:
        found = table.get(key)
        return None if found is None else _text(found, f"{name} {key}")

    def link(key: str, also: str) -> str | None:
        if table.get(key) is not None and table.get(also) is not None:
            raise Invalid(f"{name} gives both {key} and {also}", f"keep one of {key}, {also}")
        found, said = (table.get(key), key) if table.get(key) is not None else \
            (table.get(also), also)
        if found is None:
            return None
        if key == "img" and "://" not in str(found):  # a picture in the project: placed
            return _text(found, f"{name} {said}")
        return web_url(found, f"{name} {said}")

    return Credit(_text(table["name"], f"{name} name"),
                  (optional("role") or role).lower(), (optional("group") or "").lower()
                  or None, link("href", "link"), link("img", "image"))


# -- place, license, txt, update frequency --------------------------------------------------

_PLACE_KEYS = frozenset({"name", "geo", "osm", "country"})


def read_place(value: object, name: str = "location") -> Place:
    """A place name, or a table: name, geo ("geo:41.64,41.63"), osm ("R123"), country."""
    if not isinstance(value, Mapping):
        return Place(_text(value, name))
    table = _table(value, name, _PLACE_KEYS)
    if table.get("name") is None:
        raise Invalid(f"{name} has no name", f'give {name}: {{name: "Batumi"}}')
    geo = table.get("geo")
    osm = table.get("osm")
    country = table.get("country")
    checks = ((geo, _GEO, "geo", '"geo:41.6168,41.6367" (latitude,longitude)'),
              (osm, _OSM, "osm", '"R1997541" (N, W or R and the OpenStreetMap id)'),
              (country, _COUNTRY, "country", '"ge" (ISO 3166-1 alpha-2)'))
    for found, pattern, key, example in checks:
        if found is not None and not pattern.match(str(found)):
            raise Invalid(f"{name} {key} {found!r} is not in the namespace's notation",
                          f"write {key}: {example}")
    return Place(_text(table["name"], name), str(geo) if geo else None,
                 str(osm) if osm else None, str(country).lower() if country else None)


_LICENSE_KEYS = frozenset({"name", "url"})


def read_license(value: object, name: str = "license") -> License:
    """A licence identifier ("cc-by-4.0"), or a table: name and the URL of its text."""
    if not isinstance(value, Mapping):
        return License(_text(value, name))
    table = _table(value, name, _LICENSE_KEYS)
    if table.get("name") is None:
        raise Invalid(f"{name} has no name", f'give {name} = {{ name = "cc-by-4.0" }}')
    url = table.get("url")
    return License(_text(table["name"], name),
                   web_url(url, f"{name} url") if url is not None else None)


_TXT_KEYS = frozenset({"text", "purpose"})


def read_txt(value: object, name: str = "txt") -> tuple[TxtRecord, ...]:
    """Text, or a list of texts and tables (text, purpose): ``podcast:txt``."""
    entries = value if isinstance(value, list) else [value]
    found: list[TxtRecord] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            found.append(TxtRecord(_text(entry, name, TXT_CHARS)))
            continue
        table = _table(entry, name, _TXT_KEYS)
        if table.get("text") is None:
            raise Invalid(f"{name} has no text", f'write [[{name}]] text = "..."')
        purpose = table.get("purpose")
        found.append(TxtRecord(_text(table["text"], name, TXT_CHARS),
                               _text(purpose, f"{name} purpose") if purpose else None))
    return tuple(found)


_FREQUENCY_KEYS = frozenset({"text", "rrule", "complete", "dtstart"})


def read_update_frequency(value: object, name: str = "update_frequency") -> UpdateFrequency:
    """"weekly" (daily, weekly, biweekly, monthly, yearly), or a table: text, rrule (RFC
    5545), complete, dtstart (a date or a time; needed with COUNT)."""
    if isinstance(value, str) and value.strip().lower() in _FREQUENCIES:
        known, words = _FREQUENCIES[value.strip().lower()]
        return UpdateFrequency(words, known)
    if not isinstance(value, Mapping):
        raise Invalid(f"{name} {value!r} is not a known schedule or a table",
                      f'write {name} = "weekly" ({", ".join(_FREQUENCIES)}), or a table '
                      'with text and rrule')
    table = _table(value, name, _FREQUENCY_KEYS)
    complete = table.get("complete", False)
    if not isinstance(complete, bool):
        raise Invalid(f"{name} complete must be true or false", "write complete = true")
    start = _dtstart(table.get("dtstart"), name)
    rule = table.get("rrule")
    rrule = _rrule(rule, start, name) if rule is not None else None
    text = table.get("text")
    if text is None:
        raise Invalid(f"{name} has no text", 'give text = "Every Monday"')
    return UpdateFrequency(_text(text, f"{name} text"), rrule, complete, start)


def _dtstart(value: object, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    try:
        return datetime.fromisoformat(str(value)).isoformat() if "T" in str(value) \
            else date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise Invalid(f"{name} dtstart {value!r} is not an ISO 8601 date or time",
                      "write dtstart = 2026-01-05") from None


def _rrule(value: object, start: str | None, name: str) -> str:
    from dateutil.rrule import rrulestr

    text = _text(value, f"{name} rrule", 500).upper()
    if "COUNT=" in text and start is None:
        raise Invalid(f"{name} rrule has COUNT but no dtstart",
                      "give dtstart (update-frequency.md requires it with COUNT)")
    try:
        rrulestr(text, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise Invalid(f"{name} rrule {text!r} is not an RFC 5545 rule ({exc})",
                      'write rrule = "FREQ=WEEKLY;BYDAY=MO"') from None
    return text


# -- analytics prefixes ----------------------------------------------------------------------


def read_prefix(value: object, name: str = "enclosure_prefix") -> str:
    """An analytics prefix: https, ending with "/", with nothing after it that is a scheme
    (the enclosure's own URL follows it), `{podcast_guid}` its only field."""
    text = _text(value, name, 500)
    parts = urlsplit(text)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise Invalid(f"{name} {text!r} is not an https URL: apps refuse plain http, and "
                      "the prefix carries every download", 'write it as "https://op3.dev/e/"')
    if "://" in text[len("https://"):] or re.search(r"https?:/*$", text, re.IGNORECASE):
        raise Invalid(f"{name} {text!r} would double a scheme: companion adds the "
                      "enclosure's URL after the prefix (without https://, as OP3 and "
                      "Podtrac document)", 'end the prefix before the scheme, e.g. '
                      '"https://op3.dev/e/"')
    fields = set(_FIELD.findall(text)) - {PODCAST_GUID_FIELD}
    if fields or any(ch.isspace() or ch in '<>"`' for ch in text):
        raise Invalid(f"{name} {text!r} has {', '.join(sorted(fields)) or 'a character'} "
                      "companion cannot fill in", f"{PODCAST_GUID_FIELD} is the only field "
                      '(e.g. "https://op3.dev/e,pg={podcast_guid}/")')
    if not text.endswith("/"):
        raise Invalid(f"{name} {text!r} does not end with /",
                      f'write "{text}/": the enclosure URL is added after it')
    return text


def apply_prefix(prefix: str | None, podcast_guid: str, url: str) -> str:
    """`url` behind `prefix`: ``https://`` dropped, ``http://`` kept (OP3's rule)."""
    if not prefix:
        return url
    target = url[len("https://"):] if url.lower().startswith("https://") else url
    return prefix.replace(PODCAST_GUID_FIELD, podcast_guid) + target
