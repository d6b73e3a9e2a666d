"""Web fixtures: the helpers' archive served by a real uvicorn on a random loopback port."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))   # web_helpers (pytest runs with importlib mode)

from web_helpers import Served, fill, run_server


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("web") / "archive"
    ids = fill(root)
    server, thread, base = run_server(root)
    s = Served(base, ids, root)
    yield s
    s.client.close()
    server.should_exit = True
    thread.join(10)
