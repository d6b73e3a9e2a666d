"""Hostile bytes and addresses on the worker side (issue 13 part A)."""
from __future__ import annotations

import time

import brotli
import pytest

from worker.discovery.feeds import MAX_FEED_ITEMS, parse_feed
from worker.http.bodies import BodyLimitExceeded, decode_content
from worker.http.netguard import is_public_address
from worker.pipeline.deadline import ParseTimeout, parse_deadline_seconds, run_with_deadline


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.100.100.200", "192.0.0.8", "192.0.0.170", "198.18.0.1",
    "2002:7f00:1::1",            # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",         # 6to4 of 169.254.169.254
    "64:ff9b::7f00:1",           # NAT64 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",   # Teredo, client 127.0.0.1
    "::ffff:10.0.0.1", "127.0.0.1", "10.1.2.3", "169.254.169.254", "fd00::1", "::1",
])
def test_non_global_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "64:ff9b::808:808",
                                     "2002:808:808::1"])
def test_global_addresses_are_allowed(address: str) -> None:
    assert is_public_address(address)


def test_brotli_bomb_stops_at_the_cap() -> None:
    compressor = brotli.Compressor(quality=1)
    bomb = b"".join(compressor.process(b"\0" * (32 * 1024 * 1024)) for _ in range(32)) + compressor.finish()
    assert len(bomb) < 1_000_000    # 1 GiB of zeros
    with pytest.raises(BodyLimitExceeded):
        decode_content(bomb, "br", 5 * 1024 * 1024)
    assert decode_content(brotli.compress(b"salaam " * 1000), "br", 10**6) == b"salaam " * 1000


def test_huge_feed_is_truncated_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    items = "".join(f"<item><title>t{i}</title><link>https://x.ir/news/{i}</link></item>"
                    for i in range(MAX_FEED_ITEMS * 5))
    data = f"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title>{items}</channel></rss>".encode()
    entries = parse_feed(data, "https://x.ir/rss")
    assert len(entries) == MAX_FEED_ITEMS
    assert entries[-1].url == f"https://x.ir/news/{MAX_FEED_ITEMS - 1}"
    assert "more than" in caplog.text and "https://x.ir/rss" in caplog.text


def test_small_feed_is_read_whole() -> None:
    data = b"<rss version='2.0'><channel><item><link>https://x.ir/a</link></item></channel></rss>"
    assert [e.url for e in parse_feed(data, "https://x.ir/rss")] == ["https://x.ir/a"]


def test_parse_deadline_interrupts_cpu_bound_python() -> None:
    def spin() -> int:
        n = 0
        while True:
            n += 1

    started = time.monotonic()
    with pytest.raises(ParseTimeout):
        run_with_deadline(spin, 0.5)
    assert time.monotonic() - started < 30
    assert run_with_deadline(lambda: 42, 0.5) == 42


def test_parse_deadline_goal() -> None:
    assert parse_deadline_seconds(10_000) == 5.0
    assert parse_deadline_seconds(50_000_000) == 5.0
