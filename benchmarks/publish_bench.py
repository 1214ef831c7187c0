"""Benchmark: companion publish vs `aws s3 sync` vs `rclone sync` on one SeaweedFS.

Generates a site-shaped folder (default 10,000 files, 200 of them 1-5 MB random
media), starts a SeaweedFS S3 server on 127.0.0.1 (tests/_seaweed.py), and times,
for each tool into its own bucket, a first publish and a re-publish with nothing
changed. Every tool runs as a command (so each pays its start-up), with the same
credentials from the environment.

    python benchmarks/publish_bench.py --files 2000
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests._seaweed import SeaweedServer, running_seaweed  # noqa: E402

MB = 1024 * 1024


@dataclass
class Result:
    tool: str
    first: float
    again: float
    ok: bool = True
    note: str = ""


def generate(root: Path, files: int, media: int, seed: int = 7) -> tuple[int, int]:
    """Write `files` files, `media` of them 1-5 MB; returns (files, bytes)."""
    rng = random.Random(seed)
    total = 0
    for i in range(media):
        size = rng.randint(1 * MB, 5 * MB)
        (root / "media").mkdir(parents=True, exist_ok=True)
        (root / "media" / f"{i:032x}.mp3").write_bytes(rng.randbytes(size))
        total += size
    kinds = ("index.html", "chapters.json", "transcript.en.vtt", "transcript.en.srt")
    small = files - media - 4
    for i in range(small):
        folder = root / "episodes" / f"episode-{i // len(kinds):05d}"
        folder.mkdir(parents=True, exist_ok=True)
        data = rng.randbytes(rng.randint(1024, 20 * 1024)).hex().encode()[: rng.randint(500, 20000)]
        (folder / kinds[i % len(kinds)]).write_bytes(data)
        total += len(data)
    for name, text in (("index.html", "<h1>x</h1>"), ("show/feed.xml", "<rss/>"),
                       ("sitemap.xml", "<urlset/>"), ("robots.txt", "User-agent: *\n")):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
        total += len(text)
    return files, total


def timed(command: list[str], env: dict[str, str]) -> tuple[float, bool, str]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode == 0, (done.stderr or done.stdout)[-300:]


def run_tool(name: str, make: Callable[[str], list[str]], server: SeaweedServer,
             env: dict[str, str]) -> Result:
    bucket = server.make_bucket(f"bench-{name.split()[0]}")
    server.client().put_object(Bucket=bucket, Key="warm-up", Body=b"x")  # volumes grown
    server.client().delete_object(Bucket=bucket, Key="warm-up")
    first, ok1, err1 = timed(make(bucket), env)
    again, ok2, err2 = timed(make(bucket), env)
    ok = ok1 and ok2
    return Result(name, first, again, ok, "" if ok else (err1 or err2).strip())


def companion_command(project: Path, endpoint: str) -> Callable[[str], list[str]]:
    return lambda bucket: [sys.executable, "-m", "companion", "-C", str(project), "-q",
                           "publish", "--no-build", "--to", f"s3://{bucket}/",
                           "--endpoint-url", endpoint]


def aws_command(site: Path, endpoint: str) -> Callable[[str], list[str]]:
    return lambda bucket: ["aws", "s3", "sync", str(site), f"s3://{bucket}/",
                           "--endpoint-url", endpoint, "--only-show-errors"]


def rclone_command(site: Path) -> Callable[[str], list[str]]:
    return lambda bucket: ["rclone", "sync", str(site), f"s3:{bucket}", "--transfers", "10",
                           "--checkers", "16"]


def rclone_env(server: SeaweedServer, env: dict[str, str]) -> dict[str, str]:
    return {**env, "RCLONE_CONFIG_S3_TYPE": "s3", "RCLONE_CONFIG_S3_PROVIDER": "SeaweedFS",
            "RCLONE_CONFIG_S3_ENV_AUTH": "false",
            "RCLONE_CONFIG_S3_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"],
            "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"],
            "RCLONE_CONFIG_S3_ENDPOINT": server.endpoint, "RCLONE_CONFIG_S3_REGION": "us-east-1"}


def table(results: list[Result], files: int, size: int) -> str:
    base = results[0]
    lines = [f"{files} files, {size / MB:.0f} MB", "",
             f"{'tool':<12} {'first (s)':>10} {'no-change (s)':>14} {'first ×':>8}"
             f" {'no-change ×':>12}",
             "-" * 60]
    for r in results:
        lines.append(f"{r.tool:<12} {r.first:>10.2f} {r.again:>14.2f} {r.first / base.first:>8.2f}"
                     f" {r.again / base.again:>12.2f}" + ("" if r.ok else f"  FAILED: {r.note}"))
    lines.append("")
    lines.append("× = the tool's time / companion's time (above 1: companion is faster)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--media", type=int, default=None,
                        help="how many 1-5 MB media files (default: files / 50)")
    args = parser.parse_args()
    media = args.media if args.media is not None else max(1, args.files // 50)
    work = Path(tempfile.mkdtemp(prefix="companion-bench-"))
    try:
        site = work / "project" / "site"
        files, size = generate(site, args.files, media)
        (work / "project" / "companion.toml").write_text(
            '[site]\ntitle = "Bench"\nbase_url = "https://bench.example.org/"\n')
        with running_seaweed() as server:
            inherited = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env = {**inherited, **server.env(), "AWS_CONFIG_FILE": os.devnull,
                   "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                   "PYTHONPATH": str(REPO / "src")}
            results = [run_tool("companion", companion_command(work / "project",
                                                              server.endpoint), server, env)]
            if shutil.which("aws"):
                results.append(run_tool("aws s3 sync", aws_command(site, server.endpoint),
                                        server, env))
            if shutil.which("rclone"):
                results.append(run_tool("rclone sync", rclone_command(site), server,
                                        rclone_env(server, env)))
        print(table(results, files, size))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
