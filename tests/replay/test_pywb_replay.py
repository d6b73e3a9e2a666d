"""Replay with the real client: `bayegan ingest` the loopback mirror, index the WARC files with
pywb's `wb-manager`, start `wayback` on a loopback port and compare what it replays with what the
mirror serves (every article byte for byte, the 301, a feed, a revisit)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from storage import open_archive
from worker.cli import cli
from worker.testing.mirror import MirrorServer

# pywb pins redis 2.x and brotlipy, which break the project's own venv: it lives in its own
# (`make replay-venv` -> .venv-pywb), found through BAYEGAN_PYWB_BIN or that default.
PYWB_BIN = Path(os.environ.get("BAYEGAN_PYWB_BIN") or Path(__file__).resolve().parents[2] / ".venv-pywb" / "bin")
WAYBACK, WB_MANAGER = PYWB_BIN / "wayback", PYWB_BIN / "wb-manager"
WARCIO = Path(sys.executable).parent / "warcio"
if not WAYBACK.exists() and os.environ.get("CI"):   # `make test` builds it: in CI a missing pywb is a failure
    raise RuntimeError(f"pywb not found in {PYWB_BIN} (make replay-venv)")
pytestmark = pytest.mark.skipif(not WAYBACK.exists(), reason=f"pywb not found in {PYWB_BIN} (make replay-venv)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ingest(archive_dir: Path, sources: Path) -> None:
    env = {"BAYEGAN_ARCHIVE_DIR": str(archive_dir), "BAYEGAN_WORKER_NAME": "replay", "BAYEGAN_POLITENESS": "false"}
    result = CliRunner().invoke(cli, ["ingest", "--sources", str(sources), "--no-progress", "--json"],
                                env=env, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output     # 1: the mirror's fault pages were recorded


def check_warcs(warcs: list[Path]) -> None:
    """`warcio check` and `warcio index` clean on every file."""
    assert warcs
    for w in warcs:
        subprocess.run([str(WARCIO), "check", str(w)], check=True, capture_output=True)
        out = subprocess.run([str(WARCIO), "index", str(w)], check=True, capture_output=True, text=True)
        assert out.stdout.strip() and not out.stderr.strip(), out.stderr


def start_wayback(workdir: Path, warcs: list[Path], coll: str = "bay") -> tuple[subprocess.Popen, str]:
    subprocess.run([str(WB_MANAGER), "init", coll], cwd=workdir, check=True, capture_output=True)
    unpack = ["--unpack-wacz"] if any(w.suffix == ".wacz" for w in warcs) else []
    subprocess.run([str(WB_MANAGER), "add", *unpack, coll, *map(str, warcs)], cwd=workdir, check=True,
                   capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([str(WAYBACK), "-b", "127.0.0.1", "-p", str(port)], cwd=workdir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/{coll}"
    for _ in range(150):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise AssertionError(f"wayback exited: {proc.stderr.read() if proc.stderr else ''}")
    proc.kill()
    raise AssertionError("wayback did not start")


def _revisits(warcs: list[Path]) -> list[tuple[str, str]]:
    found = []
    for w in warcs:
        with open(w, "rb") as fh:
            for rec in ArchiveIterator(fh):
                h = rec.rec_headers
                if rec.rec_type == "revisit" and "identical-payload-digest" in (h.get_header("WARC-Profile") or ""):
                    date = h.get_header("WARC-Date")
                    found.append((h.get_header("WARC-Target-URI"), "".join(c for c in date if c.isdigit())[:14]))
    return found


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("replay")
    archive_dir = tmp_path / "archive"
    with MirrorServer(articles=3) as server:
        sources = server.write_sources_toml(tmp_path / "sources.toml")
        _ingest(archive_dir, sources)
        _ingest(archive_dir, sources)                 # a second pass: unchanged feeds/robots become revisits
        yield tmp_path, archive_dir, server


def test_wacz_export_validates_and_replays(ingested):
    tmp_path, archive_dir, server = ingested
    wacz = tmp_path / "export.wacz"
    site_id = next(iter(server.sites))
    result = CliRunner().invoke(cli, ["export", "--format", "wacz", "--source", site_id, "-o", str(wacz)],
                                env={"BAYEGAN_ARCHIVE_DIR": str(archive_dir)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    check = subprocess.run([str(PYWB_BIN / "wacz"), "validate", "-f", str(wacz)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with zipfile.ZipFile(wacz) as z:
        lines = z.read("pages/pages.jsonl").decode("utf-8").splitlines()
        pages = [json.loads(line) for line in lines[1:]]
        assert json.loads(z.read("datapackage.json"))["wacz_version"] == "1.1.1"
        cdx = [{**json.loads(line.split(" ", 2)[2]), "ts": line.split(" ", 2)[1]}
               for line in z.read("indexes/index.cdx").decode().splitlines()]
    assert pages and all(p["url"] and p["ts"] and p["title"] and p["text"] for p in pages)
    own = server.sites[site_id].base + "/"      # --source: no other source's capture leaks in
    assert all(c["url"].startswith(own) or c["url"].startswith("urn:") for c in cdx), {c["url"] for c in cdx}
    revisit = next(c for c in cdx if c.get("mime") == "warc/revisit" and c.get("status") == "200"
                   and "fault" not in c["url"])
    (tmp_path / "pywb-wacz").mkdir()
    proc, base = start_wayback(tmp_path / "pywb-wacz", [wacz], coll="wacz")
    try:
        url = pages[0]["url"]
        replayed = httpx.get(f"{base}/id_/{url}", timeout=20)
        assert replayed.status_code == 200 and replayed.content == httpx.get(url, timeout=20).content
        url = revisit["url"]                   # a revisit in the package resolves to its original
        replayed = httpx.get(f"{base}/{revisit['ts']}id_/{url}", timeout=20)
        assert replayed.status_code == 200 and replayed.content == httpx.get(url, timeout=20).content, url
    finally:
        proc.terminate()
        proc.wait(10)


def test_pywb_replays_every_exchange(ingested):
    tmp_path, archive_dir, server = ingested
    warcs = sorted((archive_dir / "warc").rglob("*.warc.gz"))
    check_warcs(warcs)
    arc = open_archive(archive_dir, worker_name="check")
    try:
        # each article's 200 capture, with its own WARC timestamp: a fault page answered 500 before
        # its 200 is asked for at the 200's time, as a replay user following the capture list would
        captures = list(arc.iter_captures())
        pages = {ex.url: "".join(ch for ch in ex.fetched_at if ch.isdigit())[:14]
                 for ex, meta in captures if ex.status == 200 and meta.get("canonical_url")}
        # the mirror's fault pages answer 5xx then 200 within one second: ambiguous by timestamp
        flipping = {ex.url for ex, _ in captures if ex.status != 200}
        stored = arc.index.all("SELECT id FROM articles")
    finally:
        arc.close()
    assert len(stored) >= 6 and len(pages) >= len(stored)
    revisits = _revisits(warcs)
    assert revisits, "a second pass over unchanged documents must write revisit records"
    (tmp_path / "pywb").mkdir()
    proc, base = start_wayback(tmp_path / "pywb", warcs)
    try:
        with httpx.Client(timeout=20) as client:
            # every stored article, byte for byte; a fault page answered 500 then 200 within the same
            # second has two captures pywb cannot tell apart by timestamp: those are left out
            for url, ts in sorted(pages.items()):
                if url in flipping:
                    continue
                replayed = client.get(f"{base}/{ts}id_/{url}")
                assert replayed.status_code == 200, url
                assert replayed.content == client.get(url).content, url
            site = next(iter(server.sites.values()))
            feed = site.base + site.feed_path      # a feed replays as the feed
            replayed = client.get(f"{base}/id_/{feed}")
            assert replayed.status_code == 200 and replayed.content == client.get(feed).content
            moved = site.base + site.fault_paths["moved"]   # the 301 replays as a 301 to its target
            hop = client.get(f"{base}/id_/{moved}")
            assert hop.status_code == 301, hop.status_code
            assert hop.headers["location"].endswith(site.redirects[site.fault_paths["moved"]]
                                                    .split("://", 1)[-1]), hop.headers["location"]
            # a revisit resolves to its original payload (the mirror's fault pages flip between 5xx and
            # 200 from one request to the next, so their live answer is no reference)
            url, ts = next(r for r in revisits if r[0] not in flipping and "fault" not in r[0])
            replayed = client.get(f"{base}/{ts}id_/{url}")
            assert replayed.status_code == 200 and replayed.content == client.get(url).content, url
    finally:
        proc.terminate()
        proc.wait(10)
