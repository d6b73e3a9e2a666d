"""Hostile inputs: parse / decode time and peak RSS per input, each case in its own subprocess.

    .venv/bin/python bench/hostile.py [--mb 1.0]

Each case runs in a fresh `python -c` child (so its peak RSS, ru_maxrss, is its own); the time is
the child's wall time for the operation alone (the import of parsers/hazm is excluded, measured
once as the `baseline` row). The last lines compare the worst case against the goals: parse at most
2 s per MB and 5 s in all, peak memory under 512 MB. Cases that only the issue-11 normalization
work makes linear (the long letter run, 100,000 ZWNJ) are reported as they are on this branch.
A page the parser refuses (the attributes case: a ParseFailure) prints its error kind and message.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
kind, size = sys.argv[1], int(sys.argv[2])
import parsers, brotli
from worker.pipeline.pages import FetchedPage, parse_outcome, warm_up_parser
warm_up_parser()   # hazm's lazy load is start-up cost, not the page's
from worker.http.bodies import decode_content, BodyLimitExceeded
from worker.discovery.feeds import parse_feed
body = "<p>متن عادی یک خبر که چند کلمه دارد و به اندازه کافی بلند است تا بدنه حساب شود.</p>" * 8
def page(inner, head=""):
    return ("<html><head><meta charset='utf-8'><meta property='og:type' content='article'>" + head +
            "<title>خبر</title></head><body><article><h1>خبر آزمایشی برای ورودی</h1>" + inner + body +
            "</article></body></html>").encode()
pages = {
    "baseline": lambda: page(""),
    "begozaresh": lambda: page("<p>" + "به گزارش " * (size // 17) + "</p>"),
    "guillemets": lambda: page("<p>" + "«»" * (size // 4) + "</p>"),
    "attributes": lambda: page("<p " + " ".join(f"a{i}='x'" for i in range(size // 8)) + ">x</p>"),
    "letter_run": lambda: page("<p>" + "ب" * min(size // 2, 20000) + "</p>"),
    "zwnj": lambda: page("<p>الف" + "\u200c" * min(size // 3, 100000) + "ب</p>"),
    "json_ld_deep": lambda: page("", "<script type='application/ld+json'>" + "[" * 1000 + "]" * 1000 + "</script>"),
    "stray_byte": lambda: page("<p>بایت</p>").replace("بایت".encode(), b"\xff", 1),
}
t0 = time.monotonic()
if kind == "brotli_bomb":
    c = brotli.Compressor(quality=1)
    data = b"".join(c.process(b"\0" * (32 << 20)) for _ in range(32)) + c.finish()
    t0 = time.monotonic()
    try:
        decode_content(data, "br", 20 << 20); outcome = "decoded"
    except BodyLimitExceeded as e:
        outcome = "refused: " + str(e)
elif kind == "feed_200k":
    items = "".join(f"<item><link>https://x.ir/n/{i}</link></item>" for i in range(200000))
    data = ("<rss version='2.0'><channel>" + items + "</channel></rss>").encode()
    t0 = time.monotonic()
    outcome = f"{len(parse_feed(data, 'https://x.ir/rss'))} items"
else:
    data = pages[kind]()
    t0 = time.monotonic()
    fp = FetchedPage(url="https://x.ir/news/1", requested_url="https://x.ir/news/1",
                     canonical_url="https://x.ir/news/1", source_id="x", content=data,
                     content_type="text/html", fetched_at=None)
    r = parse_outcome(fp)
    if hasattr(r, "kind"):   # a ParseFailure (kind, message)
        outcome = f"{getattr(r.kind, 'value', r.kind)}: {r.message[:70]}"
    else:
        outcome = "article" + (f" warnings={r.warnings}" if r.warnings else "")
print(json.dumps({"seconds": time.monotonic() - t0, "bytes": len(data), "outcome": outcome,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
CASES = ["baseline", "begozaresh", "guillemets", "attributes", "letter_run", "zwnj", "json_ld_deep",
         "stray_byte", "brotli_bomb", "feed_200k"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=1.0, help="size of the repeated-text pages")
    ap.add_argument("--timeout", type=float, default=300.0, help="give up on one case after this")
    args = ap.parse_args()
    size = int(args.mb * 1_000_000)
    print(f"{'case':14} {'bytes':>10} {'seconds':>8} {'s/MB':>6} {'rss MB':>7}  outcome")
    worst_time, worst_rss = ("", 0.0), ("", 0.0)
    for kind in CASES:
        try:
            out = subprocess.run([sys.executable, "-c", CHILD, kind, str(size)], capture_output=True,
                                 text=True, timeout=args.timeout)
            row = json.loads(out.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            print(f"{kind:14} {'':>10} {'>' + str(int(args.timeout)):>8}  (killed)")
            continue
        except (IndexError, ValueError):
            print(f"{kind:14} crashed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        per_mb = row["seconds"] / max(row["bytes"] / 1e6, 1e-9)
        print(f"{kind:14} {row['bytes']:>10} {row['seconds']:>8.2f} {per_mb:>6.2f} {row['rss_mb']:>7.0f}  "
              f"{row['outcome']}")
        if kind not in ("brotli_bomb", "feed_200k") and row["seconds"] > worst_time[1]:
            worst_time = (kind, row["seconds"])
        if row["rss_mb"] > worst_rss[1]:
            worst_rss = (kind, row["rss_mb"])
    print(f"worst parse time: {worst_time[0]} {worst_time[1]:.2f} s (goal <= 5 s and <= 2 s/MB)")
    print(f"worst peak RSS:   {worst_rss[0]} {worst_rss[1]:.0f} MB (goal < 512 MB)")


if __name__ == "__main__":
    main()
