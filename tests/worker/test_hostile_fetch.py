"""A slowly dripped body is bounded by one total deadline across all retries (issue 13 part A)."""
from __future__ import annotations

import dataclasses
import time

import pytest
from worker_testkit import make_source

from worker.http import errors as E
from worker.http.fetcher import Fetcher


def test_dripped_body_costs_one_total_timeout_not_one_per_retry(server, settings):
    def drip(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        try:
            for _ in range(100):
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass   # the client gave up: that is the point

    server.routes["/news/drip"] = drip
    settings = dataclasses.replace(settings, max_retries=3, total_timeout=1.5, read_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(E.FetchTimeout):
        Fetcher(settings, retry_backoff=0.01).fetch(server.url("/news/drip"), make_source(server.base))
    elapsed = time.monotonic() - started
    # Before: 4 attempts x 1.5 s each. Now every attempt shares the one 1.5 s deadline.
    assert server.hits("/news/drip") <= 2
    assert elapsed < 4 * 1.5
