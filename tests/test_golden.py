"""The golden example site: the example project builds to exactly the committed bytes.

A change to what users see is deliberate: `python scripts/golden --update`, then review
`git diff tests/golden`."""

from __future__ import annotations

from pathlib import Path

from tests._golden import build_example, differences, snapshot, stored


def test_the_example_builds_to_the_golden_site(tmp_path: Path) -> None:
    golden = stored()
    assert golden, "tests/golden/ is empty: run `python scripts/golden --update`"
    built = snapshot(build_example(tmp_path))
    assert differences(built, golden) == [], (
        "the build differs from tests/golden/; if that is meant, run "
        "`python scripts/golden --update` and review the diff")


def test_the_comparison_sees_a_changed_byte(tmp_path: Path) -> None:
    golden = stored()
    changed = dict(golden)
    page = next(p for p in changed if p.endswith("index.html"))
    changed[page] = changed[page].replace(b"<", b"&lt;", 1)
    assert differences(changed, golden) == [f"changed: {page}"]
