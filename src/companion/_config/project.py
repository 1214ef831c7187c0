"""The project folder: companion.toml, episodes/, feeds/, templates/, cache/.

`load_site(root)` validates companion.toml at the edge and returns a `Site`.
`init_project(root)` scaffolds a new, working project.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from companion._config.fetch import parse_fetch
from companion._errors import Problem, ProjectError
from companion._redact import redact, register_secret, url_secrets
from companion._site_model import NotifySettings, PairSettings, PublishSettings, Site
from companion._text import did_you_mean, normalize_lang

CONFIG_NAME = "companion.toml"

_SITE_KEYS = {"title", "base_url", "language", "description", "timezone", "out", "cache"}
_PUBLISH_KEYS = {"target", "endpoint_url", "region", "addressing_style", "acl", "profile",
                 "prune_grace_days"}
_FORBIDDEN_KEYS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token",
                   "access_key", "secret_key", "secret", "password", "token",
                   "access_key_id", "secret_access_key", "session_token", "api_key"}
_NOTIFY_KEYS = {"websub", "podping", "podping_token_env", "podcastindex"}
_PAIR_KEYS = {"youtube", "spotify_show", "show_rss", "live", "market", "date_window_days"}
_SECTIONS = {"site", "publish", "notify", "pair", "fetch"}
#: Where each notification goes when `[notify]` says only `true`.
PODPING_GATEWAY = "https://podping.cloud/"
PODCASTINDEX_PUBNOTIFY = "https://api.podcastindex.org/api/1.0/hub/pubnotify"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
# Characters that never belong in a URL written by hand (and would break out of markup).
_URL_UNSAFE = set(' <>"\'`{}|\\^') | {chr(c) for c in range(0x20)} | {"\x7f"}


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symlink resolved, lies inside `root`."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def project_rel(path: Path, site: Site) -> str:
    """`path` relative to the project, as messages name it (POSIX); else the path as given."""
    try:
        return path.relative_to(site.root).as_posix()
    except ValueError:
        return str(path)


def find_config(root: Path) -> Path:
    config = root / CONFIG_NAME
    if not config.is_file():
        raise ProjectError(
            f"no {CONFIG_NAME} here",
            where=str(root),
            fix="run `companion init DIR` to make a project, or pass --project DIR",
        )
    return config


def toml_error(exc: ValueError | RecursionError) -> str:
    """Why a TOML file could not be read, in words (tomllib raises a bare ValueError for an
    integer beyond Python's 4,300 digits, and RecursionError for arrays nested too deeply)."""
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    if isinstance(exc, tomllib.TOMLDecodeError):
        return f"not valid TOML: {exc}"
    if isinstance(exc, RecursionError):
        return "not valid TOML: nested too deeply"
    return "not valid TOML: a number is too long"


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML file at `path`; ValueError (with `toml_error`'s words) when it is not one."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:
        raise ValueError(toml_error(exc)) from None


def load_site(root: Path) -> Site:
    """Read and validate companion.toml in `root`."""
    root = root.resolve()
    config = find_config(root)
    try:
        data = read_toml(config)
    except ValueError as exc:
        fix = "save the file as UTF-8" if str(exc) == "not UTF-8" else "correct the TOML syntax"
        raise ProjectError(str(exc), where=str(config), fix=fix) from None
    _reject_pair_secrets(data.get("pair"), config)
    _reject_secrets(data, config, "")
    for key in data:
        if key not in _SECTIONS:
            hint = did_you_mean(key, _SECTIONS) or (
                "did you mean to put it under [site]?" if key in _SITE_KEYS else "")
            raise ProjectError(f"unknown section or setting {key!r}", where=str(config),
                               field=key, fix=_join(hint, "companion.toml has [site], "
                                                          "[publish], [notify], [pair] and "
                                                          "[fetch] "
                                                          "sections"))
    site = _table(data, "site", config)
    publish = _table(data, "publish", config)
    _reject_unknown(site, _SITE_KEYS, config, "site")
    _reject_unknown(publish, _PUBLISH_KEYS, config, "publish")
    notify = _table(data, "notify", config)
    return Site(
        root=root,
        title=_text(site, "title", config, "site", required=True),
        base_url=_base_url(site.get("base_url"), config),
        language=_language(_text(site, "language", config, "site") or "en", config),
        description=_text(site, "description", config, "site"),
        timezone=_timezone(_text(site, "timezone", config, "site") or "UTC", config),
        out=_text(site, "out", config, "site") or "site",
        cache=_text(site, "cache", config, "site") or "cache",
        publish=PublishSettings(
            target=_target(_text(publish, "target", config, "publish") or "public", config),
            endpoint_url=_endpoint(_text(publish, "endpoint_url", config, "publish"), config),
            region=_text(publish, "region", config, "publish") or None,
            addressing_style=_addressing(publish.get("addressing_style"), config),
            acl=_text(publish, "acl", config, "publish") or None,
            profile=_text(publish, "profile", config, "publish") or None,
            prune_grace_days=_days(publish.get("prune_grace_days", 30), config),
        ),
        notify=_notify(notify, config),
        pair=_pair(_table(data, "pair", config), config),
        fetch=parse_fetch(_table(data, "fetch", config), str(config)),
    )


def _notify(table: dict[str, Any], config: Path) -> NotifySettings:
    """``[notify]``: WebSub hubs, the Podping gateway (true: podping.cloud) and the name of
    the environment variable holding its token, the Podcast Index (true: its endpoint)."""
    if "podping_token" in table:
        raise ProjectError("credentials do not belong in the project file", where=str(config),
                           field="notify.podping_token",
                           fix="remove it; put the token in the environment variable "
                               "PODPING_TOKEN (or the one podping_token_env names)")
    _reject_unknown(table, _NOTIFY_KEYS, config, "notify")
    hubs = table.get("websub", [])
    if isinstance(hubs, str):
        hubs = [hubs]
    if not isinstance(hubs, list) or not all(isinstance(h, str) for h in hubs):
        raise ProjectError("[notify] websub must be a list of hub URLs", where=str(config),
                           field="notify.websub",
                           fix='write websub = ["https://pubsubhubbub.appspot.com/"]')
    env = table.get("podping_token_env", "PODPING_TOKEN")
    if not isinstance(env, str) or not _ENV_NAME.fullmatch(env):
        raise ProjectError(f"podping_token_env {env!r} is not the name of an environment "
                           "variable", where=str(config), field="notify.podping_token_env",
                           fix='write podping_token_env = "PODPING_TOKEN"')
    register_secret(os.environ.get(env))  # whatever the variable is called, never shown
    return NotifySettings(
        websub=tuple(dict.fromkeys(_web_url(h, config, "notify.websub") for h in hubs)),
        podping=_service(table, "podping", PODPING_GATEWAY, config),
        podping_token_env=env,
        podcastindex=_service(table, "podcastindex", PODCASTINDEX_PUBNOTIFY, config))


def public_hubs(notify: NotifySettings) -> tuple[str, ...]:
    """The WebSub hubs a feed names (``<atom:link rel="hub">``): those whose URL holds no
    secret. A hub whose URL carries a key is left out whole, not named without its key:
    a hub that wants a key in its URL checks it, so the bare address would send
    subscribers to a hub that may refuse them (apps without a hub keep polling the feed,
    as they do for any feed); publish still pings the hub with its key."""
    return tuple(h for h in notify.websub if not url_secrets(h))


def notify_problems(notify: NotifySettings) -> list[Problem]:
    """A warning for each ``[notify]`` URL that carries a secret (a key in its query):
    companion.toml is no place for one, and a hub's URL is read by every subscriber."""
    found: list[Problem] = []
    for hub in notify.websub:
        if secrets := url_secrets(hub):
            found.append(Problem(
                "warning", CONFIG_NAME, f"the WebSub hub {redact(hub)} carries a secret "
                f"({', '.join(secrets)}): it is left out of every feed (a feed's hub link "
                "is read by every subscriber); publish still tells the hub",
                "use a hub that takes its key in a header, or a public hub that needs none "
                "(https://pubsubhubbub.appspot.com/), or remove the hub", "notify.websub"))
    services = ((notify.podping, "notify.podping", "remove it from the URL: companion sends "
                 f"the Podping token in the Authorization header, from the environment "
                 f"variable {notify.podping_token_env}"),
                (notify.podcastindex, "notify.podcastindex", "remove it from the URL: the "
                 "Podcast Index's hub/pubnotify needs no key (or write podcastindex = true)"))
    for url, field, fix in services:
        if url and (secrets := url_secrets(url)):
            found.append(Problem(
                "warning", CONFIG_NAME, f"{redact(url)} carries a secret ({', '.join(secrets)})"
                ": companion.toml is shared and committed, no place for a key", fix, field))
    return found


def _service(table: dict[str, Any], key: str, default: str, config: Path) -> str:
    """A service that is off (false, absent), on at its usual address (true), or at a URL."""
    value = table.get(key, False)
    if value is False:
        return ""
    if value is True:
        return default
    if not isinstance(value, str):
        raise ProjectError(f"[notify] {key} must be true, false or a URL", where=str(config),
                           field=f"notify.{key}", fix=f"write {key} = true")
    return _web_url(value, config, f"notify.{key}")


def _web_url(value: str, config: Path, field: str) -> str:
    """An absolute http(s) URL without credentials (a token goes in the environment)."""
    text = value.strip()
    _no_userinfo(text, config, field, "remove the user:password@ part (a Podping token goes "
                                      "in the environment variable podping_token_env names)")
    try:
        parts = urlsplit(text)
        good = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        good = False
    if not good or any(ch in _URL_UNSAFE for ch in text):
        raise ProjectError(f"{field} {text!r} is not an absolute http(s) URL",
                           where=str(config), field=field, fix='write it as "https://host/path"')
    return text


def _table(data: dict[str, Any], name: str, config: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ProjectError(f"[{name}] must be a table", where=str(config), field=name,
                           fix=f"write it as a [{name}] section")
    return value


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _reject_unknown(table: dict[str, Any], known: set[str], config: Path, name: str) -> None:
    for key in table:
        if key not in known:
            raise ProjectError(
                f"unknown setting [{name}] {key}", where=str(config), field=f"{name}.{key}",
                fix=_join(did_you_mean(key, known),
                          f"known settings are: {', '.join(sorted(known))}"),
            )


def _days(value: object, config: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise ProjectError(f"prune_grace_days {value!r} is not a number of days",
                           where=str(config), field="publish.prune_grace_days",
                           fix="write a whole number from 0 to 3650, e.g. prune_grace_days = 30")
    return value


def _timezone(value: str, config: Path) -> str:
    """An IANA time zone name (Europe/Tbilisi, Asia/Baku, UTC)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProjectError(f"timezone {value!r} is not a time zone name", where=str(config),
                           field="site.timezone",
                           fix='write an IANA name such as "Europe/Tbilisi", "Asia/Baku" or '
                               '"UTC"') from None
    return value


def _reject_secrets(table: dict[str, Any], config: Path, prefix: str) -> None:
    """Credentials anywhere in the file are refused (and never echoed back)."""
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if key.lower() in _FORBIDDEN_KEYS:
            raise ProjectError(
                "credentials do not belong in the project file", where=str(config),
                field=name,
                fix="remove it and use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE",
            )
        if isinstance(value, dict):
            _reject_secrets(value, config, name)


_AWS_FIX = ("remove the user:password@ part and use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
            "or AWS_PROFILE")


def _no_userinfo(value: str, config: Path, field: str, fix: str = _AWS_FIX) -> None:
    try:
        parts = urlsplit(value)
        userinfo = parts.username is not None or parts.password is not None
    except ValueError:
        userinfo = "@" in value
    if userinfo:
        raise ProjectError(f"{field} carries a user name or password (credentials do not "
                           "belong in the project file)", where=str(config), field=field,
                           fix=fix)


def _target(value: str, config: Path) -> str:
    if "://" in value:
        _no_userinfo(value, config, "publish.target")
    return value


def _endpoint(value: str, config: Path) -> str | None:
    if not value:
        return None
    _no_userinfo(value, config, "publish.endpoint_url")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ProjectError(f"endpoint_url {value!r} is not an absolute http(s) URL",
                           where=str(config), field="publish.endpoint_url",
                           fix='write it as "https://host" (R2, MinIO, SeaweedFS, ...)')
    return value


def _text(table: dict[str, Any], key: str, config: Path, section: str,
          required: bool = False) -> str:
    value = table.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ProjectError(f"[{section}] {key} is missing", where=str(config),
                               field=f"{section}.{key}", fix=f'add {key} = "..." under [{section}]')
        return ""
    if not isinstance(value, str):
        raise ProjectError(f"[{section}] {key} must be a string", where=str(config),
                           field=f"{section}.{key}", fix='quote the value: key = "..."')
    return value.strip()


def _base_url(value: object, config: Path) -> str:
    if value is None:
        raise ProjectError("[site] base_url is missing", where=str(config), field="site.base_url",
                           fix='add base_url = "https://podcasts.example.org/" under [site]')
    text = str(value).strip()
    fix = 'write it as "https://host/path/"'
    _no_userinfo(text, config, "site.base_url")
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = urlsplit(""), False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ProjectError(f"base_url {text!r} is not an absolute http(s) URL",
                           where=str(config), field="site.base_url", fix=fix)
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ProjectError(f"base_url {text!r} has a query or fragment", where=str(config),
                           field="site.base_url", fix=fix)
    if any(ch in _URL_UNSAFE for ch in text):
        raise ProjectError(f"base_url {text!r} has characters a URL cannot hold",
                           where=str(config), field="site.base_url",
                           fix=f"{fix}; percent-encode spaces and quotes")
    return text if text.endswith("/") else text + "/"


def _language(value: str, config: Path) -> str:
    try:
        normalize_lang(value)
    except ValueError:
        raise ProjectError(f"language {value!r} is not a language tag", where=str(config),
                           field="site.language",
                           fix='write a BCP 47 tag such as "en", "ka", "ar" or "pt-BR"') from None
    return value


def _addressing(value: object, config: Path) -> Any:
    if value in (None, ""):
        return None
    if value not in ("auto", "virtual", "path"):
        raise ProjectError(f"addressing_style {value!r} is not auto, virtual or path",
                           where=str(config), field="publish.addressing_style",
                           fix='use "path" for MinIO/SeaweedFS, "virtual" for AWS')
    return value


#: `[pair]`'s words for credentials: the Spotify app's id and secret live in the environment.
_PAIR_SECRET_WORDS = ("secret", "token", "client_id", "password", "api_key", "apikey")
SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
_SPOTIFY_SHOW = re.compile(r"(?:spotify:show:|https?://open\.spotify\.com/(?:[a-z-]+/)?show/)"
                           r"([0-9A-Za-z]{22})(?:[/?#].*)?")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                  "youtu.be"}
_HANDLE = re.compile(r"@[\w.-]{1,100}")
_CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")


def _reject_pair_secrets(table: object, config: Path) -> None:
    """A Spotify client id or secret in `[pair]` is refused (and never echoed back)."""
    if not isinstance(table, dict):
        return
    for key in table:
        if any(word in str(key).lower() for word in _PAIR_SECRET_WORDS):
            raise ProjectError(
                "credentials do not belong in the project file", where=str(config),
                field=f"pair.{key}",
                fix="remove it; set the environment variables SPOTIFY_CLIENT_ID and "
                    "SPOTIFY_CLIENT_SECRET where `companion pair` runs")


def _pair(table: dict[str, Any], config: Path) -> PairSettings:
    """``[pair]``: channels and playlists, the Spotify show, the show's own feeds."""
    _reject_unknown(table, _PAIR_KEYS, config, "pair")
    live = table.get("live", False)
    if not isinstance(live, bool):
        raise ProjectError("[pair] live must be true or false", where=str(config),
                           field="pair.live", fix="write live = false (or true)")
    window = table.get("date_window_days")
    if window is not None and (isinstance(window, bool) or not isinstance(window, int)
                               or not 0 <= window <= 3650):
        raise ProjectError(f"date_window_days {window!r} is not a number of days",
                           where=str(config), field="pair.date_window_days",
                           fix="write a whole number from 0 to 3650, e.g. date_window_days = 30")
    return PairSettings(
        youtube=tuple(dict.fromkeys(_youtube_source(u, config)
                                    for u in _urls(table, "youtube", config))),
        spotify_show=_spotify_show(table.get("spotify_show"), config),
        show_rss=tuple(dict.fromkeys(_pair_url(u, config, "pair.show_rss")
                                     for u in _urls(table, "show_rss", config))),
        live=live, market=_market(table.get("market"), config), date_window_days=window)


def _urls(table: dict[str, Any], key: str, config: Path) -> list[str]:
    """A list of strings, or one string."""
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProjectError(f"[pair] {key} must be a list of URLs", where=str(config),
                           field=f"pair.{key}", fix=f'write {key} = ["https://..."]')
    return [v.strip() for v in value]


def _youtube_source(value: str, config: Path) -> str:
    """A channel or playlist URL; "@handle" and a bare "UC..." channel id are YouTube's.
    A video's URL is refused (a video with `list=` is its playlist)."""
    field = "pair.youtube"
    if _HANDLE.fullmatch(value):
        return f"https://www.youtube.com/{value}"
    if _CHANNEL_ID.fullmatch(value):
        return f"https://www.youtube.com/channel/{value}"
    url = _pair_url(value, config, field)
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in _YOUTUBE_HOSTS:
        return url
    playlist = parse_qs(parts.query).get("list", [""])[0]
    if parts.path == "/watch" and playlist:
        return f"https://www.youtube.com/playlist?list={playlist}"
    first = parts.path.strip("/").split("/")[0]
    if (parts.hostname or "").lower() == "youtu.be" or first in ("watch", "shorts", "live",
                                                                    "embed", "v"):
        raise ProjectError(f"{url} is a video, not a channel or playlist", where=str(config),
                           field=field, fix='write the channel\'s address, e.g. '
                                            '"https://www.youtube.com/@name", or a playlist\'s')
    return url


def _pair_url(value: str, config: Path, field: str) -> str:
    _no_userinfo(value, config, field, "remove the user:password@ part")
    return _web_url(value, config, field)


def _spotify_show(value: object, config: Path) -> str | None:
    """The show's id, from its open.spotify.com URL, a `spotify:show:` URI or the bare id."""
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else ""
    if SPOTIFY_ID.fullmatch(text):
        return text
    found = _SPOTIFY_SHOW.fullmatch(text)
    if found is None:
        raise ProjectError(f"spotify_show {value!r} is not a Spotify show", where=str(config),
                           field="pair.spotify_show",
                           fix='write the show\'s address, e.g. spotify_show = '
                               '"https://open.spotify.com/show/" followed by its 22-character '
                               'id')
    return found.group(1)


def _market(value: object, config: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise ProjectError(f"market {value!r} is not a country code", where=str(config),
                           field="pair.market",
                           fix='write a two-letter ISO 3166-1 code, e.g. market = "US"')
    return value.strip().upper()
