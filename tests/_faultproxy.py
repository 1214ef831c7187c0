"""A small HTTP proxy between boto3 and SeaweedFS that misbehaves on demand.

Point a client's endpoint at `FaultProxy.url`; requests are forwarded verbatim
(the Host header too, so SigV4 signatures stay valid) unless a queued fault
matches: an error status (500, 503 SlowDown, ...), a connection reset (RST
without a response), a stall (the request hangs until `release()`), or a truncated
answer (the upstream's headers, then half of its body, then the connection closes).
Every request's method, path and headers are kept in `seen`.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

FaultKind = Literal["status", "reset", "stall", "truncate"]

_ERROR_XML = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>"
              "<Message>injected by the test proxy</Message></Error>")
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


@dataclass
class Fault:
    kind: FaultKind
    count: int
    status: int = 503
    code: str = "SlowDown"
    method: str | None = None  # only requests with this method
    after: int = 0  # let this many matching requests through first
    match: str | None = None  # only requests whose path contains this


class FaultProxy:
    """A threaded proxy on 127.0.0.1 in front of `upstream` ("127.0.0.1:8333")."""

    def __init__(self, upstream: str) -> None:
        host, _, port = upstream.replace("http://", "").partition(":")
        self.upstream = (host, int(port or 80))
        self.lock = threading.Lock()
        self.faults: list[Fault] = []
        self.counts: Counter[str] = Counter()  # forwarded, by method
        self.injected: Counter[str] = Counter()  # faults served, by kind
        self.seen: list[tuple[str, str, dict[str, str]]] = []  # method, path, headers
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def inject(self, kind: FaultKind, count: int = 1, *, status: int = 503,
               code: str = "SlowDown", method: str | None = None, after: int = 0,
               match: str | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(kind, count, status, code, method, after, match))

    def stall(self, method: str = "PUT", after: int = 0) -> None:
        """Hang every `method` request after the first `after` ones, until release()."""
        self.released.clear()
        self.inject("stall", 10**9, method=method, after=after)

    def release(self) -> None:
        with self.lock:
            self.faults = [f for f in self.faults if f.kind != "stall"]
        self.released.set()

    def clear(self) -> None:
        self.release()
        with self.lock:
            self.faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault to apply to this request, if any (and count it down)."""
        with self.lock:
            for fault in self.faults:
                if fault.method not in (None, method) or fault.count <= 0:
                    continue
                if fault.match is not None and fault.match not in path:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.count -= 1
                self.injected[fault.kind] += 1
                return fault
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return None

            def _body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    return self._dechunk()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _dechunk(self) -> bytes:
                data = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline().strip():
                            pass
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()

            def _handle(self) -> None:
                body = self._body()
                with proxy.lock:
                    proxy.seen.append((self.command, self.path,
                                       {k.lower(): v for k, v in self.headers.items()}))
                fault = proxy.take(self.command, self.path)
                if fault is None or fault.kind == "truncate":
                    self._forward(body, truncate=fault is not None)
                elif fault.kind == "status":
                    self._error(fault)
                elif fault.kind == "reset":
                    self._reset()
                else:
                    proxy.released.wait(120)
                    self._reset()

            def _error(self, fault: Fault) -> None:
                payload = _ERROR_XML.format(code=fault.code).encode()
                self.send_response(fault.status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def _reset(self) -> None:
                with contextlib.suppress(OSError):
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.connection.close()
                self.close_connection = True

            def _forward(self, body: bytes, truncate: bool = False) -> None:
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=120)
                try:
                    conn.putrequest(self.command, self.path, skip_host=True,
                                    skip_accept_encoding=True)
                    for name, value in self.headers.items():
                        if name.lower() not in _HOP_HEADERS and name.lower() != "content-length":
                            conn.putheader(name, value)
                    if body or self.command in ("PUT", "POST"):
                        conn.putheader("Content-Length", str(len(body)))
                    conn.endheaders(body or None)
                    response = conn.getresponse()
                    payload = response.read()
                    with proxy.lock:
                        proxy.counts[self.command] += 1
                    self.send_response(response.status, response.reason)
                    for name, value in response.getheaders():
                        if name.lower() not in _HOP_HEADERS and name.lower() != "content-length":
                            self.send_header(name, value)
                    length = response.getheader("Content-Length") if self.command == "HEAD" \
                        else str(len(payload))
                    self.send_header("Content-Length", length or "0")
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload[:len(payload) // 2] if truncate else payload)
                    if truncate:
                        self.wfile.flush()
                        self._reset()
                finally:
                    conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        return Handler


@contextlib.contextmanager
def fault_proxy(upstream: str):  # type: ignore[no-untyped-def]
    proxy = FaultProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()
