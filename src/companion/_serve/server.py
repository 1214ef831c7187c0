"""`serve`: the built site over HTTP on loopback, rebuilt when a project file changes.

The server answers as the static host the site is published to would: the
Content-Type and Cache-Control of `_content_types` (the ones publish sets),
``ETag`` with ``If-None-Match`` (304), byte ranges (206 with ``Content-Range``;
``Accept-Ranges: bytes``; 416 when a range lies outside the file), and HEAD. It
serves the built site only: no folder listing, no file outside the output folder
(by ``..`` or by a symbolic link), no hidden or temporary file of the writer; a
folder's URL without its final slash is redirected to it, and one with it serves
its ``index.html``.

In this preview only (never in a published page), each HTML page gets a few lines
of script that reload it when a rebuild finishes: the server sends an event on
``/__companion/events`` (server-sent events) after each successful build.

`watchfiles` watches the project folder and hands every batch of changes under
episodes/, feeds/, templates/, cache/ or companion.toml to the incremental build.
Nothing here prints: what happens goes to the `on_event` callback, for the CLI.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from companion._build.engine import build
from companion._build.result import BuildResult
from companion._clock import clock_now
from companion._config.project import load_site
from companion._content_types import cache_control, content_type
from companion._errors import CompanionError
from companion._site_model import Clock, Site

WATCHED_DIRS = ("episodes", "feeds", "templates", "cache")
WATCHED_FILES = ("companion.toml",)
IGNORED_DIRS = ("cache/published", "cache/ledger")  # written by the build itself
EVENTS_PATH = "/__companion/events"
RELOAD_SCRIPT = (b'<script>/* companion serve: reload after a rebuild (preview only) */'
                 b'new EventSource("' + EVENTS_PATH.encode() + b'").onmessage='
                 b'function(){location.reload();};</script>\n')
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ServeEvent:
    """What the server tells the CLI: it started, a rebuild finished, or failed."""

    kind: str  # "serving" | "rebuilt" | "failed"
    url: str = ""
    result: BuildResult | None = None
    error: CompanionError | None = None
    changed: tuple[str, ...] = ()


OnEvent = Callable[[ServeEvent], None]


class Reloads:
    """Counts finished builds; the pages' event streams wait on it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.count = 0
        self.closed = False

    def bump(self) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """The build count once it differs from `seen` (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: self.count != seen or self.closed, timeout)
            return self.count


class SiteServer(ThreadingHTTPServer):
    """An HTTP server for one built site folder."""

    daemon_threads = True

    def __init__(self, out: Path, address: tuple[str, int],
                 reloads: Reloads | None = None) -> None:
        self.out = out
        self.reloads = reloads
        super().__init__(address, _Handler)


@dataclass(frozen=True)
class _File:
    path: Path
    rel: str  # its site path: what its Content-Type and Cache-Control come from
    size: int
    etag: str
    modified: str


class _Handler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _answer(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == EVENTS_PATH and self.server.reloads is not None and body:
            self._events(self.server.reloads)
            return
        rel = _site_path(path)
        if rel is None:
            self._plain(404, "not found", body)
            return
        folder = self.server.out / rel if rel else self.server.out
        if folder.is_dir() and not path.endswith("/"):
            self._redirect(quote(path) + "/")
            return
        found = _find(self.server.out, rel)
        if found is None:
            self._plain(404, "not found", body)
            return
        self._send(found, body)

    def _send(self, file: _File, body: bool) -> None:
        if _matches(self.headers.get("If-None-Match"), file.etag):
            self.send_response(304)
            self._validators(file)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = _page(file) if self.server.reloads is not None and file.rel.endswith(
            ".html") else None
        size = len(data) if data is not None else file.size
        wanted = self._range(file, size)
        if isinstance(wanted, str):  # "unsatisfiable"
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = wanted if wanted else (0, size - 1)
        self.send_response(206 if wanted else 200)
        self._validators(file)
        self.send_header("Content-Type", content_type(file.rel))
        self.send_header("Accept-Ranges", "bytes")
        if wanted:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(max(0, end - start + 1)))
        self.end_headers()
        if body and end >= start:
            self._body(file, data, start, end)

    def _validators(self, file: _File) -> None:
        self.send_header("ETag", file.etag)
        self.send_header("Last-Modified", file.modified)
        self.send_header("Cache-Control", cache_control(file.rel))

    def _range(self, file: _File, size: int) -> tuple[int, int] | str | None:
        """The one byte range asked for (None: the whole file): `Range: bytes=a-b`, `a-` or
        `-n`; several ranges, or an `If-Range` that no longer holds, get the whole file."""
        asked = _RANGE.match(self.headers.get("Range", "").strip())
        if asked is None or self.headers.get("If-Range", file.etag) != file.etag:
            return None
        first, last = asked.groups()
        if not first and not last:
            return None
        if not first:  # the last n bytes
            length = int(last)
            return (max(0, size - length), size - 1) if length and size else "unsatisfiable"
        start = int(first)
        if start >= size:
            return "unsatisfiable"
        return start, min(int(last), size - 1) if last else size - 1

    def _body(self, file: _File, data: bytes | None, start: int, end: int) -> None:
        try:
            if data is not None:
                self.wfile.write(data[start:end + 1])
                return
            with file.path.open("rb") as handle:
                handle.seek(start)
                _copy(handle, self.wfile, end - start + 1)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # a player that seeks drops its earlier request

    def _plain(self, status: int, text: str, body: bool) -> None:
        data = f"{status} {text}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self, reloads: Reloads) -> None:
        """Server-sent events: "reload" after each build, a comment now and then to keep
        the connection open, until the server stops or the page goes."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        seen = reloads.count
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while not reloads.closed:
                count = reloads.wait(seen, 15.0)
                message = b"data: reload\n\n" if count != seen else b": waiting\n\n"
                seen = count
                self.wfile.write(message)
                self.wfile.flush()
        except OSError:
            return


