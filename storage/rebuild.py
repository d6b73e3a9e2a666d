"""Rebuild the index from the records (and events) on disk: the disk is the source of truth.

Lines are replayed in the order they were stored (merged by `stored_at` across worker files
of one day directory; day directories in order), through the same dedup code as live
storing, so the rebuilt index gives the same answers. Memory stays bounded: one line per
open file of a day. Torn lines are skipped and reported.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parsers.article import Article
from storage import changes
from storage.dedup import SHINGLE_K
from storage.records import Skipped, iter_file

if TYPE_CHECKING:
    from storage.archive import Archive


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
    report = RebuildReport()
    idx = archive.index
    idx.reset()
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
    archive.skipped.extend(report.skipped)
    return report
