"""One Pipeline per process: Celery children build theirs lazily, after the fork.

The daemon installs a factory (a Redis-backed Pipeline); everything else gets a plain one.
"""
from __future__ import annotations

import os
from collections.abc import Callable

from worker.config import Settings
from worker.pipeline.stages import Pipeline


def import_stage_modules() -> None:
    """Import what the stages import lazily (fetcher, discovery, storage, Redis helpers).

    The Celery parent calls it before forking its pool: otherwise every child (and every child
    recycled after max_tasks_per_child) spends ~1 s of CPU on these imports inside its first
    tasks, and holds its own copy instead of sharing the parent's pages."""
    import storage
    import storage.index.sqlite  # noqa: F401
    import worker.discovery.claims
    import worker.discovery.links
    import worker.discovery.polling
    import worker.http.fetcher
    import worker.http.politeness
    import worker.metrics  # noqa: F401


_current: Pipeline | None = None
_owner_pid: int | None = None
_factory: Callable[[], Pipeline] | None = None


def get_pipeline() -> Pipeline:
    global _current, _owner_pid
    if _current is None or _owner_pid != os.getpid():
        _current = _factory() if _factory else Pipeline(Settings.load())
        _owner_pid = os.getpid()
    return _current


def set_pipeline(pipeline: Pipeline | None) -> None:
    global _current, _owner_pid
    _current, _owner_pid = pipeline, os.getpid()


def set_factory(factory: Callable[[], Pipeline] | None) -> None:
    """How this process builds its Pipeline (the Celery app installs a Redis-backed one)."""
    global _factory, _current
    _factory, _current = factory, None


def close_current() -> None:
    global _current
    if _current is not None and _owner_pid == os.getpid():
        _current.close()
    _current = None
