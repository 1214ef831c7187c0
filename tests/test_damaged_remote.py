"""Damaged remote state has one documented recovery, the same on a folder and a bucket.

A manifest or a lock that does not parse is reported with the same words on a local
folder and on S3 (SeaweedFS), naming the command that recovers it: `publish
--rebuild-manifest` for a manifest (it lists the target, keeps what matches the site and
sends the rest), `publish --break-lock` for a lock. A transfer cut off half-way (the fault
proxy truncates an answer) reads in words and names the object. No output, JSON, object
or file carries the planted secret (the test server's secret key).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion._cli.main import main
from tests._faultproxy import FaultProxy
from tests._seaweed import SeaweedServer, s3_env, seaweed  # noqa: F401
from tests.test_hostile import article, make

pytestmark = [pytest.mark.s3]

DAMAGED_MANIFESTS = {
    "infinity": b'{"format": "companion-manifest", "version": 2, "files": {"a.html": {"sha256":'
                b' "x", "size": Infinity, "content_type": "text/html", "cache_control": "x"}}}',
    "nested": b"[" * 100_000,
    "digits": b'{"format": "companion-manifest", "version": 2, "files": {"a": {"sha256": "x",'
              b' "size": ' + b"9" * 5000 + b', "content_type": "", "cache_control": ""}}}',
    "binary": b"\xff\xfe\x00garbage",
    "since": b'{"format": "companion-manifest", "version": 2, "files": {}, "stale": {"a": '
             b'{"sha256": "", "size": 1, "content_type": "", "cache_control": "", '
             b'"since": 1e300}}}',
}
DAMAGED_LOCKS = {
    "time": {"owner": "a", "host": "elsewhere", "pid": 7, "time": 1e300, "token": "t"},
    "nan": b'{"owner": "a", "host": "elsewhere", "pid": 7, "time": NaN, "token": "t"}',
    "pid": {"owner": "a", "host": "elsewhere", "pid": 1 << 70, "time": 1.0, "token": "t"},
    "garbage": b"\x00\x01 not a lock",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    logs = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(logs))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    yield logs
    assert not list(logs.rglob("*.log")), "the last-resort handler was reached"


class Target:
    """A publish target, local or on SeaweedFS, with raw access to its meta objects."""

    def __init__(self, kind: str, tmp_path: Path, server: SeaweedServer | None,
                 endpoint: str | None = None) -> None:
        self.kind = kind
        self.server = server
        self.folder = tmp_path / "public"
        self.bucket = server.make_bucket() if server is not None else ""
        self.endpoint = endpoint or (server.endpoint if server is not None else "")

    @property
    def args(self) -> list[str]:
        if self.kind == "local":
            return ["--to", str(self.folder)]
        return ["--to", f"s3://{self.bucket}/pod", "--endpoint-url", self.endpoint]

    def put(self, name: str, data: bytes) -> None:
        if self.server is None:
            (self.folder / ".companion").mkdir(parents=True, exist_ok=True)
            (self.folder / ".companion" / name).write_bytes(data)
        else:
            self.server.client().put_object(Bucket=self.bucket, Key=f"pod/.companion/{name}",
                                            Body=data)

    def objects(self) -> dict[str, bytes]:
        if self.server is None:
            return {p.relative_to(self.folder).as_posix(): p.read_bytes()
                    for p in self.folder.rglob("*") if p.is_file()}
        client = self.server.client()
        found = client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {o["Key"][len("pod/"):]: client.get_object(Bucket=self.bucket,
                                                          Key=o["Key"])["Body"].read()
                for o in found}


@pytest.fixture(params=["local", "s3"])
def target(request: pytest.FixtureRequest, tmp_path: Path, env: Path) -> Target:
    if request.param == "local":
        return Target("local", tmp_path, None)
    server = request.getfixturevalue("s3_env")
    return Target("s3", tmp_path, server)


def project(tmp_path: Path) -> Path:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()},
                site='[site]\ntitle = "T"\nbase_url = "https://pod.example.org/"\n'
                     '[publish]\naddressing_style = "path"\n')
    assert main(["-C", str(root), "-q", "build"]) == 0
    return root


def publish(capsys: pytest.CaptureFixture[str], root: Path, target: Target,
            *extra: str) -> tuple[int, str]:
    code = main(["-C", str(root), "publish", "--no-build", *target.args, *extra])
    out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text
    assert "internal error" not in text
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    assert not secret or secret not in text
    return code, text


def _error(text: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith("error")]
    assert len(lines) == 1, text
    return lines[0].split(": ", 2)[-1]  # the message and fix, without the place


@pytest.mark.parametrize("damage", sorted(DAMAGED_MANIFESTS))
def test_a_damaged_manifest_and_its_recovery(target: Target, damage: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    assert publish(capsys, root, target)[0] == 0
    target.put("manifest.json", DAMAGED_MANIFESTS[damage])
    code, text = publish(capsys, root, target)
    assert code == 1
    assert _error(text) == (
        "the target's manifest (.companion/manifest.json) is not readable (damaged, or "
        "written by another program) (run `companion publish --rebuild-manifest`: it lists "
        "the target, keeps what matches the site and sends the rest)")
    code, text = publish(capsys, root, target, "--rebuild-manifest", "--json")
    assert code == 0, text
    report = json.loads(text)
    assert report["sent"]["files"] == 0  # everything there matched the site
    assert any("rebuilt the manifest" in note for note in report["notes"])
    code, text = publish(capsys, root, target, "--json")
    assert code == 0, text
    assert json.loads(text)["sent"]["files"] == 0
    manifest = json.loads(target.objects()[".companion/manifest.json"])
    assert "show/feed.xml" in manifest["files"]


def test_rebuild_manifest_sends_what_differs_and_marks_the_rest_stale(
        target: Target, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    assert publish(capsys, root, target)[0] == 0
    page = root / "site" / "episodes" / "a" / "index.html"
    original = page.read_bytes()
    page.write_bytes(original + b"<!-- changed -->")  # the target's copy now differs
    target.put("manifest.json", b"garbage")
    code, text = publish(capsys, root, target, "--rebuild-manifest", "--json")
    assert code == 0, text
    report = json.loads(text)
    assert report["sent"]["paths"] == ["episodes/a/index.html"]
    assert target.objects()["episodes/a/index.html"].endswith(b"<!-- changed -->")


@pytest.mark.parametrize("damage", sorted(DAMAGED_LOCKS))
def test_a_damaged_lock_is_reported_the_same_everywhere(
        target: Target, damage: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    raw = DAMAGED_LOCKS[damage]
    target.put("lock", raw if isinstance(raw, bytes) else json.dumps(raw).encode())
    code, text = publish(capsys, root, target)
    assert code == 1
    assert _error(text) == (
        "the target's lock is not readable (damaged, or written by another program) (if no "
        "publish is running, run `companion publish --break-lock` to replace it)")
    code, text = publish(capsys, root, target, "--break-lock")
    assert code == 0, text
    assert ".companion/lock" not in target.objects()


def test_a_truncated_answer_reads_in_words(s3_env: SeaweedServer, env: Path,  # noqa: F811
                                           tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    proxy = FaultProxy(s3_env.endpoint).start()
    try:
        target = Target("s3", tmp_path, s3_env, endpoint=proxy.url)
        root = project(tmp_path)
        assert publish(capsys, root, target)[0] == 0
        (root / "site" / "index.html").write_bytes(b"<!doctype html><p>changed")
        proxy.inject("truncate", 10, method="GET", match="manifest.json")
        code, text = publish(capsys, root, target)
    finally:
        proxy.stop()
    assert code == 1
    line = [line for line in text.splitlines() if line.startswith("error")]
    assert len(line) == 1, text
    assert "manifest.json" in line[0]
    assert "FlexibleChecksumError" not in line[0]
    assert any(words in line[0] for words in ("cut off", "broke off", "closed the connection",
                                              "kept failing")), line[0]


def test_no_secret_anywhere_after_a_real_publish(s3_env: SeaweedServer, env: Path,  # noqa: F811
                                                 tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    target = Target("s3", tmp_path, s3_env)
    root = project(tmp_path)
    code, text = publish(capsys, root, target, "--json", "-v")
    assert code == 0, text
    secret = s3_env.env()["AWS_SECRET_ACCESS_KEY"].encode()
    for key, data in target.objects().items():
        assert secret not in data, key
    for file in root.rglob("*"):
        if file.is_file():
            assert secret not in file.read_bytes(), file
