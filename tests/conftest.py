"""Shared fixtures, and the count of skipped test groups that `scripts/test` reports.
Stage-specific fixtures live in their own conftest modules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import companion
from companion import BuildResult, Site
from tests._groups import group_of
from tests._httpserver import Server

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def server() -> Iterator[Server]:
    """A local HTTP server on 127.0.0.1 (`tests._httpserver`), stopped after the test; a
    module that needs it set up otherwise (routes, a token) defines its own."""
    running = Server().start()
    yield running
    running.stop()


def _seeds_folder() -> Path:
    """Where the seed articles are: ``COMPANION_SEEDS``, else ``../shared/seeds`` beside
    this repository or, in a local clone (``git clone . /tmp/x``), beside the repository
    it was cloned from."""
    if os.environ.get("COMPANION_SEEDS"):
        return Path(os.environ["COMPANION_SEEDS"])
    beside = REPO.parent / "shared" / "seeds"
    if beside.is_dir():
        return beside
    origin = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True, check=False).stdout.strip()
    if origin and Path(origin).is_absolute() and Path(origin).is_dir():
        return Path(origin).resolve().parent / "shared" / "seeds"
    return beside


SEEDS = _seeds_folder()
IN_CI = os.environ.get("CI", "").lower() == "true"


def seeds_or_skip(pattern: str = "*.txt") -> list[Path]:
    """The seed articles (kept outside the repository, in ../shared/seeds): a test that
    needs them is skipped where they are not, except in CI, where that is a failure."""
    found = sorted(SEEDS.glob(pattern)) if SEEDS.is_dir() else []
    if not found:
        if IN_CI:
            pytest.fail(f"CI=true and no seed articles at {SEEDS}")
        pytest.skip(f"seeds: no seed articles at {SEEDS}")
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


# -- skipped groups -----------------------------------------------------------------------

_SKIPPED: Counter[str] = Counter()
_REASONS: dict[str, str] = {}


def _reason(report: pytest.TestReport) -> str:
    longrepr: Any = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = _reason(report)
        group = group_of(reason)
        _SKIPPED[group] += 1
        _REASONS.setdefault(group, reason.removeprefix("Skipped: ").removeprefix(f"{group}: "))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Name the skipped groups; write the counts where `scripts/test` asked for them."""
    if _SKIPPED:
        terminalreporter.section("skipped test groups")
        for group, count in sorted(_SKIPPED.items()):
            terminalreporter.write_line(f"{group}: {count} test(s) skipped ({_REASONS[group]})")
    target = os.environ.get("COMPANION_TEST_SUMMARY")
    if target:
        stats = terminalreporter.stats
        counts = {k: len(stats.get(k, [])) for k in ("passed", "failed", "error", "skipped")}
        Path(target).write_text(json.dumps({
            **counts, "groups": {g: {"tests": n, "reason": _REASONS[g]}
                                 for g, n in sorted(_SKIPPED.items())}}), encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (a working one: see `tests._browser.chromium_or_skip`), one per
    test module; its temporary files are removed with it."""
    from tests._browser import launch_chromium

    sync_api = pytest.importorskip("playwright.sync_api")
    scratch = Path(tempfile.mkdtemp(prefix="companion-chromium-"))
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = launch_chromium(playwright, scratch)
            yield chromium
            chromium.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
