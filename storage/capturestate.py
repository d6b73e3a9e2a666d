"""Restoring the captures table (revisit dedup state) from the WARC files during an index rebuild.

The table holds, per URL, the last full response archived (payload digest, record id, date,
file, offset); Archive.write_capture consults it to write a revisit record instead of a second
copy of an unchanged payload. The WARC files are its source of truth, so a rebuild reads their
response records (headers only) and keeps the newest per URL. Damage is skipped and reported
as re-ingest does (storage/warcresync.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator

from storage.records import Skipped
from storage.warc import warc_files
from storage.warcresync import resync_records

if TYPE_CHECKING:
    from storage.index.base import SqlIndex


@dataclass(slots=True)
class CaptureState:
    url: str
    payload_digest: str
    record_id: str
    warc_date: str
    warc: str             # path relative to the archive root
    offset: int


def _responses(root: Path, path: Path, report: list[Skipped]) -> list[CaptureState]:
    rel = str(path.relative_to(root))

    def response(rec: Any, it: ArchiveIterator) -> CaptureState | None:
        h = rec.rec_headers
        digest = h.get_header("WARC-Payload-Digest")
        if rec.rec_type == "response" and digest:
            return CaptureState(h.get_header("WARC-Target-URI"), digest, h.get_header("WARC-Record-ID"),
                                h.get_header("WARC-Date") or "", rel, it.get_record_offset())
        return None

    def damaged(offset: int, exc: BaseException) -> None:
        report.append(Skipped(str(path), offset, f"corrupt WARC record ({type(exc).__name__})"))

    return list(resync_records(path, response, damaged))


def restore_captures(root: Path, index: SqlIndex, report: list[Skipped]) -> int:
    """Fill the captures table from the WARC files under `root` (call inside index.write())."""
    latest: dict[str, CaptureState] = {}
    for path in warc_files(root):
        for cap in _responses(root, path, report):
            old = latest.get(cap.url)
            if old is None or cap.warc_date >= old.warc_date:
                latest[cap.url] = cap
    for cap in latest.values():
        index.put_capture(cap.url, cap.payload_digest, cap.record_id, cap.warc_date, cap.warc, cap.offset)
    return len(latest)
