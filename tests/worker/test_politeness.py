"""Per-host politeness and host health: in-process and shared through a real Redis (db 3)."""
from __future__ import annotations

import dataclasses
import multiprocessing
import threading
import time

import pytest
from worker_testkit import make_source

from worker.http.fetcher import Fetcher
from worker.http.politeness import LocalPoliteness, RedisPoliteness

REDIS_URL = "redis://127.0.0.1:6379/3"


def _starts(server, path):
    return sorted(t for t, p, _ in server.log if p == path)


def _gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


def test_local_reserve_spaces_request_starts():
    p = LocalPoliteness()
    delays = [p.reserve("h", 0.5) for _ in range(4)]
    assert delays[0] == pytest.approx(0, abs=0.01)
    assert [round(d, 1) for d in delays[1:]] == [0.5, 1.0, 1.5]
    assert p.reserve("other-host", 0.5) == pytest.approx(0, abs=0.01)   # hosts are independent


def test_redis_reserve_is_shared_between_instances(redis_db3):
    client, prefix = redis_db3
    a = RedisPoliteness(client, prefix=prefix)
    b = RedisPoliteness(REDIS_URL, prefix=prefix)       # another "machine": its own connection
    delays = [a.reserve("h", 0.4), b.reserve("h", 0.4), a.reserve("h", 0.4), b.reserve("h", 0.4)]
    assert delays[0] == pytest.approx(0, abs=0.02)
    assert [round(d, 1) for d in delays[1:]] == [0.4, 0.8, 1.2]
    assert client.pttl(f"{prefix}next:h") > 0            # keys expire: nothing accumulates in Redis


def _worker(prefix, interval, n, queue):
    p = RedisPoliteness(REDIS_URL, prefix=prefix)
    for _ in range(n):
        p.wait("shared.example", interval)
        queue.put(time.time())


def test_redis_politeness_across_processes(redis_db3):
    _, prefix = redis_db3
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(prefix, 0.25, 3, queue)) for _ in range(3)]
    for proc in procs:
        proc.start()
    times = sorted(queue.get(timeout=30) for _ in range(9))
    for proc in procs:
        proc.join(timeout=30)
    assert all(g >= 0.23 for g in _gaps(times)), _gaps(times)
    assert times[-1] - times[0] >= 8 * 0.23


def test_redis_host_health_and_penalty(redis_db3):
    client, prefix = redis_db3
    a = RedisPoliteness(client, prefix=prefix, threshold=3, down_seconds=60)
    b = RedisPoliteness(client, prefix=prefix, threshold=3, down_seconds=60)
    assert a.record_failure("h") is None and b.record_failure("h") is None
    until = a.record_failure("h")                       # third failure, counted across workers
    assert until is not None and 55 < until - time.time() <= 61
    assert b.down_until("h") == pytest.approx(until, abs=0.01)
    b.record_success("h")
    assert a.down_until("h") is None
    a.penalize("h", 30)
    assert b.reserve("h", 1.0) > 28


def test_local_host_health():
    p = LocalPoliteness(threshold=2, down_seconds=0.3)
    assert p.record_failure("h") is None
    assert p.record_failure("h") is not None and p.down_until("h") is not None
    time.sleep(0.35)
    assert p.down_until("h") is None


def test_fetcher_with_redis_politeness_spaces_requests_per_host(server, settings, redis_db3):
    client, prefix = redis_db3
    server.route("/news/1", 200, "<p>x</p>")
    src = make_source(server.base, politeness_interval=0.3)
    politeness = RedisPoliteness(client, settings, prefix=prefix)
    fetchers = [Fetcher(settings, politeness=politeness), Fetcher(settings, politeness=RedisPoliteness(client, prefix=prefix))]
    threads = [threading.Thread(target=lambda f=f: [f.fetch(server.url("/news/1"), src) for _ in range(2)])
               for f in fetchers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts = _starts(server, "/news/1")
    assert len(starts) == 4 and all(g >= 0.27 for g in _gaps(starts)), _gaps(starts)


def test_politeness_off_means_no_waiting(server, settings):
    server.route("/news/1", 200, "<p>x</p>")
    src = make_source(server.base, politeness_interval=1.0)
    f = Fetcher(dataclasses.replace(settings, politeness=False))
    started = time.monotonic()
    for _ in range(3):
        f.fetch(server.url("/news/1"), src)
    assert time.monotonic() - started < 0.9


def test_robots_disallow_is_obeyed_and_cached(server, settings):
    server.route("/private/news/1", 200, "secret")
    server.route("/news/1", 200, "<p>x</p>")
    src = make_source(server.base)
    f = Fetcher(settings)
    from worker.http.errors import RobotsDisallowed
    with pytest.raises(RobotsDisallowed):
        f.fetch(server.url("/private/news/1"), src)
    f.fetch(server.url("/news/1"), src)
    f.fetch(server.url("/news/1"), src)
    assert server.hits("/private/news/1") == 0 and server.hits("/robots.txt") == 1
    ignoring = Fetcher(dataclasses.replace(settings, respect_robots=False))
    assert ignoring.fetch(server.url("/private/news/1"), src).status == 200


def test_robots_crawl_delay_is_respected(server, settings):
    server.route("/robots.txt", 200, "User-agent: *\nCrawl-delay: 0.4\n", content_type="text/plain")
    server.route("/news/1", 200, "<p>x</p>")
    f = Fetcher(settings)
    for _ in range(3):
        f.fetch(server.url("/news/1"), make_source(server.base))
    starts = _starts(server, "/news/1")
    assert all(g >= 0.37 for g in _gaps(starts)), _gaps(starts)


def test_robots_missing_allows_and_server_error_disallows(server, settings):
    from worker.http.errors import RobotsDisallowed
    server.routes.pop("/robots.txt")
    server.route("/news/1", 200, "<p>x</p>")
    assert Fetcher(settings).fetch(server.url("/news/1"), make_source(server.base)).status == 200
    server.route("/robots.txt", 500, "oops")
    with pytest.raises(RobotsDisallowed):   # RFC 9309: unreachable robots.txt means disallow (for a while)
        Fetcher(settings).fetch(server.url("/news/1"), make_source(server.base))


def test_acquire_checks_health_and_reserves_in_one_call(redis_db3):
    client, prefix = redis_db3
    for p in (RedisPoliteness(client, prefix=prefix, threshold=1, down_seconds=60), LocalPoliteness(threshold=1, down_seconds=60)):
        assert p.acquire("a", 0.5)[0] is None
        down, delay = p.acquire("a", 0.5)
        assert down is None and 0.4 < delay <= 0.5
        assert p.acquire("a", None) == (None, 0.0)          # politeness off: health check only
        until = p.record_failure("a")
        down, delay = p.acquire("a", 0.5)
        assert down == pytest.approx(until, abs=0.01) and delay == 0.0
