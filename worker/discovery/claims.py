"""The claim step: a discovered URL is queued by exactly one poll until it is stored or its claim expires.

The archive index is the durable "seen" set (`Archive.is_known`); a claim only covers the window
between discovery and storage, so overlapping polls (or two beats started by mistake) never queue
one article twice. Claims expire (`claim_ttl`): a page whose fetch was lost or failed is retried by
a later poll instead of being forgotten. The Redis form is shared by every worker and machine; the
in-memory form serves `bayegan ingest` (one process, no broker).
"""
from __future__ import annotations

import hashlib
import threading
import time
from typing import Protocol


class Claims(Protocol):
    def claim(self, canonical_url: str) -> bool: ...
    def release(self, canonical_url: str) -> None: ...
    def poll_slot(self, source_id: str, seconds: float) -> bool: ...


def _key(canonical_url: str) -> str:
    # A digest keeps keys short and free of characters Redis tooling chokes on.
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()


class MemoryClaims:
    def __init__(self, ttl: float = 3600.0) -> None:
        self.ttl = ttl
        self._claims: dict[str, float] = {}
        self._slots: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, canonical_url: str) -> bool:
        now = time.monotonic()
        with self._lock:
            expires = self._claims.get(_key(canonical_url))
            if expires is not None and expires > now:
                return False
            self._claims[_key(canonical_url)] = now + self.ttl
            return True

    def release(self, canonical_url: str) -> None:
        with self._lock:
            self._claims.pop(_key(canonical_url), None)

    def poll_slot(self, source_id: str, seconds: float) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._slots.get(source_id, 0.0) > now:
                return False
            self._slots[source_id] = now + seconds
            return True


class RedisClaims:
    """SET NX EX per canonical URL; `poll_slot` is the per-source lock that absorbs a second beat."""

    def __init__(self, redis_client, prefix: str = "", ttl: int = 3600) -> None:
        self.redis = redis_client
        self.prefix = f"{prefix}bayegan:"
        self.ttl = int(ttl)

    def claim(self, canonical_url: str) -> bool:
        return bool(self.redis.set(f"{self.prefix}claim:{_key(canonical_url)}", 1, nx=True, ex=self.ttl))

    def release(self, canonical_url: str) -> None:
        self.redis.delete(f"{self.prefix}claim:{_key(canonical_url)}")

    def poll_slot(self, source_id: str, seconds: float) -> bool:
        # A little shorter than the interval so the next regular tick is never refused.
        ttl_ms = max(1000, int(seconds * 900))
        return bool(self.redis.set(f"{self.prefix}poll:{source_id}", 1, nx=True, px=ttl_ms))
