"""The S3 target: a site published into an S3-compatible bucket (AWS, R2, MinIO, ...):
parts verified by checksum, the lock a conditional object; credentials only from
boto3's standard chain (environment, profile, instance role)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from companion._errors import PublishError, os_cause
from companion._publish.targets import (
    DEFAULT_CONCURRENCY,
    IN_MEMORY,
    LOCK_NAME,
    MANIFEST_NAME,
    MAX_ATTEMPTS,
    MB,
    META_DIR,
    MULTIPART_THRESHOLD,
    LockInfo,
    OnBytes,
    RemoteObject,
    Sent,
    Upload,
    lock_held_error,
    lost_lease_error,
    run_parallel,
)
from companion._site_model import PublishSettings
from companion._text import has_userinfo, redact, whole_number

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from s3transfer.manager import TransferManager
    from s3transfer.subscribers import BaseSubscriber

class PartProgress:
    """An s3transfer subscriber (it calls the `on_*` methods a subscriber has): the
    progress of one upload, as `(path, bytes)` calls."""

    def __init__(self, path: str, on_bytes: OnBytes) -> None:
        self.path, self.on_bytes = path, on_bytes

    def on_progress(self, future: object, bytes_transferred: int, **kwargs: object) -> None:
        self.on_bytes(self.path, bytes_transferred)


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

    def __init__(self, client: S3Client | None, bucket: str, prefix: str = "", *,
                 acl: str | None = None, concurrency: int = DEFAULT_CONCURRENCY,
                 checksums: bool = True, endpoint: str | None = None,
                 connect: Callable[[], S3Client] | None = None,
                 quick_get: Callable[[str], bytes | None] | None = None) -> None:
        """`client`, or `connect` to make it when it is first needed; `quick_get` reads
        an object without it (`s3quick`; None when it cannot tell)."""
        self._client = client
        self._connect = connect
        self._quick_get = quick_get
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.acl = acl
        self.concurrency = concurrency
        self.checksums = checksums
        self.endpoint = endpoint or (client.meta.endpoint_url if client is not None else None)
        self._manager: TransferManager | None = None

    @property
    def connected(self) -> bool:
        """Whether the botocore client was made (a no-change publish never makes it)."""
        return self._client is not None

    @property
    def client(self) -> S3Client:
        """The botocore client, made on first use: a publish with nothing to send reads
        the manifest with one signed GET and never makes it."""
        if self._client is None:
            assert self._connect is not None, "an S3Target needs a client or a way to make one"
            self._client = self._connect()
        return self._client

    @property
    def label(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, path: str) -> str:
        return self.prefix + path

    def _error(self, exc: BaseException, path: str = "") -> PublishError:
        return s3_error(exc, self.label + path, self.bucket, self.endpoint)

    def read_manifest(self) -> bytes | None:
        if self._client is None and self._quick_get is not None:
            found = self._quick_get(self.key(MANIFEST_NAME))
            if found is not None:
                return found
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
        subscribers = cast("list[BaseSubscriber]", [PartProgress(upload.path, on_bytes)]
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


def check_endpoints(settings: PublishSettings, endpoint_url: str | None) -> None:
    """Refuse credentials in any endpoint URL a client could take."""
    refuse_credentials(endpoint_url, "--endpoint-url")
    refuse_credentials(settings.endpoint_url, "[publish] endpoint_url")
    for name in ENDPOINT_VARIABLES:
        refuse_credentials(os.environ.get(name), f"the environment variable {name}")


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
    check_endpoints(settings, endpoint_url)
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


