"""Archives written before every exchange went to the WARC keep working: their JSON metadata
records (at the page URL) are still read by re-ingest and `index rebuild`.

The old-format archive is written by today's code path with the pre-change settings: a Fetcher
without an exchange sink (only the pages were archived) and the WARC writer's `legacy_json`
metadata (JSON at the page's own URL), not a copied file."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from storage import open_archive
from worker.cli import cli
from worker.config import Settings
from worker.http.fetcher import Fetcher
from worker.pipeline.ingest import run_ingest
from worker.pipeline.stages import Pipeline
from worker.testing.mirror import MirrorServer

WARCIO = Path(sys.executable).parent / "warcio"


def _write_old_archive(archive_dir: Path, sources: Path) -> None:
    settings = dataclasses.replace(Settings(), archive_dir=archive_dir, sources_file=sources, politeness=False,
                                   worker_name="old")
    pipeline = Pipeline(settings, fetcher=Fetcher(settings))          # no sink: pages only, as before
    pipeline.archive._warc.legacy_json = True
    try:
        run_ingest(pipeline, list(pipeline.sources), threads=2)
    finally:
        pipeline.close()


def _metadata_types(warcs: list[Path]) -> set[str]:
    types = set()
    for w in warcs:
        with open(w, "rb") as fh:
            types |= {rec.rec_headers.get_header("Content-Type") for rec in ArchiveIterator(fh)
                      if rec.rec_type == "metadata"}
    return types


def _answers(archive_dir: Path) -> dict[str, str]:
    arc = open_archive(archive_dir, worker_name="check")
    try:
        return {r["id"]: r["content_hash"] for r in arc.index.all("SELECT id, content_hash FROM articles")}
    finally:
        arc.close()


def test_old_format_archive_reingests_and_rebuilds(tmp_path):
    archive_dir = tmp_path / "archive"
    with MirrorServer(articles=3, agencies=("isna", "tasnim")) as server:
        _write_old_archive(archive_dir, server.write_sources_toml(tmp_path / "sources.toml"))
    warcs = sorted((archive_dir / "warc").rglob("*.warc.gz"))
    assert warcs and _metadata_types(warcs) == {"application/json"}
    for w in warcs:
        subprocess.run([str(WARCIO), "check", str(w)], check=True, capture_output=True)
    before = _answers(archive_dir)
    assert len(before) >= 4
    arc = open_archive(archive_dir, worker_name="check")
    try:
        captures = [meta for _ex, meta in arc.iter_captures() if meta.get("canonical_url")]
        assert len(captures) >= len(before)                # the JSON metadata records are still read
        assert all(isinstance(m.get("parser_version"), (str, int)) for m in captures)
    finally:
        arc.close()
    env = {"BAYEGAN_ARCHIVE_DIR": str(archive_dir), "BAYEGAN_WORKER_NAME": "new"}
    result = CliRunner().invoke(cli, ["reingest", "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert _answers(archive_dir) == before              # re-parsed from the old captures: nothing changed
    result = CliRunner().invoke(cli, ["index", "rebuild"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert _answers(archive_dir) == before
