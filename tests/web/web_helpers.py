"""Web test helpers: a small archive (with an XSS title, a script-bearing capture, two versions,
a near-duplicate pair) and a real uvicorn server for it on a random loopback port."""
from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).parent.parent / "storage"))   # storage_helpers (importlib mode)

from storage_helpers import make_article, persian_text, scratch_pg_database  # noqa: F401 (test_web_postgres)

from parsers.article import Capture
from storage import open_archive
from storage.capture import Exchange
from worker.web.app import WebConfig, create_app

XSS_TITLE = '<script>document.title="pwned"</script><img src=x onerror="alert(1)">'
RAW_HTML = (b'<!doctype html><html><head><meta charset="utf-8"></head><body>'
            b'<h1 id="h">\xd8\xae\xd8\xa8\xd8\xb1</h1>'
            b'<script>document.getElementById("h").textContent="SCRIPT RAN";</script></body></html>')
URL = "https://www.isna.ir/news/{}/"


def fill(root: Path, index_url: str | None = None) -> dict[str, str]:
    """Store the fixture articles; return name -> article id."""
    ids: dict[str, str] = {}
    with open_archive(root, index_url=index_url, worker_name="fixture") as arc:
        cap = arc.write_capture(Exchange(url=URL.format(1), status=200, body=RAW_HTML,
                                         response_headers=[("Content-Type", "text/html; charset=utf-8")],
                                         fetched_at="2023-03-21T07:00:00+00:00"), {})
        first = make_article(URL.format(1), "سفر وزیر به کلان‌شهرها", "وزیر امروز به کلان‌شهرها رفت. " + persian_text(1))
        first.capture = Capture(warc=cap.warc, offset=cap.offset)
        arc.store(first)
        edited = make_article(URL.format(1), "سفر وزیر به کلان‌شهرها", "وزیر دیروز به کلان‌شهرها رفت. " + persian_text(1))
        edited.capture = first.capture
        arc.store(edited)
        ids["main"] = first.id
        xss = make_article(URL.format(2), XSS_TITLE, "متن خبر با عنوان خطرناک. " + persian_text(2))
        arc.store(xss)
        ids["xss"] = xss.id
        for n in range(3, 48):                       # 45 more for pagination (20 a page)
            arc.store(make_article(URL.format(n), f"خبر شمارهٔ {n} دربارهٔ پتروشیمی",
                                   "پتروشیمی سهام " + persian_text(n), source="yjc" if n % 2 else "isna"))
        dup = make_article("https://www.yjc.ir/news/99/", "سفر وزیر به کلانشهرها",
                           "وزیر امروز به کلان‌شهرها رفت. " + persian_text(1), source="yjc",
                           published="2023-03-21T11:00:00+03:30")
        arc.store(dup)
        ids["dup"] = dup.id
        arc.record_error("yjc", "https://www.yjc.ir/news/bad/", "http", "HTTP 500")
        arc.record_poll("isna", True)
        arc.record_poll("tasnim", False)            # never a successful poll: quiet
    return ids


class Served:
    def __init__(self, base: str, ids: dict[str, str], root: Path) -> None:
        self.base, self.ids, self.root = base, ids, root
        self.client = httpx.Client(base_url=base, timeout=10)

    def get(self, path: str, **kw) -> httpx.Response:
        return self.client.get(path, **kw)


def run_server(root: Path, index_url: str | None = None) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(WebConfig(root, index_url)), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    return server, thread, f"http://127.0.0.1:{port}"


