"""A polite HTTP client for following feeds (httpx, thread-safe).

Polite means: a clear User-Agent; robots.txt honoured (RFC 9309: a missing one
allows everything, an unreachable one forbids everything for a while, and its
``Crawl-delay`` slows the host down); at most ``host_rate`` requests a second
and ``host_concurrency`` at once per host; conditional requests (ETag /
Last-Modified); retries with exponential backoff and jitter on 429, 5xx,
timeouts and dropped connections, honouring ``Retry-After``; redirects followed
up to ``max_redirects``; bodies capped at ``max_bytes`` (read as a stream, so a
50 MB page costs ``max_bytes``, not 50 MB); an optional proxy.

Every failure is a :class:`FetchError` with a stable code and a reason a person
can act on; ``permanent`` says whether trying again later can help.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from storyline import __version__

CODES = {
    "E710": "robots.txt disallows it",
    "E711": "HTTP error status",
    "E712": "timed out",
    "E713": "too many redirects",
    "E714": "larger than the size cap",
    "E715": "not the expected content type",
    "E716": "malformed feed or sitemap",
    "E717": "no text found in the page",
    "E718": "connection failed",
}
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("xml", "rss", "atom", "text/plain", "text/html", "octet-stream")  # servers label feeds loosely


class FetchError(Exception):
    def __init__(self, code: str, reason: str, *, permanent: bool, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.code, self.reason, self.permanent = code, reason, permanent
        self.status, self.retry_after = status, retry_after


@dataclass(slots=True)
class Response:
    url: str  # after redirects
    status: int
    content: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(slots=True)
class ClientConfig:
    contact: str = ""  # a URL or e-mail address shown in the User-Agent, so a site can reach the operator
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0  # first retry after about this many seconds, doubling each time
    max_backoff: float = 60.0  # a longer Retry-After is not waited for: the source is polled later instead
    max_redirects: int = 5
    max_bytes: int = 10_000_000
    host_rate: float = 1.0  # requests per second per host
    host_concurrency: int = 2
    concurrency: int = 16  # requests in flight in all
    proxy: str | None = None
    robots: bool = True
    robots_ttl: float = 3600.0

    @property
    def user_agent(self) -> str:
        contact = f"; +{self.contact}" if self.contact else ""
        return f"storyline-watch/{__version__} (feed follower{contact})"


@dataclass
class _Host:
    sem: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0
    delay: float = 0.0  # seconds between requests (1 / host_rate, or robots.txt's Crawl-delay)


class PoliteClient:
    """``get(url)`` with every rule above; one instance is shared by the watcher's threads."""

    def __init__(self, config: ClientConfig | None = None) -> None:
        import httpx
        self.config = cfg = config or ClientConfig()
        self._httpx = httpx
        self.http = httpx.Client(
            headers={"User-Agent": cfg.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(cfg.timeout),
            follow_redirects=True,
            max_redirects=cfg.max_redirects,
            proxy=cfg.proxy,
            limits=httpx.Limits(max_connections=max(cfg.concurrency * 2, 4),
                                max_keepalive_connections=max(cfg.concurrency, 4)),
            trust_env=False,
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._robots: dict[str, tuple[float, RobotFileParser | None, str]] = {}
        self._robots_lock = threading.Lock()
        self.requests = 0  # sent, retries and robots.txt included

    def close(self) -> None:
        self.http.close()

    # -- per-host gate --------------------------------------------------------------------------

    def _host(self, key: str) -> _Host:
        with self._hosts_lock:
            h = self._hosts.get(key)
            if h is None:
                h = self._hosts[key] = _Host(threading.Semaphore(self.config.host_concurrency),
                                             delay=1.0 / self.config.host_rate if self.config.host_rate > 0 else 0)
            return h

    def _wait_turn(self, h: _Host) -> None:
        with h.lock:
            now = time.monotonic()
            at = max(now, h.next_at)
            h.next_at = at + h.delay
        if at > now:
            time.sleep(at - now)

    # -- robots.txt ----------------------------------------------------------------------------

    def allowed(self, url: str) -> tuple[bool, str]:
        """Whether robots.txt lets this client fetch ``url``, and why not."""
        if not self.config.robots:
            return True, ""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            hit = self._robots.get(key)
        if hit is None or hit[0] < time.monotonic():
            hit = self._load_robots(key)
        _, parser, why = hit
        if parser is None:
            return False, why
        ok = parser.can_fetch("storyline-watch", url)
        return ok, "" if ok else "disallowed by robots.txt"

    def _load_robots(self, key: str) -> tuple[float, RobotFileParser | None, str]:
        ttl = self.config.robots_ttl
        parser: RobotFileParser | None = RobotFileParser()
        why = ""
        try:
            r = self._fetch(f"{key}/robots.txt", {}, None, retries=1)
            if r.status == 200:
                parser.parse(r.content.decode("utf-8", errors="replace").splitlines())
            else:
                parser.parse([])
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                parser.parse([])  # no robots.txt: everything is allowed
            else:  # unreachable: nothing is allowed, and it is asked again soon
                parser, ttl = None, min(ttl, 300.0)
                why = f"robots.txt unreachable ({exc.reason}): not fetching from this host for now"
        if parser is not None:
            delay = parser.crawl_delay("storyline-watch")
            if delay:
                h = self._host(urlsplit(key).netloc)
                h.delay = max(h.delay, min(float(delay), 60.0))
        entry = (time.monotonic() + ttl, parser, why)
        with self._robots_lock:
            self._robots[key] = entry
        return entry

    # -- requests ------------------------------------------------------------------------------

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            types: tuple[str, ...] | None = None) -> Response:
        """GET ``url`` politely. ``types``: content types accepted (substrings); others fail before the body is read."""
        ok, why = self.allowed(url)
        if not ok:
            raise FetchError("E710", why, permanent=not why.startswith("robots.txt unreachable"))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._fetch(url, headers, types, retries=self.config.retries)

    def _fetch(self, url: str, headers: dict[str, str], types: tuple[str, ...] | None, retries: int) -> Response:
        cfg = self.config
        host = self._host(urlsplit(url).netloc)
        err: FetchError | None = None
        for attempt in range(retries + 1):
            with host.sem:
                self._wait_turn(host)
                try:
                    return self._once(url, headers, types)
                except FetchError as exc:
                    err = exc
            if err.permanent or attempt == retries:
                break
            wait = cfg.backoff * (2**attempt) * (1 + 0.25 * random.random())
            if err.retry_after is not None:
                if err.retry_after > cfg.max_backoff:
                    break
                wait = max(wait, err.retry_after)
            time.sleep(min(wait, cfg.max_backoff))
        assert err is not None
        raise err

    def _once(self, url: str, headers: dict[str, str], types: tuple[str, ...] | None) -> Response:
        httpx, cfg = self._httpx, self.config
        self.requests += 1
        try:
            with self.http.stream("GET", url, headers=headers) as r:
                status = r.status_code
                if status == 304:
                    return Response(str(r.url), 304, etag=r.headers.get("etag"),
                                    last_modified=r.headers.get("last-modified"))
                if status == 429 or status >= 500:
                    raise FetchError("E711", f"HTTP {status} {r.reason_phrase}".strip(), permanent=False,
                                     status=status, retry_after=_retry_after(r.headers.get("retry-after")))
                if status >= 400 or status < 200:
                    raise FetchError("E711", f"HTTP {status} {r.reason_phrase}".strip(),
                                     permanent=status in (401, 403, 404, 410, 451), status=status)
                ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
                if types is not None and ctype and not any(t in ctype for t in types):
                    raise FetchError("E715", f"content type {ctype[:80]}, not {' or '.join(types)}",
                                     permanent=True, status=status)
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > cfg.max_bytes:
                    raise FetchError("E714", f"{int(declared)} bytes, over the {cfg.max_bytes}-byte cap",
                                     permanent=True, status=status)
                buf = bytearray()
                for chunk in r.iter_bytes():
                    buf += chunk
                    if len(buf) > cfg.max_bytes:
                        raise FetchError("E714", f"over the {cfg.max_bytes}-byte cap (stopped reading)",
                                         permanent=True, status=status)
                return Response(str(r.url), status, bytes(buf), etag=r.headers.get("etag"),
                                last_modified=r.headers.get("last-modified"),
                                content_type=r.headers.get("content-type", ""))
        except httpx.TooManyRedirects as exc:
            raise FetchError("E713", f"more than {cfg.max_redirects} redirects (a redirect loop?)",
                             permanent=True) from exc
        except httpx.TimeoutException as exc:
            raise FetchError("E712", f"timed out ({type(exc).__name__}, limit {cfg.timeout:g} s)",
                             permanent=False) from exc
        except httpx.DecodingError as exc:
            raise FetchError("E718", f"undecodable response body: {exc}", permanent=True) from exc
        except (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError("E718", f"connection failed: {type(exc).__name__}: {exc}"[:300],
                             permanent=False) from exc


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
