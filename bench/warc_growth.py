"""WARC growth over a simulated day of polling (compressed clock). Prints figures.

    .venv/bin/python bench/warc_growth.py [--hours 24] [--articles-per-day 8] [--agencies isna,tasnim]

Every source is polled at the registry's real `poll_interval` (worker/sources.toml) for the
simulated hours, but polls run back to back (a compressed clock: no sleeping). New articles
appear on the mirror at `--articles-per-day` per agency. Every exchange goes to the WARC through
the exchange sink. Reported: WARC bytes per stored article and the share of WARC bytes taken by
non-article exchanges (robots.txt, feeds, sitemaps, listings, redirects, errors); goal < 30%.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from storage import open_archive  # noqa: E402
from worker.config import Settings  # noqa: E402
from worker.pipeline.ingest import run_ingest  # noqa: E402
from worker.pipeline.stages import Pipeline  # noqa: E402
from worker.sources import load_sources  # noqa: E402
from worker.testing.mirror import MirrorServer  # noqa: E402


def classify(root: Path) -> tuple[Counter[str], int]:
    """Compressed bytes per class: article (page request/response + its metadata), other, warcinfo."""
    arc = open_archive(root, worker_name="bench-read")
    try:
        pages = {ex.url for ex, meta in arc.iter_captures() if meta.get("canonical_url") and ex.status == 200}
        stored = len(arc.index.all("SELECT id FROM articles"))
    finally:
        arc.close()
    sizes: Counter[str] = Counter()
    for path in sorted((root / "warc").rglob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                rec.content_stream().read()
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                kind = ("warcinfo" if rec.rec_type == "warcinfo" else
                        "article" if uri in pages or uri.startswith("urn:bayegan:") else "other")
                sizes[kind] += it.get_record_length() or 0
                sizes[f"{kind}:{rec.rec_type}"] += 1
    return sizes, stored


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=24)
    ap.add_argument("--articles-per-day", type=int, default=8)
    ap.add_argument("--agencies", default="isna,tasnim")
    args = ap.parse_args()
    agencies = tuple(args.agencies.split(","))
    registry = load_sources()
    interval = min(registry[a].poll_interval for a in agencies if a in registry)
    polls = int(args.hours * 3600 / interval)
    publish_every = max(1, int(polls / max(1, args.articles_per_day * args.hours / 24)))
    with tempfile.TemporaryDirectory() as tmp, \
            MirrorServer(agencies=agencies, articles=args.articles_per_day, faults=False) as server:
        root = Path(tmp) / "archive"
        settings = dataclasses.replace(Settings(), archive_dir=root, politeness=False, worker_name="bench",
                                       sources_file=server.write_sources_toml(Path(tmp) / "sources.toml"))
        pipeline = Pipeline(settings)
        started = time.perf_counter()
        try:
            for n in range(polls):
                if n and n % publish_every == 0:
                    for agency in agencies:
                        server.publish(agency)
                run_ingest(pipeline, list(pipeline.sources), threads=2)
        finally:
            pipeline.close()
        elapsed = time.perf_counter() - started
        sizes, stored = classify(root)
    total = sizes["article"] + sizes["other"] + sizes["warcinfo"]
    print(f"simulated {args.hours:g} h: {polls} polls of {len(agencies)} agencies every {interval}s "
          f"(registry), {elapsed:.1f}s wall")
    print(f"stored articles: {stored}; WARC bytes: {total} ({total / max(1, stored):.0f} per stored article)")
    print(f"article exchanges: {sizes['article']} B; non-article exchanges: {sizes['other']} B "
          f"({100 * sizes['other'] / max(1, total):.1f}% of WARC bytes; goal < 30%); warcinfo {sizes['warcinfo']} B")
    print("records:", ", ".join(f"{k}={v}" for k, v in sorted(sizes.items()) if ":" in k))


if __name__ == "__main__":
    main()
