"""The project folder: companion.toml, episodes/, feeds/, templates/, cache/.

`load_site(root)` validates companion.toml at the edge and returns a `Site`.
`init_project(root)` scaffolds a new, working project.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from companion._errors import ProjectError
from companion._model import PublishSettings, Site

CONFIG_NAME = "companion.toml"

_SITE_KEYS = {"title", "base_url", "language", "description", "out", "cache"}
_PUBLISH_KEYS = {"target", "endpoint_url", "region", "addressing_style", "acl", "profile"}
_FORBIDDEN_KEYS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token",
                   "access_key", "secret_key", "secret", "password", "token"}


def find_config(root: Path) -> Path:
    config = root / CONFIG_NAME
    if not config.is_file():
        raise ProjectError(
            f"no {CONFIG_NAME} here",
            where=str(root),
            fix="run `companion init DIR` to make a project, or pass --project DIR",
        )
    return config


def load_site(root: Path) -> Site:
    """Read and validate companion.toml in `root`."""
    root = root.resolve()
    config = find_config(root)
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"not valid TOML: {exc}", where=str(config),
                           fix="correct the TOML syntax") from None
    except UnicodeDecodeError:
        raise ProjectError("not UTF-8", where=str(config), fix="save the file as UTF-8") from None
    site = _table(data, "site", config)
    publish = _table(data, "publish", config)
    _reject_unknown(site, _SITE_KEYS, config, "site")
    _reject_secrets(publish, config)
    _reject_unknown(publish, _PUBLISH_KEYS, config, "publish")
    return Site(
        root=root,
        title=_text(site, "title", config, "site", required=True),
        base_url=_base_url(site.get("base_url"), config),
        language=_text(site, "language", config, "site") or "en",
        description=_text(site, "description", config, "site"),
        out=_text(site, "out", config, "site") or "site",
        cache=_text(site, "cache", config, "site") or "cache",
        publish=PublishSettings(
            target=_text(publish, "target", config, "publish") or "public",
            endpoint_url=_text(publish, "endpoint_url", config, "publish") or None,
            region=_text(publish, "region", config, "publish") or None,
            addressing_style=_addressing(publish.get("addressing_style"), config),
            acl=_text(publish, "acl", config, "publish") or None,
            profile=_text(publish, "profile", config, "publish") or None,
        ),
    )


def _table(data: dict[str, Any], name: str, config: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ProjectError(f"[{name}] must be a table", where=str(config), field=name,
                           fix=f"write it as a [{name}] section")
    return value


def _reject_unknown(table: dict[str, Any], known: set[str], config: Path, name: str) -> None:
    for key in table:
        if key not in known:
            raise ProjectError(
                f"unknown setting [{name}] {key}", where=str(config), field=f"{name}.{key}",
                fix=f"known settings are: {', '.join(sorted(known))}",
            )


def _reject_secrets(table: dict[str, Any], config: Path) -> None:
    for key in table:
        if key.lower() in _FORBIDDEN_KEYS:
            raise ProjectError(
                "credentials do not belong in the project file", where=str(config),
                field=f"publish.{key}",
                fix="remove it and use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE",
            )


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
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ProjectError(f"base_url {value!r} is not an absolute http(s) URL",
                           where=str(config), field="site.base_url",
                           fix='write it as "https://host/path/"')
    text = str(value)
    return text if text.endswith("/") else text + "/"


def _addressing(value: object, config: Path) -> Any:
    if value in (None, ""):
        return None
    if value not in ("auto", "virtual", "path"):
        raise ProjectError(f"addressing_style {value!r} is not auto, virtual or path",
                           where=str(config), field="publish.addressing_style",
                           fix='use "path" for MinIO/SeaweedFS, "virtual" for AWS')
    return value
