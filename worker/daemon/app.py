"""The Celery application: `celery -A worker.daemon.app worker|beat|call ...`.

Configured from BAYEGAN_* (worker.config.Settings). Reliability choices, and why:
- a queue per stage (discover, fetch, parse, store, reingest) so each scales on its own;
- task_acks_late + task_reject_on_worker_lost: a task whose process dies is redelivered, never
  lost; the stages are idempotent (keyed by canonical URL), so redelivery never stores twice;
- prefetch 1: a slow fetch never holds other messages hostage in a busy process;
- the Redis visibility timeout is longer than any task time limit or retry countdown, otherwise
  Redis would hand a still-running (or still-waiting) task to a second worker;
- RedBeat (worker.daemon.beat, made to survive Redis restarts) keeps the schedule in Redis behind a
  lock, so a second beat started by mistake waits instead of doubling the polls (and the poll task
  itself takes a per-source slot).
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile

from worker.config import ConfigError, Settings

settings = Settings.load()

# prometheus_client picks its multiprocess value class at import: set the directory first, and
# re-pick it in case something imported prometheus_client already (the `celery` command loads
# Flower's entry point, which does). Our metrics are created later (worker.metrics, lazily).
# prometheus_client has no public call to switch modes after import; `values.ValueClass` and
# `values.get_value_class()` are the public module names it uses itself at import time.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="bayegan-metrics-")
    atexit.register(shutil.rmtree, os.environ["PROMETHEUS_MULTIPROC_DIR"], True)  # pool children skip atexit
import prometheus_client.values as _prom_values  # noqa: E402

_prom_values.ValueClass = _prom_values.get_value_class()

from celery import Celery, signals  # noqa: E402
from kombu import Exchange, Queue  # noqa: E402

log = logging.getLogger("bayegan.celery")

STAGES = ("discover", "fetch", "parse", "store", "reingest", "recheck")
TASK_STAGE = {"worker.tasks.poll_source": "discover",
              "worker.tasks.fetch": "fetch", "worker.tasks.parse": "parse",
              "worker.tasks.store": "store", "worker.tasks.reingest": "reingest",
              "worker.tasks.recheck": "recheck"}


def queue_name(stage: str, s: Settings = settings) -> str:
    return f"{s.queue_prefix}{stage}"


def check_timeouts(s: Settings) -> None:
    """The visibility timeout must outlast every task and every retry countdown (see module doc)."""
    longest = max(s.task_time_limit + s.retry_backoff_max, s.reingest_time_limit)
    if s.visibility_timeout <= longest:
        raise ConfigError(f"BAYEGAN_VISIBILITY_TIMEOUT={s.visibility_timeout} must exceed the longest task "
                          f"or retry countdown ({longest:.0f} s): Redis would redeliver running tasks")
    if s.task_soft_time_limit >= s.task_time_limit:
        raise ConfigError("BAYEGAN_TASK_SOFT_TIME_LIMIT must be below BAYEGAN_TASK_TIME_LIMIT")


def beat_schedule(s: Settings) -> dict[str, dict]:
    """One entry per enabled source. Beat ticks at the source's `min_poll`; the task polls only when
    the adaptive interval (worker.discovery.polling: poll_interval, moved within [min_poll, max_poll]) is due.
    A late tick expires instead of piling up."""
    from worker.sources import load_sources

    schedule = {}
    for source in load_sources(s.sources_file).values():
        if not source.enabled:
            continue
        schedule[f"poll:{source.id}"] = {
            "task": "worker.tasks.poll_source", "schedule": float(source.min_poll),
            "args": (source.id,),
            "options": {"queue": queue_name("discover", s), "expires": float(source.min_poll)},
        }
        # Re-checks on their own queue; each tick spends what the source's budget allows
        # (worker.pipeline.recheck), the rest waits for the next tick.
        schedule[f"recheck:{source.id}"] = {
            "task": "worker.tasks.recheck", "schedule": float(s.recheck_every), "args": (source.id,),
            "options": {"queue": queue_name("recheck", s), "expires": float(s.recheck_every)},
        }
    return schedule


SERIALIZER = "bayegan-json"


def _register_serializer() -> None:
    """JSON without \\uXXXX escapes: Persian text is 2 bytes a character in UTF-8 and 6 escaped,
    and article messages carry the text three times (text, body blocks, normalized)."""
    import json

    from kombu.serialization import register

    register(SERIALIZER, lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":")),
             lambda data: json.loads(data), content_type="application/x-bayegan-json", content_encoding="utf-8")


def make_app(s: Settings) -> Celery:
    check_timeouts(s)
    _register_serializer()
    transport: dict = {
        "visibility_timeout": s.visibility_timeout,
        # Look for orphaned (unacked) messages every few seconds instead of every ~100 s.
        "unacked_restore_interval": min(10, max(1, s.visibility_timeout // 4)),
        "unacked_restore_throttle": 1,
    }
    if s.queue_prefix:
        transport["global_keyprefix"] = s.queue_prefix
    app = Celery("bayegan", include=["worker.daemon.tasks"])
    app.conf.update(
        broker_url=s.broker_url,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,          # keep reconnecting while Redis restarts
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_serializer=SERIALIZER, result_serializer="json", accept_content=["json", SERIALIZER],
        task_ignore_result=True, result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=s.prefetch_multiplier,   # 1: a slow fetch holds no other message
        worker_disable_rate_limits=True,       # politeness lives in Redis per host, not in Celery

        task_soft_time_limit=s.task_soft_time_limit,
        task_time_limit=s.task_time_limit,
        worker_max_tasks_per_child=s.max_tasks_per_child,
        # Each queue its own exchange and routing key: with Celery's defaults every queue would be
        # bound to the default exchange under one key, and each message copied to all of them.
        task_queues=[Queue(queue_name(stage, s), Exchange(queue_name(stage, s), type="direct"),
                           routing_key=queue_name(stage, s)) for stage in STAGES],
        task_default_queue=queue_name("fetch", s),
        task_routes={name: {"queue": queue_name(stage, s)} for name, stage in TASK_STAGE.items()},
        # Publishing waits (about a minute) for a restarting Redis instead of dropping the next stage.
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 30, "interval_start": 0.5, "interval_step": 0.5,
                                   "interval_max": 2.0},
        worker_hijack_root_logger=False,
        beat_scheduler="worker.daemon.beat:ResilientRedBeatScheduler",
        beat_max_loop_interval=5,
        redbeat_redis_url=s.redis_url,
        redbeat_key_prefix=f"{s.queue_prefix}redbeat",
        redbeat_lock_timeout=60,
        # Beat waits out a Redis restart (retrying with backoff) instead of exiting.
        redbeat_redis_options={"retry_period": -1},
        beat_schedule=beat_schedule(s),
        timezone="UTC",
    )
    return app


app = make_app(settings)


# -- per-process setup --------------------------------------------------------------
@signals.setup_logging.connect
def _setup_logging(**_: object) -> None:
    from worker.logs import configure_logging

    configure_logging(settings)


def _redis_pipeline():
    """The daemon's pipeline: claims and politeness shared through Redis by every process."""
    import redis

    from worker.discovery.claims import RedisClaims
    from worker.pipeline.stages import Pipeline

    client = redis.Redis.from_url(settings.redis_url, socket_timeout=10, socket_connect_timeout=5,
                                  retry_on_timeout=True, health_check_interval=30)
    return Pipeline(settings, claims=RedisClaims(client, settings.queue_prefix, settings.claim_ttl), redis=client)


