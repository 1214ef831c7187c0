"""``[pair]`` of companion.toml: where the newsroom's videos and episodes are listed, for
`companion pair` (issue 22). The Spotify app's credentials are refused here: they belong in
the environment (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from companion._config.project import _no_userinfo, _reject_unknown, _web_url
from companion._errors import ProjectError
from companion._model import PairSettings

_PAIR_KEYS = {"youtube", "spotify_show", "show_rss", "live", "market", "date_window_days"}
#: `[pair]`'s words for credentials: the Spotify app's id and secret live in the environment.
_PAIR_SECRET_WORDS = ("secret", "token", "client_id", "password", "api_key", "apikey")
SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
_SPOTIFY_SHOW = re.compile(r"(?:spotify:show:|https?://open\.spotify\.com/(?:[a-z-]+/)?show/)"
                           r"([0-9A-Za-z]{22})(?:[/?#].*)?")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                  "youtu.be"}
_HANDLE = re.compile(r"@[\w.-]{1,100}")
_CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")


def reject_pair_secrets(table: object, config: Path) -> None:
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


def read_pair(table: dict[str, Any], config: Path) -> PairSettings:
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
