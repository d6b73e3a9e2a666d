"""Refuse private, loopback, link-local and other non-public addresses (SSRF guard).

A host name is resolved and every address it resolves to must be public, unless the source is
explicitly configured with `allow_private = true` (the test mirror on 127.0.0.1), and then only for
the host:port origins of that source's own entries (`private_scope`). Resolutions are cached
briefly: the guard runs before every request and redirect hop.

Pinning (DNS rebinding): the fetcher's connections go through worker.http.transport, whose
network backend calls `checked_addresses` and connects to exactly the addresses that check
passed, never to the name; httpx does not resolve again between the check and the connect.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

__all__ = ["AddressNotAllowed", "Unresolvable", "checked_addresses", "is_public_address",
           "non_public_addresses", "origin", "private_scope", "resolve"]

_CACHE_SECONDS = 300.0
_cache: dict[str, tuple[float, tuple[str, ...]]] = {}
_lock = threading.Lock()


class Unresolvable(OSError):
    pass


class AddressNotAllowed(Exception):
    """Raised at connect time: the name now resolves to an address the guard refuses."""


# (host, port) origins that may resolve to private addresses during the current request: a
# context variable because one pooled client serves many threads, each fetching for its source.
_private_ok: ContextVar[frozenset[tuple[str, int]]] = ContextVar("bayegan_private_ok", default=frozenset())


@contextmanager
def private_scope(origins: frozenset[tuple[str, int]]) -> Iterator[None]:
    """Allow private addresses for these (host, port) pairs in the requests made inside."""
    token = _private_ok.set(origins)
    try:
        yield
    finally:
        _private_ok.reset(token)


# Special-purpose blocks that some Python patch releases still call global (RFC 6890 registry).
_NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "240.0.0.0/4", "2001:db8::/32", "2001::/23", "fc00::/7", "fe80::/10"))
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition address carries (mapped, 6to4, Teredo, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]   # the client; the server half is checked below as well
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """Only globally routable addresses (is_global): 100.64/10, 192.0.0/24 and the like are not.

    IPv6 transition addresses are judged by the IPv4 address they reach: 2002:7f00:1:: (6to4 of
    127.0.0.1) is as private as 127.0.0.1, whatever `is_global` says of the IPv6 form.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.teredo is not None and not ip.teredo[0].is_global:
            return False
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return _global(inner)
    return _global(ip)


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast and not any(
        ip.version == net.version and ip in net for net in _NOT_GLOBAL)


def resolve(host: str) -> tuple[str, ...]:
    """Addresses of `host` (an IP literal resolves to itself). Raises Unresolvable."""
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
        return (host.strip("[]"),)
    except ValueError:
        pass
    now = time.monotonic()
    with _lock:
        hit = _cache.get(host)
    if hit and hit[0] > now:
        return hit[1]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"cannot resolve {host!r}: {exc}") from exc
    addresses = tuple(sorted({str(info[4][0]) for info in infos}))
    with _lock:
        _cache[host] = (now + _CACHE_SECONDS, addresses)
    return addresses


def non_public_addresses(host: str) -> list[str]:
    """The addresses of `host` that are not public (empty: fine to fetch)."""
    return [a for a in resolve(host) if not is_public_address(a)]


def origin(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL, the port made explicit: the unit `private_scope` allows."""
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def checked_addresses(host: str, port: int) -> tuple[str, ...]:
    """The addresses to connect to for host:port, each one checked; raises AddressNotAllowed.

    The one resolution both checks and chooses: the connection goes to these literal addresses.
    A non-public address is accepted only when host:port is in the current `private_scope`.
    """
    addresses = resolve(host)
    if (host.lower(), port) not in _private_ok.get():
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            raise AddressNotAllowed(f"{host}:{port} resolves to non-public address(es) {blocked} "
                                    f"at connect time")
    return addresses