def _site_path(path: str) -> str | None:
    """The site path a URL path names ("" for the root); None for what the server never
    serves: `..`, a hidden or temporary file, a NUL or a backslash."""
    if "\0" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [p for p in path.split("/") if p]
    if any(p in ("..", ".") or p.startswith((".", "~")) or p.endswith(("~", ".tmp"))
           for p in parts):
        return None
    return "/".join(parts)


def _find(out: Path, rel: str) -> _File | None:
    """The file to send for a site path (a folder's ``index.html``), only inside `out`."""
    root = Path(os.path.realpath(out))
    target = Path(os.path.realpath(out / rel)) if rel else root
    if target.is_dir():
        target, rel = target / "index.html", f"{rel}/index.html".lstrip("/")
    if target != root and not target.is_relative_to(root):
        return None
    try:
        st = target.stat()
    except OSError:
        return None
    if not target.is_file():
        return None
    etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
    return _File(target, rel, st.st_size, etag, formatdate(st.st_mtime, usegmt=True))


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def _page(file: _File) -> bytes:
    """An HTML page with the preview's reload script before its ``</body>``."""
    data = file.path.read_bytes()
    at = data.rfind(b"</body>")
    return data + RELOAD_SCRIPT if at < 0 else data[:at] + RELOAD_SCRIPT + data[at:]


def _copy(source: BinaryIO, target: Any, length: int) -> None:
    while length > 0:
        chunk = source.read(min(_CHUNK, length))
        if not chunk:
            return
        target.write(chunk)
        length -= len(chunk)


def make_server(out: Path, host: str, port: int, reloads: Reloads | None = None) -> SiteServer:
    """An HTTP server for the folder `out`; port 0 picks a free port. With `reloads`, pages
    get the preview's reload script."""
    return SiteServer(out, (host, port), reloads)


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
            drafts: bool = False, future: bool = False, reloads: Reloads | None = None,
            *, quiet_if_unchanged: bool = False) -> Site:
    """One incremental build (companion.toml read again if it changed); a user error is
    reported and the server keeps going; a finished build reloads the open pages (with
    `quiet_if_unchanged`, only when it changed a file). Returns the settings the next
    build should use."""
    try:
        if "companion.toml" in changed:
            site = load_site(site.root)
        clock = Clock(clock_now(site.tz), drafts=drafts, future=future)
        result = build(site, out, clock=clock)
    except CompanionError as exc:
        on_event(ServeEvent("failed", error=exc, changed=changed))
        return site
    if quiet_if_unchanged and not (result.written or result.removed):
        return site
    on_event(ServeEvent("rebuilt", result=result, changed=changed))
    if reloads is not None:
        reloads.bump()
    return site


def watch_and_rebuild(site: Site, out: Path, on_event: OnEvent,
                      stop: threading.Event, drafts: bool = False, future: bool = False,
                      reloads: Reloads | None = None) -> None:
    """Rebuild on every batch of relevant changes until `stop` is set (or Ctrl-C)."""
    from watchfiles import watch

    def relevant(_change: object, path: str) -> bool:
        return watched(site, path)

    caught_up = False
    for changes in watch(site.root, watch_filter=relevant, stop_event=stop, debounce=300,
                         step=50, rust_timeout=500, yield_on_timeout=True):
        if not changes:
            # The watcher is up only now: an edit made between the first build and this
            # moment was seen by nobody, so one incremental build catches up (it writes
            # nothing, and says nothing, when nothing changed)
            if not caught_up:
                caught_up = True
                site = rebuild(site, out, (), on_event, drafts, future, reloads,
                               quiet_if_unchanged=True)
            continue
        caught_up = True
        paths = tuple(sorted({Path(p).relative_to(site.root).as_posix() for _c, p in changes}))
        site = rebuild(site, out, paths, on_event, drafts, future, reloads)


def serve(site: Site, *, out: Path | None = None, host: str = "127.0.0.1", port: int = 8000,
          watch: bool = True, on_event: OnEvent | None = None,
          stop: threading.Event | None = None, drafts: bool = False,
          future: bool = False) -> None:
    """Build, serve `out` over HTTP and (with `watch`) rebuild on change, until `stop` is set
    or the user presses Ctrl-C. With `watch`, open pages reload after each rebuild."""
    folder = out or site.out_dir
    tell = on_event or (lambda event: None)
    stop = stop or threading.Event()
    reloads = Reloads() if watch else None
    rebuild(site, folder, (), tell, drafts, future)
    folder.mkdir(parents=True, exist_ok=True)
    server = make_server(folder, host, port, reloads)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    tell(ServeEvent("serving", url=server_url(server)))
    try:
        if watch:
            watch_and_rebuild(site, folder, tell, stop, drafts, future, reloads)
        else:
            while not stop.wait(0.5):  # a timed wait, so Ctrl-C gets through
                pass
    finally:
        if reloads is not None:
            reloads.close()
        server.shutdown()
        server.server_close()
