"""Re-checks: every stored article is fetched again at growing intervals after its first capture
(default 1h, 6h, 1d, 3d, 7d, 30d; per source `recheck = [...]` in the registry), then no more.

Plain functions over a `Pipeline` (no broker): `bayegan recheck` and the Celery task
`worker.tasks.recheck` both call `run_source`. A re-check goes through the pipeline's polite
fetcher (allow-list, robots, per-host interval, host health) with the validators of the previous
re-check (conditional GET); the capture goes to WARC like any fetch (an unchanged payload becomes
a revisit record), error answers included: they are the evidence of a removal.

Outcomes (storage.changes.CheckOutcome): same content -> nothing stored, the state moves on;
a changed title or text -> a new version and an `edited` change with a word diff; 404/410, a
redirect to the home or a section page, or a page the parser refuses as not an article ->
`removed` (reported once); a removed article answering with the article again -> `restored`.
5xx, timeouts, refused connections, 429, robots and a host marked down never remove anything:
the article is retried later (`RETRY`), its schedule step unchanged.

Budget: re-checks of a source may use at most `recheck_share` (default 30%) of its request
budget, which is one request per politeness interval. A token bucket per source refills at
share / interval tokens a second (capacity: one beat period's worth, at least one); each
re-check takes one token. The daemon's bucket lives in Redis so every worker draws from the
same one; the CLI waits for tokens, the daemon leaves the rest for the next beat tick.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from parsers import Article
from storage.changes import Change, ChangeKind, CheckOutcome, RecheckState, article_diff
from storage.dedup import Status
from storage.records import iso_utc, utc_now
from worker.errors import describe, is_transient
from worker.http import errors as E
from worker.pipeline.outcomes import ErrorKind, ParseFailure
from worker.pipeline.pages import parse_outcome

if TYPE_CHECKING:
    from worker.pipeline.stages import Pipeline
    from worker.sources import Source

log = logging.getLogger("bayegan.recheck")

DEFAULT_SCHEDULE = "1h,6h,1d,3d,7d,30d"
MAX_RETRY_DELAY = timedelta(minutes=10)
REMOVAL_STATUSES = frozenset({404, 410})
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_schedule(spec: str | tuple[str, ...] | list[str]) -> tuple[timedelta, ...]:
    """`"1h,6h,1d"` or `["1h", "6h"]` -> increasing offsets after the first capture."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out = []
    for item in items:
        m = _DURATION.match(item)
        if not m:
            raise ValueError(f"bad re-check interval {item!r} (use e.g. 30s, 10m, 6h, 1d, 2w)")
        out.append(timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)]))
    if not out or any(b <= a for a, b in itertools.pairwise(out)):
        raise ValueError(f"re-check schedule {spec!r} must be non-empty and increasing")
    return tuple(out)


def schedule_for(pipeline: Pipeline, source_id: str) -> tuple[timedelta, ...]:
    source = pipeline.source(source_id)
    if source.recheck:
        try:
            return parse_schedule(source.recheck)
        except ValueError as exc:
            raise ValueError(f"source {source_id!r}: key 'recheck': {exc}") from None
    try:
        return parse_schedule(pipeline.settings.recheck_schedule)
    except ValueError as exc:
        raise ValueError(f"BAYEGAN_RECHECK_SCHEDULE: {exc}") from None


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def next_step(first_stored: str, schedule: tuple[timedelta, ...], now: datetime) -> tuple[int, str | None]:
    """Steps passed at `now` and when the next one is due (None: schedule exhausted). Steps missed
    while a host was down collapse into one re-check."""
    age = now - _ts(first_stored)
    steps = sum(1 for offset in schedule if offset <= age)
    return steps, iso_utc(_ts(first_stored) + schedule[steps]) if steps < len(schedule) else None


# -- budget ------------------------------------------------------------------------------
@dataclass(slots=True)
class TokenBucket:
    rate: float                      # tokens a second; 0: unlimited
    capacity: float
    tokens: float = 0.0
    at: float = field(default_factory=time.time)

    def take(self, want: int, now: float | None = None) -> int:
        if self.rate <= 0:
            return want
        now = time.time() if now is None else now
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        granted = min(want, int(self.tokens))
        self.tokens -= granted
        return granted

    def wait_seconds(self) -> float:
        return 0.0 if self.rate <= 0 else max(0.0, (1 - self.tokens) / self.rate)


