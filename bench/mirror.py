"""Test-mirror figures: page generation speed and how fast the mirror serves article pages.

    .venv/bin/python bench/mirror.py [--articles 200] [--size-kb 150] [--threads 8]
"""
from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from worker.testing.mirror import MirrorServer
from worker.testing.mirror.sitegen import FAMILIES, generate_article


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200, help="articles per agency")
    ap.add_argument("--size-kb", type=int, default=150)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()

    for family in FAMILIES:
        t = time.perf_counter()
        sizes = [len(generate_article(n, family, size_kb=args.size_kb)[0]) for n in range(100)]
        dt = time.perf_counter() - t
        print(f"generate {family:12s} {100 / dt:7.0f} pages/s  mean {sum(sizes) / len(sizes) / 1024:.0f} KiB")

    t = time.perf_counter()
    with MirrorServer(articles=args.articles, size_kb=args.size_kb, faults=False) as mirror:
        print(f"mirror start ({len(mirror.articles)} articles, 4 agencies): {time.perf_counter() - t:.2f} s")
        urls = [a.url for a in mirror.articles]
        limits = httpx.Limits(max_connections=args.threads * 2, max_keepalive_connections=args.threads * 2)
        for encoding in ("identity", "gzip", "gzip"):   # the first gzip pass compresses, the second is cached
            with httpx.Client(limits=limits, headers={"Accept-Encoding": encoding}) as client:
                for u in urls[:20]:
                    client.get(u)            # warm the gzip cache and the connection pool
                t = time.perf_counter()
                with ThreadPoolExecutor(args.threads) as ex:
                    nbytes = sum(ex.map(lambda u: len(client.get(u).content), urls))
                dt = time.perf_counter() - t
                print(f"serve {encoding:8s} {args.threads} client threads: {len(urls) / dt:6.0f} pages/s, "
                      f"{nbytes / dt / 1e6:6.1f} MB/s decoded")


if __name__ == "__main__":
    main()
