"""Faults, for real: a proxy injecting 5xx, throttling and resets; bad credentials, a
missing bucket, an unreachable endpoint; a publish killed part-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from companion import PublishError
from companion._publish.choice import open_target
from companion._publish.run import publish
from companion._publish.s3 import S3Target
from companion._site_model import PublishSettings
from tests._faultproxy import FaultProxy
from tests._seaweed import (  # noqa: F401
    SeaweedServer,
    feed_media,
    free_port,
    s3_env,
    seaweed,
    write_sample_site,
)

pytestmark = [pytest.mark.s3]
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def proxy(seaweed: SeaweedServer) -> Iterator[FaultProxy]:  # noqa: F811
    server = FaultProxy(seaweed.endpoint).start()
    yield server
    server.stop()


@pytest.fixture
def bucket(seaweed: SeaweedServer) -> str:  # noqa: F811
    return seaweed.make_bucket()


def _target(endpoint: str, bucket: str, prefix: str = "site") -> S3Target:
    target = open_target(f"s3://{bucket}/{prefix}", PublishSettings(addressing_style="path"),
                         endpoint_url=endpoint, project_root=Path.cwd())
    assert isinstance(target, S3Target)
    return target


def _get(server: SeaweedServer, bucket: str, key: str) -> bytes | None:
    try:
        return server.client().get_object(Bucket=bucket, Key=key)["Body"].read()  # type: ignore[no-any-return]
    except Exception:
        return None


def _all_media_present(server: SeaweedServer, bucket: str, feed: bytes) -> bool:
    media = feed_media(feed)
    return bool(media) and all(_get(server, bucket, f"site/{m}") is not None for m in media)


def test_throttling_5xx_and_resets_are_retried(s3_env: SeaweedServer, proxy: FaultProxy,  # noqa: F811
                                               bucket: str, tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site", episodes=4)
    proxy.inject("status", 3, status=503, code="SlowDown", method="PUT")
    proxy.inject("status", 2, status=500, code="InternalError", method="PUT", after=3)
    proxy.inject("reset", 2, method="PUT", after=3)
    proxy.inject("status", 1, status=503, code="SlowDown", method="GET")
    target = _target(proxy.url, bucket)
    report = publish(site, target)
    target.close()
    assert proxy.injected["status"] == 6
    assert proxy.injected["reset"] == 2
    assert len(report.sent) == 4 * 5 + 7
    for path in report.sent:
        assert _get(s3_env, bucket, f"site/{path}") == (site / path).read_bytes()


def test_a_failure_part_way_keeps_old_feeds_and_the_next_run_finishes(
        s3_env: SeaweedServer, proxy: FaultProxy, bucket: str, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_sample_site(tmp_path / "site", episodes=3)
    publish(site, _target(s3_env.endpoint, bucket))
    old_feed = _get(s3_env, bucket, "site/show/feed.xml")
    before = {p.name for p in (site / "media").iterdir()}
    write_sample_site(site, episodes=12, titles={0: "New title"})
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    victim = sorted({p.name for p in (site / "media").iterdir()} - before)[4]
    proxy.inject("status", 2, status=500, code="InternalError", method="PUT", match=victim)
    target = _target(proxy.url, bucket)
    with pytest.raises(PublishError) as info:
        publish(site, target)
    target.close()
    assert "InternalError" in str(info.value)
    assert _get(s3_env, bucket, "site/show/feed.xml") == old_feed
    assert old_feed is not None
    assert _all_media_present(s3_env, bucket, old_feed)
    assert _get(s3_env, bucket, "site/.companion/lock") is None  # released on failure
    proxy.clear()
    target = _target(proxy.url, bucket)
    again = publish(site, target)
    target.close()
    assert f"media/{victim}" in again.sent
    assert len(again.sent) < 9 * 5 + 7  # what was stored before the failure is not sent again
    new_feed = _get(s3_env, bucket, "site/show/feed.xml")
    assert new_feed == (site / "show/feed.xml").read_bytes()
    assert _all_media_present(s3_env, bucket, new_feed)


#: The publish stage alone, in a process of its own that the test can kill.
_CHILD = """
import json, sys
from pathlib import Path
from companion._site_model import PublishSettings
from companion._publish.run import publish
from companion._publish.choice import open_target
site, spec, endpoint, prune = sys.argv[1:5]
target = open_target(spec, PublishSettings(addressing_style="path"), endpoint_url=endpoint,
                     project_root=Path.cwd())
