"""Torn lines, failed writes, unwritable archives: clear errors, nothing half-written visible."""
from __future__ import annotations

import errno
import json
import os

import pytest
from storage_helpers import make_article, persian_text

from storage import CorruptInput, DiskError, StorageError, open_archive
from storage import records as records_mod
from storage.records import iter_lines


def record_files(root):
    return sorted((root / "records").rglob("*.jsonl"))


def test_torn_last_line_is_skipped_with_file_and_offset(archive, archive_dir):
    archive.store(make_article("https://a.ir/1", "الف", persian_text(1)))
    path = record_files(archive_dir)[0]
    good_size = path.stat().st_size
    with open(path, "ab") as fh:                                  # a crash mid-write
        fh.write(b'{"kind":"new","article":{"id":"x"')
    report = []
    with pytest.warns(CorruptInput, match=f"{path.name} at offset {good_size}"):
        lines = list(iter_lines(archive_dir, "records", report))
    assert len(lines) == 1 and report[0].offset == good_size


def test_next_append_after_a_torn_line_stays_intact(archive_dir, index_url):
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")
    arc.store(make_article("https://a.ir/1", "الف", persian_text(1)))
    arc.close()
    path = record_files(archive_dir)[0]
    with open(path, "ab") as fh:
        fh.write(b'{"kind":"new","art')
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")
    try:
        res = arc.store(make_article("https://a.ir/2", "ب", persian_text(2)))
        assert arc.get(res.article_id).title == "ب"               # the index points at a complete line
    finally:
        arc.close()
    with pytest.warns(CorruptInput):
        kinds = [o["article"]["url"] for _, _, o in iter_lines(archive_dir, "records")]
    assert kinds == ["https://a.ir/1", "https://a.ir/2"]


def test_disk_full_mid_write_raises_and_leaves_nothing_visible(archive, archive_dir, monkeypatch):
    archive.store(make_article("https://a.ir/1", "الف", persian_text(1)))
    path = record_files(archive_dir)[0]
    size = path.stat().st_size
    real_write = os.write

    def half_then_enospc(fd, data):                               # the kernel wrote part, then ENOSPC
        real_write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(records_mod.os, "write", half_then_enospc)
    with pytest.raises(DiskError, match="No space left"):
        archive.store(make_article("https://a.ir/2", "ب", persian_text(2)))
    monkeypatch.undo()
    assert path.stat().st_size == size                            # the partial line was cut back
    assert not archive.is_known("https://a.ir/2")                 # the index rolled back
    assert archive.store(make_article("https://a.ir/2", "ب", persian_text(2))).status == "new"   # retry works


def test_failed_batch_rolls_back_lines_already_written(archive, archive_dir, monkeypatch):
    archive.store(make_article("https://a.ir/0", "الف", persian_text(9)))
    size = record_files(archive_dir)[0].stat().st_size
    calls = {"n": 0}
    real_write = os.write

    def fail_third(fd, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.EROFS, "Read-only file system")
        return real_write(fd, data)

    monkeypatch.setattr(records_mod.os, "write", fail_third)
    batch = [make_article(f"https://a.ir/{i}", f"t{i}", persian_text(i + 20)) for i in range(1, 5)]
    with pytest.raises(StorageError, match="Read-only"):
        archive.store_many(batch)
    monkeypatch.undo()
    assert record_files(archive_dir)[0].stat().st_size == size
    assert archive.index.count("articles") == 1


def test_unwritable_archive_gives_a_clear_error(tmp_path, index_url):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "records").write_text("not a directory")              # mkdir under it fails like a RO mount
    arc = open_archive(root, index_url=index_url, worker_name="w1")
    try:
        with pytest.raises(DiskError) as info:
            arc.store(make_article("https://a.ir/1", "الف", persian_text(1)))
        assert "records" in str(info.value)
        assert arc.index.count("articles") == 0
    finally:
        arc.close()


def test_rebuild_skips_and_reports_torn_lines(archive, archive_dir):
    archive.store(make_article("https://a.ir/1", "الف", persian_text(1)))
    path = record_files(archive_dir)[0]
    with open(path, "ab") as fh:
        fh.write(b'{"kind":"new"')
    with pytest.warns(CorruptInput):
        report = archive.rebuild_index()
    assert report.records == 1 and report.articles == 1
    assert len(report.skipped) == 1 and report.skipped[0].path == str(path)
    assert json.loads(path.read_text("utf-8").splitlines()[0])["kind"] == "new"
