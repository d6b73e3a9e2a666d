"""Reading WARC captures back (re-ingest): (Exchange with the body decoded, metadata dict).

warcio's content_stream() undoes chunked transfer and Content-Encoding, so the Exchange
yielded carries the decoded body. A revisit record is resolved to the payload of the
response it refers to. A truncated or corrupt record is reported (a warning and a
Skipped naming the file and offset) and the scan resumes at the next intact gzip member
(storage/warcresync.py), so damage loses only the captures it touches.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from storage.capture import Exchange
from storage.errors import CorruptInput
from storage.records import Skipped, parse_timestamp
from storage.warc import warc_files
from storage.warcfields import parse_metadata
from storage.warcresync import resync_records


def _parse_date(s: str | None) -> datetime | None:
    dt = parse_timestamp(s)
    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=UTC)


def _read_payload(path: Path, offset: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        rec = next(iter(ArchiveIterator(fh)))
        return rec.content_stream().read()


def iter_captures(root: Path, source: str | None = None, since: datetime | None = None,
                  report: list[Skipped] | None = None) -> Iterator[tuple[Exchange, dict[str, Any]]]:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    responses: dict[str, tuple[Path, int]] = {}     # record id -> location (resolves revisits)
    for path in warc_files(root, since):
        for ex, meta in _scan_file(path, responses, report):
            if source is not None and meta.get("source") != source:
                continue
            fetched = _parse_date(ex.fetched_at)
            if since is not None and fetched is not None and fetched < since:
                continue
            yield ex, meta


def _scan_file(path: Path, responses: dict[str, tuple[Path, int]],
               report: list[Skipped] | None) -> Iterator[tuple[Exchange, dict[str, Any]]]:
    """Captures of one WARC file; at a damaged record, report it and resume at the next intact one."""
    requests: dict[str, list[tuple[str, str]]] = {}
    pending: dict[str, Exchange] = {}
    revisits: dict[str, bool] = {}

    reading: list[str] = []        # the record id being read: damaged, its capture is dropped

    def handle(rec: Any, it: ArchiveIterator) -> tuple[Exchange, dict[str, Any]] | None:
        reading[:] = [rec.rec_headers.get_header("WARC-Record-ID") or ""]
        item = _handle(rec, it, path, requests, pending, revisits, responses)
        _check_complete(rec)
        reading.clear()
        return item

    def damaged(offset: int, exc: BaseException) -> None:
        for rid in reading:        # a response whose gzip CRC failed at its end: its body is not to be trusted,
            pending.pop(rid, None)  # so its metadata record (after the resync) must not bring it back
            responses.pop(rid, None)
            revisits.pop(rid, None)
        reading.clear()
        detail = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__   # may quote raw bytes
        skipped = Skipped(str(path), offset, f"truncated or corrupt WARC record ({detail!r})")
        warnings.warn(str(skipped), CorruptInput, stacklevel=5)   # the caller of iter_captures, as before
        if report is not None:
            report.append(skipped)

    yield from resync_records(path, handle, damaged)


def _check_complete(rec: Any) -> None:
    """Raise at a record cut short: warcio reads a truncated gzip member without complaint."""
    declared = rec.rec_headers.get_header("Content-Length")
    if declared is None or not declared.strip().isdigit():
        raise EOFError("WARC record header cut off (no Content-Length)")
    rec.raw_stream.read()                       # the rest of the block (skipped by warcio anyway)
    if getattr(rec.raw_stream, "limit", 0) > 0:
        raise EOFError(f"WARC record cut off {rec.raw_stream.limit} bytes before its declared end")


def _handle(rec: Any, it: ArchiveIterator, path: Path, requests: dict, pending: dict, revisits: dict,
            responses: dict) -> tuple[Exchange, dict[str, Any]] | None:
    """Consume one record; return (exchange, metadata) once a capture's metadata record is read."""
    h = rec.rec_headers
    rid, rtype = h.get_header("WARC-Record-ID"), rec.rec_type
    if rtype == "request":
        requests[h.get_header("WARC-Concurrent-To")] = list(rec.http_headers.headers)
    elif rtype in ("response", "revisit"):
        http = rec.http_headers
        if rtype == "response":
            body = rec.content_stream().read()
            responses[rid] = (path, it.get_record_offset())
        else:
            ref = responses.get(h.get_header("WARC-Refers-To"))
            body = _read_payload(*ref) if ref else b""
        status_line = http.statusline.split(" ", 1) if http else ["0"]
        pending[rid] = Exchange(
            url=h.get_header("WARC-Target-URI"),
            status=int(status_line[0]) if status_line[0].isdigit() else 0,
            reason=status_line[1] if len(status_line) > 1 else "",
            body=body, response_headers=list(http.headers) if http else [],
            request_headers=requests.pop(rid, []),
            http_version=(http.protocol if http else "") or "HTTP/1.1",
            fetched_at=h.get_header("WARC-Date") or "",
            remote_ip=h.get_header("WARC-IP-Address"))
        revisits[rid] = rtype == "revisit"
    elif rtype == "metadata":
        concurrent = h.get_header("WARC-Concurrent-To") or ""
        ex = pending.pop(concurrent, None)
        if ex is not None:                     # else: a later annotation, not the capture's own metadata
            data = rec.raw_stream.read()
            declared = h.get_header("Content-Length") or ""
            if declared.isdigit() and len(data) < int(declared):   # warc-fields parse any prefix: check
                raise EOFError(f"metadata record cut off after {len(data)} of {declared} bytes")
            meta = parse_metadata(h.get_header("Content-Type"), data)
            meta["revisit"] = revisits.pop(concurrent, False)
            return ex, meta
    return None
