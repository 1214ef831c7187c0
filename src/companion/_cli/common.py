"""What every command shares: the project folder, the consoles, JSON output."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from companion._api import Project, load_project

if TYPE_CHECKING:  # the fetch stage (and httpx) is imported only when `fetch` runs
    from companion._fetch import FetchOptions


@dataclass
class Ctx:
    project: Path
    quiet: bool = False
    out: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))
    err: Console = field(
        default_factory=lambda: Console(stderr=True, highlight=False, soft_wrap=True))
    fetch_options: FetchOptions | None = None  # where `fetch` asks; None: the real services

    def load(self) -> Project:
        """The project the command works on (its companion.toml read and validated)."""
        return load_project(self.project)

    def say(self, text: str) -> None:
        if not self.quiet:
            self.out.print(text, markup=False)

    def print_json(self, data: Any) -> None:
        self.out.file.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
