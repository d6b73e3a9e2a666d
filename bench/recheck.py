"""Re-check benchmark. Prints figures.

    .venv/bin/python bench/recheck.py [--per-day 1000] [--articles 40]

1. Load at the default schedule (1h, 6h, 1d, 3d, 7d, 30d) for an agency publishing `--per-day`
   stories a day evenly: re-checks per hour in the steady state (after 30 days) and in the
   busiest hour of a 31-day simulation with the real scheduling function (next_step), and the
   share of the agency's request budget (one request per politeness interval, default 2 s)
   against the 30% cap the token bucket enforces.
2. CPU per re-check, measured against the mirror (politeness off): `--articles` stories of one
   agency ingested, then re-checked unchanged (conditional GET: 304 or same payload) and after
   every story was edited (fetch, parse, store a version, word diff); the baseline is the CPU
   per article of the first ingest in the same run.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from storage.dedup import iso_utc  # noqa: E402
from worker.config import Settings  # noqa: E402
from worker.pipeline.recheck import DEFAULT_SCHEDULE, next_step, parse_schedule, run_source  # noqa: E402


def load(per_day: int, interval: float, share: float) -> None:
    schedule = parse_schedule(DEFAULT_SCHEDULE)
    steady = per_day * len(schedule) / 24
    budget = 3600 / interval
    print(f"1. load at the default schedule ({DEFAULT_SCHEDULE}), {per_day} stories/day")
    print(f"   steady state: {steady:.0f} re-checks/hour = {steady / budget:.1%} of the budget "
          f"({budget:.0f} requests/hour at {interval:g} s politeness); cap {share:.0%} = {budget * share:.0f}/hour")
    # Simulation: due times of every re-check of every story published over 31 days, per hour.
    start = datetime(2024, 1, 1, tzinfo=UTC)
    per_hour: Counter[int] = Counter()
    gap = timedelta(days=1) / per_day
    for k in range(per_day * 31):
        first = start + gap * k
        first_s = iso_utc(first)
        now = first
        while True:
            _, due = next_step(first_s, schedule, now)
            if due is None:
                break
            now = datetime.fromisoformat(due.replace("Z", "+00:00"))
            per_hour[int((now - start).total_seconds() // 3600)] += 1
    hours = [per_hour[h] for h in range(24 * 31)]
    print(f"   simulated 31 days: busiest hour {max(hours)} re-checks ({max(hours) / budget:.1%} of the budget), "
          f"last day mean {sum(hours[-24:]) / 24:.0f}/hour")


def cpu(articles: int) -> None:
    from worker.pipeline.ingest import run_ingest
    from worker.pipeline.stages import Pipeline
    from worker.testing.mirror import MirrorServer

    with tempfile.TemporaryDirectory() as tmp, MirrorServer(agencies=("isna",), articles=articles, faults=False,
                                                           seed=5) as mirror:
        sources = mirror.write_sources_toml(Path(tmp) / "sources.toml")
        settings = dataclasses.replace(Settings(), archive_dir=Path(tmp) / "archive", sources_file=sources,
                                       politeness=False, worker_name="bench")
        pipeline = Pipeline(settings)
        t0 = time.process_time()
        run_ingest(pipeline, ["isna"])
        ingest_cpu = (time.process_time() - t0) / articles
        rows = []
        for label, mutate in (("unchanged", None), ("edited", mirror.edit), ("unchanged again", None)):
            if mutate:
                for a in mirror.articles:
                    mutate(a.url)
            t0, w0 = time.process_time(), time.perf_counter()
            summary = run_source(pipeline, "isna", every=True)
            spent, wall = time.process_time() - t0, time.perf_counter() - w0
            rows.append((label, summary, spent / max(1, summary.checked), wall / max(1, summary.checked)))
        pipeline.close()
    print(f"2. CPU per re-check against the mirror ({articles} stories; baseline: ingest "
          f"{ingest_cpu * 1000:.1f} ms CPU/article)")
    for label, s, c, w in rows:
        found = {k: v for k, v in s.to_dict().items() if k in ("same", "edited", "removed", "retry") and v}
        print(f"   {label:<16} {c * 1000:6.1f} ms CPU, {w * 1000:6.1f} ms wall per re-check "
              f"({c / ingest_cpu:.2f}x ingest) {found}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-day", type=int, default=1000)
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--interval", type=float, default=2.0, help="politeness interval, seconds")
    args = ap.parse_args()
    load(args.per_day, args.interval, Settings().recheck_share)
    cpu(args.articles)


if __name__ == "__main__":
    main()
