"""The fetcher's httpx transport: connections pinned to checked addresses, reads bounded by the deadline.

httpx 0.28 has no public hook for a network backend (encode/httpx#3749 is still open), but
httpcore's pools take `network_backend=` as public API. `GuardedTransport` is an
`httpx.HTTPTransport` whose pool is rebuilt with `GuardedBackend`:

* connect: the host name is resolved and checked once (`netguard.checked_addresses`) and the TCP
  connection goes to those literal addresses. httpcore still sends the Host header from the URL
  and passes the URL's host as TLS server_hostname, so SNI and certificate checks keep the name.
* every read, write, connect and TLS handshake gets `min(its own timeout, time left before the
  URL's total deadline)` (worker.http.deadline): a server dripping one header byte per second
  never resets a per-read timeout past the deadline.

Through an http(s) proxy the proxy resolves names, so nothing is pinned; the deadline still bounds
reads. A socks5 proxy keeps httpx's own pool.
"""
from __future__ import annotations

import ssl
import typing

import httpcore
import httpx

from worker.http.deadline import remaining
from worker.http.netguard import checked_addresses

__all__ = ["GuardedBackend", "GuardedTransport"]


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    """The timeout cut to the time left before the URL's deadline; raises `exc` once it has passed."""
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise exc("the URL's total deadline has passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self.stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self.stream.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        return DeadlineStream(tls)

    def get_extra_info(self, info: str) -> typing.Any:
        return self.stream.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Connects to the checked addresses of a name (pin=True) and bounds every stream by the deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None, *, pin: bool = True) -> None:
        self.inner = inner or httpcore.SyncBackend()
        self.pin = pin

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        if not self.pin:
            return DeadlineStream(self.inner.connect_tcp(
                host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options))
        error: Exception | None = None
        for address in checked_addresses(host, port):   # raises AddressNotAllowed
            try:
                return DeadlineStream(self.inner.connect_tcp(
                    address, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc       # the next address of the name (IPv6 then IPv4, several A records)
        raise error or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None
                            ) -> httpcore.NetworkStream:   # pragma: no cover - the fetcher never uses UDS
        return self.inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx.HTTPTransport with the pool rebuilt around `GuardedBackend` (same limits, TLS, proxy)."""

    def __init__(self, *, limits: httpx.Limits, proxy: str | None = None,
                 backend: httpcore.NetworkBackend | None = None) -> None:
        socks = bool(proxy) and not str(proxy).lower().startswith(("http://", "https://"))
        super().__init__(limits=limits, trust_env=False, proxy=proxy if socks else None)
        if socks:
            return    # socks5: httpx's own pool (the proxy resolves; per-read timeouts only)
        common: dict[str, typing.Any] = dict(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry)
        self._pool.close()
        if proxy:
            p = httpx.Proxy(proxy)
            self._pool = httpcore.HTTPProxy(
                proxy_url=httpcore.URL(scheme=p.url.raw_scheme, host=p.url.raw_host, port=p.url.port,
                                       target=p.url.raw_path),
                proxy_auth=p.raw_auth, proxy_headers=p.headers.raw, proxy_ssl_context=p.ssl_context,
                network_backend=backend or GuardedBackend(pin=False), **common)
        else:
            self._pool = httpcore.ConnectionPool(network_backend=backend or GuardedBackend(), **common)
