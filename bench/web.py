"""Web app benchmark: search page and article page latency (p50/p95) on a SQLite archive.

Builds (or reuses) a synthetic archive (bench/gen_archive.py, stored through Archive.store_many),
starts the real server (`bayegan serve`) on a free loopback port, and times pages with a real
HTTP client (httpx, one connection, sequential). Baseline in the same run: the static CSS
file, i.e. what the server and client cost without touching the archive. Goals: search p95
<= 100 ms, article p95 <= 50 ms at 100K articles.

    python bench/web.py --articles 100000 --archive /tmp/web-bench   # reuses it if already there
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
# bench/storage.py would shadow the storage package: the repo first, bench/ last (for gen_archive)
sys.path = [str(BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]
from gen_archive import generate, to_article  # noqa: E402

from storage import open_archive  # noqa: E402


def build(root: Path, n: int) -> None:
    with open_archive(root, worker_name="bench") as arc:
        have = arc.index.count("articles")
        if have >= n * 0.9:
            print(f"reusing {root}: {have} articles")
            return
        t0, batch = time.perf_counter(), []
        for d in generate(n):
            batch.append(to_article(d))
            if len(batch) == 2000:
                arc.store_many(batch)
                batch = []
        if batch:
            arc.store_many(batch)
        print(f"built {root}: {arc.index.count('articles')} articles in {time.perf_counter() - t0:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(client: httpx.Client, paths: list[str]) -> list[float]:
    out = []
    for p in paths:
        t0 = time.perf_counter()
        r = client.get(p)
        out.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{p}: HTTP {r.status_code}")
    return out


def report(name: str, ms: list[float], base_p95: float | None = None) -> float:
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1]
    ratio = f"  ({p95 / base_p95:.1f}x the static-file p95)" if base_p95 else ""
    print(f"{name:<14} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms{ratio}")
    return p95


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--archive", type=Path, default=Path("/tmp/bayegan-web-bench"))
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    build(args.archive, args.articles)
    with open_archive(args.archive, worker_name="bench") as arc:
        rows = arc.index.all("SELECT id, title FROM articles ORDER BY n DESC LIMIT 5000")
    rnd = random.Random(7)
    words = [w for r in rows for w in (r["title"] or "").split() if len(w) > 3]
    port = free_port()
    bayegan = Path(sys.executable).with_name("bayegan")
    proc = subprocess.Popen([str(bayegan), "serve", "--archive", str(args.archive), "--port", str(port)],
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        for _ in range(100):
            try:
                client.get("/static/style.css")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        client.get("/search", params={"q": words[0]})                 # opens the archive
        n = args.requests
        base = report("static css", timed(client, ["/static/style.css"] * n))
        searches = [f"/search?q={rnd.choice(words)}" for _ in range(n)]
        report("search page", timed(client, searches), base)
        pairs = [f"/search?q={rnd.choice(words)}+{rnd.choice(words)}" for _ in range(n)]
        report("search 2 words", timed(client, pairs), base)
        report("article page", timed(client, [f"/articles/{rnd.choice(rows)['id']}" for _ in range(n)]), base)
        report("api search", timed(client, [s.replace("/search", "/api/search") for s in searches]), base)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
