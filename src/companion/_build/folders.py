"""Where a build may write: never over the project's sources (the root, episodes/,
feeds/, templates/, media/, the cache, .companion/), nor inside them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from companion._errors import ProjectError
from companion._site_model import Site

#: Folders of the project that hold what the build reads: an output folder never overlaps them.
SOURCE_DIRS = ("episodes", "feeds", "templates", "media")


def _overlaps(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_output_folder(site: Site, folder: Path, what: str,
                        extra: Iterable[str] = ()) -> None:
    """Refuse an output folder that is, holds or lies inside the project's sources: the
    project root itself, episodes/, feeds/, templates/, the cache, media/, .companion/,
    or a folder that `extra` (project paths an article's audio: or image: points at) uses."""
    real = Path(os.path.realpath(folder))
    root = Path(os.path.realpath(site.root))
    if real == root or root.is_relative_to(real):
        raise ProjectError(f"{what} {folder} is the project folder or holds it: the build "
                           "would write over the articles", where=str(folder), field=what,
                           fix="choose a folder of its own, e.g. site/ or public/")
    names = [*SOURCE_DIRS, site.cache, ".companion"]
    folders = [(name, Path(os.path.realpath(site.root / name))) for name in names]
    folders += [(rel, Path(os.path.realpath((site.root / rel).parent))) for rel in extra
                if ".." not in Path(rel).parts and not Path(rel).is_absolute()]
    for name, source in folders:
        if source != root and _overlaps(real, source):
            raise ProjectError(f"{what} {folder} overlaps {name}, which the build reads",
                               where=str(folder), field=what,
                               fix="choose a folder of its own, e.g. site/ or public/")
