"""The request handler of the mirror: routing to pre-rendered resources, conditional GET,
gzip, and the faults acted out on the raw socket (resets, truncated bodies, lying lengths).

The standard library's http.server rather than a framework because the faults need the raw
socket; pre-rendered bytes keep it fast enough (hundreds of pages per second).
"""
from __future__ import annotations

import contextlib
import socket
import struct
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

from .faults import FAIL_COUNTS, gzip_bomb
from .site import AgencySite, Resource

if TYPE_CHECKING:
    from .server import MirrorServer


@dataclass(slots=True)
class RequestRecord:
    method: str
    path: str                    # as requested, with the query
    headers: dict[str, str]
    time: float                  # time.time() when the request line was read
    agency: str
    status: int = 0              # 0: no response (connection reset)
    url: str = ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    site: AgencySite | None
    mirror: MirrorServer
    agency: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"        # keep-alive, so clients can pool connections
    disable_nagle_algorithm = True       # headers and body go in separate writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        if self._record is not None:     # None: an error answered before do_GET (a malformed request)
            self._record.status = code
        super().send_response(code, message)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    def handle_one_request(self) -> None:
        self._record: RequestRecord | None = None    # one per request on a kept-alive connection
        try:
            super().handle_one_request()
        except OSError:      # the socket was reset on purpose, or the client left
            self.close_connection = True

    def do_POST(self) -> None:
        """The control endpoint (mutations.py): edit, remove and restore stories over HTTP."""
        self._record = None
        raw_path, _, qs = self.path.partition("?")
        params = dict(parse_qsl(qs))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            params.update(parse_qsl(self.rfile.read(length).decode()))
        try:
            self.server.mirror.control(raw_path.removeprefix("/_control/"), params)
        except (KeyError, ValueError, StopIteration) as exc:
            self._simple(400, f"bad control request: {exc!r}\n".encode())
            return
        self._simple(200, b"ok\n")

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        # Logged before any byte of the response leaves, so a client that has its answer always
        # finds its request in the log; send_response fills in the status (0: reset, no answer).
        self._record = RequestRecord(self.command, self.path, dict(self.headers.items()), time.time(),
                                     self.server.agency, 0,
                                     f"http://127.0.0.1:{self.server.server_address[1]}{self.path}")
        self.server.mirror._log(self._record)
        site = self.server.site
        try:
            if site is None:
                self._simple(200, b"stolen page on a foreign host\n")
            else:
                self._serve(site, head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # ---- routing -------------------------------------------------------------------------------
    def _serve(self, site: AgencySite, head: bool) -> None:
        raw_path, _, qs = self.path.partition("?")
        path = unquote(raw_path)
        fault = self.server.mirror._fault_by_path[site.id].get(path)
        if fault and self._fault(fault, site, path, head):
            return
        if path in site.removed:
            from .mutations import removal_response

            status, headers, body = removal_response(site, site.removed[path])
            self.send_response(status)
            # Connection: close, so a client that gave up on a slow answer never reuses this socket.
            for k, v in {**headers, "Content-Length": str(len(body)), "Connection": "close"}.items():
                self.send_header(k, v)
            self.end_headers()
            if not head:
                self.wfile.write(body)
            self.close_connection = True
            return
        if path in site.redirects:
            self.send_response(301 if path in site.permanent_redirects else 302)
            self.send_header("Location", site.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        res = site.static.get(path) or site.dynamic(path, dict(parse_qsl(qs)))
        if res is None:
            self._simple(404, "صفحه پیدا نشد\n".encode())
            return
        self._resource(res, head)

    def _fault(self, name: str, site: AgencySite, path: str, head: bool) -> bool:
        """Act out a fault; True when the response is complete, False to serve the page normally."""
        mirror = self.server.mirror
        if name == "500":
            self._simple(500, b"Internal Server Error\n")
            return True
        if name in FAIL_COUNTS:
            if mirror._counters.hit(site.id + path) >= FAIL_COUNTS[name]:
                return False
            status, retry = {"503": (503, "1"), "429": (429, "2"), "flaky": (502, None),
                             "503-date": (503, formatdate(time.time() + 2, usegmt=True))}[name]
            self._simple(status, b"try again later\n", {"Retry-After": retry} if retry else None)
            return True
        if name == "slow":
            time.sleep(mirror.slow_seconds)
            return False
        if name == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return True
        if name == "truncated":
            body = site.static[path].body if path in site.static else site.static["/"].body * 4
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return True
        if name == "huge":
            self._huge(mirror.huge_bytes, head)
            return True
        if name == "gzip-bomb":
            bomb = gzip_bomb()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            if not head:
                self.wfile.write(bomb)
            return True
        return False   # redirects, charsets, robots-disallowed: served from the site tables

    def _huge(self, size: int, head: bool) -> None:
        head_html = b'<!DOCTYPE html><html lang="fa"><head><meta charset="utf-8"><title>huge</title></head><body>'
        filler = ("<p>" + "متن بسیار طولانی " * 200 + "</p>\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if head:
            return
        self.wfile.write(head_html)
        sent = len(head_html)
        while sent < size:
            chunk = filler[: size - sent]
            self.wfile.write(chunk)
            sent += len(chunk)

    # ---- responses -----------------------------------------------------------------------------
    def _simple(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_modified(self, res: Resource) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip() for t in inm.split(",")}
            return "*" in tags or res.etag in tags or ("W/" + res.etag) in tags
        ims = self.headers.get("If-Modified-Since")
        if ims and res.last_modified:
            try:
                return res.last_modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def _resource(self, res: Resource, head: bool) -> None:
        if self._not_modified(res):
            self.send_response(304)
            self.send_header("ETag", res.etag)
            if res.http_date:
                self.send_header("Last-Modified", res.http_date)
            self.end_headers()
            return
        body = res.body
        gz = "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 512
        if gz:
            body = res.gzipped()
        self.send_response(200)
        self.send_header("Content-Type", res.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", res.etag)
        if res.http_date:
            self.send_header("Last-Modified", res.http_date)
        self.send_header("Cache-Control", "max-age=60")
        if gz:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        if not head:
            self.wfile.write(body)
