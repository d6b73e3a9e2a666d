"""Per-host politeness and host health, shared through Redis or kept in-process.

Politeness reserves request-start slots: each caller atomically takes the next free slot of a host
(`max(now, next_free)`), moves `next_free` one interval on and sleeps until its slot, so N workers
on M machines start at most one request per interval per host, in arrival order, with no polling
loop. Redis holds the slots (a Lua script on Redis' own clock, so machines with skewed clocks still
agree); `LocalPoliteness` is the same logic under a lock for one process without Redis, and
`FilePoliteness` keeps the slots in one small file per host under the archive directory, locked
with flock, so several `bayegan ingest` processes on one machine share them (host health stays
per process there).

Host health follows Media Cloud's rss-fetcher: after `threshold` consecutive connection failures a
host is down for `host_down_seconds`; callers get its `down_until` and wait instead of spinning.
A 429 / 503 Retry-After pushes the host's next slot out for everyone (`penalize`).
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from worker.config import Settings

__all__ = ["DEFAULT_PREFIX", "FilePoliteness", "LocalPoliteness", "Politeness", "RedisPoliteness"]

log = logging.getLogger("bayegan.politeness")

DEFAULT_PREFIX = "bayegan:host:"
FAILURE_THRESHOLD = 3


class Politeness(Protocol):
    def acquire(self, host: str, interval: float | None) -> tuple[float | None, float]: ...
    def reserve(self, host: str, interval: float) -> float: ...
    def wait(self, host: str, interval: float) -> float: ...
    def penalize(self, host: str, seconds: float) -> None: ...
    def record_failure(self, host: str) -> float | None: ...
    def record_success(self, host: str) -> None: ...
    def down_until(self, host: str) -> float | None: ...


class _Base:
    def __init__(self, settings: Any = None, *, threshold: int = FAILURE_THRESHOLD,
                 down_seconds: float | None = None) -> None:
        self.threshold = threshold
        self.down_seconds = float(down_seconds if down_seconds is not None
                                  else getattr(settings, "host_down_seconds", 600.0))

    def reserve(self, host: str, interval: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def down_until(self, host: str) -> float | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def acquire(self, host: str, interval: float | None) -> tuple[float | None, float]:
        """Per request: (down_until, 0) when the host is down, else (None, seconds to wait for the
        reserved slot). `interval=None`: no politeness, only the health check."""
        down = self.down_until(host)
        if down is not None:
            return down, 0.0
        return None, (self.reserve(host, interval) if interval is not None else 0.0)

    def wait(self, host: str, interval: float) -> float:
        """Take the host's next request-start slot and sleep until it; returns the seconds slept."""
        delay = self.reserve(host, interval)
        if delay > 0:
            time.sleep(delay)
        return delay


