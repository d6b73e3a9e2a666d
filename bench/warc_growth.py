"""WARC growth over a simulated day of polling (compressed clock). Prints figures.

    .venv/bin/python bench/warc_growth.py [--hours 24] [--articles-per-day 300] [--agencies isna,tasnim]
                                          [--schedule adaptive|fixed] [--page-kb 100]

Every source is polled on a simulated clock (polls run back to back, no sleeping) with the
registry's real `poll_interval`, `min_poll` and `max_poll` (worker/sources.toml):
`--schedule adaptive` (default) polls a source when it is due as the daemon does (the beat ticks
every `min_poll`; worker.discovery.polling moves the interval by what each poll found),
`--schedule fixed` polls every source every `poll_interval`, the daemon's worst case. New
articles appear on the mirror at `--articles-per-day` per agency, spread over the day (default
300: the corpus's Mehr text-only listing of 1389/12/19 lists 358 items from 09:47 to 19:27, IDs
1271167-1271620, so an agency publishes several hundred a day; at the old default of 8 a day,
polling dominates whatever the WARC layout); article
pages are padded to `--page-kb` KiB (the corpus's ISNA and Tasnim pages are 112 and 80 KB; the
mirror's bare pages are ~20 KB); the mirror starts with a feed's worth (20) of older articles.
Every exchange goes to the WARC through the exchange sink.
Reported: WARC bytes per stored article, the share of WARC bytes taken by non-article exchanges
(robots.txt, feeds, sitemaps, listings, redirects, errors; goal < 30%), and the bytes by URL class
and record type (compressed record bytes, and the uncompressed header/payload split).
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
from typing import Any

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from storage import open_archive  # noqa: E402
from worker.config import Settings  # noqa: E402
from worker.pipeline.ingest import run_ingest  # noqa: E402
from worker.pipeline.stages import Pipeline  # noqa: E402
from worker.sources import load_sources  # noqa: E402
from worker.testing.mirror import MirrorServer  # noqa: E402


def url_class(uri: str, rec: Any, pages: set[str], sources: list[Any]) -> str:
    if uri.startswith("urn:bayegan:") or uri in pages:
        return "article"
    status = rec.http_headers.get_statuscode() if rec.http_headers and rec.rec_type != "request" else ""
    if status in ("301", "302", "303", "307", "308"):
        return "redirect"
    if status[:1] in ("4", "5"):
        return "error"
    if uri.endswith("/robots.txt"):
        return "robots"
    if any(uri in s.feeds for s in sources):
        return "feed"
    if any(uri in s.sitemaps for s in sources) or "sitemap" in uri.lower():
        return "sitemap"
    if any(uri in s.listings for s in sources):
        return "listing"
    return "other"


def classify(root: Path, sources: list[Any]) -> tuple[Counter[str], Counter[str], int]:
    """Compressed bytes per (class, record type), record counts, stored articles."""
    arc = open_archive(root, worker_name="bench-read")
    try:
        pages = {ex.url for ex, meta in arc.iter_captures() if meta.get("canonical_url") and ex.status == 200}
        stored = len(arc.index.all("SELECT id FROM articles"))
    finally:
        arc.close()
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for path in sorted((root / "warc").rglob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                payload = len(rec.content_stream().read())
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                kind = "warcinfo" if rec.rec_type == "warcinfo" else url_class(uri, rec, pages, sources)
                length = it.get_record_length() or 0
                sizes[kind] += length
                sizes[f"{kind}:{rec.rec_type}"] += length
                counts[f"{kind}:{rec.rec_type}"] += 1
                head = len(rec.rec_headers.to_str()) + (len(rec.http_headers.to_str()) if rec.http_headers else 0)
                side = "article" if kind == "article" else "non-article"
                sizes[f"raw:{side}:headers"] += head
                sizes[f"raw:{side}:payload"] += payload
    return sizes, counts, stored


def _to_wall(state: dict, now: float, last: float | None) -> float | None:
    """Discovery keeps `secondary_at` in wall-clock time; set it so that as much simulated time
    has passed since the last sitemap/listing read as the simulation says."""
    if last is not None:
        state["secondary_at"] = time.time() - (now - last)
    return state.get("secondary_at")


def simulate(pipeline: Pipeline, server: MirrorServer, agencies: tuple[str, ...], registry: dict,
             args: argparse.Namespace) -> int:
    """Run the polls of `args.hours` simulated hours; returns how many source polls ran."""
    tick = min(registry[a].min_poll for a in agencies)
    end = args.hours * 3600
    publish_gap = 86400 / max(1, args.articles_per_day)
    next_publish = publish_gap
    due = dict.fromkeys(agencies, 0.0)
    secondary: dict[str, float] = {}     # simulated time each source last read its sitemaps/listings
    polls, now = 0, 0.0
    while now < end:
        while next_publish <= now:
            for agency in agencies:
                server.publish(agency)
            next_publish += publish_gap
        todo = [a for a in agencies if due[a] <= now]
        if todo:
            marks = {a: _to_wall(pipeline.discovery_state(a), now, secondary.get(a)) for a in todo}
            run_ingest(pipeline, todo, threads=2)
            polls += len(todo)
            for a in todo:
                if pipeline.discovery_state(a).get("secondary_at") != marks[a]:
                    secondary[a] = now      # this poll read the sitemaps and listings
                interval = (registry[a].poll_interval if args.schedule == "fixed"
                            else float(pipeline.discovery_state(a).get("interval") or registry[a].poll_interval))
                due[a] = now + interval
        now += tick if args.schedule == "adaptive" else min(registry[a].poll_interval for a in agencies)
    return polls


def report(sizes: Counter[str], counts: Counter[str], stored: int, polls: int, args: argparse.Namespace,
           elapsed: float) -> None:
    total = sum(sizes[k] for k in sizes if ":" not in k)
    other = total - sizes["article"] - sizes["warcinfo"]
    print(f"simulated {args.hours:g} h, schedule {args.schedule} (registry intervals): {polls} source polls, "
          f"{args.articles_per_day} new articles/day/agency, pages ~{args.page_kb} KiB; {elapsed:.1f}s wall")
    print(f"stored articles: {stored}; WARC bytes: {total} ({total / max(1, stored):.0f} per stored article)")
    print(f"article exchanges: {sizes['article']} B; non-article exchanges: {other} B "
          f"({100 * other / max(1, total):.1f}% of WARC bytes; goal < 30%); warcinfo {sizes['warcinfo']} B")
    classes = sorted({k.split(":")[0] for k in sizes if ":" not in k}, key=lambda k: -sizes[k])
    for kind in classes:
        parts = ", ".join(f"{k.split(':')[1]} {counts[k]}x {sizes[k]} B"
                          for k in sorted(counts) if k.startswith(kind + ":"))
        print(f"  {kind:9s} {sizes[kind]:9d} B {100 * sizes[kind] / max(1, total):5.1f}%  ({parts})")
    for side in ("article", "non-article"):
        h, p = sizes[f"raw:{side}:headers"], sizes[f"raw:{side}:payload"]
        print(f"  {side} uncompressed: headers {h} B, payload {p} B")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=24)
    ap.add_argument("--articles-per-day", type=int, default=300)
    ap.add_argument("--agencies", default="isna,tasnim")
    ap.add_argument("--schedule", choices=("adaptive", "fixed"), default="adaptive")
    ap.add_argument("--page-kb", type=int, default=100)
    args = ap.parse_args()
    agencies = tuple(args.agencies.split(","))
    registry = load_sources()
    with tempfile.TemporaryDirectory() as tmp, \
            MirrorServer(agencies=agencies, articles=min(20, args.articles_per_day), faults=False,
                         size_kb=args.page_kb or None) as server:
        root = Path(tmp) / "archive"
        settings = dataclasses.replace(Settings(), archive_dir=root, politeness=False, worker_name="bench",
                                       sources_file=server.write_sources_toml(Path(tmp) / "sources.toml"))
        pipeline = Pipeline(settings)
        for a in agencies:      # the mirror's entries, with the registry's real polling intervals
            real = registry[a]
            pipeline.sources[a] = dataclasses.replace(pipeline.sources[a], poll_interval=real.poll_interval,
                                                      min_poll=real.min_poll, max_poll=real.max_poll)
        started = time.perf_counter()
        try:
            polls = simulate(pipeline, server, agencies, registry, args)
        finally:
            pipeline.close()
        elapsed = time.perf_counter() - started
        sizes, counts, stored = classify(root, list(pipeline.sources.values()))
    report(sizes, counts, stored, polls, args, elapsed)


if __name__ == "__main__":
    main()
