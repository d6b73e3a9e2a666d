"""`bayegan export --format wacz --source ID` packages that source's records only (a new WARC of
raw record copies), with every revisit's original, consistent CDXJ and pages, `warcio check` clean.
The pywb half (wacz validate, replay) is in tests/replay/test_pywb_replay.py."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from worker.cli import cli
from worker.testing.mirror import MirrorServer

WARCIO = Path(sys.executable).parent / "warcio"


def _ingest(archive_dir: Path, sources: Path) -> None:
    env = {"BAYEGAN_ARCHIVE_DIR": str(archive_dir), "BAYEGAN_WORKER_NAME": "wacz", "BAYEGAN_POLITENESS": "false"}
    result = CliRunner().invoke(cli, ["ingest", "--sources", str(sources), "--no-progress", "--json"],
                                env=env, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wacz-source")
    archive_dir = tmp / "archive"
    with MirrorServer(agencies=("isna", "tasnim"), articles=3, faults=False) as server:
        sources = server.write_sources_toml(tmp / "sources.toml")
        _ingest(archive_dir, sources)
        server.publish("isna")
        _ingest(archive_dir, sources)          # unchanged robots/feeds/sitemaps: revisits
        yield tmp, archive_dir, {a: s.base for a, s in server.sites.items()}


def _export(archive_dir: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["export", "--format", "wacz", *args, "-o", str(out)],
                                env={"BAYEGAN_ARCHIVE_DIR": str(archive_dir)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _records(data: bytes) -> list:
    out = []
    for rec in ArchiveIterator(io.BytesIO(data)):
        rec.content_stream().read()
        out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI") or "",
                    rec.rec_headers.get_header("WARC-Record-ID"), rec.rec_headers.get_header("WARC-Refers-To")))
    return out


def test_source_export_holds_only_that_sources_records(two_sources):
    tmp, archive_dir, bases = two_sources
    wacz = tmp / "isna.wacz"
    _export(archive_dir, wacz, "--source", "isna")
    with zipfile.ZipFile(wacz) as z:
        names = [n for n in z.namelist() if n.startswith("archive/")]
        assert names == ["archive/bayegan-isna.warc.gz"]
        warc = z.read(names[0])
        cdx = z.read("indexes/index.cdx").decode("utf-8").splitlines()
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]]
    (tmp / "isna.warc.gz").write_bytes(warc)
    subprocess.run([str(WARCIO), "check", str(tmp / "isna.warc.gz")], check=True, capture_output=True)
    records = _records(warc)
    uris = {uri for kind, uri, _, _ in records if kind != "warcinfo" and not uri.startswith("urn:")}
    assert uris and all(u.startswith(bases["isna"] + "/") for u in uris), uris - {bases["isna"]}
    assert not any(bases["tasnim"] in line for line in cdx)
    kinds = {kind for kind, *_ in records}
    assert {"request", "response", "revisit", "metadata"} <= kinds
    ids = {rid for _, _, rid, _ in records}
    assert all(ref in ids for kind, _, _, ref in records if kind in ("revisit", "metadata") and ref)
    assert len(pages) == 4 and all(p["url"].startswith(bases["isna"] + "/") for p in pages)
    cdx_urls = {json.loads(line.split(" ", 2)[2])["url"] for line in cdx}
    assert {p["url"] for p in pages} <= cdx_urls
    assert all(json.loads(line.split(" ", 2)[2])["filename"] == "bayegan-isna.warc.gz" for line in cdx)


def test_whole_archive_export_still_packages_the_files(two_sources):
    tmp, archive_dir, bases = two_sources
    wacz = tmp / "all.wacz"
    _export(archive_dir, wacz)
    with zipfile.ZipFile(wacz) as z:
        cdx = z.read("indexes/index.cdx").decode("utf-8").splitlines()
        names = [n for n in z.namelist() if n.startswith("archive/")]
    assert names and "bayegan-" not in " ".join(names)
    urls = [json.loads(line.split(" ", 2)[2])["url"] for line in cdx]
    assert all(any(u.startswith(base + "/") for u in urls) for base in bases.values())


def test_a_damaged_record_is_skipped_and_the_rest_exported(two_sources, tmp_path):
    import shutil

    _, archive_dir, bases = two_sources
    copy = tmp_path / "archive"
    shutil.copytree(archive_dir, copy)
    spots = []                         # (file, offset) of every isna response
    for path in sorted((copy / "warc").rglob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                rec.content_stream().read()
                if rec.rec_type == "response" and (rec.rec_headers.get_header("WARC-Target-URI") or "").startswith(
                        bases["isna"]):
                    spots.append((path, it.get_record_offset()))
    path, at = spots[len(spots) // 2]
    data = bytearray(path.read_bytes())
    data[at + 30:at + 60] = b"\0" * 30                       # inside the member's deflate stream
    path.write_bytes(bytes(data))
    whole, damaged = tmp_path / "whole.wacz", tmp_path / "damaged.wacz"
    _export(archive_dir, whole, "--source", "isna")
    _export(copy, damaged, "--source", "isna")
    with zipfile.ZipFile(whole) as a, zipfile.ZipFile(damaged) as b:
        before, after = (_records(z.read("archive/bayegan-isna.warc.gz")) for z in (a, b))
        (tmp_path / "d.warc.gz").write_bytes(b.read("archive/bayegan-isna.warc.gz"))
    subprocess.run([str(WARCIO), "check", str(tmp_path / "d.warc.gz")], check=True, capture_output=True)
    assert len(before) - 5 <= len(after) < len(before)      # one response less, and its request/metadata
    assert before[-1][2] == after[-1][2]                     # records after the damage are still there
