"""Re-ingest over damaged WARC files: resume at the next intact record, report, exit non-zero."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from storage.replay import _scan_file
from worker.cli import cli
from worker_testkit import mirror_registry


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    with mirror_registry(tmp_path_factory, articles=6, seed=13) as served:
        yield served


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _members(path: Path) -> list[tuple[int, int, str, str]]:
    """(offset, length, record type, target URI) of every record of an intact WARC file."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            out.append((it.get_record_offset(), 0, rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI")))
            out[-1] = (out[-1][0], it.get_record_length(), out[-1][2], out[-1][3])
    return out


def _ingested(mirror, tmp_path: Path) -> tuple[Path, Path, list]:
    _, sources = mirror
    archive = tmp_path / "archive"
    assert _invoke("ingest", "--sources", str(sources), "--archive", str(archive), "--json").exit_code == 0
    baseline = json.loads(_invoke("reingest", "--archive", str(archive), "--json").stdout.splitlines()[-1])
    # the WARC holding the most article responses is the one we damage
    warcs = sorted((archive / "warc").rglob("*.warc.gz"), key=lambda p: -len(_members(p)))
    return archive, warcs[0], baseline


def _fresh_index(archive: Path) -> None:
    for f in archive.glob("index.sqlite3*"):
        f.unlink()


def _reingest_damaged(archive: Path):
    _fresh_index(archive)
    result = _invoke("reingest", "--archive", str(archive), "--json")
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("{")]
    assert lines, result.output
    return result, json.loads(lines[-1])


def test_bad_bytes_in_the_middle_lose_only_that_capture(mirror, tmp_path):
    archive, warc, baseline = _ingested(mirror, tmp_path)
    members = _members(warc)
    responses = [m for m in members if m[2] == "response"]
    target = responses[len(responses) // 2]
    data = bytearray(warc.read_bytes())
    hit = target[0] + target[1] // 2
    data[hit:hit + 64] = bytes([0xAB]) * 64
    warc.write_bytes(bytes(data))

    result, summary = _reingest_damaged(archive)
    assert result.exit_code != 0
    assert f"{warc} at offset {target[0]}" in result.output
    assert "1 damaged spot(s)" in result.output
    assert summary["damaged"] and len(summary["damaged"]) == 1
    # every other capture was still read and re-parsed: only the damaged one is missing
    assert summary["captures"] == baseline["captures"] - 1
    assert summary["articles"] >= baseline["articles"] - 1
    assert sum(summary["statuses"].values()) == summary["articles"]


def test_truncated_warc_keeps_everything_before_the_cut(mirror, tmp_path):
    archive, warc, baseline = _ingested(mirror, tmp_path)
    members = _members(warc)
    cut_member = members[-4]                  # cut a record near the end, mid-member
    data = warc.read_bytes()
    clean = tmp_path / "clean.warc.gz"            # the same file cut cleanly before the damaged record
    clean.write_bytes(data[:cut_member[0]])
    lost_captures = len(list(_scan_file(warc, {}, None))) - len(list(_scan_file(clean, {}, None)))
    warc.write_bytes(data[:cut_member[0] + cut_member[1] // 2])

    result, summary = _reingest_damaged(archive)
    assert result.exit_code != 0
    assert str(warc) in result.output and f"offset {cut_member[0]}" in result.output
    assert summary["captures"] == baseline["captures"] - lost_captures
