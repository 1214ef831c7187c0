"""The article files of a project: which files under episodes/ are articles, found once
(for `read_project`, the build and `publish --no-build`), without reading any of them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from companion._config.project import inside, project_rel
from companion._errors import Problem
from companion._site_model import Site

MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt",)
SIDECAR_SUFFIXES = (".yml", ".yaml")
ARTICLE_SUFFIXES = MARKDOWN_SUFFIXES + TEXT_SUFFIXES


def _outside_link(path: Path, site: Site) -> Problem:
    return Problem("error", project_rel(path, site),
                   "a symbolic link that points outside the project; not followed",
                   "copy the file into episodes/ instead of linking to it")


def _folders(site: Site) -> Iterator[tuple[str, list[str]] | Problem]:
    """Each visited folder under episodes/ with its visible files (sorted); problems for
    linked folders that leave the project. Strings, not paths: a no-change build asks
    this of every article."""
    for folder, dirs, files in os.walk(site.episodes_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            dirs.remove(name)
            if not inside(Path(folder, name), site.root):
                yield _outside_link(Path(folder, name), site)
        yield folder, sorted(name for name in files if not name.startswith("."))


def walk(site: Site) -> Iterator[Path | Problem]:
    """Visible files under episodes/ (sorted); problems for linked folders that leave the
    project. Hidden files and folders are skipped; linked folders are not followed; a
    linked file is yielded, and reading it refuses it when it leads out of the project."""
    for item in _folders(site):
        if isinstance(item, Problem):
            yield item
        else:
            base = Path(item[0])
            yield from (base / name for name in item[1])


def discover(site: Site) -> list[str]:
    """Project-relative paths of the article files under episodes/, sorted: what a build
    and `read_project` read."""
    prefix = len(str(site.root)) + 1
    found: list[str] = []
    for item in _folders(site):
        if not isinstance(item, Problem):
            folder = item[0][prefix:].replace(os.sep, "/") + "/" if len(item[0]) > prefix else ""
            found.extend(folder + name for name in item[1]
                         if name.lower().endswith(ARTICLE_SUFFIXES))
    return sorted(found)
