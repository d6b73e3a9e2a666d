"""Fetching benchmark against the agency mirror (worker/mirror), politeness off. Prints figures.

    .venv/bin/python bench/fetch.py [--articles 200] [--threads 8] [--rounds 3]

1. URLs discovered per second: discover() over every mirrored agency's feeds, sitemap index +
   children and listing page (fresh state each round: everything parsed), then a backfill over the
   Jalali archive pages.
2. Pages fetched per second: every article page, 1 thread and N threads (one pooled client).
3. Cost per request of the Redis politeness check (reserve a slot: one EVALSHA) and of the whole
   per-request Redis work of the Fetcher (host-down check + slot in one script), vs. in-process,
   with a plain GET as the round-trip baseline of this machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

# Running `python bench/fetch.py` puts bench/ first on sys.path, where bench/storage.py would shadow
# the storage package: drop it.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from worker.config import Settings  # noqa: E402
from worker.discovery.backfill import backfill  # noqa: E402
from worker.discovery.links import discover  # noqa: E402
from worker.http.fetcher import Fetcher  # noqa: E402
from worker.http.politeness import LocalPoliteness, RedisPoliteness  # noqa: E402
from worker.sources import sources_from_dicts  # noqa: E402
from worker.testing.mirror import MirrorServer  # noqa: E402

AGENCIES = ("isna", "yjc", "tasnim", "bbcpersian")


def bench_discovery(sources, fetcher, rounds: int) -> tuple[float, int]:
    total, elapsed = 0, 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for source in sources.values():
            total += len(discover(source, fetcher, {}))
        elapsed += time.perf_counter() - started
    return total / elapsed, total // rounds


def bench_backfill(sources, fetcher, start: date, end: date) -> tuple[float, int]:
    started = time.perf_counter()
    n = sum(1 for s in sources.values() for _ in backfill(s, start, end, fetcher))
    return n / (time.perf_counter() - started), n


def bench_pages(urls, sources, fetcher, threads: int) -> tuple[float, float]:
    def get(item):
        url, sid = item
        return len(fetcher.fetch(url, sources[sid]).exchange.body)

    started = time.perf_counter()
    if threads == 1:
        nbytes = sum(map(get, urls))
    else:
        with ThreadPoolExecutor(threads) as pool:
            nbytes = sum(pool.map(get, urls))
    dt = time.perf_counter() - started
    return len(urls) / dt, nbytes / dt / 1e6


def bench_politeness(n: int) -> dict[str, float]:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=3)
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    out = {}
    try:
        rp = RedisPoliteness(client, prefix=prefix)
        for label, fn in (("redis GET, one round trip (baseline)", lambda: client.get(prefix + "none")),
                          ("redis reserve (the politeness check)", lambda: rp.reserve("host.example", 0.0)),
                          ("redis per-request total (Fetcher: host-down check + slot, one EVALSHA)",
                           lambda: rp.acquire("host.example", 0.0)),
                          ("in-process reserve", (lambda lp=LocalPoliteness(): lp.reserve("host.example", 0.0)))):
            fn()
            samples = []
            for _ in range(5):
                started = time.perf_counter()
                for _ in range(n):
                    fn()
                samples.append((time.perf_counter() - started) / n * 1e6)
            out[label] = statistics.median(samples)
    finally:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=200, help="articles per mirrored agency")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--politeness-calls", type=int, default=5000)
    args = ap.parse_args()

    settings = Settings(politeness=False, respect_robots=True, max_retries=1)
    with MirrorServer(agencies=AGENCIES, articles=args.articles, faults=False, feed_size=50) as mirror:
        sources = sources_from_dicts(mirror.sources(), origin="mirror")
        fetcher = Fetcher(settings)
        print(f"mirror: {len(AGENCIES)} agencies x {args.articles} articles, politeness off, robots obeyed")
        rate, per_round = bench_discovery(sources, fetcher, args.rounds)
        print(f"discovery (feeds + sitemaps + listings): {rate:,.0f} URLs/s  ({per_round} links per pass)")
        days = sorted({a.truth["published_iso"][:10] for a in mirror.articles})
        start, end = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
        rate, n = bench_backfill(sources, fetcher, start, end)
        print(f"backfill (Jalali archive pages {start}..{end}): {rate:,.0f} URLs/s  ({n} links)")
        urls = [(a.url, a.agency) for a in mirror.articles]
        for threads in (1, args.threads):
            pages, mb = bench_pages(urls, sources, fetcher, threads)
            print(f"pages fetched, {threads} thread(s): {pages:,.0f} pages/s  ({mb:,.1f} MB/s raw)  n={len(urls)}")
    for label, us in bench_politeness(args.politeness_calls).items():
        print(f"{label}: {us:,.1f} µs/request")


if __name__ == "__main__":
    main()
