"""robots.txt through protego, cached per origin, with RFC 9309's rules for failures.

- 2xx: parsed with protego (wildcards, Allow/Disallow precedence, Crawl-delay);
- 4xx (incl. 404): no restrictions;
- 5xx or unreachable: everything disallowed for a short while (RFC 9309 §2.3.1.4), then retried.
The fetching itself is a callable supplied by the Fetcher, so robots.txt requests obey the same
politeness, allow-list and size limits as every other request.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

__all__ = ["RobotsCache", "robots_url"]

RobotsFetch = Callable[[str], tuple[int, str]]   # robots URL -> (status, text); status 0 = unreachable


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


@dataclass(slots=True)
class _Entry:
    parser: Protego | None        # None with allow_all/deny_all
    allow_all: bool
    deny_all: bool
    expires: float


class RobotsCache:
    def __init__(self, fetch: RobotsFetch | None, user_agent: str, *, ttl: float = 24 * 3600,
                 failure_ttl: float = 300) -> None:
        self._fetch = fetch
        self.user_agent = user_agent
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _entry(self, url: str, fetch: RobotsFetch | None = None) -> _Entry:
        key = robots_url(url)
        entry = self._entries.get(key)
        if entry is not None and entry.expires > time.time():
            return entry
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one fetch per origin even with many threads asking at once
            entry = self._entries.get(key)
            if entry is not None and entry.expires > time.time():
                return entry
            fetcher = fetch or self._fetch
            if fetcher is None:
                raise ValueError("RobotsCache needs a fetch callable")
            status, text = fetcher(key)
            now = time.time()
            if 200 <= status < 300:
                entry = _Entry(Protego.parse(text), False, False, now + self.ttl)
            elif 400 <= status < 500:
                entry = _Entry(None, True, False, now + self.ttl)
            else:
                entry = _Entry(None, False, True, now + self.failure_ttl)
            self._entries[key] = entry
            return entry

    def allowed(self, url: str, fetch: RobotsFetch | None = None) -> bool:
        entry = self._entry(url, fetch)
        if entry.allow_all:
            return True
        if entry.deny_all:
            return False
        assert entry.parser is not None  # neither allow_all nor deny_all: robots.txt was parsed
        return bool(entry.parser.can_fetch(url, self.user_agent))

    def crawl_delay(self, url: str, fetch: RobotsFetch | None = None) -> float | None:
        entry = self._entry(url, fetch)
        if entry.parser is None:
            return None
        delay = entry.parser.crawl_delay(self.user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self, url: str, fetch: RobotsFetch | None = None) -> list[str]:
        entry = self._entry(url, fetch)
        return list(entry.parser.sitemaps) if entry.parser is not None else []

    def clear(self) -> None:
        self._entries.clear()
