"""Where a site is published: a local folder or an S3-compatible bucket.

Both targets speak the same small protocol (`Target`), so `_publish.py` keeps the
one manifest, ordering and locking logic for both:

- `read_manifest` / `write_manifest`: ``<prefix>/.companion/manifest.json``;
- `send(uploads)`: transfer files in parallel, yielding each one as it is known to
  be stored (checksum verified), raising `PublishError` after the last good one;
- `delete(paths)`, `listing()` (for ``--verify``), `lock` / `unlock`.

Credentials come only from boto3's standard chain (environment, profile, instance
role); the project file gives the endpoint, region, addressing style and ACL.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from companion._errors import PublishError, os_cause
from companion._files import sha256_file
from companion._site_model import PublishSettings
from companion._text import finite_number, has_userinfo, redact, whole_number

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from s3transfer.manager import TransferManager
    from s3transfer.subscribers import BaseSubscriber

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
    source: Path
    sha256: str  # hex
    size: int
    content_type: str
    cache_control: str
    redirect: str = ""  # the URL an old address moved to (x-amz-website-redirect-location)


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


class _PartProgress:
    """An s3transfer subscriber (it calls the `on_*` methods a subscriber has): the
    progress of one upload, as `(path, bytes)` calls."""

    def __init__(self, path: str, on_bytes: OnBytes) -> None:
        self.path, self.on_bytes = path, on_bytes

    def on_progress(self, future: object, bytes_transferred: int, **kwargs: object) -> None:
        self.on_bytes(self.path, bytes_transferred)


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


# --- local folder -----------------------------------------------------------------------


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


# --- S3-compatible bucket ---------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _md5(path: Path, part_size: int | None = None) -> tuple[str, list[bytes]]:
    """The MD5 of a file (hex) and the digests of its parts of `part_size` bytes."""
    whole = hashlib.md5(usedforsecurity=False)
    parts: list[bytes] = []
    with path.open("rb") as src:
        while chunk := src.read(part_size or 8 * MB):
            whole.update(chunk)
            parts.append(hashlib.md5(chunk, usedforsecurity=False).digest())
    return whole.hexdigest(), parts


def _sha256(body: bytes | Path) -> bytes:
    if isinstance(body, bytes):
        return hashlib.sha256(body).digest()
    digest = hashlib.sha256()
    with body.open("rb") as src:
        while chunk := src.read(8 * MB):
            digest.update(chunk)
    return digest.digest()


def expected_etag(path: Path, size: int, part_size: int) -> str:
    """The ETag S3 gives a plain upload (MD5) or a multipart upload (MD5 of MD5s-N)."""
    whole, parts = _md5(path, part_size)
    if size < MULTIPART_THRESHOLD:
        return whole
    joined = hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest()
    return f"{joined}-{len(parts)}"


def redirect_args(upload: Upload) -> dict[str, str]:
    """An old address (`_lifecycle.moves`) is stored with the URL it moved to, which an S3
    website endpoint answers with a 301 (the object's body is the fallback for others)."""
    return {"WebsiteRedirectLocation": upload.redirect} if upload.redirect else {}


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


class S3Target:
    """``s3://bucket/prefix`` on any S3-compatible endpoint, through boto3."""

    def __init__(self, client: S3Client, bucket: str, prefix: str = "", *,
                 acl: str | None = None, concurrency: int = DEFAULT_CONCURRENCY,
                 checksums: bool = True, endpoint: str | None = None) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.acl = acl
        self.concurrency = concurrency
        self.checksums = checksums
        self.endpoint = endpoint or client.meta.endpoint_url
        self._manager: TransferManager | None = None

    @property
    def label(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, path: str) -> str:
        return self.prefix + path

    def _error(self, exc: BaseException, path: str = "") -> PublishError:
        return s3_error(exc, self.label + path, self.bucket, self.endpoint)

    def read_manifest(self) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(MANIFEST_NAME))
            return response["Body"].read()
        except Exception as exc:
            if _code(exc) in ("NoSuchKey", "404"):
                return None
            raise self._error(exc, MANIFEST_NAME) from None

    def write_manifest(self, data: bytes) -> None:
        try:
            self._put(self.key(MANIFEST_NAME), data, "application/json", "no-store")
        except Exception as exc:
            raise self._error(exc, MANIFEST_NAME) from None

    def _put(self, key: str, body: bytes | Path, content_type: str, cache_control: str,
             sha256: bytes | None = None, *, site_file: bool = False, **extra: Any) -> str:
        """One PUT of `body` (bytes, or a file streamed from disk). The endpoint checks
        the bytes against one checksum: SHA-256 (known from the scan) where it takes
        one, else Content-MD5, whose ETag is then compared too. Never both."""
        with contextlib.ExitStack() as stack:
            data = stack.enter_context(body.open("rb")) if isinstance(body, Path) else body
            args: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Body": data,
                                    "ContentType": content_type, "CacheControl": cache_control,
                                    **extra}
            if self.acl and site_file:  # the manifest and lock stay private
                args["ACL"] = self.acl
            md5 = None
            if self.checksums:
                args["ChecksumSHA256"] = _b64(sha256 or _sha256(body))
            else:
                md5 = _md5(body)[0] if isinstance(body, Path) else hashlib.md5(
                    body, usedforsecurity=False).hexdigest()
                args["ContentMD5"] = _b64(bytes.fromhex(md5))
            try:
                response = self.client.put_object(**args)
            except Exception as exc:
                if not self.checksums or _code(exc) not in ("NotImplemented", "InvalidArgument",
                                                            "InvalidRequest"):
                    raise
                self.checksums = False  # the endpoint refuses SHA-256: rely on Content-MD5
                return self._put(key, body, content_type, cache_control, site_file=site_file,
                                 **extra)
        etag = str(response.get("ETag", "")).strip('"')
        if md5 is not None and etag and "-" not in etag and etag != md5:
            raise PublishError("the stored object's ETag does not match what was sent",
                               where=self.label + key, fix="run publish again")
        return etag

    def _manager_for(self) -> TransferManager:
        if self._manager is None:
            from boto3.s3.transfer import TransferConfig, create_transfer_manager

            # the parts of one file go one after another in the sending thread: the
            # publish runs `concurrency` files at once, and so never more requests than
            # the client's pool has connections
            config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD,
                                    multipart_chunksize=MULTIPART_THRESHOLD,
                                    use_threads=False, preferred_transfer_client="classic")
            self._manager = create_transfer_manager(self.client, config)
        return self._manager

    def _send_small(self, upload: Upload) -> Sent:
        body = upload.source.read_bytes() if upload.size <= IN_MEMORY else upload.source
        etag = self._put(self.key(upload.path), body, upload.content_type,
                         upload.cache_control, bytes.fromhex(upload.sha256), site_file=True,
                         **redirect_args(upload))
        return Sent(upload, etag)

    def _send_large(self, upload: Upload, on_bytes: OnBytes | None) -> Sent:
        extra: dict[str, Any] = {"ContentType": upload.content_type,
                                 "CacheControl": upload.cache_control, **redirect_args(upload)}
        if self.checksums:
            extra["ChecksumAlgorithm"] = "SHA256"
        if self.acl:
            extra["ACL"] = self.acl
        key = self.key(upload.path)
        subscribers = cast("list[BaseSubscriber]", [_PartProgress(upload.path, on_bytes)]
                           ) if on_bytes else None
        self._manager_for().upload(str(upload.source), self.bucket, key, extra,
                                   subscribers).result()
        head = self.client.head_object(Bucket=self.bucket, Key=key)  # its ETag, for verify
        etag = str(head.get("ETag", "")).strip('"')
        # with SHA-256 the endpoint checked each part; else the ETag (MD5s) is compared
        if head.get("ContentLength") != upload.size or (not self.checksums and etag != (
                expected_etag(upload.source, upload.size, MULTIPART_THRESHOLD))):
            raise PublishError("the stored object differs from what was sent (size or ETag)",
                               where=self.label + upload.path, fix="run publish again")
        return Sent(upload, etag)

    def _send_one(self, upload: Upload, on_bytes: OnBytes | None = None) -> Sent:
        if upload.size >= MULTIPART_THRESHOLD:
            return self._send_large(upload, on_bytes)
        return self._send_small(upload)

    def send(self, uploads: Sequence[Upload], on_bytes: OnBytes | None = None
             ) -> Iterator[Sent]:
        return run_parallel(lambda upload: self._send_one(upload, on_bytes), uploads,
                            self.concurrency, Exception, self._error)

    def delete(self, paths: Sequence[str]) -> None:
        for start in range(0, len(paths), 1000):
            batch = [{"Key": self.key(p)} for p in paths[start:start + 1000]]
            try:
                response = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})  # type: ignore[typeddict-item]
            except Exception as exc:
                raise self._error(exc) from None
            errors = response.get("Errors", [])
            if errors:
                first = errors[0]
                raise PublishError(f"could not delete: {first.get('Code')}",
                                   where=self.label + str(first.get("Key", "")),
                                   fix="check the credentials' delete permission")

    def listing(self) -> dict[str, RemoteObject]:
        found: dict[str, RemoteObject] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    rel = item["Key"][len(self.prefix):]
                    if not rel.startswith(META_DIR + "/"):
                        found[rel] = RemoteObject(int(item.get("Size", 0)),
                                                  str(item.get("ETag", "")).strip('"') or None)
        except Exception as exc:
            raise self._error(exc) from None
        return found

    def confirms(self, upload: Upload, found: RemoteObject) -> bool:
        return found.size == upload.size and found.etag == expected_etag(
            upload.source, upload.size, MULTIPART_THRESHOLD)

    def lock(self, info: LockInfo, *, force: bool = False, released: str = "") -> str | None:
        key = self.key(LOCK_NAME)
        try:
            if force:
                self._put(key, info.to_bytes(), "application/json", "no-store")
                return None
            return self._lock_conditional(key, info, released)
        except PublishError:
            raise
        except Exception as exc:
            raise self._error(exc, LOCK_NAME) from None

    def _lock_conditional(self, key: str, info: LockInfo, released: str) -> str | None:
        try:
            self._put(key, info.to_bytes(), "application/json", "no-store", IfNoneMatch="*")
            return None
        except Exception as exc:
            code = _code(exc)
            if code in ("NotImplemented", "InvalidArgument"):
                return self._lock_verified(key, info, released)
            if code not in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409"):
                raise
        return self._take_free(key, info, released)

    def _read_lock(self, key: str) -> tuple[bool, LockInfo | None]:
        """(there is a lock, the lease it holds: None when it does not parse)."""
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except Exception as exc:
            if _code(exc) in ("NoSuchKey", "404"):
                return False, None
            raise
        return True, LockInfo.parse(body)

    def _take_free(self, key: str, info: LockInfo, released: str) -> str:
        exists, holder = self._read_lock(key)
        why = holder.free(info.time, released) if holder is not None else None
        if exists and why is None:
            raise lock_held_error(self.label + LOCK_NAME, holder)
        self._put(key, info.to_bytes(), "application/json", "no-store")
        return why or "took over a lock that was released as it was read"

    def _lock_verified(self, key: str, info: LockInfo, released: str) -> str | None:
        """For endpoints without conditional writes: check, put, read back."""
        exists, holder = self._read_lock(key)
        why = holder.free(info.time, released) if holder is not None else None
        if exists and why is None:
            raise lock_held_error(self.label + LOCK_NAME, holder)
        self._put(key, info.to_bytes(), "application/json", "no-store")
        time.sleep(0.2)
        _again, now = self._read_lock(key)
        if now is None or now.token != info.token:
            raise lock_held_error(self.label + LOCK_NAME, now)
        return why

    def renew(self, info: LockInfo) -> None:
        key = self.key(LOCK_NAME)
        try:
            _exists, holder = self._read_lock(key)
            if holder is None or holder.token != info.token:
                raise lost_lease_error(self.label + LOCK_NAME, holder)
            self._put(key, info.to_bytes(), "application/json", "no-store")
        except PublishError:
            raise
        except Exception as exc:
            raise self._error(exc, LOCK_NAME) from None

    def unlock(self, token: str = "") -> None:
        key = self.key(LOCK_NAME)
        try:
            if token:
                _exists, holder = self._read_lock(key)
                if holder is not None and holder.token != token:
                    return  # not ours any more: leave it to its holder
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            raise self._error(exc, LOCK_NAME) from None

    def close(self) -> None:
        if self._manager is not None:
            self._manager.shutdown()
            self._manager = None


