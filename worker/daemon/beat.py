"""The beat scheduler: RedBeat (schedule in Redis, one active beat behind a lock) that survives
a Redis restart.

RedBeat retries its schedule reads, but extending its lock is a plain Redis call, so an outage of
a few seconds ends the beat process. Here a tick that meets a connection error logs it and tries
again a second later; if the lock expired meanwhile (a long outage), the beat waits to own it again,
exactly like a second beat started by mistake, so two beats never both send polls.
"""
from __future__ import annotations

import logging

import redis
from redbeat import RedBeatScheduler

log = logging.getLogger("bayegan.beat")

RETRY_SECONDS = 1.0


class ResilientRedBeatScheduler(RedBeatScheduler):
    def tick(self, *args, **kwargs):
        try:
            return super().tick(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("beat: Redis unavailable, retrying", extra={"error": str(exc)})
            return RETRY_SECONDS
        except redis.exceptions.LockError as exc:   # our lock expired during an outage
            log.warning("beat: lost the beat lock, waiting to own it again", extra={"error": str(exc)})
            if self.lock is not None:
                self.lock.acquire()                 # blocks while another beat holds it
                log.info("beat: Acquired lock")
            return RETRY_SECONDS

    def close(self) -> None:
        try:
            super().close()
        except (redis.ConnectionError, redis.TimeoutError) as exc:  # the lock expires on its own
            log.warning("beat: could not release the lock", extra={"error": str(exc)})
