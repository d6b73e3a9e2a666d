"""The pipeline stages as plain functions, free of any broker.

    poll_source -> process_links (canonicalize, skip known, claim) -> fetch_and_archive (polite,
    conditional, WARC) -> parse_capture -> store_article (dedup, record, index)

Celery tasks (worker/daemon/tasks.py) and `bayegan ingest` (worker/pipeline/ingest.py) call the same functions,
so the daemon and the embedded run cannot drift apart. Every stage is idempotent and keyed by the
canonical URL: a redelivered task finds the article known (no fetch) or stored (status
"unchanged"), never a second record. One broken page, feed or agency never stops the others:
failures are recorded with `Archive.record_error` and the stage returns None.

A `Pipeline` holds the per-process resources (settings, registry, archive, fetcher, claims);
worker.pipeline.current keeps one per process, created lazily after Celery forks its children.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parsers import PARSER_VERSION, Article
from parsers.article import article_id
from parsers.urls import canonicalize
from storage.errors import DiskFull, is_disk_full
from storage.records import utc_now_iso
from storage.warc import Capture as WarcCapture
from worker.config import Settings
from worker.discovery.claims import Claims, MemoryClaims
from worker.errors import TransientError, is_transient
from worker.errors import describe as _describe
from worker.http.errors import HTTPStatusError
from worker.pipeline.outcomes import ErrorKind, PageStatus, ParseFailure, PollOutcome
from worker.pipeline.pages import FetchedPage, parse_outcome, read_response_body

__all__ = ["Pipeline", "PollOutcome"]

if TYPE_CHECKING:   # the real types, without importing httpx/storage at module import
    from storage.archive import Archive
    from storage.capture import Exchange
    from storage.dedup import StoreResult
    from worker.discovery.links import Link
    from worker.http.fetcher import Fetcher
    from worker.http.result import FetchResult
    from worker.sources import Source

log = logging.getLogger("bayegan.pipeline")


def process_worker_name(settings: Settings) -> str:
    """WARC and record files are named per process: Celery children must not share the parent's name."""
    pid = str(os.getpid())
    name = settings.worker_name
    return name if name.endswith(f"-{pid}") else f"{name}-{pid}"


