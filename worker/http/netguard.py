"""Refuse private, loopback, link-local and other non-public addresses (SSRF guard).

A host name is resolved and every address it resolves to must be public, unless the source is
explicitly configured with `allow_private = true` (the test mirror on 127.0.0.1). Resolutions are
cached briefly: the guard runs before every request and redirect hop. (httpx resolves again when
connecting; a DNS-rebinding attacker could still race that, which this archive does not defend.)
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time

__all__ = ["Unresolvable", "is_public_address", "non_public_addresses", "resolve"]

_CACHE_SECONDS = 300.0
_cache: dict[str, tuple[float, tuple[str, ...]]] = {}
_lock = threading.Lock()


class Unresolvable(OSError):
    pass


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified)


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
