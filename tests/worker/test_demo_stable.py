"""`bayegan ingest --mirror` twice into one archive: the second run finds the same URLs (no aliases)."""
from __future__ import annotations

import json
import random

from click.testing import CliRunner

import worker.cli.demo as demo
from worker.cli import cli


def _totals(output: str) -> dict[str, int]:
    summary = json.loads(output.strip().splitlines()[-1])
    return {k: sum(row[k] for row in summary["sources"]) for k in ("new", "alias", "unchanged", "version")}


def test_second_demo_run_sees_the_same_urls(tmp_path, monkeypatch):
    # A base of our own (another engineer's demo may hold the default one); the mechanism is the same.
    for _ in range(20):
        base = random.randrange(20000, 60000)
        if demo._ports_free("127.0.0.1", base, 16):
            break
    monkeypatch.setattr(demo, "DEMO_PORT_BASE", base)
    env = {"BAYEGAN_WORKER_NAME": "demo"}
    args = ["ingest", "--mirror", "--mirror-articles", "3", "--json", "--archive", str(tmp_path / "a")]
    first = CliRunner().invoke(cli, args, env=env)
    assert first.exit_code == 0, first.output
    assert _totals(first.output)["new"] > 0
    second = CliRunner().invoke(cli, args, env=env)
    assert second.exit_code == 0, second.output
    totals = _totals(second.output)
    assert totals["alias"] == 0 and totals["new"] == 0 and totals["version"] == 0, totals
