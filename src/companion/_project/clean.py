"""`clean`: remove what a build made, and with ``cache`` what a fetch fetched.

A build makes the site folder (``[site] out``), its state (``.companion/``) and tagged
copies of the audio (``cache/published/``). `clean` removes those; with ``cache`` it
removes the folders `companion fetch` fills too, so that the next fetch starts afresh.
It never removes the ledger of published GUIDs (``cache/ledger/``): no command deletes
it, since it is the record of what subscribers have.

A site folder inside the project goes whole. One outside the project (``out =
"../www"``) may hold files companion did not write: there only the files the last build
recorded are removed, then the folders they leave empty.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion._build.folders import check_output_folder
from companion._build.state import STATE_DIR, load_state
from companion._config.project import inside, project_rel
from companion._errors import ProjectError, from_os_error
from companion._lifecycle.ledger import LEDGER_DIR
from companion._pair.cache import FETCHED_DIRS, PUBLISHED_DIR
from companion._site_model import Site


@dataclass(frozen=True)
class CleanReport:
    """What `clean` removed (project-relative where it can be), and what it kept."""

    removed: tuple[str, ...]
    kept: tuple[str, ...] = ()  # what it never removes and found there (the ledger)

    def to_json(self) -> dict[str, Any]:
        return {"ok": True, "removed": list(self.removed), "kept": list(self.kept),
                "problems": []}


def _remove(path: Path) -> bool:
    """Remove a file, a folder (whole) or a link (not what it points to)."""
    try:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        else:
            return False
    except OSError as exc:
        raise from_os_error(exc, ProjectError, "cannot remove it", str(path)) from None
    return True


def _recorded_files(site: Site, out: Path) -> list[Path]:
    """The files the last build recorded writing into `out` (a folder outside the project)."""
    state = load_state(site.root)
    if state.out_dir != str(out.resolve()):
        return []
    return [out / rel for rel in state.outputs]


def _remove_recorded(files: Iterable[Path], out: Path) -> bool:
    removed = False
    for file in files:
        removed = _remove(file) or removed
        folder = file.parent
        while folder != out and folder.is_relative_to(out):
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
    return removed


def _clean_site(site: Site) -> list[str]:
    out = site.out_dir.absolute()
    check_output_folder(site, out, "[site] out")  # never the project, its sources, the cache
    if inside(out, site.root):
        return [project_rel(out, site)] if _remove(out) else []
    files = _recorded_files(site, out)
    return [f"{out} ({len(files)} files the last build wrote)"] if _remove_recorded(
        files, out) else []


def clean(site: Site, *, cache: bool = False) -> CleanReport:
    """Remove the site folder, ``.companion/`` and ``cache/published/``; with `cache`, every
    folder a fetch fills too. Never ``cache/ledger/``."""
    removed = _clean_site(site)
    folders = [site.root / STATE_DIR, site.cache_dir / PUBLISHED_DIR]
    if cache:
        folders += [site.cache_dir / name for name in FETCHED_DIRS]
        folders += _leftovers(site.cache_dir)
    removed += [project_rel(p, site) for p in folders if _remove(p)]
    ledger = site.cache_dir / LEDGER_DIR
    kept = (project_rel(ledger, site),) if ledger.is_dir() else ()
    return CleanReport(tuple(removed), kept)


def _leftovers(cache: Path) -> list[Path]:
    """Scratch files and folders a fetch killed part-way left in the cache."""
    if not cache.is_dir():
        return []
    return sorted(p for p in cache.iterdir() if p.name.startswith((".tmp-", ".work-")))

