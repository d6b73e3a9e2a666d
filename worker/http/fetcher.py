"""Polite, bounded HTTP fetching: `Fetcher(settings, politeness=None).fetch(url, source) -> FetchResult`.

Per request: URL and host checked against the source's allow-list and the address guard, host
health (a host that keeps refusing connections is down for a while: HostDown), robots.txt, one
politeness slot per request start, then a streamed GET whose RAW body (as received, `iter_raw`)
goes into a `storage.capture.Exchange` and whose content-decoding is capped (gzip bombs).
Redirects are followed by hand so every hop is checked the same way. Timeouts, connection
failures, truncated bodies and 5xx are retried a bounded number of times with exponential backoff
and full jitter; 429/503 honour Retry-After (waited in-process up to `max_retry_after`, else
raised with `.retry_at`). Errors are the `worker.http.errors` hierarchy, each naming URL and source.
"""
from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from storage.capture import Exchange
from storage.records import utc_now_iso
from worker.config import Settings
from worker.http import errors as E
from worker.http.bodies import BadEncoding, BodyLimitExceeded, decode_content, detect_encoding
from worker.http.deadline import fetch_deadline, remaining
from worker.http.netguard import AddressNotAllowed, Unresolvable, non_public_addresses, origin, private_scope
from worker.http.politeness import LocalPoliteness
from worker.http.result import FetchResult
from worker.http.robots import RobotsCache
from worker.http.transport import GuardedTransport

__all__ = ["FetchResult", "Fetcher", "host_key", "shared_client"]

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512 * 1024          # RFC 9309: parse at least 500 KiB
DEFAULT_RATE_LIMIT_WAIT = 60.0         # a 429 without Retry-After: back off a minute
TEXT_TYPES = ("text/", "xml", "json", "html", "rss", "atom")


