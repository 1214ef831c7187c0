"""The folder target: a site published into a local folder (a mounted share, a web
server's document root), with the same manifest, ordering and lock as a bucket."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from companion._errors import PublishError, os_cause
from companion._files import sha256_file
from companion._publish.targets import (
    LOCK_NAME,
    MANIFEST_NAME,
    META_DIR,
    LockInfo,
    OnBytes,
    RemoteObject,
    Sent,
    Upload,
    lock_held_error,
    lost_lease_error,
    run_parallel,
)


class LocalTarget:
    """A folder: files written atomically (temporary file, then rename)."""

    def __init__(self, root: Path, *, concurrency: int = 4) -> None:
        self.root = root
        self.concurrency = concurrency

    @property
    def label(self) -> str:
        return str(self.root)

    def _file(self, path: str) -> Path:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise PublishError("path leaves the target folder", where=path,
                               fix="site paths must stay inside the site")
        return target

    def read_manifest(self) -> bytes | None:
        try:
            return (self.root / MANIFEST_NAME).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise local_error(exc, self.root / MANIFEST_NAME) from None

    def write_manifest(self, data: bytes) -> None:
        self._write(self.root / MANIFEST_NAME, data)

    def _write(self, dest: Path, data: bytes | None, source: Path | None = None) -> None:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".tmp", dir=dest.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    if source is not None:
                        with source.open("rb") as src:
                            shutil.copyfileobj(src, out, 1024 * 1024)
                    else:
                        out.write(data or b"")
                os.replace(tmp, dest)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise local_error(exc, dest) from None

    def _send_one(self, upload: Upload) -> Sent:
        self._write(self._file(upload.path), None, upload.source)
        return Sent(upload)

    def send(self, uploads: Sequence[Upload], on_bytes: OnBytes | None = None
             ) -> Iterator[Sent]:
        return run_parallel(self._send_one, uploads, self.concurrency, OSError,
                            lambda e, path: local_error(e, self.root / path))

    def delete(self, paths: Sequence[str]) -> None:
        for path in paths:
            file = self._file(path)
            try:
                file.unlink(missing_ok=True)
                self._prune_dirs(file.parent)
            except OSError as exc:
                raise local_error(exc, file) from None

    def _prune_dirs(self, folder: Path) -> None:
        root = self.root.resolve()
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def listing(self) -> dict[str, RemoteObject]:
        found: dict[str, RemoteObject] = {}
        if not self.root.is_dir():
            return found
        for file in self.root.rglob("*"):
            rel = file.relative_to(self.root).as_posix()
            if file.is_file() and not rel.startswith(META_DIR + "/"):
                found[rel] = RemoteObject(file.stat().st_size)
        return found

    def confirms(self, upload: Upload, found: RemoteObject) -> bool:
        try:
            return found.size == upload.size and sha256_file(self._file(upload.path)) == (
                upload.sha256)
        except OSError:
            return False

    def _holder(self, path: Path) -> tuple[bool, LockInfo | None]:
        """(there is a lock, the lease it holds: None when it does not parse)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return False, None
        except OSError as exc:
            raise local_error(exc, path) from None
        return True, LockInfo.parse(data)

    def lock(self, info: LockInfo, *, force: bool = False, released: str = "") -> str | None:
        path = self.root / LOCK_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if force:
                self._write(path, info.to_bytes())
                return None
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return self._take_free(path, info, released)
        except OSError as exc:
            raise local_error(exc, path) from None
        with os.fdopen(fd, "wb") as out:
            out.write(info.to_bytes())
        return None

    def _take_free(self, path: Path, info: LockInfo, released: str) -> str:
        exists, holder = self._holder(path)
        why = holder.free(info.time, released) if holder is not None else None
        if exists and why is None:
            raise lock_held_error(str(path), holder)
        self._write(path, info.to_bytes())
        return why or "took over a lock that was released as it was read"

    def renew(self, info: LockInfo) -> None:
        path = self.root / LOCK_NAME
        _exists, holder = self._holder(path)
        if holder is None or holder.token != info.token:
            raise lost_lease_error(str(path), holder)
        self._write(path, info.to_bytes())

    def unlock(self, token: str = "") -> None:
        path = self.root / LOCK_NAME
        if token:
            _exists, holder = self._holder(path)
            if holder is not None and holder.token != token:
                return  # not ours any more: leave it to its holder
        path.unlink(missing_ok=True)

    def close(self) -> None:
        return None


def local_error(exc: OSError, where: Path) -> PublishError:
    if exc.errno == errno.ENOSPC:
        return PublishError("the disk is full", where=str(where),
                            fix="free some space (or publish elsewhere) and run publish again")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PublishError(f"not allowed to write: {exc.strerror}", where=str(where),
                            fix="check the folder's permissions, or choose another --to folder")
    cause, fix = os_cause(exc)
    return PublishError(f"cannot write: {cause}", where=str(where), fix=fix)


