"""Configuration: BAYEGAN_* environment variables over an optional TOML file over defaults.

One Settings object per process; every module takes what it needs from it.
Every value is converted to its field's type when loaded, and a value that does not convert
(`BAYEGAN_RESPECT_ROBOTS=maybe`, `BAYEGAN_MAX_RETRIES=three`) is a ConfigError naming the variable
(or the TOML key), never a silent default. A small loader rather than pydantic-settings: the CLI
loads Settings for every command, `--help` included, and pydantic's import alone costs more than
the whole start-up budget (see bench/startup.py).
"""
from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "BAYEGAN_"


@dataclass(slots=True)
class Settings:
    archive_dir: Path = Path("archive")
    index_url: str | None = None              # None: sqlite at <archive_dir>/index.sqlite3
    broker_url: str = "redis://127.0.0.1:6379/0"
    redis_url: str = "redis://127.0.0.1:6379/0"   # politeness, locks, beat (defaults to the broker)
    sources_file: Path | None = None          # None: the registry shipped in worker/sources.toml
    worker_name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    user_agent: str = "Bayegan/0.1 (+https://github.com/bayegan/bayegan; archive bot)"
    politeness_interval: float = 2.0          # seconds between request starts per host
    politeness: bool = True                   # False: no per-host waits (mirror benchmarks only)
    respect_robots: bool = True
    proxy: str | None = None                  # http://, https:// or socks5:// proxy URL
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_body_bytes: int = 20 * 1024 * 1024    # decompressed cap (gzip bombs)
    max_redirects: int = 5
    max_retries: int = 3
    host_down_seconds: float = 600.0          # Media Cloud: a host is down 10 min after a failed connect
    warc_max_bytes: int = 1024 ** 3
    near_dup_threshold: float = 0.8
    log_json: bool = False
    log_level: str = "INFO"
    metrics_port: int = 9808                  # Prometheus endpoint of a Celery worker; 0 disables it
    metrics_host: str = "127.0.0.1"           # its interface: loopback unless a container publishes it
    # --- Celery (pipeline helper) ---
    queue_prefix: str = ""                    # prepended to queue names and every Redis key (tenants, tests)
    concurrency: int = 2                      # worker processes for `bayegan run`
    task_soft_time_limit: float = 120.0       # seconds; SoftTimeLimitExceeded lets a task clean up
    task_time_limit: float = 180.0            # seconds; the process is killed and the task redelivered
    reingest_time_limit: float = 3000.0       # a whole re-ingest runs as one task
    retry_backoff_max: int = 600              # seconds; longest countdown between retries
    visibility_timeout: int = 3600            # Redis redelivery of unacked tasks; > any task limit or countdown
    max_tasks_per_child: int = 1000           # recycle worker processes (bounded RSS)
    prefetch_multiplier: int = 1              # messages reserved per process; keep 1 on fetch workers
    claim_ttl: int = 900                      # seconds a queued URL stays claimed; also the full (unconditional) re-poll period
    ingest_threads: int = 8                   # concurrent fetches of `bayegan ingest` (politeness still per host)
    reingest_workers: int = 0                 # re-ingest parser processes; 0: one per CPU
    inline_stages: bool = True                # a worker consuming the next stage's queue runs it in the same task

    @classmethod
    def load(cls, config_file: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        config_file = config_file or env.get(ENV_PREFIX + "CONFIG")
        if config_file:
            path = Path(config_file)
            try:
                values.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
        origin = {name: f"{path}: {name}" for name in values} if config_file else {}
        for f in fields(cls):
            key = ENV_PREFIX + f.name.upper()
            if key in env:
                values[f.name] = env[key]
                origin[f.name] = key
        if "broker_url" in values and "redis_url" not in values:
            values["redis_url"] = values["broker_url"]
            origin["redis_url"] = origin.get("broker_url", "broker_url")
        return cls(**{k: _coerce(cls, k, v, origin.get(k, k)) for k, v in values.items()})  # type: ignore[arg-type]  # each value converted to its field's type by _coerce


class ConfigError(ValueError):
    pass


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _coerce(cls: type, name: str, value: object, origin: str) -> object:
    """`value` converted to the type of field `name`; `origin` (variable or file: key) names it in errors."""
    types = {f.name: str(f.type) for f in fields(cls)}
    if name not in types:
        raise ConfigError(f"{origin}: unknown setting {name!r}")
    t = types[name]
    optional = "None" in t
    if value is None or (value == "" and optional):
        if optional:
            return None
        raise ConfigError(f"{origin}: a value is required")
    try:
        if t.startswith("bool"):
            return _to_bool(value)
        if t.startswith("int"):
            return _to_int(value)
        if t.startswith("float"):
            return _to_float(value)
        if t.startswith("Path"):
            return Path(str(value))
        if t.startswith("str"):
            if not isinstance(value, str):
                raise ValueError(f"expected text, got {type(value).__name__}")
            return value
        return value
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}={value!r}: {exc}") from exc


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not a boolean (use 1/0, true/false, yes/no or on/off)")


def _to_int(value: object) -> int:
    if isinstance(value, bool | float):
        raise ValueError("not a whole number")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError("not a whole number") from None


def _to_float(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        return float(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError("not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return number
