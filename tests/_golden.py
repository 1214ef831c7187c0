"""The golden example site: the bundled example project, built for a fixed moment, kept in
``tests/golden/`` and compared byte for byte.

Text files (pages, feeds, JSON, captions, CSS) are kept whole, so a change to what users
see shows up as a reviewable diff; binary files (audio, artwork) by their SHA-256 and
size. `python scripts/golden --update` rewrites it: a deliberate, reviewed change.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
BINARY_LIST = GOLDEN / "binary.txt"
NOW = "2026-01-01T00:00:00+00:00"  # the example's episodes are all out by then
TEXT_SUFFIXES = {".html", ".xml", ".json", ".vtt", ".srt", ".css", ".txt", ".js", ".svg"}


def build_example(work: Path) -> Path:
    """Copy the example project into `work` and build it for `NOW`; returns the site folder."""
    from companion._cli.main import main

    project = work / "project"
    project.mkdir(parents=True)
    shutil.copy(REPO / "companion.toml", project / "companion.toml")
    for name in ("episodes", "feeds", "templates", "cache", "media"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, project / name)
    code = main(["--project", str(project), "-q", "build", "--now", NOW, "--jobs", "1"])
    if code != 0:
        raise RuntimeError(f"the example project did not build cleanly (exit {code})")
    return project / "site"


def snapshot(site: Path) -> dict[str, bytes]:
    """Every file of a built site: text files' bytes, binary files' "sha256 size"."""
    found: dict[str, bytes] = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        data = path.read_bytes()
        if path.suffix.lower() in TEXT_SUFFIXES:
            found[rel] = data
        else:
            found[rel] = f"{hashlib.sha256(data).hexdigest()} {len(data)}".encode()
    return found


def stored() -> dict[str, bytes]:
    """The golden site as committed."""
    found: dict[str, bytes] = {}
    folder = GOLDEN / "site"
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    if BINARY_LIST.exists():
        for line in BINARY_LIST.read_text(encoding="utf-8").splitlines():
            digest, size, rel = line.split(" ", 2)
            found[rel] = f"{digest} {size}".encode()
    return found


def differences(built: dict[str, bytes], golden: dict[str, bytes]) -> list[str]:
    lines = [f"missing from the build: {p}" for p in sorted(set(golden) - set(built))]
    lines += [f"new in the build: {p}" for p in sorted(set(built) - set(golden))]
    lines += [f"changed: {p}" for p in sorted(set(built) & set(golden))
              if built[p] != golden[p]]
    return lines


def write(built: dict[str, bytes]) -> None:
    shutil.rmtree(GOLDEN / "site", ignore_errors=True)
    binary: list[str] = []
    for rel, data in built.items():
        if Path(rel).suffix.lower() in TEXT_SUFFIXES:
            target = GOLDEN / "site" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        else:
            binary.append(f"{data.decode()} {rel}")
    BINARY_LIST.parent.mkdir(parents=True, exist_ok=True)
    BINARY_LIST.write_text("".join(f"{line}\n" for line in sorted(binary,
                                                                   key=lambda x: x.split()[2])),
                           encoding="utf-8")
