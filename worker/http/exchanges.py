"""The exchange sink: every HTTP exchange the Fetcher makes goes into the WARC archive.

`Fetcher(..., sink=ArchiveSink(...))` calls `sink(exchange)` once per hop that got a response:
robots.txt, feeds, sitemaps, listings, Jalali archive pages, each redirect hop, 4xx/5xx answers,
each retried attempt, the final page. The sink writes request + response, or for an unchanged
answer (the payload of the URL's last capture, or a 304) the revisit record alone (a poll of an
unchanged feed costs ~0.5 KB), and records where on `exchange.capture`, so the
pipeline adds only the article-level metadata record for a page instead of a second copy.
Exchanges without a response (refused, reset, timeout) never reach the sink: the fetcher raises
and the caller records the error. A failed archive write is reported, never raised into the
fetch: the page is still parsed and stored (its record points at no capture).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from storage.capture import Exchange

__all__ = ["ArchiveSink", "ExchangeWriter"]


class ExchangeWriter(Protocol):
    def write_exchange(self, exchange: Exchange) -> object: ...


class ArchiveSink:
    """`sink(exchange)`: archive it; `archive` is a getter so the archive opens on first use."""

    def __init__(self, archive: Callable[[], ExchangeWriter],
                 on_error: Callable[[str, Exception], None] | None = None) -> None:
        self._archive = archive
        self._on_error = on_error

    def __call__(self, exchange: Exchange) -> None:
        try:
            exchange.capture = self._archive().write_exchange(exchange)
        except Exception as exc:  # archiving is best effort here; the caller still gets its answer
            if self._on_error is None:
                raise
            self._on_error(exchange.url, exc)
