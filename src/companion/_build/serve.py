"""`serve`: the built site over HTTP on loopback, rebuilt when a project file changes.

The server is `http.server` (a thread per request) on 127.0.0.1 unless told
otherwise; pages are sent with ``Cache-Control: no-cache`` so a reload shows the
new build. `watchfiles` watches the project folder and hands every batch of
changes under episodes/, feeds/, templates/, cache/ or companion.toml to the
incremental build. Nothing here prints: what happens goes to the `on_event`
callback, for the CLI to show.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from companion._build.engine import BuildResult, build
from companion._content_types import content_type
from companion._errors import CompanionError
from companion._clock import clock_now
from companion._model import Clock
from companion._model import Site
from companion._config.project import load_site

WATCHED_DIRS = ("episodes", "feeds", "templates", "cache")
WATCHED_FILES = ("companion.toml",)
IGNORED_DIRS = ("cache/published", "cache/ledger")  # written by the build itself


@dataclass(frozen=True)
class ServeEvent:
    """What the server tells the CLI: it started, a rebuild finished, or failed."""

    kind: str  # "serving" | "rebuilt" | "failed"
    url: str = ""
    result: BuildResult | None = None
    error: CompanionError | None = None
    changed: tuple[str, ...] = ()


OnEvent = Callable[[ServeEvent], None]


class _Handler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def guess_type(self, path: str | Any) -> str:
        return content_type(str(path))

    def log_message(self, format: str, *args: Any) -> None:
        return None


def make_server(out: Path, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server for the folder `out`; port 0 picks a free port."""
    handler = partial(_Handler, directory=str(out))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def server_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else str(host)
    shown = f"[{name}]" if ":" in name else name
    return f"http://{shown}:{port}/"


def watched(site: Site, path: str) -> bool:
    """Whether a change to `path` should rebuild the site."""
    try:
        rel = Path(path).resolve().relative_to(site.root).as_posix()
    except ValueError:
        return False
    name = rel.rsplit("/", 1)[-1]
    if name.startswith((".tmp", ".work-", ".#")) or name.endswith(("~", ".swp", ".tmp")):
        return False
    if rel in WATCHED_FILES:
        return True
    if any(rel == d or rel.startswith(d + "/") for d in IGNORED_DIRS):
        return False
    return any(rel.startswith(d + "/") for d in WATCHED_DIRS)


def rebuild(site: Site, out: Path, changed: tuple[str, ...], on_event: OnEvent,
            drafts: bool = False, future: bool = False) -> Site:
    """One incremental build (companion.toml read again if it changed); a user error is
    reported and the server keeps going. Returns the settings the next build should use."""
    try:
        if "companion.toml" in changed:
            site = load_site(site.root)
        clock = Clock(clock_now(site.tz), drafts=drafts, future=future)
        result = build(site, out, clock=clock)
    except CompanionError as exc:
        on_event(ServeEvent("failed", error=exc, changed=changed))
        return site
    on_event(ServeEvent("rebuilt", result=result, changed=changed))
    return site


def watch_and_rebuild(site: Site, out: Path, on_event: OnEvent,
                      stop: threading.Event, drafts: bool = False, future: bool = False) -> None:
    """Rebuild on every batch of relevant changes until `stop` is set (or Ctrl-C)."""
    from watchfiles import watch

    def relevant(_change: object, path: str) -> bool:
        return watched(site, path)

    for changes in watch(site.root, watch_filter=relevant, stop_event=stop, debounce=300,
                         step=50, rust_timeout=500, yield_on_timeout=False):
        paths = tuple(sorted({Path(p).relative_to(site.root).as_posix() for _c, p in changes}))
        site = rebuild(site, out, paths, on_event, drafts, future)


def serve(site: Site, *, out: Path | None = None, host: str = "127.0.0.1", port: int = 8000,
          watch: bool = True, on_event: OnEvent | None = None,
          stop: threading.Event | None = None, drafts: bool = False,
          future: bool = False) -> None:
    """Build, serve `out` over HTTP and (with `watch`) rebuild on change, until `stop` is set
    or the user presses Ctrl-C."""
    folder = out or site.out_dir
    tell = on_event or (lambda event: None)
    stop = stop or threading.Event()
    rebuild(site, folder, (), tell, drafts, future)
    folder.mkdir(parents=True, exist_ok=True)
    server = make_server(folder, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    tell(ServeEvent("serving", url=server_url(server)))
    try:
        if watch:
            watch_and_rebuild(site, folder, tell, stop, drafts, future)
        else:
            while not stop.wait(0.5):  # a timed wait, so Ctrl-C gets through
                pass
    finally:
        server.shutdown()
        server.server_close()
