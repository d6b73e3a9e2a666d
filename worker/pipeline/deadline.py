"""A wall-clock deadline for parsing one page, so one hostile page cannot stall a pass.

Mechanism: SIGALRM (setitimer) when parsing runs on the main thread, as in `bayegan ingest`,
`bayegan parse` and a Celery prefork child. Why not a thread or a pool: a thread cannot be
stopped, and a subprocess per page would cost a fork plus pickling of the Article for every page
(re-ingest already runs its own pool, whose children parse on their main thread and so get the
alarm too). The alarm fires between Python bytecodes, which is where our parsers' slow steps are
(regex and per-element loops); a single long C call (one lxml parse) is interrupted as soon as it
returns. Off the main thread no alarm can be set and the caller's own limits apply (Celery's).
"""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["ParseTimeout", "parse_deadline_seconds", "run_with_deadline"]

SECONDS_PER_MB = 2.0
MIN_SECONDS = 5.0     # a busy machine (and a cold lexicon/profile load) must not turn an ordinary page into a timeout
MAX_SECONDS = 5.0


class ParseTimeout(Exception):
    """Parsing ran past its deadline."""


def parse_deadline_seconds(size: int) -> float:
    """The deadline for a page of `size` bytes: 5 s (the goal, 2 s per MB, is what bench/hostile.py checks)."""
    return min(MAX_SECONDS, max(MIN_SECONDS, SECONDS_PER_MB * size / 1_000_000))


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise ParseTimeout(f"parsing took longer than {seconds:.1f}s")

    started = time.monotonic()
    outer_remaining = signal.getitimer(signal.ITIMER_REAL)[0]   # an outer timer (pytest-timeout, ...)
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining > 0:   # give the outer timer back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(0.001, outer_remaining - (time.monotonic() - started)))


def run_with_deadline[T](call: Callable[[], T], seconds: float) -> T:
    """call(), raising ParseTimeout after `seconds` (main thread only; elsewhere no deadline)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return call()
    outer = signal.getitimer(signal.ITIMER_REAL)[0]
    if 0 < outer <= seconds:
        return call()   # an outer deadline comes first anyway: let it fire as its owner expects
    with _alarm(seconds):
        return call()
