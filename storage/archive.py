"""Archive: the one object the pipeline talks to (WARC captures, records on disk, the index).

Dedup (storage.dedup) happens inside one index write transaction holding the index-wide
writer lock, so two processes storing the same article at the same moment produce exactly
one record: the second sees the first one's committed row. The record line is appended and
fsynced before the index commits the pointer to it.
"""
from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parsers.article import Article, article_id
from storage import changes as ch
from storage import dedup, minhash
from storage.capture import Exchange
from storage.changes import Change, CheckOutcome, RecheckState
from storage.crashpoint import crash_point
from storage.dedup import Prepared, StoreResult
from storage.errors import IndexError_, StorageError
from storage.index import SqlIndex
from storage.records import LineAppender, Skipped, iso_utc, read_line, utc_now
from storage.warc import Capture, WarcFileWriter, warc_date

if TYPE_CHECKING:
    from storage.rebuild import RebuildReport


@dataclass(slots=True)
class Version:
    version: int
    stored_at: str
    content_hash: str
    article: Article


def _db_errors() -> tuple[type[BaseException], ...]:
    errs: list[type[BaseException]] = [sqlite3.Error]
    try:
        import psycopg
        errs.append(psycopg.Error)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errs)


def _locked(method):
    """One thread at a time per Archive: the index connection and the appenders are per process."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper


class Archive:
    def __init__(self, root: Path, index: SqlIndex, *, worker_name: str, warc_max_bytes: int,
                 near_dup_threshold: float, num_perm: int = minhash.DEFAULT_NUM_PERM) -> None:
        self.root = Path(root)
        self.index = index
        self.worker_name = worker_name
        self.threshold = near_dup_threshold
        self.skipped: list[Skipped] = []          # bad input met by readers, reported to callers
        self._lock = threading.RLock()
        self._records = LineAppender(self.root, "records", worker_name)
        self._events = LineAppender(self.root, "events", worker_name)
        self._warc = WarcFileWriter(self.root, worker_name, warc_max_bytes)
        self._db_errors = _db_errors()
        if not index.read_only:
            with self.index.write():                  # LSH layout is fixed when the index is created
                self.index.set_meta({"num_perm": str(num_perm), "threshold": str(near_dup_threshold),
                                     "shingle_k": str(dedup.SHINGLE_K)})
        meta = self.index.meta()
        self.lsh = minhash.LshParams.for_threshold(float(meta["threshold"]), int(meta["num_perm"]))

    # -- captures ---------------------------------------------------------------------
    @_locked
    def write_capture(self, exchange: Exchange, metadata: dict[str, Any] | None) -> Capture:
        previous = self.index.last_capture(exchange.url)
        prev = previous and {"payload_digest": previous["payload_digest"], "uri": previous["url"],
                             "date": previous["warc_date"], "record_id": previous["record_id"]}
        crash_point()
        cap = self._warc.write(exchange, None if metadata is None else {"worker": self.worker_name, **metadata},
                               prev)
        crash_point()
        if not cap.revisit:
            with self.guard(), self.index.write():
                self.index.put_capture(exchange.url, cap.payload_digest, cap.record_id,
                                       exchange.fetched_at or iso_utc(utc_now()), cap.warc, cap.offset)
        return cap

    @_locked
    def write_exchange(self, exchange: Exchange) -> Capture:
        """Archive one exchange that is not an article page (robots.txt, feed, sitemap, listing,
        redirect hop, error answer): request + response, or the revisit alone when unchanged
        (storage.warc); no metadata record."""
        return self.write_capture(exchange, None)

    @_locked
    def attach_metadata(self, exchange: Exchange, metadata: dict[str, Any]) -> Capture | None:
        """The article-level metadata record of a page the exchange sink already archived (written
        as its capture's own metadata, so re-ingest finds it like one written with the response)."""
        cap = exchange.capture
        if not isinstance(cap, Capture):
            return None
        meta = {"worker": self.worker_name, **metadata}
        if exchange.requested_url and exchange.requested_url != exchange.url:
            meta.setdefault("requested_url", exchange.requested_url)
        self._warc.annotate(cap, exchange.url, meta, date=warc_date(exchange.fetched_at), concurrent=True)
        crash_point()
        return cap

    @_locked
    def annotate_capture(self, capture: Capture, uri: str, metadata: dict[str, Any]) -> None:
        """Append a metadata record about an earlier capture (e.g. the parse result)."""
        self._warc.annotate(capture, uri, metadata)

    def iter_captures(self, source: str | None = None, since: date | datetime | None = None
                      ) -> Iterator[tuple[Exchange, dict[str, Any]]]:
        from storage.replay import iter_captures
        if isinstance(since, date) and not isinstance(since, datetime):
            since = datetime(since.year, since.month, since.day, tzinfo=UTC)
        yield from iter_captures(self.root, source, since, self.skipped)

    # -- articles -----------------------------------------------------------------------
    @_locked
    def is_known(self, canonical_url: str) -> bool:
        return self.index.is_known(canonical_url)

    def prepare(self, article: Article, *, full: bool = True) -> Prepared:
        """The CPU part of storing (folding, MinHash), done outside the writer lock."""
        return dedup.prepare(article, self.lsh, full=full)

    def _stored_unchanged(self, article: Article) -> bool:
        """Read-only pre-check (no writer lock): does the index hold this id with this content?
        Only decides how much to prepare; the dedup decision is made again under the lock."""
        ch = dedup.article_hash(article)
        try:
            row = self.index.one("SELECT content_hash FROM articles WHERE id = ?",
                                 (article.id or article_id(article.canonical_url),))
        except self._db_errors:
            return False
        return row is not None and row["content_hash"] == ch

    def store(self, article: Article) -> StoreResult:
        return self.store_many([article])[0]

    @_locked
    def store_many(self, articles: Iterable[Article]) -> list[StoreResult]:
        """Store a batch in ONE transaction (the bulk path of re-ingest and benchmarks)."""
        prepared = [self.prepare(a, full=not self._stored_unchanged(a)) for a in articles]
        self._records.begin()
        try:
            with self.guard(), self.index.write():
                results = [self.apply(p) for p in prepared]
                self._records.sync()
        except BaseException:
            self._records.rollback()      # lines of a rolled-back batch never stay on disk
            raise
        crash_point()                     # committed
        return results

    def apply(self, p: Prepared, replay: tuple[str, int, str] | None = None) -> StoreResult:
        """Dedup one prepared article (inside `guard()` and an index write); `replay` = (record file,
        offset, stored_at) of a line already on disk (index rebuild) instead of writing a new one."""
        stored_at = replay[2] if replay else iso_utc(utc_now())

        def write_record(kind: str, version: int, alias_of: str | None) -> tuple[str, int]:
            return replay[:2] if replay else self._record(kind, p, version, stored_at, alias_of)

        return dedup.apply(self.index, p, lsh=self.lsh, threshold=self.threshold, stored_at=stored_at,
                           write_record=write_record)

    def _record(self, kind: str, p: Prepared, version: int, stored_at: str, alias_of: str | None = None
                ) -> tuple[str, int]:
        line = {"kind": kind, "version": version, "stored_at": stored_at, "article_id": p.id,
                "alias_of": alias_of, "worker": self.worker_name, "article": p.article.to_dict()}
        def same(tail: dict[str, Any]) -> bool:   # the crash case: written, never indexed
            return all(tail.get(k) == line[k] for k in ("kind", "version", "article_id", "alias_of", "article"))
        when = datetime.fromisoformat(stored_at.replace("Z", "+00:00"))
        return self._records.append_unless_tail(line, when, same)

    # -- errors and polls ----------------------------------------------------------------
    @_locked
    def record_error(self, source: str | None, url: str | None, kind: str, message: str) -> None:
        at = iso_utc(utc_now())
        with self.guard(), self.index.write():
            self._events.append({"event": "error", "at": at, "source": source, "url": url, "kind": kind,
                                 "message": message})
            self._events.sync()
            self.index.add_error(source, url, kind, message, at)

    @_locked
    def record_poll(self, source: str, ok: bool) -> None:
        at = iso_utc(utc_now())
        with self.guard(), self.index.write():
            self._events.append({"event": "poll", "at": at, "source": source, "ok": bool(ok)})
            self._events.sync()
            self.index.add_poll(source, ok, at)

    # -- re-checks, edits, removals (storage.changes) ------------------------------------
    @_locked
    def record_recheck(self, state: RecheckState, outcome: CheckOutcome, next_due: str | None,
                       changes: Sequence[Change] = ()) -> None:
        """One re-check: its change lines (if any) and the new re-check state, events first."""
        at = iso_utc(utc_now())
        lines = [ch.change_event(c) for c in changes] + [ch.recheck_event(state, at, outcome, next_due)]
        with self.guard(), self.index.write():
            for line in lines:
                self._events.append(line)
            self._events.sync()
            for line in lines:
                ch.apply_event(self.index, line)

    @_locked
    def changes(self, *, source: str | None = None, since: date | datetime | str | None = None,
                until: date | datetime | str | None = None, kind: str | None = None) -> list[Change]:
        """Edits, removals and restorations in time order (the library API of `bayegan changes`)."""
        return ch.list_changes(self.index, source=source, since=ch.time_bound(since),
                               until=ch.time_bound(until, end=True), kind=kind)

    @_locked
    def article_changes(self, id_or_url: str) -> list[Change]:
        row = self._row(id_or_url)
        return ch.list_changes(self.index, article_id=row["id"]) if row else []

    @_locked
    def recheck_state(self, id_or_url: str) -> RecheckState | None:
        row = self._row(id_or_url)
        return ch.recheck_state(self.index, row) if row else None

    @_locked
    def recheck_candidates(self, source: str, *, now: str, first_due_before: str, limit: int,
                           every: bool = False) -> list[RecheckState]:
        """Re-check states of `source`'s articles due at `now` (or all of them with `every`)."""
        rows = (ch.all_articles(self.index, source) if every
                else ch.due(self.index, source, now, first_due_before, limit))
        return [ch.recheck_state(self.index, r) for r in rows]

    @_locked
    def change_counts(self) -> dict[str, dict[str, int]]:
        return ch.counts(self.index)

    # -- reading --------------------------------------------------------------------------
    def _row(self, id_or_url: str) -> dict[str, Any] | None:
        row = self.index.article(id_or_url)
        if row is None and "://" in id_or_url:
            row = self.index.article_by_url(id_or_url) or self.index.article(article_id(id_or_url))
        return row

    @_locked
    def get(self, id_or_url: str) -> Article | None:
        row = self._row(id_or_url)
        if row is None:
            return None
        return Article.from_dict(read_line(self.root, row["record_file"], row["record_offset"])["article"])

    @_locked
    def describe(self, id_or_url: str) -> dict[str, Any] | None:
        """The latest article plus what the index knows about it (aliases, cluster, versions)."""
        row = self._row(id_or_url)
        if row is None:
            return None
        article = Article.from_dict(read_line(self.root, row["record_file"], row["record_offset"])["article"])
        cluster = self.index.cluster_of(row["cluster_id"], row["id"])
        members = self.index.cluster_members(row["cluster_id"])
        return {"article": article, "versions": row["versions"], "aliases": self.index.aliases_of(row["id"]),
                "cluster": {"id": row["cluster_id"], "head": cluster["head_id"], "size": cluster["size"],
                            "members": [m["id"] for m in members if m["id"] != row["id"]]},
                "first_stored": row["first_stored"], "last_stored": row["last_stored"]}

    @_locked
    def versions(self, article_id_: str) -> list[Version]:
        row = self._row(article_id_)
        if row is None:
            return []
        out = []
        for v in self.index.versions(row["id"]):
            line = read_line(self.root, v["record_file"], v["record_offset"])
            out.append(Version(v["version"], v["stored_at"], v["content_hash"], Article.from_dict(line["article"])))
        return out

    @_locked
    def search(self, query: str, *, source: str | None = None, since: date | str | None = None,
               until: date | str | None = None, limit: int = 20, offset: int = 0,
               marks: tuple[str, str] = ("«", "»")) -> list[dict[str, Any]]:
        from storage import query as q
        from storage.snippets import highlight, snippet
        from storage.spelling import expand
        groups = expand(q.parse(query))       # every spelling of a compound: storage.spelling
        hits = self.index.search(groups, source=source, since=_day(since), until=_day(until),
                                 limit=max(1, int(limit)), offset=max(0, int(offset)), marks=marks)
        for h in hits:                  # snippets over the stored text, as published
            h["title_hl"], h["snippet"] = h["title"], None
            try:
                art = read_line(self.root, h.pop("record_file"), h.pop("record_offset"))["article"]
            except (OSError, ValueError, KeyError, StorageError):
                continue                # e.g. a record on another machine's disk: no snippet
            h["title_hl"] = highlight(art.get("title") or "", groups, marks) or h["title"]
            for text in (art.get("text"), art.get("lead")):
                if snip := snippet(text or "", groups, marks):
                    h["snippet"] = snip
                    break
        return hits

    def export(self, fmt: str, out: Any) -> int:
        from storage.export import export
        return export(self, fmt, out)

    def iter_articles(self) -> Iterator[Article]:
        for article, _versions in self.iter_latest():
            yield article

    def iter_latest(self) -> Iterator[tuple[Article, int]]:
        """Every article's latest version and how many versions the index has seen of it."""
        for row in self.index.iter_articles():
            article = Article.from_dict(read_line(self.root, row["record_file"], row["record_offset"])["article"])
            yield article, int(row["versions"] or 1)

    @_locked
    def errors(self, *, source: str | None = None, since: date | str | None = None, kind: str | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
        """What failed (source, url, kind, message, at), newest first."""
        return self.index.errors(source=source, since=_day(since), kind=kind, limit=limit)

    @_locked
    def stats(self) -> list[dict[str, Any]]:
        return self.index.stats()

    @_locked
    def adopt_orphans(self) -> int:
        """Index the record lines killed writers fsynced but never committed (storage.orphans)."""
        from storage.orphans import adopt_orphans
        return adopt_orphans(self)

    @_locked
    def rebuild_index(self, batch: int = 2000) -> RebuildReport:
        from storage.rebuild import rebuild
        return rebuild(self, batch)

    # -- plumbing ------------------------------------------------------------------------
    def guard(self) -> _Guard:
        """Driver errors inside become IndexError_ (retryable StorageError)."""
        return _Guard(self._db_errors)

    def close(self) -> None:
        try:
            self._records.close()
            self._events.close()
        finally:
            self.index.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _day(value: date | str | None) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


class _Guard:
    """Turns driver errors into IndexError_ (a StorageError the caller can retry on)."""

    def __init__(self, kinds: tuple[type[BaseException], ...]) -> None:
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, et: type | None, exc: BaseException | None, tb: object) -> None:
        if exc is not None and not isinstance(exc, StorageError) and isinstance(exc, self.kinds):
            raise IndexError_(f"index error: {exc}") from exc