_CREDENTIAL_FIX = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) "
                   "to credentials the endpoint knows")
_CLIENT_ERRORS: dict[str, tuple[str, str]] = {
    "InvalidAccessKeyId": ("the endpoint does not know this access key", _CREDENTIAL_FIX),
    "SignatureDoesNotMatch": ("the secret key does not match the access key", _CREDENTIAL_FIX),
    "InvalidToken": ("the session token is not valid", _CREDENTIAL_FIX),
    "ExpiredToken": ("the session token has expired", "refresh the credentials"),
    "AccessDenied": ("access denied", "give these credentials read, write and delete "
                     "permission on the bucket"),
    "NoSuchBucket": ("the bucket does not exist", "create the bucket, or correct the target"),
    "SlowDown": ("the endpoint kept throttling after retries", "run publish again later"),
}


def _transfer_cause(exc: BaseException) -> str | None:
    """What went wrong in a transfer, in words (None: not a transfer failure)."""
    from botocore import exceptions as bx

    causes: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
        (bx.FlexibleChecksumError, "what arrived does not match its checksum (the response "
                                   "was cut off or damaged on the way)"),
        (bx.ChecksumError, "what arrived does not match its checksum"),
        ((bx.IncompleteReadError, bx.ResponseStreamingError),
         "the connection broke off in the middle of a transfer"),
        (bx.ReadTimeoutError, "the endpoint stopped answering (timed out)"),
        (bx.ConnectionClosedError, "the endpoint closed the connection"),
    )
    return next((words for kind, words in causes if isinstance(exc, kind)), None)


