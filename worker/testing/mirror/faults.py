"""The faults the mirror injects, each at its own article-like URL of every agency.

`FAULTS` documents what each one does and what a correct fetcher ends up with:
  outcome "article"  the fetcher must end up with the article (after retries/decoding),
          "error"    it must give up with a clear error and move on,
          "skip"     it must not fetch it at all (robots.txt) or refuse it (foreign host).
"""
from __future__ import annotations

import gzip
import threading
import zlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fault:
    name: str
    outcome: str        # article | error | skip
    what: str


FAULTS: tuple[Fault, ...] = (
    Fault("500", "error", "HTTP 500 on every request"),
    Fault("503", "article", "HTTP 503 with Retry-After: 1 for the first 2 requests, then the article"),
    Fault("429", "article", "HTTP 429 with Retry-After: 2 for the first request, then the article"),
    Fault("flaky", "article", "HTTP 502 for the first 2 requests, then the article"),
    Fault("slow", "article", "waits `slow_seconds` before answering, then the article"),
    Fault("reset", "error", "the connection is reset (RST) after the request is read"),
    Fault("truncated", "error", "Content-Length promises the whole page, half is sent, then close"),
    Fault("no-charset", "article", "Content-Type text/html without charset and no <meta charset>"),
    Fault("wrong-charset", "article", "header says charset=ISO-8859-1, bytes and <meta> are UTF-8"),
    Fault("windows-1256", "article", "the page encoded in windows-1256 (header and <meta> say so)"),
    Fault("huge", "error", "a page of `huge_bytes` (default 24 MiB) streamed with its Content-Length"),
    Fault("gzip-bomb", "error", "Content-Encoding: gzip, ~100 KiB on the wire, 100 MiB decompressed"),
    Fault("redirect-loop", "error", "302 -> /loop/a -> /loop/b -> /loop/a ..."),
    Fault("redirect-foreign", "skip", "302 to http://localhost:<port>/ (a host outside the source)"),
    Fault("robots-disallowed", "skip", "a good article whose path robots.txt disallows"),
    Fault("503-date", "article", "HTTP 503 with Retry-After as an HTTP-date 2 s ahead, once, then the article"),
    Fault("moved", "article", "301 to the article at another URL of the same host (final URL differs)"),
    Fault("refused", "error", "a URL on 127.0.0.1 at a port where nothing listens (connection refused)"),
)
FAULT_NAMES = tuple(f.name for f in FAULTS)
DELIVERING = frozenset(f.name for f in FAULTS if f.outcome == "article")
# documents (not articles) that are broken
FEED_FAULTS: tuple[Fault, ...] = (
    Fault("feed-malformed", "article", "RSS with raw '&', stray <br>, an unclosed item, cut before </channel>"),
    Fault("feed-laughs", "error", "RSS with an XML entity-expansion (billion laughs) DTD"),
    Fault("sitemap-laughs", "error", "sitemap with an XML entity-expansion DTD, listed in the sitemap index"),
)
FAIL_COUNTS = {"503": 2, "429": 1, "flaky": 2, "503-date": 1}


class FaultCounters:
    """Per-URL attempt counters for the fail-N-times faults (thread safe, resettable)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def hit(self, key: str) -> int:
        """Count one attempt; return how many came before it."""
        with self._lock:
            n = self._counts.get(key, 0)
            self._counts[key] = n + 1
            return n

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


_bomb_lock = threading.Lock()
_bomb: bytes | None = None
BOMB_DECOMPRESSED = 100 * 1024 * 1024


def gzip_bomb() -> bytes:
    """100 MiB of spaces inside an HTML comment, gzip-compressed once per process (~100 KiB)."""
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            comp = zlib.compressobj(9, zlib.DEFLATED, 31)   # wbits 31: gzip container
            chunk = b" " * (1024 * 1024)
            parts = [comp.compress(b"<!DOCTYPE html><html><body><!--")]
            for _ in range(BOMB_DECOMPRESSED // len(chunk)):
                parts.append(comp.compress(chunk))
            parts.append(comp.compress(b"--></body></html>"))
            parts.append(comp.flush())
            _bomb = b"".join(parts)
        return _bomb


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=5, mtime=0)
