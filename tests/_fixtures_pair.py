"""Helpers for the pair and fetch tests: a Site in a temp folder, Articles, a media page,
a `VideoSource` that answers from memory."""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:  # tests/ may or may not be a package
    from tests._httpserver import Reply, Server
except ImportError:
    from _httpserver import Reply, Server  # type: ignore[no-redef]

from companion import Article, Site

REPO = Path(__file__).resolve().parent.parent


def make_site(root: Path, with_example_cache: bool = False) -> Site:
    root.mkdir(parents=True, exist_ok=True)
    if with_example_cache:
        shutil.copytree(REPO / "cache", root / "cache")
    return Site(root=root, title="Test Show", base_url="https://pod.example.org/")


def make_article(site: Site, slug: str = "ep", **fields: Any) -> Article:
    values: dict[str, Any] = {
        "path": site.root / "episodes" / f"{slug}.md", "relpath": f"episodes/{slug}.md",
        "slug": slug, "title": f"Episode {slug}", "body": "Body.", "format": "markdown",
        "lang": "en", "direction": "ltr", "date": datetime(2025, 9, 25, 8, tzinfo=UTC),
    }
    values.update(fields)
    return Article(**values)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def media_page(server: Server, video_id: str, audio: bytes, *, vtt: str | None = None,
               lang: str = "en", title: str = "A test video") -> str:
    """Serve a page with an <audio> source (and a caption <track>); returns its URL."""
    server.routes[f"/media/{video_id}.m4a"] = Reply(audio, "audio/mp4")
    track = ""
    if vtt is not None:
        server.routes[f"/subs/{video_id}.{lang}.vtt"] = Reply(vtt.encode(), "text/vtt")
        track = f'<track kind="subtitles" srclang="{lang}" src="/subs/{video_id}.{lang}.vtt">'
    page = (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f'<audio controls><source src="/media/{video_id}.m4a" type="audio/mp4">{track}'
            "</audio></body></html>")
    server.routes[f"/watch/{video_id}"] = Reply(page.encode())
    return server.url(f"/watch/{video_id}")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative POSIX path -> bytes), to compare cache states."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class FakeVideo:
    """A `VideoSource` (the fetch seam for yt-dlp) that answers from memory.

    `infos` maps a video URL to what yt-dlp would return; `audio_file` is copied as the
    video's audio, `video_file` as the video. Every URL asked is recorded in `asked`."""

    infos: dict[str, dict[str, Any]]
    audio_file: Path | None = None
    asked: list[str] = field(default_factory=list)
    video_file: Path | None = None

    def info(self, url: str, where: str, *, lang: str, workdir: Path
             ) -> tuple[dict[str, Any], Path | None, bool]:
        self.asked.append(url)
        return dict(self.infos[url]), None, False

    def audio(self, url: str, where: str, workdir: Path) -> Path:
        self.asked.append(url)
        assert self.audio_file is not None
        return Path(shutil.copy(self.audio_file, workdir / f"audio{self.audio_file.suffix}"))

    def video(self, url: str, where: str, workdir: Path) -> Path:
        self.asked.append(url)
        assert self.video_file is not None
        return Path(shutil.copy(self.video_file, workdir / f"video{self.video_file.suffix}"))