def s3_error(exc: BaseException, where: str, bucket: str, endpoint: str | None) -> PublishError:
    """A botocore/boto3 failure as one clear message (never with credentials in it)."""
    if isinstance(exc, PublishError):
        return exc
    from botocore import exceptions as bx

    place = redact(endpoint) if endpoint else "the default AWS endpoint"
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError) and exc.errno:
        words, fix = os_cause(exc)  # the site's own file, read to be sent
        return PublishError(f"cannot read {exc.filename or 'a file of the site'}: {words}",
                            where=where, fix=fix)
    cause = _transfer_cause(exc)
    if cause is not None:
        return PublishError(cause, where=where, fix="check the network and the endpoint, "
                            "then run publish again (what was stored is not sent again)")
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return PublishError("no S3 credentials found", where=where, fix=_CREDENTIAL_FIX)
    if isinstance(exc, bx.ProfileNotFound):
        return PublishError(f"AWS profile not found: {exc.kwargs.get('profile')}", where=where,
                            fix="correct [publish] profile or AWS_PROFILE")
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return PublishError(f"cannot reach the endpoint {place}", where=where,
                            fix="check --endpoint-url / [publish] endpoint_url and the network")
    if isinstance(exc, bx.ParamValidationError):
        return PublishError(f"invalid request: {exc}", where=where,
                            fix="check the bucket name and prefix of the target")
    if isinstance(exc, bx.ConnectionError | bx.HTTPClientError):
        return PublishError(f"the connection to {place} kept failing", where=where,
                            fix="check the endpoint and run publish again")
    code = _code(exc)
    if code in _CLIENT_ERRORS:
        message, fix = _CLIENT_ERRORS[code]
        if code == "NoSuchBucket":
            message = f"the bucket {bucket!r} does not exist at {place}"
        return PublishError(message, where=where, fix=fix)
    if code:
        return PublishError(f"the endpoint refused the request ({code})", where=where,
                            fix="check the target and run publish again")
    detail = redact(str(exc)).strip()[:200]
    return PublishError(f"the transfer failed ({type(exc).__name__}{': ' if detail else ''}"
                        f"{detail})", where=where,
                        fix="run publish again; if it fails the same way, check the endpoint")


