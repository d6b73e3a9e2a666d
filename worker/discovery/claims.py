"""The claim step: a discovered URL is queued by exactly one poll until it is stored or its claim expires.

The archive index is the durable "seen" set (`Archive.is_known`); a claim only covers the window
between discovery and storage, so overlapping polls (or two beats started by mistake) never queue
one article twice. Claims expire (`claim_ttl`): a page whose fetch was lost or failed is retried by
a later poll instead of being forgotten. The Redis form is shared by every worker and machine; the
file form (SQLite in the archive directory) by the `bayegan ingest` processes of one machine, so two
runs at once on one archive never fetch a page twice; the in-memory form serves one process alone.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Protocol

from storage.orphans import pid_alive

log = logging.getLogger("bayegan.claims")


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


class FileClaims:
    """Claims in a SQLite file shared by the processes of one machine (`bayegan ingest` x N).

    A claim is held by one FileClaims (pid + random token). It binds other processes until it
    expires or its process has exited (a crashed or finished run leaves nothing to wait for);
    another FileClaims in the same process ignores it, as separate MemoryClaims would.
    `poll_slot` stays per process: `bayegan ingest` polls every source once per run anyway.
    """

    def __init__(self, path: str | Path, ttl: float = 3600.0) -> None:
        self.path, self.ttl = Path(path), float(ttl)
        self.pid = os.getpid()
        self.owner = f"{self.pid}:{uuid.uuid4().hex[:12]}"
        self._local = MemoryClaims(ttl)
        self._lock = threading.Lock()
        self._degraded = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, "
                         "pid INTEGER NOT NULL, expires REAL NOT NULL)")
        self._db.execute("DELETE FROM claims WHERE expires < ?", (time.time(),))

    def claim(self, canonical_url: str) -> bool:
        try:
            return self._claim_shared(canonical_url)
        except sqlite3.Error as exc:
            # A full disk or a broken file must not stop the pass: the claim then binds this
            # process only (as MemoryClaims), and the archive's own writes report the disk.
            if not self._degraded:
                self._degraded = True
                log.warning("claims kept in this process only: %s cannot be written (%s)", self.path, exc)
            return self._local.claim(canonical_url)

    def _claim_shared(self, canonical_url: str) -> bool:
        key, now = _key(canonical_url), time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")      # one writer at a time across processes
            try:
                row = self._db.execute("SELECT owner, pid, expires FROM claims WHERE key = ?", (key,)).fetchone()
                held = row is not None and row[2] > now and (
                    row[0] == self.owner or (row[1] != self.pid and pid_alive(int(row[1]))))
                if not held:
                    self._db.execute("INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?)",
                                     (key, self.owner, self.pid, now + self.ttl))
                self._db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
        return not held

    def release(self, canonical_url: str) -> None:
        self._local.release(canonical_url)
        # Best effort: a claim left behind binds nobody once this process exits, or at its expiry.
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.execute("DELETE FROM claims WHERE key = ? AND owner = ?", (_key(canonical_url), self.owner))

    def poll_slot(self, source_id: str, seconds: float) -> bool:
        return self._local.poll_slot(source_id, seconds)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def machine_claims(directory: str | Path, ttl: float) -> Claims:
    """FileClaims under `directory`, or in-memory claims (warned) where that cannot be written."""
    try:
        return FileClaims(Path(directory) / "claims.sqlite", ttl)
    except (OSError, sqlite3.Error) as exc:
        log.warning("claims kept in this process only: %s is not usable (%s)", directory, exc)
        return MemoryClaims(ttl)
