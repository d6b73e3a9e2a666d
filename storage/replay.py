"""Reading WARC captures back (re-ingest): (Exchange with the body decoded, metadata dict).

warcio's content_stream() undoes chunked transfer and Content-Encoding, so the Exchange
yielded carries the decoded body. A revisit record is resolved to the payload of the
response it refers to. A truncated or corrupt record ends the scan of that file with a
warning naming the file and offset (the records before it are still yielded).
"""
from __future__ import annotations

import warnings
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storage.capture import Exchange
from storage.errors import CorruptInput
from storage.records import Skipped, parse_timestamp
from storage.warc import warc_files
from storage.warcfields import parse_metadata


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
        requests: dict[str, list[tuple[str, str]]] = {}
        pending: dict[str, Exchange] = {}
        revisits: dict[str, bool] = {}
        offset = 0
        try:
            with open(path, "rb") as fh:
                it = ArchiveIterator(fh)
                for rec in it:
                    item = _handle(rec, it, path, requests, pending, revisits, responses)
                    offset = it.get_record_offset() + it.get_record_length()
                    if item is None:
                        continue
                    ex, meta = item
                    if source is not None and meta.get("source") != source:
                        continue
                    fetched = _parse_date(ex.fetched_at)
                    if since is not None and fetched is not None and fetched < since:
                        continue
                    yield ex, meta
        except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as exc:
            skipped = Skipped(str(path), offset, f"truncated or corrupt WARC record ({exc})")
            warnings.warn(str(skipped), CorruptInput, stacklevel=2)
            if report is not None:
                report.append(skipped)


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
