"""`bayegan ingest` on a full disk (a real 3 MB tmpfs): it stops with one message naming the
archive and a non-zero exit, no traceback; with space again, a second run carries on and the
archive is consistent (records = index rows, nothing twice, WARC files clean)."""
from __future__ import annotations

import errno
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from archive_checks import assert_consistent, ingest_cmd, run_env

from parsers.article import Article, Normalized, ParserInfo, article_id, content_hash
from storage.errors import DiskError, IndexError_, is_disk_full
from worker.config import Settings
from worker.pipeline.current import set_pipeline
from worker.pipeline.stages import Pipeline
from worker.testing.mirror import MirrorServer


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root only: skipped with the reason where mounting is not permitted)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _grow(mnt: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=256m", str(mnt)], check=True)


def test_ingest_on_a_full_disk_stops_cleanly_and_a_rerun_carries_on(small_disk, tmp_path):
    with MirrorServer(articles=40, faults=False, seed=3) as mirror:
        sources = mirror.write_sources_toml(tmp_path / "sources.toml")
        archive = small_disk / "archive"
        full = subprocess.run(ingest_cmd(sources, archive), capture_output=True, text=True, timeout=300,
                              env=run_env())
        assert full.returncode != 0, full.stdout
        assert "Traceback" not in full.stderr, full.stderr
        message = [ln for ln in full.stderr.splitlines() if "no space left" in ln.lower()]
        assert len(message) == 1, full.stderr
        assert str(archive.resolve()) in message[0] and "free some space" in message[0]
        stored_before = assert_consistent(archive)
        assert 0 < stored_before < len(mirror.articles), "the disk must fill mid-pass"

        _grow(small_disk)
        again = subprocess.run(ingest_cmd(sources, archive, "--json"), capture_output=True, text=True,
                               timeout=300, env=run_env())
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr, again.stderr
        assert assert_consistent(archive) == len(mirror.articles)


def _article(n: int) -> Article:
    url = f"https://www.isna.ir/news/{n}/"
    title, text = f"خبر شماره {n}", " ".join(["بازار نفت و گاز ایران", str(n)] * 4000)
    return Article(id=article_id(url), source="isna", url=url, canonical_url=url, title=title, lead=None,
                   body=[], text=text, published="2023-03-21T10:00:00+03:30", published_raw=None,
                   normalized=Normalized(title=title, lead="", text=text), content_hash=content_hash(title, text),
                   parser=ParserInfo("test", "1"), fetched_at="2023-03-21T07:00:00+00:00")


def _fill(mnt: Path) -> Path:
    """Fill the file system to the last byte (the archive's files stay as they are)."""
    filler = mnt / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_a_daemon_task_on_a_full_disk_gives_up_once_without_retries(small_disk, caplog):
    from worker.daemon import tasks

    pipeline = Pipeline(Settings(archive_dir=small_disk / "archive", worker_name="disk-test"))
    set_pipeline(pipeline)
    try:
        assert pipeline.archive.store(_article(1)).status == "new"
        filler = _fill(small_disk)
        caplog.set_level("WARNING", logger="bayegan")
        result = tasks.store.apply(args=(_article(2).to_dict(),))
        assert result.successful() and result.result == "error"      # ended, not retried (no StageRetry)
        gave_up = [r for r in caplog.records if "gave up" in r.getMessage()]
        assert len(gave_up) == 1 and not any(r.exc_info for r in caplog.records), caplog.text
        filler.unlink()                                                # with space the same task stores it
        assert tasks.store.apply(args=(_article(2).to_dict(),)).result == "new"
    finally:
        set_pipeline(None)
        pipeline.close()
    assert assert_consistent_records(small_disk / "archive") == 2


def assert_consistent_records(archive: Path) -> int:
    from archive_checks import record_lines

    from storage import open_archive
    lines = record_lines(archive)
    with open_archive(archive, worker_name="check") as arc:
        assert arc.index.count("versions") == len(lines)
        return arc.index.count("articles")


def test_disk_full_is_recognised_through_the_storage_errors():
    def raised_from(cause: BaseException, wrapper: Exception) -> Exception:
        try:
            raise wrapper from cause
        except Exception as exc:
            return exc

    assert is_disk_full(raised_from(OSError(errno.ENOSPC, "No space left on device"), DiskError("write failed")))
    assert is_disk_full(raised_from(OSError(errno.EDQUOT, "Disk quota exceeded"), DiskError("write failed")))
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("SELECT * FROM nowhere")
    except sqlite3.Error as exc:
        assert not is_disk_full(raised_from(exc, IndexError_("SQLite")))
    assert not is_disk_full(raised_from(OSError(errno.EROFS, "Read-only file system"), DiskError("write failed")))
    assert not is_disk_full(ValueError("not a disk at all"))


if __name__ == "__main__":      # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
