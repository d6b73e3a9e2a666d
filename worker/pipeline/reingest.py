"""Re-ingest: run the current parsers over archived WARC captures (no network), or fetch again.

For each article the capture re-parsed is its LATEST one (by WARC-Date): re-parsing an older
capture after a newer version exists would record the old text as yet another "edit". The
storage layer then writes a new version only where the output changed, so with unchanged parsers
a re-ingest writes nothing and with a changed parser exactly the articles it alters get a version.

Two passes over the WARC files (the first only reads headers and metadata) keep memory bounded
by the number of articles, not their bodies.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from parsers import Article
from worker.pipeline.outcomes import ErrorKind, PageStatus, ParseFailure
from worker.pipeline.pages import FetchedPage, parse_outcome, settle_before_fork, warm_up_parser
from worker.pipeline.stages import Pipeline

if TYPE_CHECKING:
    from storage.archive import Archive
    from storage.capture import Exchange

log = logging.getLogger("bayegan.reingest")


@dataclass(slots=True)
class ReingestSummary:
    captures: int = 0                  # captures read from the WARC files
    articles: int = 0                  # distinct articles re-parsed (latest capture each)
    statuses: Counter = field(default_factory=Counter)   # store status -> count, plus "error"
    by_source: dict[str, Counter] = field(default_factory=dict)
    damaged: list[str] = field(default_factory=list)     # "<file> at offset N: reason", one per damaged spot

    def count(self, source: str, status: str) -> None:
        self.statuses[status] += 1
        self.by_source.setdefault(source, Counter())[status] += 1

    def to_dict(self) -> dict[str, Any]:
        return {"captures": self.captures, "articles": self.articles, "statuses": dict(self.statuses),
                "by_source": {k: dict(v) for k, v in self.by_source.items()}, "damaged": self.damaged}


def _since(value: datetime | date | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC)
    from parsers.dates import parse_user_date  # accepts Jalali or Gregorian, any digit script

    return datetime.combine(parse_user_date(str(value)), time.min, tzinfo=UTC)


def _is_article_capture(exchange: Exchange, meta: dict[str, Any]) -> bool:
    return (meta.get("kind", "article") == "article" and bool(meta.get("canonical_url"))
            and 200 <= int(exchange.status or 0) < 300)


BATCH = 50   # articles stored per index transaction


def _count(summary: ReingestSummary, progress: Callable[[str, str], None] | None, src: str, status: str) -> None:
    summary.count(src, status)
    if progress:
        progress(src, status)


def _flush(pipeline: Pipeline, batch: list[Article], summary: ReingestSummary,
           progress: Callable[[str, str], None] | None) -> None:
    for article, result in zip(batch, pipeline.store_many(batch), strict=False):
        _count(summary, progress, article.source or "-", result.status)
    batch.clear()


def _location(archive: Archive, exchange: Exchange, meta: dict[str, Any]) -> tuple[str | None, int | None]:
    """WARC file and offset of the payload re-parsed (a revisit points at its original response)."""
    if meta.get("warc") is not None:
        return meta["warc"], meta.get("offset")
    row = archive.index.last_capture(exchange.url)
    return (row["warc"], row["warc_offset"]) if row else (None, None)


def _parsed(pages: Iterator[FetchedPage], workers: int,
            hint: Callable[[str], str | None]) -> Iterator[tuple[FetchedPage, Article | ParseFailure]]:
    """(page, parse outcome) in input order; parsing fans out to `workers` forked processes.

    Parsing is the CPU-bound part; WARC reading and storing stay in this process (one writer).
    Forked after the parser is loaded, so the pool starts instantly and shares its memory.
    """
    if workers <= 1:
        for page in pages:
            yield page, parse_outcome(page, hint(page.source_id))
        return
    warm_up_parser()
    settle_before_fork(freeze=False)   # may run inside a long-lived process: no gc.freeze there
    window: deque[tuple[FetchedPage, Future[Article | ParseFailure]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for page in pages:
            window.append((page, pool.submit(parse_outcome, page, hint(page.source_id))))
            if len(window) >= workers * 4:
                done, fut = window.popleft()
                yield done, fut.result()
        while window:
            done, fut = window.popleft()
            yield done, fut.result()


def reingest(pipeline: Pipeline, *, source: str | None = None, since: datetime | date | str | None = None,
             refetch: bool = False, progress: Callable[[str, str], None] | None = None,
             workers: int | None = None) -> ReingestSummary:
    """Re-parse (or with `refetch` re-fetch) every archived article of `source` captured since `since`."""
    since_dt = _since(since)
    archive = pipeline.archive
    summary = ReingestSummary()
    skipped_before = len(archive.skipped)

    latest: dict[str, tuple[str, int]] = {}       # canonical URL -> (WARC-Date, ordinal)
    for ordinal, (exchange, meta) in enumerate(archive.iter_captures(source=source, since=since_dt)):
        summary.captures += 1
        if not _is_article_capture(exchange, meta):
            continue
        key = (exchange.fetched_at or "", ordinal)
        canonical = meta["canonical_url"]
        if canonical not in latest or key >= latest[canonical]:
            latest[canonical] = key
    wanted = {ordinal for _, ordinal in latest.values()}
    summary.articles = len(wanted)
    log.info("reingest", extra={"source": source, "since": str(since_dt), "articles": len(wanted),
                                "refetch": refetch})

    batch: list[Article] = []
    if refetch:
        for ordinal, (exchange, meta) in enumerate(archive.iter_captures(source=source, since=since_dt)):
            if ordinal not in wanted:
                continue
            src = meta.get("source") or "-"
            url = meta.get("requested_url") or exchange.url
            try:
                status = pipeline.ingest_refetch(url, src, meta["canonical_url"])
            except Exception as exc:  # one article's failure must not end the run
                pipeline.record_error(src, url, ErrorKind.REINGEST, f"{type(exc).__name__}: {exc}")
                status = PageStatus.ERROR
            _count(summary, progress, src, status)
    else:
        def pages() -> Iterator[FetchedPage]:
            for ordinal, (exchange, meta) in enumerate(archive.iter_captures(source=source, since=since_dt)):
                if ordinal in wanted:
                    warc, offset = _location(archive, exchange, meta)
                    yield FetchedPage(
                        url=exchange.url, requested_url=meta.get("requested_url") or exchange.url,
                        canonical_url=meta["canonical_url"], source_id=meta.get("source") or "-",
                        content=exchange.body, content_type=exchange.header("Content-Type"),
                        fetched_at=exchange.fetched_at, warc=warc, offset=offset)

        for page, outcome in _parsed(pages(), workers or pipeline.settings.reingest_workers or os.cpu_count() or 1,
                                     pipeline.profile_hint):
            article = pipeline.accept_parsed(page, outcome)
            if article is None:
                _count(summary, progress, page.source_id, PageStatus.ERROR)
                continue
            batch.append(article)
            if len(batch) >= BATCH:
                _flush(pipeline, batch, summary, progress)
        _flush(pipeline, batch, summary, progress)
    # both passes read the same files: one entry per damaged spot
    summary.damaged = list(dict.fromkeys(str(s) for s in archive.skipped[skipped_before:]))
    log.info("reingest done", extra=summary.to_dict())
    return summary
