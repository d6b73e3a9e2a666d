"""Celery tasks: thin wrappers, each calling one pipeline stage and queueing the next.

Messages carry only what the next stage needs (the page body travels base64 in JSON: no pickle).
Retries (Celery's autoretry: exponential backoff with jitter, see StageTask) happen for transient
errors only (worker.errors);
a permanent failure is recorded by the stage itself and the chain simply ends for that URL.
A full disk (ENOSPC/EDQUOT) is not retried: every retry would fail the same way and flood the
log, so the task records one give-up (one log line, no traceback) and the chain ends; the link
is offered again by a later poll once its claim expired.

When this worker consumes the next stage's queue too (a one-machine daemon: every queue), fetch
runs parse and store in the same task and parse runs store, instead of a Redis round trip per
hop that lands in the same process pool anyway (BAYEGAN_INLINE_STAGES=0 turns it off). The
inline attempt is the first try of that stage: if it fails transiently, the stage's own message
is queued after all and retried there with backoff; a fleet that splits the queues across
machines queues every hop as before. Every stage stays idempotent, so a worker killed mid-chain
only repeats work (acks_late redelivers the fetch message), it never stores twice.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from celery import Task

from parsers.article import Article
from storage.errors import is_disk_full
from worker.daemon.app import app, queue_name, runs_locally, settings
from worker.errors import is_transient
from worker.pipeline.current import get_pipeline
from worker.pipeline.outcomes import ErrorKind, PageStatus
from worker.pipeline.pages import FetchedPage

log = logging.getLogger("bayegan.tasks")

MAX_TASK_RETRIES = 8


class StageRetry(Exception):
    """A transient stage failure, carrying what the archive's error log needs if Celery gives up."""

    def __init__(self, source: str | None, url: str, kind: ErrorKind, error: str) -> None:
        super().__init__(error)
        self.source, self.url, self.kind, self.error = source, url, kind, error


class StageTask(Task):
    """Base of the stage tasks: Celery's own retry (full-jitter exponential backoff, capped by
    BAYEGAN_RETRY_BACKOFF_MAX, which the visibility timeout is checked against) for StageRetry,
    and a give-up recorded in the archive's error log, so no failure is silent."""

    autoretry_for = (StageRetry,)
    retry_backoff = 2
    retry_backoff_max = settings.retry_backoff_max
    retry_jitter = True
    max_retries = MAX_TASK_RETRIES

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        if isinstance(exc, StageRetry):
            _record(exc.source, exc.url, exc.kind, f"gave up after {self.request.retries} retries: {exc.error}")


def _record(source: str | None, url: str, kind: ErrorKind, error: str) -> None:
    try:
        get_pipeline().record_error(source, url, kind, error)
    except Exception as exc:  # recording is best effort; the task still ends here
        if is_disk_full(exc):
            log.error("cannot record error: disk full", extra={"source": source, "url": url})
        else:
            log.exception("cannot record error", extra={"source": source, "url": url})


def _give_up_disk_full(task_name: str, source: str | None, url: str, kind: ErrorKind, error: str) -> None:
    log.error("disk full: gave up, not retried", extra={"task": task_name, "source": source, "url": url,
                                                        "error": error})
    _record(source, url, kind, f"gave up (disk full, not retried): {error}")


def _run_stage[T](task: Task, fn: Callable[..., T], *args: Any, _source: str | None = None, _url: str = "",
               _kind: ErrorKind = ErrorKind.TASK) -> T | None:
    """Run one stage: a transient error becomes StageRetry (Celery retries it, see StageTask);
    anything else is recorded in the archive's error log and ends this URL's chain (None)."""
    try:
        return fn(*args)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if is_disk_full(exc):
            _give_up_disk_full(task.name, _source, _url, _kind, error)
            return None
        if is_transient(exc):
            log.warning("transient error, will retry", extra={"task": task.name, "retries": task.request.retries,
                                                               "source": _source, "url": _url, "error": error})
            raise StageRetry(_source, _url, _kind, error) from exc
        _record(_source, _url, _kind, error)
        return None


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


