"""Helpers of the worker tests (imported by tests/worker/*: conftest puts this folder on sys.path)."""
from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from worker.sources import Source, sources_from_dicts

Handler = Callable[[BaseHTTPRequestHandler], None]


def send(h: BaseHTTPRequestHandler, status: int = 200, body: bytes | str = b"",
         headers: dict[str, str] | None = None, content_type: str = "text/html; charset=utf-8") -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    h.send_response(status)
    headers = dict(headers or {})
    headers.setdefault("Content-Type", content_type)
    headers.setdefault("Content-Length", str(len(data)))
    for k, v in headers.items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(data)


class LocalServer:
    """Routes: exact path+query first, then path alone. Unknown paths are 404. Every request logged."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.log: list[tuple[float, str, dict[str, str]]] = []
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.log.append((time.time(), self.path, dict(self.headers.items())))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    send(self, 404, "not found")
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, status: int = 200, body: bytes | str = b"", headers: dict[str, str] | None = None,
              content_type: str = "text/html; charset=utf-8") -> None:
        self.routes[path] = lambda h: send(h, status, body, headers, content_type)

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.log if p == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def make_source(base: str, **overrides) -> Source:
    entry = source_entry(base, **overrides)
    return sources_from_dicts([entry])[entry["id"]]


def gz(data: bytes | str) -> bytes:
    return gzip.compress(data.encode("utf-8") if isinstance(data, str) else data)


def free_port() -> int:
    """A port with nothing listening (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



def source_entry(base: str, **overrides) -> dict:
    entry = {
        "id": "local", "name_fa": "محلی", "name_en": "Local", "home": base + "/",
        "hosts": ["127.0.0.1"], "feeds": [base + "/rss"], "sitemaps": [base + "/sitemap.xml"],
        "listings": [base + "/list"], "article_patterns": [r"^/news/\d+(?:/|$)"],
        "archive_url": base + "/archive?yr={jy}&mn={jm}&dy={jd}&pi={page}",
        "politeness_interval": 0.0, "profile": "nastooh", "allow_private": True,
    }
    entry.update(overrides)
    return entry


def write_registry(path, entries) -> None:
    """Registry entries as TOML (flat schema: JSON strings/lists are valid TOML values)."""
    import json

    lines = []
    for entry in entries:
        lines.append("[[source]]")
        for key, value in entry.items():
            if value is None:
                continue
            text = ("true" if value else "false") if isinstance(value, bool) else json.dumps(value, ensure_ascii=False)
            lines.append(f"{key} = {text}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


@contextmanager
def mirror_registry(tmp_path_factory, *, articles: int, seed: int) -> Iterator[tuple[object, object]]:
    """A fault-free agency mirror on 127.0.0.1 and a sources.toml pointing at it: (server, path)."""
    from worker.testing.mirror import MirrorServer

    with MirrorServer(articles=articles, faults=False, seed=seed) as server:
        path = tmp_path_factory.mktemp("mirror") / "sources.toml"
        server.write_sources_toml(path)
        yield server, path
