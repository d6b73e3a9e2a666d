"""Real Celery worker / beat processes against a real Redis, the test mirror and a temp archive.

Every run gets its own Redis db (5-9) key prefix and queue names (BAYEGAN_QUEUE_PREFIX, which also
sets kombu's global_keyprefix), and deletes its keys at the end. Processes start in their own
session so a test can SIGKILL a whole worker (parent and pool children) at once.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import redis

from worker.testing.mirror.sources_toml import dump_sources
from worker.testing.probes import stored_count  # noqa: F401 (the integration tests import it from here)

REPO = Path(__file__).resolve().parents[2]
HOOKED = Path(__file__).with_name("hooked_celery.py")
PY = sys.executable


def redis_db_url(port: int = 6379, db: int = 5) -> str:
    return f"redis://127.0.0.1:{port}/{db}"


def write_sources(mirror: Any, path: Path, **overrides: Any) -> Path:
    """The mirror's registry with per-test overrides (poll interval, politeness)."""
    entries = [{**entry, **overrides} for entry in mirror.sources()]
    path.write_text(dump_sources(entries, header="integration test sources"), encoding="utf-8")
    return path


class Fleet:
    """Workers and beats of one test, sharing one broker namespace and one archive."""

    def __init__(self, tmp: Path, sources_file: Path, broker_url: str, **settings: Any) -> None:
        self.tmp, self.broker_url = tmp, broker_url
        self.prefix = f"it{uuid.uuid4().hex[:8]}_"
        self.archive_dir = tmp / "archive"
        self.procs: list[tuple[str, subprocess.Popen, Path]] = []
        self._stopped: set[subprocess.Popen] = set()
        env = dict(os.environ)
        env.update({
            "BAYEGAN_BROKER_URL": broker_url, "BAYEGAN_REDIS_URL": broker_url,
            "BAYEGAN_QUEUE_PREFIX": self.prefix, "BAYEGAN_ARCHIVE_DIR": str(self.archive_dir),
            "BAYEGAN_SOURCES_FILE": str(sources_file), "BAYEGAN_METRICS_PORT": "0",
            "BAYEGAN_POLITENESS": "0", "BAYEGAN_LOG_JSON": "1", "BAYEGAN_LOG_LEVEL": "INFO",
            # Short limits so a lost task is redelivered within seconds (the visibility
            # timeout still outlasts every task and countdown, as the app checks).
            "BAYEGAN_TASK_SOFT_TIME_LIMIT": "20", "BAYEGAN_TASK_TIME_LIMIT": "25",
            "BAYEGAN_RETRY_BACKOFF_MAX": "3", "BAYEGAN_REINGEST_TIME_LIMIT": "25",
            "BAYEGAN_VISIBILITY_TIMEOUT": "30", "BAYEGAN_CLAIM_TTL": "300",
            "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        })
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        env.update({k: str(v) for k, v in settings.items()})
        self.env = env

    # -- processes ----------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str], hooked: bool = False) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        cmd = [PY, str(HOOKED)] if hooked else [PY, "-m", "celery"]
        proc = subprocess.Popen(cmd + ["-A", "worker.daemon.app", *args], cwd=self.tmp, env=self.env,
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc, log))
        return proc

    def bayegan(self, name: str, *args: str) -> subprocess.Popen:
        """The `bayegan` command line (e.g. `run`) with this fleet's environment."""
        log = self.tmp / f"{name}.log"
        proc = subprocess.Popen([PY, "-m", "worker.cli", *args], cwd=self.tmp, env=self.env,
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc, log))
        return proc

    def worker(self, name: str = "w1", concurrency: int = 2, hooked: bool = False,
               queues: tuple[str, ...] = ("discover", "fetch", "parse", "store", "reingest")) -> subprocess.Popen:
        return self._spawn(name, ["worker", "-Q", ",".join(self.prefix + q for q in queues),
                                  "-c", str(concurrency), "-n", f"{name}-{self.prefix}@%h", "--loglevel", "INFO",
                                  "--without-gossip", "--without-mingle", "--without-heartbeat"], hooked)

    def beat(self, name: str = "beat1") -> subprocess.Popen:
        return self._spawn(name, ["beat", "--loglevel", "INFO", "--max-interval", "1"])

    def assert_alive(self) -> None:
        """Fail fast (with the logs) when a process we did not stop has exited."""
        for name, proc, log in self.procs:
            if proc.poll() is not None and proc not in self._stopped:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")

    def call(self, task: str, *, args: list | None = None, kwargs: dict | None = None) -> str:
        cmd = [PY, "-m", "celery", "-A", "worker.daemon.app", "call", task]
        if args is not None:
            cmd += ["--args", json.dumps(args)]
        if kwargs is not None:
            cmd += ["--kwargs", json.dumps(kwargs)]
        done = subprocess.run(cmd, cwd=self.tmp, env=self.env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def kill(self, proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)   # the worker and its pool children
        except ProcessLookupError:
            pass
        self._stopped.add(proc)
        proc.wait(timeout=30)

    @contextlib.contextmanager
    def running(self, *, cleanup_redis: bool = True) -> Iterator[Fleet]:
        """Print every process's log if the block fails; always stop the processes and (unless the
        test's Redis is its own) remove our keys from the shared one."""
        try:
            yield self
        except BaseException:
            print(self.logs())
            raise
        finally:
            self.stop_all()
            if cleanup_redis:
                self.cleanup_redis()

    def stop_all(self) -> None:
        for _, proc, _ in self.procs:
            self._stopped.add(proc)
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.time() + 20
        for _, proc, _ in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def cleanup_redis(self) -> None:
        client = redis.Redis.from_url(self.broker_url)
        try:
            for key in client.scan_iter(f"{self.prefix}*", count=1000):
                client.delete(key)
        finally:
            client.close()

    def drained(self) -> bool:
        """No message waiting, reserved or unacknowledged in any of our queues."""
        client = redis.Redis.from_url(self.broker_url)
        try:
            waiting = sum(client.llen(f"{self.prefix}{self.prefix}{q}")
                          for q in ("discover", "fetch", "parse", "store", "reingest"))
            return waiting == 0 and client.hlen(f"{self.prefix}unacked") == 0
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def redis_state(self) -> str:
        """Our keys in the broker (for failure messages): queue lengths, unacked, the restore mutex."""
        client = redis.Redis.from_url(self.broker_url)
        try:
            out = []
            for key in sorted(client.scan_iter(f"{self.prefix}*", count=1000)):
                kind = client.type(key).decode()
                size = {"list": client.llen, "hash": client.hlen, "zset": client.zcard}.get(kind, lambda k: "")(key)
                out.append(f"{key.decode()} {kind} {size} ttl={client.ttl(key)}")
            return "\n".join(out)
        except redis.ConnectionError as exc:
            return f"redis unavailable: {exc}"
        finally:
            client.close()

    def logs(self) -> str:
        return "\n".join(f"===== {name}\n{log.read_text(errors='replace')[-6000:]}" for name, _, log in self.procs) \
            + "\n===== redis\n" + self.redis_state()

    def log_events(self, name_filter: str = "") -> list[dict]:
        out = []
        for name, _, log in self.procs:
            if name_filter and not name.startswith(name_filter):
                continue
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
        return out


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.5, what: str = "",
             fleet: Fleet | None = None) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fleet is not None:
            fleet.assert_alive()
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or predicate}")


# -- reading the archive the way a user would (and straight from disk) -----------------------
def record_lines(archive_dir: Path) -> list[dict]:
    lines = []
    for path in sorted((archive_dir / "records").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.append(json.loads(line))
    return lines


def warc_article_captures(archive: Any) -> Counter:
    """canonical URL -> number of successful (2xx) article captures in the WARC files."""
    seen: Counter = Counter()
    for exchange, meta in archive.iter_captures():
        if meta.get("kind", "article") == "article" and 200 <= exchange.status < 300 and meta.get("canonical_url"):
            seen[meta["canonical_url"]] += 1
    return seen
