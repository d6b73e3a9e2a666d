"""`index rebuild` restores the revisit dedup state (captures table) from the WARC files."""
from __future__ import annotations

import gc
import shutil
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


def _ingest(sources: Path, archive: Path) -> None:
    result = CliRunner().invoke(cli, ["ingest", "--sources", str(sources), "--archive", str(archive), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _types_by_url(archive: Path, skip: set[Path]) -> dict[str, str]:
    """The record type (response / revisit) each URL got in the WARC files not in `skip`."""
    types: dict[str, str] = {}
    for path in sorted((archive / "warc").rglob("*.warc.gz")):
        if path in skip:
            continue
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type in ("response", "revisit"):
                    types[rec.rec_headers.get_header("WARC-Target-URI")] = rec.rec_type
    return types


def _second_ingest(sources: Path, archive: Path) -> dict[str, str]:
    before = set((archive / "warc").rglob("*.warc.gz"))
    _ingest(sources, archive)
    return _types_by_url(archive, before)


def test_second_ingest_after_rebuild_writes_revisits_as_without_it(mirror, tmp_path):
    # One first ingest, copied: both archives start from the same captures, so a fetch that fails
    # on a loaded machine cannot make the two sides differ before the comparison starts.
    _, sources = mirror
    plain, rebuilt = tmp_path / "plain", tmp_path / "rebuilt"
    _ingest(sources, plain)
    gc.collect()     # the in-process CliRunner ingest may leave an unreferenced SQLite connection
    shutil.copytree(plain, rebuilt)
    with open_archive(rebuilt) as arch:
        arch.rebuild_index()
        assert arch.index.one("SELECT COUNT(*) AS n FROM captures")["n"] > 0
    plain_types = _second_ingest(sources, plain)
    rebuilt_types = _second_ingest(sources, rebuilt)
    # Compare URL by URL, over the URLs both second passes fetched (one may miss a URL to a
    # transient error); most must be compared, so the test cannot pass on nearly nothing.
    common = plain_types.keys() & rebuilt_types.keys()
    assert len(common) >= 0.9 * max(len(plain_types), 1) and len(common) >= 10, (len(common), len(plain_types))
    assert sum(1 for url in common if plain_types[url] == "revisit") >= 10, \
        "the control pass refetches unchanged pages as revisits"
    differing = {url: (plain_types[url], rebuilt_types[url]) for url in common
                 if plain_types[url] != rebuilt_types[url]}
    assert not differing, differing
