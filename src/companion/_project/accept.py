"""Writing accepted ids into articles: only `video:` and `spotify:` lines are added, every
other byte of the file stays as it was.

- a plain-text article (a ``.txt`` without front matter): its ``<stem>.yml`` sidecar (or the
  ``.yaml`` one it has), created when absent, the lines appended;
- an article with front matter (Markdown, a Jekyll post): the lines go just before the
  front matter's closing ``---``; a Markdown file without front matter gets one at its top.

`edits` computes every file's new bytes first (any problem is raised before anything is
written); `write_edits` then replaces each file through a temporary file and a rename, so an
interrupted accept leaves every article either as it was or fully updated.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from companion._config.project import project_rel
from companion._errors import ProjectError
from companion._files import atomic_fill
from companion._model import Article
from companion._read.files import SIDECAR_SUFFIXES
from companion._site_model import Site

YOUTUBE_EMBED = "https://www.youtube.com/embed/{id}"
SPOTIFY_EMBED = "https://open.spotify.com/embed/episode/{id}"
_BOM = "\ufeff"


@dataclass(frozen=True)
class Edit:
    """One file's new bytes (`created`: the sidecar did not exist)."""

    path: Path
    data: bytes
    created: bool


def id_lines(youtube: str | None, spotify: str | None) -> dict[str, str]:
    """The lines to add, in the embed form the newsroom writes (the reader takes it)."""
    found = {}
    if youtube:
        found["video"] = YOUTUBE_EMBED.format(id=youtube)
    if spotify:
        found["spotify"] = SPOTIFY_EMBED.format(id=spotify)
    return found


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"


def _refuse_present(text: str, keys: Sequence[str], where: str) -> None:
    for key in keys:
        if re.search(rf"(?m)^{key}\s*:", text):
            raise ProjectError(f"it has a `{key}:` line already, which gives no id", where=where,
                               field=key, fix=f"fill in or remove the `{key}:` line, then run "
                                               "`companion pair --accept` again")


def _sidecar_edit(article: Article, lines: Mapping[str, str], site: Site) -> Edit:
    existing = [article.path.with_suffix(s) for s in SIDECAR_SUFFIXES
                if article.path.with_suffix(s).is_file()]
    path = existing[0] if existing else article.path.with_suffix(SIDECAR_SUFFIXES[0])
    where = project_rel(path, site)
    text = _decode(path.read_bytes(), where) if existing else ""
    _refuse_present(text, list(lines), where)
    newline = _newline(text) if text else "\n"
    if text and not text.endswith("\n"):
        text += newline
    text += "".join(f"{key}: {value}{newline}" for key, value in lines.items())
    return Edit(path, text.encode("utf-8"), not existing)


def _front_matter_edit(article: Article, lines: Mapping[str, str], site: Site) -> Edit:
    text = _decode(article.path.read_bytes(), article.relpath)
    bom = _BOM if text.startswith(_BOM) else ""
    text = text.removeprefix(bom)
    newline = _newline(text)
    parts = text.split("\n")
    added = "".join(f"{key}: {value}{newline}" for key, value in lines.items())
    if parts[0].rstrip() != "---":
        return Edit(article.path, (bom + f"---{newline}{added}---{newline}" + text)
                    .encode("utf-8"), False)
    close = next((n for n, line in enumerate(parts[1:], start=1)
                  if line.rstrip() in ("---", "...")), None)
    if close is None:
        raise ProjectError("its front matter is not closed", where=article.relpath,
                           field="front matter", fix="end the front matter with a line of "
                                                     "three dashes: ---")
    _refuse_present("\n".join(parts[1:close]), list(lines), article.relpath)
    head = "\n".join(parts[:close]) + "\n"
    return Edit(article.path, (bom + head + added + "\n".join(parts[close:])).encode("utf-8"),
                False)


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProjectError("not UTF-8: companion does not rewrite it", where=where,
                           fix="save the file as UTF-8") from None


def _has_front_matter(article: Article) -> bool:
    first = article.path.read_bytes()[:8].decode("utf-8", "replace").removeprefix(_BOM)
    return first.split("\n", 1)[0].rstrip() == "---"


def edit_for(article: Article, lines: Mapping[str, str], site: Site) -> Edit:
    """The new bytes of the file that takes `lines` for `article`."""
    if article.format == "text" and not _has_front_matter(article):
        return _sidecar_edit(article, lines, site)
    return _front_matter_edit(article, lines, site)


def write_edits(edits: Sequence[Edit]) -> None:
    """Each file replaced atomically (a temporary file and a rename), its mode kept (a new
    sidecar: readable by all, as an editor makes it)."""
    for edit in edits:
        mode = 0o644 if edit.created else stat.S_IMODE(edit.path.stat().st_mode)

        def fill(tmp: Path, data: bytes = edit.data, mode: int = mode) -> None:
            tmp.write_bytes(data)
            os.chmod(tmp, mode)

        atomic_fill(edit.path, fill, make_parent=False)
