"""Checks of a whole archive after a hostile run (disk full, kills): the records, the index and
the WARC files agree, and nothing is on disk twice. Shared by test_disk_full and test_kill_ingest."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from storage import open_archive

BAYEGAN = [sys.executable, "-m", "worker.cli"]
WARCIO_CHECK = [sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())", "check"]


def ingest_cmd(sources: Path, archive: Path, *extra: str) -> list[str]:
    return [*BAYEGAN, "ingest", "--sources", str(sources), "--archive", str(archive), *extra]


def run_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAYEGAN_")}
    return {**env, "BAYEGAN_POLITENESS": "false", "COLUMNS": "200", **extra}


def record_lines(archive: Path) -> list[tuple[str, int, dict]]:
    """(file relative to the archive, offset, line) of every record line; a torn line fails the test."""
    out = []
    for path in sorted((archive / "records").rglob("*.jsonl")):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), f"{path}: torn last line"
        offset = 0
        for line in data.splitlines(keepends=True):
            if line.strip():
                out.append((str(path.relative_to(archive)), offset, json.loads(line)))
            offset += len(line)
    return out


def assert_consistent(archive: Path) -> int:
    """Records = index rows (every line pointed at exactly once), no (id, version) on disk twice,
    `warcio check` clean on every WARC file. Returns the number of articles in the index."""
    lines = record_lines(archive)
    keys = Counter((ln["article_id"], ln["version"], ln["kind"], ln.get("alias_of")) for _, _, ln in lines)
    twice = [k for k, n in keys.items() if n > 1]
    assert not twice, f"record lines written twice: {twice[:5]}"
    with open_archive(archive, worker_name="check") as arc:
        rows = arc.index.all("SELECT record_file, record_offset FROM versions")
        rows += arc.index.all("SELECT record_file, record_offset FROM aliases")
        articles = arc.index.count("articles")
        heads = arc.index.all("SELECT id, versions FROM articles")
    on_disk = Counter((f, o) for f, o, _ in lines)
    indexed = Counter((r["record_file"], r["record_offset"]) for r in rows)
    assert on_disk == indexed, (f"records not in the index: {sorted(set(on_disk) - set(indexed))[:5]}; "
                                f"index rows without a record: {sorted(set(indexed) - set(on_disk))[:5]}")
    latest = Counter()
    for _, _, ln in lines:
        if ln["kind"] != "alias":
            latest[ln["article_id"]] = max(latest[ln["article_id"]], ln["version"])
    assert {h["id"]: h["versions"] for h in heads} == dict(latest)
    warcs = sorted(str(p) for p in (archive / "warc").rglob("*.warc.gz"))
    assert warcs, "no WARC file written"
    check = subprocess.run([*WARCIO_CHECK, *warcs], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, f"warcio check failed:\n{check.stdout[-2000:]}\n{check.stderr[-2000:]}"
    for path in warcs:          # warcio reads a cut last gzip member without complaint: gzip does not
        with gzip.open(path) as fh:
            while fh.read(1 << 20):
                pass
    return articles
