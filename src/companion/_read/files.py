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


def walk(site: Site) -> Iterator[Path | Problem]:
    """Visible files under episodes/ (sorted); problems for linked folders that leave the
    project. Hidden files and folders are skipped; linked folders are not followed; a
    linked file is yielded, and reading it refuses it when it leads out of the project."""
    for folder, dirs, files in os.walk(site.episodes_dir, followlinks=False):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in [d for d in dirs if (base / d).is_symlink()]:
            dirs.remove(name)
            if not inside(base / name, site.root):
                yield _outside_link(base / name, site)
        yield from (base / name for name in sorted(files) if not name.startswith("."))


def discover(site: Site) -> list[str]:
    """Project-relative paths of the article files under episodes/, sorted: what a build
    and `read_project` read. (String work, not `Path.relative_to`: a no-change build asks
    this of every article.)"""
    prefix = len(str(site.root)) + 1
    return sorted(str(item)[prefix:].replace(os.sep, "/") for item in walk(site)
                  if isinstance(item, Path) and item.name.lower().endswith(ARTICLE_SUFFIXES))
