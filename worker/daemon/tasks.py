"""Celery tasks: thin wrappers, each calling one pipeline stage and queueing the next.

Messages carry only what the next stage needs (the page body travels base64 in JSON: no pickle).
Retries with exponential backoff and jitter happen for transient errors only (worker.errors);
a permanent failure is recorded by the stage itself and the chain simply ends for that URL.

When this worker consumes the next stage's queue too (a one-machine daemon: every queue), fetch
runs parse and store in the same task and parse runs store, instead of a Redis round trip per
hop that lands in the same process pool anyway (BAYEGAN_INLINE_STAGES=0 turns it off). The
inline attempt is the first try of that stage: if it fails transiently, the stage's own message
is queued after all and retried there with backoff; a fleet that splits the queues across
machines queues every hop as before. Every stage stays idempotent, so a worker killed mid-chain
only repeats work (acks_late redelivers the fetch message), it never stores twice.
"""
from __future__ import annotations

import logging
import random
from typing import Any

from celery import Task

from parsers.article import Article
from worker.daemon.app import app, queue_name, runs_locally, settings
from worker.errors import is_transient
from worker.pipeline.current import get_pipeline
from worker.pipeline.stages import FetchedPage

log = logging.getLogger("bayegan.tasks")

MAX_TASK_RETRIES = 8


def _countdown(retries: int) -> float:
    """Full-jitter exponential backoff, capped (the visibility timeout is checked against the cap)."""
    return random.uniform(0, min(settings.retry_backoff_max, 2.0 * 2 ** retries))


