"""Where a site is published: what every target shares. A local folder (`folder`) and an
S3-compatible bucket (`s3`) speak the same small protocol (`Target`), so `run` keeps the
one manifest, ordering and locking logic for both (`choice` opens the one a spec names):

- `read_manifest` / `write_manifest`: ``<prefix>/.companion/manifest.json``;
- `send(uploads)`: transfer files in parallel, yielding each one as it is known to
  be stored (checksum verified), raising `PublishError` after the last good one;
- `delete(paths)`, `listing()` (for ``--verify``), `lock` / `unlock`.

Credentials come only from boto3's standard chain (environment, profile, instance
role); the project file gives the endpoint, region, addressing style and ACL.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from companion._errors import PublishError
from companion._text import finite_number, whole_number

if TYPE_CHECKING:
    pass

META_DIR = ".companion"
MANIFEST_NAME = f"{META_DIR}/manifest.json"
LOCK_NAME = f"{META_DIR}/lock"
LEASE_SECONDS = 90.0  # a lease not renewed for this long has expired
MB = 1024 * 1024
#: Files from this size on go in parts of this size (a 60 MB episode: 4 parts, 6 requests).
MULTIPART_THRESHOLD = 16 * MB
#: A file up to this size is read into memory for its PUT; a larger one is streamed.
IN_MEMORY = 1 * MB
DEFAULT_CONCURRENCY = 10
MAX_ATTEMPTS = 6
_BREAK_LOCK_FIX = ("wait for that publish to finish (its lease expires "
                   f"{LEASE_SECONDS:.0f} s after it stops); if you are sure none is running, "
                   "run `companion publish --break-lock`")
_BAD_LOCK_FIX = ("if no publish is running, run `companion publish --break-lock` to replace "
                 "it")


@dataclass(frozen=True)
class Upload:
    """One file to send: where it lives locally, what it is, how it is cached."""

    path: str  # POSIX, relative to the site root
    local: str  # the file, as the scan found it (a `Path` per file cost 0.1 s at 10,000)
    sha256: str  # hex
    size: int
    content_type: str
    cache_control: str
    redirect: str = ""  # the URL an old address moved to (x-amz-website-redirect-location)

    @property
    def source(self) -> Path:
        return Path(self.local)


@dataclass(frozen=True)
class Sent:
    """An upload the target has confirmed (etag as the target reports it, if any)."""

    upload: Upload
    etag: str | None = None


@dataclass(frozen=True)
class RemoteObject:
    size: int
    etag: str | None = None


def moment(value: object) -> float:
    """Seconds since the epoch, finite and within reason (a damaged lock or manifest can
    hold 1e300, NaN or an integer of 5,000 digits); ValueError otherwise."""
    found = finite_number(value, 0, 1e11)
    if found is None:
        raise ValueError("not a moment")
    return found


@dataclass(frozen=True)
class LockInfo:
    """Who holds a target's lease (stored as JSON in ``.companion/lock``)."""

    owner: str
    host: str
    pid: int
    time: float  # seconds since the epoch: when it was taken
    token: str
    expires: float = 0.0  # seconds since the epoch: unless renewed, free after this

    def __post_init__(self) -> None:
        if not self.expires:
            object.__setattr__(self, "expires", self.time + LEASE_SECONDS)

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> LockInfo | None:
        """The lease, or None when the object is not one (damaged, or not ours)."""
        try:
            raw = json.loads(data)
            pid = whole_number(raw["pid"], 1, (1 << 31) - 1) if isinstance(
                raw["pid"], int) else None
            if pid is None:
                raise ValueError("pid")
            taken = moment(raw["time"])
            expires = moment(raw["expires"]) if "expires" in raw else taken + 2 * 3600.0
            return cls(str(raw["owner"])[:200], str(raw["host"])[:255], pid, taken,
                       str(raw["token"])[:100], expires)
        except (ValueError, KeyError, TypeError, RecursionError):
            return None

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.time))
        return f"{self.owner}@{self.host} (pid {self.pid}) since {when}"

    def free(self, now: float, released: str = "") -> str | None:
        """Why the lease may be taken now (None: it is held): its publish finished (the
        manifest says it released this token), it expired, or its process is gone."""
        if released and released == self.token:
            return f"took over the lock of {self.describe()}: that publish had finished"
        if now > self.expires:
            until = time.strftime("%H:%M:%S UTC", time.gmtime(self.expires))
            return f"took over the lock of {self.describe()}: its lease expired at {until}"
        if self.host == socket.gethostname() and not _alive(self.pid):
            return (f"took over the lock of {self.describe()}: that process is no longer "
                    "running")
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


#: Told `(path, bytes)` as the parts of a large file are stored (negative when a part
#: is sent again).
OnBytes = Callable[[str, int], None]


class Target(Protocol):
    """A place a site is published to."""

    @property
    def label(self) -> str: ...

    def read_manifest(self) -> bytes | None: ...

    def write_manifest(self, data: bytes) -> None: ...

    def send(self, uploads: Sequence[Upload], on_bytes: OnBytes | None = None
             ) -> Iterator[Sent]:
        """Send `uploads` (several at once), yielding each when it is stored; `on_bytes`
        hears of the bytes of a large file as its parts go (for a progress bar)."""
        ...

    def delete(self, paths: Sequence[str]) -> None: ...

    def listing(self) -> dict[str, RemoteObject]: ...

    def confirms(self, upload: Upload, found: RemoteObject) -> bool:
        """Whether the object `found` (from `listing`) holds exactly `upload`'s bytes."""
        ...

    def lock(self, info: LockInfo, *, force: bool = False, released: str = "") -> str | None:
        ...

    def renew(self, info: LockInfo) -> None: ...

    def unlock(self, token: str = "") -> None: ...

    def close(self) -> None: ...


def lock_held_error(where: str, holder: LockInfo | None) -> PublishError:
    if holder is None:
        return PublishError("the target's lock is not readable (damaged, or written by "
                            "another program)", where=where, fix=_BAD_LOCK_FIX)
    until = time.strftime("%H:%M:%S UTC", time.gmtime(holder.expires))
    return PublishError(f"another publish holds the lock: {holder.describe()}, lease until "
                        f"{until}", where=where, fix=_BREAK_LOCK_FIX)


def lost_lease_error(where: str, holder: LockInfo | None) -> PublishError:
    who = f" ({holder.describe()})" if holder else ""
    return PublishError(f"this publish lost its lease on the target to another publish{who}",
                        where=where, fix="run publish again once the other one is done")


def run_parallel(work: Callable[[Upload], Sent], uploads: Sequence[Upload], workers: int,
                 error: type[Exception], convert: Callable[[Any, str], PublishError],
                 ) -> Iterator[Sent]:
    """Run `work` on every upload in a thread pool; yield each result as it finishes.

    After the first failure (or if the consumer stops early) the uploads not yet
    started are skipped; the ones running finish and are still yielded; then the
    failure is raised, as a `PublishError` naming the upload's path when it is an `error`.
    """
    stop = threading.Event()

    def task(upload: Upload) -> Sent | None:
        return None if stop.is_set() else work(upload)

    first: tuple[BaseException, str] | None = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(task, u): u.path for u in uploads}
        try:
            for future in as_completed(futures):
                exc = future.exception()
                if exc is not None:
                    first = first or (exc, futures[future])
                    stop.set()
                elif (sent := future.result()) is not None:
                    yield sent
        finally:
            stop.set()
    if first is not None:
        raise convert(*first) if isinstance(first[0], error) else first[0]
