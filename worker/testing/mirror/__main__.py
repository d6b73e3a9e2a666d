"""Run the test mirror in the foreground (for the demo and manual poking):

    python -m worker.testing.mirror --articles 50 --sources-out mirror_sources.toml
    bayegan ingest --sources mirror_sources.toml

Prints each agency's base URL and the fault URLs, writes the registry file, serves until Ctrl-C.
"""
from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from pathlib import Path

from .faults import FAULTS, FEED_FAULTS
from .server import DEFAULT_AGENCIES, MirrorServer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m worker.testing.mirror", description=__doc__.split("\n\n")[0])
    ap.add_argument("--agencies", default=",".join(DEFAULT_AGENCIES), help="comma-separated agency ids")
    ap.add_argument("--articles", type=int, default=20, help="articles per agency")
    ap.add_argument("--size-kb", type=int, default=None, help="pad article pages to about this size")
    ap.add_argument("--no-faults", action="store_true", help="serve no fault URLs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--politeness", type=float, default=0.0, help="politeness_interval in the written sources")
    ap.add_argument("--crawl-delay", type=float, default=None, help="Crawl-delay in robots.txt")
    ap.add_argument("--port-base", type=int, default=0,
                    help="0: free ports; N: agencies on ports N, N+1, ... (the foreign host after them)")
    ap.add_argument("--sources-out", type=Path, default=Path("mirror_sources.toml"))
    args = ap.parse_args(argv)

    mirror = MirrorServer(agencies=tuple(a.strip() for a in args.agencies.split(",") if a.strip()),
                          articles=args.articles, faults=not args.no_faults, seed=args.seed,
                          size_kb=args.size_kb, politeness_interval=args.politeness,
                          crawl_delay=args.crawl_delay, port_base=args.port_base)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with mirror:
        path = mirror.write_sources_toml(args.sources_out)
        for agency in mirror.agency_ids:
            site = mirror.sites[agency]
            print(f"{agency:12s} {site.base}/  ({site.family}, {len(site.articles)} articles)")
        if not args.no_faults:
            print("faults (first agency):")
            table = {f.name: f for f in FAULTS + FEED_FAULTS}
            for name, url in mirror.fault_urls.items():
                print(f"  {name:18s} {table[name].outcome:8s} {url}")
        print(f"sources written to {path}")
        print("serving; Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
