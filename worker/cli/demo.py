"""The demo mirror of `bayegan ingest --mirror` on fixed preferred ports, so its URLs are stable.

Article ids come from canonical URLs, which include the mirror's port: with fresh ports each run,
a second `make demo` into the same archive would file every article as an alias of the first run's.
Fixed ports (with a fallback to free ones when taken) make the second run report "unchanged".
"""
from __future__ import annotations

import socket

from worker.testing.mirror import MirrorServer

DEMO_PORT_BASE = 18640   # agencies on 18640, 18641, ..., the foreign host last


def _ports_free(host: str, first: int, count: int) -> bool:
    for port in range(first, first + count):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                return False
    return True


def demo_mirror(articles: int, port_base: int | None = None) -> tuple[MirrorServer, bool]:
    """(a not yet started mirror, whether it got the stable ports)."""
    port_base = DEMO_PORT_BASE if port_base is None else port_base
    server = MirrorServer(articles=articles, port_base=port_base)
    # One port per agency plus the foreign host (MirrorServer.start binds them in that range).
    if _ports_free(server.host, port_base, len(server.agency_ids) + 1):
        return server, True
    return MirrorServer(articles=articles), False
