"""`bayegan ingest`: one pass over the sources in this process, no broker.

The same Pipeline stages as the Celery tasks. Network waits overlap in a thread pool (discovery
and downloads only: they never touch the archive); archiving, parsing and storing happen on the
calling thread, so the archive and its index are used from one thread as in a Celery process.
Politeness still holds per host, so agencies proceed in parallel while each host sees one request
start per interval; the CLI's Pipeline keeps slots and claims in files under <archive>/locks, so
that holds across several `bayegan ingest` processes on one archive too.

A full disk (ENOSPC/EDQUOT anywhere in storing) ends the pass: no more downloads start, the
ones under way are dropped, and `pipeline.disk_full` tells the caller why (one message, not a
failure per page). What was stored stays consistent (every write cuts back its own failure), so
the next pass with space carries on where this one stopped.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from worker.errors import is_transient
from worker.pipeline.outcomes import ErrorKind, PageStatus
from worker.pipeline.pages import warm_up_parser
from worker.pipeline.stages import Pipeline

if TYPE_CHECKING:
    from worker.discovery.links import Link
    from worker.http.result import FetchResult

log = logging.getLogger("bayegan.ingest")
T = TypeVar("T")



@dataclass(slots=True)
class SourceSummary:
    source_id: str
    poll_ok: bool = True
    discovered: int = 0
    queued: int = 0
    counts: dict[str, int] = field(default_factory=dict)   # new/version/alias/unchanged/skipped/error
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def count(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started


Progress = Callable[[str, str], None]          # (source_id, outcome) after every link
Planned = Callable[[str, int], None]           # (source_id, links queued) after every poll


def run_ingest(pipeline: Pipeline, source_ids: Iterable[str], *, threads: int = 8,
               on_planned: Planned | None = None, on_done: Progress | None = None) -> dict[str, SourceSummary]:
    """Poll every source, then fetch, archive, parse and store each new link. Returns per-source counts."""
    ids = list(source_ids)
    for sid in ids:
        pipeline.source(sid)            # unknown ids fail before any network traffic
    summaries = {sid: SourceSummary(sid) for sid in ids}
    _adopt_orphans(pipeline)
    pending: dict[Future[FetchResult | Exception], tuple[str, Link]] = {}
    links: list[tuple[str, Link]] = []
    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="bayegan-ingest") as pool:
        warm = pool.submit(_safe, warm_up_parser)       # overlaps the parser's imports with discovery
        polls = {pool.submit(_safe, pipeline.discover_links, sid): sid for sid in ids}
        remaining = {sid: 0 for sid in ids}
        for fut in _completed(polls):
            if pipeline.disk_full:
                break
            sid = polls[fut]
            outcome = pipeline.accept_poll(sid, fut.result())
            summary = summaries[sid]
            summary.poll_ok, summary.discovered, summary.queued = outcome.ok, outcome.discovered, len(outcome.links)
            summary.error = outcome.error
            remaining[sid] = len(outcome.links)
            links.extend((sid, link) for link in outcome.links)
            if on_planned:
                on_planned(sid, len(outcome.links))
            if not outcome.links:
                summary.finished = time.monotonic()

        warm.result()
        # Interleave sources so one slow (polite) host never idles the pool behind it.
        links = _round_robin(links)
        window = max(2, threads * 2)     # bounded number of page bodies held in memory
        it = iter(links if not pipeline.disk_full else ())
        while True:
            if pipeline.disk_full:       # stop the pass: nothing more can be stored
                pool.shutdown(wait=False, cancel_futures=True)
                break
            while len(pending) < window:
                nxt = next(it, None)
                if nxt is None:
                    break
                sid, link = nxt
                pending[pool.submit(_safe, pipeline.download, link.url, sid)] = (sid, link)
            if not pending:
                break
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for got in done:
                sid, link = pending.pop(got)
                status = _finish(pipeline, sid, link, got.result())
                summaries[sid].count(status)
                remaining[sid] -= 1
                if remaining[sid] == 0:
                    summaries[sid].finished = time.monotonic()
                if on_done:
                    on_done(sid, status)
    return summaries


def _adopt_orphans(pipeline: Pipeline) -> None:
    """Records a killed earlier run fsynced but never indexed join the index before anything is
    stored again (storage.orphans), so this run never writes them a second time."""
    try:
        adopted = pipeline.archive.adopt_orphans()
    except Exception as exc:  # a repair, never a reason not to ingest
        if not pipeline.note_disk_full(exc):
            log.warning("cannot adopt orphan records", extra={"error": f"{type(exc).__name__}: {exc}"})
        return
    if adopted:
        log.info("adopted orphan records", extra={"records": adopted})


def _finish(pipeline: Pipeline, sid: str, link: Link, result: FetchResult | Exception) -> PageStatus:
    try:
        page = pipeline.accept_download(link.url, sid, link.canonical_url, _as_permanent(result))
        if page:
            return pipeline.finish_page(page)
        return PageStatus.ERROR if isinstance(result, BaseException) else PageStatus.SKIPPED
    except Exception as exc:  # e.g. a disk error while archiving this page: record, go on with the rest
        pipeline.claims.release(link.canonical_url)
        if pipeline.note_disk_full(exc):
            return PageStatus.ERROR
        pipeline.record_error(sid, link.url, ErrorKind.INGEST, f"{type(exc).__name__}: {exc}")
        return PageStatus.ERROR


def _as_permanent(result: FetchResult | Exception) -> FetchResult | Exception:
    """No broker to retry later in a one-shot run: a transient failure is recorded like any other."""
    if isinstance(result, BaseException) and is_transient(result):
        return RuntimeError(f"{type(result).__name__}: {result} (gave up after the fetcher's retries)")
    return result


def _safe(fn: Callable[..., T], *args: Any) -> T | Exception:
    try:
        return fn(*args)
    except Exception as exc:  # handed to the main thread, which records it
        return exc


def _completed(futures: dict[Future[T], str]) -> Iterable[Future[T]]:
    todo = set(futures)
    while todo:
        done, todo = wait(todo, return_when=FIRST_COMPLETED)
        yield from done


def _round_robin(items: list[tuple[str, Link]]) -> list[tuple[str, Link]]:
    by_source: dict[str, list[tuple[str, Link]]] = {}
    for item in items:
        by_source.setdefault(item[0], []).append(item)
    out: list[tuple[str, Link]] = []
    queues = list(by_source.values())
    while queues:
        for q in list(queues):
            out.append(q.pop(0))
            if not q:
                queues.remove(q)
    return out