def budget_for(pipeline: Pipeline, source_id: str, period: float) -> TokenBucket:
    settings = pipeline.settings
    interval = pipeline.source(source_id).politeness_interval
    interval = settings.politeness_interval if interval is None else interval
    if not settings.politeness or interval <= 0:
        return TokenBucket(0.0, 0.0)
    rate = settings.recheck_share / interval
    bucket = TokenBucket(rate, max(1.0, rate * period), tokens=max(1.0, rate * period))
    saved = _load_bucket(pipeline, source_id)
    if saved:
        bucket.tokens, bucket.at = float(saved["tokens"]), float(saved["at"])
    return bucket


def _bucket_key(pipeline: Pipeline, source_id: str) -> str:
    return f"{pipeline.settings.queue_prefix}bayegan:recheck-budget:{source_id}"


def _load_bucket(pipeline: Pipeline, source_id: str) -> dict[str, float] | None:
    if pipeline._redis is None:
        return None
    raw = pipeline._redis.get(_bucket_key(pipeline, source_id))
    return json.loads(raw) if raw else None


def save_bucket(pipeline: Pipeline, source_id: str, bucket: TokenBucket) -> None:
    if pipeline._redis is not None and bucket.rate > 0:
        pipeline._redis.set(_bucket_key(pipeline, source_id), json.dumps({"tokens": bucket.tokens, "at": bucket.at}),
                            ex=86400)


# -- one re-check -----------------------------------------------------------------------
@dataclass(slots=True)
class Found:
    """What the fetch and parse of a re-check found, before the archive is told."""
    outcome: CheckOutcome
    article: Article | None = None
    http_status: int | None = None
    final_url: str | None = None
    retry_at: float | None = None
    etag: str | None = None
    last_modified: str | None = None
    host_waits: bool = False         # host marked down or rate limited: the source's other re-checks wait


def _is_removal_redirect(source: Source, url: str, final_url: str) -> bool:
    """Redirected away from the article to the home or a section page (not another article)."""
    if final_url == url:
        return False
    path = urlsplit(final_url).path or "/"
    home = urlsplit(source.home).path or "/"
    return path.rstrip("/") == home.rstrip("/") or not source.is_article_url(final_url)


def fetch_and_judge(pipeline: Pipeline, state: RecheckState, canonical: str) -> Found:
    """Fetch the article again and decide what the answer means (writes the WARC evidence)."""
    source_id = state.source or ""
    source = pipeline.source(source_id)
    try:
        result = pipeline.fetcher.fetch(state.url, source, etag=state.etag, last_modified=state.last_modified)
    except E.HostDown as exc:
        return Found(CheckOutcome.RETRY, retry_at=exc.retry_at, host_waits=True)
    except E.HTTPStatusError as exc:
        if exc.exchange is not None:
            pipeline._write_capture_of(exc.exchange, source_id, canonical, state.url)
        if exc.status in REMOVAL_STATUSES:
            return Found(CheckOutcome.REMOVED, http_status=exc.status, final_url=exc.url)
        return Found(CheckOutcome.RETRY, http_status=exc.status, retry_at=exc.retry_at,
                     host_waits=isinstance(exc, E.RateLimited))
    except Exception as exc:
        if not is_transient(exc) and not isinstance(exc, E.FetchError):
            raise
        return Found(CheckOutcome.RETRY, retry_at=getattr(exc, "retry_at", None))
    if result.not_modified:
        return Found(CheckOutcome.SAME, http_status=304, etag=state.etag, last_modified=state.last_modified)
    for hop in result.history:
        pipeline._write_capture_of(hop, source_id, canonical, state.url)
    first_status = result.history[0].status if result.history else result.status
    if result.history and _is_removal_redirect(source, state.url, result.final_url):
        pipeline._write_capture_of(result.exchange, source_id, canonical, state.url)
        return Found(CheckOutcome.REMOVED, http_status=first_status, final_url=result.final_url)
    page = pipeline.archive_page(result, source_id, canonical, state.url)
    outcome = parse_outcome(page)
    if isinstance(outcome, ParseFailure):
        if outcome.kind is ErrorKind.NOT_ARTICLE:
            return Found(CheckOutcome.REMOVED, http_status=result.status, final_url=result.final_url)
        pipeline.record_error(source_id, state.url, outcome.kind, outcome.message)
        return Found(CheckOutcome.RETRY, http_status=result.status)
    return Found(CheckOutcome.SAME, article=outcome, http_status=result.status, final_url=result.final_url,
                 etag=result.etag, last_modified=result.last_modified)


