"""A test hook for crash tests: `BAYEGAN_CRASH_AT=N` SIGKILLs this process at its Nth crash point.

Crash points sit around every durable write (WARC append, record line append and fsync, index
commit), so a test can kill `bayegan ingest` at exactly the spots where a power cut or an OOM
kill can land, deterministically. Unset (the normal case) the hook is one integer test.
"""
from __future__ import annotations

import os
import signal
import threading

_AT = int(os.environ.get("BAYEGAN_CRASH_AT") or 0)
_lock = threading.Lock()
_seen = 0


def arm(at: int) -> None:
    """Kill at the `at`th crash point from now (0: never); for a forked test child, which has
    already read BAYEGAN_CRASH_AT at import."""
    global _AT, _seen
    with _lock:
        _AT, _seen = at, 0


def crash_point() -> None:
    global _seen
    if not _AT:
        return
    with _lock:
        _seen += 1
        if _seen == _AT:
            os.kill(os.getpid(), signal.SIGKILL)
