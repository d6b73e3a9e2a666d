"""Integration fixtures: the mirror and a real Redis (db 5-9, unique prefixes, cleaned up)."""
from __future__ import annotations

import pytest
import redis

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session", autouse=True)
def _redis_up():
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/5", socket_connect_timeout=2).ping()
    except redis.ConnectionError as exc:  # a real Redis is part of the CI contract: fail, never skip
        pytest.fail(f"Redis on 127.0.0.1:6379 is needed for the integration tests: {exc}")