def _consumes_parsing(worker: object) -> bool:
    try:
        queues = set(worker.app.amqp.queues.consume_from or ())  # type: ignore[attr-defined]
    except AttributeError:
        return True
    return not queues or bool(queues & {queue_name("parse"), queue_name("reingest")})


# Queues this worker consumes (set in the parent before the pool forks; None: not a worker).
# A task whose next stage's queue is consumed here too runs that stage at once (worker.daemon.tasks).
LOCAL_QUEUES: frozenset[str] | None = None


def _remember_queues(worker: object) -> None:
    global LOCAL_QUEUES
    try:
        queues = worker.app.amqp.queues  # type: ignore[attr-defined]
        consumed = queues.consume_from or queues
        LOCAL_QUEUES = frozenset(consumed)
    except AttributeError:
        LOCAL_QUEUES = None


def runs_locally(stage: str) -> bool:
    """Does this worker process consume `stage`'s queue (so the stage may run inline)?"""
    return settings.inline_stages and LOCAL_QUEUES is not None and queue_name(stage) in LOCAL_QUEUES


@signals.worker_init.connect
def _worker_init(sender: object = None, **_: object) -> None:
    from worker import metrics
    from worker.pipeline import current, pages

    current.set_factory(_redis_pipeline)
    if sender is not None:
        _remember_queues(sender)
    if sender is not None and _consumes_parsing(sender):
        pages.warm_up_parser()   # before the fork: children share the parser's memory
        pages.settle_before_fork(freeze=False)   # drop the parser's start-up garbage first (peak RSS)
    current.import_stage_modules()
    pages.settle_before_fork()
    try:
        metrics.serve(settings.metrics_port, queue_depth=_queue_depth, host=settings.metrics_host)
    except OSError as exc:  # a second worker on one host: run it, just without its own endpoint
        log.warning("metrics endpoint not started", extra={"port": settings.metrics_port, "error": str(exc)})


@signals.worker_process_init.connect
def _worker_process_init(**_: object) -> None:
    from worker.pipeline import current

    current.set_factory(_redis_pipeline)


@signals.worker_process_shutdown.connect
def _worker_process_shutdown(pid: int | None = None, **_: object) -> None:
    from worker import metrics
    from worker.pipeline import current

    current.close_current()
    metrics.process_exited(pid or os.getpid())


def _queue_depth() -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(settings.broker_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        return {queue_name(st): int(client.llen(f"{settings.queue_prefix}{queue_name(st)}")) for st in STAGES}
    finally:
        client.close()
