"""The paste-ready show notes: the text a producer pastes into YouTube and Spotify.

The build writes them for every episode, drafts and scheduled ones included (the
YouTube description is pasted before the release), into
``.companion/notes/<slug>/youtube.txt`` and ``spotify.txt``: beside the build's state,
never in the site folder, so they are never published. `Project.notes`,
``companion notes`` and `check` ask the same texts (`_project.notes`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from companion._files import atomic_write
from companion._model import Episode, FeedDefinition
from companion._site_model import Site

if TYPE_CHECKING:
    from companion._render.shownotes import Fitted

#: The files the build writes, by target.
FILES = ("youtube", "spotify")
NAMES = {"youtube": "YouTube description", "spotify": "Spotify description",
          "apple": "feed description"}


def notes_folder(site: Site, slug: str) -> Path:
    """Where the paste-ready texts of an episode are kept."""
    return site.root / ".companion" / "notes" / slug


def drop_notes(site: Site, slug: str) -> None:
    """Remove the paste-ready texts of an episode that is gone."""
    folder = notes_folder(site, slug)
    for target in FILES:
        (folder / f"{target}.txt").unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: something of the producer's is in it
        folder.rmdir()


def paste_texts(episode: Episode, site: Site, feeds: Sequence[FeedDefinition],
                targets: Sequence[str] | None = None) -> dict[str, Fitted]:
    """The YouTube, Spotify and Apple texts of an episode in `feeds` (or those of
    `targets`), each within its limit."""
    from companion._render.shownotes import TARGETS, show_notes

    notes = show_notes(episode, site, page_url=site.episode_url(episode.slug),
                       feeds=[(f.title, site.feed_url(f.slug)) for f in feeds])
    return {target: fit(notes) for target, fit in TARGETS.items()
            if targets is None or target in targets}


def write_notes(episode: Episode, site: Site, feeds: Sequence[FeedDefinition]) -> None:
    """Write ``youtube.txt`` and ``spotify.txt`` of the episode (unchanged files stay)."""
    folder = notes_folder(site, episode.slug)
    for target, fitted in paste_texts(episode, site, feeds, FILES).items():
        path = folder / f"{target}.txt"
        data = (fitted.text + "\n").encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            atomic_write(path, data)
