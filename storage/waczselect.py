"""The records of one source for a WACZ export (`bayegan export --format wacz --source ID`).

WARC files are per worker and day, not per source, so packaging whole files would leak other
sources' captures. Instead the selected records are copied byte for byte (each record is its own
gzip member, so members concatenate into a valid WARC.gz) into one new WARC file behind a fresh
warcinfo record. A record belongs to the source when its target URI is on an origin (scheme, host,
port) of the source's archived articles, or it is a redirect into one; a request goes with its
response (WARC-Concurrent-To), a metadata record with what it refers to, and a revisit brings the
record it refers to even when that one is outside the since/until window, so every revisit in
the package resolves.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from storage.records import parse_timestamp
from storage.warcresync import resync_records

__all__ = ["RecordRef", "origin", "select_records", "write_selected"]


@dataclass(slots=True)
class RecordRef:
    path: Path
    offset: int
    length: int
    rec_type: str
    uri: str
    record_id: str
    refers_to: str          # WARC-Refers-To, or WARC-Concurrent-To for a request
    day: date | None
    location: str           # a redirect's target, resolved


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.scheme and parts.netloc else ""


def _ref(path: Path, it: ArchiveIterator, rec: Any) -> RecordRef:
    h = rec.rec_headers
    uri = h.get_header("WARC-Target-URI") or ""
    location = ""
    if rec.rec_type == "response" and rec.http_headers is not None:
        status = rec.http_headers.get_statuscode() or ""
        target = rec.http_headers.get_header("Location") if status.startswith("3") else None
        location = urljoin(uri, target) if target else ""
    rec.content_stream().read()
    dt = parse_timestamp(h.get_header("WARC-Date") or "")
    link = h.get_header("WARC-Refers-To") or (h.get_header("WARC-Concurrent-To") if rec.rec_type == "request" else None)
    return RecordRef(path, it.get_record_offset(), it.get_record_length(), rec.rec_type, uri,
                     h.get_header("WARC-Record-ID") or "", link or "", dt.date() if dt else None, location)


def _scan(path: Path, skipped: list[str]) -> list[RecordRef]:
    """Every record's place and links; a damaged record is skipped (named in `skipped`) and the
    scan carries on at the next intact one, as re-ingest does (storage.warcresync)."""
    def damaged(offset: int, exc: BaseException) -> None:
        skipped.append(f"{path} at offset {offset}: corrupt WARC record ({type(exc).__name__})")

    # offsets are absolute: warcio asks fh.tell()
    return list(resync_records(path, lambda rec, it: _ref(path, it, rec), damaged))


def select_records(files: Iterable[Path], origins: set[str], since: date | None, until: date | None,
                   skipped: list[str]) -> list[RecordRef]:
    """The records of the source (see the module docstring), in archive order."""
    refs = [r for path in files for r in _scan(path, skipped)]
    by_id = {r.record_id: r for r in refs if r.record_id}

    def in_window(r: RecordRef) -> bool:
        return r.day is None or ((since is None or r.day >= since) and (until is None or r.day <= until))

    chosen: set[str] = set()
    for r in refs:
        if r.rec_type in ("response", "revisit", "resource") and in_window(r) and (
                origin(r.uri) in origins or (r.location and origin(r.location) in origins)):
            chosen.add(r.record_id)
    for r in refs:               # what a chosen revisit refers to, even outside the window
        if r.record_id in chosen and r.rec_type == "revisit" and r.refers_to in by_id:
            chosen.add(r.refers_to)
    for r in refs:               # requests and metadata go with the record they belong to
        if r.rec_type in ("request", "metadata") and r.refers_to in chosen:
            chosen.add(r.record_id)
    return [r for r in refs if r.record_id in chosen]


def write_selected(refs: list[RecordRef], out: BinaryIO, name: str) -> int:
    """A warcinfo record, then the raw bytes of each selected record; returns bytes written."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record(name, {
        "software": "Bayegan (warcio)", "format": "WARC File Format 1.1",
        "description": "records of one source, copied unchanged from the Bayegan archive"}))
    out.write(buf.getvalue())
    written = len(buf.getvalue())
    handles: dict[Path, BinaryIO] = {}
    try:
        for r in refs:
            fh = handles.get(r.path)
            if fh is None:
                fh = handles[r.path] = open(r.path, "rb")  # noqa: SIM115 (closed below)
            fh.seek(r.offset)
            data = fh.read(r.length)
            out.write(data)
            written += len(data)
    finally:
        for fh in handles.values():
            fh.close()
    return written
