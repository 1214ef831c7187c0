"""`companion import --jekyll SITE`: a Jekyll site's posts become the project's articles.

companion reads Jekyll posts as they are (front matter, ``YYYY-MM-DD-name.md`` names,
``redirect_from``), so the import copies each file of ``_posts/`` (any depth) into
``episodes/`` byte for byte, under its own name, and makes ``companion.toml`` from
``_config.yml``: ``title``, ``url`` (with ``baseurl``) and ``lang``. A post already in the
project with the same bytes is kept; one with other bytes is a clash, and nothing is
written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from companion._errors import ProjectError, ReadError
from companion._fetch.importer import ImportReport, toml_string, write_all
from companion._text import normalize_lang

POST_SUFFIXES = (".md", ".markdown", ".html", ".txt")


def read_config(site: Path) -> dict[str, Any]:
    path = site / "_config.yml"
    if not (site / "_posts").is_dir():
        raise ReadError("not a Jekyll site: it has no _posts folder", where=str(site),
                        fix="give the folder that holds _config.yml and _posts/")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ReadError(f"_config.yml is not valid YAML ({type(exc).__name__})",
                        where=str(path), fix="correct it (jekyll build says where)") from None
    return data if isinstance(data, dict) else {}


def configtoml_string(config: dict[str, Any], base_url: str | None, where: str) -> str:
    url = base_url or f"{config.get('url') or ''}{config.get('baseurl') or ''}"
    if not str(url).startswith(("http://", "https://")):
        raise ProjectError("_config.yml gives no url, so the import needs the site's address",
                           where=where, fix="add --base-url https://podcasts.example.org/")
    try:
        lang = normalize_lang(str(config.get("lang") or "en"))
    except ValueError:
        lang = "en"
    title = str(config.get("title") or "Imported site")
    base = toml_string(str(url).rstrip("/") + "/")
    return (f"[site]\ntitle = {toml_string(title)}\nbase_url = {base}"
            f"\nlanguage = {toml_string(lang)}\n\n[publish]\ntarget = \"public\"\n")


def import_jekyll(root: Path, site: Path, *, base_url: str | None = None) -> ImportReport:
    """Copy `site`'s posts into the project at `root` (see the module docstring)."""
    from companion._config.project import CONFIG_NAME

    config = read_config(site)
    files: dict[Path, bytes] = {}
    if not (root / CONFIG_NAME).is_file():
        files[root / CONFIG_NAME] = configtoml_string(config, base_url, str(site)).encode("utf-8")
    kept = 0
    for post in sorted((site / "_posts").rglob("*")):
        if not post.is_file() or post.suffix.lower() not in POST_SUFFIXES:
            continue
        target = root / "episodes" / post.relative_to(site / "_posts")
        data = post.read_bytes()
        if target.exists() and target.read_bytes() == data:
            kept += 1
        elif target.exists():
            raise ProjectError(f"episodes/{post.relative_to(site / '_posts')} exists and is "
                               "another article", where=str(target),
                               fix="rename or move it, then import again (nothing was "
                                   "written)")
        else:
            files[target] = data
    steps = ["companion check (it lists what each post needs: audio, a video or a "
             "Spotify link)", "add a feed definition in feeds/ (see the README)",
             "companion fetch, then companion build"]
    return ImportReport("", write_all(files), kept, [], steps)