# --- opening a target -------------------------------------------------------------------


#: A bucket name as S3 and its kin accept one (AWS's legacy names, with capitals and
#: underscores, included): letters, digits, dots, hyphens, underscores.
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,254}")
CREDENTIALS_FIX = ("remove the user:password@ part; use AWS_ACCESS_KEY_ID/"
                   "AWS_SECRET_ACCESS_KEY or a profile (AWS_PROFILE)")


def parse_s3(spec: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix); a target with credentials in it is refused
    without being echoed."""
    rest = spec[len("s3://"):]
    bucket, _, prefix = rest.partition("/")
    if has_userinfo(bucket):
        raise PublishError("the target carries a user name or password", where="--to",
                           fix=CREDENTIALS_FIX)
    if not bucket:
        raise PublishError(f"no bucket in {spec!r}", where=spec, fix="write s3://bucket/prefix")
    if not _BUCKET.fullmatch(bucket):
        raise PublishError(f"{bucket!r} is not a valid bucket name", where=spec,
                           fix="a bucket name has 3 to 63 letters, digits, dots and hyphens")
    return bucket, prefix.strip("/")


#: Where boto3 takes an endpoint from, besides companion's own settings.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")


def refuse_credentials(endpoint: str | None, source: str) -> None:
    """Refuse an endpoint URL with a user name or password in it, naming where it came from
    (never the URL: it holds a secret)."""
    if endpoint and has_userinfo(endpoint):
        raise PublishError("the endpoint URL carries a user name or password, and "
                           "credentials never go in a URL", where=source, fix=CREDENTIALS_FIX)


def _retries() -> Any:
    """Standard retries with backoff (throttling, 5xx, resets); AWS_RETRY_MODE and
    AWS_MAX_ATTEMPTS still apply, as boto3 users expect."""
    mode = os.environ.get("AWS_RETRY_MODE") or "standard"
    attempts = whole_number(os.environ.get("AWS_MAX_ATTEMPTS", ""), 1, 100)
    return {"mode": mode, "total_max_attempts": attempts or MAX_ATTEMPTS}


def s3_client(settings: PublishSettings, endpoint_url: str | None = None) -> S3Client:
    """An S3 client: settings give endpoint/region/addressing; botocore's standard chain
    gives credentials. botocore's own session, not boto3's: the same client, without
    importing boto3 and s3transfer (about 0.1 s) on a publish with nothing to send."""
    from botocore import exceptions as bx
    from botocore.config import Config
    from botocore.session import Session

    s3_options: Any = {"addressing_style": settings.addressing_style} if (
        settings.addressing_style) else None
    config = Config(retries=_retries(),
                    s3=s3_options, connect_timeout=10, read_timeout=120,
                    max_pool_connections=DEFAULT_CONCURRENCY,  # one per sending thread
                    # one checksum per request, the one `_put` chooses: no CRC32 of
                    # botocore's own (aws-chunked bodies many S3-compatible servers refuse)
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                    user_agent_extra="companion")
    kwargs: dict[str, Any] = {"config": config}
    refuse_credentials(endpoint_url, "--endpoint-url")
    refuse_credentials(settings.endpoint_url, "[publish] endpoint_url")
    for name in ENDPOINT_VARIABLES:
        refuse_credentials(os.environ.get(name), f"the environment variable {name}")
    endpoint = endpoint_url or settings.endpoint_url
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    if settings.region:
        kwargs["region_name"] = settings.region
    try:
        session = Session(profile=settings.profile or None)
        client = cast("S3Client", session.create_client("s3", **kwargs))
    except bx.ProfileNotFound as exc:
        raise s3_error(exc, "[publish] profile", "", endpoint) from None
    except ValueError as exc:
        raise PublishError(f"invalid S3 settings: {redact(str(exc))}", where="[publish]",
                           fix="check endpoint_url and region") from None
    refuse_credentials(client.meta.endpoint_url, "the AWS configuration (endpoint_url in "
                                                 "~/.aws/config or AWS_CONFIG_FILE)")
    return client


def open_target(spec: str, settings: PublishSettings, *, endpoint_url: str | None = None,
                project_root: Path) -> Target:
    """A folder path -> `LocalTarget`; ``s3://bucket/prefix`` -> `S3Target`."""
    if spec.startswith("s3://"):
        bucket, prefix = parse_s3(spec)
        client = s3_client(settings, endpoint_url)
        return S3Target(client, bucket, prefix, acl=settings.acl)
    if "://" in spec:
        raise PublishError(f"unsupported target {spec!r}", where=spec,
                           fix="use a folder path or s3://bucket/prefix")
    folder = Path(spec).expanduser()
    return LocalTarget(folder if folder.is_absolute() else project_root / folder)