@app.task(bind=True, base=StageTask, name="worker.tasks.poll_source")
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
    outcome = _run_stage(self, functools.partial(pipeline.poll_source, full=force), source_id,
                         _source=source_id, _url=source.home, _kind=ErrorKind.POLL)
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


@app.task(bind=True, base=StageTask, name="worker.tasks.fetch")
def fetch(self: Task, url: str, source_id: str, canonical_url: str | None = None) -> str:
    page = _run_stage(self, get_pipeline().fetch_and_archive, url, source_id, canonical_url,
                     _source=source_id, _url=url, _kind=ErrorKind.FETCH)
    if page is None:
        return PageStatus.SKIPPED
    if runs_locally("parse"):
        try:
            # The body is in memory: no message, no read back from the WARC file.
            article = get_pipeline().parse_capture(page)
        except Exception as exc:  # whatever it is, the parse stage proper retries or records it
            if is_disk_full(exc):
                _give_up_disk_full("parse", page.source_id, page.url, ErrorKind.PARSE, f"{type(exc).__name__}: {exc}")
                return PageStatus.ERROR
            log.warning("inline parse failed, queued instead", extra={"url": page.url, "error": repr(exc)})
        else:
            return _stored_or_queued(article) if article is not None else PageStatus.ERROR
    _queue_parse(page)
    return PageStatus.FETCHED


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
        return PageStatus.PARSED
    try:
        return get_pipeline().store_article(article).status
    except Exception as exc:
        if is_disk_full(exc):
            _give_up_disk_full("store", article.source, article.url, ErrorKind.STORE, f"{type(exc).__name__}: {exc}")
            return PageStatus.ERROR
        if is_transient(exc):
            _queue_store(article)
            return PageStatus.PARSED
        _record(article.source, article.url, ErrorKind.STORE, f"{type(exc).__name__}: {exc}")
        return PageStatus.ERROR


@app.task(bind=True, base=StageTask, name="worker.tasks.parse")
def parse(self: Task, message: dict[str, Any]) -> str:
    page = FetchedPage.from_message(message)
    article = _run_stage(self, get_pipeline().parse_capture, page, _source=page.source_id, _url=page.url,
                        _kind=ErrorKind.PARSE)
    if article is None:
        return PageStatus.ERROR
    return _stored_or_queued(article)


@app.task(bind=True, base=StageTask, name="worker.tasks.store")
def store(self: Task, article: dict[str, Any]) -> str:
    art = Article.from_dict(article)
    result = _run_stage(self, get_pipeline().store_article, art, _source=art.source, _url=art.url,
                        _kind=ErrorKind.STORE)
    return result.status if result is not None else PageStatus.ERROR


@app.task(bind=True, name="worker.tasks.reingest",
          soft_time_limit=settings.reingest_time_limit * 0.95, time_limit=settings.reingest_time_limit)
def reingest(self: Task, source: str | None = None, since: str | None = None,
             refetch: bool = False) -> dict[str, Any]:
    """`celery -A worker.daemon.app call worker.tasks.reingest --kwargs '{"source": "isna"}'`."""
    from worker.pipeline.reingest import reingest as run

    # workers=1: a Celery pool process is daemonic and may not fork a parser pool of its own;
    # scale re-ingest with more worker processes on the reingest queue instead.
    return run(get_pipeline(), source=source, since=since, refetch=refetch, workers=1).to_dict()


@app.task(bind=True, base=StageTask, name="worker.tasks.recheck")
def recheck(self: Task, source_id: str, every: bool = False) -> dict[str, Any]:
    """Re-check `source_id`'s due articles within its re-check budget (worker.pipeline.recheck)."""
    from worker.pipeline.recheck import run_source

    run = functools.partial(run_source, every=every, wait=False, period=settings.recheck_every)
    summary = _run_stage(self, run, get_pipeline(), source_id, _source=source_id, _kind=ErrorKind.RECHECK)
    return summary.to_dict() if summary is not None else {"source": source_id, "ok": False}
