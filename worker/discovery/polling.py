"""Adaptive polling as plain functions over a JSON-able state dict (kept in memory or in Redis).

Media Cloud's rss-fetcher adapts each feed's interval to the share of already-seen items; we do the
same per source: a poll that brings nothing new backs off (x1.5) up to `max_poll`; one where most
links are new polls sooner (x0.5), one with some new links a little sooner (x0.8), never below
`min_poll` nor below what politeness allows (one interval per discovery request of the source).

Feeds are read on every poll; a source's sitemaps and listings (which re-list the same articles,
and whose full copies of a changed document were most of a day's WARC growth) only when due:
at least every `max_poll`, on a full re-read (no stored validators), and at once when the
feeds failed or brought nothing but new links (an overflowed feed may have dropped some).
"""
from __future__ import annotations

import json
import time
from collections.abc import MutableMapping
from typing import Any

__all__ = [
    "is_due",
    "load_state",
    "next_interval",
    "politeness_floor",
    "record_poll",
    "save_state",
    "secondary_due",
    "seconds_until_due",
]

BACKOFF = 1.5
BUSY = 0.5
SOME_NEW = 0.8


def politeness_floor(source: Any, default_interval: float = 2.0) -> float:
    """Seconds one discovery pass of `source` occupies its host at the polite rate."""
    requests = len(source.feeds) + len(source.sitemaps) + len(source.listings)
    interval = source.politeness_interval if source.politeness_interval is not None else default_interval
    return requests * interval


def next_interval(source: Any, current: float | None, new: int, total: int) -> float:
    interval = float(current or source.poll_interval)
    if new <= 0:
        interval *= BACKOFF
    else:
        share = new / total if total else 1.0
        interval *= BUSY if share >= 0.5 else SOME_NEW if share >= 0.1 else 1.0
    low = max(float(source.min_poll), politeness_floor(source))
    return max(low, min(float(source.max_poll), interval))


def record_poll(state: MutableMapping[str, Any], source: Any, new: int, total: int,
                now: float | None = None) -> float:
    """Update `state` after a poll that found `total` links, `new` of them unseen; returns the interval."""
    now = time.time() if now is None else now
    interval = next_interval(source, state.get("interval"), new, total)
    state.update(interval=interval, last_poll=now, next_poll=now + interval, last_new=new, last_total=total)
    return interval


def secondary_due(state: MutableMapping[str, Any], source: Any, *, full: bool, feed_failed: bool,
                  feed_overflow: bool, now: float | None = None) -> bool:
    """Should this poll read the source's sitemaps and listings too (see the module docstring)?"""
    now = time.time() if now is None else now
    if full or not source.feeds or feed_failed or feed_overflow:
        return True
    return now - float(state.get("secondary_at", 0.0)) >= float(source.max_poll)


def seconds_until_due(state: MutableMapping[str, Any], now: float | None = None) -> float:
    now = time.time() if now is None else now
    return max(0.0, float(state.get("next_poll", 0.0)) - now)


def is_due(state: MutableMapping[str, Any], now: float | None = None) -> bool:
    return seconds_until_due(state, now) == 0.0


def load_state(redis: Any, key: str) -> dict[str, Any]:
    raw = redis.get(key)
    return json.loads(raw) if raw else {}


def save_state(redis: Any, key: str, state: MutableMapping[str, Any], ttl: int = 30 * 86400) -> None:
    redis.set(key, json.dumps(dict(state), ensure_ascii=False), ex=ttl)
