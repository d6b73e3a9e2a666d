"""Small pieces of the pipeline layer: claims (memory and real Redis), logs, Celery configuration."""
from __future__ import annotations

import io
import json
import logging
import uuid

import pytest
import redis

from worker.config import ConfigError, Settings
from worker.discovery.claims import MemoryClaims, RedisClaims
from worker.errors import TransientError, is_transient
from worker.logs import configure_logging

REDIS_URL = "redis://127.0.0.1:6379/5"


@pytest.fixture()
def redis_client():
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"t-{uuid.uuid4().hex[:8]}:"
    yield client, prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_memory_claims_once_until_released():
    claims = MemoryClaims(ttl=60)
    assert claims.claim("https://a.example/news/1")
    assert not claims.claim("https://a.example/news/1")
    assert claims.claim("https://a.example/news/2")
    claims.release("https://a.example/news/1")
    assert claims.claim("https://a.example/news/1")


def test_memory_claims_expire():
    claims = MemoryClaims(ttl=0)
    assert claims.claim("u") and claims.claim("u")


def test_redis_claims_shared_between_clients(redis_client):
    client, prefix = redis_client
    one, two = RedisClaims(client, prefix, ttl=30), RedisClaims(redis.Redis.from_url(REDIS_URL), prefix, ttl=30)
    assert one.claim("https://a.example/news/1")
    assert not two.claim("https://a.example/news/1")
    two.release("https://a.example/news/1")
    assert one.claim("https://a.example/news/1")
    assert 0 < client.ttl(next(iter(client.scan_iter(f"{prefix}*claim*")))) <= 30


def test_redis_poll_slot_refuses_second_poll_in_interval(redis_client):
    client, prefix = redis_client
    claims = RedisClaims(client, prefix)
    assert claims.poll_slot("isna", 300)
    assert not claims.poll_slot("isna", 300)
    assert claims.poll_slot("yjc", 300)


def test_transient_classification():
    from worker.http import errors as E

    assert is_transient(TransientError("x"))
    assert is_transient(redis.ConnectionError("down"))
    assert is_transient(E.ServerError("503", url="u", status=503))
    assert not is_transient(E.ClientError("404", url="u", status=404))
    assert not is_transient(ValueError("parser bug"))


def test_json_logs_carry_fields():
    stream = io.StringIO()
    configure_logging(Settings(log_json=True), stream=stream)
    logging.getLogger("bayegan.test").info("stored", extra={"source": "isna", "url": "https://isna.ir/news/1"})
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["event"] == "stored" and line["source"] == "isna" and line["level"] == "info"
    configure_logging(Settings(log_json=False), stream=stream)
    logging.getLogger("bayegan.test").warning("error", extra={"kind": "fetch"})
    assert stream.getvalue().rstrip().endswith("kind=fetch")


def test_celery_config_reliability_settings(tmp_path):
    from worker.daemon import app as celery_app

    s = Settings(queue_prefix="tq_", archive_dir=tmp_path)
    app = celery_app.make_app(s)
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit > conf.task_soft_time_limit
    assert conf.broker_transport_options["global_keyprefix"] == "tq_"
    stages = ("discover", "fetch", "parse", "store", "reingest", "recheck")
    assert {q.name for q in conf.task_queues} == {f"tq_{s}" for s in stages}
    assert conf.task_routes["worker.tasks.store"]["queue"] == "tq_store"
    assert conf.beat_scheduler == "worker.daemon.beat:ResilientRedBeatScheduler"
    schedule = conf.beat_schedule
    assert schedule, "every enabled source gets a beat entry"
    for name, entry in schedule.items():
        if name.startswith("recheck:"):      # re-checks: their own task and queue
            assert entry["task"] == "worker.tasks.recheck" and entry["options"]["queue"] == "tq_recheck"
            continue
        assert entry["task"] == "worker.tasks.poll_source" and entry["options"]["queue"] == "tq_discover"
        assert name == f"poll:{entry['args'][0]}"


def test_visibility_timeout_must_outlast_tasks():
    from worker.daemon.app import check_timeouts

    with pytest.raises(ConfigError, match="VISIBILITY_TIMEOUT"):
        check_timeouts(Settings(visibility_timeout=100, task_time_limit=180))
    with pytest.raises(ConfigError, match="SOFT_TIME_LIMIT"):
        check_timeouts(Settings(task_soft_time_limit=200, task_time_limit=180))


def test_parse_message_leaves_the_body_in_the_warc(tmp_path):
    """The parse task reads the page back from the WARC capture (decoded as the fetcher decoded it)."""
    import gzip

    from storage import open_archive
    from storage.capture import Exchange
    from worker.pipeline.pages import FetchedPage, read_response_body

    html = "<html><body><p>سلام دنیا</p></body></html>".encode() * 200
    exchange = Exchange(url="http://127.0.0.1:1/news/1", status=200, body=gzip.compress(html),
                        response_headers=[("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Encoding", "gzip")],
                        request_headers=[("User-Agent", "t")], fetched_at="2026-01-01T00:00:00Z")
    with open_archive(tmp_path) as archive:
        cap = archive.write_capture(exchange, {"source": "isna", "canonical_url": exchange.url})
    assert read_response_body(tmp_path, cap.warc, cap.offset) == html

    page = FetchedPage(url=exchange.url, requested_url=exchange.url, canonical_url=exchange.url, source_id="isna",
                       content=html, content_type="text/html", fetched_at="x", warc=cap.warc, offset=cap.offset)
    message = page.to_message()
    assert message["content"] is None and len(json.dumps(message)) < 1000
    assert FetchedPage.from_message(message).content == b""
    page.revisit = True              # a revisit record holds no payload: the body travels inline
    assert FetchedPage.from_message(page.to_message()).content == html
