"""Errors of the pipeline layer, and the one place that decides what is worth a retry.

Transient: the network, the broker or the disk may be fine again in a minute (timeouts, 5xx,
429, a host marked down, Redis restarting, a full disk). Celery retries these with backoff.
Everything else (404, a page that is not an article, a parser bug) is permanent for that URL:
it is recorded once and the pipeline moves on.
"""
from __future__ import annotations


class PipelineError(Exception):
    """Base class of worker pipeline errors."""


class TransientError(PipelineError):
    """Retry later: the cause is outside the page itself."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TransientError):
        return True
    flag = getattr(exc, "transient", None)   # the fetch layer marks its errors (FetchError.transient)
    if isinstance(flag, bool):
        return flag
    try:
        import redis

        if isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
            return True
    except ImportError:  # pragma: no cover - redis is a core dependency
        pass
    try:
        from storage.errors import DiskError, IndexError_

        if isinstance(exc, (DiskError, IndexError_)):
            return True
    except ImportError:  # pragma: no cover
        pass
    try:
        import httpx

        if isinstance(exc, (httpx.TimeoutException, httpx.NetworkError)):
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(exc, (ConnectionError, TimeoutError))


def describe(exc: BaseException) -> str:
    """`Type: message` (or just the type): error text for logs and the archive's error log."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
