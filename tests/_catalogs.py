"""Shared parts of the catalogs' tests: a project with a `[pair]` section, catalog options
pointed at a local server, and a yt-dlp lister that replays recorded extractor results
through yt-dlp's own `process_ie_result`."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion._catalogs import CatalogEvent, CatalogOptions
from companion._catalogs.ytdlp import YtDlpLister
from companion._config.project import load_site
from companion._site_model import Site
from tests._httpserver import Server

SHOW_ID = "4rOoJ6Egrf8K2IrywzwOMk"


def pair_site(root: Path, pair: str) -> Site:
    """A project whose companion.toml has `pair` as its [pair] section."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "companion.toml").write_text(
        '[site]\ntitle = "Desk"\nbase_url = "https://desk.example.org/"\n\n[pair]\n' + pair,
        encoding="utf-8")
    return load_site(root)


def local_options(server: Server, **changes: Any) -> CatalogOptions:
    """Every service at the local server, no retries (a test asks for them)."""
    env = {"COMPANION_SPOTIFY_API": server.url("/v1"),
           "COMPANION_SPOTIFY_ACCOUNTS": server.url("/accounts"),
           "COMPANION_YOUTUBE_FEEDS": server.url("/feeds/videos.xml"),
           "COMPANION_YOUTUBE_WATCH": server.url("/watch/{id}")}
    options = CatalogOptions.from_environ(env)
    fields = {"timeout": 5.0, "retries": 0, "retry_wait": 0.01,
              "lister": YtDlpLister(timeout=5, retries=0), **changes}
    return CatalogOptions(**{**options.__dict__, **fields})


@dataclass(frozen=True)
class Replayed(YtDlpLister):
    """yt-dlp run on recorded extractor results (the shapes its YouTube extractors give),
    processed by its own `process_ie_result`; `asked` counts the URLs it was asked for."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # URL -> yt-dlp's error message
    params: list[dict[str, Any]] = field(default_factory=list)  # yt-dlp's, for each ask

    def extract(self, ydl: Any, url: str) -> Any:
        from yt_dlp.utils import DownloadError

        self.asked.append(url)
        self.params.append(dict(ydl.params))
        if url in self.failures:
            raise DownloadError(self.failures[url])
        if url not in self.answers:
            raise DownloadError(f"ERROR: [youtube] {url}: Video unavailable. This video has "
                                "been removed by the uploader")
        return ydl.process_ie_result(copy.deepcopy(self.answers[url]), download=False)


@dataclass
class Events:
    seen: list[CatalogEvent] = field(default_factory=list)

    def __call__(self, event: CatalogEvent) -> None:
        self.seen.append(event)


def every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
