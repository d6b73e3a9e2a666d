"""Pipeline throughput: articles/s end to end through Celery + Redis, through `bayegan ingest`, and
re-ingest from WARC; peak RSS per worker process. The test mirror serves pages of real size.

    .venv/bin/python bench/pipeline.py [--articles 100] [--size-kb 150] [--concurrency 2]

Politeness is off (the mirror is on loopback); robots.txt is still fetched and obeyed. Uses Redis
db 8 on 127.0.0.1:6379 under a unique key prefix, removed at the end. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
import redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from worker.testing.mirror import MirrorServer  # noqa: E402
from worker.testing.probes import stored_count  # noqa: E402

BROKER = "redis://127.0.0.1:6379/8"


class RssSampler(threading.Thread):
    """Peak memory of a process and each of its children, sampled every 200 ms.

    RSS counts pages shared copy-on-write with the Celery parent (the parser stack is loaded
    before the fork) in every child; PSS splits shared pages between their users and USS is what
    a process alone holds, so PSS is the fair "cost per worker process"."""

    def __init__(self, pid: int, full: bool = False) -> None:
        super().__init__(daemon=True)
        self.full = full          # PSS/USS read /proc/<pid>/smaps: costly, only for the worker run
        self.root = psutil.Process(pid)
        self.peak: dict[int, int] = {}
        self.peak_pss: dict[int, int] = {}
        self.peak_uss: dict[int, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for p in procs:
                try:
                    m = p.memory_full_info() if self.full else p.memory_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                self.peak[p.pid] = max(self.peak.get(p.pid, 0), m.rss)
                if self.full:
                    self.peak_pss[p.pid] = max(self.peak_pss.get(p.pid, 0), m.pss)
                    self.peak_uss[p.pid] = max(self.peak_uss.get(p.pid, 0), m.uss)
            time.sleep(0.2 if self.full else 0.1)

    def mb(self, which: dict[int, int]) -> list[float]:
        return [round(v / 2**20, 1) for v in sorted(which.values(), reverse=True)]


def _cpu_tree(pid: int, children: bool = True) -> float:
    total = 0.0
    root = psutil.Process(pid)
    for p in [root, *(root.children(recursive=True) if children else [])]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _cpu_self() -> float:
    t = psutil.Process().cpu_times()
    return t.user + t.system


def _cpu_redis() -> float:
    for p in psutil.process_iter(["name"]):
        if p.info["name"] == "redis-server":
            try:
                if any(c.laddr.port == 6379 for c in p.net_connections(kind="tcp") if c.status == "LISTEN"):
                    t = p.cpu_times()
                    return t.user + t.system
            except (psutil.AccessDenied, psutil.NoSuchProcess):
                continue
    return 0.0


def env_for(archive: Path, sources: Path, prefix: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"BAYEGAN_BROKER_URL": BROKER, "BAYEGAN_REDIS_URL": BROKER, "BAYEGAN_QUEUE_PREFIX": prefix,
                "BAYEGAN_ARCHIVE_DIR": str(archive), "BAYEGAN_SOURCES_FILE": str(sources),
                "BAYEGAN_POLITENESS": "0", "BAYEGAN_METRICS_PORT": "0", "BAYEGAN_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
                "PYTHONPATH": str(REPO)})
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def bench_celery(mirror: MirrorServer, sources: Path, tmp: Path, expected: int, concurrency: int) -> dict:
    archive, prefix = tmp / "celery-archive", f"bench{uuid.uuid4().hex[:6]}_"
    env = env_for(archive, sources, prefix)
    queues = ",".join(prefix + q for q in ("discover", "fetch", "parse", "store"))
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "worker.daemon.app", "worker", "-Q", queues,
                               "-c", str(concurrency), "--without-gossip", "--without-mingle",
                               "--without-heartbeat", "--loglevel", os.environ.get("BENCH_LOG_LEVEL", "WARNING"), "-n", f"{prefix}@%h"],
                              cwd=tmp, env=env, stdout=open(tmp / "worker.log", "wb"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    sampler = RssSampler(worker.pid, full=True)
    sampler.start()
    try:
        time.sleep(4)  # worker up and its pool forked (not part of the measurement)
        cpu0 = {"worker processes": _cpu_tree(worker.pid), "worker parent": _cpu_tree(worker.pid, children=False),
                "bench+mirror": _cpu_self(), "redis-server": _cpu_redis()}
        from celery import Celery

        sender = Celery(broker=BROKER)
        sender.conf.broker_transport_options = {"global_keyprefix": prefix}
        started = time.perf_counter()
        for agency in mirror.sites:
            sender.send_task("worker.tasks.poll_source", args=[agency, True], queue=prefix + "discover")
        deadline = time.time() + 600
        while stored_count(archive) < expected and time.time() < deadline:
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        n = stored_count(archive)
        cpu = {"worker processes": _cpu_tree(worker.pid), "worker parent": _cpu_tree(worker.pid, children=False),
               "bench+mirror": _cpu_self(), "redis-server": _cpu_redis()}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        sampler.stop.set()
        client = redis.Redis.from_url(BROKER)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
    return {"articles": n, "seconds": elapsed, "per_s": n / elapsed, "archive": archive,
            "cpu_s": {k: round(cpu[k] - cpu0[k], 1) for k in cpu},
            "rss_mb": sampler.mb(sampler.peak), "pss_mb": sampler.mb(sampler.peak_pss),
            "uss_mb": sampler.mb(sampler.peak_uss)}


def bench_embedded(sources: Path, tmp: Path) -> dict:
    archive = tmp / "embedded-archive"
    env = env_for(archive, sources, "x_")
    proc = subprocess.Popen([sys.executable, "-m", "worker.cli", "ingest", "--sources", str(sources), "--archive",
                             str(archive), "--json"], cwd=tmp, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    sampler = RssSampler(proc.pid)
    sampler.start()
    out, _ = proc.communicate(timeout=900)
    sampler.stop.set()
    rows = json.loads(out.decode().strip().splitlines()[-1])["sources"]
    n = sum(r["new"] for r in rows)
    seconds = max(r["seconds"] for r in rows)      # the run itself, without interpreter start-up
    return {"articles": n, "seconds": seconds, "per_s": n / seconds,
            "rss_mb": round(max(sampler.peak.values()) / 2**20, 1)}


def bench_reingest(archive: Path, tmp: Path) -> dict:
    copy = tmp / "reingest-archive"
    shutil.copytree(archive, copy)
    code = ("import json,time,sys; from worker.config import Settings; from worker.pipeline.stages import Pipeline;"
            "from worker.pipeline.reingest import reingest;"
            f"p=Pipeline(Settings(archive_dir=r'{copy}', metrics_port=0)); t=time.perf_counter(); s=reingest(p);"
            "print(json.dumps({'seconds': time.perf_counter()-t, **s.to_dict()}))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp, env=env_for(copy, Path("/dev/null"), "x_"),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    sampler = RssSampler(proc.pid)
    sampler.start()
    out, _ = proc.communicate(timeout=900)
    sampler.stop.set()
    result = json.loads(out.decode().strip().splitlines()[-1])
    return {"articles": result["articles"], "seconds": result["seconds"],
            "per_s": result["articles"] / result["seconds"], "statuses": result["statuses"],
            "rss_mb": round(max(sampler.peak.values()) / 2**20, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100, help="articles per mirrored agency (4 agencies)")
    ap.add_argument("--size-kb", type=int, default=150, help="article page size (real pages: 70-300 KB)")
    ap.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bayegan-bench-"))
    try:
        with MirrorServer(articles=args.articles, faults=False, size_kb=args.size_kb, seed=2,
                          feed_size=args.articles, page_size=50) as mirror:
            sources = mirror.write_sources_toml(tmp / "sources.toml")
            expected = len(mirror.articles)
            sample = mirror.sites[next(iter(mirror.sites))].articles[0]
            print(f"mirror: {expected} articles, 4 agencies, page size ~{args.size_kb} KB "
                  f"(one fetched: {len(_page(mirror, sample.url)) // 1024} KB); "
                  f"{os.cpu_count()} CPUs; politeness off")
            c = bench_celery(mirror, sources, tmp, expected, args.concurrency)
            print(f"celery+redis end to end : {c['articles']} articles in {c['seconds']:.1f} s = "
                  f"{c['per_s']:.1f} articles/s  (worker -c {args.concurrency})")
            print(f"  peak per worker process (MB), parent and pool children: RSS {c['rss_mb']}  "
                  f"PSS {c['pss_mb']}  USS {c['uss_mb']}")
            print(f"  CPU seconds during the run: {c['cpu_s']}")
            e = bench_embedded(sources, tmp)
            print(f"bayegan ingest (embedded): {e['articles']} articles in {e['seconds']:.1f} s = "
                  f"{e['per_s']:.1f} articles/s  (peak RSS {e['rss_mb']} MB)")
        r = bench_reingest(c["archive"], tmp)
        print(f"re-ingest from WARC      : {r['articles']} articles in {r['seconds']:.1f} s = "
              f"{r['per_s']:.1f} articles/s  {r['statuses']}  (peak RSS {r['rss_mb']} MB)")
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)


def _page(mirror: MirrorServer, url: str) -> bytes:
    import httpx

    return httpx.get(url).content


if __name__ == "__main__":
    main()
