"""Real processes storing the same article at the same moment: exactly one record (both backends)."""
from __future__ import annotations

import json
import multiprocessing as mp

from storage_helpers import persian_text, race_store

from storage import open_archive


def run_race(archive_dir, index_url, url_sets, text):
    open_archive(archive_dir, index_url=index_url, worker_name="setup").close()   # schema in place
    # Real processes. forkserver: children are forked from a clean single-threaded server with
    # storage preloaded (fast), never from this test process, which may run threads.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["storage", "storage_helpers"])
    barrier, results = ctx.Barrier(len(url_sets)), ctx.Queue()
    procs = [ctx.Process(target=race_store, args=(archive_dir, index_url, f"p{i}", barrier, urls, text, results))
             for i, urls in enumerate(url_sets)]
    for p in procs:
        p.start()
    out = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert not [r for r in out if isinstance(r, BaseException)], out
    return out


def record_lines(root):
    return [json.loads(l) for p in (root / "records").rglob("*.jsonl") for l in p.read_text("utf-8").splitlines()]


def test_same_article_from_four_processes_is_stored_once(archive_dir, index_url):
    results = run_race(archive_dir, index_url, [["https://www.isna.ir/news/1/"]] * 4, persian_text(1))
    statuses = sorted(s for r in results for s in r)
    assert statuses == ["new", "unchanged", "unchanged", "unchanged"]
    arc = open_archive(archive_dir, index_url=index_url, worker_name="check")
    try:
        assert arc.index.count("articles") == 1 and arc.index.count("versions") == 1
    finally:
        arc.close()
    assert len(record_lines(archive_dir)) == 1


def test_same_content_under_two_urls_at_once_gives_one_article_and_one_alias(archive_dir, index_url):
    results = run_race(archive_dir, index_url, [["https://www.isna.ir/news/2/"], ["https://www.yjc.ir/news/2/"]],
                       persian_text(2))
    assert sorted(s for r in results for s in r) == ["alias", "new"]
    arc = open_archive(archive_dir, index_url=index_url, worker_name="check")
    try:
        assert arc.index.count("articles") == 1 and arc.index.count("aliases") == 1
    finally:
        arc.close()
