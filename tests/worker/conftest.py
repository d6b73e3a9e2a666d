"""Fixtures of the fetching tests: a scriptable HTTP server on 127.0.0.1, settings for it, and a
real Redis (db 3) under a unique key prefix that is removed afterwards."""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))   # worker_testkit (importlib import mode)

from worker_testkit import LocalServer

from worker.config import Settings


@pytest.fixture
def server():
    srv = LocalServer()
    srv.route("/robots.txt", 200, "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    yield srv
    srv.close()


@pytest.fixture
def settings() -> Settings:
    return Settings(politeness_interval=0.0, max_retries=2, connect_timeout=1.0, read_timeout=1.0,
                    total_timeout=5.0, max_body_bytes=2_000_000, max_redirects=4, host_down_seconds=30.0)


@pytest.fixture
def redis_db3():
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=3)
    prefix = f"bayegan-test:{os.getpid()}:{uuid.uuid4().hex[:8]}:"
    yield client, prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
