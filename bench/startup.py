"""Start-up time of the `bayegan` CLI, side by side with a bare `python -c "import click"`.

Prints, for `bayegan --help` and every subcommand's `--help`, the median wall time of N runs and
its ratio to the click baseline measured in the same run (runs interleaved, so load on the
machine hits both alike); then the wall time and peak RSS of `bayegan parse FILE` on one page.

    .venv/bin/python bench/startup.py [--runs 7] [--page FILE]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BAYEGAN = [sys.executable, "-m", "worker.cli"]
COMMANDS = [[], ["parse"], ["search"], ["show"], ["export"], ["stats"], ["errors"], ["index"],
            ["index", "rebuild"], ["sources"], ["sources", "list"], ["sources", "check"], ["backfill"],
            ["ingest"], ["run"], ["reingest"], ["recheck"], ["changes"], ["serve"]]


def _wall(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.decode()[-300:]}")
    return elapsed


def _first_page() -> Path | None:
    corpus = Path(os.environ.get("BAYEGAN_CORPUS", REPO.parent / "shared" / "corpus"))
    pages = sorted(p for p in corpus.rglob("*.html") if "truth" not in p.parts) if corpus.is_dir() else []
    return pages[0] if pages else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--page", type=Path, default=None,
                        help="Page for `bayegan parse` (default: first corpus page).")
    args = parser.parse_args()
    baseline_argv = [sys.executable, "-c", "import click"]
    times: dict[str, list[float]] = {"click": []}
    for _ in range(args.runs):
        times["click"].append(_wall(baseline_argv))
        for cmd in COMMANDS:
            times.setdefault(" ".join(["bayegan", *cmd, "--help"]), []).append(_wall([*BAYEGAN, *cmd, "--help"]))
    base = statistics.median(times["click"])
    print(f"{'command':<36}{'median s':>10}{'x click':>9}   (median of {args.runs} runs)")
    print(f"{'python -c \"import click\"':<36}{base:>10.3f}{1.0:>9.2f}")
    worst = 0.0
    for name, values in times.items():
        if name == "click":
            continue
        med = statistics.median(values)
        worst = max(worst, med / base)
        print(f"{name:<36}{med:>10.3f}{med / base:>9.2f}")
    print(f"worst ratio: {worst:.2f}x (target: within 4x)")
    page = args.page or _first_page()
    if page is None:
        print("parse FILE: no corpus page found (set BAYEGAN_CORPUS or give --page)")
        return
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    walls = [_wall([*BAYEGAN, "parse", str(page)]) for _ in range(3)]
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    note = "" if peak_kb > before else " (peak not above earlier children)"
    print(f"bayegan parse {page.name}: median {statistics.median(walls):.3f} s of 3, "
          f"peak RSS {peak_kb / 1024:.0f} MB{note}")


if __name__ == "__main__":
    main()