def _retrying(task: Task, fn: Any, *args: Any, _source: str | None = None, _url: str = "", _kind: str = "task",
              **kwargs: Any) -> Any:
    """Run one stage: retry transient errors with backoff; record anything else (or a final give-up)
    in the archive's error log, so no failure is silent and none stops the other messages."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if is_transient(exc) and task.request.retries < MAX_TASK_RETRIES:
            log.warning("transient error, will retry", extra={"task": task.name, "retries": task.request.retries,
                                                               "source": _source, "url": _url, "error": error})
            raise task.retry(exc=exc, countdown=_countdown(task.request.retries), max_retries=MAX_TASK_RETRIES)
        if is_transient(exc):
            error = f"gave up after {task.request.retries} retries: {error}"
        try:
            get_pipeline().record_error(_source, _url, _kind, error)
        except Exception:  # recording is best effort; the task still ends here
            log.exception("cannot record error", extra={"source": _source, "url": _url})
        return None


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


@app.task(bind=True, name="worker.tasks.poll_source")
def poll_source(self: Task, source_id: str, force: bool = False) -> dict[str, Any]:
    """Discover one source and queue a fetch per new link. One poll per source per interval;
    `force` (a manual `celery call`) polls now and reads every document unconditionally."""
    pipeline = get_pipeline()
    source = pipeline.source(source_id)
    if not force:
        if not pipeline.claims.poll_slot(source_id, source.min_poll):
            log.info("poll skipped: another poll of this source ran in this interval", extra={"source": source_id})
            return {"source": source_id, "skipped": "slot"}
        if not pipeline.poll_due(source_id):
            return {"source": source_id, "skipped": "not due"}
    outcome = _retrying(self, pipeline.poll_source, source_id, full=force, _source=source_id, _url=source.home,
                        _kind="poll")
    if outcome is None:
        return {"source": source_id, "ok": False}
    queued = 0
    try:
        for link in outcome.links:
            fetch.apply_async((link.url, source_id, link.canonical_url), queue=queue_name("fetch"),
                              argsrepr=repr((_short(link.url), source_id)))
            queued += 1
    except Exception:
        # Links claimed but not queued would wait for their claim to expire: give them back now.
        for link in outcome.links[queued:]:
            pipeline.claims.release(link.canonical_url)
        raise
    return {"source": source_id, "ok": outcome.ok, "discovered": outcome.discovered, "queued": queued}


@app.task(bind=True, name="worker.tasks.fetch")
def fetch(self: Task, url: str, source_id: str, canonical_url: str | None = None) -> str:
    page = _retrying(self, get_pipeline().fetch_and_archive, url, source_id, canonical_url,
                     _source=source_id, _url=url, _kind="fetch")
    if page is None:
        return "skipped"
    if runs_locally("parse"):
        try:
            # The body is in memory: no message, no read back from the WARC file.
            article = get_pipeline().parse_capture(page)
        except Exception as exc:  # whatever it is, the parse stage proper retries or records it
            log.warning("inline parse failed, queued instead", extra={"url": page.url, "error": repr(exc)})
        else:
            return _stored_or_queued(article) if article is not None else "error"
    _queue_parse(page)
    return "fetched"


def _queue_parse(page: FetchedPage) -> None:
    # argsrepr: logs and Flower show the URL, not a base64 page body
    parse.apply_async((page.to_message(),), queue=queue_name("parse"),
                      argsrepr=repr((_short(page.url), page.source_id)))


def _queue_store(article: Article) -> None:
    store.apply_async((article.to_dict(),), queue=queue_name("store"),
                      argsrepr=repr((_short(article.canonical_url), article.source)))


def _stored_or_queued(article: Article) -> str:
    """Store here when this worker consumes the store queue; otherwise (or on a transient failure,
    for the store task's backoff) queue the store message. A permanent failure is recorded."""
    if not runs_locally("store"):
        _queue_store(article)
        return "parsed"
    try:
        return get_pipeline().store_article(article).status
    except Exception as exc:
        if is_transient(exc):
            _queue_store(article)
            return "parsed"
        try:
            get_pipeline().record_error(article.source, article.url, "store", f"{type(exc).__name__}: {exc}")
        except Exception:  # recording is best effort; the task still ends here
            log.exception("cannot record error", extra={"source": article.source, "url": article.url})
        return "error"


@app.task(bind=True, name="worker.tasks.parse")
def parse(self: Task, message: dict[str, Any]) -> str:
    page = FetchedPage.from_message(message)
    article = _retrying(self, get_pipeline().parse_capture, page, _source=page.source_id, _url=page.url,
                        _kind="parse")
    if article is None:
        return "error"
    return _stored_or_queued(article)


@app.task(bind=True, name="worker.tasks.store")
def store(self: Task, article: dict[str, Any]) -> str:
    art = Article.from_dict(article)
    result = _retrying(self, get_pipeline().store_article, art, _source=art.source, _url=art.url, _kind="store")
    return result.status if result is not None else "error"


@app.task(bind=True, name="worker.tasks.reingest",
          soft_time_limit=settings.reingest_time_limit * 0.95, time_limit=settings.reingest_time_limit)
def reingest(self: Task, source: str | None = None, since: str | None = None,
             refetch: bool = False) -> dict[str, Any]:
    """`celery -A worker.daemon.app call worker.tasks.reingest --kwargs '{"source": "isna"}'`."""
    from worker.pipeline.reingest import reingest as run

    # workers=1: a Celery pool process is daemonic and may not fork a parser pool of its own;
    # scale re-ingest with more worker processes on the reingest queue instead.
    return run(get_pipeline(), source=source, since=since, refetch=refetch, workers=1).to_dict()


@app.task(bind=True, name="worker.tasks.recheck")
def recheck(self: Task, source_id: str, every: bool = False) -> dict[str, Any]:
    """Re-check `source_id`'s due articles within its re-check budget (worker.pipeline.recheck)."""
    from worker.pipeline.recheck import run_source

    summary = _retrying(self, run_source, get_pipeline(), source_id, every=every, wait=False,
                        period=settings.recheck_every, _source=source_id, _kind="recheck")
    return summary.to_dict() if summary is not None else {"source": source_id, "ok": False}