def host_key(url: str) -> str:
    """Politeness/health key: host plus a non-default port (each mirror agency is its own origin)."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]


_clients: dict[tuple, httpx.Client] = {}
_clients_lock = threading.Lock()


def shared_client(settings: Settings) -> httpx.Client:
    """The process's one pooled httpx client for these settings (re-created after a fork)."""
    key = (os.getpid(), settings.proxy, settings.connect_timeout, settings.read_timeout, settings.user_agent)
    with _clients_lock:
        client = _clients.get(key)
        if client is None or client.is_closed:
            timeout = httpx.Timeout(connect=settings.connect_timeout, read=settings.read_timeout,
                                    write=settings.read_timeout, pool=settings.connect_timeout)
            limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
            client = httpx.Client(   # the transport pins checked addresses and bounds reads (transport.py)
                timeout=timeout, follow_redirects=False, trust_env=False,
                transport=GuardedTransport(limits=limits, proxy=settings.proxy or None),
                headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate",
                         "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                         "Accept-Language": "fa,en;q=0.5"})
            _clients[key] = client
        return client


def _retry_after(value: str | None, default: float | None) -> float | None:
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default


def _out_of_time(wait: float) -> bool:
    """True when waiting `wait` seconds would leave nothing of this URL's total deadline."""
    left = remaining()
    return left is not None and left - wait <= 0


def _private_origins(source: Any) -> frozenset[tuple[str, int]]:
    return source.private_scope() if getattr(source, "allow_private", False) else frozenset()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Fetcher:
    def __init__(self, settings: Settings | None = None, politeness: Any = None, *,
                 client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep,
                 retry_backoff: float = 0.5, max_retry_after: float = 30.0,
                 sink: Callable[[Exchange], object] | None = None) -> None:
        self.settings = settings or Settings()
        # Host health needs a store even when waiting is off (politeness=False benchmarks).
        self.politeness = politeness if politeness is not None else LocalPoliteness(self.settings)
        self.wait_enabled = bool(self.settings.politeness)
        self.client = client or shared_client(self.settings)
        self.robots = RobotsCache(None, self.settings.user_agent) if self.settings.respect_robots else None
        self.sleep = sleep
        self._failing: set[str] = set()   # hosts with connection failures seen by this Fetcher
        self.retry_backoff = retry_backoff
        self.max_retry_after = max_retry_after
        # Called with every exchange that got a response (each redirect hop, robots.txt, errors,
        # each retry): worker.http.exchanges archives them as WARC records.
        self.sink = sink

    def close(self) -> None:
        """The pooled client is shared by the process; closing a Fetcher leaves it open."""

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public -----------------------------------------------------------------------------
    def fetch(self, url: str, source: Any = None, *, etag: str | None = None,
              last_modified: str | None = None, previous_hash: str | None = None,
              max_bytes: int | None = None) -> FetchResult:
        """GET `url` for `source` (a worker.sources.Source or None). Raises FetchError subclasses."""
        self._check_target(url, source)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with fetch_deadline(self.settings.total_timeout):
            return self._fetch_with_retries(url, source, headers, previous_hash, max_bytes)

    def _fetch_with_retries(self, url: str, source: Any, headers: dict[str, str],
                            previous_hash: str | None, max_bytes: int | None) -> FetchResult:
        attempt = 0
        while True:
            try:
                self._check_robots(url, source)   # inside the loop: robots.txt may hit the same outage
                result = self._fetch_chain(url, source, headers, max_bytes or self.settings.max_body_bytes)
            except E.RateLimited as exc:
                attempt += 1
                delay = (exc.retry_at or time.time()) - time.time()
                if attempt > self.settings.max_retries or delay > self.max_retry_after or _out_of_time(delay):
                    raise
                self.sleep(max(0.0, delay))
                continue
            except (E.ServerError, E.TransportError):
                attempt += 1
                backoff = self._backoff(attempt)
                if attempt > self.settings.max_retries or _out_of_time(backoff):
                    raise
                self.sleep(backoff)
                continue
            result.body_hash = hashlib.sha256(result.content).hexdigest()
            result.unchanged = result.not_modified or (previous_hash is not None and previous_hash == result.body_hash)
            return result

    # -- policy -----------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter (AWS style): uniform(0, base * 2^(attempt-1)), capped."""
        return random.uniform(0, min(30.0, self.retry_backoff * 2 ** (attempt - 1)))

    def _check_target(self, url: str, source: Any, redirect_from: str | None = None) -> None:
        sid = getattr(source, "id", None)
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError as exc:
            raise E.BadURL(f"bad URL: {exc}", url=url, source=sid) from exc
        if parts.scheme not in ("http", "https") or not host:
            raise E.BadURL("not an absolute http(s) URL", url=url, source=sid)
        via = f" (redirected from {redirect_from})" if redirect_from else ""
        if source is not None and not source.allows_host(host):
            raise E.ForeignHost(f"host {host!r} is outside source {sid!r}'s hosts {list(source.hosts)}{via}",
                                url=url, source=sid)
        if origin(url) in _private_origins(source):
            return    # allow_private covers only the origins of the source's own entries
        try:
            blocked = non_public_addresses(host)
        except Unresolvable as exc:
            if self.settings.proxy:
                return        # the proxy resolves names we cannot (that is often why it is there)
            key = host_key(url)
            until = self.politeness.down_until(key)
            if until is None:
                self._failing.add(key)
                until = self.politeness.record_failure(key)
            if until:
                raise E.HostDown(f"host down until {_iso(until)}: {exc}", url=url, source=sid, retry_at=until) from exc
            raise E.ConnectFailed(str(exc), url=url, source=sid) from exc
        if blocked and getattr(source, "allow_private", False):
            raise E.BlockedAddress(f"{host}:{origin(url)[1]} resolves to non-public "
                                   f"address(es) {blocked}{via} and is not an origin of source {sid!r}'s entries "
                                   f"(allow_private covers only those)", url=url, source=sid)
        if blocked:
            raise E.BlockedAddress(f"host {host!r} resolves to non-public address(es) {blocked}{via}; "
                                   f"set allow_private = true on the source to allow", url=url, source=sid)

    def _robots_fetch(self, source: Any) -> Callable[[str], tuple[int, str]]:
        def fetch(robots_url: str) -> tuple[int, str]:
            try:
                result = self._fetch_chain(robots_url, source, {}, ROBOTS_MAX_BYTES)
            except E.HTTPStatusError as exc:
                return exc.status, ""
            except E.BodyTooLarge:
                return 404, ""        # a robots.txt over 512 KiB is not one: treat as absent
            except E.DisallowedURL:
                return 404, ""        # redirected off the source: no rules for this origin
            except (E.HostDown, E.TransportError):
                raise                 # an outage, not an answer: the caller retries / waits (not cached)
            except E.FetchError:
                return 0, ""
            return result.status, result.text
        return fetch

    def _check_robots(self, url: str, source: Any) -> None:
        if self.robots is None or urlsplit(url).path == "/robots.txt":
            return
        try:
            allowed = self.robots.allowed(url, self._robots_fetch(source))
        except (E.HostDown, E.TransportError) as exc:   # name the page asked for, not only robots.txt
            raise type(exc)(f"{exc.args[0]} (while reading {exc.url})", url=url, source=exc.source,
                            retry_at=exc.retry_at) from exc
        if not allowed:
            raise E.RobotsDisallowed("disallowed by robots.txt", url=url, source=getattr(source, "id", None))

    def _interval(self, url: str, source: Any) -> float:
        interval = getattr(source, "politeness_interval", None)
        if interval is None:
            interval = self.settings.politeness_interval
        if self.robots is not None and urlsplit(url).path != "/robots.txt":
            delay = self.robots.crawl_delay(url, self._robots_fetch(source))
            if delay:
                interval = max(interval, delay)
        return interval

    # -- transport --------------------------------------------------------------------------
    def _fetch_chain(self, url: str, source: Any, headers: dict[str, str], cap: int) -> FetchResult:
        history: list[Exchange] = []
        current, seen = url, {url}
        for _hop in range(self.settings.max_redirects + 1):
            result = self._request_once(current, source, headers, cap)
            location = result.exchange.header("location")
            if result.status not in REDIRECT_CODES or not location:
                result.history = history
                result.exchange.requested_url = url if current != url else None
                return result
            history.append(result.exchange)
            target = urljoin(current, location.strip())
            if target in seen:
                raise E.TooManyRedirects(f"redirect loop back to {target}", url=url,
                                         source=getattr(source, "id", None))
            self._check_target(target, source, redirect_from=current)
            self._check_robots(target, source)
            seen.add(target)
            current = target
        raise E.TooManyRedirects(f"more than {self.settings.max_redirects} redirects", url=url,
                                 source=getattr(source, "id", None))

    def _request_once(self, url: str, source: Any, headers: dict[str, str], cap: int) -> FetchResult:
        sid = getattr(source, "id", None)
        key = host_key(url)
        # One call (one Redis round trip): is the host down? if not, take its next request slot.
        down, delay = self.politeness.acquire(key, self._interval(url, source) if self.wait_enabled else None)
        if down is not None and down > time.time():
            raise E.HostDown(f"host {key} marked down after repeated connection failures, until {_iso(down)}",
                             url=url, source=sid, retry_at=down)
        if delay > 0:
            self.sleep(delay)
        request = self.client.build_request("GET", url, headers=headers)
        deadline = time.monotonic() + min(self.settings.total_timeout, remaining() or self.settings.total_timeout)
        try:
            with private_scope(_private_origins(source)):
                response = self.client.send(request, stream=True)
        except AddressNotAllowed as exc:   # the name changed its answer since the check (rebinding)
            raise E.BlockedAddress(f"{exc}; refused", url=url, source=sid) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as exc:
            self._failing.add(key)
            until = self.politeness.record_failure(key)
            if until:
                raise E.HostDown(f"host {key} down until {_iso(until)} after repeated connection failures ({exc!r})",
                                 url=url, source=sid, retry_at=until) from exc
            cls = E.FetchTimeout if isinstance(exc, httpx.ConnectTimeout) else E.ConnectFailed
            raise cls(f"cannot connect: {exc!r}", url=url, source=sid) from exc
        except httpx.TimeoutException as exc:
            raise E.FetchTimeout(f"no response in time: {exc!r}", url=url, source=sid) from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise E.BadURL(str(exc), url=url, source=sid) from exc
        except httpx.TransportError as exc:  # reset or closed before a response: the host is up
            raise E.ConnectFailed(f"connection dropped before a response: {exc!r}", url=url, source=sid) from exc
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:   # refuse before reading a byte of it
                raise E.BodyTooLarge(f"Content-Length {declared} over the {cap}-byte cap", url=url, source=sid)
            remote_ip = self._remote_ip(response)
            raw = bytearray()
            try:
                for chunk in response.iter_raw():
                    raw += chunk
                    if len(raw) > cap:
                        raise E.BodyTooLarge(f"body over {cap} bytes", url=url, source=sid)
                    if time.monotonic() > deadline:
                        raise E.FetchTimeout(f"total timeout {self.settings.total_timeout}s exceeded",
                                             url=url, source=sid)
            except httpx.TimeoutException as exc:
                raise E.FetchTimeout(f"body read timed out after {len(raw)} bytes: {exc!r}",
                                     url=url, source=sid) from exc
            except httpx.TransportError as exc:
                raise E.TruncatedBody(f"body cut off after {len(raw)} bytes: {exc!r}", url=url, source=sid) from exc
        finally:
            response.close()
        if key in self._failing:   # reset the failure count only when we saw failures (saves a round trip)
            self._failing.discard(key)
            self.politeness.record_success(key)
        try:
            result = self._result(url, source, request, response, bytes(raw), remote_ip, cap)
        except E.HTTPStatusError as exc:
            if self.sink is not None and exc.exchange is not None:
                self.sink(exc.exchange)      # a 4xx/5xx answer is evidence too
            raise
        if self.sink is not None:
            self.sink(result.exchange)
        return result

    @staticmethod
    def _remote_ip(response: httpx.Response) -> str | None:
        stream = response.extensions.get("network_stream")
        try:
            addr = stream.get_extra_info("server_addr") if stream is not None else None
        except Exception:  # transport-specific; the address is nice to have, never required
            return None
        return str(addr[0]) if addr else None

    def _result(self, url: str, source: Any, request: httpx.Request, response: httpx.Response,
                raw: bytes, remote_ip: str | None, cap: int) -> FetchResult:
        sid = getattr(source, "id", None)
        status = response.status_code
        exchange = Exchange(
            url=url, status=status, body=raw,
            response_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
            request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            reason=response.reason_phrase, http_version=response.http_version,
            fetched_at=utc_now_iso("milliseconds", zulu=True), remote_ip=remote_ip)
        content_type = response.headers.get("content-type")
        result = FetchResult(exchange=exchange, content=b"", final_url=url, status=status,
                             not_modified=status == 304, content_type=content_type)
        if status in REDIRECT_CODES or status == 304:
            return result
        try:
            result.content = decode_content(raw, response.headers.get("content-encoding"), cap)
        except BodyLimitExceeded as exc:
            raise E.BodyTooLarge(str(exc), url=url, source=sid) from exc
        except BadEncoding as exc:
            cls = E.TruncatedBody if "truncated" in str(exc) else E.ContentDecodingError
            raise cls(f"cannot decode body: {exc}", url=url, source=sid) from exc
        if status >= 400:
            raise self._status_error(url, sid, status, response, exchange)
        if content_type is None or any(t in content_type.lower() for t in TEXT_TYPES):
            result.encoding = detect_encoding(result.content, content_type)
        return result

    def _status_error(self, url: str, sid: str | None, status: int, response: httpx.Response,
                      exchange: Exchange) -> E.HTTPStatusError:
        key = host_key(url)
        header = response.headers.get("retry-after")
        exc: E.HTTPStatusError
        if status == 429 or (status == 503 and header):
            delay = _retry_after(header, DEFAULT_RATE_LIMIT_WAIT) or 0.0
            self.politeness.penalize(key, delay)   # every worker on this host slows down, not just us
            exc = E.RateLimited(f"HTTP {status}, retry after {delay:.1f}s", url=url, source=sid,
                                status=status, retry_at=time.time() + delay)
        elif status >= 500:
            exc = E.ServerError(f"HTTP {status}", url=url, source=sid, status=status)
        else:
            exc = E.ClientError(f"HTTP {status}", url=url, source=sid, status=status)
        exc.exchange = exchange
        return exc


def make_fetcher(settings: Settings, redis: Any = None, *, sink: Callable[[Exchange], object] | None = None,
                 lock_dir: Any = None) -> Fetcher:
    """The one way to build a Fetcher: the daemon, `bayegan ingest`, `parse URL` and `sources check`
    all get the same politeness (Redis-shared when `redis` is a client, else files under `lock_dir`
    shared by the machine's processes, else in-process)."""
    from worker.http.politeness import make_politeness

    return Fetcher(settings, politeness=make_politeness(settings, redis, lock_dir), sink=sink)
