"""Records on disk: `records/YYYY/MM/DD/<worker>.jsonl` (and `events/...` for errors and polls).

Crash safety: each line is written with ONE os.write on an O_APPEND descriptor and fsynced
before the index commits a pointer to it, so the index only ever points at complete lines.
If a previous process died mid-write (a torn last line without newline), the next append
first terminates it so the new line stays intact; readers skip torn lines with a warning
naming the file and offset. A failed write (ENOSPC, EROFS, ...) is cut back to the previous
end of file and raised as DiskError.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.crashpoint import crash_point
from storage.errors import CorruptInput, DiskError


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_now_iso(timespec: str = "seconds", *, zulu: bool = False) -> str:
    """Now as ISO 8601 in UTC, the one spelling of "now" in records and captures: `+00:00`, or `Z`
    (WARC-style, for fetch times) with `zulu`."""
    text = utc_now().isoformat(timespec=timespec)
    return text.replace("+00:00", "Z") if zulu else text


def iso_utc(ts: datetime) -> str:
    """A moment as the index spells it: UTC, microseconds, `Z` (sorts as text). Naive means UTC."""
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp as written in records and WARC metadata (`Z` accepted); None if absent
    or unreadable. A naive result is returned as is: callers decide what it means."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def day_dir(base: Path, when: datetime) -> Path:
    return base / f"{when.year:04d}" / f"{when.month:02d}" / f"{when.day:02d}"


@dataclass
class Skipped:
    """A bad piece of input that a reader skipped (reported to the caller)."""
    path: str
    offset: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path} at offset {self.offset}: {self.reason}"


class LineAppender:
    """Appends complete JSON lines to per-worker, per-day files under `base`."""

    def __init__(self, root: Path, subdir: str, worker: str) -> None:
        self.root = root
        self.base = root / subdir
        self.worker = worker
        self._fd: int | None = None
        self._path: Path | None = None
        self._dirty = False
        self._marks: dict[Path, int] | None = None
        self._day: tuple[int, int, int] | None = None
        self._rel = ""
        self._tail: tuple[int, dict[str, Any]] | None = None   # last line of the file at (re)open

    def begin(self) -> None:
        """Start a batch: `rollback()` cuts every file touched since back to its size now."""
        self._marks = {}

    def rollback(self) -> None:
        for path, size in (self._marks or {}).items():
            try:
                with open(path, "r+b") as fh:
                    fh.truncate(size)
            except OSError:
                pass   # the index never points at these lines; a reader skips a torn tail
        self._marks = None

    def _open_for(self, when: datetime) -> Path:
        day = (when.year, when.month, when.day)
        if day == self._day and self._path is not None:
            return self._path
        path = day_dir(self.base, when) / f"{self.worker}.jsonl"
        if path != self._path:
            self.close()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            except OSError as exc:
                raise DiskError(f"cannot open for append: {exc.strerror}", str(path)) from exc
            self._fd, self._path = fd, path
            self._rel = str(path.relative_to(self.root))
            self._repair_torn_tail(fd, path)
            self._tail = _last_line(path)
        self._day = day
        return path

    def _repair_torn_tail(self, fd: int, path: Path) -> None:
        size = os.fstat(fd).st_size
        if size == 0:
            return
        with open(path, "rb") as fh:
            fh.seek(size - 1)
            if fh.read(1) != b"\n":
                self._write_all(fd, b"\n", path, size)

    @staticmethod
    def _write_all(fd: int, data: bytes, path: Path, start: int) -> None:
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, "short write")
        except OSError as exc:
            with contextlib.suppress(OSError):  # cut back the partial line so no reader ever sees it
                os.ftruncate(fd, start)
            raise DiskError(f"write failed: {exc.strerror or exc}", str(path)) from exc

    def append(self, obj: dict[str, Any], when: datetime | None = None) -> tuple[str, int]:
        """Write one line; return (path relative to the archive root, offset of the line)."""
        path = self._open_for(when or utc_now())
        line = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        assert self._fd is not None
        start = os.fstat(self._fd).st_size
        if self._marks is not None:
            self._marks.setdefault(path, start)
        crash_point()
        self._write_all(self._fd, line, path, start)
        crash_point()
        end = os.lseek(self._fd, 0, os.SEEK_CUR)   # O_APPEND: the position is the end of OUR line
        self._dirty = True
        return self._rel, end - len(line)

    def append_unless_tail(self, obj: dict[str, Any], when: datetime | None,
                           same: Callable[[dict[str, Any]], bool]) -> tuple[str, int]:
        """Like `append`, but reuse the file's last line at (re)open when `same(line)` holds.

        A kill between the record fsync and the index commit leaves a line the index never
        learnt of; storing the same thing again after the restart must not write it twice.
        Only the tail of the writer's own file is checked, once per open: cheap.
        """
        self._open_for(when or utc_now())
        tail, self._tail = self._tail, None
        if tail is not None and same(tail[1]):
            return self._rel, tail[0]
        return self.append(obj, when)

    def sync(self) -> None:
        """fsync before the index commits pointers to the appended lines."""
        if self._fd is not None and self._dirty:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                raise DiskError(f"fsync failed: {exc.strerror}", str(self._path)) from exc
            self._dirty = False
            crash_point()           # fsynced, the index not committed yet

    def close(self) -> None:
        if self._fd is not None:
            try:
                self.sync()
            finally:
                os.close(self._fd)
                self._fd, self._path, self._day = None, None, None


_TAIL_WINDOW = 1 << 20     # a record line is far smaller; a longer one is simply not reused


def _last_line(path: Path) -> tuple[int, dict[str, Any]] | None:
    """(offset, object) of the file's last complete line, or None."""
    size = path.stat().st_size
    start = max(0, size - _TAIL_WINDOW)
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read()
    if not data.endswith(b"\n"):
        return None
    cut = data.rfind(b"\n", 0, len(data) - 1)
    if cut < 0 and start > 0:
        return None
    try:
        obj = json.loads(data[cut + 1:])
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return (start + cut + 1, obj) if isinstance(obj, dict) else None


def read_line(root: Path, rel: str, offset: int) -> dict[str, Any]:
    path = root / rel
    with open(path, "rb") as fh:
        fh.seek(offset)
        line = fh.readline()
    if not line.endswith(b"\n"):
        raise DiskError(f"torn line at offset {offset}", str(path))
    return json.loads(line)


def iter_file(root: Path, path: Path, report: list[Skipped] | None = None
              ) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Every complete line of one file as (path relative to root, offset, object).

    Torn or undecodable lines are skipped with a CorruptInput warning naming file and offset,
    and appended to `report` when given.
    """
    rel = str(path.relative_to(root))
    offset = 0
    with open(path, "rb") as fh:
        for line in fh:
            start, offset = offset, offset + len(line)
            if not line.strip():
                continue
            reason = None
            if not line.endswith(b"\n"):
                reason = "torn line (no newline: a write was interrupted)"
            else:
                try:
                    obj = json.loads(line)
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    reason = f"undecodable line ({exc})"
            if reason:
                skipped = Skipped(str(path), start, reason)
                warnings.warn(str(skipped), CorruptInput, stacklevel=3)
                if report is not None:
                    report.append(skipped)
                continue
            yield rel, start, obj


def iter_lines(root: Path, subdir: str, report: list[Skipped] | None = None
               ) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Every complete line under root/subdir, files in path order (see iter_file)."""
    base = root / subdir
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*.jsonl")):
        yield from iter_file(root, path, report)
