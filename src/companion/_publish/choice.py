"""The choice of a target: a folder path -> the folder target; ``s3://bucket/prefix`` ->
the S3 target."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from companion._errors import PublishError
from companion._publish.folder import LocalTarget
from companion._publish.s3 import S3Target, check_endpoints, parse_s3, s3_client
from companion._publish.s3quick import signed_get
from companion._publish.targets import Target
from companion._site_model import PublishSettings


def open_target(spec: str, settings: PublishSettings, *, endpoint_url: str | None = None,
                project_root: Path) -> Target:
    """A folder path -> `LocalTarget`; ``s3://bucket/prefix`` -> `S3Target`."""
    if spec.startswith("s3://"):
        bucket, prefix = parse_s3(spec)
        check_endpoints(settings, endpoint_url)
        endpoint = endpoint_url or settings.endpoint_url
        return S3Target(None, bucket, prefix, acl=settings.acl, endpoint=endpoint,
                        connect=partial(s3_client, settings, endpoint_url),
                        quick_get=partial(signed_get, settings, endpoint, bucket))
    if "://" in spec:
        raise PublishError(f"unsupported target {spec!r}", where=spec,
                           fix="use a folder path or s3://bucket/prefix")
    folder = Path(spec).expanduser()
    return LocalTarget(folder if folder.is_absolute() else project_root / folder)
