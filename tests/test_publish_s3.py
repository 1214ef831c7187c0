"""Publishing to a real SeaweedFS S3 endpoint: incremental, ordered, typed, verified."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from companion._publish.choice import open_target
from companion._publish.run import PublishEvent, publish
from companion._publish.s3 import S3Target
from companion._publish.targets import MULTIPART_THRESHOLD
from companion._site_model import PublishSettings
from tests._faultproxy import FaultProxy
from tests._seaweed import SeaweedServer, s3_env, seaweed, write_sample_site  # noqa: F401

pytestmark = [pytest.mark.s3]
PUBLIC = "public-site"  # anonymous read (see tests/_seaweed.py)


def _target(server: SeaweedServer, bucket: str = PUBLIC, prefix: str | None = None,
            **settings: Any) -> S3Target:
    spec = f"s3://{bucket}/{prefix or uuid.uuid4().hex[:10]}"
    target = open_target(spec, PublishSettings(addressing_style="path", **settings),
                         endpoint_url=server.endpoint, project_root=Path.cwd())
    assert isinstance(target, S3Target)
    return target


class Requests:
    """Counts the requests a client sends, by operation, through botocore's event hooks."""

    def __init__(self, target: S3Target) -> None:
        self.ops: Counter[str] = Counter()
        self.keys: list[tuple[str, str]] = []
        self.headers: list[tuple[str, str, dict[str, str]]] = []
        target.client.meta.events.register("before-send.s3.*", self.record)

    def record(self, request: Any, event_name: str, **kwargs: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        self.ops[operation] += 1
        self.keys.append((operation, request.url))
        self.headers.append((operation, request.url, {k.lower(): str(v) for k, v in
                                                      request.headers.items()}))

    @property
    def total(self) -> int:
        return sum(self.ops.values())


@pytest.fixture(scope="module")
def public_bucket(seaweed: SeaweedServer) -> str:  # noqa: F811
    seaweed.make_bucket(PUBLIC)
    return PUBLIC


def test_first_then_no_change_then_one_episode(s3_env: SeaweedServer, public_bucket: str,  # noqa: F811
                                               tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site", episodes=8)
    target = _target(s3_env)
    first = publish(site, target)
    assert len(first.sent) == 8 * 5 + 7

    target = _target(s3_env, prefix=target.prefix)
    requests = Requests(target)
    nothing = publish(site, target)
    assert nothing.sent == ()
    assert requests.ops["PutObject"] == 0
    assert requests.total <= 3, requests.keys

    write_sample_site(site, episodes=8, titles={5: "Changed"})
    requests = Requests(target)
    one = publish(site, target)
    assert sorted(one.sent) == sorted([
        "episodes/episode-005/index.html", "episodes/episode-005/chapters.json",
        "episodes/episode-005/transcript.en.vtt", "episodes/episode-005/transcript.en.srt",
        "show/feed.xml", "show/index.html", "index.html"])
    puts = [url for op, url in requests.keys if op == "PutObject"]
    assert puts[-1].endswith(".companion/manifest.json")
    assert puts[-2].endswith("/show/feed.xml")
    # the files, the lease, the manifest twice: before (what is about to change, durably)
    # and after
    assert requests.ops["PutObject"] == 7 + 3
    target.close()


def test_published_files_serve_the_right_headers(s3_env: SeaweedServer, public_bucket: str,  # noqa: F811
                                                 tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site", episodes=2)
    target = _target(s3_env)
    publish(site, target)
    base = f"{s3_env.endpoint}/{PUBLIC}/{target.prefix}"
    expected = {
        "show/feed.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
        "index.html": ("text/html; charset=utf-8", "public, max-age=300"),
        "episodes/episode-001/chapters.json": ("application/json+chapters",
                                                "public, max-age=300"),
        "episodes/episode-001/transcript.en.vtt": ("text/vtt; charset=utf-8",
                                                    "public, max-age=300"),
        "sitemap.xml": ("application/xml", "public, max-age=300"),
        "robots.txt": ("text/plain", "public, max-age=300"),
        "assets/style.css": ("text/css; charset=utf-8", "public, max-age=3600"),
    }
    media = next(p.relative_to(site).as_posix() for p in (site / "media").iterdir())
    expected[media] = ("audio/mpeg", "public, max-age=3600")  # re-tagged in place
    art = next(p.relative_to(site).as_posix() for p in (site / "artwork").iterdir())
    expected[art] = ("image/jpeg", "public, max-age=31536000, immutable")
    for path, (ctype, cache) in expected.items():
        status, headers, body = s3_env.http_get(base + path)
        assert status == 200, path
        assert headers["Content-Type"] == ctype, path
        assert headers["Cache-Control"] == cache, path
        assert body == (site / path).read_bytes()
    target.close()


def test_large_media_goes_multipart_and_is_verified(s3_env: SeaweedServer, public_bucket: str,  # noqa: F811
                                                    tmp_path: Path) -> None:
    size = MULTIPART_THRESHOLD + 1024 * 1024 + 17
    site = write_sample_site(tmp_path / "site", episodes=1, media_size=size)
    target = _target(s3_env)
    requests = Requests(target)
    events: list[PublishEvent] = []
    report = publish(site, target, progress=events.append)
    media = next(p for p in report.sent if p.startswith("media/"))
    # its parts are reported as they go (a progress bar moves during a large file)
    of_media = [e for e in events if e.path == media]
    assert [e.kind for e in of_media][-1] == "sent"
    assert {e.kind for e in of_media[:-1]} == {"bytes"}
    assert sum(e.size for e in of_media[:-1]) == size
    assert not any(e.kind == "bytes" and e.path != media for e in events)  # small: no parts
    assert requests.ops["CreateMultipartUpload"] == 1
    assert requests.ops["UploadPart"] == 2
    assert requests.ops["CompleteMultipartUpload"] == 1
    head = target.client.head_object(Bucket=PUBLIC, Key=target.key(media))
    assert head["ContentLength"] == size
    assert head["ETag"].strip('"').endswith("-2")
    assert head["ContentType"] == "audio/mpeg"
    target.close()


def test_verify_resends_objects_deleted_or_changed_by_hand(s3_env: SeaweedServer,  # noqa: F811
                                                           public_bucket: str,
                                                           tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site", episodes=3)
    target = _target(s3_env)
    publish(site, target)
    client = target.client
    client.delete_object(Bucket=PUBLIC, Key=target.key("episodes/episode-001/index.html"))
    same_size = b"X" * (site / "robots.txt").stat().st_size  # only the ETag can tell
    client.put_object(Bucket=PUBLIC, Key=target.key("robots.txt"), Body=same_size)
    assert publish(site, target).sent == ()
    report = publish(site, target, verify=True)
    assert sorted(report.repaired) == ["episodes/episode-001/index.html", "robots.txt"]
    body = client.get_object(Bucket=PUBLIC, Key=target.key("robots.txt"))["Body"].read()
    assert body == (site / "robots.txt").read_bytes()
    target.close()


def test_prune_deletes_only_objects_from_the_old_manifest(s3_env: SeaweedServer,  # noqa: F811
                                                          public_bucket: str,
                                                          tmp_path: Path) -> None:
    import shutil

    site = write_sample_site(tmp_path / "site", episodes=3)
    target = _target(s3_env)
    publish(site, target)
    client = target.client
    client.put_object(Bucket=PUBLIC, Key=target.key("episodes/foreign.txt"), Body=b"mine")
    shutil.rmtree(site)
    write_sample_site(site, episodes=2)
    requests = Requests(target)
    report = publish(site, target, prune=True, grace_days=0)
    assert "episodes/episode-002/index.html" in report.deleted
    assert len([p for p in report.deleted if p.startswith("media/")]) == 1
    ops = [op for op, _ in requests.keys]
    assert ops.index("DeleteObjects") > max(i for i, op in enumerate(ops) if op == "PutObject"
                                            and "feed.xml" in requests.keys[i][1])
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=PUBLIC,
                                                    Prefix=target.prefix)["Contents"]}
    assert target.key("episodes/foreign.txt") in keys
    assert target.key("episodes/episode-002/index.html") not in keys
    target.close()


def test_dry_run_sends_nothing(s3_env: SeaweedServer, public_bucket: str,  # noqa: F811
                               tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site", episodes=2)
    target = _target(s3_env)
    requests = Requests(target)
    report = publish(site, target, dry_run=True)
    assert report.dry_run
    assert len(report.sent) == 2 * 5 + 7
    assert set(requests.ops) == {"GetObject"}
    target.close()


def test_a_second_publisher_is_refused_while_the_lock_is_held(s3_env: SeaweedServer,  # noqa: F811
                                                              public_bucket: str,
                                                              tmp_path: Path) -> None:
    import time

    from companion import PublishError
    from companion._publish.targets import LockInfo

    site = write_sample_site(tmp_path / "site", episodes=1)
    target = _target(s3_env)
    other = LockInfo("alice", "laptop.example", 99, time.time(), "x")
    assert target.lock(other) is None  # conditional create succeeds on a free lock
    with pytest.raises(PublishError) as info:
        publish(site, target)
    assert "alice@laptop.example" in str(info.value)
    assert "--break-lock" in str(info.value)
    assert publish(site, target, break_lock=True).sent
    target.close()


def test_acl_from_the_settings_is_sent(s3_env: SeaweedServer, public_bucket: str,  # noqa: F811
                                       tmp_path: Path) -> None:
    target = _target(s3_env, acl="public-read")
    acls: dict[str, str | None] = {}

    def record(request: Any, **kwargs: Any) -> None:
        acl = request.headers.get("x-amz-acl")
        acls[request.url.rsplit("/", 1)[-1]] = acl.decode() if isinstance(acl, bytes) else acl

    target.client.meta.events.register("before-send.s3.PutObject", record)
    publish(write_sample_site(tmp_path / "site", episodes=1), target)
    assert acls["feed.xml"] == "public-read"
    assert acls["index.html"] == "public-read"
    assert acls["manifest.json"] is None
    assert acls["lock"] is None
    target.close()


def test_two_publishes_at_once_never_interleave(s3_env: SeaweedServer, public_bucket: str,  # noqa: F811
                                                tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from companion import PublishError

    site = write_sample_site(tmp_path / "site", episodes=20)
    prefix = uuid.uuid4().hex[:10]

    def run() -> str:
        target = _target(s3_env, prefix=prefix)
        try:
            return f"sent {len(publish(site, target).sent)}"
        except PublishError as exc:
            return "locked out" if "another publish holds the lock" in str(exc) else str(exc)
        finally:
            target.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(lambda _: run(), range(2)))
    assert f"sent {20 * 5 + 7}" in outcomes
    assert outcomes in ([f"sent {20 * 5 + 7}", "sent 0"], ["locked out", f"sent {20 * 5 + 7}"])
    target = _target(s3_env, prefix=prefix)
    assert publish(site, target).sent == ()
    target.close()


def test_a_file_is_one_request_with_one_checksum_and_no_change_is_one_request(
        s3_env: SeaweedServer, public_bucket: str, tmp_path: Path) -> None:  # noqa: F811
    site = write_sample_site(tmp_path / "site", episodes=3)
    prefix = uuid.uuid4().hex[:10]
    target = _target(s3_env, prefix=prefix)
    requests = Requests(target)
    report = publish(site, target)
    puts = [headers for operation, url, headers in requests.headers
            if operation == "PutObject" and "/.companion/" not in url]
    assert len(puts) == len(report.sent)  # one request per file
    assert all("x-amz-checksum-sha256" in h and "content-md5" not in h for h in puts)
    assert requests.total - len(puts) <= 8  # the lease and the manifest, whatever the size
    again_target = _target(s3_env, prefix=prefix)
    again = Requests(again_target)
    assert publish(site, again_target).sent == ()
    assert dict(again.ops) == {"GetObject": 1}  # the manifest, nothing else
    target.close()
    again_target.close()


def test_no_change_is_one_signed_get_without_a_client(s3_env: SeaweedServer,  # noqa: F811
                                                      public_bucket: str,
                                                      tmp_path: Path) -> None:
    """Nothing to send: the manifest is read with one GET signed without a botocore
    client, and no client is made; a change then makes one and sends."""
    site = write_sample_site(tmp_path / "site", episodes=2)
    prefix = uuid.uuid4().hex[:10]
    first = _target(s3_env, prefix=prefix)
    assert publish(site, first).sent
    first.close()
    proxy = FaultProxy(s3_env.endpoint).start()
    try:
        target = open_target(f"s3://{public_bucket}/{prefix}",
                             PublishSettings(addressing_style="path"),
                             endpoint_url=proxy.url, project_root=Path.cwd())
        assert isinstance(target, S3Target)
        assert publish(site, target).sent == ()
        assert dict(proxy.counts) == {"GET": 1}
        assert not target.connected
        write_sample_site(site, episodes=2, titles={1: "Changed"})
        assert publish(site, target).sent
        assert target.connected
        target.close()
    finally:
        proxy.stop()


def test_a_signed_get_that_is_refused_asks_the_client(s3_env: SeaweedServer,  # noqa: F811
                                                       public_bucket: str,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A quick GET that is not answered 200 (here: a wrong secret) is never believed:
    the client asks again and reports the error by name."""
    from companion._errors import PublishError

    site = write_sample_site(tmp_path / "site", episodes=1)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    target = _target(s3_env, bucket=s3_env.make_bucket())
    with pytest.raises(PublishError) as info:
        publish(site, target)
    assert "secret key does not match" in info.value.message
    assert target.connected
