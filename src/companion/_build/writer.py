"""The one writer of a build: every output file goes through it.

A `Writer` owns one root folder. It

- refuses a path outside the root (absolute, ``..``, a symlink leading out) and
  refuses to write one path twice in a build (two stages claiming one URL is a bug);
- writes only when the bytes differ (temporary file + ``os.replace``), so an
  unchanged output keeps its mtime and a no-change rebuild writes nothing;
- hard-links (or copies) a large ``OutputFile.source`` only when its content
  hash differs;
- knows what the previous build wrote (`OutputRecord`s from the build state) and
  removes what this build did not produce, and never a file it did not write;
- notes every new path in a journal (``.companion/journal``) before creating it, so
  that the files of a build killed before it saved its state are known to the next
  build, which removes those that no episode or feed produces any more.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from companion._errors import RenderError
from companion._files import atomic_fill, atomic_write, named, sha256_file
from companion._site_model import OutputFile

CHUNK = 1 << 20

# (mtime_ns, size, sha256 of the bytes) of a file the writer wrote or checked.
OutputRecord = tuple[int, int, str]
UNKNOWN: OutputRecord = (0, -1, "")  # written by a build that did not finish: bytes unknown


def read_journal(journal: Path, root: Path) -> list[str]:
    """Paths under `root` that a build journaled and did not live to record in its state."""
    try:
        lines = journal.read_bytes().decode("utf-8", "surrogatepass").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    prefix = f"{root}\t"
    return [line[len(prefix):] for line in lines if line.startswith(prefix)]


@dataclass(frozen=True)
class WriteCounts:
    written: int
    unchanged: int
    removed: int


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Writer:
    """Writes the outputs of one build under `root`; see the module docstring."""

    def __init__(self, root: Path, previous: Mapping[str, OutputRecord] | None = None, *,
                 journal: Path | None = None) -> None:
        self.root = root
        self._real_root = Path(os.path.realpath(root))
        self._prefix = str(root) + os.sep
        self._folders: dict[str, bool] = {}
        self._made: set[str] = set()  # folders this writer made or found
        self._previous = dict(previous or {})
        self._journal = journal
        self._journal_fd: int | None = None
        for rel in read_journal(journal, root) if journal else ():
            self._previous.setdefault(rel, UNKNOWN)
        self.records: dict[str, OutputRecord] = {}
        self._wrote_now: set[str] = set()  # paths written (not kept) by this build
        self.written = 0
        self.unchanged = 0
        self.removed = 0
        self.journaled = 0

    # -- claiming paths -------------------------------------------------------------------

    def target(self, rel: str) -> Path:
        """The file for site path `rel`; refuses anything that would land outside the root."""
        pure = PurePosixPath(rel)
        if not rel or pure.is_absolute() or "\\" in rel or rel.startswith("/"):
            raise _outside(rel, "is not a relative site path")
        if any(part in ("..", ".", "") for part in rel.split("/")):
            raise _outside(rel, "contains '..' or an empty part")
        folder, _, _name = rel.rpartition("/")
        path = self._prefix + rel
        if not self._inside(folder) or (os.path.islink(path) and not self._leads_in(path)):
            raise _outside(rel, "leads outside the output folder (through a symlink)")
        return Path(path)

    def _inside(self, folder: str) -> bool:
        """Whether `folder` (relative) stays under the root, symlinks followed (cached)."""
        if not folder:
            return True
        known = self._folders.get(folder)
        if known is None:
            parent = folder.rpartition("/")[0]
            path = self._prefix + folder
            known = self._inside(parent) and (not os.path.islink(path) or self._leads_in(path))
            self._folders[folder] = known
        return known

    def _leads_in(self, path: str) -> bool:
        real = Path(os.path.realpath(path))
        return real.is_relative_to(self._real_root) and real != self._real_root

    def _claim(self, rel: str) -> Path:
        if rel in self.records:
            raise RenderError(f"two outputs of this build want the same path {rel}",
                              where=rel, fix="give each episode and feed a unique slug")
        return self.target(rel)

    def _again(self, file: OutputFile, sha: str) -> bool:
        """A content-addressed file (``immutable``) may be produced twice with the same bytes
        (two feeds sharing one artwork); anything else claimed twice is refused."""
        record = self.records.get(file.path)
        return record is not None and file.cache == "immutable" and record[2] == sha

    # -- writing --------------------------------------------------------------------------

    def write(self, file: OutputFile, sha256: str | None = None) -> bool:
        """Write `file` unless the same bytes are there already; True when written.

        `sha256` may give the content hash of a `source` file (media are content-addressed).
        """
        if file.data is not None:
            sha = sha256_bytes(file.data)
        else:
            assert file.source is not None
            sha = sha256 or sha256_file(file.source)
        if self._again(file, sha):
            return False
        path = self._claim(file.path)
        if file.data is not None:
            return self._write_data(file.path, path, file.data, sha)
        assert file.source is not None
        return self._write_source(file.path, path, file.source, sha)

    def release(self, paths: Iterable[str]) -> None:
        """Let this build claim `paths` once more: an episode rendered again in the same
        build (its neighbours changed once every episode was known) writes its files anew,
        and each file counts once (written or unchanged) in the build's figures."""
        for rel in paths:
            record = self.records.pop(rel, None)
            if record is None:
                continue
            if rel in self._wrote_now:
                self._wrote_now.discard(rel)
                self.written -= 1
                self._previous.setdefault(rel, record)  # removed unless claimed again
            else:
                self.unchanged -= 1

    def write_bytes(self, rel: str, data: bytes) -> bool:
        return self._write_data(rel, self._claim(rel), data, sha256_bytes(data))

    def still_there(self, rel: str, sha256: str) -> bool:
        """Whether `rel` is, by mtime and size, the file the previous build wrote with this
        hash (or was already claimed by this build with it)."""
        claimed = self.records.get(rel)
        if claimed is not None:
            return claimed[2] == sha256
        record = self._previous.get(rel)
        return (record is not None and record[2] == sha256
                and _same_stat(f"{self._prefix}{rel}", record))

    def keep_all(self, outputs: Mapping[str, str]) -> bool:
        """Claim every output (path -> hash) as unchanged, without their bytes, when all of
        them are still there; otherwise claim none and return False."""
        records, previous, prefix, stat = self.records, self._previous, self._prefix, os.stat
        for rel, sha in outputs.items():  # `still_there`, inlined: asked of every output
            claimed = records.get(rel)
            if claimed is not None:
                if claimed[2] != sha:
                    return False
                continue
            record = previous.get(rel)
            if record is None or record[2] != sha:
                return False
            try:
                st = stat(prefix + rel)
            except OSError:
                return False
            if st.st_mtime_ns != record[0] or st.st_size != record[1]:
                return False
        for rel in outputs:
            if rel not in self.records:
                self.records[rel] = self._previous[rel]
                self.unchanged += 1
        return True

    def _write_data(self, rel: str, path: Path, data: bytes, sha: str) -> bool:
        if self._is_current(rel, path, sha, len(data), lambda: path.read_bytes() == data):
            return False
        self._note(rel)
        self._folder(path.parent)
        atomic_write(path, data, make_parent=False, public=True)
        return self._wrote(rel, path, sha)

    def _folder(self, folder: Path) -> None:
        """Make `folder` once per build (a 10,000-episode build asked 30,000 times)."""
        key = str(folder)
        if key not in self._made:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise named(exc, folder) from None
            self._made.add(key)

    def _write_source(self, rel: str, path: Path, source: Path, sha: str) -> bool:
        size = source.stat().st_size
        if self._is_current(rel, path, sha, size, lambda: sha256_file(path) == sha):
            return False
        self._note(rel)
        self._folder(path.parent)
        atomic_fill(path, lambda tmp: _link_or_copy(source, tmp), make_parent=False)
        return self._wrote(rel, path, sha)

    # -- the journal ----------------------------------------------------------------------

    def _note(self, rel: str) -> None:
        """Journal a path the build state does not know yet, before the file exists (one
        unbuffered append: it survives the process being killed)."""
        if self._journal is None or rel in self._previous:
            return
        if self._journal_fd is None:
            self._journal.parent.mkdir(parents=True, exist_ok=True)
            self._journal_fd = os.open(self._journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                                       0o644)
        os.write(self._journal_fd, f"{self.root}\t{rel}\n".encode("utf-8", "surrogatepass"))
        self.journaled += 1

    def close_journal(self) -> None:
        """The build state now records every file written: the journal is done with."""
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        if self._journal is not None:
            self._journal.unlink(missing_ok=True)

    def _is_current(self, rel: str, path: Path, sha: str, size: int,
                    same_bytes: Callable[[], bool]) -> bool:
        record = self._previous.get(rel)
        if record is not None and record[2] == sha and _same_stat(path, record):
            self.records[rel] = record
        else:
            try:
                stat = path.stat()
            except FileNotFoundError:
                return False
            if not path.is_file() or stat.st_size != size or not same_bytes():
                return False
            self.records[rel] = (stat.st_mtime_ns, stat.st_size, sha)
        self.unchanged += 1
        return True

    def _wrote(self, rel: str, path: Path, sha: str) -> bool:
        stat = path.stat()
        self.records[rel] = (stat.st_mtime_ns, stat.st_size, sha)
        self._wrote_now.add(rel)
        self.written += 1
        return True

    # -- stale outputs --------------------------------------------------------------------

    def remove_stale(self) -> list[str]:
        """Delete what the previous build wrote and this one did not; returns their paths."""
        removed: list[str] = []
        for rel in sorted(set(self._previous) - set(self.records)):
            try:
                path = self.target(rel)
            except RenderError:
                continue
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(rel)
                self._prune_dirs(path.parent)
        self.removed += len(removed)
        return removed

    def _prune_dirs(self, folder: Path) -> None:
        while folder != self.root and folder.is_relative_to(self.root):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def counts(self) -> WriteCounts:
        return WriteCounts(self.written, self.unchanged, self.removed)


def _same_stat(path: Path | str, record: OutputRecord) -> bool:
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return stat.st_mtime_ns == record[0] and stat.st_size == record[1]


def _link_or_copy(source: Path, tmp: Path) -> None:
    tmp.unlink()
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)


def _outside(rel: str, why: str) -> RenderError:
    return RenderError(f"refusing to write {rel!r}: it {why}", where=rel,
                       fix="this is a bug in a stage or a template path; report it")
