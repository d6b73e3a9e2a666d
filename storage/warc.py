"""WARC 1.1 capture files: `warc/YYYY/MM/DD/<worker>-<seq>.warc.gz` (warcio, gzip per record).

Each exchange becomes request + response (raw headers and body as received), plus for an
article page a metadata record (storage.warcfields: warc-fields at a `urn:bayegan:` URI, so
replay never serves it as the page); when the payload digest of a URL is unchanged since its
last capture a `revisit` record (identical-payload-digest profile) replaces the response, and a
304 answer is a `revisit` with the server-not-modified profile; such an unchanged exchange
without metadata (a poll of an unchanged feed, sitemap or listing) is the revisit record alone.
Files rotate by size and by UTC day and are named per worker, so processes and machines never
share a file. Every record is built in memory and appended with one write; a failed write is
cut back so no partial record stays visible.
"""
from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import io
import json
import os
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import GzippingWrapper, WARCWriter

from storage.capture import Exchange
from storage.errors import DiskError
from storage.records import day_dir, iso_utc, parse_timestamp, utc_now
from storage.warcfields import JSON_TYPE, WARC_FIELDS, format_fields, metadata_uri

WARC_VERSION = "WARC/1.1"
# warcio compresses every record at zlib level 9; level 6 (gzip's and zlib's default) is about
# twice as fast on 70-300 KB news pages for files ~2% larger (measured on the corpus), and
# compressing the page was the largest single cost of the fetch stage.
GZIP_LEVEL = 6
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


class _GzipMember(GzippingWrapper):
    """One gzip member per record (as warcio writes them), at GZIP_LEVEL."""

    def __init__(self, out: Any, level: int = GZIP_LEVEL) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out


class _RecordWriter(WARCWriter):
    """warcio's WARCWriter with our compression level. warcio has no public option for it: the
    level is fixed inside `_write_warc_record`, so that one method is overridden (the tests read
    every record back with warcio's ArchiveIterator, which catches a change in warcio)."""

    def __init__(self, out: Any) -> None:
        super().__init__(out, gzip=False, warc_version=WARC_VERSION)

    def _write_warc_record(self, out: Any, record: Any) -> None:
        super()._write_warc_record(_GzipMember(out), record)


@dataclass(slots=True)
class Capture:
    """Where an exchange was archived. `warc` + `offset` match `parsers.article.Capture`."""
    warc: str                 # path relative to the archive root
    offset: int               # offset of the response (or revisit) record
    record_id: str
    payload_digest: str
    revisit: bool = False