report = publish(Path(site), target, prune=prune == "prune", grace_days=0)
target.close()
print(json.dumps(report.to_json()))
"""


def _env(server: SeaweedServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(server.env(), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               PYTHONPATH=str(REPO / "src"))
    return env


def _child(server: SeaweedServer, site: Path, bucket: str, endpoint: str,
           prune: bool = False) -> list[str]:
    return [sys.executable, "-c", _CHILD, str(site), f"s3://{bucket}/site", endpoint,
            "prune" if prune else "keep"]


def _run(server: SeaweedServer, site: Path, bucket: str, prune: bool = False) -> dict[str, Any]:
    done = subprocess.run(_child(server, site, bucket, server.endpoint, prune),
                          env=_env(server), capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _kill_after(server: SeaweedServer, proxy: FaultProxy, site: Path, bucket: str,
                puts: int) -> bool:
    """Start a publish through the proxy, stall its PUT number `puts` + 1, and SIGKILL it;
    whether it was stalled (not finished) when killed."""
    proxy.stall("PUT", after=puts)
    child = subprocess.Popen(_child(server, site, bucket, proxy.url), env=_env(server),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while (proxy.injected["stall"] < 1 and child.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.05)
    stalled = proxy.injected["stall"] >= 1 and child.poll() is None
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    proxy.release()
    proxy.clear()
    proxy.injected.clear()
    return stalled


def _bucket_tree(server: SeaweedServer, bucket: str) -> dict[str, bytes]:
    client = server.client()
    found: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                  Prefix="site/"):
        for item in page.get("Contents", []):
            rel = item["Key"][len("site/"):]
            if not rel.startswith(".companion/"):
                found[rel] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found


def _site_tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in site.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_a_publish_killed_part_way_leaves_the_old_feeds_valid(
        s3_env: SeaweedServer, proxy: FaultProxy, bucket: str,  # noqa: F811
        tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site", episodes=5)
    assert _run(s3_env, site, bucket)["sent"]["files"] == 5 * 5 + 7
    old_feed = _get(s3_env, bucket, "site/show/feed.xml")
    assert old_feed == (site / "show/feed.xml").read_bytes()

    write_sample_site(site, episodes=30, titles={1: "Renamed"})
    assert _kill_after(s3_env, proxy, site, bucket, 10)
    # the ten PUTs before the stall arrived; those still being forwarded when the client
    # was killed are counted once SeaweedFS answers them
    deadline = time.monotonic() + 30
    while proxy.counts["PUT"] < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proxy.counts["PUT"] >= 10

    assert _get(s3_env, bucket, "site/show/feed.xml") == old_feed
    assert old_feed is not None
    assert _all_media_present(s3_env, bucket, old_feed)
    assert _get(s3_env, bucket, "site/.companion/lock") is not None  # left by the killed run

    report = _run(s3_env, site, bucket)
    assert any("no longer running" in note for note in report["notes"])  # same host
    new_feed = _get(s3_env, bucket, "site/show/feed.xml")
    assert new_feed == (site / "show/feed.xml").read_bytes()
    assert b"Renamed" in new_feed
    assert _all_media_present(s3_env, bucket, new_feed)
    assert _get(s3_env, bucket, "site/.companion/lock") is None
    assert _run(s3_env, site, bucket)["sent"]["files"] == 0


@pytest.mark.slow
def test_killed_at_random_points_then_reverted_the_bucket_converges(
        s3_env: SeaweedServer, proxy: FaultProxy, bucket: str,  # noqa: F811
        tmp_path: Path) -> None:
    """Publish, update (titles, new episodes, a removed one), kill the publish at a random
    request, revert the update, publish again: every object equals the site's file, and
    with prune nothing else is left, whatever the killed run had sent."""
    import random
    import shutil

    chance = random.Random(20261130)
    site = tmp_path / "site"
    write_sample_site(site, episodes=6)
    _run(s3_env, site, bucket)
    original = _site_tree(site)
    for _round in range(4):
        shutil.rmtree(site)
        write_sample_site(site, episodes=9, titles={1: "Edited", 4: "Also edited"})
        (site / "episodes/episode-002/index.html").unlink()
        # the update is 25 requests or so: the lease, the manifest, 20 files, the manifest
        assert _kill_after(s3_env, proxy, site, bucket, chance.randrange(1, 22))
        shutil.rmtree(site)
        write_sample_site(site, episodes=6)  # the revert
        assert _site_tree(site) == original
        _run(s3_env, site, bucket)
        bucket_now = _bucket_tree(s3_env, bucket)
        assert {p: bucket_now.get(p) for p in original} == original
        _run(s3_env, site, bucket, prune=True)
        assert _bucket_tree(s3_env, bucket) == original


def _error_of(site: Path, endpoint: str, bucket: str) -> str:
    target = _target(endpoint, bucket)
    with pytest.raises(PublishError) as info:
        publish(site, target)
    target.close()
    return str(info.value)


def test_wrong_secret_key_is_a_clear_error(s3_env: SeaweedServer, bucket: str,  # noqa: F811
                                           tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-123")
    message = _error_of(write_sample_site(tmp_path / "site", 1), s3_env.endpoint, bucket)
    assert "secret key does not match" in message
    assert "not-the-secret-123" not in message
    assert "AWS_SECRET_ACCESS_KEY" in message


def test_unknown_access_key_is_a_clear_error(s3_env: SeaweedServer, bucket: str,  # noqa: F811
                                             tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "NOSUCHKEY")
    message = _error_of(write_sample_site(tmp_path / "site", 1), s3_env.endpoint, bucket)
    assert "does not know this access key" in message


def test_missing_credentials_are_a_clear_error(s3_env: SeaweedServer, bucket: str,  # noqa: F811
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    message = _error_of(write_sample_site(tmp_path / "site", 1), s3_env.endpoint, bucket)
    assert "no S3 credentials" in message


def test_missing_bucket_is_a_clear_error(s3_env: SeaweedServer, tmp_path: Path) -> None:  # noqa: F811
    name = f"missing-{uuid.uuid4().hex[:8]}"
    message = _error_of(write_sample_site(tmp_path / "site", 1), s3_env.endpoint, name)
    assert f"the bucket '{name}' does not exist" in message
    assert name not in {b["Name"] for b in s3_env.client().list_buckets()["Buckets"]}


def test_unreachable_endpoint_is_a_clear_error(s3_env: SeaweedServer, tmp_path: Path,  # noqa: F811
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    endpoint = f"http://127.0.0.1:{free_port()}"
    message = _error_of(write_sample_site(tmp_path / "site", 1), endpoint, "any")
    assert f"cannot reach the endpoint {endpoint}" in message


def test_endpoint_from_the_environment_is_used(s3_env: SeaweedServer, bucket: str,  # noqa: F811
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_env.endpoint)
    target = open_target(f"s3://{bucket}/env", PublishSettings(addressing_style="path"),
                         project_root=tmp_path)
    assert isinstance(target, S3Target)
    assert target.client.meta.endpoint_url == s3_env.endpoint
    assert publish(write_sample_site(tmp_path / "site", 1), target).sent
    target.close()


def test_lock_falls_back_to_put_then_verify_without_conditional_writes(
        s3_env: SeaweedServer, proxy: FaultProxy, bucket: str,  # noqa: F811
        tmp_path: Path) -> None:
    proxy.inject("status", 1, status=501, code="NotImplemented", method="PUT",
                 match=".companion/lock")
    target = _target(proxy.url, bucket)
    report = publish(write_sample_site(tmp_path / "site", 1), target)
    target.close()
    assert proxy.injected["status"] == 1
    assert report.sent
    assert _get(s3_env, bucket, "site/.companion/lock") is None
