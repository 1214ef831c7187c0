"""Shared fixtures. Stage-specific fixtures live in their own conftest modules."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import companion
from companion import BuildResult, Site

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
IN_CI = os.environ.get("CI", "").lower() == "true"


def seeds_or_skip(pattern: str = "*.txt") -> list[Path]:
    """The seed articles (kept outside the repository, in ../shared/seeds): a test that
    needs them is skipped where they are not, except in CI, where that is a failure."""
    found = sorted(SEEDS.glob(pattern)) if SEEDS.is_dir() else []
    if not found:
        if IN_CI:
            pytest.fail(f"CI=true and no seed articles at {SEEDS}")
        pytest.skip(f"no seed articles at {SEEDS}")
    return found


def copy_example(dest: Path) -> Path:
    """Copy the bundled example project (companion.toml, episodes, feeds, cache...) to `dest`."""
    dest.mkdir(parents=True)
    shutil.copy(REPO / "companion.toml", dest / "companion.toml")
    for name in ("episodes", "feeds", "templates", "cache", "media"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    return dest


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """A fresh copy of the bundled example project, for tests that change it."""
    return copy_example(tmp_path / "project")


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, BuildResult]:
    """The example project built once per session, for tests that only read the output."""
    project = companion.load_project(
        copy_example(tmp_path_factory.mktemp("built_example") / "project"))
    return project.site, project.build(jobs=1)


@pytest.fixture
def make_project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Make an empty project with a companion.toml; returns a function(files) -> root."""

    def make(files: dict[str, str | bytes] | None = None, name: str = "proj") -> Path:
        root = tmp_path / name
        (root / "episodes").mkdir(parents=True, exist_ok=True)
        (root / "feeds").mkdir(exist_ok=True)
        (root / "companion.toml").write_text(
            '[site]\ntitle = "Test Show"\nbase_url = "https://pod.example.org/"\n',
            encoding="utf-8",
        )
        for rel, content in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (the system's), one per test module."""
    from tests._browser import CHROMIUM, launch_chromium

    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("no system Chromium")
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
