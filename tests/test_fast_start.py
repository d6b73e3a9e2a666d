"""`bayegan --help` must not import the heavy libraries (bench/startup.py measures the time)."""
from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("hazm", "datasketch", "scipy", "celery", "psycopg", "pyarrow", "httpx", "numpy", "lxml")


def test_help_imports_no_heavy_library():
    code = ("import sys, json\nfrom worker.cli import cli\n"
            "try:\n    cli(['--help'], prog_name='bayegan')\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
