"""``[fetch]`` of companion.toml, and the `fetch` flags that override it: validated at the edge.

The same reader takes the table and the flags (`merge_fetch`), so a flag and a setting
are checked alike and name their own place in the error (`where`). Secret values (a
proxy password, a po_token) are never echoed back in an error.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from companion._errors import ProjectError
from companion._site_model import FetchSettings
from companion._text import did_you_mean

FETCH_KEYS = {"cookies", "cookies_from_browser", "proxy", "rate_limit", "sleep_requests",
              "sleep_interval", "max_downloads", "extractor_args", "min_audio_kbps",
              "settle_hours"}
_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?(?:/s)?", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}  # as yt-dlp's --limit-rate
_BROWSERS = {"brave", "chrome", "chromium", "edge", "firefox", "opera", "safari", "vivaldi",
             "whale"}


def parse_fetch(table: Mapping[str, Any], where: str) -> FetchSettings:
    """``[fetch]`` as read from companion.toml (`where` names the file)."""
    return merge_fetch(FetchSettings(), table, where, prefix="fetch.")


def merge_fetch(base: FetchSettings, table: Mapping[str, Any], where: str, *,
                prefix: str = "") -> FetchSettings:
    """`base` with the settings in `table` (only those given) validated and put in."""
    for key in table:
        if key not in FETCH_KEYS:
            raise ProjectError(f"unknown setting [fetch] {key}", where=where,
                               field=f"{prefix}{key}",
                               fix="; ".join(x for x in (
                                   did_you_mean(key, FETCH_KEYS),
                                   f"known settings are: {', '.join(sorted(FETCH_KEYS))}") if x))
    changes: dict[str, Any] = {key: _READERS[key](table[key], where, f"{prefix}{key}")
                               for key in table if table[key] is not None}
    return dataclasses.replace(base, **changes)


def _fail(where: str, field: str, message: str, fix: str) -> ProjectError:
    return ProjectError(message, where=where, field=field, fix=fix)


def _string(value: object, where: str, field: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, field, f"{field} must be a string", 'quote the value: key = "..."')
    return value.strip()


def _browser(value: object, where: str, field: str) -> str:
    text = _string(value, where, field)
    name = re.split(r"[+:]", text, maxsplit=1)[0].lower()
    if text and name not in _BROWSERS:
        raise _fail(where, field, f"{field} {name!r} is not a browser yt-dlp reads",
                    f"use one of {', '.join(sorted(_BROWSERS))} (e.g. \"firefox\" or "
                    "\"chrome:Profile 1\"), or a cookies file (cookies = \"cookies.txt\")")
    return text


def _proxy(value: object, where: str, field: str) -> str:
    text = _string(value, where, field)
    if text and not re.match(r"(https?|socks4a?|socks5h?)://[^\s/]", text):
        raise _fail(where, field, f"{field} is not a proxy URL",  # not echoed: a password
                    'write it as "http://host:port" or "socks5://host:port"')
    return text


def rate(value: object, where: str, field: str) -> int:
    """A rate: bytes per second, or a text such as "2M" or "500K" (yt-dlp's units)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _RATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or float(match[1]) <= 0:
        raise _fail(where, field, f"{field} {value!r} is not a rate",
                    'write bytes per second with K, M or G, e.g. rate_limit = "2M"')
    return int(float(match[1]) * _UNITS[match[2].upper()])


def _seconds(value: object, where: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 3600:
        raise _fail(where, field, f"{field} {value!r} is not a number of seconds",
                    "write a number from 0 to 3600, e.g. 1.5")
    return float(value)


def _interval(value: object, where: str, field: str) -> tuple[float, float]:
    pair = [value, value] if isinstance(value, int | float) else value
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise _fail(where, field, f"{field} must be [minimum, maximum] seconds",
                    "write sleep_interval = [5, 30]: a random wait between the two")
    low, high = (_seconds(x, where, field) for x in pair)
    if low > high:
        raise _fail(where, field, f"{field}: the minimum {low:g} is above the maximum {high:g}",
                    "write the smaller number first, e.g. sleep_interval = [5, 30]")
    return low, high


def _count(value: object, where: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(where, field, f"{field} {value!r} is not a whole number of at least 1",
                    "write e.g. max_downloads = 10 (leave it out for no cap)")
    return value


def _kbps(value: object, where: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
        raise _fail(where, field, f"{field} {value!r} is not a bitrate in kbit/s",
                    "write a whole number from 0 (no floor) to 1000, e.g. min_audio_kbps = 64")
    return value


def _hours(value: object, where: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 720:
        raise _fail(where, field, f"{field} {value!r} is not a number of hours",
                    "write a number from 0 (no wait) to 720, e.g. settle_hours = 6")
    return float(value)


def extractor_args(value: object, where: str, field: str
                   ) -> dict[str, dict[str, tuple[str, ...]]]:
    """``{youtube = {player_client = ["default"]}}``: extractor -> argument -> values (a
    single string is a list of one). Values are not echoed: a po_token is a secret."""
    fix = 'write extractor_args = {youtube = {player_client = ["default"]}}'
    if not isinstance(value, Mapping):
        raise _fail(where, field, f"{field} must be a table of extractors", fix)
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for ie, args in value.items():
        if not isinstance(args, Mapping):
            raise _fail(where, f"{field}.{ie}", f"{field}.{ie} must be a table of arguments", fix)
        out[str(ie).lower()] = {}
        for name, values in args.items():
            items = [values] if isinstance(values, str) else values
            if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
                raise _fail(where, f"{field}.{ie}.{name}",
                            f"{field}.{ie}.{name} must be a string or a list of strings", fix)
            out[str(ie).lower()][str(name)] = tuple(items)
    return out


def parse_extractor_args(texts: list[str] | tuple[str, ...], where: str
                         ) -> dict[str, dict[str, tuple[str, ...]]]:
    """yt-dlp's own flag syntax, ``IE:KEY=V1,V2;KEY2=V`` (e.g. ``youtube:player_client=
    default``), repeatable; the same extractor twice merges."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for text in texts:
        ie, sep, rest = text.partition(":")
        pairs = [p.partition("=") for p in rest.split(";") if p.strip()]
        if not sep or not ie.strip() or not pairs or any(not eq or not k.strip()
                                                          for k, eq, _ in pairs):
            raise _fail(where, "--extractor-args", "--extractor-args is not IE:KEY=VALUE",
                        "write e.g. --extractor-args \"youtube:player_client=default\"")
        args = out.setdefault(ie.strip().lower(), {})
        for key, _, values in pairs:
            args[key.strip()] = tuple(v.strip() for v in values.split(",") if v.strip())
    return out


_READERS = {
    "cookies": _string, "cookies_from_browser": _browser, "proxy": _proxy, "rate_limit": rate,
    "sleep_requests": _seconds, "sleep_interval": _interval, "max_downloads": _count,
    "extractor_args": extractor_args, "min_audio_kbps": _kbps, "settle_hours": _hours,
}
