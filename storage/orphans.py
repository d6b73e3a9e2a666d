"""Record lines a killed writer fsynced but never got into the index (orphans), adopted on restart.

A record line is fsynced before the index transaction that points at it commits (storage.archive),
so a process killed between the two leaves the last line(s) of its record file unreferenced. Its
successor runs under another worker name (the pid is part of it), so it would store the same
article again in its own file: the same (id, version) on disk twice. `adopt_orphans` instead
replays those tail lines into the index (as an index rebuild does), so the next store finds the
article stored. Only files of dead processes of this machine's worker name are looked at (a live
writer's line may be one its transaction is about to commit or roll back), and only their tails,
with one primary-key lookup per line: cheap enough for every `bayegan ingest` start.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parsers.article import Article

if TYPE_CHECKING:
    from storage.archive import Archive

_TAIL = 1 << 20          # a killed batch is a few lines; a longer tail is not looked at
_FIRST_WINDOW = 1 << 16


def pid_alive(pid: int) -> bool:
    """Is a process with this pid running on this machine (someone else's counts as alive)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_sibling(stem: str, base: str, own: str) -> bool:
    head, _, pid = stem.rpartition("-")
    return head == base and stem != own and pid.isdigit() and not pid_alive(int(pid))


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        obj = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return obj if isinstance(obj, dict) and isinstance(obj.get("article"), dict) else None


def _tail_lines_backwards(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The record lines of the file's last _TAIL bytes, last line first, read lazily.

    Every finished run's file is a dead sibling, so this runs for each of them at every ingest
    start: a small window is read first (its last line is normally indexed, ending the search)
    and doubled only while the caller keeps asking, up to _TAIL.
    """
    size = path.stat().st_size
    window, done_from = _FIRST_WINDOW, size       # lines starting at or after done_from were yielded
    with open(path, "rb") as fh:
        while True:
            start = max(0, size - min(window, _TAIL))
            fh.seek(start)
            data = fh.read(done_from - start)
            lines, offset = [], start
            for i, line in enumerate(data.splitlines(keepends=True)):
                here, offset = offset, offset + len(line)
                # a partial first line of the window, or a torn last line
                if not ((i == 0 and start > 0) or not line.endswith(b"\n")):
                    lines.append((here, line))
            for here, line in reversed(lines):
                obj = _parse(line)
                if obj is not None:
                    yield here, obj
            if lines:
                done_from = lines[0][0]
            if start == 0 or window >= _TAIL:
                return
            window *= 2


def _indexed_at(archive: Archive, obj: dict[str, Any]) -> tuple[str, int] | None:
    """Where the index keeps the line's (id, version) or alias, or None if it does not."""
    if obj.get("kind") == "alias":
        row = archive.index.one("SELECT record_file, record_offset FROM aliases WHERE url = ?",
                                (obj["article"].get("canonical_url"),))
    else:
        row = archive.index.one("SELECT record_file, record_offset FROM versions WHERE article_id = ? AND version = ?",
                                (obj.get("article_id"), obj.get("version")))
    return (row["record_file"], int(row["record_offset"])) if row else None


def adopt_orphans(archive: Archive) -> int:
    """Index the unreferenced tail lines of dead writers' record files; returns how many."""
    base = archive.worker_name.rpartition("-")[0] or archive.worker_name
    records = archive.root / "records"
    adopted = 0
    for path in sorted(records.rglob("*.jsonl")) if records.is_dir() else ():
        if not _dead_sibling(path.stem, base, archive.worker_name):
            continue
        rel = str(path.relative_to(archive.root))
        orphans = []
        for offset, obj in _tail_lines_backwards(path):
            if _indexed_at(archive, obj) is not None:
                break                     # everything before it was committed
            orphans.append((offset, obj))
        for offset, obj in reversed(orphans):
            prepared = archive.prepare(Article.from_dict(obj["article"]))
            with archive.guard(), archive.index.write():
                archive.apply(prepared, replay=(rel, offset, obj.get("stored_at") or ""))
            adopted += 1
    return adopted
