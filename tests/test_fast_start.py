"""`bayegan --help` must not import the heavy libraries (bench/startup.py measures the time)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("hazm", "datasketch", "scipy", "celery", "psycopg", "pyarrow", "httpx", "numpy", "lxml")


# Every command's --help (the bench's list, plus the ones it lacked): each imports only its own module.
COMMANDS = [[], ["parse"], ["search"], ["show"], ["export"], ["stats"], ["errors"], ["index"], ["index", "rebuild"],
            ["sources"], ["sources", "list"], ["sources", "check"], ["backfill"], ["ingest"], ["run"], ["reingest"],
            ["recheck"], ["changes"], ["serve"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "bayegan")
def test_help_imports_no_heavy_library(command):
    code = ("import sys, json\nfrom worker.cli import cli\n"
            f"try:\n    cli({[*command, '--help']!r}, prog_name='bayegan')\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
