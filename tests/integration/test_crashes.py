"""Crashes mid-run: a worker SIGKILLed, Redis restarted. Nothing lost, nothing stored twice."""
from __future__ import annotations

import shutil
import subprocess
import time
from collections import Counter

import pytest
import redis

from parsers.urls import canonicalize
from storage import open_archive
from tests.integration.harness import Fleet, record_lines, redis_db_url, stored_count, wait_for, write_sources
from worker.testing.mirror import MirrorServer

OWN_REDIS_PORT = 6390     # our own redis-server: the shared one on 6379 is never restarted


def _trigger_polls(fleet: Fleet, mirror: MirrorServer) -> None:
    for agency in mirror.sites:
        fleet.call("worker.tasks.poll_source", args=[agency, True])


def _assert_exactly_once(archive_dir, expected: set[str], killed_pid: int | None = None) -> None:
    """Every article in the index once, and on disk once. The one exception we accept and check
    precisely: a record line the killed worker fsynced just before the index commit that would
    have pointed at it; it is never referenced (the redelivered store wrote the one the index uses)."""
    with open_archive(archive_dir) as archive:
        indexed = list(archive.iter_articles())
        assert len(indexed) == len(expected) and {a.canonical_url for a in indexed} == expected
        assert all(archive.is_known(u) for u in expected)
        by_id = {a.id: a for a in indexed}
    records = record_lines(archive_dir)
    by_url = Counter(r["article"]["canonical_url"] for r in records)
    assert set(by_url) == expected, f"lost: {sorted(expected - set(by_url))[:5]}"
    for url, n in by_url.items():
        if n == 1:
            continue
        dupes = [r for r in records if r["article"]["canonical_url"] == url]
        assert n == 2 and killed_pid is not None, f"stored twice: {url}"
        orphan, kept = dupes
        assert orphan["worker"].split("-")[-2] == str(killed_pid), "only the killed worker may leave an orphan"
        assert by_id[kept["article_id"]].to_dict() == kept["article"]


def test_worker_sigkilled_mid_run_loses_nothing_and_stores_nothing_twice(tmp_path):
    with MirrorServer(articles=40, faults=False, seed=5, politeness_interval=0.02) as mirror:
        # beat keeps polling (every 4 s; a full unconditional poll every claim_ttl = 20 s): a message
        # the kill destroyed in flight is queued again once its claim expired
        sources = write_sources(mirror, tmp_path / "sources.toml", poll_interval=4, min_poll=4, max_poll=4)
        expected = {canonicalize(a.url, a.agency) for a in mirror.articles}
        fleet = Fleet(tmp_path, sources, redis_db_url(db=6), BAYEGAN_POLITENESS="1", BAYEGAN_CLAIM_TTL="20")
        with fleet.running():
            first = fleet.worker("w1", concurrency=2)
            fleet.beat("beat")
            wait_for(lambda: stored_count(fleet.archive_dir) >= 15, 60, interval=0.05, what="a partial run", fleet=fleet)
            fleet.kill(first)                          # SIGKILL the worker and its pool children
            at_kill = stored_count(fleet.archive_dir)
            assert at_kill < len(expected), "the kill must land mid-run"
            fleet.worker("w2", concurrency=2)          # unacked messages come back after the visibility timeout
            wait_for(lambda: stored_count(fleet.archive_dir) >= len(expected) and fleet.drained(), 240,
                     what="the rest after restart", fleet=fleet)
            _assert_exactly_once(fleet.archive_dir, expected, killed_pid=first.pid)


@pytest.fixture()
def own_redis(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server is needed"
    data = tmp_path / "redis"
    data.mkdir()
    cmd = [server, "--port", str(OWN_REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(data), "--appendonly", "yes",
           "--appendfsync", "always", "--save", "", "--daemonize", "no"]

    procs: list[subprocess.Popen] = []

    def start() -> None:
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        client = redis.Redis(port=OWN_REDIS_PORT)
        wait_for(lambda: _ping(client), 10, interval=0.1, what="redis-server to start")

    def stop() -> None:
        try:
            redis.Redis(port=OWN_REDIS_PORT).shutdown(nosave=False)
        except redis.ConnectionError:
            pass      # shutdown closes the connection under us
        procs[-1].wait(timeout=10)

    start()
    yield start, stop
    if procs[-1].poll() is None:
        stop()


def _ping(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_redis_restarted_mid_run_the_ingest_completes(tmp_path, own_redis):
    start_redis, stop_redis = own_redis
    with MirrorServer(articles=40, faults=False, seed=7, politeness_interval=0.02) as mirror:
        # as in production, beat keeps polling and a full poll runs every claim_ttl: a message Redis
        # took away just as it shut down (kombu's BRPOP -> unacked window) is queued again
        sources = write_sources(mirror, tmp_path / "sources.toml", poll_interval=4, min_poll=4, max_poll=4)
        expected = {canonicalize(a.url, a.agency) for a in mirror.articles}
        # politeness on: every fetch also talks to this Redis (shared per-host slots)
        fleet = Fleet(tmp_path, sources, redis_db_url(OWN_REDIS_PORT, db=7), BAYEGAN_POLITENESS="1",
                      BAYEGAN_CLAIM_TTL="20")
        with fleet.running(cleanup_redis=False):
            fleet.worker("w1", concurrency=2)
            fleet.beat("beat")
            wait_for(lambda: stored_count(fleet.archive_dir) >= 15, 60, interval=0.05, what="a partial run", fleet=fleet)
            stop_redis()
            down_at = stored_count(fleet.archive_dir)
            time.sleep(4)
            start_redis()
            assert down_at < len(expected), "Redis must go away mid-run"
            wait_for(lambda: stored_count(fleet.archive_dir) >= len(expected) and fleet.drained(), 300,
                     what="the rest after Redis returns", fleet=fleet)
            _assert_exactly_once(fleet.archive_dir, expected)
