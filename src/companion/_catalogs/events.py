"""The progress a catalog read reports, for the command's bar (a module of its own, so the
sources and the options that name them import it without a circle)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogEvent:
    """Progress for the command's bar: `done` of `total` steps of reading `source` (`total`
    None while unknown). `stage` is "listing", "feed", "details", "episodes" or "rss";
    "done" when the source is finished."""

    source: str
    stage: str
    done: int
    total: int | None
