"""The one exception tree of companion, and the `Problem` record that `check` lists.

Every error a user can cause carries *where* it happened (a file, a field, an
episode, an object in a bucket) and *what to do* about it, so the CLI can print
one clear line and exit non-zero instead of a traceback::

    CompanionError
    ├── ProjectError      companion.toml, project layout, templates
    ├── ReadError         an article file (YAML, encoding, title, date, links)
    ├── PairError         YouTube / Spotify / audio metadata and the cache
    │   ├── FetchError    a network fetch that failed (yt-dlp, oEmbed, download)
    │   └── CatalogError  a channel's or show's catalog that cannot be read
    ├── FeedError         a feed definition or a feed rule
    ├── RenderError       templates, show notes, pages
    └── PublishError      the publish target (credentials, bucket, lock, disk)

Stages raise these; they never print.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """One thing `check` reports: where it is, what is wrong, how to fix it."""

    severity: Severity
    where: str
    message: str
    fix: str = ""
    field: str | None = None

    def __str__(self) -> str:
        place = f"{self.where}: {self.field}" if self.field else self.where
        text = f"{place}: {self.message}"
        return f"{text} ({self.fix})" if self.fix else text

    def to_json(self) -> dict[str, str | None]:
        return {
            "severity": self.severity,
            "where": self.where,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
        }


class CompanionError(Exception):
    """Base of every error a user can cause or fix.

    `where` names the file, field, episode or object; `fix` says what to do.
    """

    def __init__(self, message: str, *, where: str = "", field: str | None = None,
                 fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.field = field
        self.fix = fix

    def problem(self, severity: Severity = "error") -> Problem:
        return Problem(severity, self.where or "companion", self.message, self.fix, self.field)

    def __str__(self) -> str:
        return str(self.problem())


class ProjectError(CompanionError):
    """companion.toml, the project folder, or a template."""


class ReadError(CompanionError):
    """An article file that cannot be read as an article."""


class PairError(CompanionError):
    """Metadata for an episode (YouTube, Spotify, audio, cache) is missing or wrong."""


class FetchError(PairError):
    """A fetch from the network failed (yt-dlp, oEmbed, a download)."""


class CatalogError(PairError):
    """A catalog of the channel or the show (a saved yt-dlp JSON, a Spotify Web API answer,
    a podcast RSS feed) that cannot be read: `where` names the file or source."""


class FeedError(CompanionError):
    """A feed definition that is invalid, or a feed that breaks a rule."""


class RenderError(CompanionError):
    """Rendering show notes, pages or feeds failed."""


class PublishError(CompanionError):
    """The publish target refused or failed (credentials, bucket, lock, disk)."""


class CatalogSourceError(FetchError):
    """A `[pair]` source (a channel or playlist, the Spotify show, the show's RSS) that could
    not be read from the network or the cache: `where` names the source."""


#: What an operating-system error means, in words, and what to do about it.
_OS_CAUSES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free some space, then run the command again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space, then run the command again"),
    errno.EFBIG: ("the file is larger than this system allows (ulimit -f?)",
                  "raise the file size limit (ulimit -f), then run the command again"),
    errno.EACCES: ("permission denied", "check the permissions of the file and its folder"),
    errno.EPERM: ("operation not permitted",
                  "check the permissions of the file and its folder"),
    errno.EROFS: ("the file system is read-only", "choose a folder you can write to"),
    errno.ENAMETOOLONG: ("the file name is too long (at most 255 bytes a name)",
                         "use a shorter name or a shorter folder path"),
    errno.ENOENT: ("no such file or folder", "check that it exists"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.EISDIR: ("it is a folder, not a file", "check the path"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) and run it again"),
    errno.EIO: ("an input/output error (a failing disk?)", "check the disk"),
}


#: Errors of a write: in a copy (which names source and destination), the destination.
_WRITING = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def os_cause(exc: OSError) -> tuple[str, str]:
    """(the cause of an `OSError` in words, what to do about it)."""
    known = _OS_CAUSES.get(exc.errno or 0)
    if known is not None:
        return known
    words = exc.strerror or (os.strerror(exc.errno) if exc.errno else type(exc).__name__)
    return words[:1].lower() + words[1:], "check the path and run the command again"


def from_os_error(exc: OSError, kind: type[CompanionError] = CompanionError,
                  doing: str = "", where: str = "") -> CompanionError:
    """An `OSError` as one error naming the path and the cause in words: "cannot write:
    the disk is full" at the file it happened to."""
    cause, fix = os_cause(exc)
    path = exc.filename if exc.filename is not None else where
    if exc.filename2 is not None and exc.errno in _WRITING:  # a copy: where it was going
        path = exc.filename2
    shown = os.fsdecode(path) if isinstance(path, str | bytes) else str(path or "")
    return kind(f"{doing}: {cause}" if doing else cause, where=shown or "companion", fix=fix)
