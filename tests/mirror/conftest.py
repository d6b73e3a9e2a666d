"""Fixtures for the test-mirror tests: one mirror of all four families, with faults, per module."""
from __future__ import annotations

import httpx
import pytest

from worker.testing.mirror import MirrorServer


@pytest.fixture(scope="module")
def mirror():
    # small, fast settings: the faults keep their shape, only their sizes and delays shrink
    with MirrorServer(articles=14, faults=True, seed=3, slow_seconds=0.4, huge_bytes=3 * 1024 * 1024,
                      page_size=5, feed_size=8) as m:
        yield m


@pytest.fixture()
def client():
    with httpx.Client(timeout=10) as c:
        yield c