class Pipeline:
    def __init__(self, settings: Settings, *, sources: dict[str, Source] | None = None,
                 archive: Archive | None = None, fetcher: Fetcher | None = None,
                 claims: Claims | None = None, redis: Any = None,
                 lock_dir: Path | None = None) -> None:
        self.settings = settings
        self._sources = sources
        self._archive = archive
        self._fetcher = fetcher
        self._redis = redis
        # lock_dir (`bayegan ingest`, no Redis): claims and host slots shared with the other
        # processes on this machine through files there; otherwise they live in this process.
        self._lock_dir = lock_dir if redis is None else None
        if claims is None and self._lock_dir is not None:
            from worker.discovery.claims import machine_claims

            claims = machine_claims(self._lock_dir, settings.claim_ttl)
        self.claims: Claims = claims or MemoryClaims(settings.claim_ttl)
        self._discovery_state: dict[str, dict[str, Any]] = {}
        self.disk_full: DiskFull | None = None      # the first ENOSPC/EDQUOT met: `bayegan ingest` stops there

    # -- resources, opened on first use ---------------------------------------
    @property
    def sources(self) -> dict[str, Source]:
        if self._sources is None:
            from worker.sources import load_sources

            self._sources = load_sources(self.settings.sources_file)
        return self._sources

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            from storage import open_archive

            self._archive = open_archive(
                self.settings.archive_dir, index_url=self.settings.index_url,
                worker_name=process_worker_name(self.settings),
                warc_max_bytes=self.settings.warc_max_bytes,
                near_dup_threshold=self.settings.near_dup_threshold)
        return self._archive

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            from worker.http.exchanges import ArchiveSink
            from worker.http.fetcher import make_fetcher

            sink = ArchiveSink(lambda: self.archive, self._sink_failed)   # every exchange goes to the WARC
            self._fetcher = make_fetcher(self.settings, self._redis, sink=sink,
                                         lock_dir=self._lock_dir / "hosts" if self._lock_dir else None)
        return self._fetcher

    def _sink_failed(self, url: str, exc: Exception) -> None:
        if not self.note_disk_full(exc):      # a full disk is reported once by the caller, not per exchange
            self.record_error(None, url, ErrorKind.ARCHIVE, _describe(exc))

    def source(self, source_id: str) -> Source:
        try:
            return self.sources[source_id]
        except KeyError:
            raise KeyError(f"unknown source {source_id!r} (known: {', '.join(sorted(self.sources))})") from None

    def profile_hint(self, source_id: str) -> str | None:
        """The registry's `profile` for this source: the parser's hint (None: unknown source)."""
        source = self.sources.get(source_id)
        return source.profile if source is not None else None

    def close(self) -> None:
        for res in (self._fetcher, self._archive):
            if res is not None:
                try:
                    res.close()
                except Exception as exc:  # closing must never mask the real outcome
                    if not self.note_disk_full(exc):
                        log.exception("close failed")
        self._fetcher = self._archive = None

    def record_error(self, source_id: str | None, url: str, kind: ErrorKind, message: str) -> None:
        from worker import metrics

        metrics.ERRORS.labels(source_id or "-", kind).inc()
        log.warning("error", extra={"source": source_id, "url": url, "kind": kind, "error": message})
        try:
            self.archive.record_error(source_id, url, kind, message[:2000])
        except Exception as exc:  # the error log is best effort: the page's failure must not spread
            if not self.note_disk_full(exc):
                log.exception("cannot record error", extra={"source": source_id, "url": url})

    def note_disk_full(self, exc: BaseException) -> bool:
        """Is `exc` a full disk or quota? The first one is kept (and logged once, no traceback)."""
        if not is_disk_full(exc):
            return False
        if self.disk_full is None:
            self.disk_full = DiskFull(_describe(exc), str(self.settings.archive_dir))
            log.warning("disk full", extra={"archive": str(self.settings.archive_dir), "error": _describe(exc)})
        return True

    # -- discover ----------------------------------------------------------------
    def discover_links(self, source_id: str) -> list[Link]:
        """Network half of a poll (thread-safe): the source's links, or the discovery error raised."""
        from worker.discovery.links import discover

        return discover(self.source(source_id), self.fetcher, self.discovery_state(source_id))

    def discovery_state(self, source_id: str) -> dict[str, Any]:
        """Validators, seen links and the adaptive interval of a source (in Redis for the daemon)."""
        if self._redis is not None:
            from worker.discovery import polling

            return polling.load_state(self._redis, self._state_key(source_id))
        return self._discovery_state.setdefault(source_id, {})

    def _state_key(self, source_id: str) -> str:
        return f"{self.settings.queue_prefix}bayegan:discovery:{source_id}"

    def poll_due(self, source_id: str) -> bool:
        """Adaptive polling (worker.discovery.polling): beat ticks at min_poll, a poll runs when the source is due."""
        from worker.discovery import polling

        return polling.is_due(self.discovery_state(source_id))

    def poll_source(self, source_id: str, *, full: bool = False) -> PollOutcome:
        """Discover a source's links and claim the new ones. A broken feed is recorded, never raised;
        a transient failure (every endpoint down, Redis away) is recorded and raised for a retry.

        Polls are conditional (ETag, Last-Modified, body hash), so an unchanged feed offers no links.
        Once per `claim_ttl` (or when `full`) a poll drops the validators and reads everything again:
        a link whose message was lost in flight (a worker killed between Redis handing it over and
        recording it as unacknowledged) is offered again once its claim expired, and since it is not
        in the archive it is fetched. Nothing depends on the broker never losing a message.
        """
        from worker.discovery import polling
        from worker.discovery.links import discover

        state = self.discovery_state(source_id)
        now = time.time()
        if full or now - float(state.get("last_full", 0.0)) >= self.settings.claim_ttl:
            state.pop("validators", None)
            state["last_full"] = now
        try:
            links: list[Link] | BaseException = discover(self.source(source_id), self.fetcher, state)
        except Exception as exc:
            links = exc
        if self._redis is not None:
            polling.save_state(self._redis, self._state_key(source_id), state)
        outcome = self.accept_poll(source_id, links)
        if isinstance(links, BaseException) and is_transient(links):
            raise TransientError(f"{source_id}: discovery: {links}") from links
        return outcome

    def accept_poll(self, source_id: str, links: list[Link] | BaseException) -> PollOutcome:
        """Archive half of a poll: claim the new links, or record the discovery failure."""
        from worker import metrics

        source = self.source(source_id)
        if isinstance(links, BaseException):
            self.record_error(source_id, source.home, ErrorKind.DISCOVERY, _describe(links))
            self._record_poll(source_id, False)
            metrics.POLLS.labels(source_id, "false").inc()
            return PollOutcome(source_id, False, error=_describe(links))
        todo = self.process_links(source, links)
        self._record_poll(source_id, True)
        metrics.POLLS.labels(source_id, "true").inc()
        log.info("polled", extra={"source": source_id, "discovered": len(links), "new": len(todo)})
        return PollOutcome(source_id, True, discovered=len(links), links=todo)

    def _record_poll(self, source_id: str, ok: bool) -> None:
        try:
            self.archive.record_poll(source_id, ok)
        except Exception as exc:
            if not self.note_disk_full(exc):
                log.exception("cannot record poll", extra={"source": source_id})

    def process_links(self, source: Source, links: list[Link]) -> list[Link]:
        """Canonicalize, drop what the archive knows or another poll claimed; return links to fetch.

        Used by polls and by backfill; keyed by the canonical URL so repeats are free.
        """
        todo, seen = [], set()
        for link in links:
            canonical = link.canonical_url or canonicalize(link.url, source.id)
            if canonical in seen:
                continue
            seen.add(canonical)
            if self.archive.is_known(canonical):
                continue
            if not self.claims.claim(canonical):
                continue
            if link.canonical_url != canonical:
                link = replace(link, canonical_url=canonical)
            todo.append(link)
        return todo

    # -- fetch + archive -----------------------------------------------------------
    def download(self, url: str, source_id: str) -> FetchResult:
        """Network half of the fetch stage (thread-safe, no archive access): a FetchResult or the error."""
        from worker import metrics

        started = time.perf_counter()
        result = self.fetcher.fetch(url, self.source(source_id))
        metrics.FETCH_SECONDS.labels(source_id).observe(time.perf_counter() - started)
        return result

    def accept_download(self, url: str, source_id: str, canonical: str,
                        result: FetchResult | BaseException) -> FetchedPage | None:
        """Archive half: write the capture of a good page; record (and archive) a failed one."""
        if isinstance(result, BaseException):
            if is_transient(result):
                raise TransientError(f"{url}: {result}") from result
            self.record_error(source_id, url, ErrorKind.FETCH, _describe(result))
            exchange = result.exchange if isinstance(result, HTTPStatusError) else None   # evidence too
            if exchange is not None:
                self._write_capture_of(exchange, source_id, canonical, url)
            return None
        if result.not_modified:
            return None
        if result.status >= 400:
            self.record_error(source_id, url, ErrorKind.FETCH, f"HTTP {result.status}")
            self._write_capture_of(result.exchange, source_id, canonical, url)  # the error page is evidence too
            return None
        return self.archive_page(result, source_id, canonical, url)

    def archive_page(self, result: FetchResult, source_id: str, canonical: str, url: str) -> FetchedPage:
        capture = self._write_capture_of(result.exchange, source_id, canonical, url)
        return FetchedPage(
            url=result.final_url or url, requested_url=url, canonical_url=canonical,
            source_id=source_id, content=result.content, content_type=result.content_type,
            fetched_at=result.exchange.fetched_at or utc_now_iso(),
            warc=capture.warc if capture else None, offset=capture.offset if capture else None,
            revisit=bool(capture and capture.revisit), record_id=capture.record_id if capture else None)

    def _write_capture_of(self, exchange: Exchange, source_id: str, canonical: str, url: str) -> WarcCapture | None:
        metadata = {"source": source_id, "canonical_url": canonical, "article_id": article_id(canonical),
                    "requested_url": url, "kind": "article", "parser_version": PARSER_VERSION}
        try:
            if exchange.capture is not None:   # archived by the fetcher's exchange sink
                return self.archive.attach_metadata(exchange, metadata)
            return self.archive.write_capture(exchange, metadata)
        except Exception as exc:
            if is_transient(exc):
                raise
            self.record_error(source_id, url, ErrorKind.ARCHIVE, _describe(exc))
            return None

    def fetch_and_archive(self, url: str, source_id: str, canonical_url: str | None = None, *,
                          refetch: bool = False) -> FetchedPage | None:
        """The fetch stage: skip a known article (unless `refetch`), fetch politely, write the WARC capture.

        None: known already, not modified, or failed (recorded). Transient failures raise TransientError.
        """
        canonical = canonical_url or canonicalize(url, source_id)
        if not refetch and self.archive.is_known(canonical):
            return None
        try:
            result: FetchResult | BaseException = self.download(url, source_id)
        except Exception as exc:
            result = exc
        return self.accept_download(url, source_id, canonical, result)

    # -- parse + store ---------------------------------------------------------------
    def parse_capture(self, page: FetchedPage) -> Article | None:
        """Parse one archived page. A page the parser rejects or crashes on is recorded and skipped."""
        if not page.content and page.warc is not None and page.offset is not None:
            try:
                page.content = read_response_body(Path(self.settings.archive_dir), page.warc, page.offset)
            except OSError as exc:   # e.g. a shared volume not yet visible here: worth a retry
                raise TransientError(f"{page.warc}@{page.offset}: cannot read capture: {exc}") from exc
            except (ValueError, StopIteration) as exc:
                self.record_error(page.source_id, page.url, ErrorKind.ARCHIVE, f"cannot read capture: {_describe(exc)}")
                return None
        return self.accept_parsed(page, parse_outcome(page, self.profile_hint(page.source_id)))

    def accept_parsed(self, page: FetchedPage, outcome: Article | ParseFailure) -> Article | None:
        """Record a parse failure, or return the article (re-ingest parses in a process pool)."""
        if isinstance(outcome, ParseFailure):
            self.record_error(page.source_id, page.url, outcome.kind, outcome.message)
            return None
        self._annotate_capture(page, outcome)
        return outcome

    def _annotate_capture(self, page: FetchedPage, article: Article) -> None:
        """A WARC metadata record tying the capture to what the parser made of it (id, profile, version)."""
        if page.warc is None or page.offset is None or not page.record_id:
            return
        capture = WarcCapture(page.warc, page.offset, page.record_id, "", page.revisit)
        try:
            self.archive.annotate_capture(capture, page.url, {
                "article_id": article.id, "canonical_url": article.canonical_url, "source": page.source_id,
                "parser_profile": article.parser.profile, "parser_version": article.parser.version,
                "content_hash": article.content_hash})
        except Exception as exc:  # the article itself is still stored; the capture keeps its first metadata
            if is_transient(exc):
                raise
            self.record_error(page.source_id, page.url, ErrorKind.ARCHIVE, _describe(exc))

    def store_article(self, article: Article) -> StoreResult:
        from worker import metrics

        result = self.archive.store(article)
        metrics.ARTICLES.labels(article.source or "-", result.status).inc()
        log.info("stored", extra={"source": article.source, "url": article.canonical_url,
                                  "status": result.status, "article_id": result.article_id})
        return result

    def store_many(self, articles: list[Article]) -> list[StoreResult]:
        """Store a batch in one index transaction (re-ingest's bulk path); per-article on failure."""
        from worker import metrics

        try:
            results = self.archive.store_many(articles)
        except Exception:
            return [self.store_article(a) for a in articles]  # isolates the one article that fails
        for article, result in zip(articles, results, strict=False):
            metrics.ARTICLES.labels(article.source or "-", result.status).inc()
        return results

    def ingest_link(self, url: str, source_id: str, canonical_url: str | None = None) -> PageStatus:
        """All stages for one link in this process; returns the outcome for summaries."""
        page = self.fetch_and_archive(url, source_id, canonical_url)
        return self.finish_page(page) if page else PageStatus.SKIPPED

    def ingest_refetch(self, url: str, source_id: str, canonical_url: str) -> PageStatus:
        """`reingest --refetch`: fetch a known article again (conditional), archive and store it."""
        page = self.fetch_and_archive(url, source_id, canonical_url, refetch=True)
        return self.finish_page(page) if page else PageStatus.SKIPPED

    def finish_page(self, page: FetchedPage) -> PageStatus:
        article = self.parse_capture(page)
        if article is None:
            return PageStatus.ERROR
        try:
            return PageStatus(self.store_article(article).status)
        except Exception as exc:
            if is_transient(exc):
                raise
            self.record_error(page.source_id, page.url, ErrorKind.STORE, _describe(exc))
            return PageStatus.ERROR
