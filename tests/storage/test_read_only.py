"""An archive on a read-only disk stays readable (stats, search, show, export), and ingest says in
one line that it cannot write. The read-only disk is a real read-only bind mount (root ignores
permission bits, so chmod would prove nothing)."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_helpers import make_article, persian_text

from storage import open_archive


@pytest.fixture
def read_only_archive(tmp_path) -> Iterator[Path]:
    root = tmp_path / "archive"
    arc = open_archive(root, worker_name="w1")
    arc.store(make_article("https://www.isna.ir/news/1/", "بودجه سال آینده", persian_text(1)))
    arc.store(make_article("https://www.isna.ir/news/2/", "نفت و گاز", persian_text(2)))
    arc.close()
    mounted = subprocess.run(["mount", "--bind", str(root), str(root)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.fail(f"cannot bind-mount {root} (this test needs root): {mounted.stderr}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(root)], check=True, capture_output=True)
        with pytest.raises(OSError):
            (root / "probe").write_text("x")
        yield root
    finally:
        subprocess.run(["umount", str(root)], check=True)


def _bayegan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], capture_output=True, text=True, timeout=120)


def test_reading_commands_work_on_a_read_only_archive(read_only_archive, tmp_path):
    root = str(read_only_archive)
    stats = _bayegan("stats", "--json", "--archive", root)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)[0]["articles"] == 2
    found = _bayegan("search", "بودجه", "--json", "--archive", root)
    assert found.returncode == 0, found.stderr
    hit = json.loads(found.stdout.splitlines()[0])
    shown = _bayegan("show", hit["id"], "--archive", root)
    assert shown.returncode == 0 and "بودجه" in shown.stdout, shown.stderr
    out = tmp_path / "out.jsonl"
    exported = _bayegan("export", "--format", "jsonl", "-o", str(out), "--archive", root)
    assert exported.returncode == 0, exported.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_ingest_says_it_cannot_write(read_only_archive, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "local"\nname_fa = "محلی"\nname_en = "Local"\n'
                       'home = "http://127.0.0.1:9/"\nhosts = ["127.0.0.1"]\nfeeds = ["http://127.0.0.1:9/rss"]\n'
                       'allow_private = true\n', encoding="utf-8")
    run = _bayegan("ingest", "--sources", str(sources), "--archive", str(read_only_archive))
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert str(read_only_archive) in run.stderr and "read-only" in run.stderr.lower(), run.stderr
