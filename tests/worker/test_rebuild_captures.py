"""`index rebuild` restores the revisit dedup state (captures table) from the WARC files."""
from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from storage import open_archive
from worker.cli import cli
from worker_testkit import mirror_registry


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    with mirror_registry(tmp_path_factory, articles=4, seed=17) as served:
        yield served


def _ok(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _record_types(archive: Path, skip: set[Path]) -> Counter:
    types: Counter = Counter()
    for path in sorted((archive / "warc").rglob("*.warc.gz")):
        if path in skip:
            continue
        with open(path, "rb") as fh:
            types.update(rec.rec_type for rec in ArchiveIterator(fh))
    return types


def _second_ingest(sources: Path, archive: Path, rebuild: bool) -> Counter:
    _ok("ingest", "--sources", str(sources), "--archive", str(archive), "--json")
    if rebuild:
        gc.collect()     # the in-process CliRunner ingest may leave an unreferenced SQLite connection
        with open_archive(archive) as arch:
            arch.rebuild_index()
            assert arch.index.one("SELECT COUNT(*) AS n FROM captures")["n"] > 0
    before = set((archive / "warc").rglob("*.warc.gz"))
    _ok("ingest", "--sources", str(sources), "--archive", str(archive), "--json")
    return _record_types(archive, before)


def test_second_ingest_after_rebuild_writes_revisits_as_without_it(mirror, tmp_path):
    _, sources = mirror
    plain = _second_ingest(sources, tmp_path / "plain", rebuild=False)
    rebuilt = _second_ingest(sources, tmp_path / "rebuilt", rebuild=True)
    assert plain["revisit"] > 0, "the control run refetches unchanged pages as revisits"
    assert rebuilt["revisit"] == plain["revisit"]
    assert rebuilt["response"] == plain["response"]