def settle(pipeline: Pipeline, state: RecheckState, found: Found, schedule: tuple[timedelta, ...],
           now: datetime) -> CheckOutcome:
    """Store what a re-check found: version, change lines and the next due time."""
    from worker import metrics

    archive = pipeline.archive
    changes: list[Change] = []
    at = iso_utc(now)
    outcome = found.outcome
    base = Change(ChangeKind.EDITED, state.article_id, state.url, state.source, at)
    if outcome is CheckOutcome.RETRY:
        delay = min(schedule[0], MAX_RETRY_DELAY).total_seconds()
        retry_at = max(found.retry_at or 0.0, now.timestamp() + delay)
        archive.record_recheck(state, outcome, iso_utc(datetime.fromtimestamp(retry_at, UTC)))
        return outcome
    if outcome is CheckOutcome.REMOVED:
        if state.removed:
            outcome = CheckOutcome.GONE          # reported once, when it went
        else:
            changes.append(dataclasses.replace(base, kind=ChangeKind.REMOVED, http_status=found.http_status,
                                               final_url=found.final_url))
        state.removed = True
        state.etag = state.last_modified = None
    else:
        edited = _store_if_changed(pipeline, state, found.article, base)
        if state.removed:
            changes.append(dataclasses.replace(base, kind=ChangeKind.RESTORED, http_status=found.http_status,
                                               version=edited.version if edited else None))
            outcome = CheckOutcome.RESTORED
        elif edited:
            outcome = CheckOutcome.EDITED
        if edited:
            changes.append(edited)
        state.removed = False
        state.etag, state.last_modified = found.etag, found.last_modified
    state.checks, next_due = next_step(state.first_stored, schedule, now)
    archive.record_recheck(state, outcome, next_due, changes)
    for c in changes:
        metrics.CHANGES.labels(state.source or "-", str(c.kind)).inc()
    return outcome


def _store_if_changed(pipeline: Pipeline, state: RecheckState, article: Article | None,
                      base: Change) -> Change | None:
    if article is None:                      # 304: the same bytes as last time
        return None
    result = pipeline.store_article(article)
    if result.status != Status.VERSION:
        return None
    versions = pipeline.archive.versions(state.article_id)
    old = versions[-2].article.to_dict() if len(versions) >= 2 else {}
    return dataclasses.replace(base, version=result.version, diff=article_diff(old, article.to_dict()))


def recheck_one(pipeline: Pipeline, state: RecheckState, canonical: str, schedule: tuple[timedelta, ...],
                now: Callable[[], datetime] = utc_now) -> Found:
    """Re-check one article; the Found carries the final outcome (after `settle`)."""
    try:
        found = fetch_and_judge(pipeline, state, canonical)
    except Exception as exc:                 # one broken page never stops the others
        if is_transient(exc):
            found = Found(CheckOutcome.RETRY)
        else:
            pipeline.record_error(state.source, state.url, ErrorKind.RECHECK, describe(exc))
            found = Found(CheckOutcome.RETRY)
    found.outcome = settle(pipeline, state, found, schedule, now())
    log.info("rechecked", extra={"source": state.source, "url": state.url, "outcome": str(found.outcome)})
    return found


# -- a run over a source -----------------------------------------------------------------
@dataclass(slots=True)
class RecheckSummary:
    source: str
    due: int = 0
    checked: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    deferred: int = 0                        # due, left for later (budget or host down)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "due": self.due, "checked": self.checked,
                "deferred": self.deferred, **{str(o): self.outcomes.get(str(o), 0) for o in CheckOutcome}}


def run_source(pipeline: Pipeline, source_id: str, *, every: bool = False, wait: bool = True,
               limit: int | None = None, period: float = 60.0) -> RecheckSummary:
    """Re-check `source_id`'s due articles (or all of them with `every`) within its budget.
    `wait`: sleep for tokens (CLI); otherwise stop when the bucket is empty (daemon tick)."""
    schedule = schedule_for(pipeline, source_id)
    now = utc_now()
    limit = limit or pipeline.settings.recheck_batch
    states = pipeline.archive.recheck_candidates(source_id, now=iso_utc(now),
                                                 first_due_before=iso_utc(now - schedule[0]),
                                                 limit=limit, every=every)
    summary = RecheckSummary(source_id, due=len(states))
    bucket = budget_for(pipeline, source_id, period)
    for i, state in enumerate(states):
        while not bucket.take(1):
            if not wait:
                summary.deferred = len(states) - i
                save_bucket(pipeline, source_id, bucket)
                return summary
            time.sleep(bucket.wait_seconds())
        row = pipeline.archive.index.article(state.article_id)
        found = recheck_one(pipeline, state, row["canonical_url"] if row else state.url, schedule)
        summary.checked += 1
        summary.outcomes[str(found.outcome)] = summary.outcomes.get(str(found.outcome), 0) + 1
        if found.host_waits:
            summary.deferred = len(states) - i - 1     # host down or rate limited: the rest wait too
            break
    save_bucket(pipeline, source_id, bucket)
    return summary
