"""The service: one FastAPI app serving the JSON API (/api) and the pages for people (/).

``create_app(store_path)`` wires a :class:`~storyline.store.Store`, a single
:class:`~storyline.store.Assigner` for writes (serialised by a lock: SQLite has
one writer anyway), request-size limits, security headers and error mapping.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from pathlib import Path
from typing import Any

from storyline.errors import StorylineError, require
from storyline.store import AssignConfig, Assigner, Store
from storyline.store.settle import Settler

DEFAULT_MAX_BODY = 8 * 1024 * 1024
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class ConfigError(StorylineError):
    code = "E600"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'; False for anything else, 0.0.0.0 and names included."""
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413, before the app parses them.

    Checks Content-Length up front and counts streamed bytes too (chunked bodies
    have no length), buffering at most ``max_bytes``.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    n = int(v)
                except ValueError:
                    await self._reject(send, 400, b'{"detail":"bad content-length"}')
                    return
                if n > self.max_bytes:
                    await self._reject(send, 413, b'{"detail":"request body too large"}')
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            body = msg.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._reject(send, 413, b'{"detail":"request body too large"}')
                return
            chunks.append(body)
            if not msg.get("more_body"):
                break
        data = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": data, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(send: Any, status: int, body: bytes) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers + SECURITY_HEADERS})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """ASGI middleware adding CSP and friends to every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(msg: dict[str, Any]) -> None:
            if msg["type"] == "http.response.start":
                names = {k.lower() for k, _ in msg.get("headers", [])}
                msg = dict(msg)
                msg["headers"] = list(msg.get("headers", [])) + [
                    h for h in SECURITY_HEADERS if h[0] not in names
                ]
            await send(msg)

        await self.app(scope, receive, send_with_headers)


def resolve_token(token: str | None) -> str | None:
    """The write token: the given one, else $STORYLINE_TOKEN, else none."""
    token = token or os.environ.get("STORYLINE_TOKEN") or None
    if token is not None and len(token) < 16:
        raise ConfigError("the token must be at least 16 characters long", code="E602")
    return token


def create_app(
    store: str | Path | Store,
    *,
    token: str | None = None,
    host: str = "127.0.0.1",
    max_body_bytes: int = DEFAULT_MAX_BODY,
    assign_config: AssignConfig | None = None,
    settle_after: float | None = 2.0,
) -> Any:
    """The FastAPI app for a store. Refuses a non-loopback ``host`` without a write token."""
    fastapi = require("fastapi", "serve")
    require("jinja2", "serve")
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from fastapi.staticfiles import StaticFiles

    from storyline import __version__
    from storyline.serve import api, live, web

    token = resolve_token(token)
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"refusing to listen on {host} without a write token: pass --token or set STORYLINE_TOKEN",
            code="E601",
        )
    st = store if isinstance(store, Store) else Store(store)
    app = fastapi.FastAPI(
        title="storyline",
        version=__version__,
        description="News articles grouped into stories, with reuse grades, provenance and a digest "
        "per story.",
        openapi_tags=[{"name": "api", "description": "JSON API"}],
    )
    app.state.store = st
    app.state.token = token
    app.state.write_lock = threading.Lock()
    app.state.assigner = Assigner(st, assign_config)
    # writes are settled in the background (None: placed only, and re-graded story by story)
    app.state.settler = None if settle_after is None or st.readonly else Settler(st, quiet=settle_after)

    @app.exception_handler(StorylineError)
    async def _storyline_error(request: Any, exc: StorylineError) -> Any:
        status = 400 if exc.code.startswith("E1") else 500
        return JSONResponse({"detail": exc.args[0], "code": exc.code}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Any, exc: RequestValidationError) -> Any:
        if not request.url.path.startswith("/api"):
            return web.error_page(request, 400, "That request was not valid.")
        errors = [{k: e.get(k) for k in ("loc", "msg", "type")} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    app.include_router(api.router, tags=["api"])
    app.include_router(web.router, include_in_schema=False)
    app.include_router(live.router)  # the watcher's events: /new, /api/events, /api/events/stream
    app.mount("/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="static")
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
