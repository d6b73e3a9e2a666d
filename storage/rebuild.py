"""Rebuild the index from the records (and events) on disk: the disk is the source of truth.

Lines are replayed in the order they were stored (merged by `stored_at` across worker files
of one day directory; day directories in order), through the same dedup code as live
storing, so the rebuilt index gives the same answers. Memory stays bounded: one line per
open file of a day. Torn lines are skipped and reported.

An interrupted rebuild never leaves an empty index behind: SQLite builds the new index in a file
beside the old one and swaps it in with one rename; PostgreSQL rebuilds inside one transaction
(DDL is transactional there), so a killed rebuild rolls back to the old tables.
"""
from __future__ import annotations

import heapq
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parsers.article import Article
from storage import changes
from storage.capturestate import restore_captures
from storage.dedup import SHINGLE_K
from storage.errors import StorageError
from storage.records import Skipped, iter_file

if TYPE_CHECKING:
    from storage.archive import Archive
    from storage.index.sqlite import SqliteIndex


@dataclass
class RebuildReport:
    records: int = 0
    articles: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def _lines(root: Path, path: Path, report: list[Skipped]) -> Iterator[tuple[str, str, int, dict[str, Any]]]:
    for rel, offset, obj in iter_file(root, path, report):
        yield obj.get("stored_at") or obj.get("at") or "", rel, offset, obj


def _ordered(root: Path, subdir: str, report: list[Skipped]) -> Iterator[tuple[str, str, int, dict[str, Any]]]:
    base = root / subdir
    if not base.is_dir():
        return
    days = sorted({p.parent for p in base.rglob("*.jsonl")})
    for day in days:
        files = sorted(day.glob("*.jsonl"))
        yield from heapq.merge(*(_lines(root, f, report) for f in files), key=lambda t: (t[0], t[1], t[2]))


def rebuild(archive: Archive, batch: int) -> RebuildReport:
    from storage.index.sqlite import SqliteIndex

    if isinstance(archive.index, SqliteIndex):
        return _rebuild_beside(archive, archive.index, batch)
    with archive.guard(), archive.index.write():     # one transaction: all or nothing
        archive.index.reset()
        return _replay(archive, batch)


def _rebuild_beside(archive: Archive, old: SqliteIndex, batch: int) -> RebuildReport:
    """Build <index>.rebuild next to the old index, then rename it over the old one."""
    from storage.index.sqlite import SqliteIndex

    path = old.path
    fresh = path.with_name(path.name + ".rebuild")
    _remove_db(fresh)                       # a previous interrupted rebuild's leftovers
    new = SqliteIndex(fresh)
    archive.index = new
    try:
        report = _replay(archive, batch)
        new.checkpoint()
    except BaseException:
        archive.index = old
        new.close()
        _remove_db(fresh)
        raise
    new.close()
    old.close()
    if _sidecars(path):
        # another process still has the old index open: its WAL must not meet the new file
        archive.index = SqliteIndex(path)
        raise StorageError("the index is open in another process (stop the daemon, ingest or serve "
                           f"and run rebuild again); the rebuilt index is left at {fresh.name}", str(path))
    os.replace(fresh, path)
    archive.index = SqliteIndex(path)
    return report


def _sidecars(path: Path) -> list[Path]:
    return [q for q in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")) if q.exists()]


def _remove_db(path: Path) -> None:
    for q in (path, *_sidecars(path)):
        q.unlink(missing_ok=True)


def set_aside_if_damaged(path: Path) -> Path | None:
    """Rename a SQLite index that fails its integrity check (truncated, zeroed, not a database)
    to <name>.damaged-<UTC time>, so a rebuild can start from the records; returns the new name."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        ok = False
    if ok:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for q in (path, *_sidecars(path)):
        os.replace(q, target.with_name(target.name + q.name[len(path.name):]))
    return target


def _replay(archive: Archive, batch: int) -> RebuildReport:
    report = RebuildReport()
    idx = archive.index
    meta = {"num_perm": str(archive.lsh.num_perm), "threshold": str(archive.threshold), "shingle_k": str(SHINGLE_K)}
    with idx.write():
        idx.set_meta(meta)
    pending: list[tuple[str, str, int, dict[str, Any]]] = []

    def flush() -> None:
        prepared = [(archive.prepare(Article.from_dict(o["article"])), (rel, off, at)) for at, rel, off, o in pending]
        with archive.guard(), idx.write():
            for p, where in prepared:
                if archive.apply(p, replay=where).status == "new":
                    report.articles += 1
        pending.clear()

    for item in _ordered(archive.root, "records", report.skipped):
        if "article" not in item[3]:
            continue
        report.records += 1
        pending.append(item)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    with archive.guard(), idx.write():
        for at, _rel, _off, ev in _ordered(archive.root, "events", report.skipped):
            if ev.get("event") == "error":
                idx.add_error(ev.get("source"), ev.get("url"), ev.get("kind") or "error", ev.get("message") or "", at)
            elif ev.get("event") == "poll" and ev.get("source"):
                idx.add_poll(ev["source"], bool(ev.get("ok")), at)
            elif ev.get("event") in ("change", "recheck") and ev.get("article_id"):
                changes.apply_event(idx, ev)
    with archive.guard(), idx.write():     # revisit dedup state lives only in the WARC files
        restore_captures(archive.root, idx, report.skipped)
    archive.skipped.extend(report.skipped)
    return report
