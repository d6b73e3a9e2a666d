"""One total deadline for every fetch of one URL, across all its retries and redirect hops.

Without it each attempt had its own `total_timeout`, so a server dripping a body slowly cost
(max_retries + 1) x total_timeout. A context variable, not a Fetcher attribute, because one
Fetcher serves several threads (the daemon's pool) and each fetch has its own deadline.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["fetch_deadline", "remaining"]

_deadline: ContextVar[float | None] = ContextVar("bayegan_fetch_deadline", default=None)


@contextmanager
def fetch_deadline(seconds: float) -> Iterator[float]:
    """Set the deadline (monotonic) for the fetch running inside; an outer one is kept if sooner."""
    outer = _deadline.get()
    deadline = time.monotonic() + seconds
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield _deadline.get() or deadline
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current fetch's deadline (None outside a fetch; may be <= 0)."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()