class LocalPoliteness(_Base):
    """In-process equivalent of RedisPoliteness (one process, any number of threads)."""

    def __init__(self, settings: Any = None, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self._down: dict[str, float] = {}

    def reserve(self, host: str, interval: float) -> float:
        with self._lock:
            now = time.time()
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + interval
            return slot - now

    def penalize(self, host: str, seconds: float) -> None:
        with self._lock:
            until = time.time() + seconds
            if until > self._next.get(host, 0.0):
                self._next[host] = until

    def record_failure(self, host: str) -> float | None:
        with self._lock:
            n = self._failures.get(host, 0) + 1
            self._failures[host] = n
            if n < self.threshold:
                return None
            self._failures.pop(host, None)
            until = time.time() + self.down_seconds
            self._down[host] = until
            return until

    def record_success(self, host: str) -> None:
        with self._lock:
            self._failures.pop(host, None)
            self._down.pop(host, None)

    def down_until(self, host: str) -> float | None:
        with self._lock:
            until = self._down.get(host)
            if until is not None and until <= time.time():
                del self._down[host]
                return None
            return until


class FilePoliteness(LocalPoliteness):
    """Request-start slots shared by the processes of one machine: `<dir>/<host>.next` holds the
    host's next free slot (epoch seconds), read and moved on under an exclusive flock. The same
    arithmetic as LocalPoliteness; a directory that cannot be written falls back to it (warned)."""

    # A slot further ahead than this is a clock that went back, not a Retry-After: ignore it.
    MAX_AHEAD = 86400.0

    def __init__(self, directory: str | Path, settings: Any = None, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self.directory = Path(directory)
        self._shared = True
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._give_up(exc)

    def _give_up(self, exc: OSError) -> None:
        if self._shared:
            log.warning("politeness slots kept in this process only: %s is not usable (%s)", self.directory, exc)
        self._shared = False

    def _path(self, host: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", host)[:80]
        return self.directory / f"{safe}-{hashlib.sha1(host.encode()).hexdigest()[:8]}.next"

    def _move(self, host: str, update: Any) -> float | None:
        """Under the host's lock: write update(now, stored next) and return it (None: not shared)."""
        if not self._shared:
            return None
        try:
            fd = os.open(self._path(host), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            self._give_up(exc)
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)          # released by close()
            now = time.time()
            try:
                stored = float(os.pread(fd, 64, 0).decode("ascii").strip() or 0.0)
            except ValueError:                      # torn or foreign content: start afresh
                stored = 0.0
            if stored > now + self.MAX_AHEAD:
                stored = 0.0
            nxt = update(now, stored)
            data = repr(nxt).encode("ascii")
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
            return now
        except OSError as exc:                      # e.g. a full disk: slots stay in this process
            self._give_up(exc)
            return None
        finally:
            os.close(fd)

    def reserve(self, host: str, interval: float) -> float:
        slot: list[float] = []

        def take(now: float, stored: float) -> float:
            slot.append(max(now, stored))
            return slot[0] + interval

        now = self._move(host, take)
        if now is None:
            return super().reserve(host, interval)
        return slot[0] - now

    def penalize(self, host: str, seconds: float) -> None:
        if self._move(host, lambda now, stored: max(stored, now + seconds)) is None:
            super().penalize(host, seconds)


# KEYS[1] next-slot key; ARGV[1] interval ms. Returns ms to wait. Uses Redis' clock for every caller.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval = tonumber(ARGV[1])
local slot = now
if nxt > now then slot = nxt end
redis.call('SET', KEYS[1], slot + interval, 'PX', slot - now + interval + 60000)
return slot - now
"""
# KEYS[1] down key, KEYS[2] next-slot key; ARGV[1] interval ms or -1 (no politeness).
# Returns {down-until ms or -1, ms to wait}: the health check and the slot in one round trip.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local down = tonumber(redis.call('GET', KEYS[1]) or '-1')
if down > now then return {down, 0} end
local interval = tonumber(ARGV[1])
if interval < 0 then return {-1, 0} end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
local slot = now
if nxt > now then slot = nxt end
redis.call('SET', KEYS[2], slot + interval, 'PX', slot - now + interval + 60000)
return {-1, slot - now}
"""
# KEYS[1] next-slot key; ARGV[1] penalty ms.
_PENALIZE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untl = now + tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > nxt then redis.call('SET', KEYS[1], untl, 'PX', tonumber(ARGV[1]) + 60000) end
return untl
"""
# KEYS[1] failure counter, KEYS[2] down key; ARGV[1] threshold, ARGV[2] down ms. Returns down-until ms or -1.
_FAILURE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
if n >= tonumber(ARGV[1]) then
  local untl = now + tonumber(ARGV[2])
  redis.call('SET', KEYS[2], untl, 'PX', tonumber(ARGV[2]))
  redis.call('DEL', KEYS[1])
  return untl
end
return -1
"""


class RedisPoliteness(_Base):
    """Politeness and host health shared by every process and machine using one Redis."""

    def __init__(self, redis: Any, settings: Any = None, *, prefix: str = DEFAULT_PREFIX, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        if isinstance(redis, str):
            import redis as redis_lib

            redis = redis_lib.Redis.from_url(redis)
        self.redis = redis
        self.prefix = prefix
        self._reserve = redis.register_script(_RESERVE)
        self._acquire = redis.register_script(_ACQUIRE)
        self._penalize = redis.register_script(_PENALIZE)
        self._failure = redis.register_script(_FAILURE)

    def _key(self, kind: str, host: str) -> str:
        return f"{self.prefix}{kind}:{host}"

    def reserve(self, host: str, interval: float) -> float:
        return int(self._reserve(keys=[self._key("next", host)], args=[int(interval * 1000)])) / 1000.0

    def acquire(self, host: str, interval: float | None) -> tuple[float | None, float]:
        down, delay = self._acquire(keys=[self._key("down", host), self._key("next", host)],
                                    args=[-1 if interval is None else int(interval * 1000)])
        down, delay = int(down), int(delay)
        return (None if down < 0 else down / 1000.0), delay / 1000.0

    def penalize(self, host: str, seconds: float) -> None:
        self._penalize(keys=[self._key("next", host)], args=[int(seconds * 1000)])

    def record_failure(self, host: str) -> float | None:
        until = int(self._failure(keys=[self._key("fail", host), self._key("down", host)],
                                  args=[self.threshold, int(self.down_seconds * 1000)]))
        return None if until < 0 else until / 1000.0

    def record_success(self, host: str) -> None:
        self.redis.delete(self._key("fail", host), self._key("down", host))

    def down_until(self, host: str) -> float | None:
        value = self.redis.get(self._key("down", host))
        return None if value is None else int(value) / 1000.0


def make_politeness(settings: Settings, redis: Any = None, lock_dir: str | Path | None = None) -> Any:
    """Redis-shared politeness for the daemon; without Redis, slots in files under `lock_dir`
    (`bayegan ingest`: shared by every process on the machine) or in this process."""
    if not settings.politeness:
        return None
    if redis is not None:
        return RedisPoliteness(redis, settings, prefix=f"{settings.queue_prefix}{DEFAULT_PREFIX}")
    if lock_dir is not None:
        return FilePoliteness(lock_dir, settings)
    return LocalPoliteness(settings)
