"""Looking at a running archive from outside (integration tests and benchmarks watch workers fill it)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

INDEX_FILE = "index.sqlite3"


def stored_count(archive_dir: Path) -> int:
    """Articles in the SQLite index (what search/show/export see), read-only so the workers are not
    disturbed; 0 while the index does not exist yet or is busy."""
    db = Path(archive_dir) / INDEX_FILE
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0
