"""`bayegan serve` as a user runs it: a real process on a free loopback port."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from web_helpers import fill

from worker.cli.serve import _is_loopback


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_bayegan_serve_process(tmp_path):
    root = tmp_path / "archive"
    ids = fill(root)
    port = _free_port()
    exe = Path(sys.executable).with_name("bayegan")
    proc = subprocess.Popen([str(exe), "serve", "--archive", str(root), "--port", str(port)],
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline, r = time.monotonic() + 30, None
        while time.monotonic() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/articles/{ids['main']}", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert r is not None and r.status_code == 200 and "کلان‌شهرها" in r.text
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert f"{root} on http://127.0.0.1:{port}/" in err and "warning" not in err


def test_only_loopback_is_quiet():
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.5")
