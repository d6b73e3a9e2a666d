"""An interrupted `index rebuild` leaves the old index in place; a damaged SQLite index is set
aside and rebuilt from the records, never a reason for the repair to refuse."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from storage_helpers import make_article, persian_text

from storage import open_archive
from worker.cli import cli

N = 6


def _fill(arc) -> None:
    for i in range(N):
        arc.store(make_article(f"https://www.isna.ir/news/{i + 1}/", f"خبر {i}", persian_text(i + 10)))


def _count(archive_dir, index_url) -> int:
    arc = open_archive(archive_dir, index_url=index_url, worker_name="check")
    try:
        return arc.index.count("articles")
    finally:
        arc.close()


def test_a_rebuild_that_fails_midway_keeps_the_old_index(archive, archive_dir, index_url, monkeypatch):
    _fill(archive)
    real_apply, calls = archive.apply, []

    def failing_apply(p, replay=None):
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("killed mid-rebuild")
        return real_apply(p, replay=replay)

    monkeypatch.setattr(archive, "apply", failing_apply)
    with pytest.raises(RuntimeError, match="killed mid-rebuild"):
        archive.rebuild_index(batch=1)
    monkeypatch.undo()
    assert archive.index.count("articles") == N                 # this process still sees the old index
    assert [h["id"] for h in archive.search("خبر")]             # and searches it
    assert _count(archive_dir, index_url) == N                  # so does a fresh opener
    assert not list(archive_dir.glob("index.sqlite3.rebuild*"))  # nothing half-built left behind
    archive.rebuild_index()                                       # a later rebuild still works
    assert archive.index.count("articles") == N


def test_a_killed_rebuild_process_leaves_the_old_index(archive_dir):
    arc = open_archive(archive_dir, worker_name="w1")
    for i in range(300):
        arc.store(make_article(f"https://www.isna.ir/news/{i + 1}/", f"خبر {i}", persian_text(i + 10, 400)))
    arc.close()
    proc = subprocess.Popen([sys.executable, "-m", "worker.cli", "index", "rebuild", "--archive", str(archive_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(archive_dir.glob("index.sqlite3.rebuild")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the rebuild finished before it could be killed"
    assert _count(archive_dir, None) == 300


@pytest.mark.parametrize("damage", ["zeroed", "truncated"])
def test_a_damaged_index_is_set_aside_and_rebuilt(archive_dir, damage):
    arc = open_archive(archive_dir, worker_name="w1")
    _fill(arc)
    arc.index.checkpoint()
    arc.close()
    index = archive_dir / "index.sqlite3"
    size = index.stat().st_size
    index.write_bytes(b"\0" * size if damage == "zeroed" else index.read_bytes()[: size // 3])
    result = CliRunner().invoke(cli, ["index", "rebuild", "--archive", str(archive_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if damage == "zeroed":
        assert "set aside" in result.output
        assert list(archive_dir.glob("index.sqlite3.damaged-*"))
    assert _count(archive_dir, None) == N
