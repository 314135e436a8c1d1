"""A feed server on 127.0.0.1 for tests, benchmarks and demos: routes that can change between polls.

``LoopbackServer()`` listens on a free loopback port (never another address).
``routes[path] = Route(...)`` serves a body (with ETag and conditional answers),
a status, a delay, a redirect, or a generated body of any size streamed in
chunks; ``hits`` counts requests per path and ``log`` keeps (time, path, status).
As a proxy target it serves absolute-form requests (``GET http://host/path``)
under the key ``http://host/path``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0  # seconds before answering
    location: str | None = None  # a redirect target (status 301/302/307)
    size: int | None = None  # generate this many bytes instead of body (streamed, nothing held in memory)
    headers: dict[str, str] | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        srv = self.server
        key = self.path
        with srv.lock:
            srv.hits[key] += 1
            srv.active += 1
            srv.max_active = max(srv.max_active, srv.active)
            srv.agents.add(self.headers.get("User-Agent", ""))
            route = srv.routes.get(key.split("?")[0] if key not in srv.routes else key)
        try:
            self._answer(route)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.active -= 1
                srv.log.append((time.time(), key, route.status if route else 404))

    def _answer(self, route: Route | None) -> None:
        if route is None:
            self._send(404, b"not found", "text/plain")
            return
        if route.delay:
            time.sleep(route.delay)
        if route.location is not None:
            self.send_response(route.status if route.status in (301, 302, 303, 307, 308) else 302)
            self.send_header("Location", route.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.size is not None:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(route.size))
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_530 + b"</p>"
            left = route.size
            while left > 0:
                self.wfile.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            return
        etag = '"' + hashlib.blake2b(route.body, digest_size=8).hexdigest() + '"'
        if route.status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        extra = dict(route.headers or {})
        if route.status == 200:
            extra.setdefault("ETag", etag)
        self._send(route.status, route.body, route.content_type, extra)

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[float, str, int]] = []
        self.lock = threading.Lock()
        self.active = self.max_active = 0
        self.agents: set[str] = set()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client closing its kept-alive connection is no error worth a traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    def __init__(self) -> None:
        self._srv = _Server()
        self.port = self._srv.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()

    @property
    def routes(self) -> dict[str, Route]:
        return self._srv.routes

    @property
    def hits(self) -> Counter[str]:
        return self._srv.hits

    @property
    def log(self) -> list[tuple[float, str, int]]:
        return self._srv.log

    @property
    def max_active(self) -> int:
        return self._srv.max_active

    @property
    def agents(self) -> set[str]:
        return self._srv.agents

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def rss(items: list[dict[str, str]], title: str = "Feed") -> bytes:
    """An RSS 2.0 document of items with ``link``, ``title`` and optionally ``guid``, ``pubDate``."""
    from html import escape

    parts = [f"<?xml version='1.0' encoding='utf-8'?>\n<rss version='2.0'><channel><title>{escape(title)}</title>"]
    for it in items:
        parts.append("<item>")
        for k in ("title", "link", "guid", "pubDate"):
            if it.get(k):
                parts.append(f"<{k}>{escape(it[k])}</{k}>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")