def payload_digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class WarcFileWriter:
    """Appends records to this worker's current WARC file, rotating by size and day."""

    def __init__(self, root: Path, worker: str, max_bytes: int) -> None:
        self.root, self.worker, self.max_bytes = root, worker, max_bytes
        self._builder = WARCWriter(None, gzip=True, warc_version=WARC_VERSION)
        self._path: Path | None = None
        self._day: tuple[int, int, int] | None = None
        self.legacy_json = False       # write metadata as earlier versions did (tests of old archives)

    # -- files -----------------------------------------------------------------
    def _next_path(self, now: datetime) -> Path:
        folder = day_dir(self.root / "warc", now)
        pat = re.compile(rf"^{re.escape(self.worker)}-(\d+)\.warc\.gz$")
        seqs = [int(m.group(1)) for p in (folder.iterdir() if folder.is_dir() else ())
                if (m := pat.match(p.name))]
        return folder / f"{self.worker}-{(max(seqs) + 1) if seqs else 0:05d}.warc.gz"

    def _current(self, now: datetime, incoming: int) -> Path:
        day = (now.year, now.month, now.day)
        size = self._path.stat().st_size if self._path and self._path.exists() else 0
        if self._path is None or day != self._day or (size and size + incoming > self.max_bytes):
            self._path, self._day = self._next_path(now), day
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DiskError(f"cannot create WARC directory: {exc.strerror}", str(self._path)) from exc
            info = self._builder.create_warcinfo_record(self._path.name, {
                "software": "Bayegan (warcio)", "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "isPartOf": self.worker})
            self._append([info])
        return self._path

    def _append(self, records: list) -> list[int]:
        """Serialize records (each its own gzip member) and append them in ONE write."""
        buf = io.BytesIO()
        offsets = []
        writer = _RecordWriter(buf)
        for rec in records:
            offsets.append(buf.tell())
            writer.write_record(rec)
        data = buf.getvalue()
        assert self._path is not None
        try:
            fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DiskError(f"cannot open WARC for append: {exc.strerror}", str(self._path)) from exc
        try:
            start = os.fstat(fd).st_size
            try:
                if os.write(fd, data) != len(data):
                    raise OSError(errno.ENOSPC, "short write")
                os.fsync(fd)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                raise DiskError(f"WARC write failed: {exc.strerror or exc}", str(self._path)) from exc
        finally:
            os.close(fd)
        return [start + o for o in offsets]

    # -- records ---------------------------------------------------------------
    def write(self, ex: Exchange, metadata: dict[str, Any] | None, previous: dict[str, Any] | None) -> Capture:
        """Write one exchange. `previous` = last capture of this URL (digest, uri, date) or None;
        `metadata` None: request + response only (robots, feeds, redirect hops, ...)."""
        now = utc_now()
        b = self._builder
        digest = payload_digest(ex.body)
        date = warc_date(ex.fetched_at) or b.curr_warc_date()
        resp = self._response_record(ex, digest, date, previous)
        revisit = resp.rec_type == "revisit"
        resp_id = resp.rec_headers.get_header("WARC-Record-ID")
        parts = urlsplit(ex.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = list(ex.request_headers)
        if not any(k.lower() == "host" for k, _ in req_headers):
            req_headers.insert(0, ("Host", parts.netloc))
        req = b.create_warc_record(ex.url, "request", http_headers=StatusAndHeaders(
            f"{ex.method} {target} {ex.http_version or 'HTTP/1.1'}", req_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": resp_id})
        # An unchanged answer (304, or the payload of the URL's last capture) archived without
        # metadata (feeds, sitemaps, listings polled every few minutes) is the revisit alone: its
        # request says nothing replay or provenance needs (URL, date, validators are on the revisit)
        # and was half of what a day of polling added to the WARC.
        records = [resp] if revisit and metadata is None else [req, resp]
        if metadata is not None:
            meta = dict(metadata)
            if ex.requested_url and ex.requested_url != ex.url:
                meta.setdefault("requested_url", ex.requested_url)
            records.append(self._metadata_record(ex.url, resp_id, meta, date, concurrent=True))
        path = self._current(now, len(ex.body) + 4096)
        offsets = self._append(records)
        return Capture(str(path.relative_to(self.root)), offsets[records.index(resp)], resp_id, digest, revisit)

    def _response_record(self, ex: Exchange, digest: str, date: str, previous: dict[str, Any] | None) -> Any:
        b = self._builder
        resp_headers = StatusAndHeaders(f"{ex.status} {ex.reason}".strip(), list(ex.response_headers),
                                        protocol=ex.http_version or "HTTP/1.1")
        common = {"WARC-Date": date}
        if ex.remote_ip:
            common["WARC-IP-Address"] = ex.remote_ip
        if ex.status == 304:     # WARC 1.1 6.7.2: the server said "not modified"; no payload to digest
            resp = b.create_warc_record(ex.url, "revisit", http_headers=resp_headers, warc_headers_dict=common)
            resp.rec_headers.add_header("WARC-Profile", NOT_MODIFIED_PROFILE)
            if previous:
                resp.rec_headers.add_header("WARC-Refers-To", previous["record_id"])
                resp.rec_headers.add_header("WARC-Refers-To-Target-URI", previous["uri"])
                resp.rec_headers.add_header("WARC-Refers-To-Date", previous["date"])
            return resp
        if previous and previous.get("payload_digest") == digest:
            resp = b.create_revisit_record(ex.url, digest, previous["uri"], previous["date"],
                                           http_headers=resp_headers, warc_headers_dict=dict(common))
            resp.rec_headers.add_header("WARC-Refers-To", previous["record_id"])
            return resp
        return b.create_warc_record(ex.url, "response", payload=io.BytesIO(ex.body), length=len(ex.body),
                                    http_headers=resp_headers,
                                    warc_headers_dict={**common, "WARC-Payload-Digest": digest})

    def _metadata_record(self, page_uri: str, resp_id: str, meta: dict[str, Any], date: str | None,
                         *, concurrent: bool) -> Any:
        """warc-fields at `urn:bayegan:capture:<uuid>` (see storage.warcfields for why); with
        `legacy_json` the pre-warc-fields shape (JSON at the page URL), kept so tests can build
        archives as earlier versions wrote them."""
        if self.legacy_json:
            data, ctype, uri = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"), JSON_TYPE, page_uri
        else:
            data, ctype, uri = format_fields(meta), WARC_FIELDS, metadata_uri(resp_id)
        headers = {"WARC-Refers-To": resp_id}
        if concurrent:
            headers["WARC-Concurrent-To"] = resp_id
        if date:
            headers["WARC-Date"] = date
        return self._builder.create_warc_record(uri, "metadata", payload=io.BytesIO(data), length=len(data),
                                                warc_content_type=ctype, warc_headers_dict=headers)

    def annotate(self, capture: Capture, uri: str, metadata: dict[str, Any], *, date: str | None = None,
                 concurrent: bool = False) -> None:
        """A later metadata record about an earlier response: `concurrent` = the capture's own
        metadata (the page was archived by the exchange sink first), else an annotation (parse)."""
        rec = self._metadata_record(uri, capture.record_id, metadata, date, concurrent=concurrent)
        self._current(utc_now(), 4096)
        self._append([rec])


def warc_date(fetched_at: str) -> str | None:
    dt = parse_timestamp(fetched_at)
    if dt is None:
        return None
    return iso_utc(dt)


def warc_files(root: Path, since: datetime | None = None) -> list[Path]:
    base = root / "warc"
    files = sorted(base.rglob("*.warc.gz")) if base.is_dir() else []
    if since is not None:
        floor = f"{since.year:04d}/{since.month:02d}/{since.day:02d}"
        files = [p for p in files if "/".join(p.relative_to(base).parts[:3]) >= floor]
    return files
