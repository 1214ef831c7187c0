"""A small HTTP server on 127.0.0.1 (a free port) for yt-dlp and oEmbed tests, and a
recorder of the notifications a publish sends.

Routes map a path (query ignored) to a `Reply`, or to a function of the `Call` that
returns one (for answers that depend on the request's headers or query); a reply with
`hang=True` never answers (for timeouts) until the server stops; one with `trickle=S`
sends its headers, then its body one byte every S seconds (a server that stalls) until
the server stops. Every request is recorded in `calls` (method, path with its query,
body, headers); a POST is answered like a GET.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # with its query
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Reply:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    hang: bool = False
    trickle: float = 0.0  # seconds between the body's bytes (0: all at once)
    headers: tuple[tuple[str, str], ...] = ()  # more response headers (ETag, Retry-After)
    truncate: int | None = None  # the body stops at this byte (Content-Length says all of it)


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, Reply | Callable[[Call], Reply]] = {}
        self.requests: list[str] = []
        self.calls: list[Call] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                server.requests.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                call = Call(self.command, self.path, self.rfile.read(length),
                            {k.lower(): v for k, v in self.headers.items()})
                server.calls.append(call)
                route = server.routes.get(path, Reply(b"not found", "text/plain", 404))
                reply = route if isinstance(route, Reply) else route(call)
                if reply.hang:
                    server.stopping.wait(30)
                    return
                body = reply.body
                status = reply.status
                rng = self.headers.get("Range")
                start = 0
                if rng and status == 200 and rng.startswith("bytes="):
                    first = rng[6:].split("-")[0]
                    start = int(first) if first else 0
                    if start:
                        status = 206
                self.send_response(status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body) - start))
                if status == 206:
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.send_header("Accept-Ranges", "bytes")
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                if reply.trickle:
                    self._trickle(body[start:reply.truncate], reply.trickle)
                else:
                    self.wfile.write(body[start:reply.truncate])
                if reply.truncate is not None:
                    self.close_connection = True

            def _trickle(self, body: bytes, pause: float) -> None:
                for byte in body:
                    if server.stopping.wait(pause):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Server:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
