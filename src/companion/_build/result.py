"""What a build hands back: its counts, its problems and what became of each article
(`companion build --json` prints it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion._errors import Problem
from companion._site_model import Standing


@dataclass(frozen=True)
class BuildResult:
    written: int
    unchanged: int
    removed: int
    episodes: int
    feeds: int
    problems: list[Problem] = field(default_factory=list)
    rendered: int = 0  # episodes rendered this time (the rest came from the last build)
    feeds_rendered: int = 0
    site_rendered: bool = False
    standings: tuple[Standing, ...] = ()  # what became of each article
    preview: bool = False  # drafts or scheduled articles were included (--drafts/--future)
    feeds_written: tuple[str, ...] = ()  # feeds with at least one item

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        """Whether the build had an error (with `strict`, a warning too)."""
        return bool(self.errors or (strict and self.warnings))

    def to_json(self, out: Path, strict: bool = False) -> dict[str, Any]:
        """What ``companion build --json`` prints (the README documents it)."""
        return {
            "ok": not self.failed(strict), "out": str(out), "preview": self.preview,
            "episodes": self.episodes, "rendered": self.rendered,
            "feeds": {"defined": self.feeds, "written": list(self.feeds_written)},
            "files": {"written": self.written, "unchanged": self.unchanged,
                      "removed": self.removed},
            "standings": [{"path": s.source, "slug": s.slug, "title": s.title, **s.to_json()}
                          for s in self.standings],
            "problems": [p.to_json() for p in self.problems],
        }
