"""Backfill: walk a source's Jalali-dated archive pages day by day and page by page.

`backfill(source, date_from, date_to, fetcher, checkpoint=...)` yields the article `Link`s of each
archive page (source.archive_url with {jy} {jm} {jd} {jdate} {gy} {gm} {gd} {page}). A day ends at
a page with no article links, a 404, a page repeating the previous one (CMSs that serve their last
page for any higher number), or `max_pages`. After the consumer has taken every link of a page
the position is checkpointed (a JSON file or Redis), so an interrupted backfill resumes at the next
page; at worst one page is listed twice, which claims and dedup make harmless.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from worker.discovery.feeds import page_links
from worker.discovery.links import Link, article_links
from worker.http.errors import ClientError

__all__ = ["BackfillError", "Checkpoint", "JsonCheckpoint", "MemoryCheckpoint", "RedisCheckpoint", "backfill"]


class BackfillError(ValueError):
    pass


class Checkpoint(Protocol):
    def load(self, key: str) -> dict[str, Any] | None: ...
    def save(self, key: str, position: dict[str, Any]) -> None: ...


class MemoryCheckpoint:
    def __init__(self) -> None:
        self.positions: dict[str, dict[str, Any]] = {}

    def load(self, key: str) -> dict[str, Any] | None:
        return self.positions.get(key)

    def save(self, key: str, position: dict[str, Any]) -> None:
        self.positions[key] = dict(position)


class JsonCheckpoint:
    """Positions in one JSON file (e.g. <archive>/backfill/<source>.json), replaced atomically."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _read(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise BackfillError(f"{self.path}: unreadable checkpoint: {exc}") from exc

    def load(self, key: str) -> dict[str, Any] | None:
        return self._read().get(key)

    def save(self, key: str, position: dict[str, Any]) -> None:
        data = self._read()
        data[key] = position
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


class RedisCheckpoint:
    def __init__(self, redis: Any, prefix: str = "bayegan:backfill:") -> None:
        self.redis = redis
        self.prefix = prefix

    def load(self, key: str) -> dict[str, Any] | None:
        raw = self.redis.get(self.prefix + key)
        return json.loads(raw) if raw else None

    def save(self, key: str, position: dict[str, Any]) -> None:
        self.redis.set(self.prefix + key, json.dumps(position))


def checkpoint_key(source_id: str, date_from: date, date_to: date) -> str:
    return f"{source_id}:{date_from.isoformat()}:{date_to.isoformat()}"


def backfill(source: Any, date_from: date, date_to: date, fetcher: Any, *,
             checkpoint: Checkpoint | None = None, max_pages: int = 200) -> Iterator[Link]:
    """Yield article links from the archive pages of every day in [date_from, date_to]."""
    if not source.archive_url:
        raise BackfillError(f"source {source.id!r} has no archive_url: it cannot be backfilled")
    if date_to < date_from:
        raise BackfillError(f"source {source.id!r}: --to {date_to} is before --from {date_from}")
    checkpoint = checkpoint or MemoryCheckpoint()
    key = checkpoint_key(source.id, date_from, date_to)
    position = checkpoint.load(key) or {}
    if position.get("done"):
        return
    day = date.fromisoformat(position["day"]) if position.get("day") else date_from
    next_page = int(position.get("page", 0)) + 1
    while day <= date_to:
        previous: list[str] | None = None
        yielded: set[str] = set()
        for page in range(next_page, max_pages + 1):
            url = source.archive_page_url(day, page)
            try:
                result = fetcher.fetch(url, source)
            except ClientError as exc:
                if exc.status in (404, 410):
                    break
                raise
            entries = page_links(result.content, result.final_url, result.encoding)
            links = article_links(source, entries, {"via": "archive", "date": day.isoformat(), "page": page})
            canon = [link.canonical_url for link in links]
            if not links or canon == previous:
                break
            for link in links:
                if link.canonical_url not in yielded:
                    yielded.add(link.canonical_url)
                    yield link
            checkpoint.save(key, {"day": day.isoformat(), "page": page})
            previous = canon
        day += timedelta(days=1)
        next_page = 1
        checkpoint.save(key, {"day": day.isoformat(), "page": 0} if day <= date_to else {"done": True})
